"""The eyeball under a lid that opens: the photo's own eye, kept whole, completed where uncovered.

A lid raiser (AU5) lifts the upper lid off eyeball that the photo never showed. The warp alone
stretches what lies between the lids, so the iris and its highlight became a tall oval. Here
the eyeball stays put (it moves only as far as the lower lid does) and what the lid
uncovers is completed from what the photo shows of the same eye: the iris from its radial
profile (pupil, iris, the darker ring at its edge: an iris is nearly round, and a lid hides
its top), the white from the white of the same columns, smoothed across them. Near its lids
the photo's eyeball lies in the lashes' shade, which is not trusted as eyeball; the completed
part gets a shade of its own under the moved lid. Eyes too narrow to complete are left to
the warp (`MIN_OPEN`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import cv2
import numpy as np

from auedit.synth.mouth import polygon_mask

#: MediaPipe's iris landmarks: a centre, then four points on the iris's edge, per eye.
IRISES = ((468, (469, 470, 471, 472)), (473, (474, 475, 476, 477)))
#: Under the upper lid the photo's eyeball lies in the lashes' shade: not trusted as far down
#: as the white beside the iris stays darker than `LASH_LEVEL` of the white's brightness
#: (measured per eye; heavy lashes or liner hang well below MediaPipe's lid margin), and
#: never less than `SHADE_MIN` of the eye's width nor more than `SHADE_MAX` of its open
#: height at the middle...
LASH_LEVEL = 0.75
SHADE_MIN = 0.03
SHADE_MAX = 0.5
#: ...and trusted fully only this share of the eye's width (at least a pixel) farther down.
TRUST_RAMP = 0.04
#: Against the white the lashes' shade shows most and reaches farthest (it drew a ghost of
#: the old lid line across the new white): there the photo is trusted only below this share
#: of the eye's open height; above it the white is completed from that lower part.
WHITE_TRUST = 0.5
#: The cornea's highlights, often right under the lid, are kept wherever they show: iris
#: pixels brighter than this share of the way from the iris's brightness to the white's.
GLINT = 0.5
#: The lower lid's wet rim, light, stays the warp's (it moves with the lower lid).
RIM_BAND = 0.03
RIM_MAX = 0.15
#: The shade the moved upper lid casts on what is completed, below the band under it that
#: the warp moves with the lid: the lashes' (narrow) and the lid's (faint, broad), each
#: (darkening right there, fall-off in eye widths).
LASH_SHADE = (0.15, 0.035)
LID_SHADE = (0.1, 0.15)
#: Above the iris the band under the moved lid is painted (the warp's dragged the iris's
#: hidden top up into a notch), fading into the warp's over this share of the iris's radius
#: beyond its edge on each side.
ABOVE_FADE = 0.4
#: Towards the eye's corners the completed eyeball fades into the warp's over these shares
#: of the eye's width, outer and inner (a flat white reaching into a corner drew a hard
#: edge there, and at the inner corner covered the pink caruncle).
CORNER_FADE = (0.12, 0.25)
#: The image's iris radius may differ from MediaPipe's by this factor at most (MediaPipe's
#: circle fell short of large dark irises, and white was painted over their tops).
RADIUS_RANGE = (0.85, 1.35)
#: Radial bins of the iris's colour profile, measured inside this share of its radius (its
#: edge, blurred with the white, drew a light ring round the completed iris); the bins
#: beyond take the outermost measured one's colour.
IRIS_BINS = 8
IRIS_EDGE = 0.85
#: Where the photo's own iris can complete its hidden top, the photo's outer iris (beyond
#: `IRIS_INNER` of its radius) is trusted fully only this share of the radius below the
#: lashes' shade; the pupil and the iris round it stay the photo's.
IRIS_RAMP = 0.4
IRIS_INNER = 0.5
#: The white's colour is smoothed across columns over this share of the eye's width...
WHITE_SMOOTH = 0.06
#: ...and taken from the whitest of the pixels the photo shows as eyeball beside the iris:
#: those whose brightness less their colourfulness ranks in this top share. The lower half
#: of the opening alone gave the lower lid's pink rim and its shade, and the white was
#: painted beige or grey on some faces (wild img2, img21, img24).
WHITE_SHARE = 0.4
#: The lash line is looked for this share of the eye's width above MediaPipe's upper-lid
#: margin at most (`lash_lines`; a lid's crease lies farther up), in this many samples, and
#: taken where the margin is lighter than the darkest point there by this share of its
#: brightness.
LASH_REACH = 0.07
LASH_SAMPLES = 12
LASH_CONTRAST = 0.25
#: Fewer iris or white pixels than this and the eye is left to the warp (an eye nearly shut
#: shows too little of itself to complete)...
MIN_PIXELS = 3
#: ...and so is a narrow eye, open at its iris less than this share of the iris's diameter:
#: too little of its iris shows to complete the rest from. `GeometricSynthesizer` then
#: leaves both eyes of the face to the warp, so that they match. It was 0.57 while the iris
#: was completed from its radial profile alone (a flat disc, when more than half of it was
#: made up); completed from the iris's own texture, eyes between (London 005 and 070, 13
#: of the wild photos) look far more natural than the warp's stretched iris, whose
#: highlight became a vertical streak.
MIN_OPEN = 0.4


@dataclass(frozen=True)
class EyeRest:
    """One eye of the photo as it is, in the eye's own frame (u along the line from its outer
    corner to its inner one, v at right angles to it, towards the lower lid), in one working
    level's pixels."""

    origin: np.ndarray  # (2,) the outer corner
    axes: np.ndarray  # (2, 2) rows: u and v unit vectors
    upper: np.ndarray  # (K, 2) the upper lid's margin, corner to corner, as (u, v) by u
    lower: np.ndarray  # (M, 2) the lower lid's margin likewise
    band: float  # pixels under the upper lid not trusted (the lashes' shade)...
    ramp: float  # ...and how many more before the photo is trusted fully
    lash_tone: float  # how dark that band is, over the white's brightness
    rim: float  # pixels of the lower lid's rim above its margin
    iris: np.ndarray  # (2,) the iris's centre (level pixels)
    radius: float
    iris_profile: np.ndarray  # (IRIS_BINS, 3) colour by distance from the iris's centre
    glint: float  # brightness over which an iris pixel is a highlight
    white_u: np.ndarray  # (B,) columns (u)...
    white: np.ndarray  # (B, 3) ...and the white's colour there

    @property
    def width(self) -> float:
        return float(self.upper[-1, 0] - self.upper[0, 0])

    def frame(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) level pixels -> (u, v)."""
        return (points - self.origin) @ self.axes.T

    def margins(self, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The upper and lower lid margins' v above and below each (u, v)."""
        u = uv[..., 0]
        return (np.interp(u, self.upper[:, 0], self.upper[:, 1]),
                np.interp(u, self.lower[:, 0], self.lower[:, 1]))


