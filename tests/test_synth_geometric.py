"""The geometric synthesizer on real photos: locality, identity at the photo's own AUs, speed
of previews, and MediaPipe seeing the edited AUs on the re-tracked result."""

from __future__ import annotations

import copy
import dataclasses
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.media.sources import read_image
from auedit.rig import regions as rg
from auedit.rig.topology import SCLERA
from auedit.synth.base import PreparedFace, SynthesisError, Synthesizer, expand_targets, registry
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.mouth import (
    MOUTH_OPENING,
    light_gain,
    open_part,
    polygon_mask,
    uncrossed,
    without_specks,
)
from auedit.synth.presets import PRESETS, preset_targets

BROW = [n for n in ARKIT_BLENDSHAPES if n.startswith("brow")]
EYE = [n for n in ARKIT_BLENDSHAPES if n.startswith("eye") and "Look" not in n]
MOUTH = [n for n in ARKIT_BLENDSHAPES if n.startswith(("mouth", "jaw"))]


def _blendshapes(tracker, image: np.ndarray) -> dict[str, float]:
    tracker.ids.reset()
    faces = tracker.track(image, 0.0)
    assert faces, "the edited photo lost its face"
    return dict(zip(ARKIT_BLENDSHAPES, faces[0].blendshapes.tolist(), strict=True))


def test_protocol_and_registry(prepared_astronaut):
    synth, prepared = prepared_astronaut
    assert isinstance(synth, Synthesizer) and isinstance(prepared, PreparedFace)
    assert registry()["geometric"] is GeometricSynthesizer
    assert set(prepared.own) == set(expand_targets({"AU12": 0, "AU1": 0})) | set(prepared.own)
    assert all(0.0 <= v <= 5.0 for v in prepared.own.values())
    assert prepared.own["AU12L"] > 2.0  # the astronaut smiles


@pytest.mark.parametrize("preview", [False, True])
def test_own_targets_reproduce_the_photo(prepared_astronaut, preview):
    synth, prepared = prepared_astronaut
    out = synth.render(prepared, prepared.own, preview=preview)
    assert out.shape == prepared.image.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out, prepared.image)


def test_pixels_away_from_the_edit_are_untouched(prepared_astronaut):
    synth, prepared = prepared_astronaut
    image = prepared.image
    lms = prepared.face.landmarks[:468, :2]
    # a jaw drop moves the outline, and the ring around it a little, so reaches farther
    for targets, region, most in (
            ({"AU45": 5.0}, [33, 133, 159, 145, 263, 362, 386, 374], 0.5),
            ({"AU12": 5.0, "AU26": 4.0}, [61, 291, 0, 17, 152], 1.0)):
        out = synth.render(prepared, targets)
        changed = np.abs(out.astype(int) - image).max(axis=2) > 0
        ys, xs = np.nonzero(changed)
        assert len(xs) > 100, f"{targets} changed nothing"
        centre = lms[region].mean(axis=0)
        reach = np.hypot(xs - centre[0], ys - centre[1]).max()
        assert reach < most * prepared.face_px, f"{targets} changed pixels {reach:.0f} px away"
        x0, y0, x1, y1 = prepared.crop
        assert xs.min() >= x0 and xs.max() < x1 and ys.min() >= y0 and ys.max() < y1
    # an eye edit leaves the mouth exactly as it was; a mouth edit leaves the eyes and brows
    # (the face's outline there may shift by a fraction of a pixel with the jaw)
    eyes = synth.render(prepared, {"AU45": 5.0})
    y_mouth = int(lms[[0, 17, 61, 291], 1].min())
    np.testing.assert_array_equal(eyes[y_mouth:], image[y_mouth:])
    mouth = synth.render(prepared, {"AU12": 5.0, "AU26": 4.0})
    y_brow = int(lms[[105, 334, 159, 386], 1].max())
    diff = np.abs(mouth[:y_brow].astype(int) - image[:y_brow])
    assert (diff.max(axis=2) > 0).mean() < 0.01 and diff.mean() < 0.1


@pytest.mark.parametrize(("targets", "expected", "sign", "far"), [
    ({"AU45": 5.0}, ["eyeBlinkLeft", "eyeBlinkRight"], 1, BROW + MOUTH),
    ({"AU26": 4.0}, ["jawOpen", "mouthLowerDownLeft", "mouthLowerDownRight"], 1, BROW + EYE),
    ({"AU1": 4.0, "AU2": 4.0}, ["browInnerUp", "browOuterUpLeft", "browOuterUpRight"], 1, MOUTH),
    ({"AU12": 0.0}, ["mouthSmileLeft", "mouthSmileRight"], -1, BROW),
])
def test_edited_au_moves_its_blendshapes_and_little_else(prepared_astronaut, single_image_tracker,
                                                         targets, expected, sign, far):
    synth, prepared = prepared_astronaut
    before = _blendshapes(single_image_tracker, prepared.image)
    after = _blendshapes(single_image_tracker, synth.render(prepared, targets))
    delta = {k: after[k] - before[k] for k in before}
    moved = max(sign * delta[k] for k in expected)
    assert moved >= 0.1, f"{targets}: {expected} moved only {moved:.2f}"
    elsewhere = max(abs(delta[k]) for k in far)
    assert elsewhere < 0.2 and elsewhere < moved, (
        f"{targets}: far blendshapes moved {elsewhere:.2f} (the edit {moved:.2f})")


def test_preview_matches_full_render(prepared_astronaut):
    synth, prepared = prepared_astronaut
    targets = {"AU26": 4.0, "AU25": 3.0, "AU1": 4.0}
    full = synth.render(prepared, targets)
    preview = synth.render(prepared, targets, preview=True)
    assert np.abs(full.astype(int) - prepared.image).max() > 50
    diff = np.abs(full.astype(float) - preview).mean()
    assert diff < 1.0, f"preview differs from the full render by {diff:.2f} on average"


def test_tiny_face_is_refused(prepared_astronaut):
    synth, prepared = prepared_astronaut
    face = prepared.face
    small = type(face)(face.track_id, face.box, face.landmarks * 0.1, face.blendshapes,
                       face.pose, face.transform)
    with pytest.raises(SynthesisError, match="too small"):
        synth.prepare(prepared.image, small)


def test_presets_name_known_aus():
    for name, targets in PRESETS.items():
        assert expand_targets(targets) or name == "neutral", name
    assert set(expand_targets(PRESETS["contempt"])) == {"AU12R", "AU14R"}
    assert expand_targets({"AU43": 4.0}) == {"AU45L": 4.0, "AU45R": 4.0}
    assert expand_targets({"AU43L": 9.0}) == {"AU45L": 5.0}
    with pytest.raises(KeyError, match="AU99"):
        expand_targets({"AU99": 1.0})


