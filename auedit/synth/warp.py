"""Piecewise-affine (triangle) image warping over the face mesh, extended to a fixed frame.

The face's 468 landmarks carry MediaPipe's canonical triangles (eye and mouth openings
included, so an opening lid or lip has skin to stretch). Around them two rings close the
mesh: a ring just outside the face outline, which follows the outline by a damped amount,
and a frame of fixed points on the edge of the working crop, so hair and background hold
still and nothing tears where the face meets them.

A displacement can fold the skin over (a far cheek on a turned head, a lid pushed into its
crease, a lip corner dragged across its neighbour): the folded triangle's content shows
mirrored, and the triangles around it stretch into spikes and slivers. `WarpMesh.moved`
relaxes the displacement where a triangle would turn over or collapse, so that an edit
asking too much eases off locally instead of tearing. The openings may close and fold (a
blinking lid covers the eye, pressed lips overlap): the triangles facing the mesh's way are
painted over those turned over, and the one that moved farther over the one that stayed.

The warp is backward: each output pixel inside a moved triangle looks up its source through
that triangle's affine map and `cv2.remap` samples it. OpenCV has no piecewise-affine remap
(skimage's `PiecewiseAffineTransform` does a point-in-triangle search per pixel and is not a
dependency), so the moved triangles' indices are painted into a label image with
`cv2.fillConvexPoly` and each pixel takes its label's affine map; only triangles with a
moving corner are touched, so pixels outside the edited regions are never resampled. A fill
also covers pixels just outside its triangle, where its map extrapolates (by many pixels for
a squeezed triangle): those are given to the triangle that holds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from scipy.spatial import Delaunay

from auedit.rig.regions import SILHOUETTE
from auedit.rig.topology import N_LANDMARKS

#: The ring outside the outline lies this much farther from the face's centre (x 1.0 outline)
RING_SCALE = 1.22
#: ...and follows the outline's displacement by this fraction
RING_DAMPING = 0.5
#: Points moving less than this (pixels at the working scale) count as still.
STILL_PX = 0.05
#: A triangle of skin may not shrink below this share of its area at rest (nor turn over)...
MIN_AREA_RATIO = 0.05
# ...where that loses more than this share of the median triangle's area (smaller folds are
# those of slivers and tiny triangles at lip corners and nostrils, whose orientation at rest
# is the landmarks' noise; they hide under their neighbours)
_FOLD_AREA = 0.1
_RELAXED_RATIO = 0.25  # a triangle that would is relaxed to this share of its area
_RELAX_STEPS = 30  # rounds of relaxing before corners still folding are held at rest
# the pixels of a triangle whose affine map differs from a neighbouring one's by more than
# this (in any coefficient) are checked: its map sampling a pixel beyond its edge would be off
# by up to about as many pixels
_SMOOTH = 0.5
_FRAME_POINTS = 6  # fixed points per side of the working crop's frame
_SUBPIXEL = 4  # fillConvexPoly's fractional bits
_WALK = 3  # edge steps from a pixel's painted triangle to the one holding it
_INSIDE = 1e-3  # barycentric tolerance of "inside a triangle"


@dataclass(frozen=True)
class WarpMesh:
    """Triangles over the landmarks, the outline ring and the frame (point indices: 0-467
    landmarks, then the ring, then the frame)."""

    triangles: np.ndarray  # (T, 3) int
    n_landmarks: int
    n_ring: int
    opening: np.ndarray  # (T,) bool: spans an eye or the mouth or has an edge on its rim

    @staticmethod
    def rest(landmarks: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """(N, 2) mesh points at rest for (468, 2) landmarks and the frame's points."""
        return np.concatenate([landmarks, outline_ring(landmarks), frame])

    def moved(self, rest: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mesh points with the landmarks moved by `shift` (468, 2), the ring by RING_DAMPING
        of its outline point's shift, the frame fixed, less what would fold the skin over
        (`_unfold`); and whether each point moves more than `STILL_PX`."""
        n, k = self.n_landmarks, self.n_ring
        delta = np.zeros_like(rest)
        delta[:n] = shift
        delta[n:n + k] = RING_DAMPING * shift[list(SILHOUETTE)]
        delta = _unfold(rest, delta, self.triangles[~self.opening], n + k)
        return rest + delta, np.linalg.norm(delta, axis=1) > STILL_PX


def _unfold(rest: np.ndarray, delta: np.ndarray, triangles: np.ndarray, movable: int,
           ) -> np.ndarray:
    """`delta` (N, 2) relaxed where it would turn one of `triangles` over or shrink it below
    MIN_AREA_RATIO of its area at rest (in the mesh's orientation, see `build_mesh`), losing
    more than _FOLD_AREA of the median triangle's area.

    Such a triangle keeps its corners' mean displacement and as much of their motion about
    it as leaves it _RELAXED_RATIO of its area (a corner of several takes the mean of what
    they ask), so that a fold eases into the motion around it: a lid raised into its crease
    lifts the crease, crossing displacements on a turned head's far side agree. That repeats
    while any folds, as a relaxed corner can squeeze another triangle; only points before
    `movable` (not the fixed frame) change. After _RELAX_STEPS rounds the corners still
    folding are held at rest, which ends: each round stills a moving point. Triangles turned
    over at rest (a turned head's far side) have no orientation to keep and are free."""
    area = _areas(rest, triangles)
    facing = _orientation(area)
    base = facing * area
    kept = base > 0.0
    tris, base = triangles[kept], base[kept]
    least = _FOLD_AREA * np.median(np.abs(area))
    fixed = np.arange(len(rest)) >= movable
    step = 0
    while True:
        now = facing * _areas(rest + delta, tris)
        bad = (now < MIN_AREA_RATIO * base) & (base - now > least)
        if not bad.any():
            return delta
        ids = tris[bad].ravel()
        if step < _RELAX_STEPS:
            # with the corners' motion about their mean scaled by s, the area is
            # base + s b + s^2 a: s makes that _RELAXED_RATIO base (the smaller root, in
            # (0, 1) as the area is above that at 0 and below at 1; in the stable form)
            p, d = rest[tris[bad]], delta[tris[bad]]
            e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
            f1, f2 = d[:, 1] - d[:, 0], d[:, 2] - d[:, 0]
            b = facing * (_cross(e1, f2) + _cross(f1, e2))
            a = facing * _cross(f1, f2)
            c = (1.0 - _RELAXED_RATIO) * base[bad]
            s = 2.0 * c / (np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0)) - b)
            mean = d.mean(axis=1, keepdims=True)
            asked = mean + np.clip(s, 0.0, 1.0)[:, None, None] * (d - mean)
            total = np.zeros_like(delta)
            np.add.at(total, ids, asked.reshape(-1, 2))
            votes = np.bincount(ids, minlength=len(delta))
            delta = np.where(((votes > 0) & ~fixed)[:, None],
                             total / np.maximum(votes, 1)[:, None], delta)
        else:
            delta = delta.copy()
            delta[ids] = 0.0
        step += 1


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


def build_mesh(landmarks: np.ndarray, face_triangles: np.ndarray, frame: np.ndarray,
               openings: Sequence[Sequence[int]]) -> WarpMesh:
    """The warp's triangles: the face's own, a strip from the outline to the ring, and the
    Delaunay triangles between the ring and the frame (outside the ring), the last turned to
    the face's orientation (the strip has it by construction), so that a triangle facing
    the other way is one folded over. `openings` are the rims of the eyes and the mouth (the
    landmarks around each): the triangles spanning one or with an edge on it may fold."""
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
    outer = tri[outside]
    facing = _orientation(_areas(landmarks, face_triangles))
    turn = np.sign(_areas(outer_pts, outer)) != facing
    outer[turn] = outer[turn][:, ::-1]
    triangles = np.concatenate([face_triangles, strip, outer + n]).astype(np.int64)
    opening = np.zeros(len(triangles), bool)
    for rim in openings:
        opening |= np.isin(triangles, rim).sum(axis=1) >= 2
    return WarpMesh(triangles, n, k, opening)


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
    an image of `size` (h, w). None when no triangle moves.

    A pixel takes the map of the triangle painted over it last. As a fill also covers pixels
    just outside its triangle, where its affine map extrapolates, the pixels of a triangle
    whose map differs from a neighbour's by more than `_SMOOTH` (a squeezed, collapsed or
    folded one, or one beside it) take the triangle that holds them instead (`_owners`).
    Where folded triangles overlap, those facing the mesh's way are painted last, the face's
    own over the ring's (a turned head's far cheek over the strip behind it), and the ones
    that travelled farther over the others (a closing lid over the eye)."""
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
    origin = np.array([x0, y0], dtype=np.float64)
    to = dst[triangles] - origin  # (T, 3, 2) corners in region coordinates
    frm = src[triangles] - origin
    n_tri = len(triangles)
    bary, solid = _barycentric(to)
    paint = moved_triangles[solid[moved_triangles]]
    moved = np.zeros(n_tri + 1, bool)  # per label; n_tri: no triangle
    moved[paint] = True
    # destination -> source affine maps (the identity but for painted triangles)
    affine = np.zeros((n_tri + 1, 2, 3))
    affine[:, 0, 0] = affine[:, 1, 1] = 1.0
    affine[paint] = np.einsum("tkc,tkj->tcj", frm[paint, 1:] - frm[paint, :1], bary[paint])
    affine[paint, :, 2] += frm[paint, 0]
    risky = np.zeros(n_tri + 1, bool)
    topology = _topology(triangles)
    risky[:n_tri] = _spread(affine[:n_tri, :, :2].reshape(-1, 4), triangles, topology) > _SMOOTH
    facing = _orientation(_areas(src, triangles))
    front = facing * _areas(dst, triangles[paint]) > 0
    face = (triangles[paint] < N_LANDMARKS).all(axis=1)
    travel = np.linalg.norm(dst - src, axis=1)[triangles[paint]].mean(axis=1)
    paint = paint[np.lexsort((travel, face, front))]
    label = np.full(shape, n_tri, np.int32)
    polys = np.round(to[paint] * (1 << _SUBPIXEL)).astype(np.int32)
    for poly, t in zip(polys, paint.tolist(), strict=True):
        cv2.fillConvexPoly(label, poly, t, lineType=cv2.LINE_8, shift=_SUBPIXEL)
    coef = np.take(affine.reshape(-1, 6).astype(np.float32), label, axis=0)  # (h, w, 6)
    xs = np.arange(shape[1], dtype=np.float32)
    ys = np.arange(shape[0], dtype=np.float32)[:, None]
    map_x = coef[..., 0] * xs + coef[..., 1] * ys + (coef[..., 2] + np.float32(x0))
    map_y = coef[..., 3] * xs + coef[..., 4] * ys + (coef[..., 5] + np.float32(y0))
    # the pixels of risky triangles whose centres lie outside them
    at = np.flatnonzero(np.take(risky, label))
    painted = np.take(label, at)
    iy, ix = np.divmod(at, shape[1])
    rows = np.take(bary.reshape(-1, 6), painted, axis=0)
    l1 = rows[:, 0] * ix + rows[:, 1] * iy + rows[:, 2]
    l2 = rows[:, 3] * ix + rows[:, 4] * iy + rows[:, 5]
    out = np.minimum(np.minimum(l1, l2), 1.0 - l1 - l2) < -_INSIDE
    if out.any():
        at, painted = at[out], painted[out]
        p = np.stack([ix[out], iy[out]], axis=1).astype(np.float64)
        owner, sample = _owners(p, painted, bary, frm, topology.neighbours)
        keep = ~moved[owner]
        sample[keep] = p[keep]
        label.ravel()[at] = owner
        map_x.ravel()[at] = sample[:, 0] + x0
        map_y.ravel()[at] = sample[:, 1] + y0
    return BackwardMap(int(x0), int(y0), map_x, map_y, np.take(moved, label))


def _spread(values: np.ndarray, triangles: np.ndarray, topology: _Topology) -> np.ndarray:
    """Per triangle, the largest difference of a component of `values` (T, C) among the
    triangles sharing a corner with it."""
    each = values[topology.by_corner]
    ranges = np.zeros(triangles.max() + 1)
    ranges[topology.corners] = (np.maximum.reduceat(each, topology.starts)
                                - np.minimum.reduceat(each, topology.starts)).max(axis=1)
    return ranges[triangles].max(axis=1)


def _owners(p: np.ndarray, painted: np.ndarray, bary: np.ndarray, frm: np.ndarray,
            neighbours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For pixel centres `p` (K, 2) outside the triangles painted over them: the triangle
    that holds each (stepping across the edge it lies farthest beyond, up to `_WALK` times),
    and its source point there; one found in none keeps its painted triangle and the source
    of the nearest point in it (barycentric coordinates clipped), so no sample is
    extrapolated. Region coordinates; triangle -1 (outside the mesh) ends a walk."""
    lam = _lambdas(bary[painted], p)
    owner = painted.copy()
    found = np.zeros(len(p), bool)
    current, todo = painted.copy(), np.arange(len(p))
    for _ in range(_WALK):
        step = neighbours[current[todo], np.argmin(lam[todo], axis=1)]
        todo = todo[step >= 0]
        current[todo] = step[step >= 0]
        lam[todo] = _lambdas(bary[current[todo]], p[todo])
        inside = lam[todo].min(axis=1) >= -_INSIDE
        owner[todo[inside]] = current[todo[inside]]
        found[todo[inside]] = True
        todo = todo[~inside]
    lost = np.flatnonzero(~found)
    lam[lost] = np.clip(_lambdas(bary[painted[lost]], p[lost]), 0.0, None)
    lam[lost] /= lam[lost].sum(axis=1, keepdims=True)
    return owner, np.einsum("kc,kcj->kj", lam, frm[owner])


