"""The piecewise-affine warp: each pixel sampled through the triangle that holds it (never an
extrapolated map), and no skin folding over, on the canonical face, on a synthetic grid, and
on real photos whose edits folded the mesh (a turned head's jaw drop, a lid raised into its
crease)."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.face.canonical import load_canonical_face
from auedit.face.model_file import find_face_model
from auedit.media.sources import read_image
from auedit.rig.regions import (
    EYE_LOWER0,
    EYE_UPPER0,
    LIPS_LOWER_INNER,
    LIPS_UPPER_INNER,
    mirror_index,
)
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.warp import backward_map, build_mesh, frame_points


def _areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    p = points[triangles]
    a, b = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]


def _rims(canonical) -> list[list[int]]:
    """The landmarks around each eye (the left's and its mirror image) and the inner lips."""
    mirror = mirror_index(canonical.vertices.astype(np.float64))
    left = set(EYE_UPPER0) | set(EYE_LOWER0)
    rims = [left, {int(mirror[i]) for i in left}, set(LIPS_UPPER_INNER) | set(LIPS_LOWER_INNER)]
    return [sorted(rim) for rim in rims]


def _openings(canonical, triangles: np.ndarray) -> np.ndarray:
    """Whether each triangle spans an eye or the mouth or has an edge on its rim."""
    return np.any([np.isin(triangles, rim).sum(axis=1) >= 2 for rim in _rims(canonical)],
                  axis=0)


def _skin_folds(canonical, triangles: np.ndarray, rest: np.ndarray,
                dst: np.ndarray) -> np.ndarray:
    """Triangles of skin (not at an opening) facing the mesh's way at rest, at least a tenth
    of the median triangle, that face the other way in `dst`."""
    face = triangles[(triangles < 468).all(axis=1)]
    facing = np.sign(_areas(rest, face).sum())
    skin = triangles[~_openings(canonical, triangles)]
    before, after = _areas(rest, skin), _areas(dst, skin)
    big = facing * before > 0.1 * np.median(np.abs(before))
    return skin[big & (facing * after < 0)]


@pytest.fixture(scope="module")
def canonical():
    return load_canonical_face(find_face_model())


@pytest.fixture(scope="module")
def frontal(canonical):
    """The canonical face seen from the front, 300 pixels tall, its warp mesh and rest."""
    v = canonical.vertices[:, :2] * np.array([1.0, -1.0])
    lms = (v - v.min(axis=0)) * (300.0 / np.ptp(v[:, 1])) + 100.0
    tris = np.asarray(canonical.triangles, dtype=np.int64)
    frame = frame_points(0.0, 0.0, 500.0, 500.0)
    mesh = build_mesh(lms, tris, frame, _rims(canonical))
    return mesh, mesh.rest(lms, frame)


def test_openings_are_the_eyes_and_the_inner_lips(canonical, frontal):
    mesh, _ = frontal
    np.testing.assert_array_equal(mesh.opening, _openings(canonical, mesh.triangles))
    assert 80 <= mesh.opening.sum() <= 130


def test_triangles_around_the_face_face_its_way(canonical, frontal):
    mesh, rest = frontal
    face = len(canonical.triangles)
    facing = np.sign(_areas(rest, mesh.triangles[:face]).sum())
    assert (facing * _areas(rest, mesh.triangles[face:]) > 0).all()


def test_a_pushed_point_relaxes_instead_of_folding(canonical, frontal):
    mesh, rest = frontal
    shift = np.zeros((468, 2))
    shift[205] = (0.0, -60.0)  # a cheek point dragged up through the cheek above it
    dst, moving = mesh.moved(rest, shift)
    pushed = rest + np.pad(shift, ((0, len(rest) - 468), (0, 0)))
    assert len(_skin_folds(canonical, mesh.triangles, rest, pushed))
    assert len(_skin_folds(canonical, mesh.triangles, rest, dst)) == 0
    # it still moves, carrying its neighbours along, and nothing far away does
    assert dst[205, 1] < rest[205, 1] - 10.0
    assert moving.sum() < 40 and not moving[468:].any()


def test_a_closing_lid_still_closes(frontal):
    mesh, rest = frontal
    shift = np.zeros((468, 2))
    upper, lower = list(EYE_UPPER0), list(EYE_LOWER0)
    below = np.interp(rest[upper, 0], *rest[lower][np.argsort(rest[lower, 0])].T)
    shift[upper, 1] = 1.2 * (below - rest[upper, 1])  # a blink overshooting the lower lid
    dst, _ = mesh.moved(rest, shift)
    # the eye's opening may fold: the lids meet all along (at most the skin at a corner eases)
    assert (dst[upper, 1] > below - 0.25).all()
    assert np.abs(dst[upper] - rest[upper] - shift[upper]).max(axis=1).mean() < 0.5


def _grid(n: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Points on an n x n grid over a size x size image and two triangles per cell."""
    t = np.linspace(0.0, size - 1.0, n)
    points = np.stack(np.meshgrid(t, t), axis=-1).reshape(-1, 2)
    i = np.arange(n - 1)
    a = (i[:, None] * n + i[None, :]).ravel()
    tris = np.concatenate([np.stack([a, a + 1, a + n + 1], axis=1),
                           np.stack([a, a + n + 1, a + n], axis=1)])
    return points, tris


def _true_samples(src: np.ndarray, dst: np.ndarray, tris: np.ndarray,
                  size: int) -> tuple[np.ndarray, np.ndarray]:
    """For every pixel centre: the source point through the (unfolded) destination triangle
    holding it, and whether one does."""
    ys, xs = np.mgrid[0:size, 0:size]
    p = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)
    sample = np.full_like(p, np.nan)
    for t in tris:
        d, s = dst[t], src[t]
        m = np.stack([d[1] - d[0], d[2] - d[0]], axis=1)
        lam = np.linalg.solve(m, (p - d[0]).T).T
        inside = (lam >= -1e-9).all(axis=1) & (lam.sum(axis=1) <= 1.0 + 1e-9)
        sample[inside] = s[0] + lam[inside] @ np.stack([s[1] - s[0], s[2] - s[0]])
    held = ~np.isnan(sample[:, 0])
    return sample.reshape(size, size, 2), held.reshape(size, size)


def test_no_pixel_takes_an_extrapolated_sample():
    size = 97
    src, tris = _grid(7, size)
    dst = src.copy()
    dst[24, 1] -= 15.4  # a squeeze of ~27x in the cell above the point, a stretch below
    dst[17, 0] += 9.0
    moved = np.flatnonzero(np.isin(tris, [17, 24]).any(axis=1))
    bmap = backward_map(src, dst, tris, (size, size), moved)
    truth, held = _true_samples(src, dst, tris, size)
    h, w = bmap.map_x.shape
    roi = np.s_[bmap.y0:bmap.y0 + h, bmap.x0:bmap.x0 + w]
    truth, held = truth[roi], held[roi]
    assert held.all()
    error = np.hypot(bmap.map_x - truth[..., 0], bmap.map_y - truth[..., 1])
    assert error.max() < 0.75, f"a sample {error.max():.1f} px off its triangle's map"
    # pixels of the still triangles are the photo's own
    ys, xs = np.mgrid[roi]
    still = ~bmap.moved
    np.testing.assert_array_equal(bmap.map_x[still], xs[still])
    np.testing.assert_array_equal(bmap.map_y[still], ys[still])


@pytest.fixture(scope="module")
def synth(single_image_tracker):
    return GeometricSynthesizer(single_image_tracker.canonical)


def _prepared(synth, tracker, path):
    image = read_image(path)
    tracker.ids.reset()
    return synth.prepare(image, tracker.track(image, 0.0)[0])


@pytest.mark.parametrize(("photo", "targets"), [
    ("images/wild/couple.jpg", {"AU26": 5.0}),  # a head turned ~24 degrees: the far jaw
    ("london/neutral/030_03.jpg", {"AU5": 5.0}),  # the upper lid into its crease
])
def test_real_edits_fold_no_skin(shared_data, canonical, synth, single_image_tracker, photo,
                                 targets):
    prepared = _prepared(synth, single_image_tracker, shared_data / photo)
    _, shift = synth.displacement(prepared, targets)
    level = synth._level(prepared, False)
    dst, _ = prepared.mesh.moved(level.points, shift * level.scale)
    folds = _skin_folds(canonical, prepared.mesh.triangles, level.points, dst)
    assert len(folds) == 0, f"{len(folds)} triangles of skin fold over: {folds.tolist()}"
    # the edit still happens: most of the face moves as the rig asks
    n = prepared.mesh.n_landmarks
    asked = np.linalg.norm(shift * level.scale, axis=1)
    got = np.linalg.norm(dst[:n] - level.points[:n], axis=1)
    assert np.median(got[asked > 1.0] / asked[asked > 1.0]) > 0.95