@pytest.fixture(scope="module")
def neutral(shared_data, single_image_tracker):
    """A London neutral face (closed mouth, open eyes), prepared."""
    image = read_image(shared_data / "london" / "neutral" / "001_03.jpg")
    single_image_tracker.ids.reset()
    face = single_image_tracker.track(image, 0.0)[0]
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    return synth, synth.prepare(image, face)


@pytest.mark.shared_data
def test_neutral_face_edited_to_a_smile_reads_as_smiling(neutral, single_image_tracker):
    synth, prepared = neutral
    before = _blendshapes(single_image_tracker, prepared.image)
    after = _blendshapes(single_image_tracker, synth.render(prepared, PRESETS["happiness"]))
    smile = [(d["mouthSmileLeft"] + d["mouthSmileRight"]) / 2 for d in (before, after)]
    assert smile[0] < 0.2 and smile[1] > 0.3, f"mouthSmile {smile[0]:.2f} -> {smile[1]:.2f}"


@pytest.mark.shared_data
def test_opened_mouth_shows_a_dark_interior(neutral):
    synth, prepared = neutral
    targets = {"AU26": 4.0, "AU25": 3.0}
    out = synth.render(prepared, targets)
    lms = prepared.face.landmarks[:, :2]
    # the lower lip drops: the mouth's middle, lip before, is now the cavity or the teeth
    upper, lower = lms[13], lms[14]
    x, y0 = np.rint([(upper[0] + lower[0]) / 2, max(upper[1], lower[1]) + 2]).astype(int)
    inside = out[y0:y0 + 6, x - 4:x + 5].reshape(-1, 3).astype(float).mean(axis=0)
    lip = prepared.image[y0:y0 + 6, x - 4:x + 5].reshape(-1, 3).astype(float).mean(axis=0)
    assert np.abs(inside - lip).max() > 30, f"mouth inside {inside} vs lip {lip}"
    # the whole new opening is the interior (mostly dark cavity), not the closed mouth's
    # sliver of lip stretched over it
    light = _new_opening_light(synth, prepared, targets, out)
    assert light.size > 500
    dark = light < 0.5
    assert dark.mean() > 0.6, f"{dark.mean():.0%} of the opening is dark"


def _new_opening_light(synth, prepared, targets, out: np.ndarray) -> np.ndarray:
    """The brightness of each pixel of the edit's (`out`) mouth opening (the moved inner
    lips, eroded by 2 px) relative to the photo's lower lip (its median)."""
    _, shift = synth.displacement(prepared, targets)
    lms = prepared.face.landmarks[:, :2]
    mouth = list(MOUTH_OPENING)
    opening = cv2.erode(polygon_mask(lms[mouth] + shift[mouth], out.shape[:2]),
                        np.ones((5, 5), np.uint8)) > 0
    lower_lip = list(rg.LIPS_LOWER_OUTER) + list(reversed(rg.LIPS_LOWER_INNER))
    lip = polygon_mask(lms[lower_lip], out.shape[:2]) > 0
    image = prepared.image.astype(float).mean(axis=2)
    return out.astype(float).mean(axis=2)[opening] / np.median(image[lip])


def test_another_photos_expression_is_sized_by_what_mediapipe_sees(prepared_astronaut,
                                                                   single_image_tracker):
    """The astronaut edited to a clear smile is "another photo": taking its expression must
    give back about that smile, where its rig-fit reading alone gives a fraction of it."""
    from auedit.synth.expression_match import AUReader, matched_targets

    synth, prepared = prepared_astronaut
    read = AUReader(single_image_tracker)

    want = {"AU26": 3.0}  # the astronaut already smiles: AU12 is at the detector's ceiling
    other = synth.render(prepared, want)
    single_image_tracker.ids.reset()
    other_face = single_image_tracker.track(other, 0.0)[0]
    other_own = synth.prepare(other, other_face).own
    got = matched_targets(synth, prepared, read, read(other), other_own)
    for au, level in want.items():
        keys = expand_targets({au: 0.0})
        sized = np.mean([got[k] for k in keys])
        rigfit = np.mean([other_own[k] for k in keys])
        assert abs(sized - level) < 1.0, f"{au}: sized {sized:.2f}, set {level}"
        assert abs(sized - level) < abs(rigfit - level), f"{au}: rig fit alone {rigfit:.2f}"
    unchanged = [k for k in got if k != "AU26"]
    moved = np.abs([got[k] - prepared.own[k] for k in unchanged])
    assert np.median(moved) < 0.5
    assert read(np.full((240, 320, 3), 200, np.uint8)) is None


def test_aus_the_fit_reads_are_taken_from_the_other_photos_own_reading(prepared_astronaut,
                                                                      single_image_tracker):
    """MediaPipe reads some faces' build as expression (arched brows as AU1 and AU2 above 4
    on London 042, which looks neutral); sized by it, "From photo…" raised London 030's brows
    to 5. The AUs the synthesizer reads by its fit take the other photo's own reading."""
    from auedit.synth.expression_match import AUReader, matched_targets

    synth, prepared = prepared_astronaut
    read = AUReader(single_image_tracker)
    other = {**read(prepared.image), "AU1": 4.4, "AU2": 4.2, "AU2L": 4.2, "AU2R": 4.2}
    other_own = {**prepared.own, "AU1": 1.1, "AU2L": 0.3, "AU2R": 0.2}
    got = matched_targets(synth, prepared, read, other, other_own)
    assert "AU1" in synth.own_from_fit
    assert (got["AU1"], got["AU2L"], got["AU2R"]) == (1.1, 0.3, 0.2)


@pytest.mark.shared_data
def test_neutral_face_starts_near_zero_and_anger_lowers_the_brows(neutral):
    """The sliders start at the photo's own AUs: on a neutral face they must read as such, or
    a preset that asks for a frown (AU4 4) lowers the frown the fit imagined and lifts the brows."""
    synth, prepared = neutral
    assert sum(prepared.own.values()) < 8.0, {k: round(v, 1) for k, v in prepared.own.items()
                                              if v > 0.5}
    _, shift = synth.displacement(prepared, PRESETS["anger"])
    brows = [107, 66, 105, 336, 296, 334, 55, 65, 52, 285, 295, 282]
    drop = shift[brows, 1].mean() / prepared.face.interocular
    assert drop > 0.01, f"brows moved {drop:+.4f} interocular (down is +)"


