"""The eyeball under a lid that opens: the photo's own eye, kept rigid, completed where uncovered.

A lid raiser (AU5) lifts the upper lid off eyeball that the photo never showed. The warp alone
stretches what lies between the lids, so the iris and its highlight became a tall oval. Here
the eyeball stays rigid (it moves only as far as the lower lid does) and the part the lid
uncovers is completed: the iris from its own mirror image across its centre (an iris is nearly
symmetric and a lid covers its top), the white from the white the photo shows in the same
column of the eye. A band under the lid keeps the warp's pixels, the lashes' shadow moving up
with the lid.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from auedit.synth.mouth import polygon_mask

#: MediaPipe's iris landmarks: a centre, then four points on the iris's edge, per eye.
IRISES = ((468, (469, 470, 471, 472)), (473, (474, 475, 476, 477)))
#: The lashes' shadow under the upper lid: this share of the eye's width, kept from the warp
#: (it moves with the lid) and not trusted as eyeball in the photo...
SHADOW_BAND = 0.06
#: ...but never more than this share of the eye's open height at its middle.
SHADOW_MAX = 0.3
#: Likewise the lower lid's wet rim, which is light: mirrored into an iris it drew a light
#: line across it.
RIM_BAND = 0.03
RIM_MAX = 0.15
#: The uncovered eyeball lies in the upper lid's shade: its filled colour is darkened by this
#: share right under the lid's band, less and less farther down...
LID_SHADE = 0.2
#: ...falling to 1/e of that this share of the eye's width lower.
SHADE_FALL = 0.1
#: Fewer white or iris pixels than this and the eye is left to the warp (an eye nearly shut
#: in the photo shows too little of itself to complete).
MIN_PIXELS = 12


@dataclass(frozen=True)
class EyeRest:
    """One eye of the photo as it is, in the eye's own frame (u along the line between its
    corners, v at right angles to it, towards the lower lid), in one working level's pixels."""

    origin: np.ndarray  # (2,) the first corner
    axes: np.ndarray  # (2, 2) rows: u and v unit vectors
    upper: np.ndarray  # (K, 2) the upper lid's margin, corner to corner, as (u, v) by u
    lower: np.ndarray  # (M, 2) the lower lid's margin likewise
    band: float  # pixels of the lashes' shadow under the upper lid
    rim: float  # pixels of the lower lid's rim above it
    iris: np.ndarray  # (2,) the iris's centre (level pixels)
    radius: float
    iris_colour: np.ndarray  # (3,) the median of the iris the photo shows
    white_u: np.ndarray  # (B,) columns (u) with a measured white...
    white: np.ndarray  # (B, 3) ...and its median colour there

    def frame(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) level pixels -> (u, v)."""
        return (points - self.origin) @ self.axes.T


def eye_rest(image: np.ndarray, landmarks: np.ndarray, outline: np.ndarray,
             n_lower: int) -> EyeRest | None:
    """The eye `outline` (landmark indices: the lower lid's margin corner to corner, `n_lower`
    points, then the upper one back) of `image`, given all 478 `landmarks` (level pixels);
    None where the photo shows too little of the eye or the face has no iris landmarks."""
    if len(landmarks) < IRISES[1][0] + 5:
        return None
    pts = landmarks[outline, :2].astype(np.float64)
    a, b = pts[0], pts[n_lower - 1]
    across = b - a
    width = float(np.linalg.norm(across))
    if width < 4.0:
        return None
    ex = across / width
    ey = np.array([-ex[1], ex[0]])
    centre = pts.mean(axis=0)
    if ((pts[1:n_lower - 1] - centre) @ ey).mean() < 0:  # v grows towards the lower lid
        ey = -ey
    axes = np.stack([ex, ey])
    upper, lower = _split((pts - a) @ axes.T, n_lower)
    iris_at, edge = min(IRISES, key=lambda i: np.linalg.norm(landmarks[i[0], :2] - centre))
    iris = landmarks[iris_at, :2].astype(np.float64)
    radius = float(np.linalg.norm(landmarks[list(edge), :2] - iris, axis=1).mean())
    mid = np.interp(width / 2, lower[:, 0], lower[:, 1]) - np.interp(width / 2, upper[:, 0],
                                                                     upper[:, 1])
    band = min(SHADOW_BAND * width, SHADOW_MAX * max(mid, 0.0))
    rim = min(RIM_BAND * width, RIM_MAX * max(mid, 0.0))
    rest = EyeRest(a, axes, upper, lower, band, rim, iris, radius, np.zeros(3), np.zeros(0),
                   np.zeros((0, 3)))
    # what the photo shows of the eyeball: below the shadow band, above the lower lid
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int) - 1, 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int) + 2, (w, h))
    if x1 <= x0 or y1 <= y0:
        return None
    ys, xs = np.mgrid[y0:y1, x0:x1]
    grid = np.stack([xs, ys], axis=-1).astype(np.float64)
    trusted = _shown(rest, rest.frame(grid)) > 0.99
    in_iris = np.linalg.norm(grid - iris, axis=-1)
    colours = image[y0:y1, x0:x1].astype(np.float32)
    iris_pixels = colours[trusted & (in_iris < radius - 0.5)]
    white_mask = trusted & (in_iris > radius + 1.0)
    if len(iris_pixels) < MIN_PIXELS or white_mask.sum() < MIN_PIXELS:
        return None
    columns = np.round(rest.frame(grid[white_mask])[:, 0]).astype(int)
    whites = colours[white_mask]
    order = np.argsort(columns, kind="stable")
    columns, whites = columns[order], whites[order]
    cols, starts = np.unique(columns, return_index=True)
    medians = np.stack([np.median(part, axis=0) for part in np.split(whites, starts[1:])])
    return replace(rest, iris_colour=np.median(iris_pixels, axis=0),
                   white_u=cols.astype(np.float64), white=medians)


def _shown(eye: EyeRest, uv: np.ndarray) -> np.ndarray:
    """How surely each (u, v) is eyeball the photo shows (0..1): between the upper lid's
    shadow band and the lower lid's rim, with a pixel of soft edge."""
    u, v = uv[..., 0], uv[..., 1]
    top = np.interp(u, eye.upper[:, 0], eye.upper[:, 1]) + eye.band
    bottom = np.interp(u, eye.lower[:, 0], eye.lower[:, 1]) - eye.rim
    inside = (u >= eye.upper[0, 0]) & (u <= eye.upper[-1, 0])
    return np.clip(np.minimum(v - top, bottom - v) + 0.5, 0.0, 1.0) * inside


