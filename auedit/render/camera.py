"""Camera-space to screen projection for the rasterizer.

Camera space: x right, y down, z forward (away from the camera), any unit. Screen space: x, y in
pixels of the output image (x right, y down, pixel centres at +0.5), z = camera-space depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Camera:
    """Orthographic or pinhole projection.

    orthographic: ``x_px = scale * x + cx``, ``y_px = scale * y + cy`` (scale: pixels per unit).
    perspective: ``x_px = focal * x / z + cx``, ``y_px = focal * y / z + cy`` (focal in pixels);
    geometry must lie in front of the camera (z > 0): triangles with a vertex at z <= 0 are
    dropped, not clipped. ``centre`` is the image point of the optical axis, in pixels.
    """

    kind: str = "orthographic"  # "orthographic" | "perspective"
    scale: float = 1.0  # orthographic pixels per unit, or perspective focal length in pixels
    centre: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if self.kind not in ("orthographic", "perspective"):
            raise ValueError(f"unknown camera kind {self.kind!r}")

    @classmethod
    def orthographic(cls, scale: float, centre: tuple[float, float]) -> Camera:
        return cls("orthographic", float(scale), (float(centre[0]), float(centre[1])))

    @classmethod
    def perspective(cls, focal: float, principal: tuple[float, float]) -> Camera:
        return cls("perspective", float(focal), (float(principal[0]), float(principal[1])))

    @classmethod
    def fit(cls, vertices: torch.Tensor, size: tuple[int, int], margin: float = 0.05) -> Camera:
        """Orthographic camera framing all of ``vertices`` ((V, 3) or (B, V, 3)) in the image."""
        xy = vertices.detach().reshape(-1, 3)[:, :2].float()
        lo, hi = xy.min(0).values, xy.max(0).values
        h, w = size
        extent = (hi - lo).clamp_min(1e-12)
        scale = float(min(w / extent[0], h / extent[1])) * (1.0 - 2.0 * margin)
        mid = (lo + hi) / 2
        centre = (w / 2 - scale * float(mid[0]), h / 2 - scale * float(mid[1]))
        return cls.orthographic(scale, centre)

    @property
    def is_perspective(self) -> bool:
        return self.kind == "perspective"

    def project(self, vertices: torch.Tensor) -> torch.Tensor:
        """(B, V, 3) camera space -> (B, V, 3) screen space (pixels, pixels, depth)."""
        x, y, z = vertices.unbind(-1)
        cx, cy = self.centre
        if self.is_perspective:
            inv = self.scale / z
            return torch.stack((x * inv + cx, y * inv + cy, z), -1)
        return torch.stack((x * self.scale + cx, y * self.scale + cy, z), -1)
