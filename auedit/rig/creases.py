"""Creases: the folds and wrinkles that AUs deepen in the skin, shaded onto an image of a face.

A warp moves skin but cannot fold it, so a smile edit lifted the lip corners while the
cheeks stayed as smooth as at rest, and a nose wrinkler (AU9) or brow lowerer (AU4) barely
showed at all: most of what tells these AUs apart on a real face is the furrows they make
(FACS describes each AU by them). Each crease is a path on the game face's neutral skin, in
rig space (cm), placed on an image through the face mesh (barycentric in the landmarks'
triangles, so it moves with the face), and drawn as a soft shadow with a lit ridge beside it
(the skin bulging over the fold), as deep as the AUs that make it are raised. Photo edits
draw only a rise (`rises`): the photo's own creases cannot be taken away by shading, so an
AU lowered below the photo's own reading adds none. The game face's textured look draws
them at its AU parameters (`auedit.render.face`), as a game's wrinkle maps do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from auedit.core.aus import MAX_INTENSITY
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.topology import N_LANDMARKS

#: The lit ridge beside a fold brightens by this share of the fold's darkening.
RIDGE_LIGHT = 0.3
#: A shadow takes less red than green and blue (skin in shade turns warmer, not grey).
SHADOW_TINT = np.array([0.8, 1.0, 1.0], np.float32)  # RGB
_SUBPIXEL = 4


class SkinMembership(Protocol):
    """What a face's skin looks like (`auedit.synth.skin.SkinLook` on photos)."""

    def membership(self, pixels: np.ndarray) -> np.ndarray:
        """(n,) in [0, 1]: how much each of the (n, 3) RGB pixels looks like the skin."""


@dataclass(frozen=True)
class Crease:
    """One fold: a path on the left side of the face (x > 0) or across its midline."""

    path: tuple[tuple[float, float], ...]  # rig space x, y (cm), on the neutral face
    aus: tuple[tuple[str, float], ...]  # FACS AU, share of its rise (0-1 of E) that deepens it
    width: float  # the shadow's width, cm
    depth: float  # the share of the light the fold takes at full strength
    ridge: tuple[float, float]  # where the lit ridge lies beside the path (rig space, cm)
    mirrored: bool = True  # also on the right side (with the AUs' right parameters)


