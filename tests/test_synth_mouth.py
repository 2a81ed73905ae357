"""The mouth interior an edit paints into a newly opened mouth: a tongue that shows, light that
falls off into the mouth, and teeth told apart (not a flat slab with a bar of plastic)."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.rig.model import RigParams, load_rig
from auedit.rig.regions import LIPS_LOWER_INNER, LIPS_UPPER_INNER
from auedit.rig.topology import Part
from auedit.synth.mouth import MouthInterior

PX_PER_CM = 60.0


@pytest.fixture(scope="module")
def opened():
    """The rig's interior at a jaw drop, frontal, 60 px per cm, and its posed vertices."""
    rig = load_rig()
    params = RigParams.neutral(1)
    params.au[0, rig.au_index("AU26")] = 0.8
    verts = rig.camera_vertices(params)[0] * PX_PER_CM
    verts[:, :2] += 300.0 - verts[[13, 14], :2].mean(axis=0)  # the mouth in the middle
    interior = MouthInterior(rig.mesh, gain=1.0)
    image = interior.render(verts, (0, 0), (600, 600))
    return rig, interior, verts, image


def _teeth_band(rig, verts: np.ndarray, jaw: int) -> tuple[np.ndarray, float]:
    """The x span and middle row of one arch of teeth (0 upper, 1 lower) in the render."""
    mesh = rig.mesh
    teeth = np.unique(mesh.triangles[mesh.triangle_parts == int(Part.TEETH)])
    arch = verts[teeth[mesh.jaw_attached[teeth] == jaw], :2]
    return arch[:, 0], float(np.median(arch[:, 1]))


def _teeth_line(rig, verts: np.ndarray, jaw: int) -> tuple[np.ndarray, np.ndarray]:
    """The pixel columns an arch of teeth spans and, in each, its middle row: the arch curves
    (its ends lie deeper, and the jaw's turn lifts them)."""
    mesh = rig.mesh
    teeth = np.unique(mesh.triangles[mesh.triangle_parts == int(Part.TEETH)])
    arch = verts[teeth[mesh.jaw_attached[teeth] == jaw], :2]
    columns = np.round(arch[:, 0], 1)
    x = np.unique(columns)
    y = np.array([arch[columns == c, 1].mean() for c in x])
    xs = np.arange(int(np.ceil(x.min())), int(x.max()))
    return xs, np.interp(xs, x, y)


def test_the_tongue_shows_behind_the_lower_teeth(opened):
    rig, _, verts, image = opened
    xs, lower_row = _teeth_band(rig, verts, 1)
    _, upper_row = _teeth_band(rig, verts, 0)
    middle = slice(int(np.percentile(xs, 35)), int(np.percentile(xs, 65)))
    between = image[int(upper_row) + 1:int(lower_row), middle].reshape(-1, 3)
    red, green = between[:, 0], between[:, 1]
    tongue = (red > 1.6 * green) & (red > 60)  # the cavity: about (45, 12, 15)
    assert tongue.mean() > 0.15, f"tongue in {tongue.mean():.1%} of the mouth's middle"