def test_only_an_open_mouth_counts_as_the_photos_own_opening():
    """A closed mouth's inner-lip polygon is a sliver: not an opening to keep. A mouth open
    wider than the width keeps its whole opening (its own teeth are warped, not painted)."""
    sliver = polygon_mask(np.array([[10, 50], [90, 49], [90, 51], [10, 52]], float), (100, 100))
    assert sliver.any() and not open_part(sliver, 5).any()
    mouth = polygon_mask(np.array([[10, 40], [90, 40], [90, 60], [10, 60]], float), (100, 100))
    kept = open_part(mouth, 5)
    assert (kept > 127).sum() >= 0.97 * (mouth > 127).sum()


def test_specks_of_a_barely_parted_mouth_are_not_an_opening():
    """Where lips barely part, `open_part` leaves specks a width or two across; an edit that
    opened the mouth moved them into the new opening as dots of lip."""
    mask = polygon_mask(np.array([[10, 40], [90, 40], [90, 60], [10, 60]], float), (100, 100))
    mask[70:75, 20:25] = 255  # 25 px: under 4 squares of 5 px
    mask[80:92, 60:72] = 255  # 144 px: over
    kept = without_specks(mask, 5)
    assert not kept[70:75, 20:25].any()
    assert (kept[80:92, 60:72] == 255).all()
    np.testing.assert_array_equal(kept[40:60], mask[40:60])


def _own_mouth_level(image: np.ndarray, lower_height: int) -> SimpleNamespace:
    """A working level whose own open mouth (inner lips 60 px wide at y 40 and 60) shows teeth
    above its bite line and `lower_height` px below it, for `_own_teeth`."""
    lms = np.zeros((468, 2))
    xs = np.linspace(20.0, 80.0, len(rg.LIPS_UPPER_INNER))
    lms[list(rg.LIPS_UPPER_INNER)] = np.stack([xs, np.full_like(xs, 40.0)], axis=1)
    xs = np.linspace(75.0, 25.0, len(rg.LIPS_LOWER_INNER))
    lms[list(rg.LIPS_LOWER_INNER)] = np.stack([xs, np.full_like(xs, 60.0)], axis=1)
    upper = np.zeros(image.shape[:2], np.uint8)
    upper[40:60 - lower_height, 25:76] = 255
    lower = np.zeros_like(upper)
    lower[60 - lower_height:60, 25:76] = 255
    return SimpleNamespace(landmarks=lms, mouth_upper=upper, mouth_lower=lower, image=image)


def test_own_teeth_move_with_their_lips_but_not_a_sliver_below_the_bite_line():
    """A jaw drop moves the photo's teeth above the bite line with the upper lip; a sliver of
    the opening below the bite line (2 px here) stays out (moved with the jaw it drew light
    dashes across the cavity), and the moved teeth reach up to the lip, whose edge the
    move cannot follow exactly (the gap showed the cavity as a black line)."""
    image = np.full((120, 100, 3), 90, np.uint8)
    image[40:58, 25:76] = 240  # teeth
    level = _own_mouth_level(image, lower_height=2)
    opening = level.landmarks[list(MOUTH_OPENING)].copy()
    opening[len(rg.LIPS_UPPER_INNER):, 1] += 30.0  # the lower lip drops with the jaw
    inside = polygon_mask(opening, image.shape[:2])
    region = np.zeros_like(image)
    kept = GeometricSynthesizer._own_teeth(level, region, opening, (0, 0), inside, 5.0)
    assert (kept[43:55, 40:60] == 255).all()  # the teeth, where they were (edges feathered)
    assert not kept[60:95].any()  # nothing of the sliver, above the new lower lip
    assert (kept[40, 30:70] > 127).all()  # up to the lip's edge


@pytest.mark.shared_data
def test_a_full_blink_closes_the_photos_own_eye(neutral):
    """The blink slider at E puts each upper lid on the lower lid although the fitted
    identity's eye is wider than the rig's, whose blink is a fixed motion."""
    synth, prepared = neutral
    _, shift = synth.displacement(prepared, {"AU45": 5.0})
    lms = prepared.face.landmarks[:, :2]
    for upper, lower in ((159, 145), (386, 374)):  # the middle of each eye's lids
        before = lms[lower, 1] - lms[upper, 1]
        after = (lms[lower, 1] + shift[lower, 1]) - (lms[upper, 1] + shift[upper, 1])
        assert before > 3 and after < 0.05 * before, f"lid gap {before:.1f} -> {after:.1f} px"
    # half the way is about half closed
    _, half = synth.displacement(prepared, {"AU45": prepared.own["AU45L"] / 2 + 2.5})
    gap = (lms[145, 1] + half[145, 1]) - (lms[159, 1] + half[159, 1])
    assert 0.25 * (lms[145, 1] - lms[159, 1]) < gap < 0.75 * (lms[145, 1] - lms[159, 1])


@pytest.mark.shared_data
def test_a_closing_lid_sets_out_from_the_lash_line_above_the_tracked_margin(
        shared_data, single_image_tracker):
    """On img20 MediaPipe's upper margins lie on the eyeball below the lashes; a closing lid
    starts from the lashes (the strip between is eyeball, left for the lid to cover), ends
    where the margin's shift puts it, and a lid that does not close keeps its margin."""
    image = read_image(shared_data / "images" / "wild" / "img20.jpg")
    single_image_tracker.ids.reset()
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, single_image_tracker.track(image, 0.0)[0])
    margins = synth.lid_upper[0::2]
    per_side = len(margins) // 2  # the subject's left eye first (`_lid_pairs`)
    lifts = np.linalg.norm(prepared.lash_lift[0::2], axis=1)
    assert lifts[:per_side].mean() > 0.006 * prepared.face.interocular  # 1.7 px
    assert lifts[per_side:].max() == 0.0  # the right eye's margin is on its lashes
    level = synth._level(prepared, False)
    _, shift = synth.displacement(prepared, {"AU45": 5.0})
    opens = synth._eyes_opening(prepared.face.landmarks, shift)
    assert opens == [False, False]
    points, moved = synth._lids_from_lashes(prepared, level, shift, opens)
    lifted = points[margins] - level.points[margins]
    assert (lifted[:, 1] < 0).sum() >= len(margins) // 2  # up, in the image
    np.testing.assert_allclose(points[margins] + moved[margins] * level.scale,
                               level.points[margins] + shift[margins] * level.scale, atol=0.5)
    _, smile = synth.displacement(prepared, {"AU12": 3.0})
    still, _ = synth._lids_from_lashes(prepared, level, smile,
                                       synth._eyes_opening(prepared.face.landmarks, smile))
    np.testing.assert_array_equal(still, level.points)


