"""auedit.render: coverage, depth test, no cracks, large triangles, batching, shading, CUDA."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from auedit.render import Camera, rasterize, render, vertex_normals  # noqa: E402
from auedit.render.raster import MAX_WINDOW  # noqa: E402

ORTHO = Camera.orthographic(1.0, (0.0, 0.0))


def screen(*corners) -> torch.Tensor:
    return torch.tensor([corners], dtype=torch.float32)


def grid_mesh(n: int, lo: float, hi: float, z: float = 1.0):
    """An n x n grid of quads (2 triangles each) covering [lo, hi]^2 at depth z."""
    t = torch.linspace(lo, hi, n + 1)
    gy, gx = torch.meshgrid(t, t, indexing="ij")
    verts = torch.stack((gx, gy, torch.full_like(gx, z)), -1).reshape(-1, 3)
    idx = torch.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    tris = torch.cat((torch.stack((a, b, d), -1), torch.stack((a, d, c), -1))).reshape(-1, 3)
    return verts, tris


def test_single_triangle_area_and_barycentrics():
    pts = screen([10.3, 12.1, 2.0], [95.7, 25.4, 4.0], [31.2, 88.9, 6.0])
    tri_id, bary, depth = rasterize(pts, torch.tensor([[0, 1, 2]]), (100, 120))
    x, y = pts[0, :, 0], pts[0, :, 1]
    area = abs(float((x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0]))) / 2
    covered = tri_id[0] >= 0
    assert abs(int(covered.sum()) - area) / area < 0.02
    assert (tri_id[0][covered] == 0).all() and (tri_id[0][~covered] == -1).all()
    b = bary[0][covered]
    assert torch.allclose(b.sum(-1), torch.ones(len(b)), atol=1e-5)
    assert (b >= 0).all()
    iy, ix = torch.nonzero(covered, as_tuple=True)
    centres = torch.stack((ix + 0.5, iy + 0.5), -1)
    assert torch.allclose(b @ pts[0, :, :2], centres, atol=1e-3)
    assert torch.allclose(depth[0][covered], b @ pts[0, :, 2], atol=1e-4)
    assert torch.isinf(depth[0][~covered]).all() and (bary[0][~covered] == 0).all()


def test_both_windings_drawn():
    pts = screen([10, 10, 1], [50, 10, 1], [10, 50, 1])
    a, _, _ = rasterize(pts, torch.tensor([[0, 1, 2]]), (64, 64))
    b, _, _ = rasterize(pts, torch.tensor([[0, 2, 1]]), (64, 64))
    assert (a >= 0).sum() > 700 and torch.equal(a, b)


def test_nearer_triangle_wins_with_labels_and_depth():
    verts = torch.tensor([[[5, 5, 10], [60, 5, 10], [5, 60, 10],  # far, drawn first
                           [20, 20, 3], [60, 20, 3], [20, 60, 3]]], dtype=torch.float32)
    tris = torch.tensor([[0, 1, 2], [3, 4, 5]])
    out = render(verts, tris, torch.ones(6, 3), torch.tensor([1, 2]), (64, 64), ORTHO)
    assert out.triangle_id[0, 25, 25] == 1 and out.labels[0, 25, 25] == 2
    assert out.depth[0, 25, 25] == pytest.approx(3.0)
    assert out.triangle_id[0, 8, 8] == 0 and out.labels[0, 8, 8] == 1
    assert out.depth[0, 8, 8] == pytest.approx(10.0)
    assert out.labels[0, 62, 62] == 0 and out.triangle_id[0, 62, 62] == -1
    assert torch.isinf(out.depth[0, 62, 62])
    # reversed order in the triangle list: the same winner
    swapped = render(verts, tris[[1, 0]], torch.ones(6, 3), torch.tensor([2, 1]), (64, 64), ORTHO)
    assert torch.equal(swapped.labels, out.labels)


def test_no_cracks_in_grid():
    verts, tris = grid_mesh(20, 3.3, 96.7)
    tri_id, _, _ = rasterize(verts[None], tris, (100, 100))
    inside = tri_id[0, 4:96, 4:96]
    assert (inside >= 0).all()
    # the quad of two triangles covering an area: no uncovered pixel inside
    quad = torch.tensor([[[0.0, 0.0, 1.0], [64.0, 0.0, 1.0], [64.0, 64.0, 1.0], [0, 64, 1]]])
    tri_id, _, _ = rasterize(quad, torch.tensor([[0, 1, 2], [0, 2, 3]]), (64, 64))
    assert (tri_id >= 0).all()


def test_no_cracks_in_irregular_mesh():
    verts, tris = grid_mesh(16, 2.0, 126.0)
    gen = torch.Generator().manual_seed(0)
    interior = (verts[:, :2] > 2.5).all(-1) & (verts[:, :2] < 125.5).all(-1)
    verts[interior, :2] += 3.0 * (torch.rand(int(interior.sum()), 2, generator=gen) - 0.5)
    verts[:, 2] = torch.rand(len(verts), generator=gen) + 1
    tri_id, _, _ = rasterize(verts[None], tris, (128, 128))
    assert (tri_id[0, 3:125, 3:125] >= 0).all()


@pytest.mark.parametrize("extent", [MAX_WINDOW + 5, 3 * MAX_WINDOW + 7, 400])
def test_large_triangles_fully_covered(extent):
    size = extent + 20
    quad = torch.tensor([[[10, 10, 1], [10 + extent, 10, 1], [10 + extent, 10 + extent, 1],
                          [10, 10 + extent, 1]]], dtype=torch.float32)
    tri_id, bary, _ = rasterize(quad, torch.tensor([[0, 1, 2], [0, 2, 3]]), (size, size))
    assert (tri_id[0, 10:10 + extent, 10:10 + extent] >= 0).all()
    assert (tri_id[0, :10] == -1).all() and (tri_id[0, :, 10 + extent:] == -1).all()
    assert torch.allclose(bary.sum(-1)[tri_id >= 0], torch.tensor(1.0), atol=1e-5)


def test_partly_off_screen_triangle_is_clipped():
    pts = screen([-50, -50, 1], [150, -40, 1], [-40, 150, 1])
    tri_id, _, _ = rasterize(pts, torch.tensor([[0, 1, 2]]), (40, 30))
    assert tri_id.shape == (1, 40, 30) and (tri_id[0, :20, :20] == 0).all()


def _random_faces(batch: int, seed: int = 0):
    verts, tris = grid_mesh(12, -1.0, 1.0)
    gen = torch.Generator().manual_seed(seed)
    bump = torch.exp(-4 * (verts[:, 0] ** 2 + verts[:, 1] ** 2))
    verts = verts.clone()
    verts[:, 2] = 5.0 - bump
    batch_verts = verts[None] + 0.03 * torch.randn(batch, *verts.shape, generator=gen)
    colors = torch.rand(batch, len(verts), 3, generator=gen)
    labels = torch.randint(1, 5, (len(tris),), generator=gen)
    return batch_verts, tris, colors, labels


@pytest.mark.parametrize("camera", [Camera.orthographic(40.0, (48.0, 40.0)),
                                    Camera.perspective(200.0, (48.0, 40.0))])
def test_batch_equals_one_by_one(camera):
    verts, tris, colors, labels = _random_faces(5)
    out = render(verts, tris, colors, labels, (80, 96), camera)
    assert out.color.shape == (5, 80, 96, 3) and out.labels.dtype == torch.int64
    for i in range(5):
        one = render(verts[i:i + 1], tris, colors[i], labels, (80, 96), camera)
        assert torch.equal(one.triangle_id[0], out.triangle_id[i])
        assert torch.equal(one.labels[0], out.labels[i])
        assert torch.allclose(one.color[0], out.color[i], atol=1e-5)
        assert torch.allclose(one.depth[0], out.depth[i], atol=1e-5, equal_nan=False)


def test_perspective_depth_is_camera_z():
    verts, tris = grid_mesh(4, -1.0, 1.0, z=4.0)
    verts[:, 2] += verts[:, 0]  # tilted plane z = 4 + x
    cam = Camera.perspective(30.0, (32.0, 32.0))
    out = render(verts[None], tris, torch.ones(len(verts), 3), torch.ones(len(tris),
                 dtype=torch.int64), (64, 64), cam)
    iy, ix = torch.nonzero(out.triangle_id[0] >= 0, as_tuple=True)
    # the ray through the pixel centre hits the plane at x = z (u - c) / f, z = 4 + x
    u = (ix.float() + 0.5 - 32.0) / 30.0
    z_true = 4.0 / (1.0 - u)
    assert torch.allclose(out.depth[0, iy, ix], z_true, rtol=1e-4)


def test_shading_facing_light_brighter_and_background():
    verts, tris = grid_mesh(2, -1.0, 1.0)
    flat = verts.clone()
    flat[:, 2] = 5.0
    tilted = verts.clone()
    tilted[:, 2] = 5.0 + 0.9 * verts[:, 0]  # normal turned towards +x, away from the light
    cam = Camera.orthographic(20.0, (32.0, 32.0))
    white = torch.ones(len(verts), 3)
    labels = torch.full((len(tris),), 3)
    kwargs = {"light_dir": (0.0, 0.0, -1.0), "background": (0.2, 0.4, 0.6)}
    out = render(torch.stack((flat, tilted)), tris, white, labels, (64, 64), cam, **kwargs)
    centre = out.color[:, 28:36, 28:36].mean((1, 2, 3))
    assert centre[0] > centre[1] + 0.1
    assert torch.allclose(out.color[:, 2, 2], torch.tensor([0.2, 0.4, 0.6]))
    assert (out.labels[:, 32, 32] == 3).all() and (out.labels[:, 2, 2] == 0).all()
    assert float(out.color.min()) >= 0.0 and float(out.color.max()) <= 1.0
    # smooth shading: vertex normals of a flat grid face the camera
    normals = vertex_normals(flat[None], tris)
    assert torch.allclose(normals.abs(), torch.tensor([0.0, 0.0, 1.0]).expand_as(normals))


def test_vertex_colours_interpolated():
    verts = torch.tensor([[[0, 0, 1], [64, 0, 1], [0, 64, 1]]], dtype=torch.float32)
    colors = torch.eye(3)
    out = render(verts, torch.tensor([[0, 1, 2]]), colors, torch.tensor([1]), (64, 64), ORTHO,
                 ambient=1.0, diffuse=0.0, specular=0.0)
    assert torch.allclose(out.color[0, 0, 0], torch.tensor([1.0, 0, 0]), atol=0.03)
    assert torch.allclose(out.color[0, 0, 62], torch.tensor([0, 1.0, 0]), atol=0.05)
    assert torch.allclose(out.color[0, 20, 20].sum(), torch.tensor(1.0), atol=1e-4)


def test_texture_multiplies_the_colours_of_triangles_with_coordinates():
    """A square of two triangles: the one whose corners all have texture coordinates takes
    the texture's factor (left half of the texture 0.5, right half 1), the other keeps its
    vertex colour."""
    verts = torch.tensor([[[0, 0, 1], [64, 0, 1], [64, 64, 1], [0, 64, 1]]], dtype=torch.float32)
    tris = torch.tensor([[0, 1, 2], [0, 2, 3]])  # upper right, lower left
    uvs = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [float("nan")] * 2])
    texture = torch.ones(3, 8, 8)
    texture[:, :, :4] = 0.5
    out = render(verts, tris, torch.ones(4, 3), torch.tensor([1, 1]), (64, 64), ORTHO,
                 ambient=1.0, diffuse=0.0, specular=0.0, uvs=uvs, texture=texture)
    color = out.color[0, ..., 0]
    assert torch.allclose(color[4, 20], torch.tensor(0.5), atol=0.02)  # textured, left half
    assert torch.allclose(color[4, 60], torch.tensor(1.0), atol=0.02)  # textured, right half
    assert torch.allclose(color[60, 4], torch.tensor(1.0), atol=1e-5)  # no coordinates


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu():
    verts, tris, colors, labels = _random_faces(4)
    cam = Camera.perspective(200.0, (48.0, 40.0))
    cpu = render(verts, tris, colors, labels, (80, 96), cam)
    gpu = render(verts.cuda(), tris.cuda(), colors.cuda(), labels.cuda(), (80, 96), cam)
    assert gpu.color.device.type == "cuda"
    same = (gpu.triangle_id.cpu() == cpu.triangle_id).float().mean()
    assert same > 0.999  # rounding may flip a pixel on a shared edge
    agree = gpu.triangle_id.cpu() == cpu.triangle_id
    assert torch.allclose(gpu.color.cpu()[agree], cpu.color[agree], atol=1e-4)
    assert torch.equal(gpu.labels.cpu()[agree], cpu.labels[agree])
