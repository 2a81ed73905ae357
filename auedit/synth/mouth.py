"""The inside of an opened mouth: the game face's cavity, tongue and teeth, drawn rigidly.

When an edit parts the lips of a closed mouth, the warp can only stretch the thin line between
the lips. That gap is painted over with the rig's mouth interior posed at the target
expression (upper teeth fixed to the skull, lower teeth and tongue turning with the jaw, so
the teeth stay rigid however the lips move), its colours scaled to the photo's light, darkened
towards the lips (their shadow) and blended with soft edges.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from auedit.rig.regions import (
    LIPS_LOWER_INNER,
    LIPS_LOWER_MID,
    LIPS_LOWER_OUTER,
    LIPS_UPPER_INNER,
    LIPS_UPPER_MID,
    LIPS_UPPER_OUTER,
    MOUTH_OPENING,
)
from auedit.rig.topology import ARCH_WIDTH, N_LANDMARKS, SCLERA, SKIN, TONGUE, Part, RigMesh

_SUBPIXEL = 4
_SEAM_BITS = 2  # fractional bits of the shut lips' seam as `seal` draws it
_FAR = 0.55  # the cavity's back is darker than the rig's cavity colour
_FALLOFF = 0.37  # light falls to 1/e of its fall this many mouth widths deeper than the front
# teeth (a mouth width: the closed mouth's inner width, the teeth's arches span ARCH_WIDTH of it)
_DARKEST = 0.5  # the deepest parts keep this share of their colour
# the rig's teeth are cream (blue 12% under red); in a photo's shade cream turned olive, so
# here blue is only 6% under red: a little warm. Lit 18% brighter than the rig's colour: a
# real smile's teeth are as bright as its eye whites (London smiling photos: the 90th
# percentile of the mouth's opening over the eye white, median 1.00), where after the lips'
# shade and the cheeks' corridor the painted ones came out at 0.85 (grey in a parted smile;
# `benchmarks/teeth_light.py`)
_ENAMEL = np.array([0.99, 0.99, 1.05]) * 1.18
_SEAM_SHADE = 0.35  # shut lips' meeting line takes this share of the light away
_LIP_SOURCE = 0.5  # a lip is stretched to the seam where it shows this share of the band
_LIP_FADE = 5  # pixels over which the stretched lips fade into the inpainted band
_LIP_SHADE = 0.45  # the lips' shade takes up to this share of the light at the opening's edge
_GAP_SHADE = 0.18  # the lines between teeth take this share of the teeth's light away
# the mouth's corners keep 1 - _CORRIDOR of the light its middle gets, in a warm shade (by
# channel): the light the cheeks' insides reflect is red (shaded evenly, the side teeth turned
# a cold grey-green beside the lips)
_CORRIDOR = 0.45
_CORRIDOR_TINT = np.array([0.8, 1.0, 1.15], np.float32)  # float32: no float64 image per frame
_TONGUE_LIFT = 0.05  # the tongue is raised this share of the mouth's width, and the middle
_TONGUE_RISE = 0.14  # of its back this much more: a dome rising towards the palate
# the tongue's colour over the rig's, by channel: real open mouths (the expressive clips, at
# their widest) show a tongue about as light as the lips and paler than the rig's (its middle
# tone over the lips' mean: red 0.8-1.0, green and blue 0.4-0.6); in the palate's shade (0.6
# until 2026-11-23) it came out a dark maroon slab that hardly stood out from the cavity
_TONGUE_TINT = np.array([1.2, 1.45, 1.4])
_SOFT = 0.05  # the cavity and tongue are blurred by this share of the mouth's width
# the rig's incisors end at the closed lips' line, so an opened mouth showed no upper teeth and
# the whole height of the lower ones; a relaxed open mouth shows a few millimetres of the upper
# incisors below the lip and the lower lip covers most of the lower ones (incisal display:
# about 2-3 mm upper, 0-1 mm lower), and the lips' shade hides a millimetre more; since the
# lips part most in the middle (the rig's AU25), the upper incisors come down 5 mm, so that a
# jaw drop still shows them under the lip's curve: in mouth widths
_UPPER_SHOW = 0.1  # the upper teeth come down this far
# (0.04 until 2026-11-23 left a white crescent of lower teeth along the lip of a jaw drop)
_LOWER_HIDE = 0.08  # the lower teeth sink this far behind the lower lip
#: A piece of a mouth opening smaller than this many squares of the least width it must
#: have (`without_specks`) is a speck, not an opening.
SPECK_AREA = 4.0
_BITE_TOP = 0.3  # the bite line lies no higher than this share of the way between the lips
_BITE_SAMPLES = 24  # brightness samples between each pair of lip points
_MIN_EYE_PIXELS = 20  # an eye showing fewer pixels than this gives no white to measure
_WHITE_PERCENTILE = 95  # of an eye's brightness: its white (a dark iris may fill most of it)
# the upper/lower point pairs of MOUTH_OPENING: the upper lip's points but its corners (which
# have no partner), and the lower lip's, which the polygon lists backwards
_N_UPPER = len(LIPS_UPPER_INNER)
_UPPER = np.arange(1, _N_UPPER - 1)
_LOWER = len(MOUTH_OPENING) - 1 - np.arange(len(LIPS_LOWER_INNER))


def lip_gaps(opening: np.ndarray) -> np.ndarray:
    """How far apart the lips are at each upper/lower point pair of the inner-lip polygon
    (`MOUTH_OPENING` order, (20, 2)), across the mouth (at right angles to the line between
    its corners, whatever the head's roll): negative where the lower lip has crossed above
    the upper one. In the order of `LIPS_LOWER_INNER`."""
    opening = np.asarray(opening, dtype=np.float64)
    across = opening[_N_UPPER - 1] - opening[0]  # corner to corner
    down = np.array([-across[1], across[0]]) / max(float(np.linalg.norm(across)), 1e-9)
    return (opening[_LOWER] - opening[_UPPER]) @ down


def lip_midline(opening: np.ndarray) -> np.ndarray:
    """The line where shut lips meet: the inner-lip polygon's (`MOUTH_OPENING` order) left
    corner, the middles of its upper/lower point pairs, its right corner; (11, 2)."""
    opening = np.asarray(opening, dtype=np.float64)
    middles = 0.5 * (opening[_UPPER] + opening[_LOWER])
    return np.concatenate([opening[:1], middles, opening[_N_UPPER - 1:_N_UPPER]])


#: How much of the inner lips' closing motion each part of the lips takes (`close_lips`): the
#: lip's red between its inner and outer edge, and its outer edge (the skin beyond stays, and
#: stretches a little): the lips come together mostly by moving, not by growing taller.
_LIP_FOLLOW = ((LIPS_UPPER_INNER, LIPS_LOWER_INNER, 1.0), (LIPS_UPPER_MID, LIPS_LOWER_MID, 0.85),
               (LIPS_UPPER_OUTER, LIPS_LOWER_OUTER, 0.7))


def close_lips(landmarks: np.ndarray, shift: np.ndarray, keep: float,
               overlap: float = 0.0, reach: float = np.inf) -> np.ndarray:
    """`shift` ((468, 2), of the tracked `landmarks`) with the lips brought together until
    their gap is at most `keep` (0-1) of the photo's own at each pair of inner-lip points
    (shut lips `overlap` pixels past each other, so that what the photo showed between them
    is covered, not squeezed into a line), half by the upper lip coming down and half by the
    lower lip coming up, the lips' red and outer edge following (`_LIP_FOLLOW`). A gap the
    shift already narrows as far is left, and the corners stay. The lips close by `reach`
    pixels at most (both together): a mouth open wider than that (a jaw drop) would need the
    jaw to close, and lips stretched over the gap looked swollen. Why: the rig fit explains
    most of a photo's parted lips with other parameters (on 38 London smiles with parted lips
    its lips-part parameter was 0 for 34), so the lips-part field alone could not shut them."""
    lms = np.asarray(landmarks[:N_LANDMARKS, :2], dtype=np.float64)
    moved = lms + shift
    opening = moved[list(MOUTH_OPENING)]
    gaps = lip_gaps(opening)
    want = np.minimum(gaps, keep * np.maximum(lip_gaps(lms[list(MOUTH_OPENING)]), 0.0)
                      - (1.0 - keep) * overlap)
    excess = np.clip(gaps - want, 0.0, reach)
    if not excess.any():
        return shift
    across = opening[_N_UPPER - 1] - opening[0]
    length = max(float(np.linalg.norm(across)), 1e-9)
    along, down = across / length, np.array([-across[1], across[0]]) / length
    # the closing as a function of the position along the mouth, 0 at the corners
    pairs = (opening[_UPPER] + opening[_LOWER]) / 2
    u = np.concatenate([[0.0], (pairs - opening[0]) @ along, [length]])
    order = np.argsort(u)
    closing = np.concatenate([[0.0], excess, [0.0]])[order]
    out = shift.copy()
    for upper, lower, follow in _LIP_FOLLOW:
        for points, sign in ((list(upper), 1.0), (list(lower), -1.0)):
            at = np.interp((moved[points] - opening[0]) @ along, u[order], closing)
            out[points] += (sign * follow * 0.5 * at)[:, None] * down
    return out


def uncrossed(opening: np.ndarray) -> np.ndarray:
    """The inner-lip polygon (`MOUTH_OPENING` order, (20, 2)) with every upper/lower point
    pair whose lower lip has crossed above the upper one (lips pressed or tightened past each
    other) collapsed to its midpoint: such a mouth is shut there, while the crossed polygon
    would fill an inside-out slot."""
    out = np.array(opening, dtype=np.float64)
    crossed = lip_gaps(out) < 0
    upper, lower = _UPPER[crossed], _LOWER[crossed]
    out[upper] = out[lower] = (out[upper] + out[lower]) / 2
    return out


def upper_half(opening: np.ndarray, bite: np.ndarray | None = None) -> np.ndarray:
    """The part of the inner-lip polygon (`MOUTH_OPENING` order) above its bite line: the
    upper inner lip, then the bite line back. The bite line crosses each upper/lower point
    pair at `bite` (its share of the way from the upper point to the lower; `bite_line`), by
    default at the middle."""
    opening = np.asarray(opening, dtype=np.float64)
    t = np.full(len(_UPPER), 0.5) if bite is None else np.asarray(bite, dtype=np.float64)
    upper = opening[:_N_UPPER]
    cross = opening[_UPPER] + t[:, None] * (opening[_LOWER] - opening[_UPPER])
    return np.concatenate([upper, np.concatenate([upper[:1], cross, upper[-1:]])[::-1]])


def bite_line(image: np.ndarray, opening: np.ndarray) -> np.ndarray:
    """Where the photo's own open mouth divides its upper teeth from what is below them, per
    upper/lower point pair of the inner-lip polygon (`MOUTH_OPENING` order): the darkest
    point between the lips (the gap between the rows of teeth, or the lower lip's shadow
    under upper teeth alone), as a share of the way from the upper point to the lower, no
    higher than `_BITE_TOP` (the upper lip's own shadow), smoothed across the mouth; where
    nothing below that is darker, all of it (1). The midpoint between the lips split a
    smile's upper teeth in two: their edges went down with the jaw."""
    opening = np.asarray(opening, dtype=np.float64)
    light = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    t = np.linspace(_BITE_TOP, 1.0, _BITE_SAMPLES)
    a, b = opening[_UPPER], opening[_LOWER]
    points = (a[:, None] + t[None, :, None] * (b - a)[:, None]).astype(np.float32)
    along = cv2.remap(light, points[..., 0], points[..., 1], cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)
    along = cv2.blur(along, (3, 1))  # along each pair's segment
    darkest = np.argmin(along, axis=1)
    # darkest at the top of the search, the pair grows lighter all the way down: no gap
    # below the teeth, which are the upper ones alone (MediaPipe's lower inner lip on their
    # edge); split there, they went down with the jaw
    bite = np.where(darkest == 0, 1.0, t[darkest])
    return np.array([np.median(bite[max(i - 1, 0):i + 2]) for i in range(len(bite))])


def polygon_mask(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(h, w) uint8 mask (255 inside) of the polygon `points` (pixel index coordinates)."""
    mask = np.zeros(size, np.uint8)
    pts = np.round(points * (1 << _SUBPIXEL)).astype(np.int32)
    cv2.fillPoly(mask, [pts], 255, lineType=cv2.LINE_AA, shift=_SUBPIXEL)
    return mask


def open_part(mask: np.ndarray, width: float) -> np.ndarray:
    """The parts of a mouth-opening mask at least `width` pixels across (a morphological
    opening). A closed mouth's inner-lip polygon still covers a sliver of lip, a few pixels
    thin; kept as "the photo's own open mouth", that sliver would be stretched over the whole
    new opening in place of the interior."""
    k = max(3, round(width) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    inside = np.where(mask > 127, np.uint8(255), np.uint8(0))  # else a faint rim would survive
    return cv2.morphologyEx(inside, cv2.MORPH_OPEN, kernel)


def without_specks(mask: np.ndarray, width: float) -> np.ndarray:
    """`mask` (uint8) less its pieces smaller than `SPECK_AREA` squares `width` pixels a side:
    a mouth barely parted in places still passes `open_part` there, in specks, which an
    edit that opens it moved into its new opening as dots of lip."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats((mask > 127).astype(np.uint8))
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < SPECK_AREA * width * width)
    small = small[small > 0]  # label 0 is the background
    if not len(small):
        return mask
    out = mask.copy()
    out[np.isin(labels, small)] = 0
    return out


def joined(mask: np.ndarray, inside: np.ndarray, length: float) -> np.ndarray:
    """`mask`'s pieces joined along the mouth (closed with a horizontal line `length` pixels
    long), within `inside`: a gap that is open enough only in places kept those places alone,
    and the interior was painted as a string of dark beads; joined, it is one dark line."""
    k = max(3, round(length) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1))
    return cv2.min(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), inside)


