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

Where one part covers another (a closing lid over the eye, a lip folded over the opening, an
overlap of folded triangles) a per-pixel owner would draw the covering edge as a staircase of
whole pixels. Along such seams (neighbouring pixels whose owners' maps disagree) the pixels
within a pixel of the covering triangle's edge blend the front sample with the one behind by
the front's coverage of the pixel (a 1 px ramp across the edge, as OpenCV's anti-aliased
polygon fill draws it); both samples are taken inside their own triangles, never
extrapolated, and pixels away from a seam are left as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
# neighbouring pixels of different triangles whose samples are this much (source pixels)
# farther apart than either triangle's map says are on a seam, one covering the other
_SEAM = 0.5
# ...where the pair straddles the covering edge: their midpoint within this of it (fills
# reach a pixel past their triangles)
_REACH = 1.5
_PAST_END = 0.75  # pixels projecting this far past a covering edge's ends are still beside it
_THIN = 0.5  # a triangle thinner than this (pixels, its height across its longest edge) at
# rest and moved covers nothing: a sliver at a lip corner, its long edges on one line
_REMAP_COLS = 1024  # samples per row of the seams' own remap (remap wants < 32767 a side)


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
    map_x: np.ndarray  # (h, w) float32: through the triangle that owns the pixel
    map_y: np.ndarray
    moved: np.ndarray  # (h, w) bool: inside a moved triangle or on a seam
    # the pixels on a seam (flat indices into the region), each a blend of the sample of the
    # triangle in front (K, 2) and of the one behind, by the front's coverage (K,)
    seam: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    front: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    behind: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float32))
    coverage: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    def remap(self, image: np.ndarray, interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
        out = cv2.remap(image, self.map_x, self.map_y, interpolation,
                        borderMode=cv2.BORDER_REPLICATE)
        k = len(self.seam)
        if k == 0:
            return out
        # both samples of every seam pixel in one remap, laid out in rows of _REMAP_COLS
        n = -(-2 * k // _REMAP_COLS) * _REMAP_COLS
        points = np.zeros((n, 2), np.float32)
        points[:k], points[k:2 * k] = self.front, self.behind
        points = points.reshape(-1, _REMAP_COLS, 2)
        got = cv2.remap(image, points[..., 0], points[..., 1], interpolation,
                        borderMode=cv2.BORDER_REPLICATE)
        got = got.reshape(n, -1).astype(np.float32)
        a = self.coverage[:, None]
        blend = got[:k] * a + got[k:2 * k] * (1.0 - a)
        if np.issubdtype(out.dtype, np.integer):
            info = np.iinfo(out.dtype)
            blend = np.clip(np.rint(blend), info.min, info.max)
        out.reshape(-1, blend.shape[1])[self.seam] = blend.astype(out.dtype)
        return out


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
    that travelled farther over the others (a closing lid over the eye). Along the edges
    where one covers another the map blends the front's sample with the one behind by the
    front's coverage of each pixel (`_seams`; `BackwardMap.remap` draws them), so that they
    are not drawn as staircases of whole pixels."""
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
    # the painting order, in which a triangle covers another; unmoved ones lie behind all
    rank = np.full(n_tri + 1, -1, np.int64)
    rank[paint] = np.arange(len(paint))
    # the edges of painted triangles beyond which something else may show: not one shared
    # with a painted triangle facing the same way, nor one that stays beside the photo
    painted = rank[:n_tri] >= 0
    turned = facing * _areas(dst, triangles) < 0
    across = topology.neighbours  # across the edge opposite each corner
    still = np.linalg.norm(dst - src, axis=1) <= STILL_PX
    stays = still[triangles[:, [1, 2, 0]]] & still[triangles[:, [2, 0, 1]]]
    inner = np.where((across >= 0) & painted[across], turned[across] == turned[:, None],
                     stays & ~turned[:, None])
    rim = np.zeros(n_tri + 1, bool)
    rim[:n_tri] = painted & ~inner.all(axis=1)
    thick = np.ones(n_tri, bool)
    thick[paint] = (_heights(to[paint]) >= _THIN) | (_heights(frm[paint]) >= _THIN)
    seam, front, behind, coverage = _seams(label, map_x, map_y, affine, rank, inner, thick,
                                           rim, bary, to, frm, origin)
    moving = np.take(moved, label)
    moving.ravel()[seam] = True
    return BackwardMap(int(x0), int(y0), map_x, map_y, moving, seam, front, behind, coverage)


def _seams(label: np.ndarray, map_x: np.ndarray, map_y: np.ndarray, affine: np.ndarray,
           rank: np.ndarray, inner: np.ndarray, thick: np.ndarray, rim: np.ndarray,
           bary: np.ndarray, to: np.ndarray, frm: np.ndarray, origin: np.ndarray,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The anti-aliased pixels along the edges where one triangle covers another: (K,)
    flat indices into the region, the source points (K, 2; absolute, as the maps) of the
    triangle in front and of what lies behind it, and the front's coverage of each pixel.
    `to` and `frm` are the triangles' corners in region coordinates, which `origin` is.

    Candidates are 4-neighbours of different triangles, one of them a `rim` triangle (T + 1:
    with an edge not `inner`, (T, 3) the edge opposite each corner), whose samples are
    farther apart (by more than `_SEAM`) than either triangle's affine map takes them. Of
    the two, the one painted later (`rank`; an unmoved triangle or none is the photo itself,
    behind all) is in front, and its edge nearest the pair's midpoint is the covering edge
    (of those not inner, where there are any), which must pass within `_REACH` of it. A
    front triangle not `thick` (under `_THIN` px across its longest edge, at rest and
    moved) covers nothing: the slivers at a closed mouth's corners, long edges on one line,
    had pixels beside that line, which they do not hold, take their sample, the dark
    crease's, in specks and ticks at the lip corners (a lid squeezed thin by a blink is
    skin, and keeps its anti-aliased edge). It is a seam where what the two show at that
    edge differs by more than `_SEAM` (source pixels): two triangles meeting edge to edge,
    or a moved one meeting the photo along an edge that stays, agree there however
    differently they stretch.

    Each pixel of the pair and the next one out either side (fills reach a pixel past
    their edges) that belongs to one of the two and lies beside the covering edge (not past
    its ends, `_PAST_END`) takes a·front + (1 - a)·behind, a its signed distance inside the
    covering edge + 0.5 clipped to [0, 1]: a box filter 1 px wide across the edge. Both
    samples are taken at the point of their triangle nearest the pixel, so nothing is
    extrapolated (a fill's pixel just outside its triangle would extrapolate its map a
    little); a pixel near several seams follows the nearest."""
    h, w = label.shape
    lab = label.ravel()
    # only around the rim triangles
    corners = to[rim[:-1]].reshape(-1, 2)
    if len(corners) == 0:
        return _no_seams()
    x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(corners.max(axis=0)).astype(int) + 3, (w, h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return _no_seams()
    box = np.ascontiguousarray(label[y0:y1, x0:x1]).ravel()
    bw = x1 - x0
    right = box[:-1] != box[1:]
    right[bw - 1::bw] = False  # a row's last pixel and the next row's first
    right = np.flatnonzero(right)
    down = np.flatnonzero(box[:-bw] != box[bw:])
    p = np.concatenate([right, down])
    vertical = np.arange(len(p)) >= len(right)
    lp, lq = box[p], box[p + np.where(vertical, bw, 1)]
    near = rim[lp] | rim[lq]  # one of them may cover the other
    p, vertical, lp, lq = p[near], vertical[near], lp[near], lq[near]
    p = (p // bw + y0) * w + p % bw + x0
    step = np.where(vertical, w, 1)
    q = p + step
    dx = map_x.ravel()[q] - map_x.ravel()[p]
    dy = map_y.ravel()[q] - map_y.ravel()[p]
    col = vertical.astype(np.intp)  # the maps' derivatives along the step
    jump = np.minimum(np.hypot(dx - affine[lp, 0, col], dy - affine[lp, 1, col]),
                      np.hypot(dx - affine[lq, 0, col], dy - affine[lq, 1, col]))
    on = jump > _SEAM
    p, q, step, lp, lq = p[on], q[on], step[on], lp[on], lq[on]
    first = rank[lp] > rank[lq]
    front = np.where(first, lp, lq)
    back = np.where(first, lq, lp)
    solid = thick[front]  # a sliver in front covers nothing
    p, q, step, front, back = p[solid], q[solid], step[solid], front[solid], back[solid]
    # the front triangle's edges as lines n.(x, y) + c, the signed distance inside
    rows = bary[front]  # (K, 2, 3)
    lines = np.stack([-(rows[:, 0] + rows[:, 1]), rows[:, 0], rows[:, 1]], axis=1)
    lines[:, 0, 2] += 1.0
    lines /= np.hypot(lines[..., 0], lines[..., 1])[..., None]
    mid = np.stack([p % w + 0.5 * (step == 1), p // w + 0.5 * (step != 1)], axis=1)
    dist = np.einsum("kec,kc->ke", lines[..., :2], mid) + lines[..., 2]
    outer = ~inner[front]
    nearest = np.argmin(np.where(outer | ~outer.any(axis=1, keepdims=True), dist, np.inf),
                        axis=1)
    pick = np.arange(len(p))
    edge, off = lines[pick, nearest], dist[pick, nearest]  # (K, 3), (K,)
    # what each shows where the midpoint meets the covering edge
    at_edge = mid - off[:, None] * edge[:, :2]
    shown = _sample(np.concatenate([front, back]), np.concatenate([at_edge, at_edge]), rank,
                    bary, to, frm)
    gap = np.hypot(*(shown[:len(p)] - shown[len(p):]).T)
    on = (gap > _SEAM) & (np.abs(off) <= _REACH)
    p, q, step, front, back, edge = p[on], q[on], step[on], front[on], back[on], edge[on]
    ends = to[front[:, None], (nearest[on, None] + [1, 2]) % 3]  # (K, 2, 2)
    along = ends[:, 1] - ends[:, 0]
    length = np.maximum(np.hypot(*along.T), 1e-9)
    # the pair and the next pixel out either side (within the row or the column)
    at = np.stack([p - step, p, q, q + step], axis=1)
    valid = np.ones(at.shape, bool)
    valid[:, 0] = np.where(step == 1, p % w >= 1, p >= w)
    valid[:, 3] = np.where(step == 1, q % w < w - 1, q < (h - 1) * w)
    k = np.repeat(np.arange(len(p)), 4)[valid.ravel()]
    at = at.ravel()[valid.ravel()]
    own = lab[at]
    mine = (own == front[k]) | (own == back[k])
    k, at, own = k[mine], at[mine], own[mine]
    xy = np.stack([at % w, at // w], axis=1).astype(np.float64)
    # beside the covering edge, not past its ends (where its line covers nothing)
    t = ((xy - ends[k, 0]) * along[k]).sum(axis=1) / length[k]
    beside = (t >= -_PAST_END) & (t <= length[k] + _PAST_END)
    k, at, own, xy = k[beside], at[beside], own[beside], xy[beside]
    d = (edge[k, :2] * xy).sum(axis=1) + edge[k, 2]
    # a pixel on several seams: the nearest (|d| < 4 here: the pixels are that close)
    order = np.argsort(at * 8.0 + np.minimum(np.abs(d), 7.0), kind="stable")
    keep = order[np.flatnonzero(np.diff(at[order], prepend=-1))]
    k, at, own, xy, d = k[keep], at[keep], own[keep], xy[keep], d[keep]
    a = np.clip(0.5 + d, 0.0, 1.0)
    change = np.where(own == front[k], a < 1.0, a > 0.0)
    k, at, xy, a = k[change], at[change], xy[change], a[change]
    src = _sample(np.concatenate([front[k], back[k]]), np.concatenate([xy, xy]), rank, bary,
                  to, frm) + origin
    src = src.astype(np.float32)
    return at.astype(np.int64), src[:len(at)], src[len(at):], a.astype(np.float32)


def _no_seams() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    none = np.zeros((0, 2), np.float32)
    return np.zeros(0, np.int64), none, none, np.zeros(0, np.float32)


def _sample(tris: np.ndarray, p: np.ndarray, rank: np.ndarray, bary: np.ndarray,
            to: np.ndarray, frm: np.ndarray) -> np.ndarray:
    """The source points (K, 2) of points `p` (K, 2) through triangles `tris` (K,) (region
    coordinates): through a painted one's map at its point nearest `p`, never extrapolated;
    the photo itself (`p`) for an unpainted one or none (`rank` below 0)."""
    out = p.copy()
    painted = np.flatnonzero(rank[tris] >= 0)
    t, q = tris[painted], p[painted]
    lam = _lambdas(bary[t], q)
    outside = np.flatnonzero(lam.min(axis=1) < -_INSIDE)
    if len(outside):  # the nearest point on the triangle's edges, as barycentric coordinates
        c, r = to[t[outside]], q[outside]  # (M, 3, 2), (M, 2)
        ends = np.roll(c, -1, axis=1)
        along = ends - c  # edges 0-1, 1-2, 2-0
        u = np.clip(np.einsum("mej,mej->me", r[:, None] - c, along)
                    / np.maximum(np.einsum("mej,mej->me", along, along), 1e-12), 0.0, 1.0)
        off = c + u[..., None] * along - r[:, None]
        e = np.argmin(np.einsum("mej,mej->me", off, off), axis=1)
        u = u[np.arange(len(e)), e]
        fixed = np.zeros((len(e), 3))
        fixed[np.arange(len(e)), e] = 1.0 - u
        fixed[np.arange(len(e)), (e + 1) % 3] = u
        lam[outside] = fixed
    out[painted] = np.einsum("kc,kcj->kj", lam, frm[t])
    return out


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


def _heights(corners: np.ndarray) -> np.ndarray:
    """How thick each triangle (T, 3, 2) is: its height across its longest edge."""
    edges = corners[:, [1, 2, 0]] - corners
    longest = np.sqrt(np.einsum("tej,tej->te", edges, edges).max(axis=1))
    return np.abs(_cross(edges[:, 0], -edges[:, 2])) / np.maximum(longest, 1e-12)


def _areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Twice the signed area of each triangle."""
    p = points[triangles]
    return _cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])


def _orientation(areas: np.ndarray) -> float:
    """The sign of the mesh's orientation (that of most of its area) in image coordinates."""
    return 1.0 if areas.sum() >= 0 else -1.0


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
