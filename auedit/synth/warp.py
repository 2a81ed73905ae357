"""Piecewise-affine (triangle) image warping over the face mesh, extended to a fixed frame.

The face's 468 landmarks carry MediaPipe's canonical triangles (eye and mouth openings
included, so an opening lid or lip has skin to stretch). Around them two rings close the
mesh: a ring just outside the face outline, which follows the outline by a damped amount,
and a frame of fixed points on the edge of the working crop, so hair and background hold
still and nothing tears where the face meets them.

The warp is backward: each output pixel inside a moved triangle looks up its source through
that triangle's affine map and `cv2.remap` samples it. OpenCV has no piecewise-affine remap
(skimage's `PiecewiseAffineTransform` does a point-in-triangle search per pixel and is not a
dependency), so the triangles are rasterised into an index image with `cv2.fillConvexPoly`
and the maps are filled per pixel from the triangles' affine matrices; only triangles with
a moving corner are touched, so pixels outside the edited regions are never resampled.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay

from auedit.rig.regions import SILHOUETTE

#: The ring outside the outline lies this much farther from the face's centre (x 1.0 outline)
RING_SCALE = 1.22
#: ...and follows the outline's displacement by this fraction
RING_DAMPING = 0.5
#: Points moving less than this (pixels at the working scale) count as still.
STILL_PX = 0.05
_FRAME_POINTS = 6  # fixed points per side of the working crop's frame
_SUBPIXEL = 4  # fillConvexPoly's fractional bits


@dataclass(frozen=True)
class WarpMesh:
    """Triangles over the landmarks, the outline ring and the frame (point indices: 0-467
    landmarks, then the ring, then the frame)."""

    triangles: np.ndarray  # (T, 3) int
    n_landmarks: int
    n_ring: int

    @staticmethod
    def rest(landmarks: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """(N, 2) mesh points at rest for (468, 2) landmarks and the frame's points."""
        return np.concatenate([landmarks, outline_ring(landmarks), frame])

    def moved(self, rest: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mesh points with the landmarks moved by `shift` (468, 2), the ring by RING_DAMPING
        of its outline point's shift, the frame fixed; and whether each point moves more than
        `STILL_PX`."""
        n, k = self.n_landmarks, self.n_ring
        delta = np.zeros_like(rest)
        delta[:n] = shift
        delta[n:n + k] = RING_DAMPING * shift[list(SILHOUETTE)]
        return rest + delta, np.linalg.norm(delta, axis=1) > STILL_PX


def outline_ring(landmarks: np.ndarray) -> np.ndarray:
    """(36, 2) points outside the face outline, RING_SCALE times as far from the centre."""
    centre = landmarks.mean(axis=0)
    return centre + (landmarks[list(SILHOUETTE)] - centre) * RING_SCALE


def frame_points(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Fixed points along the edge of the rectangle (x0, y0)-(x1, y1), corners included."""
    t = np.linspace(0.0, 1.0, _FRAME_POINTS + 1)[:-1]
    top = np.stack([x0 + (x1 - x0) * t, np.full_like(t, y0)], axis=1)
    right = np.stack([np.full_like(t, x1), y0 + (y1 - y0) * t], axis=1)
    bottom = np.stack([x1 - (x1 - x0) * t, np.full_like(t, y1)], axis=1)
    left = np.stack([np.full_like(t, x0), y1 - (y1 - y0) * t], axis=1)
    return np.concatenate([top, right, bottom, left])


def build_mesh(landmarks: np.ndarray, face_triangles: np.ndarray, frame: np.ndarray) -> WarpMesh:
    """The warp's triangles: the face's own, a strip from the outline to the ring, and the
    Delaunay triangles between the ring and the frame (outside the ring)."""
    n = len(landmarks)
    outline = np.array(SILHOUETTE)
    k = len(outline)
    ring_ids = n + np.arange(k)
    nxt = np.roll(np.arange(k), -1)
    strip = np.concatenate([
        np.stack([outline, outline[nxt], ring_ids], axis=1),
        np.stack([outline[nxt], ring_ids[nxt], ring_ids], axis=1),
    ])
    ring = outline_ring(landmarks)
    outer_pts = np.concatenate([ring, frame])
    tri = Delaunay(outer_pts).simplices
    centroids = outer_pts[tri].mean(axis=1)
    poly = ring.astype(np.float32).reshape(-1, 1, 2)
    outside = np.array([cv2.pointPolygonTest(poly, (float(x), float(y)), False) < 0
                        for x, y in centroids])
    outer = tri[outside] + n
    return WarpMesh(np.concatenate([face_triangles, strip, outer]).astype(np.int64), n, k)


@dataclass
class BackwardMap:
    """Where each pixel of a region of interest samples from (absolute pixel coordinates)."""

    x0: int
    y0: int
    map_x: np.ndarray  # (h, w) float32
    map_y: np.ndarray
    moved: np.ndarray  # (h, w) bool: inside a moved triangle

    def remap(self, image: np.ndarray, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
        return cv2.remap(image, self.map_x, self.map_y, interpolation,
                         borderMode=cv2.BORDER_REPLICATE)


def backward_map(src: np.ndarray, dst: np.ndarray, triangles: np.ndarray, size: tuple[int, int],
                 moved_triangles: np.ndarray, pad: int = 2) -> BackwardMap | None:
    """The piecewise-affine backward map taking `dst` points to `src` points (pixel index
    coordinates) over the triangles in `moved_triangles` (indices into `triangles`), within
    an image of `size` (h, w). None when no triangle moves."""
    if len(moved_triangles) == 0:
        return None
    h, w = size
    tris = triangles[moved_triangles]
    corners = np.concatenate([src[tris].reshape(-1, 2), dst[tris].reshape(-1, 2)])
    x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(corners.max(axis=0)).astype(int) + pad + 1, (w, h))
    if x1 <= x0 or y1 <= y0:
        return None
    shape = (y1 - y0, x1 - x0)
    corners = np.round((dst[tris] - (x0, y0)) * (1 << _SUBPIXEL)).astype(np.int32)
    # each triangle's affine coefficients painted over its pixels (identity elsewhere), so
    # the maps come out of whole-array arithmetic: x_src = a00 x + a01 y + a02, likewise y
    affine = _affines(dst[tris] - (x0, y0), src[tris] - (x0, y0))  # destination -> source
    row_x = np.zeros((*shape, 4), np.float32)  # a00, a01, a02, and 1 inside a triangle
    row_y = np.zeros((*shape, 3), np.float32)
    row_x[..., 0] = 1.0
    row_y[..., 1] = 1.0
    for poly, a in zip(corners, affine.tolist(), strict=True):
        cv2.fillConvexPoly(row_x, poly, [*a[0], 1.0], lineType=cv2.LINE_8, shift=_SUBPIXEL)
        cv2.fillConvexPoly(row_y, poly, a[1], lineType=cv2.LINE_8, shift=_SUBPIXEL)
    xs = np.arange(shape[1], dtype=np.float32)
    ys = np.arange(shape[0], dtype=np.float32)[:, None]
    ax, bx, cx, inside = cv2.split(row_x)
    ay, by, cy = cv2.split(row_y)
    map_x = ax * xs + bx * ys + (cx + np.float32(x0))
    map_y = ay * xs + by * ys + (cy + np.float32(y0))
    return BackwardMap(int(x0), int(y0), map_x, map_y, inside > 0)


def _affines(frm: np.ndarray, to: np.ndarray) -> np.ndarray:
    """(T, 2, 3) affine maps taking each triangle `frm[t]` (3, 2) onto `to[t]`; a degenerate
    triangle gets the translation of its centroid."""
    ones = np.ones((len(frm), 3, 1))
    a = np.concatenate([frm, ones], axis=2)  # (T, 3, 3) rows [x y 1]
    b = np.concatenate([to, ones], axis=2)
    det = np.linalg.det(a)
    ok = np.abs(det) > 1e-6
    out = np.zeros((len(frm), 2, 3))
    if ok.any():
        out[ok] = np.linalg.solve(a[ok], b[ok])[:, :, :2].transpose(0, 2, 1)
    shift = (to - frm).mean(axis=1)
    out[~ok, 0, 0] = out[~ok, 1, 1] = 1.0
    out[~ok, :, 2] = shift[~ok]
    return out