def seal(region: np.ndarray, seam: np.ndarray, half: float,
         lips: Sequence[np.ndarray] | None = None) -> None:
    """Repaint the band `half` pixels either side of shut lips' `seam` (a polyline, region
    pixels) from the lips around it (in place): where MediaPipe's inner-lip points lay on
    the teeth rather than on the lips' edge, strips of teeth were carried into the seam and
    showed as light dashes along it. With `lips` (the lips' upper outer, upper inner, lower
    inner and lower outer contours, region pixels) each lip is stretched down (up) to the
    seam where it is thick enough (`_stretched_lips`); elsewhere the band is inpainted. The
    line where the lips meet is drawn back, faint."""
    h, w = region.shape[:2]
    line = np.round(seam * (1 << _SEAM_BITS)).astype(np.int32)
    band = np.zeros((h, w), np.uint8)
    thick = max(2, round(2 * half))
    cv2.polylines(band, [line], False, 255, thick, cv2.LINE_AA, shift=_SEAM_BITS)
    if not band.any():
        return
    x, y, bw, bh = cv2.boundingRect(band)
    pad = thick + 2
    x0, y0 = max(x - pad, 0), max(y - pad, 0)
    x1, y1 = min(x + bw + pad, w), min(y + bh + pad, h)
    if lips is not None:  # the lips' full height: they are stretched from their outer edge
        top = int(np.floor(np.interp(np.arange(x0, x1), *_by_x(lips[0])).min()))
        bottom = int(np.ceil(np.interp(np.arange(x0, x1), *_by_x(lips[-1])).max()))
        y0, y1 = max(min(y0, top - 1), 0), min(max(y1, bottom + 2), h)
    patch = region[y0:y1, x0:x1]
    mask = np.where(band[y0:y1, x0:x1] > 0, np.uint8(255), np.uint8(0))
    filled = cv2.inpaint(np.ascontiguousarray(patch), mask, thick, cv2.INPAINT_TELEA)
    if lips is not None:
        origin = np.array([x0, y0], np.float64)
        stretched, weight = _stretched_lips(patch, seam - origin, half,
                                            [c - origin for c in lips])
        keep = (weight * (1.0 / 255.0))[..., None]
        filled = stretched * keep + filled.astype(np.float32) * (1 - keep)
    shade = np.zeros(mask.shape, np.uint8)
    cv2.polylines(shade, [line - (np.array([x0, y0]) << _SEAM_BITS)], False, 255, 1,
                  cv2.LINE_AA, shift=_SEAM_BITS)
    dark = cv2.GaussianBlur(shade.astype(np.float32) * (_SEAM_SHADE / 255.0), (0, 0), 0.7)
    patch[:] = np.clip(filled * (1.0 - dark)[..., None] + 0.5, 0, 255).astype(np.uint8)