def _lambdas(rows: np.ndarray, p: np.ndarray) -> np.ndarray:
    """(K, 3) barycentric coordinates of points `p` (K, 2) from their rows (K, 2, 3)."""
    l12 = rows[:, :, 0] * p[:, :1] + rows[:, :, 1] * p[:, 1:] + rows[:, :, 2]
    return np.concatenate([1.0 - l12.sum(axis=1, keepdims=True), l12], axis=1)


def _barycentric(corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2, 3) rows taking a point (x, y, 1) to its barycentric coordinates 1 and 2 in each
    triangle `corners` (T, 3, 2), and whether the triangle has an inside (a degenerate one
    gets rows that put every point outside it)."""
    e1, e2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    det = _cross(e1, e2)
    solid = np.abs(det) > 1e-6
    inv = np.where(solid, 1.0 / np.where(solid, det, 1.0), 0.0)[:, None, None] * np.stack(
        [np.stack([e2[:, 1], -e2[:, 0]], axis=1), np.stack([-e1[:, 1], e1[:, 0]], axis=1)],
        axis=1)  # rows: (x, y) -> barycentric coordinates 1, 2 about corner 0
    rows = np.concatenate([inv, -(inv @ corners[:, 0, :, None])], axis=2)
    rows[~solid, :, 2] = -1.0
    return rows, solid


@dataclass(frozen=True)
class _Topology:
    """How a mesh's triangles meet (the same mesh is warped at every step of a slider)."""

    neighbours: np.ndarray  # (T, 3) the triangle across the edge opposite each corner, or -1
    by_corner: np.ndarray  # (3T,) triangles grouped by their corners...
    starts: np.ndarray  # ...where each group starts
    corners: np.ndarray  # ...and its corner


