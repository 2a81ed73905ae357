"""Edges where one part of the warped face covers another (a closing lid over the eye, a lip
over the opening, a fold) are anti-aliased: the pixels along them blend the front's sample
with what lies behind by the front's coverage of the pixel, instead of each pixel taking one
triangle's sample and the edge a staircase of whole pixels; nothing else is blurred and no
sample is extrapolated."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from auedit.rig.regions import EYE_LOWER0, EYE_UPPER0, mirror_index
from auedit.synth.warp import backward_map

WHITE, BLACK = 200, 20


def _lid_over_an_eye(fold: bool = False,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A synthetic lid closing over an eye, 80 x 80 px: a band of lid (rows 0-20 at rest,
    white) above an eye (black from row 21), the margin between them moving down along a
    bent line. Either the eye's triangles are left out of the warp, as a closing eye's are
    (the lid slides 7-16 px over the eye, which stays put), or (`fold`) the margin moves
    25-34 px, past the eye's lower edge (row 40): the eye's triangles turn over under the
    lid. Source and destination points, triangles, those moved and the photo."""
    xs = [0.0, 40.0, 79.0]
    rows = (0.0, 20.0, 40.0, 79.0) if fold else (0.0, 20.0, 79.0)
    src = np.array([(x, y) for y in rows for x in xs])
    tris = []
    for r in range(len(rows) - 1):
        for c in range(2):
            a, b = 3 * r + c, 3 * r + c + 1
            tris += [(a, b, b + 3), (a, b + 3, a + 3)]
    dst = src.copy()
    dst[3:6, 1] += (27.3, 33.6, 25.1) if fold else (9.3, 15.6, 7.1)
    image = np.where(np.arange(80)[:, None] <= 20, WHITE, BLACK).astype(np.uint8)
    image = np.ascontiguousarray(np.broadcast_to(image, (80, 80)))
    return src, dst, np.array(tris), np.arange(8 if fold else 4), image