def lash_lines(image: np.ndarray, margin: np.ndarray, ring: np.ndarray,
               width: float) -> np.ndarray:
    """How far above each tracked upper-lid margin point the lid's real edge, its lash line,
    lies: (K, 2) offsets in `image` pixels, zero where the margin is on it. MediaPipe's
    margin often lies on the eyeball, below the lashes (on the white, or across the iris's
    top); a lid closed from there carried that strip of eyeball down with it and showed it
    along the closed lid as a sliver of white and iris.

    Per margin point, towards its `ring` point above (at most `LASH_REACH` of the eye's
    `width` and half the way): the darkest point, where the margin is `LASH_CONTRAST` of
    its own brightness lighter than it (eyeball below the lashes). Points that tell nothing
    (the margin on a dark iris under dark lashes) take their neighbours' offset along the
    lid; a lid none of whose points tells keeps its margin."""
    # the eye's box only (a photo may be large): the lid points, padded for the blur
    h, w = image.shape[:2]
    pts = np.concatenate([margin, ring])
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int) - 4, 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int) + 5, (w, h))
    if x1 <= x0 or y1 <= y0:
        return np.zeros_like(margin)
    box = np.ascontiguousarray(image[y0:y1, x0:x1])
    luma = cv2.GaussianBlur(cv2.cvtColor(box, cv2.COLOR_RGB2GRAY).astype(np.float32),
                            (0, 0), 0.7)
    margin, ring = margin - (x0, y0), ring - (x0, y0)
    up = ring - margin
    length = np.linalg.norm(up, axis=1)
    reach = np.minimum(0.5 * length, LASH_REACH * width)
    steps = np.linspace(0.0, 1.0, LASH_SAMPLES)
    along = reach[:, None] * steps[None]  # (K, S) pixels above each margin point
    at = margin[:, None] + along[..., None] * (up / np.maximum(length, 1e-6)[:, None])[:, None]
    maps = at.astype(np.float32)
    profile = cv2.remap(luma, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    darkest = profile.argmin(axis=1)
    k = np.arange(len(margin))
    tells = profile[:, 0] - profile[k, darkest] > LASH_CONTRAST * profile[:, 0]
    if not tells.any():
        return np.zeros_like(margin)
    lift = np.interp(k, k[tells], along[k, darkest][tells])
    return lift[:, None] * up / np.maximum(length, 1e-6)[:, None]


def eye_rest(image: np.ndarray, landmarks: np.ndarray, outline: np.ndarray,
             n_lower: int) -> EyeRest | None:
    """The eye `outline` (landmark indices: the lower lid's margin from the outer corner to the
    inner one, `n_lower` points, then the upper one back) of `image`, given all 478
    `landmarks` (level pixels); None where the photo shows too little of the eye or the
    face has no iris landmarks."""
    if len(landmarks) < IRISES[1][0] + 5:
        return None
    pts = landmarks[outline, :2].astype(np.float64)
    a, b = pts[0], pts[n_lower - 1]
    width = float(np.linalg.norm(b - a))
    if width < 4.0:
        return None
    ex = (b - a) / width
    ey = np.array([-ex[1], ex[0]])
    if ((pts[1:n_lower - 1] - pts.mean(axis=0)) @ ey).mean() < 0:  # v towards the lower lid
        ey = -ey
    axes = np.stack([ex, ey])
    upper, lower = _split((pts - a) @ axes.T, n_lower)
    middle = float(np.interp(width / 2, lower[:, 0], lower[:, 1])
                   - np.interp(width / 2, upper[:, 0], upper[:, 1]))
    centre = pts.mean(axis=0)
    iris_at, edge = min(IRISES, key=lambda i: np.linalg.norm(landmarks[i[0], :2] - centre))
    iris = landmarks[iris_at, :2].astype(np.float64)
    radius = float(np.linalg.norm(landmarks[list(edge), :2] - iris, axis=1).mean())
    none = np.zeros((0, 3))
    shade = (SHADE_MIN * width, max(SHADE_MIN * width, SHADE_MAX * middle))
    rest = EyeRest(a, axes, upper, lower, band=shade[0], lash_tone=1.0 - LASH_SHADE[0],
                   ramp=max(1.0, TRUST_RAMP * width),
                   rim=min(RIM_BAND * width, RIM_MAX * max(middle, 0.0)), iris=iris,
                   radius=radius, iris_profile=none, glint=255.0, white_u=np.zeros(0),
                   white=none)
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int) + 2, (w, h))
    if x1 <= x0 or y1 <= y0:
        return None
    ys, xs = np.mgrid[y0:y1, x0:x1]
    grid = np.stack([xs, ys], axis=-1).astype(np.float64)
    uv = rest.frame(grid)
    colours = image[y0:y1, x0:x1].astype(np.float32)
    d = np.linalg.norm(grid - iris, axis=-1)
    white_pixels = _whites(_trust(rest, uv), d > radius + 1.0)
    if white_pixels.sum() < MIN_PIXELS:
        return None
    white_luma = float(np.percentile(colours[white_pixels].mean(axis=1), 75))
    band, tone = _lash_band(image, rest, white_luma)
    rest = replace(rest, band=float(np.clip(band, *shade)), lash_tone=tone)
    trust = _trust(rest, uv)  # the lids' and the band's, whichever iris circle is taken
    # the circle found in the photo, or MediaPipe's where that one leaves no white (the edge
    # of a narrow eye's dark iris is easily taken for its lashes in the corners)
    found = _iris_circle(rest, d, colours.mean(axis=2), trust.lashes > 0.99, white_luma)
    for eye in (found, rest):
        rho = np.linalg.norm(grid - eye.iris, axis=-1) / eye.radius
        iris_pixels = (trust.lashes > 0.99) & (rho < IRIS_EDGE)
        white_pixels = _whites(trust, rho > 1.0 + 1.0 / eye.radius)
        if min(iris_pixels.sum(), white_pixels.sum()) >= MIN_PIXELS:
            break
    else:
        return None
    top, bottom = eye.margins(eye.frame(eye.iris))
    if bottom - top < MIN_OPEN * 2.0 * eye.radius:
        return None
    profile = _radial_profile(rho[iris_pixels], colours[iris_pixels])
    iris_luma = float(np.median(colours[iris_pixels].mean(axis=1)))
    # the lower half's white pixels are among those ranked, so there are enough
    whitest = _whitest(colours, (trust.lashes > 0.99) & (rho > 1.0 + 1.0 / eye.radius))
    white = colours[whitest]
    return replace(eye, iris_profile=profile,
                   glint=iris_luma + GLINT * max(white_luma - iris_luma, 1.0),
                   **_white_columns(uv[whitest, 0], white, width,
                                    float(np.median(white.mean(axis=1)))))