#: The folds, as FACS lists them per AU and as they lie on the game face's mean skin.
CREASES: dict[str, Crease] = {
    # from above the nose's wing down and out past the lip corner: deepened by the smile
    # (AU12), the upper lip raiser (AU10), the nose wrinkler (AU9) and the cheek raiser (AU6)
    "nasolabial fold": Crease(
        ((2.1, -0.75), (2.55, -1.6), (2.95, -2.6), (3.25, -3.6), (3.4, -4.6)),
        (("AU12", 0.8), ("AU10", 0.8), ("AU9", 0.5), ("AU6", 0.3)),
        width=0.3, depth=0.24, ridge=(0.35, 0.05)),
    # crow's feet, fanning out from the eye's outer corner: the cheek raiser (AU6)
    "crow's feet, upper": Crease(((4.95, 3.0), (5.45, 3.2), (5.85, 3.4)),
                                 (("AU6", 1.0),), width=0.07, depth=0.22, ridge=(0.0, 0.1)),
    "crow's feet, middle": Crease(((5.05, 2.65), (5.5, 2.62), (5.95, 2.58)),
                                  (("AU6", 1.0),), width=0.07, depth=0.22, ridge=(0.0, 0.1)),
    "crow's feet, lower": Crease(((4.95, 2.25), (5.4, 2.05), (5.8, 1.85)),
                                 (("AU6", 1.0),), width=0.07, depth=0.22, ridge=(0.0, 0.1)),
    # the lower lid's fold under a raised cheek (AU6) or tightened lid (AU7)
    "lower lid fold": Crease(((2.6, 1.75), (3.3, 1.6), (4.0, 1.75), (4.5, 2.05)),
                             (("AU6", 0.7), ("AU7", 0.6)), width=0.09, depth=0.18,
                             ridge=(0.0, -0.12)),
    # across the nose's root, two lines: the nose wrinkler (AU9); a real one at E bunches
    # the bridge's skin into several (one line at 0.16 barely showed on the London photos)
    "nose root": Crease(((-0.55, 2.55), (0.05, 2.68), (0.6, 2.58)), (("AU9", 1.0),),
                        width=0.1, depth=0.24, ridge=(0.0, 0.12), mirrored=False),
    "nose root, lower": Crease(((-0.5, 2.3), (0.0, 2.4), (0.5, 2.32)), (("AU9", 1.0),),
                               width=0.09, depth=0.18, ridge=(0.0, 0.1), mirrored=False),
    # the nose's sides ("bunny lines"), two a side: AU9
    "nose side": Crease(((0.5, 2.1), (0.75, 1.85), (1.05, 1.6)), (("AU9", 1.0),),
                        width=0.1, depth=0.22, ridge=(0.1, 0.08)),
    "nose side, lower": Crease(((0.6, 1.75), (0.85, 1.5), (1.1, 1.3)), (("AU9", 1.0),),
                               width=0.09, depth=0.16, ridge=(0.1, 0.08)),
    # the vertical lines between the brows: the brow lowerer (AU4)
    "glabella": Crease(((0.28, 3.75), (0.34, 4.3), (0.45, 4.9)), (("AU4", 1.0),),
                       width=0.08, depth=0.28, ridge=(0.14, 0.0)),
    # the forehead's lines: the inner brow raiser (AU1) in the middle, the outer (AU2) aside
    "forehead, middle": Crease(((-1.7, 6.0), (-0.6, 6.3), (0.5, 6.22), (1.6, 6.02)),
                               (("AU1", 1.0),), width=0.13, depth=0.14, ridge=(0.0, 0.18),
                               mirrored=False),
    "forehead, upper": Crease(((-1.4, 7.15), (0.2, 7.4), (1.5, 7.2)), (("AU1", 1.0),),
                              width=0.13, depth=0.11, ridge=(0.0, 0.18), mirrored=False),
    "forehead, side": Crease(((1.9, 6.2), (2.7, 6.1), (3.5, 5.85)), (("AU2", 1.0),),
                             width=0.13, depth=0.12, ridge=(0.0, 0.18)),
    # the dimple beside the lip corner: the dimpler (AU14), a little with the smile
    "dimple": Crease(((2.95, -3.75), (3.08, -4.3), (2.98, -4.85)),
                     (("AU14", 1.0),), width=0.18, depth=0.17,
                     ridge=(0.18, 0.0)),
    # below the lip corner: the lip corner depressor (AU15)
    "marionette line": Crease(((2.75, -4.7), (2.95, -5.4), (3.15, -6.1), (3.3, -6.7)),
                              (("AU15", 1.0),), width=0.14, depth=0.22, ridge=(0.18, 0.0)),
    # under the lower lip, over the raised chin (AU17)
    "mentolabial fold": Crease(((-1.3, -5.95), (0.0, -6.2), (1.3, -5.95)), (("AU17", 1.0),),
                               width=0.14, depth=0.22, ridge=(0.0, -0.16), mirrored=False),
}