def _topology(triangles: np.ndarray) -> _Topology:
    """The topology of `triangles` (T, 3), worked out once per mesh (keyed by its bytes)."""
    tris = np.ascontiguousarray(triangles, dtype=np.int64)
    return _topology_of(tris.tobytes(), len(tris))


@lru_cache(maxsize=4)
def _topology_of(data: bytes, n_tri: int) -> _Topology:
    triangles = np.frombuffer(data, dtype=np.int64).reshape(n_tri, 3)
    a = triangles[:, [1, 2, 0]].ravel()
    b = triangles[:, [2, 0, 1]].ravel()
    key = np.minimum(a, b) * (triangles.max() + 1) + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    pair = np.flatnonzero(key[order][1:] == key[order][:-1])
    neighbours = np.full(3 * n_tri, -1)
    first, second = order[pair], order[pair + 1]
    neighbours[first], neighbours[second] = second // 3, first // 3
    corner = triangles.ravel()
    order = np.argsort(corner, kind="stable")
    starts = np.flatnonzero(np.diff(corner[order], prepend=-1))
    parts = (neighbours.reshape(n_tri, 3), order // 3, starts, corner[order][starts])
    for part in parts:
        part.flags.writeable = False  # shared by every warp of the mesh
    return _Topology(*parts)


def _areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Twice the signed area of each triangle."""
    p = points[triangles]
    return _cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])


def _orientation(areas: np.ndarray) -> float:
    """The sign of the mesh's orientation (that of most of its area) in image coordinates."""
    return 1.0 if areas.sum() >= 0 else -1.0


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