@pytest.mark.shared_data
def test_lips_pressed_together_show_no_mouth_interior(neutral, monkeypatch):
    """Lip pressor / tightener / suck push the inner lips onto or past each other: the
    mouth stays shut (no teeth slot), while a jaw drop paints the interior."""
    synth, prepared = neutral
    calls = []
    render = prepared.interior.render
    monkeypatch.setattr(prepared.interior, "render",
                        lambda *a, **k: calls.append(1) or render(*a, **k))
    for targets in ({"AU24": 5.0}, {"AU23": 5.0}, {"AU28U": 5.0}, PRESETS["happiness"]):
        synth.render(prepared, targets)
        assert not calls, f"{targets} painted a mouth interior"
    synth.render(prepared, {"AU26": 4.0})
    assert calls


def test_crossed_inner_lips_are_collapsed():
    up = np.stack([np.linspace(0, 10, 11), np.zeros(11)], axis=1)
    low = np.stack([np.linspace(1, 9, 9), np.ones(9)], axis=1)[::-1]
    open_mouth = np.concatenate([up, low])
    np.testing.assert_array_equal(uncrossed(open_mouth), open_mouth)
    crossed = open_mouth.copy()
    crossed[11:14, 1] = -1.0  # three lower points above their upper partners
    out = uncrossed(crossed)
    np.testing.assert_allclose(out[11:14, 1], -0.5)
    np.testing.assert_allclose(out[[9, 8, 7], 1], -0.5)  # their partners, at the midpoint
    np.testing.assert_array_equal(out[14:], open_mouth[14:])


@pytest.mark.shared_data
def test_a_slider_moves_the_face_where_the_fit_already_reads_its_au_at_the_end(neutral):
    """The landmark fit alone may read an AU at 1 (lip tightener on some neutral faces) where
    the reading the slider starts from says 0: raising the slider must still show."""
    synth, prepared = neutral
    fit = copy.deepcopy(prepared.fit)
    fit.params.au[0, synth.rig.au_index("AU23")] = 1.0
    fitted, _ = synth.displacement(dataclasses.replace(prepared, fit=fit), {})  # unchanged
    saturated = dataclasses.replace(prepared, fit=fit, fitted=fitted,
                                    own={**prepared.own, "AU23": 0.0})
    _, shift = synth.displacement(saturated, {"AU23": 5.0})
    assert np.linalg.norm(shift, axis=1).max() > 1.0


def test_interior_light_follows_the_eye_whites_not_the_skin_tone():
    """Teeth are lit like the photo's eye whites: the same on dark and fair skin."""
    lms = np.zeros((468, 3))
    upper, lower = np.arange(10, 15), np.arange(20, 25)
    lms[upper, :2] = np.stack([np.linspace(40, 60, 5), np.full(5, 45.0)], axis=1)
    lms[lower, :2] = np.stack([np.linspace(40, 60, 5), np.full(5, 55.0)], axis=1)
    lms[[50, 280, 101, 330], :2] = [[20, 80], [80, 80], [25, 85], [75, 85]]  # cheeks
    gains = []
    for skin in (60, 200):
        image = np.full((100, 100, 3), skin, np.uint8)
        image[45:56, 40:61] = 190  # the eye's white
        image[47:54, 47:54] = 30  # its iris
        gains.append(light_gain(image, lms, [np.concatenate([lower, upper[::-1]])]))
    assert gains[0] == pytest.approx(gains[1])
    assert gains[0] == pytest.approx(190 / (SCLERA * 255.0), 0.02)
    # and the photo's white balance: a warm white gives warm teeth
    warm = np.full((100, 100, 3), 120, np.uint8)
    warm[45:56, 40:61] = (230, 200, 160)
    warm[47:54, 47:54] = 30
    gain = light_gain(warm, lms, [np.concatenate([lower, upper[::-1]])])
    assert gain == pytest.approx(np.array([230, 200, 160]) / (SCLERA * 255.0), 0.02)
    closed = np.full((100, 100, 3), 60, np.uint8)
    lms_closed = lms.copy()
    lms_closed[lower, 1] = 45.5  # no white to see: the skin stands in
    assert (light_gain(closed, lms_closed, [np.concatenate([lower, upper[::-1]])]) < 0.4).all()
    # an eye cut by the photo's edge, or wholly outside it (a face cropped through the eyes)
    for below in (50.0, 70.0):
        cut = lms.copy()
        cut[np.concatenate([upper, lower]), 1] += below
        gain = light_gain(closed, cut, [np.concatenate([lower, upper[::-1]])])
        assert ((gain >= 0.3) & (gain <= 1.2)).all()


@pytest.mark.shared_data
def test_a_jaw_drop_on_a_smile_moves_the_teeth_apart(shared_data, single_image_tracker):
    """A photo that shows its teeth: a jaw drop leaves the upper teeth with the upper lip,
    takes the lower ones down with the jaw and opens a dark gap between them, where the mesh
    alone would stretch the teeth into tall streaks."""
    image = read_image(shared_data / "london" / "smiling" / "002_08.jpg")
    single_image_tracker.ids.reset()
    face = single_image_tracker.track(image, 0.0)[0]
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, face)
    targets = {"AU26": 4.0}
    light = _new_opening_light(synth, prepared, targets, synth.render(prepared, targets))
    assert (light < 0.5).mean() > 0.4, "no dark gap between the teeth"
    assert (light > 1.3).mean() > 0.1, "the photo's own teeth are gone"


@pytest.mark.shared_data
def test_closing_eyes_are_found_whatever_the_roll(neutral):
    """Which eyes close or open is judged by their openings' area, not by image rows: a head
    lying on its side blinks too."""
    synth, prepared = neutral
    _, shift = synth.displacement(prepared, {"AU45": 5.0})
    lms = prepared.face.landmarks[:, :2]
    assert synth._eyes_opening(lms, shift) == [False, False]
    turn = np.array([[0.0, -1.0], [1.0, 0.0]])  # 90 degrees
    assert synth._eyes_opening(lms @ turn.T, shift @ turn.T) == [False, False]
    _, opening = synth.displacement(prepared, {"AU5": 5.0})
    assert synth._eyes_opening(lms @ turn.T, opening @ turn.T) == [True, True]
    _, left = synth.displacement(prepared, {"AU45R": 5.0})
    assert synth._eyes_opening(lms, left).count(None) == 1