def _smooth(path: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Chaikin's corner cutting, ends kept: a path of a few points as a smooth curve."""
    for _ in range(rounds):
        a, b = path[:-1], path[1:]
        cut = np.stack([0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b], axis=1).reshape(-1, 2)
        path = np.concatenate([path[:1], cut, path[-1:]])
    return path


@dataclass(frozen=True)
class _Placed:
    """A crease on one side, tied to the face mesh."""

    keys: tuple[tuple[int, float], ...]  # rig AU parameter index, weight
    corners: np.ndarray  # (n, 3) landmark ids of each path point's triangle
    weights: np.ndarray  # (n, 3) its barycentric weights
    ridge_corners: np.ndarray  # the same for the ridge's path
    ridge_weights: np.ndarray
    width: float
    depth: float


def _barycentric(points: np.ndarray, verts: np.ndarray, tris: np.ndarray,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Each point's triangle, seen from the front (the nearest where several overlap), and
    its barycentric weights; a point outside every triangle takes its nearest one's
    (clipped)."""
    a, b, c = (verts[tris[:, k], :2] for k in range(3))
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    front = np.abs(area) > 1e-9
    a, b, c, area, tris = a[front], b[front], c[front], area[front], tris[front]
    corners, weights = [], []
    for p in points:
        wa = ((b[:, 0] - p[0]) * (c[:, 1] - p[1]) - (b[:, 1] - p[1]) * (c[:, 0] - p[0])) / area
        wb = ((c[:, 0] - p[0]) * (a[:, 1] - p[1]) - (c[:, 1] - p[1]) * (a[:, 0] - p[0])) / area
        w = np.stack([wa, wb, 1.0 - wa - wb], axis=1)
        outside = np.maximum(-w, 0.0).sum(axis=1)
        # where triangles overlap seen from the front (the nose over the cheek), the nearest
        # to the viewer
        depth = -(verts[tris, 2] * np.clip(w, 0, 1)).sum(axis=1)
        inside = np.flatnonzero(outside <= 1e-9)
        best = inside[np.argmin(depth[inside])] if len(inside) else int(np.argmin(outside))
        corners.append(tris[best])
        weights.append(np.clip(w[best], 0.0, None) / np.clip(w[best], 0.0, None).sum())
    return np.array(corners), np.array(weights)


def _parameters(index: Mapping[str, int], au: str, side: str, weight: float,
                ) -> list[tuple[int, float]]:
    """The rig AU parameters (index, weight) that deepen a crease on `side` ("L", "R", or ""
    for the midline, which takes half of each side's parameter where the AU is sided)."""
    if au + side in index:
        return [(index[au + side], weight)]
    if au in index:
        return [(index[au], weight)]
    return [(index[au + s], weight / 2) for s in ("L", "R")]


class CreasePainter:
    """The creases placed on the game face's mesh (rig vertex i is landmark i)."""

    def __init__(self, vertices: np.ndarray, triangles: np.ndarray) -> None:
        verts = np.asarray(vertices[:N_LANDMARKS], dtype=np.float64)
        tris = np.asarray(triangles)
        tris = tris[(tris < N_LANDMARKS).all(axis=1)]
        # the mean face's eye-corner span, to turn centimetres into pixels on a photo
        self._span = float(np.linalg.norm(verts[263, :2] - verts[33, :2]))
        self.placed: list[_Placed] = []
        index = {k: i for i, k in enumerate(AU_PARAMETER_KEYS)}
        for crease in CREASES.values():
            for side in ("L", "R") if crease.mirrored else ("",):
                flip = np.array([-1.0 if side == "R" else 1.0, 1.0])
                path = _smooth(np.array(crease.path)) * flip
                ridge = path + np.array(crease.ridge) * flip
                keys = tuple(k for au, w in crease.aus for k in _parameters(index, au, side, w))
                corners, weights = _barycentric(path, verts, tris)
                ridge_corners, ridge_weights = _barycentric(ridge, verts, tris)
                self.placed.append(_Placed(keys, corners, weights, ridge_corners,
                                           ridge_weights, crease.width, crease.depth))

    def strengths(self, rise: np.ndarray) -> np.ndarray:
        """(n placed,) each crease's strength in [0, 1] for the AU parameters' rise (n_au,:
        on a photo, target minus the photo's own, in parameter units, 1 = E; on the game face,
        its AU parameters; negatives count as 0)."""
        rise = np.maximum(np.asarray(rise, dtype=np.float64), 0.0)
        return np.array([min(1.0, sum(rise[i] * w for i, w in p.keys)) for p in self.placed])

    def paint(self, image: np.ndarray, origin: tuple[int, int], landmarks: np.ndarray,
              rise: np.ndarray, skin: SkinMembership | None = None, blur: float = 0.0,
              ) -> bool:
        """Shade the creases onto `image` (h, w, 3 RGB, in place: uint8, or float in [0, 1]),
        whose pixel (0, 0) is `origin` in the coordinates of `landmarks` (468, 2: where the
        edit or the render put them); `rise` as for `strengths`. With the face's `skin`, folds
        fade where a pixel is not skin-coloured (hair, a glasses frame); `blur` (Gaussian
        sigma, px of `image`) softens them as much as the photo is soft. Returns whether
        anything was drawn."""
        strengths = self.strengths(rise)
        if not (strengths > 0.01).any():
            return False
        lms = np.asarray(landmarks[:N_LANDMARKS, :2], dtype=np.float64) - origin
        px_per_cm = float(np.linalg.norm(lms[263] - lms[33])) / self._span
        h, w = image.shape[:2]
        # every fold's shadow and ridge summed over one box, then one pass over the photo
        folds = []
        for p, s in zip(self.placed, strengths, strict=True):
            if s <= 0.01:
                continue
            path = (lms[p.corners] * p.weights[..., None]).sum(axis=1)
            ridge = (lms[p.ridge_corners] * p.ridge_weights[..., None]).sum(axis=1)
            # the ridge is the shadow moved aside (whole pixels: it is blurred anyway)
            shift = np.round((ridge - path).mean(axis=0)).astype(int)
            # a fold narrower than a pixel is drawn a pixel wide and that much fainter
            true_width = p.width * px_per_cm
            width = max(1.0, true_width)
            pad = int(np.ceil(3.0 * max(width, blur))) + 2
            lo = np.maximum(np.floor(path.min(axis=0)).astype(int) - pad, 0)
            hi = np.minimum(np.ceil(path.max(axis=0)).astype(int) + pad + 1, (w, h))
            if (hi > lo).all():
                folds.append((path, shift, width, p.depth * s * min(1.0, true_width), lo, hi))
        if not folds:
            return False
        for box, members in _groups(folds, (w, h)):
            x0, y0, x1, y1 = box
            dark = np.zeros((y1 - y0, x1 - x0), np.float32)
            light = np.zeros_like(dark)
            for path, shift, width, k, lo, hi in members:
                stroke = _stroke(path - lo, (hi[1] - lo[1], hi[0] - lo[0]), width, blur) * k
                _add(dark, stroke, lo - (x0, y0))
                _add(light, stroke, lo + shift - (x0, y0))
            region = image[y0:y1, x0:x1]
            if skin is not None:  # only where a fold is drawn: most of a box is not
                drawn = (dark > 1e-3) | (light > 1e-3)
                on_skin = skin.membership(region[drawn])
                dark[drawn] *= on_skin
                light[drawn] *= on_skin
            gain = ((1.0 - np.minimum(dark, 0.9)[..., None] * SHADOW_TINT)
                    * (1.0 + RIDGE_LIGHT * light[..., None]))
            if image.dtype == np.uint8:
                region[:] = np.clip(region * gain + 0.5, 0, 255).astype(np.uint8)
            else:
                region[:] = np.minimum(region * gain, 1.0)
        return True


def _groups(folds: list, size: tuple[int, int]) -> list[tuple[tuple[int, int, int, int], list]]:
    """The folds grouped by overlapping boxes (shadow and ridge), each group with its box
    (x0, y0, x1, y1) clipped to `size` (w, h): one pass over each group's box instead of
    over the box round them all (most of the face)."""
    groups = []
    for fold in folds:
        _, shift, _, _, lo, hi = fold
        box = [*np.minimum(lo, lo + shift), *np.maximum(hi, hi + shift)]
        members = [fold]
        for other in [g for g in groups if _overlap(g[0], box)]:
            groups.remove(other)
            box = [min(box[0], other[0][0]), min(box[1], other[0][1]),
                   max(box[2], other[0][2]), max(box[3], other[0][3])]
            members += other[1]
        groups.append((box, members))
    w, h = size
    return [((max(b[0], 0), max(b[1], 0), min(b[2], w), min(b[3], h)), m) for b, m in groups]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _add(into: np.ndarray, patch: np.ndarray, at: np.ndarray) -> None:
    """Add `patch` to `into` with its corner at `at` (x, y), clipped to `into`."""
    h, w = into.shape
    x0, y0 = at
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1, cy1 = min(x0 + patch.shape[1], w), min(y0 + patch.shape[0], h)
    if cx1 > cx0 and cy1 > cy0:
        into[cy0:cy1, cx0:cx1] += patch[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]


def _stroke(path: np.ndarray, size: tuple[int, int], width: float, blur: float = 0.0,
            ) -> np.ndarray:
    """(h, w) float32 in [0, 1]: a soft line `width` pixels wide along `path`, fading in and
    out towards its ends (a fold is deepest in its middle), blurred by a further `blur` px
    (Gaussian sigma)."""
    mask = np.zeros(size, np.uint8)
    n = len(path)
    fade = np.sin(np.pi * (np.arange(n - 1) + 0.5) / (n - 1)) ** 0.7
    pts = np.round(path * (1 << _SUBPIXEL)).astype(np.int32)
    thickness = max(1, round(width))
    for i in range(n - 1):
        cv2.line(mask, tuple(pts[i]), tuple(pts[i + 1]), int(255 * fade[i]), thickness,
                 cv2.LINE_AA, _SUBPIXEL)
    soft = cv2.GaussianBlur(mask, (0, 0), float(np.hypot(max(0.8, 0.6 * width), blur)))
    return soft.astype(np.float32) * (1.0 / 255.0)


def rises(targets: Mapping[str, float], own: Mapping[str, float]) -> np.ndarray:
    """(n_au,) how far `targets` (rig parameter keys, 0-5) raise each AU parameter above the
    photo's `own` reading, in parameter units (E = 1); 0 for AUs not in `targets`."""
    out = np.zeros(len(AU_PARAMETER_KEYS))
    for i, key in enumerate(AU_PARAMETER_KEYS):
        if key in targets:
            out[i] = max(0.0, (targets[key] - own.get(key, 0.0)) / MAX_INTENSITY)
    return out