def _margin(dst: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The moved lid margin's row at columns `x`."""
    return np.interp(x, dst[3:6, 0], dst[3:6, 1])


@pytest.mark.parametrize("fold", [False, True], ids=["eye-left-out", "eye-folded"])
def test_a_covering_edge_is_anti_aliased(fold):
    src, dst, tris, moved, image = _lid_over_an_eye(fold)
    bmap = backward_map(src, dst, tris, image.shape, moved)
    out = bmap.remap(image).astype(np.float64)
    h, w = out.shape
    xs = bmap.x0 + np.arange(w)
    ys = bmap.y0 + np.arange(h)
    edge = _margin(dst, xs)
    # how much of each column the lid covers below row 20, against the exact area under
    # the margin (pixel centres at integers): a staircase of whole pixels is off by up to
    # one (0.45 and 0.54 px on average before edges were anti-aliased; 0.004 after)
    rows = ys >= 21
    covered = ((out[rows] - BLACK) / (WHITE - BLACK)).sum(axis=0)
    exact = edge + 0.5 - 21.0
    cols = (np.abs(xs - 40.0) > 2.0) & (xs > 1) & (xs < 78)  # away from the bend and sides
    error = np.abs(covered - exact)[cols]
    assert error.mean() < 0.05 and error.max() < 0.15, (
        f"lid coverage off by {error.mean():.2f} px per column on average "
        f"(max {error.max():.2f}): the covering edge is not anti-aliased")
    # intermediate values along the edge, and only there: the rest stays sharp
    grey = (out > BLACK + 2) & (out < WHITE - 2)
    assert grey[:, cols].any(axis=0).mean() > 0.8
    away = np.abs(ys[:, None] - edge[None, :]) > 1.25
    assert not grey[away].any(), "pixels away from the covering edge were blended"
    # the samples blended are the lid's own (its rows at rest) and, behind the margin, the
    # photo where it is (the eye left out, or the skin below the folded eye)
    front, behind = bmap.front, bmap.behind
    assert len(front) and (front[:, 1] <= 20.05).all(), "an extrapolated lid sample"
    at = np.stack([bmap.seam % w + bmap.x0, bmap.seam // w + bmap.y0], axis=1)
    photo = np.all(np.abs(behind - at) < 1e-4, axis=1)
    assert photo.mean() > 0.9
    assert bmap.moved.ravel()[bmap.seam].all()


def test_edges_that_meet_are_left_alone():
    """Triangles meeting edge to edge agree along the edge however differently they
    stretch: a squeeze beside a stretch (a lid raised, not covering anything) draws no
    seam, and the warp is as before, each pixel through the triangle holding it."""
    src, _, tris, _, image = _lid_over_an_eye()
    dst = src.copy()
    dst[3:6, 1] -= (9.3, 15.6, 7.1)  # the margin rises: the lid squeezes, the eye stretches
    moved = np.arange(len(tris))
    bmap = backward_map(src, dst, tris, image.shape, moved)
    assert len(bmap.seam) == 0
    plain = cv2.remap(image, bmap.map_x, bmap.map_y, cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    np.testing.assert_array_equal(bmap.remap(image), plain)


@pytest.fixture(scope="module")
def canonical_mirror(single_image_tracker):
    return mirror_index(single_image_tracker.canonical.vertices.astype(np.float64))


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of points `p` (K, 2) to each segment a-b ((S, 2) each): (K, S)."""
    ab = b - a
    t = np.clip(((p[:, None] - a) * ab).sum(-1) / (ab * ab).sum(-1), 0.0, 1.0)
    return np.linalg.norm(a + t[..., None] * ab - p[:, None], axis=-1)


def test_a_closed_lid_on_a_photo_has_a_smooth_edge(prepared_astronaut, canonical_mirror):
    """The demo photo with its eyes shut: the upper lids' margins, painted over the eyes,
    are drawn with intermediate pixels along them, and only along them."""
    synth, prepared = prepared_astronaut
    _, shift = synth.displacement(prepared, {"AU45": 5.0})
    level = synth._level(prepared, False)
    bmap, dst, _, opens = synth._warp(prepared, level, shift)
    assert opens == [False, False]
    w = bmap.map_x.shape[1]
    seam = np.stack([bmap.seam % w + bmap.x0, bmap.seam // w + bmap.y0], axis=1)
    # along both lids' margins (corner to corner)
    upper = [EYE_LOWER0[0], *EYE_UPPER0, EYE_LOWER0[-1]]
    near = np.zeros(len(seam), bool)
    spans = []
    for lid in (upper, [int(canonical_mirror[i]) for i in upper]):
        margin = dst[lid]
        margin = margin[np.argsort(margin[:, 0])]
        d = _segment_distance(seam.astype(np.float64), margin[:-1], margin[1:]).min(axis=1)
        near |= d < 1.5
        cols = np.unique(seam[d < 1.5, 0])
        spans.append(len(cols) / (np.ptp(margin[:, 0]) + 1.0))
    assert min(spans) > 0.6, f"only {min(spans):.0%} of a lid's width is anti-aliased"
    assert near.mean() > 0.85, f"{1 - near.mean():.0%} of the blended pixels are off the lids"
    # blends: the pixels there differ from the one-owner warp, and nothing else does
    edited = bmap.remap(level.image)
    plain = cv2.remap(level.image, bmap.map_x, bmap.map_y, cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    changed = np.abs(edited.astype(int) - plain).max(axis=2).ravel() > 0
    assert not np.delete(changed, bmap.seam).any()
    strong = np.abs(edited.astype(int) - plain).max(axis=2).ravel()[bmap.seam] >= 8
    assert strong.mean() > 0.3, "the lid's edge hardly differs from a staircase"
    assert ((bmap.coverage > 0.0) & (bmap.coverage < 1.0)).mean() > 0.8