@pytest.mark.shared_data
def test_a_closing_lid_slides_over_a_still_eyeball(neutral):
    """Half a blink: the part of the eye the lid has not reached keeps its pixels (the
    eyeball stays put under the lid instead of being squashed into the narrowing gap)."""
    synth, prepared = neutral
    edited = synth.render(prepared, {"AU45": 3.0})
    lms = prepared.face.landmarks[:, :2]
    for iris, below in ((468, 145), (473, 374)):  # each iris and the lower lid under it
        x = round(float(lms[iris, 0]))
        y = round(float(lms[iris, 1] + 0.6 * (lms[below, 1] - lms[iris, 1])))
        near = edited[y - 1:y + 2, x - 2:x + 3].astype(int)
        assert np.abs(near - prepared.image[y - 1:y + 2, x - 2:x + 3]).max() <= 3


def test_the_lid_raiser_moves_the_upper_lids_alone(prepared_astronaut):
    """The rig's lid raiser lifts the lower lids and the eyes' corners too; on a photo the
    lower lids stay and the upper ones rise."""
    synth, prepared = prepared_astronaut
    _, shift = synth.displacement(prepared, {"AU5": 5.0})
    iod = prepared.face.interocular
    assert np.abs(shift[synth.lower_lids]).max() < 1e-6 * iod
    assert -shift[list(rg.EYE_UPPER0), 1].mean() > 0.02 * iod


def test_a_raised_lid_arches_rising_less_beside_the_corners(prepared_astronaut):
    """The rig's lid raiser lifts the lid points beside the eye's corners as far as its
    middle: a wide-open eye became a box whose straight sides the warp filled with stretched
    lashes (wild img24). Beside the corners the lid now rises about half as far."""
    synth, prepared = prepared_astronaut
    _, shift = synth.displacement(prepared, {"AU5": 5.0})
    for _, outline in synth.eye_openings:
        rise = -shift[outline[len(rg.EYE_LOWER0):], 1]  # the upper lid, corner to corner
        assert max(rise[0], rise[-1]) < 0.65 * rise[len(rise) // 2]


@pytest.mark.shared_data
def test_a_widened_eye_keeps_its_iris_round(shared_data, single_image_tracker):
    """The lid raiser uncovers the eyeball instead of stretching it: white shows between the
    raised lid and the top of MediaPipe's iris circle (the warp alone stretched the iris up
    to the lid, a tall oval), the iris is still there, and the eyeball the photo already
    showed keeps its pixels."""
    image = read_image(shared_data / "london" / "neutral" / "020_03.jpg")
    single_image_tracker.ids.reset()
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, single_image_tracker.track(image, 0.0)[0])
    edited = synth.render(prepared, {"AU5": 5.0})
    _, shift = synth.displacement(prepared, {"AU5": 5.0})
    lms = prepared.face.landmarks[:, :2]
    for _, outline in synth.eye_openings:
        new = lms[outline] + shift[outline]
        iris = min((468, 473), key=lambda i: np.linalg.norm(lms[i] - lms[outline].mean(axis=0)))
        c = lms[iris]
        diameter = float(np.linalg.norm(lms[iris + 1] - lms[iris + 3]))
        x = round(float(c[0]))
        upper, lower = new[len(rg.EYE_LOWER0):], new[:len(rg.EYE_LOWER0)]
        top = np.interp(x, *upper[np.argsort(upper[:, 0])].T)
        bottom = np.interp(x, *lower[np.argsort(lower[:, 0])].T)
        rows = slice(int(np.ceil(top)), int(bottom) - 1)
        column = edited[rows, x - 1:x + 2].astype(float).mean(axis=(1, 2))
        white = np.percentile(edited[rows, x - 2 * int(np.ceil(diameter)):x].mean(axis=2), 90)
        # the eyeball moves with the lower lid, rigidly
        dx, dy = shift[outline[:len(rg.EYE_LOWER0)]].mean(axis=0)
        cy = int(c[1])
        centre = cy + dy - rows.start
        above = column[:int(np.ceil(centre - 0.5 * diameter))]  # lid to the iris circle
        assert above.size and above.max() > 0.75 * white, "the iris is stretched up to the lid"
        middle = column[int(centre - 0.25 * diameter):int(centre + 0.25 * diameter)]
        assert np.median(middle) < 0.6 * white, "the iris is gone"
        near = edited[cy - 2:cy + 3, x - 2:x + 3].astype(np.float32)
        rest = cv2.warpAffine(image, np.float32([[1, 0, dx], [0, 1, dy]]), image.shape[1::-1])
        assert np.abs(near - rest[cy - 2:cy + 3, x - 2:x + 3]).max() <= 12


@pytest.mark.shared_data
def test_a_face_cropped_through_the_eyes_can_be_edited(shared_data, single_image_tracker):
    """The interior's light is read from the eyes: an eye cut by the photo's edge, or gone,
    must not fail the preparation (it crashed in OpenCV and numpy)."""
    image = read_image(shared_data / "london" / "neutral" / "001_03.jpg")
    single_image_tracker.ids.reset()
    lms = single_image_tracker.track(image, 0.0)[0].landmarks
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    for crop in (image[int(lms[145, 1]) + 3:], image[:, int(lms[133, 0]) + 3:]):
        crop = np.ascontiguousarray(crop)
        single_image_tracker.ids.reset()
        found = single_image_tracker.track(crop, 0.0)
        assert found
        out = synth.render(synth.prepare(crop, found[0]), {"AU26": 4.0})
        assert out.shape == crop.shape


def test_matching_probes_past_the_detectors_dead_zone():
    """A detector that reads nothing until the slider is far up (mouthSmile on some faces sees
    AU12 only past 3.5) is probed once more at the slider's end, not given up on: the match
    lands in its responsive range instead of falling back to the rig fit's reading (0)."""
    from types import SimpleNamespace

    from auedit.synth.expression_match import matched_targets

    class Synth:
        def render(self, prepared, targets, preview=False):
            level = np.mean([targets.get(k, prepared.own[k]) for k in ("AU12L", "AU12R")])
            return np.full(1, level)

    def read(image):  # reads 0 up to 3.8, then 3 units per slider unit
        return {"AU12": float(max(0.0, image[0] - 3.8) * 3.0)}

    prepared = SimpleNamespace(own={"AU12L": 0.0, "AU12R": 0.0})
    got = matched_targets(Synth(), prepared, read, {"AU12": 3.0}, {"AU12L": 0.0, "AU12R": 0.0})
    assert 4.5 < got["AU12L"] < 5.0 and 4.5 < got["AU12R"] < 5.0, got