def paint_open_eye(region: np.ndarray, origin: tuple[int, int], image: np.ndarray,
                   eye: EyeRest, outline: np.ndarray, n_lower: int,
                   shift: np.ndarray) -> None:
    """Paint the rigid eyeball into the opening of an eye whose lid has moved to `outline`
    ((K, 2) level pixels, `eye_rest` order) in `region` (in place; its top-left pixel is
    `origin` in `image`'s pixels). `shift` (2,) is how far the eyeball moves with the lower
    lid (the brows' damped pull moves the whole eye; a lid raiser lifts only the upper lid)."""
    new = outline.astype(np.float64)
    h, w = region.shape[:2]
    lo = np.maximum(np.floor(new.min(axis=0)).astype(int) - origin - 1, 0)
    hi = np.minimum(np.ceil(new.max(axis=0)).astype(int) - origin + 2, (w, h))
    if (hi <= lo).any():
        return
    (x0, y0), (x1, y1) = lo, hi
    size = (y1 - y0, x1 - x0)
    inside = polygon_mask(new - origin - (x0, y0), size).astype(np.float32) * (1.0 / 255.0)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    grid = np.stack([xs + origin[0], ys + origin[1]], axis=-1).astype(np.float64)
    # the new upper lid's shadow band and the lower lid's rim stay the warp's
    upper, lower = _split((new - eye.origin - shift) @ eye.axes.T, n_lower)
    moved = replace(eye, origin=eye.origin + shift, upper=upper, lower=lower)
    uv = moved.frame(grid)
    alpha = inside * _shown(moved, uv)
    if not alpha.any():
        return
    below = uv[..., 1] - np.interp(uv[..., 0], upper[:, 0], upper[:, 1]) - eye.band
    width = float(upper[-1, 0] - upper[0, 0])
    shade = 1.0 - LID_SHADE * np.exp(-np.maximum(below, 0.0) / (SHADE_FALL * width))
    q = grid - shift  # where each pixel lies on the eyeball at rest
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
    it shows the eyeball, elsewhere the iris mirrored across its centre or the white of the
    same column, times `shade` (h, w)."""
    uv = eye.frame(q)
    shown = _shown(eye, uv)[..., None]
    photo = _sample(image, q)
    # the iris: its mirror image across the line through its centre along the eye
    across = ((q - eye.iris) @ eye.axes[1])[..., None]
    mirrored = q - 2.0 * across * eye.axes[1]
    mirror_shown = _shown(eye, eye.frame(mirrored))[..., None]
    iris = mirror_shown * _sample(image, mirrored) + (1.0 - mirror_shown) * eye.iris_colour
    white = np.stack([np.interp(uv[..., 0], eye.white_u, eye.white[:, c]) for c in range(3)],
                     axis=-1)
    in_iris = np.clip(eye.radius - np.linalg.norm(q - eye.iris, axis=-1) + 0.5, 0.0, 1.0)
    filled = (in_iris[..., None] * iris + (1.0 - in_iris[..., None]) * white) * shade[..., None]
    return shown * photo + (1.0 - shown) * filled


def _sample(image: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Bilinear samples of `image` at (h, w, 2) pixel positions, float32."""
    maps = at.astype(np.float32)
    return cv2.remap(image, maps[..., 0], maps[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