def test_light_falls_off_towards_the_back_teeth(opened):
    """Deeper in the mouth and in the cheeks' shade (the corridor beside the back teeth) the
    teeth are darker: the mouth's sides at most three quarters of its middle (by depth
    alone, before the corridor: 0.86)."""
    rig, _, verts, image = opened
    xs, ys = _teeth_line(rig, verts, 1)
    line = image[np.round(ys).astype(int), xs].mean(axis=1)
    third = len(line) // 3
    front, back = np.median(line[third:2 * third]), np.median(
        np.concatenate([line[:third // 2], line[-third // 2:]]))
    assert back < 0.75 * front, f"back teeth {back:.0f} vs front teeth {front:.0f}"


def test_the_upper_teeth_are_told_apart(opened):
    rig, _, verts, image = opened
    xs, row = _teeth_band(rig, verts, 0)
    lo, hi = np.percentile(xs, [20, 80]).astype(int)
    line = image[int(row) + 2, lo:hi].mean(axis=1)
    dips = (line[1:-1] < line[:-2] - 8) & (line[1:-1] <= line[2:])
    assert 3 <= dips.sum() <= 12, f"{dips.sum()} gaps between the front upper teeth"


def _lip_pairs(gap: float) -> np.ndarray:
    """An open mouth's inner-lip polygon (`MOUTH_OPENING` order): lips 100 px wide, `gap`
    px apart, upper lip at y = 50."""
    from auedit.synth.mouth import MOUTH_OPENING

    n_up = 11
    upper = np.stack([np.linspace(50, 150, n_up), np.full(n_up, 50.0)], axis=1)
    lower = np.stack([np.linspace(60, 140, len(MOUTH_OPENING) - n_up), np.full(9, 50 + gap)],
                     axis=1)[::-1]
    return np.concatenate([upper, lower])


@pytest.mark.parametrize(("rows", "expected"), [
    ((("teeth", 50, 80), ("shadow", 80, 84), ("teeth", 84, 90)), (0.7, 0.9)),  # two rows
    ((("teeth", 50, 86), ("shadow", 86, 90)), (0.85, 1.0)),  # upper teeth alone
])
def test_the_bite_line_follows_the_gap_between_the_teeth(rows, expected):
    """A smile's own teeth split where the photo shows the gap between its rows of teeth, or
    under its upper teeth when it shows no lower ones: the midpoint between the lips cut the
    upper teeth in two (their edges went down with the jaw)."""
    from auedit.synth.mouth import bite_line, upper_half

    image = np.full((150, 200, 3), 150, np.uint8)  # lips and skin
    for kind, y0, y1 in rows:
        image[y0:y1, 50:151] = 235 if kind == "teeth" else 30
    opening = _lip_pairs(40.0)
    bite = bite_line(image, opening)
    assert np.all((bite >= expected[0]) & (bite <= expected[1])), bite
    half = upper_half(opening, bite)
    assert half[:, 1].max() > 50 + 40 * expected[0] - 1


def test_pieces_of_a_barely_open_mouth_are_joined_into_one_line():
    """A gap open enough only in places was painted as a string of dark beads."""
    import cv2

    from auedit.synth.mouth import joined

    inside = np.zeros((20, 100), np.uint8)
    inside[9:12, 10:90] = 255  # a thin slit
    beads = np.zeros_like(inside)
    for x in (20, 35, 50):
        beads[9:12, x:x + 4] = 255
    out = joined(beads, inside, 20)
    assert cv2.connectedComponents(out)[0] == 2  # background and one piece
    assert out[10, 22:52].all() and not out[inside == 0].any()
    assert not out[10, 60:].any()  # nothing made up beyond the last piece


def test_shut_lips_seam_is_repainted_from_the_lips():
    """Strips of teeth carried into shut lips' seam showed as light dashes along it."""
    from auedit.synth.mouth import seal

    region = np.zeros((40, 120, 3), np.uint8)
    region[:20] = (180, 90, 100)  # upper lip
    region[20:] = (170, 80, 90)  # lower lip
    region[18:22:, 20:100:6] = (240, 240, 230)  # dashes of teeth along the seam
    seam = np.array([[10.0, 20.0], [60.0, 20.0], [110.0, 20.0]])
    seal(region, seam, 3.0)
    band = region[17:23, 20:100].astype(int)
    assert band.max() < 200, band.max()  # no teeth left
    assert band[:, :, 0].min() > 90  # lip, a little darker along the line, not black
    assert (region[20, 20:100, 0] < region[10, 20:100, 0]).all()  # the line drawn back


def test_squeezed_grin_is_shut_by_the_lips_own_texture():
    """A toothy grin squeezed shut (anger, neutral): its broad band of teeth, inpainted,
    came out a smooth smear; given the lips' contours, each lip is stretched to the seam and
    keeps its lines (here vertical stripes, as a lip's furrows run)."""
    from auedit.synth.mouth import seal

    def lips() -> np.ndarray:
        region = np.full((60, 140, 3), (200, 160, 140), np.uint8)  # skin
        region[10:22] = (170, 80, 90)  # upper lip
        region[38:50] = (160, 75, 85)  # lower lip
        region[10:22, ::4] = (120, 50, 60)  # furrows
        region[38:50, 2::4] = (110, 45, 55)
        region[22:38] = (235, 235, 225)  # teeth
        return region

    xs = np.linspace(10.0, 130.0, 7)
    contour = [np.column_stack([xs, np.full(7, y)]) for y in (10.0, 22.0, 38.0, 50.0)]
    seam = np.column_stack([xs, np.full(7, 30.0)])
    smeared, shut = lips(), lips()
    seal(smeared, seam, 9.0)
    seal(shut, seam, 9.0, contour)
    for region in (smeared, shut):
        assert region[22:38, 20:120].max() < 200  # no teeth left
    stripes = [r[24:36, 20:120, 0].astype(float).std(axis=1).mean() for r in (smeared, shut)]
    assert stripes[1] > 3 * stripes[0], stripes  # the furrows carry on to the seam
    assert abs(shut[26, 20:120, 1].astype(float).mean() - 80) < 25  # lip colour, not skin
    assert (shut[:8] == lips()[:8]).all()  # the skin above the lips is left alone


def test_teeth_lighter_all_the_way_down_are_upper_teeth():
    """MediaPipe's lower inner lip can lie on the edge of a smile's upper teeth: the pair
    then grows lighter all the way down, with no gap below the teeth, and the bite line is
    the lower lip (split at its search's top, the teeth went down with the jaw)."""
    from auedit.synth.mouth import bite_line

    image = np.zeros((60, 100, 3), np.uint8)
    for y in range(20, 41):  # darker under the upper lip, lighter towards the lower one
        image[y, :] = 80 + 8 * (y - 20)
    upper = np.column_stack([np.linspace(20, 80, len(LIPS_UPPER_INNER)),
                             np.full(len(LIPS_UPPER_INNER), 20.0)])
    lower = np.column_stack([np.linspace(75, 25, len(LIPS_LOWER_INNER)),
                             np.full(len(LIPS_LOWER_INNER), 40.0)])
    assert (bite_line(image, np.vstack([upper, lower])) == 1.0).all()


def test_the_kept_mouth_takes_no_dark_outline():
    """Where the photo's own mouth (its moved teeth) is kept up to the opening's edge, the
    interior's soft edge stays inside what is left to paint: blurred from the whole opening,
    it spilled past the edge and drew a dark line round the teeth (fear on a grin)."""
    from auedit.synth.mouth import composite

    warped = np.full((60, 100, 3), 150, np.uint8)
    opening = np.zeros((60, 100), np.uint8)
    opening[20:40, 20:80] = 255
    kept = np.zeros_like(opening)
    kept[20:30, 20:80] = 255  # the photo's teeth; below them a new gap
    out = composite(warped.copy(), np.zeros((60, 100, 3), np.float32), opening, kept, 1.5)
    assert out[14:21, 30:70].min() >= 148  # above the kept teeth: untouched, no outline
    assert out[34:38, 30:70].max() < 40  # the new gap: the interior
