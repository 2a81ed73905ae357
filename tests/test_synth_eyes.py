"""The rigid eyeball under a lid that opens (`auedit.synth.eyes`), on a drawn eye."""

from __future__ import annotations

import cv2
import numpy as np

from auedit.rig.regions import EYE_LOWER0, EYE_UPPER0
from auedit.synth.eyes import eye_rest, lash_lines, paint_open_eye

SKIN, WHITE, IRIS, LASH = (200, 160, 140), (235, 232, 228), (70, 50, 40), (40, 30, 30)
CENTRE, RADIUS = np.array([100.0, 64.0]), 14.0
OUTLINE = np.array(EYE_LOWER0 + EYE_UPPER0[::-1])


def _lid(xs: np.ndarray, height: float) -> np.ndarray:
    """A lid margin through the corners (60, 60) and (140, 60), `height` px off at the middle."""
    t = (xs - 100.0) / 40.0
    return np.stack([xs, 60.0 + height * (1.0 - t ** 2)], axis=1)


def _eye(raise_px: float = 0.0) -> np.ndarray:
    """The eye's outline (`OUTLINE` order): the lower lid corner to corner, then the upper back,
    the upper lid raised by `raise_px` at its middle."""
    lower = _lid(np.linspace(60.0, 140.0, len(EYE_LOWER0)), 14.0)
    upper = _lid(np.linspace(60.0, 140.0, len(EYE_UPPER0) + 2)[1:-1], -6.0 - raise_px)
    return np.concatenate([lower, upper[::-1]])


def _photo() -> tuple[np.ndarray, np.ndarray]:
    """A drawn eye whose upper lid and lashes cover the iris's top, and its 478 landmarks."""
    image = np.full((120, 200, 3), SKIN, np.uint8)
    outline = _eye()
    opening = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(opening, [np.round(outline).astype(np.int32)], 255)
    eyeball = np.full_like(image, WHITE)
    cv2.circle(eyeball, tuple(CENTRE.astype(int)), int(RADIUS), IRIS, -1)
    image[opening > 0] = eyeball[opening > 0]
    upper = np.round(outline[len(EYE_LOWER0):]).astype(np.int32)
    cv2.polylines(image, [upper], False, LASH, 3)
    landmarks = np.full((478, 2), -1000.0)
    landmarks[OUTLINE] = outline
    landmarks[473] = CENTRE
    angles = np.arange(4) * np.pi / 2
    landmarks[474:478] = CENTRE + RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return image, landmarks


def test_a_raised_lid_uncovers_a_round_iris_and_white_above_it():
    image, landmarks = _photo()
    eye = eye_rest(image, landmarks, OUTLINE, len(EYE_LOWER0))
    assert eye is not None
    assert abs(eye.radius - RADIUS) <= 1.5
    out = image.copy()
    paint_open_eye(out, (0, 0), image, eye, _eye(raise_px=14.0),
                   np.zeros((len(EYE_LOWER0), 2)))
    luma = out.astype(float).mean(axis=2)
    white, iris = np.mean(WHITE), np.mean(IRIS)
    # above the iris's circle (its top at y 50), under the raised lid (at y 40): white (the
    # skin it replaces is as bright, but far less blue)
    assert out[45:49, 100, 2].min() > 0.75 * WHITE[2]
    # the iris's top, which the lid and its lashes hid: dark, and as wide as the circle
    row = 53  # the old lid's margin at the middle is y 54
    chord = 2.0 * np.sqrt(RADIUS ** 2 - (CENTRE[1] - row) ** 2)
    dark = luma[row, 60:140] < 0.5 * (white + iris)
    assert abs(dark.sum() - chord) <= 3
    assert luma[row, 100] < 0.5 * (white + iris)
    # what the photo showed of the eyeball keeps its pixels
    np.testing.assert_array_equal(out[66:70, 90:110], image[66:70, 90:110])


def test_an_eye_too_narrow_to_complete_is_left_to_the_warp():
    image, landmarks = _photo()
    narrow = landmarks.copy()
    narrow[474:478] = CENTRE + (narrow[474:478] - CENTRE) * 2.0  # a big iris in a slit
    assert eye_rest(image, narrow, OUTLINE, len(EYE_LOWER0)) is None


def test_the_uncovered_top_of_the_iris_keeps_its_texture():
    """The iris's hidden top is completed from what the photo shows of it (mirrored or turned
    about its centre), so its spokes carry on into the top; its mean colour by radius alone
    painted a flat cap whose edge showed against the photo's textured iris."""
    image, landmarks = _photo()
    spokes = image.copy()
    for angle in np.arange(0.0, 2.0 * np.pi, np.pi / 12):
        tip = CENTRE + (RADIUS - 1.0) * np.array([np.cos(angle), np.sin(angle)])
        cv2.line(spokes, tuple(CENTRE.astype(int)), tuple(np.round(tip).astype(int)),
                 (140, 110, 90), 1)
    iris = np.linalg.norm(np.stack(np.mgrid[:120, :200][::-1], axis=-1) - CENTRE, axis=-1)
    image = np.where((iris < RADIUS - 0.5)[..., None] & (image == IRIS).all(axis=-1)[..., None],
                     spokes, image)
    eye = eye_rest(image, landmarks, OUTLINE, len(EYE_LOWER0))
    assert eye is not None
    out = image.copy()
    paint_open_eye(out, (0, 0), image, eye, _eye(raise_px=14.0),
                   np.zeros((len(EYE_LOWER0), 2)))
    luma = out.astype(float).mean(axis=2)
    shown = luma[58:71, 88]  # the iris's side, as far from its centre as the row below
    top = luma[52, 95:106]  # the old lid's margin at the middle was y 54
    assert top.std() > 0.5 * shown.std() > 5


def test_the_lash_line_is_found_above_a_margin_tracked_on_the_eyeball():
    """MediaPipe's upper margin may lie on the white below the lashes: the lid's real edge is
    the dark line above it (a lid closed from the margin carried a strip of white down);
    where the margin is on the lashes, it stays."""
    image = np.full((100, 120, 3), SKIN, np.uint8)
    image[40:60, 20:100] = WHITE
    image[40:43, 20:100] = LASH  # the lashes along the lid's edge, y 40-42
    xs = np.linspace(30.0, 90.0, 7)
    margin = np.stack([xs, np.full(7, 47.0)], axis=1)  # 5-6 px below the lashes, on white
    ring = margin - (0.0, 20.0)
    lift = lash_lines(image, margin, ring, width=80.0)
    assert np.allclose(lift[:, 0], 0.0) and (lift[:, 1] < -4.0).all()
    assert (margin + lift)[:, 1].max() <= 43.0
    on_lashes = margin - (0.0, 6.0)
    np.testing.assert_allclose(lash_lines(image, on_lashes, ring, width=80.0), 0.0, atol=1.0)


def test_the_white_is_taken_from_the_whitest_eyeball_not_the_lower_lids_rim():
    """The white's colour came from the lower half of the opening alone, where a pink rim and
    its shade lie above the tracked margin: the uncovered white was painted beige (wild img2)."""
    image, landmarks = _photo()
    lower = _lid(np.arange(60.0, 141.0), 14.0)
    for x, y in lower:
        image[int(y) - 4:int(y), int(x)] = (205, 150, 150)  # the lid's wet rim, pink
    eye = eye_rest(image, landmarks, OUTLINE, len(EYE_LOWER0))
    assert eye is not None
    middle = eye.white[len(eye.white) // 4:-len(eye.white) // 4]
    np.testing.assert_allclose(middle, np.broadcast_to(WHITE, middle.shape), atol=12)