def test_brow_raisers_barely_open_the_eyes(prepared_astronaut):
    """The rig's brow raisers drag the upper lids with the brows (AU1 E lifts them more than
    the lid raiser AU5 E): on a photo that opened the eyes into a window of stretched lashes
    and iris. The brows rise; the upper lids keep a small share of it."""
    synth, prepared = prepared_astronaut
    lids, iod = synth.lid_upper[0::2], prepared.face.interocular
    rise = {}
    for au in ("AU1", "AU2"):
        _, shift = synth.displacement(prepared, {au: 5.0})
        rise[au] = (-shift[lids, 1].mean() / iod, -shift[[105, 334, 66, 296], 1].mean() / iod)
    assert rise["AU1"][1] > 0.04 and rise["AU2"][1] > 0.04, rise  # the brows go up
    # the lids: a third of the brows' rise at most (it was more than the brows' own rise)
    assert rise["AU1"][0] < 0.35 * rise["AU1"][1] and rise["AU2"][0] < 0.35 * rise["AU2"][1], rise
    # the eyes move as a whole: no eye narrows (its corners and lower lid rising past its
    # upper lid left the eyeball behind under a lower lid line, a ghost lid line)
    _, shift = synth.displacement(prepared, {"AU1": 5.0, "AU2": 5.0})
    assert False not in synth._eyes_opening(prepared.face.landmarks, shift)


@pytest.mark.shared_data
def test_raised_brows_leave_the_lashes_and_the_hair_where_they_were(neutral):
    """The brow raisers pull the ring over each upper lid (near its crease) up more than the
    lid's margin: the band between, whose lower part holds the lashes, was stretched and the
    lashes smeared up into a dark band. It now moves as its margin does; the brows rise.
    They moved the forehead's top too, and the hair above it with the outline's ring."""
    synth, prepared = neutral
    tracked = prepared.face.landmarks[:, :2]
    margins, rings = synth.lid_upper[0::2], synth.lid_upper[1::2]
    _, shift = synth.displacement(prepared, {"AU1": 5.0, "AU2": 5.0})
    before = np.linalg.norm(tracked[rings] - tracked[margins], axis=1)
    after = np.linalg.norm(tracked[rings] + shift[rings] - tracked[margins] - shift[margins],
                           axis=1)
    assert (after <= before + 0.05).all(), (after - before).max()
    assert -shift[[105, 334, 66, 296], 1].mean() > 0.04 * prepared.face.interocular
    # the forehead's top stays, and with it the hair and background above it
    above = [i for i in rg.SILHOUETTE if tracked[i, 1] < tracked[[105, 334], 1].min()]
    assert above and np.abs(shift[above]).max() == 0.0
    level = synth._level(prepared, False)
    dst, _ = prepared.mesh.moved(level.points, shift * level.scale)
    ring = slice(468, 468 + prepared.mesh.n_ring)  # round the outline: the hair and background
    high = level.points[ring, 1] < level.landmarks[[105, 334], 1].min()
    moved = np.linalg.norm(dst[ring] - level.points[ring], axis=1)[high]
    assert high.any() and moved.max() < 1.0, moved.max()  # 4.3 px before
    # a blink still stretches the lid over the eye
    _, shut = synth.displacement(prepared, {"AU45": 5.0})
    closed = np.linalg.norm(tracked[rings] + shut[rings] - tracked[margins] - shut[margins],
                            axis=1)
    assert (closed > before).mean() > 0.5


@pytest.mark.shared_data
def test_a_smile_curves_the_mouth_instead_of_lifting_it(neutral, prepared_astronaut):
    """The rig's lip corner puller lifts the whole mouth with its corners; a smile lifts the
    corners and leaves the lips' middle where it was, so the mouth curves. On a closed mouth
    (AU12 alone parts no lips) both lips' middles stay; on a smile that shows its teeth (the
    demo photo) the upper lip keeps half its rise in the middle and all of it at the corners
    (`OPEN_SMILE_MIDDLE`: all of it everywhere made a straight-edged slot), the lower lip's
    middle stays."""
    upper, lower = [0, 13], [14, 17]  # the lips' middles, outer and inner
    for (synth, prepared), still in ((neutral, upper + lower), (prepared_astronaut, lower)):
        prepared = dataclasses.replace(prepared, own={**prepared.own, "AU12L": 0.0, "AU12R": 0.0})
        _, shift = synth.displacement(prepared, {"AU12": 5.0})
        rise = -shift[:, 1] / prepared.face.interocular
        corners = rise[[61, 291]].mean()
        assert corners > 0.03, corners
        assert np.abs(rise[still]).max() < 0.1 * corners, (corners, rise[upper + lower])
    # the open smile's upper lip rises, its middle by half the lift (it arches to the corners)
    assert 0.15 * corners < rise[upper].min() < 0.4 * corners, rise[upper]


def test_taking_a_smile_away_leaves_little_of_it(prepared_astronaut, single_image_tracker):
    """The sliders start at the MediaPipe AU detector's reading of the photo, and taking an AU
    away carries its rig field past 0: the landmark fit explains a real smile with about a
    third of the AU12 MediaPipe reads. With the rig fit's regressor as the start and 0 as the
    floor, the demo photo's broad smile (mouthSmile 0.91) kept 0.70 with AU6 and AU12 at 0."""
    synth, prepared = prepared_astronaut
    assert min(prepared.own["AU12L"], prepared.own["AU12R"]) > 3.0, prepared.own
    smile = ["mouthSmileLeft", "mouthSmileRight"]
    before = _blendshapes(single_image_tracker, prepared.image)
    after = _blendshapes(single_image_tracker, synth.render(prepared, {"AU6": 0.0, "AU12": 0.0}))
    left = [np.mean([d[k] for k in smile]) for d in (before, after)]
    assert left[1] < 0.6 * left[0], f"mouthSmile {left[0]:.2f} -> {left[1]:.2f}"


def test_closing_the_mouth_stops_where_the_jaw_rests(prepared_astronaut):
    """The openings (lips part AU25, jaw AU26/27, blink) stop at their rest: carried past it,
    as the other AUs' fields are when taken away, the jaw would swing up through the upper
    teeth. A reading far above what the fit shows (AU26 5 on a face whose jaw is nearly
    shut) must not lift the chin when the slider goes to 0."""
    synth, prepared = prepared_astronaut
    prepared = dataclasses.replace(prepared, own={**prepared.own, "AU26": 5.0})
    _, shift = synth.displacement(prepared, {"AU26": 0.0})
    rise = -shift[152, 1] / prepared.face.interocular  # the chin
    assert rise < 0.05, f"the chin rose {rise:.3f} interocular"


