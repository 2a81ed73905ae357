"""Batched triangle rasterization with a packed-key z-buffer (no gradients; CPU or CUDA).

Every triangle is rasterized through fixed K x K pixel windows placed on its clipped bounding
box: triangles go into size buckets (K = 2, 3, 4, 6, 8, ... ``MAX_WINDOW``) and a triangle
whose box is larger than the largest window is covered by several windows, so none leaves holes.
Inside each window the barycentrics of the pixel centres (x + 0.5, y + 0.5) are evaluated; the
inside pixels pack (quantised depth << 32 | triangle id) into one int64 key, and
``scatter_reduce(amin)`` keeps the nearest key per pixel. The winner's barycentrics and depth are
then recomputed per pixel. Inside tests are inclusive with a small tolerance, so pixels on a
shared edge go to both triangles (the z-buffer picks one): no cracks. Equal depths resolve to
the lower triangle id. Both windings are drawn (no back-face culling).

All work follows the device of the input tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from auedit.render.camera import Camera
from auedit.render.shading import shade, vertex_normals

WINDOWS = (2, 3, 4, 6, 8, 12, 16, 24, 32)  # window per size bucket; the last one tiles
MAX_WINDOW = WINDOWS[-1]
INSIDE_EPS = 1e-4  # barycentric tolerance of the inside test (inclusive edges)
_QMAX = 2**30  # depth levels; key = quantised depth << 32 | triangle id (no overflow)
_EMPTY = torch.iinfo(torch.int64).max


@dataclass
class RenderOutput:
    color: torch.Tensor  # (B, H, W, 3) float32 in [0, 1]
    labels: torch.Tensor  # (B, H, W) int64, 0 = background
    depth: torch.Tensor  # (B, H, W) float32 camera-space z, +inf for background
    triangle_id: torch.Tensor  # (B, H, W) int64, -1 = background


@torch.no_grad()
def rasterize(screen_xyz: torch.Tensor, triangles: torch.Tensor, size: tuple[int, int],
              perspective_correct: bool = False,
              ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Z-buffered coverage of a batch of meshes sharing one triangle list.

    screen_xyz: (B, V, 3) x, y in pixels of the output image (x right, y down; pixel (i, j)
    covers [j, j+1) x [i, i+1), its centre at +0.5), z = depth (larger = farther).
    triangles: (T, 3) vertex indices. size: (H, W).

    Depth is interpolated linearly in screen space; with ``perspective_correct`` (z being
    camera-space depth of a perspective projection, > 0) 1/z is interpolated instead and the
    returned barycentrics are perspective-correct. Triangles with non-finite vertices or zero
    screen area are skipped.

    Returns triangle_id (B, H, W) int64 (-1 = background), barycentrics (B, H, W, 3) float32
    (zeros for background) and depth (B, H, W) float32 (+inf for background).
    """
    h, w = int(size[0]), int(size[1])
    device = screen_xyz.device
    pts = screen_xyz.float()
    bsz = pts.shape[0]
    tris = triangles.to(device=device, dtype=torch.int64)
    n_tri = tris.shape[0]
    corners = pts[:, tris]  # (B, T, 3 corners, 3 coords)
    x, y, z = corners.unbind(-1)  # each (B, T, 3)
    ux, uy = x[..., 1] - x[..., 0], y[..., 1] - y[..., 0]  # edge v0 -> v1
    vx, vy = x[..., 2] - x[..., 0], y[..., 2] - y[..., 0]  # edge v0 -> v2
    area = ux * vy - uy * vx  # twice the signed screen area

    x0 = torch.ceil(x.amin(-1) - 0.5).clamp(min=0)
    x1 = torch.floor(x.amax(-1) - 0.5).clamp(max=w - 1)
    y0 = torch.ceil(y.amin(-1) - 0.5).clamp(min=0)
    y1 = torch.floor(y.amax(-1) - 0.5).clamp(max=h - 1)
    finite = torch.isfinite(corners).all(-1).all(-1)
    if perspective_correct:
        finite &= (z > 0).all(-1)
    valid = finite & (area.abs() > 1e-12) & (x1 >= x0) & (y1 >= y0)
    # guard the integer conversions against inf / nan of skipped triangles
    x0, x1, y0, y1 = (torch.where(valid, v, torch.zeros_like(v)).long() for v in (x0, x1, y0, y1))

    # depth quantisation per batch item, from the range of its (valid) vertex depths
    zv = torch.where(valid[..., None], z, torch.nan).flatten(1)
    zmin = torch.nan_to_num(zv.nan_to_num(torch.inf).amin(1), posinf=0.0)
    zmax = torch.nan_to_num(zv.nan_to_num(-torch.inf).amax(1), neginf=1.0)
    zscale = (_QMAX - 1) / (zmax - zmin).clamp_min(1e-20)

    # per-triangle table: (b1, b2) = M (p - v0), b0 = 1 - b1 - b2; depth attribute z (or 1/z)
    # = za0 + b1 (za1 - za0) + b2 (za2 - za0)
    inv = 1.0 / torch.where(valid, area, torch.ones_like(area))
    za = 1.0 / torch.where(valid[..., None], z, torch.ones_like(z)) if perspective_correct else z
    table = torch.stack((x[..., 0], y[..., 0], vy * inv, -vx * inv, -uy * inv, ux * inv,
                         za[..., 0], za[..., 1] - za[..., 0], za[..., 2] - za[..., 0]),
                        -1).reshape(-1, 9)
    item_of = torch.arange(bsz, device=device).repeat_interleave(n_tri)
    quant = torch.stack((zmin, zscale), -1)[item_of]  # (B*T, 2)

    keys = torch.full((bsz * h * w,), _EMPTY, dtype=torch.int64, device=device)
    bw, bh = x1 - x0 + 1, y1 - y0 + 1
    bucket = torch.bucketize(torch.maximum(bw, bh), torch.tensor(WINDOWS, device=device))
    bucket = torch.where(valid, bucket.clamp(max=len(WINDOWS) - 1), -1).reshape(-1)
    x0, x1, y0, y1 = (v.reshape(-1) for v in (x0, x1, y0, y1))
    for k_idx, k in enumerate(WINDOWS):
        sel = torch.nonzero(bucket == k_idx).squeeze(1)
        if sel.numel() == 0:
            continue
        ox, oy, ex, ey = x0[sel], y0[sel], x1[sel], y1[sel]
        if k == MAX_WINDOW:  # tile boxes larger than the window
            nx = (ex - ox) // k + 1
            count = nx * ((ey - oy) // k + 1)
            src = torch.repeat_interleave(torch.arange(sel.numel(), device=device), count)
            local = torch.arange(src.numel(), device=device) - (torch.cumsum(count, 0) - count)[src]
            nx = nx[src]
            ox = ox[src] + (local % nx) * k
            oy = oy[src] + torch.div(local, nx, rounding_mode="floor") * k
            sel, ex, ey = sel[src], ex[src], ey[src]
        _draw_windows(keys, sel, ox, oy, ex, ey, k, n_tri, (h, w), table.index_select(0, sel),
                      quant.index_select(0, sel), perspective_correct)

    tri_flat = torch.where(keys == _EMPTY, -1, keys & 0xFFFFFFFF)
    bary, depth = _winner_barycentrics(tri_flat, table, n_tri, (bsz, h, w), perspective_correct)
    return tri_flat.view(bsz, h, w), bary, depth


def _barycentrics(tab: torch.Tensor, px: torch.Tensor, py: torch.Tensor):
    """b0, b1, b2 of pixel centres (px, py) (broadcastable) for table rows ``tab`` (N, 9)."""
    col = [tab[:, i].view(-1, *([1] * (px.dim() - 1))) for i in range(6)]
    dx, dy = px - col[0], py - col[1]
    b1 = col[2] * dx + col[3] * dy
    b2 = col[4] * dx + col[5] * dy
    return 1.0 - b1 - b2, b1, b2


def _draw_windows(keys, sel, ox, oy, ex, ey, k, n_tri, size, tab, quant, perspective_correct):
    """Depth-test the K x K windows at (ox, oy) (box ends ex, ey) of flat triangles ``sel``."""
    h, w = size
    device = keys.device
    steps = torch.arange(k, device=device)
    px = ox[:, None, None] + steps[None, None, :]  # (N, 1, K)
    py = oy[:, None, None] + steps[None, :, None]  # (N, K, 1)
    b0, b1, b2 = _barycentrics(tab, px.float() + 0.5, py.float() + 0.5)  # (N, K, K)
    inside = (b0 >= -INSIDE_EPS) & (b1 >= -INSIDE_EPS) & (b2 >= -INSIDE_EPS)
    inside &= (px <= ex[:, None, None]) & (py <= ey[:, None, None])
    zpix = tab[:, 6, None, None] + b1 * tab[:, 7, None, None] + b2 * tab[:, 8, None, None]
    if perspective_correct:
        zpix = 1.0 / zpix
    q = ((zpix - quant[:, 0, None, None]) * quant[:, 1, None, None]).clamp_(0, _QMAX)
    item = torch.div(sel, n_tri, rounding_mode="floor")
    key = (q.long() << 32) | (sel - item * n_tri)[:, None, None]
    pix = (item * (h * w))[:, None, None] + py.clamp(max=h - 1) * w + px.clamp(max=w - 1)
    m = inside.reshape(-1)
    keys.scatter_reduce_(0, pix.reshape(-1)[m], key.reshape(-1)[m], "amin")


def _winner_barycentrics(tri_flat, table, n_tri, shape, perspective_correct):
    bsz, h, w = shape
    device = tri_flat.device
    bary = torch.zeros(bsz * h * w, 3, device=device)
    depth = torch.full((bsz * h * w,), torch.inf, device=device)
    pix = torch.nonzero(tri_flat >= 0).squeeze(1)
    if pix.numel():
        item = torch.div(pix, h * w, rounding_mode="floor")
        rem = pix - item * (h * w)
        py = torch.div(rem, w, rounding_mode="floor")
        px = rem - py * w
        tab = table.index_select(0, item * n_tri + tri_flat[pix])
        b = torch.stack(_barycentrics(tab, px.float() + 0.5, py.float() + 0.5), -1)
        b = b.clamp_min(0)  # pixels accepted by the edge tolerance
        b = b / b.sum(1, keepdim=True)
        za = tab[:, 6, None] + torch.nn.functional.pad(tab[:, 7:], (1, 0))  # (N, 3) per corner
        if perspective_correct:  # za = 1/z: interpolate 1/z, weight attributes by it
            bz = b * za
            inv = bz.sum(1)
            b = bz / inv[:, None]
            d = 1.0 / inv
        else:
            d = (b * za).sum(1)
        bary[pix] = b
        depth[pix] = d
    return bary.view(bsz, h, w, 3), depth.view(bsz, h, w)


@torch.no_grad()
def render(vertices: torch.Tensor, triangles: torch.Tensor, vertex_colors: torch.Tensor,
           triangle_labels: torch.Tensor, size: tuple[int, int], projection: Camera,
           light_dir=(-0.4, -0.6, -1.0), ambient: float = 0.35, diffuse: float = 0.65,
           specular: float = 0.12, shininess: float = 24.0, background=(0.0, 0.0, 0.0),
           two_sided: bool = True, uvs: torch.Tensor | None = None,
           texture: torch.Tensor | None = None,
           normal_bend: torch.Tensor | None = None) -> RenderOutput:
    """Shaded colour, part labels and depth of a batch of meshes sharing one triangle list.

    vertices: (B, V, 3) camera space (x right, y down, z forward, away from the camera).
    vertex_colors: (V, 3) or (B, V, 3) in [0, 1]. triangle_labels: (T,) int64 part ids (> 0).
    projection: a ``Camera``. light_dir: camera-space direction from the surface towards the
    light (default: from upper left, in front of the face). No back-face culling (the z-buffer
    decides); ``two_sided`` flips normals that face away from the camera before lighting.
    Colours and normals are interpolated with the rasterizer's barycentrics (perspective-correct
    for a perspective camera, plain screen-space for orthographic, where the two agree).
    Depth is camera-space z (+inf for background). With ``uvs`` ((V, 2) in [0, 1], v down; nan
    on vertices without) and ``texture`` ((3, H, W)), triangles whose corners all have texture
    coordinates have their vertex colours multiplied by the texture (bilinear). With
    ``normal_bend`` ((V,) in [0, 1]) each vertex's normal turns that share of the way towards
    the camera (softer shading of a curved part, such as an eyeball's white).
    """
    device = vertices.device
    verts = vertices.float()
    bsz, n_vert = verts.shape[:2]
    h, w = int(size[0]), int(size[1])
    tris = triangles.to(device=device, dtype=torch.int64)
    screen = projection.project(verts)
    if projection.is_perspective:
        screen = torch.where(verts[..., 2:] > 0, screen, torch.nan)
    tri_id, bary, depth = rasterize(screen, tris, (h, w), projection.is_perspective)

    colors = vertex_colors.to(device=device, dtype=torch.float32)
    colors = colors.expand(bsz, n_vert, 3) if colors.dim() == 2 else colors
    # per-triangle table of corner attributes: colours, normals (and positions for perspective)
    normals = vertex_normals(verts, tris)
    if normal_bend is not None:
        bend = normal_bend.to(device=device, dtype=torch.float32)[None, :, None]
        towards = torch.tensor([0.0, 0.0, -1.0], device=device)
        normals = torch.nn.functional.normalize(normals * (1.0 - bend) + towards * bend,
                                                dim=-1, eps=1e-20)
    attrs = [colors, normals]
    if projection.is_perspective:
        attrs.append(verts)
    table = torch.stack(attrs, 2)[:, tris].reshape(bsz * tris.shape[0], 3, len(attrs), 3)
    bg = torch.tensor(background, dtype=torch.float32, device=device)
    color = bg.expand(bsz * h * w, 3).clone()
    labels = torch.zeros(bsz * h * w, dtype=torch.int64, device=device)
    flat_tri = tri_id.reshape(-1)
    pix = torch.nonzero(flat_tri >= 0).squeeze(1)
    if pix.numel():
        tri = flat_tri[pix]
        item = torch.div(pix, h * w, rounding_mode="floor")
        corner = table.index_select(0, item * tris.shape[0] + tri)  # (N, 3, A, 3)
        b = bary.reshape(-1, 3).index_select(0, pix)
        interp = (corner * b[:, :, None, None]).sum(1)  # (N, A, 3)
        normal = torch.nn.functional.normalize(interp[:, 1], dim=-1, eps=1e-20)
        albedo = interp[:, 0]
        if texture is not None and uvs is not None:
            corner_uv = uvs.to(device=device, dtype=torch.float32)[tris]  # (T, 3, 2)
            albedo = _textured(albedo, corner_uv, tri, b, texture.to(device))
        light = torch.nn.functional.normalize(
            torch.tensor(light_dir, dtype=torch.float32, device=device), dim=0)
        if projection.is_perspective:  # towards the camera at the origin
            view = torch.nn.functional.normalize(-interp[:, 2], dim=-1)
        else:
            view = torch.tensor([0.0, 0.0, -1.0], device=device)
        color[pix] = shade(albedo, normal, view, light, ambient, diffuse, specular,
                           shininess, two_sided)
        labels[pix] = triangle_labels.to(device=device, dtype=torch.int64)[tri]
    return RenderOutput(color.view(bsz, h, w, 3), labels.view(bsz, h, w), depth, tri_id)


def _textured(albedo: torch.Tensor, corner_uv: torch.Tensor, tri: torch.Tensor,
              bary: torch.Tensor, texture: torch.Tensor) -> torch.Tensor:
    """`albedo` (N, 3) of pixels on triangles `tri` (N,) at barycentrics `bary` (N, 3), times
    the texture where all three corners of the pixel's triangle have texture coordinates
    (`corner_uv`, (T, 3, 2), nan where not): interpolated for those pixels alone."""
    textured = ~torch.isnan(corner_uv).any(dim=(1, 2))
    inside = textured[tri]
    if not inside.any():
        return albedo
    uv = (corner_uv[tri[inside]] * bary[inside][:, :, None]).sum(dim=1)
    grid = (uv * 2.0 - 1.0)[None, None]  # grid_sample's [-1, 1] square
    sampled = torch.nn.functional.grid_sample(texture[None].float(), grid, mode="bilinear",
                                              padding_mode="border", align_corners=False)
    out = albedo.clone()
    out[inside] = out[inside] * sampled[0, :, 0].T
    return out