def _whites(trust: _Trust, outside: np.ndarray) -> np.ndarray:
    """The pixels (`outside` the iris, with their `trust`) whose white the photo shows surely:
    in the lower half of the opening, or on a narrow eye, where that holds too few, below the
    lashes' shade."""
    whites = (trust.white > 0.99) & outside
    if whites.sum() >= MIN_PIXELS:
        return whites
    return (trust.lashes > 0.99) & outside


def _whitest(colours: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """The `WHITE_SHARE` whitest of the `shown` pixels of `colours` (h, w, 3): brightness less
    colourfulness (the spread of the channels), so neither shade nor pink skin."""
    at = np.flatnonzero(shown)
    c = colours.reshape(-1, 3)[at]
    score = c.mean(axis=1) - (c.max(axis=1) - c.min(axis=1))
    take = max(MIN_PIXELS, int(np.ceil(WHITE_SHARE * len(at))))
    out = np.zeros(shown.size, bool)
    out[at[np.argsort(score)[::-1][:take]]] = True
    return out.reshape(shown.shape)


def _lash_band(image: np.ndarray, eye: EyeRest, white_luma: float) -> tuple[float, float]:
    """How far below the upper lid's margin the white beside the iris stays in the lashes'
    shade (median over columns; pixels), and how dark that band is (its median brightness
    over the white's)."""
    c = eye.frame(eye.iris)[0]
    u = np.linspace(eye.upper[0, 0], eye.upper[-1, 0], 32)[4:-4]
    u = u[np.abs(u - c) > 1.1 * eye.radius]
    if not len(u):
        return eye.band, eye.lash_tone
    top, bottom = eye.margins(np.stack([u, np.zeros_like(u)], axis=-1))
    step = np.arange(0.0, float((bottom - top).max()), 0.5)
    uv = np.stack(np.broadcast_arrays(u[:, None], top[:, None] + step[None]), axis=-1)
    luma = _sample(image, uv @ eye.axes + eye.origin).mean(axis=-1)
    lit = (luma > LASH_LEVEL * white_luma) & (step[None] < (bottom - top - eye.rim)[:, None])
    found = lit.any(axis=1)
    if not found.any():
        return eye.band, eye.lash_tone
    ends = lit[found].argmax(axis=1)
    band = float(np.median(step[ends]))
    shade = luma[found][step[None] < step[ends][:, None]]
    tone = float(np.median(shade)) / max(white_luma, 1.0) if shade.size else eye.lash_tone
    return band, float(np.clip(tone, 0.1, 1.0))


def _iris_circle(eye: EyeRest, d: np.ndarray, luma: np.ndarray, shown: np.ndarray,
                 white_luma: float) -> EyeRest:
    """`eye` with the iris's radius found in the photo: the distance from its centre (`d`,
    per pixel, with the pixels' brightness `luma`; `shown` where the photo shows eyeball)
    at which the median brightness of a thin ring turns from iris to white; MediaPipe's
    where no such ring is found. Rings take the whole shown eyeball, not one row: a row's
    edge was taken in the corners' lashes on narrow eyes."""
    core = luma[shown & (d < 0.5 * eye.radius)]
    if not core.size:
        return eye
    level = 0.5 * (float(np.median(core)) + white_luma)
    lo, hi = eye.radius * np.array(RADIUS_RANGE)
    for r in np.arange(lo, hi, 0.5):
        ring = luma[shown & (d >= r - 0.5) & (d < r + 0.5)]
        if ring.size >= 2 and np.median(ring) > level:
            return replace(eye, radius=float(r))
    return eye


def _radial_profile(rho: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """(IRIS_BINS, 3) median colour of the iris pixels by their distance from its centre
    (`rho`, in radii); bins the photo does not show take their nearest shown neighbour's."""
    bins = np.minimum((rho * IRIS_BINS).astype(int), IRIS_BINS - 1)
    shown = np.unique(bins)
    medians = np.stack([np.median(colours[bins == k], axis=0) for k in shown])
    nearest = np.abs(np.arange(IRIS_BINS)[:, None] - shown[None]).argmin(axis=1)
    return medians[nearest]


def _white_columns(u: np.ndarray, colours: np.ndarray, width: float,
                   luma: float) -> dict[str, np.ndarray]:
    """The white's colour along the eye: the median per pixel column, smoothed across
    columns, no brighter than `luma` (so a highlight in the white is not spread)."""
    columns = np.round(u).astype(int)
    cols = np.unique(columns)
    medians = np.stack([np.median(colours[columns == k], axis=0) for k in cols])
    grid = np.arange(cols[0], cols[-1] + 1, dtype=np.float64)
    filled = np.stack([np.interp(grid, cols, medians[:, c]) for c in range(3)], axis=-1)
    sigma = max(1.0, WHITE_SMOOTH * width)
    pad = int(np.ceil(3.0 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-pad, pad + 1) / sigma) ** 2)
    padded = np.pad(filled, ((pad, pad), (0, 0)), mode="edge")
    smooth = np.stack([np.convolve(padded[:, c], kernel / kernel.sum(), mode="valid")
                       for c in range(3)], axis=-1)
    smooth *= np.minimum(1.0, luma / np.maximum(smooth.mean(axis=1), 1e-6))[:, None]
    return {"white_u": grid, "white": smooth}


class _Trust(NamedTuple):
    """How surely each (u, v) is eyeball the photo shows (0..1), three ways, and the upper
    lid's margin above it."""

    lashes: np.ndarray  # past the lashes' shade under the upper lid, above the lower rim
    margin: np.ndarray  # past the upper lid's margin alone
    white: np.ndarray  # the white's: past `WHITE_TRUST` of the opening too
    top: np.ndarray  # v of the upper lid's margin


def _trust(eye: EyeRest, uv: np.ndarray) -> _Trust:
    """`_Trust` at `uv` (..., 2); each ramps up over `ramp` below its line."""
    top, bottom = eye.margins(uv)
    u, v = uv[..., 0], uv[..., 1]
    keep = (np.clip(bottom - eye.rim - v + 0.5, 0.0, 1.0)
            * ((u >= eye.upper[0, 0]) & (u <= eye.upper[-1, 0])))
    # the band is as thick at right angles to the lid, so taller where the lid slopes
    du, dv = np.diff(eye.upper, axis=0).T
    slope = np.interp(u, 0.5 * (eye.upper[1:, 0] + eye.upper[:-1, 0]),
                      dv / np.maximum(du, 1e-6))
    band = eye.band * np.sqrt(1.0 + slope ** 2)
    depth = v - top
    scale = 1.0 / eye.ramp
    return _Trust(np.clip((depth - band) * scale, 0.0, 1.0) * keep,
                  np.clip(depth * scale, 0.0, 1.0) * keep,
                  np.clip((depth - np.maximum(band, WHITE_TRUST * (bottom - top))) * scale,
                          0.0, 1.0) * keep,
                  top)


def paint_open_eye(region: np.ndarray, origin: tuple[int, int], image: np.ndarray,
                   eye: EyeRest, outline: np.ndarray, lower_shift: np.ndarray) -> None:
    """Paint the eyeball into the opening of an eye whose lids have moved to `outline`
    ((K, 2) level pixels, `eye_rest` order) in `region` (in place; its top-left pixel is
    `origin` in `image`'s pixels). The eyeball moves with the lower lid, whose points moved
    by `lower_shift` ((n_lower, 2); another AU may move the whole eye a little, a lid raiser
    moves only the upper lid): each column of it as far as the lid below it, so that it meets the
    lower lid's rim, which stays the warp's, where it did."""
    n_lower = len(lower_shift)
    new = outline.astype(np.float64)
    h, w = region.shape[:2]
    lo = np.maximum(np.floor(new.min(axis=0)).astype(int) - origin - 1, 0)
    hi = np.minimum(np.ceil(new.max(axis=0)).astype(int) - origin + 2, (w, h))
    if (hi <= lo).any():
        return
    (x0, y0), (x1, y1) = lo, hi
    inside = polygon_mask(new - origin - (x0, y0), (y1 - y0, x1 - x0)).astype(np.float32)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    grid = np.stack([xs + origin[0], ys + origin[1]], axis=-1).astype(np.float64)
    mean = lower_shift.mean(axis=0)
    upper, lower = _split((new - eye.origin - mean) @ eye.axes.T, n_lower)
    moved = replace(eye, origin=eye.origin + mean, upper=upper, lower=lower)
    uv = moved.frame(grid)
    # where each pixel lies on the eyeball at rest
    lid_u = eye.frame(new[:n_lower] - lower_shift)[:, 0]
    order = np.argsort(lid_u)
    at_rest = eye.frame(grid - mean)[..., 0]
    q = grid - np.stack([np.interp(at_rest, lid_u[order], lower_shift[order, k])
                         for k in range(2)], axis=-1)
    # the bands under the moved lids stay the warp's (the lashes and their shade move up with
    # the upper lid, the rim with the lower one), and so do the eye's corners, fading in
    # (u runs from the outer corner to the inner one); but not above the iris, where the
    # band would drag the iris's hidden top and the cornea's highlight up with the lid
    across = np.abs(eye.frame(q)[..., 0] - eye.frame(eye.iris)[0]) / eye.radius
    above_iris = np.clip((1.0 + ABOVE_FADE - across) / ABOVE_FADE, 0.0, 1.0)
    trust = _trust(moved, uv)
    alpha = (inside * (1.0 / 255.0) * np.maximum(trust.lashes, above_iris * trust.margin)
             * np.clip((uv[..., 0] - upper[0, 0]) / (CORNER_FADE[0] * eye.width), 0.0, 1.0)
             * np.clip((upper[-1, 0] - uv[..., 0]) / (CORNER_FADE[1] * eye.width), 0.0, 1.0))
    if not alpha.any():
        return
    depth = uv[..., 1] - trust.top
    below = np.maximum(depth - eye.band, 0.0) / eye.width
    shade = 1.0 - sum(dark * np.exp(-below / fall) for dark, fall in (LASH_SHADE, LID_SHADE))
    # in the band under the lid (painted above the iris) as dark as the lashes' band beside
    lashes = np.clip(depth / max(eye.band, 1.0), 0.0, 1.0)
    shade = eye.lash_tone + (shade - eye.lash_tone) * lashes
    colour = _eyeball(image, eye, q, shade)
    alpha = alpha[..., None]
    part = region[y0:y1, x0:x1]
    part[:] = np.clip(colour * alpha + part * (1.0 - alpha) + 0.5, 0, 255).astype(np.uint8)


def _split(uv: np.ndarray, n_lower: int) -> tuple[np.ndarray, np.ndarray]:
    """An outline in the eye's frame (`eye_rest` order) -> its upper and lower lid margins,
    each corner to corner and sorted by u."""
    lower = uv[:n_lower]
    upper = np.concatenate([uv[:1], uv[n_lower:][::-1], uv[n_lower - 1:n_lower]])
    return upper[np.argsort(upper[:, 0])], lower[np.argsort(lower[:, 0])]


def _eyeball(image: np.ndarray, eye: EyeRest, q: np.ndarray, shade: np.ndarray,
             ) -> np.ndarray:
    """(h, w, 3) float colour of the eyeball at rest positions `q` (h, w, 2): the photo where
    it shows the eyeball, elsewhere the iris (its shown bottom mirrored, else its radial
    profile) or the white of the same column, times `shade` (h, w)."""
    uv = eye.frame(q)
    rho = np.linalg.norm(q - eye.iris, axis=-1) / eye.radius
    in_iris = _in_iris(eye, q)
    photo = _sample(image, q)
    at = np.clip(rho * IRIS_BINS - 0.5, 0.0, IRIS_BINS - 1.0)
    iris = np.stack([np.interp(at, np.arange(IRIS_BINS), eye.iris_profile[:, c])
                     for c in range(3)], axis=-1)
    # the iris's hidden top from where the photo shows it: mirrored across its centre, else
    # turned a quarter either way (an iris's texture is radial); the profile alone painted
    # a flat disc whose edge showed against the photo's textured iris
    centre = eye.frame(eye.iris)
    d = uv - centre
    found, completed = np.zeros_like(iris), np.zeros(uv.shape[:-1])
    for turned in ((d[..., 0], -d[..., 1]), (-d[..., 1], d[..., 0]), (d[..., 1], -d[..., 0])):
        at_uv = np.stack(turned, axis=-1) + centre
        seen = _sample(image, at_uv @ eye.axes + eye.origin)
        take = _iris_shown(eye, at_uv, seen) * (1.0 - completed)
        found += take[..., None] * seen
        completed += take
    iris = found + (1.0 - completed)[..., None] * iris
    # the photo where it shows the eyeball, and the cornea's highlights wherever they show;
    # where the iris is completed so, the photo's outer iris is trusted only well below the
    # lashes' shade (its top stays dark there, and drew the old lid's line across the iris)
    shown = _trust(eye, uv)
    below_shade = _trust(replace(eye, ramp=_iris_ramp(eye)), uv).lashes
    outer = np.clip((rho - IRIS_INNER) / IRIS_RAMP, 0.0, 1.0)
    shown_iris = shown.lashes + completed * outer * (below_shade - shown.lashes)
    glint = _highlight(eye, photo) * in_iris * shown.margin
    trust = (in_iris * np.maximum(shown_iris, glint)
             + (1.0 - in_iris) * shown.white)[..., None]
    in_iris = in_iris[..., None]
    white = np.stack([np.interp(uv[..., 0], eye.white_u, eye.white[:, c]) for c in range(3)],
                     axis=-1)
    filled = (in_iris * iris + (1.0 - in_iris) * white) * shade[..., None]
    return trust * photo + (1.0 - trust) * filled


def _iris_shown(eye: EyeRest, uv: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """How surely the photo shows the iris, highlights apart, at `uv` (..., 2) of colour
    `colour` (..., 3): well clear of both lids (the lashes' shade darkens the iris's top,
    and MediaPipe's lower margin lies on the lid's rim as often as on the eyeball)."""
    top, bottom = eye.margins(uv)
    clear = np.clip(np.minimum(uv[..., 1] - top - eye.band, bottom - eye.rim - uv[..., 1])
                    / _iris_ramp(eye), 0.0, 1.0)
    return clear * (1.0 - _highlight(eye, colour))


def _iris_ramp(eye: EyeRest) -> float:
    """Pixels below the lashes' shade (or above the lower rim) over which the photo's iris
    comes to be trusted where it can be completed from itself (`IRIS_RAMP`)."""
    return max(eye.ramp, IRIS_RAMP * eye.radius)


def _highlight(eye: EyeRest, colour: np.ndarray) -> np.ndarray:
    """How much each pixel of `colour` (..., 3) is one of the cornea's highlights (0..1):
    brighter than the eye's `glint`, over 16 levels."""
    return np.clip((colour.mean(axis=-1) - eye.glint) / 16.0, 0.0, 1.0)


def _in_iris(eye: EyeRest, q: np.ndarray) -> np.ndarray:
    """How much of each pixel at rest position `q` (..., 2) the iris covers (0..1)."""
    return np.clip(eye.radius - np.linalg.norm(q - eye.iris, axis=-1) + 0.5, 0.0, 1.0)


def _sample(image: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Bilinear samples of `image` at (h, w, 2) pixel positions, float32."""
    maps = at.astype(np.float32)
    return cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