@pytest.mark.shared_data
@pytest.mark.parametrize("person", ["005", "062"])
def test_a_smile_preset_leaves_a_neutral_faces_brows_and_eyes(person, shared_data,
                                                              single_image_tracker):
    """MediaPipe reads some neutral faces' build as expression (062's arched brows as AU2
    3.4, 005's monolid eyes as AU7 3.5); a preset clears those AUs, and started from those
    readings and carried past 0 it pulled 062's brows down by 0.04 interocular distances and
    opened 005's eyes. Those AUs start at the rig fit's reading and stop at 0."""
    image = read_image(shared_data / "london" / "neutral" / f"{person}_03.jpg")
    single_image_tracker.ids.reset()
    face = single_image_tracker.track(image, 0.0)[0]
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, face)
    _, shift = synth.displacement(prepared, preset_targets("happiness"))
    shift = shift / face.interocular
    brows = [107, 66, 105, 336, 296, 334, 55, 65, 52, 285, 295, 282]
    # the lids' middles, upper and lower (y down): AU6 lifts the lower lids, nothing opens
    opening = (shift[[145, 374], 1] - shift[[159, 386], 1]).max()
    assert np.abs(shift[brows, 1]).max() < 0.015 and opening < 0.005, (
        np.abs(shift[brows, 1]).max(), opening)


@pytest.mark.shared_data
def test_an_opened_mouth_shows_the_upper_teeth_below_the_lip(neutral):
    """The rig's upper incisors end at the closed lips' line, so a jaw drop showed a black
    ceiling under the upper lip (0% bright pixels in the opening's top third on this face);
    an open mouth shows a few millimetres of them (10-13% of that third until 2026-11-22;
    4.8% once the brow raisers' and the funneler's fields changed the photo's fitted lips;
    4.5% since the lips part most in the middle, with the upper teeth further down,
    `mouth._UPPER_SHOW`)."""
    synth, prepared = neutral
    target = {"AU26": 5.0, "AU25": 4.0}
    _, shift = synth.displacement(prepared, target)
    moved = prepared.face.landmarks[:468, :2] + shift
    out = synth.render(prepared, target, preview=False)
    inside = polygon_mask(moved[list(MOUTH_OPENING)], out.shape[:2]) > 127
    rows = np.nonzero(inside)[0]
    top = inside.copy()
    top[int(rows.min() + 0.3 * (rows.max() - rows.min())):] = False
    bright = (out.astype(np.float64).mean(axis=2)[top] > 100).mean()
    assert bright > 0.03, f"{bright:.1%} of the opening's top third is tooth-bright"


def _inner_lip_gap(face) -> float:
    """Mean gap between the inner lips' middle pairs, in interocular distances."""
    lms = face.landmarks[:, :2]
    pairs = [(13, 14), (82, 87), (312, 317), (81, 178), (311, 402)]
    return float(np.mean([np.linalg.norm(lms[a] - lms[b]) for a, b in pairs])
                 / face.interocular)


def test_lips_part_to_zero_shuts_a_smiles_parted_lips(prepared_astronaut, single_image_tracker):
    """The rig fit explains the demo photo's parted smile with other parameters (its lips-part
    parameter is 0), so lowering AU25 moved nothing and the neutral preset left the teeth
    showing; now the lips meet, and half the reading keeps about half the gap."""
    synth, prepared = prepared_astronaut
    assert prepared.own["AU25"] > 1.5, prepared.own["AU25"]
    single_image_tracker.ids.reset()
    own = _inner_lip_gap(single_image_tracker.track(prepared.image, 0.0)[0])
    gaps = {}
    for value in (0.0, prepared.own["AU25"] / 2):
        single_image_tracker.ids.reset()
        edited = synth.render(prepared, {"AU25": value})
        gaps[value] = _inner_lip_gap(single_image_tracker.track(edited, 0.0)[0])
    assert own > 0.04, own
    assert gaps[0.0] < 0.25 * own, (own, gaps)
    assert 0.3 * own < gaps[prepared.own["AU25"] / 2] < 0.75 * own, (own, gaps)


@pytest.mark.shared_data
def test_a_preset_that_squeezes_a_toothy_smile_shut_leaves_no_sliver_of_teeth(
        shared_data, single_image_tracker):
    """Sadness on wild img25's broad toothy smile narrows the gap to about a pixel (lips
    part keeps the photo's reading): a jagged sliver of teeth with dark specks at its ends
    stayed between the lips. The seam is now repainted from lip to lip."""
    image = read_image(shared_data / "images" / "wild" / "img25.jpg")
    single_image_tracker.ids.reset()
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, single_image_tracker.track(image, 0.0)[0])
    targets = preset_targets("sadness")
    _, shift = synth.displacement(prepared, targets)
    assert synth._lips_kept(prepared, expand_targets(targets)) is None  # not AU25's doing
    assert synth._lips_squeezed(prepared, shift)
    tracked = prepared.face.landmarks[:468, :2]
    lips = np.concatenate([tracked[list(rg.LIPS_UPPER_OUTER)], tracked[list(rg.LIPS_LOWER_OUTER)]])
    x0, y0 = np.floor((lips + shift[list(rg.LIPS_UPPER_OUTER) + list(rg.LIPS_LOWER_OUTER)]
                       ).min(axis=0)).astype(int)
    x1, y1 = np.ceil((lips + shift[list(rg.LIPS_UPPER_OUTER) + list(rg.LIPS_LOWER_OUTER)]
                      ).max(axis=0)).astype(int)
    mouth = synth.render(prepared, targets)[y0:y1, x0:x1].astype(float)
    teeth = mouth.min(axis=2) > 200  # white: the lips and skin round them are not
    assert teeth.sum() <= 3, teeth.sum()
    assert not synth._lips_squeezed(prepared, synth.displacement(prepared, {"AU26": 3.0})[1])


def test_lips_stay_parted_where_the_jaw_opens(prepared_astronaut):
    """Lips part at 0 with the jaw dropping further is a jaw drop with the lips following it:
    they are not pulled together."""
    synth, prepared = prepared_astronaut
    _, closed = synth.displacement(prepared, {"AU25": 0.0})
    _, dropped = synth.displacement(prepared, {"AU25": 0.0, "AU26": prepared.own["AU26"] + 2})
    down = closed[13, 1] - closed[14, 1]  # upper inner lip down, lower inner lip up
    assert down > 0.02 * prepared.face.interocular
    assert dropped[14, 1] - dropped[13, 1] > 0, "the jaw drop should part the lips"
    # a photo whose jaw is dropped (a wide open mouth): only the jaw's field closes it, the
    # lips are not stretched over the gap
    wide = dataclasses.replace(prepared, own={**prepared.own, "AU26": 4.0})
    assert synth._lips_kept(wide, {"AU25": 0.0}) is None
    assert synth._lips_kept(prepared, {"AU25": 0.0}) == 0.0


