"""Rendering the game face: rig parameters in, colour, part segmentation and depth out.

Images can be aligned to the frontal "base face" by five landmarks (the eye centres, the
nose tip and the mouth corners), as GE-Net aligns its renders and its input photos, so that
head position, scale and roll are normalised away; or framed plainly, the head centred at a
fixed scale, for previews and for tracking the renders with MediaPipe.
"""

from __future__ import annotations

import numpy as np
import torch

from auedit.render.camera import Camera
from auedit.render.raster import RenderOutput, render
from auedit.render.skin import tone_skin
from auedit.rig.alignment import five_points, similarity
from auedit.rig.creases import CreasePainter
from auedit.rig.model import FaceRig, RigParams
from auedit.rig.texture import TEXTURE_PX, detail_texture, painted_uvs, textured_colors
from auedit.rig.topology import N_LANDMARKS

#: The game face's looks: "flat", per-vertex colours, which the shipped models were trained
#: on; "textured", brows, lid margins and irises painted in a texture (`auedit.rig.texture`)
#: and the folds the AUs make shaded over it (`auedit.rig.creases`), for people to look at.
LOOKS = ("flat", "textured")
#: In the textured look each eyeball normal turns this share of the way towards the camera.
EYE_NORMAL_BEND = 0.6


class FaceRenderer:
    """Batched renders of the game face at `size` x `size` pixels."""

    def __init__(self, rig: FaceRig, size: int = 256, device: str | torch.device = "cpu",
                 background: tuple[float, float, float] = (0.0, 0.0, 0.0),
                 look: str = "flat") -> None:
        if look not in LOOKS:
            raise ValueError(f"look must be one of {', '.join(LOOKS)}")
        self.rig = rig
        self.size = size
        self.device = torch.device(device)
        self.background = background
        mesh = rig.mesh
        self._tris = torch.as_tensor(mesh.triangles, dtype=torch.int64, device=self.device)
        self._labels = torch.as_tensor(mesh.triangle_parts, dtype=torch.int64, device=self.device)
        textured = look == "textured"
        colors = textured_colors(mesh) if textured else mesh.vertex_colors
        self._colors = torch.as_tensor(colors, dtype=torch.float32, device=self.device)
        self._uvs = self._texture = self._bend = self._creases = None
        if textured:
            # a game's wrinkle maps: without them a smile, a frown or raised brows left the
            # skin as smooth as at rest
            self._creases = CreasePainter(mesh.vertices, mesh.skin_triangles)
            # the eyeballs' whites shaded softly: a sphere lit like the skin read as metal
            bend = np.zeros(mesh.n_vertices, np.float32)
            bend[mesh.eyeballs.ravel()] = EYE_NORMAL_BEND
            self._bend = torch.as_tensor(bend, device=self.device)
            # about two texels per pixel of the face: a larger texture sampled without smaller
            # copies aliases the brows' edges at small sizes
            texture = detail_texture(mesh, int(np.clip(2 * size, 256, TEXTURE_PX)))
            self._uvs = torch.as_tensor(painted_uvs(mesh, texture), dtype=torch.float32,
                                        device=self.device)
            self._texture = torch.as_tensor(texture, device=self.device).permute(2, 0, 1)
        # the plain framing: 24 cm across the image, head origin at the centre
        self.pixels_per_cm = size / 24.0
        base = rig.camera_vertices(RigParams.neutral(1))[0]
        self.template = self._frame(base)[None][..., :2]
        self.template = five_points(self.template, mesh.mirror)[0]

    def _frame(self, verts: np.ndarray) -> np.ndarray:
        c = self.size / 2.0
        return verts * self.pixels_per_cm + np.array([c, c, 0.0])

    def screen_vertices(self, params: RigParams, align: bool = False) -> np.ndarray:
        """(B, V, 3) vertices in output pixels (z: depth in pixel units)."""
        verts = self._frame(self.rig.camera_vertices(params))
        if not align:
            return verts
        pts = five_points(verts, self.rig.mesh.mirror)
        out = verts.copy()
        for b in range(len(verts)):
            m = similarity(pts[b], self.template)
            out[b, :, :2] = verts[b, :, :2] @ m[:, :2].T + m[:, 2]
            out[b, :, 2] = verts[b, :, 2] * np.sqrt(abs(np.linalg.det(m[:, :2])))
        return out

    def render(self, params: RigParams, *, align: bool = False,
               colors: np.ndarray | None = None, light_dir=(-0.3, -0.5, -1.0)) -> RenderOutput:
        """Colour (B, H, W, 3) in [0, 1], labels (`topology.Part`), depth, triangle ids, in the
        renderer's look; `colors` ((V, 3)) colour every vertex instead, untextured."""
        return self._render_at(self.screen_vertices(params, align), params, colors, light_dir)

    def _render_at(self, screen: np.ndarray, params: RigParams, colors: np.ndarray | None,
                   light_dir=(-0.3, -0.5, -1.0)) -> RenderOutput:
        """`render` with the screen vertices already placed."""
        verts = torch.as_tensor(screen, dtype=torch.float32, device=self.device)
        own = colors is None
        cols = self._colors if own else torch.as_tensor(
            colors, dtype=torch.float32, device=self.device)
        out = render(verts, self._tris, cols, self._labels, (self.size, self.size),
                     Camera.orthographic(1.0, (0.0, 0.0)), light_dir=light_dir,
                     background=self.background, uvs=self._uvs if own else None,
                     texture=self._texture if own else None, normal_bend=self._bend)
        if own and self._creases is not None:
            self._shade_creases(out, screen, np.asarray(params.au))
        return out

    def _shade_creases(self, out: RenderOutput, screen: np.ndarray, au: np.ndarray) -> None:
        """The folds of each face's AUs shaded onto its colour (on the CPU, with OpenCV)."""
        color = out.color.cpu().numpy()  # the same memory on a CPU
        # pixel centres lie at whole screen coordinates + 0.5
        drawn = [self._creases.paint(color[b], (0, 0), screen[b, :N_LANDMARKS, :2] - 0.5, au[b])
                 for b in range(len(au))]
        if any(drawn) and out.color.device.type != "cpu":
            out.color.copy_(torch.from_numpy(color))

    def render_uint8(self, params: RigParams, *, align: bool = False,
                     colors: np.ndarray | None = None, light_dir=(-0.3, -0.5, -1.0),
                     skin_tone: np.ndarray | None = None) -> np.ndarray:
        """(B, H, W, 3) uint8 RGB images of `render`; with `skin_tone` ((3,) RGB in [0, 1], a
        photo's cheeks: `render.skin.cheek_colour`) every face's skin takes that tone."""
        screen = self.screen_vertices(params, align)
        out = self._render_at(screen, params, colors, light_dir)
        if skin_tone is None:  # converted where the render is (8-bit off a GPU)
            return (out.color.clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()
        labels = out.labels.cpu().numpy()
        color = np.stack([tone_skin(c, lab, s[:, :2], skin_tone) for c, lab, s in
                          zip(out.color.cpu().numpy(), labels, screen, strict=True)])
        return (np.clip(color, 0.0, 1.0) * 255).round().astype(np.uint8)