def _by_x(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A contour's (n, 2) points as x and y arrays in increasing x, for `np.interp`."""
    order = np.argsort(points[:, 0], kind="stable")
    return points[order, 0], points[order, 1]


def _stretched_lips(patch: np.ndarray, seam: np.ndarray, half: float,
                    lips: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`patch` with, in each column, the upper lip (from its outer contour down to its inner
    one, but no lower than `half` pixels above `seam`) stretched down to the seam and the
    lower lip likewise up to it (`lips`: the upper outer, upper inner, lower inner and lower
    outer contours); and the uint8 weight of that result (0 where a lip is thinner than
    `_LIP_SOURCE` of the band, or beyond the seam's ends). The lips then meet with their own
    colour and texture: inpainted, a broad band (a toothy grin shut) came out as a smear of
    the skin around the lips, and a thin upper lip vanished into it."""
    h, w = patch.shape[:2]
    xs = np.arange(w, dtype=np.float64)
    seam_x, seam_y = _by_x(seam)
    mid = np.interp(xs, seam_x, seam_y)
    top, upper, lower, bottom = (np.interp(xs, *_by_x(c)) for c in lips)
    upper = np.minimum(upper, mid - half)  # where the upper lip's source ends
    lower = np.maximum(lower, mid + half)
    least = max(_LIP_SOURCE * 2.0 * half, 1.0)
    ok = ((xs >= seam_x[0]) & (xs <= seam_x[-1]) & (upper - top >= least)
          & (bottom - lower >= least))
    ys = np.arange(h, dtype=np.float64)[:, None]
    down = top + (ys - top) * np.clip((upper - top) / np.maximum(mid - top, 1e-6), 0, 1)
    up = bottom - (bottom - ys) * np.clip((bottom - lower) / np.maximum(bottom - mid, 1e-6),
                                          0, 1)
    inside = (ys >= top - 1) & (ys <= bottom + 1) & ok
    map_x = np.ascontiguousarray(np.broadcast_to(xs.astype(np.float32), (h, w)))
    layers = [cv2.remap(patch, map_x, np.where(inside, m, ys).astype(np.float32),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
              for m in (down, up)]
    # the lips meet along the seam with an anti-aliased edge, not a stair of whole pixels
    lower_share = np.clip(ys - mid + 0.5, 0.0, 1.0).astype(np.float32)[..., None]
    stretched = layers[0] * (1 - lower_share) + layers[1] * lower_share
    # columns fade in and out over a few pixels, not cut
    weight = cv2.blur(np.repeat(ok.astype(np.float32)[None, :], h, 0), (_LIP_FADE, 1))
    return stretched, np.round(weight * inside * 255).astype(np.uint8)


def light_gain(image: np.ndarray, landmarks: np.ndarray,
               eye_outlines: Sequence[np.ndarray]) -> np.ndarray:
    """How bright white things are in the photo relative to the rig's white (its sclera), per
    colour channel (3,), from the whites of the eyes (`eye_outlines`: per eye, the landmarks
    around its opening): the interior's teeth are as light as the photo's eye whites whatever
    the skin's tone, which a gain from the skin would take for exposure (teeth came out grey
    on dark skin), and take the photo's white balance (under warm light a neutral white
    stood out as blue-white plastic). Where the eyes show too little white, the cheeks'
    brightness relative to the rig's skin colour stands in, the same in every channel."""
    h, w = image.shape[:2]
    whites = []
    for eye in eye_outlines:
        outline = landmarks[eye, :2]
        x0, y0 = np.maximum(np.floor(outline.min(axis=0)).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(outline.max(axis=0)).astype(int) + 1, (w, h))
        if x1 <= x0 or y1 <= y0:  # the eye lies outside the photo
            continue
        inside = polygon_mask(outline - (x0, y0), (y1 - y0, x1 - x0)) > 127
        values = image[y0:y1, x0:x1].astype(np.float32)[inside]
        if len(values) >= _MIN_EYE_PIXELS:  # the iris and lashes take most of an eye
            luma = values.mean(axis=1)
            whites.append(values[luma >= np.percentile(luma, _WHITE_PERCENTILE)].mean(axis=0))
    if whites:
        return np.clip(np.mean(whites, axis=0) / (SCLERA * 255.0), 0.3, 1.2)
    pts = np.clip(np.round(landmarks[[50, 280, 101, 330], :2]).astype(int), 0, (w - 1, h - 1))
    skin = np.median(image[pts[:, 1], pts[:, 0]].astype(np.float64), axis=0)
    return np.full(3, np.clip(skin.mean() / (SKIN.mean() * 255.0), 0.3, 1.2))


class MouthInterior:
    """The rig's mouth parts (cavity, tongue, teeth) drawn far to near onto an image.

    A flat colour per part read as a slab with a bar of plastic in it, so: each triangle is
    shaded by how deep in the mouth it lies at rest (light falls off from the front teeth
    towards the throat and the back teeth, and each tooth of the arch gets its own tone), the
    gaps between teeth are drawn as thin dark lines, and the tongue's back is raised towards
    the palate (the rig's tongue lies level with the lower teeth, hidden behind them from the
    front). The upper teeth come down below the upper lip and the lower ones sink behind the
    lower lip, as in a relaxed open mouth (`_UPPER_SHOW`, `_LOWER_HIDE`). The cavity and the
    tongue are blurred before the teeth are drawn (`_SOFT`): drawn sharp, the tongue's
    polygon outline read as cut paper.
    """

    def __init__(self, mesh: RigMesh, gain: float | np.ndarray) -> None:
        parts = mesh.triangle_parts
        tris = mesh.triangles
        keep = np.isin(parts, (int(Part.MOUTH), int(Part.TEETH))) & (tris >= N_LANDMARKS).all(1)
        # the photo's lips line it, and its own dark shows behind
        keep &= ~np.isin(tris, np.concatenate([mesh.mouth_band[1:].ravel(), mesh.mouth_back])
                         ).any(axis=1)
        self.triangles = tris[keep]
        self.is_teeth = parts[keep] == int(Part.TEETH)
        colours = mesh.vertex_colors[self.triangles].mean(axis=1)
        is_tongue = ~self.is_teeth & np.isclose(colours, TONGUE).all(axis=1)
        self.is_cavity = ~self.is_teeth & ~is_tongue
        colours[self.is_teeth] *= _ENAMEL
        colours[is_tongue] *= _TONGUE_TINT
        light = _depth_light(mesh.vertices[self.triangles], self.is_teeth)
        # 8-bit colours, as drawn (`render`)
        self.colours = np.clip(colours * light[:, None] * 255.0 * gain + 0.5, 0, 255
                               ).astype(int).tolist()
        cavity = mesh.vertex_colors[self.triangles[self.is_cavity][:, 0]]
        self.back = np.clip(cavity.min(axis=0) * 255.0 * gain * _FAR + 0.5, 0, 255
                            ).astype(np.uint8)
        teeth = np.unique(self.triangles[self.is_teeth])
        jaw = mesh.jaw_attached[teeth]
        upper, lower = teeth[jaw == 0], teeth[jaw == 1]  # the upper arch is fixed to the skull
        self.upper_gaps = _tooth_gaps(upper, mesh.vertices[upper], wide_middle=True)
        self.lower_gaps = _tooth_gaps(lower, mesh.vertices[lower], wide_middle=False)
        xs = mesh.vertices[upper, 0]
        self.span = upper[[np.argmin(xs), np.argmax(xs)]]  # the arch's ends, skull-fixed
        # the vertices moved along the face's up when drawn, and how far (mouth widths): the
        # tongue's dome, the upper teeth down below the lip, the lower ones behind it
        tongue = np.unique(self.triangles[is_tongue])
        self.raised = np.concatenate([tongue, upper, lower])
        self.rise = np.concatenate([_tongue_rise(mesh.vertices[tongue]),
                                    np.full(len(upper), -_UPPER_SHOW),
                                    np.full(len(lower), -_LOWER_HIDE)])

    def render(self, vertices: np.ndarray, origin: tuple[int, int], size: tuple[int, int],
               *, teeth: bool = True) -> np.ndarray:
        """(h, w, 3) float32 interior for posed `vertices` (V, 3: pixel index x, y, depth with
        larger farther) in the region at `origin` (x, y) of `size` (h, w); without the rig's
        teeth where the photo shows its own."""
        # drawn in 8 bits: OpenCV anti-aliases edges only there (on float32 they come out
        # stair-stepped)
        out = np.empty((*size, 3), np.uint8)
        out[:] = self.back
        width = float(np.linalg.norm(np.subtract(*vertices[self.span, :2]))) / ARCH_WIDTH
        gum, edge = vertices[self.upper_gaps[:, 0], :2], vertices[self.upper_gaps[:, 1], :2]
        up = (gum - edge).mean(axis=0)
        up /= max(float(np.linalg.norm(up)), 1e-9)
        vertices = vertices.copy()
        vertices[self.raised, :2] += self.rise[:, None] * width * up
        corners = vertices[self.triangles]
        depth = corners[:, :, 2].mean(axis=1)
        # the cavity is the back wall whatever its depth (the raised tongue reaches behind it),
        # then the rest far to near
        order = np.lexsort((-depth, ~self.is_cavity))
        pts = np.round((corners[:, :, :2] - origin) * (1 << _SUBPIXEL)).astype(np.int32)
        # the cavity and the tongue are soft wet tissue in shade: drawn first and blurred, so
        # that the tongue's outline and the cavity's facets do not show as cut paper; the
        # teeth's edges stay sharp
        soft = order[~self.is_teeth[order]]
        for k in soft:
            cv2.fillConvexPoly(out, pts[k], self.colours[k], lineType=cv2.LINE_AA,
                               shift=_SUBPIXEL)
        sigma = _SOFT * width
        if sigma > 0.3:
            out = cv2.GaussianBlur(out, (0, 0), sigma)
        for k in order[self.is_teeth[order]] if teeth else ():
            cv2.fillConvexPoly(out, pts[k], self.colours[k], lineType=cv2.LINE_AA,
                               shift=_SUBPIXEL)
        shaded = out.astype(np.float32)
        if teeth:
            lines = np.zeros(size, np.uint8)
            # the lower incisors are narrow and the lines between them hardly show
            for gaps, tone in ((self.lower_gaps, 128), (self.upper_gaps, 255)):
                ends = np.round((vertices[gaps, :2] - origin) * (1 << _SUBPIXEL)
                                ).astype(np.int32)
                for a, b in ends:
                    cv2.line(lines, tuple(a.tolist()), tuple(b.tolist()), tone, 1,
                             lineType=cv2.LINE_AA, shift=_SUBPIXEL)
            shaded *= (1.0 - lines.astype(np.float32) * (_GAP_SHADE / 255.0))[..., None]
        # the cheeks shade the mouth's sides (the dark corridor beside the back teeth)
        a, b = vertices[self.span, :2] - origin
        along = b - a
        ys, xs = np.mgrid[0:size[0], 0:size[1]].astype(np.float32)
        off = ((xs - (a[0] + b[0]) / 2) * along[0] + (ys - (a[1] + b[1]) / 2) * along[1])
        off *= 2.0 / max(float(along @ along), 1e-9)  # -1 .. 1 corner to corner
        shade = _CORRIDOR * np.clip(np.abs(off), 0.0, 1.0) ** 2
        shaded *= 1.0 - shade[..., None] * _CORRIDOR_TINT
        return shaded


def _depth_light(rest: np.ndarray, is_teeth: np.ndarray) -> np.ndarray:
    """The share of light each triangle (its corners at `rest`, (T, 3, 3); the rig's z points
    out of the face) keeps, by how much deeper than the front teeth it lies."""
    width = np.ptp(rest[is_teeth][:, :, 0]) / ARCH_WIDTH
    depth = np.maximum(rest[is_teeth][:, :, 2].max() - rest[:, :, 2].mean(axis=1), 0.0)
    return _DARKEST + (1.0 - _DARKEST) * np.exp(-depth / (_FALLOFF * width))


def _tongue_rise(rest: np.ndarray) -> np.ndarray:
    """How far each tongue vertex (at `rest`) is raised, in mouth widths: a little at the tip,
    most at the middle of its back, a dome towards the palate."""
    back = (rest[:, 2].max() - rest[:, 2]) / max(float(np.ptp(rest[:, 2])), 1e-9)
    across = (rest[:, 0] - rest[:, 0].mean()) / max(float(np.ptp(rest[:, 0])) / 2, 1e-9)
    return _TONGUE_LIFT + _TONGUE_RISE * back * (1.0 - np.clip(across, -1, 1) ** 2)


def _tooth_gaps(arch: np.ndarray, rest: np.ndarray, *, wide_middle: bool) -> np.ndarray:
    """The lines between an arch's teeth (its vertices `arch`, at `rest`) as (n, 2) vertex
    pairs, top end first: its inner columns of vertices (same rest x); with `wide_middle`
    not those beside the midline's (the upper central incisors are about twice as wide as
    their neighbours)."""
    xs = np.round(rest[:, 0], 6)
    columns = np.unique(xs)[1:-1]
    if wide_middle:
        off = np.abs(columns - np.median(columns))
        columns = columns[(off == 0) | (off > np.sort(np.unique(off))[1])]
    pairs = []
    for x in columns:
        column, ys = arch[xs == x], rest[xs == x, 1]
        pairs.append((column[np.argmax(ys)], column[np.argmin(ys)]))
    return np.array(pairs, dtype=np.int64)


def composite(warped: np.ndarray, interior: np.ndarray, opening: np.ndarray,
              kept: np.ndarray, softness: float) -> np.ndarray:
    """`interior` where the mouth is newly open: inside `opening` (the target's inner-lip
    polygon, uint8) but not where the photo's own open mouth was warped to (`kept`, uint8),
    edges blurred by `softness` pixels, darker towards the lips. Works on `warped` in place
    and returns it."""
    sigma = max(0.5, softness)
    inside = cv2.GaussianBlur(opening.astype(np.float32) * (1.0 / 255.0), (0, 0), sigma)
    # the part left to paint blurred, not the opening: the opening's blurred edge reaches
    # past it, where the photo's own mouth, kept up to that edge, then took a dark outline
    alpha = cv2.GaussianBlur(cv2.subtract(opening, kept).astype(np.float32) * (1.0 / 255.0),
                             (0, 0), sigma)
    shade = cv2.GaussianBlur(inside, (0, 0), 3.0 * sigma)
    lit = cv2.multiply(interior, cv2.merge([1.0 - _LIP_SHADE * (1.0 - shade)] * 3))
    mixed = cv2.blendLinear(lit, warped.astype(np.float32), alpha, 1.0 - alpha)
    warped[:] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return warped