@pytest.mark.shared_data
def test_the_dimpler_shows_on_a_photo(neutral):
    """The dimpler's field moves the lip corners mostly in depth, which a frontal photo barely
    shows (0.026 interocular distances at E on London 001); on photos it moves twice as far
    (`geometric.PHOTO_GAIN`, from `benchmarks/edit_calibration.py`)."""
    synth, prepared = neutral
    _, shift = synth.displacement(prepared, {"AU14": 5.0})
    largest = np.linalg.norm(shift, axis=1).max() / prepared.face.interocular
    assert largest > 0.045, largest


@pytest.mark.shared_data
def test_an_open_mouth_that_barely_changes_gets_no_dark_outline(shared_data,
                                                                 single_image_tracker):
    """A smile edit on a wide open mouth (expressive_d18, frame 122) moves the opening a
    little: the photo's own mouth, warped, still covers it but for slivers along its edge, and
    the interior's soft edge painted there drew a dark outline inside the lips (40 pixels
    darkened by more than 40 levels)."""
    from auedit.media.sources import VideoSource

    source = VideoSource(shared_data / "video" / "expressive_d18.mp4")
    source.seek(122)
    image = next(iter(source)).rgb
    source.close()
    single_image_tracker.ids.reset()
    face = single_image_tracker.track(image, 0.0)[0]
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    edited = synth.render(synth.prepare(image, face), {"AU12": 5.0})
    mouth = face.landmarks[list(MOUTH_OPENING), :2]
    (x0, y0), (x1, y1) = (mouth.min(0) - 10).astype(int), (mouth.max(0) + 10).astype(int)
    before, after = (cv2.cvtColor(a[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY).astype(int)
                     for a in (image, edited))
    assert ((before - after) > 40).sum() < 5


@pytest.mark.shared_data
def test_taking_a_squint_away_leaves_the_upper_lid_above_the_lower(shared_data,
                                                                    single_image_tracker):
    """Wild img39 squints (AU6 5): taking the cheek raise away lowers the eye as a whole and
    closes it nowhere. The lid gains scale the upper lid's motion against the lower lid's,
    so the upper lid comes along; scaled whole, its inner end dropped 13 px, past the lower
    lid, and tore the eye."""
    image = read_image(shared_data / "images" / "wild" / "img39.jpg")
    single_image_tracker.ids.reset()
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, single_image_tracker.track(image, 0.0)[0])
    assert min(prepared.own["AU6L"], prepared.own["AU6R"]) > 4.0
    _, shift = synth.displacement(prepared, {"AU6": 0.0})
    lms = prepared.face.landmarks[:len(shift), :2]
    margins = slice(0, None, 2)  # `_lid_pairs`: each lid point, then its ring point
    up, low = synth.lid_upper[margins], synth.lid_lower[margins]
    down = lms[low] - lms[up]
    down /= np.linalg.norm(down, axis=1, keepdims=True)
    before = ((lms[low] - lms[up]) * down).sum(axis=1)
    after = (((lms[low] + shift[low]) - (lms[up] + shift[up])) * down).sum(axis=1)
    assert (after - before).min() > -0.01 * prepared.face.interocular, (after - before).round(1)
    # the eye opens by 11-13%: stretched with its lids, no eyeball painted into the sliver
    # (it came out as a flat light patch beside the dark iris)
    assert synth._eyes_opening(prepared.face.landmarks, shift) == [None, None]


@pytest.mark.shared_data
def test_a_smile_leaves_closed_lips_together_on_a_small_soft_face(shared_data,
                                                                   single_image_tracker):
    """Wild lp_s11 (a child, a small blurred face) has closed lips whose inner-lip points lie
    a dark line apart, as wide as an open mouth's gap; a smile raised the upper lip there as
    in an open smile and opened a dark hole. Lips that read together stay together."""
    from auedit.synth.mouth import lip_gaps

    image = read_image(shared_data / "images" / "wild" / "lp_s11.jpg")
    single_image_tracker.ids.reset()
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    prepared = synth.prepare(image, single_image_tracker.track(image, 0.0)[0])
    mouth = list(MOUTH_OPENING)
    lms = prepared.face.landmarks[:, :2]
    before = lip_gaps(lms[mouth])
    assert before.max() > 0.02 * prepared.face_px  # as wide as an open mouth's
    _, shift = synth.displacement(prepared, {"AU12": 4.0})
    after = lip_gaps(lms[mouth] + shift[mouth])
    assert np.abs(after - before).max() < 0.5, (before.round(1), after.round(1))


def test_a_rising_brow_takes_the_skin_just_under_it_along(prepared_astronaut, monkeypatch):
    """The brow raisers' fields moved the ring just under the brow about a third as far as
    the brow, stretching the band between them: where a heavy brow's hair reaches into it
    (hooded eyes, wild img35 at AU2 E) the hair smeared down to the lid. The ring now takes
    `UNDER_BROW` of the brow's lead along, and the lid's skin below it stretches instead."""
    import auedit.synth.geometric as geometric

    synth, prepared = prepared_astronaut
    lms = prepared.face.landmarks[:, :2]

    def stretch(targets, share):
        monkeypatch.setattr(geometric, "UNDER_BROW", share)
        _, shift = synth.displacement(prepared, targets)
        moved = lms[:len(shift)] + shift
        out = []
        for ring, brow in synth.under_brows:
            def band(points, ring=ring, brow=brow):
                order = np.argsort(points[brow, 0])
                return np.interp(points[ring, 0], points[brow[order], 0],
                                 points[brow[order], 1]) - points[ring, 1]
            out.append(band(lms) - band(moved))  # how much taller the band grew
        return np.concatenate(out), shift

    for targets in ({"AU2": 5.0}, {"AU1": 5.0}):
        before, _ = stretch(targets, 0.0)
        now, shift = stretch(targets, geometric.UNDER_BROW)
        assert before.max() > 0.02 * prepared.face.interocular  # the brow did rise away
        assert np.allclose(now, (1 - geometric.UNDER_BROW) * before, atol=0.05)
        lid = list(rg.EYE_UPPER1)  # the lid's skin above the crease still stays
        assert np.abs(shift[lid, 1]).max() < 0.05 * prepared.face.interocular
