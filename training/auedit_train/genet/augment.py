"""Augmentations that carry renders towards photos (and photos towards each other), batched
in torch: a jittered alignment, a cluttered background behind renders, lighting, colour,
blur and noise. Labels follow the geometric part only."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F  # noqa: N812


def _affine(n: int, g: torch.Generator, max_scale: float, max_deg: float, max_shift: float,
            ) -> torch.Tensor:
    u = torch.rand(n, 4, generator=g) * 2 - 1
    s = 1.0 + max_scale * u[:, 0]
    a = math.radians(max_deg) * u[:, 1]
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = s * torch.cos(a), -s * torch.sin(a)
    theta[:, 1, 0], theta[:, 1, 1] = s * torch.sin(a), s * torch.cos(a)
    theta[:, :, 2] = max_shift * u[:, 2:]
    return theta


def jitter_alignment(image: torch.Tensor, labels: torch.Tensor, g: torch.Generator,
                     max_scale: float = 0.06, max_deg: float = 6.0, max_shift: float = 0.06,
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """The same small random similarity on images (B, 3, H, W) and labels (B, H, W), as a
    five-point alignment of a tracked photo is off by a little."""
    theta = _affine(len(image), g, max_scale, max_deg, max_shift).to(image.device)
    grid = F.affine_grid(theta, list(image.shape), align_corners=False)
    image = F.grid_sample(image, grid, mode="bilinear", padding_mode="border",
                          align_corners=False)
    lab = F.grid_sample(labels[:, None].float(), grid, mode="nearest", padding_mode="zeros",
                        align_corners=False)
    return image, lab[:, 0].long()


def clutter(n: int, size: int, g: torch.Generator, device: torch.device | None = None,
            ) -> torch.Tensor:
    """(n, 3, size, size) random backgrounds on `device`: smooth colour fields with some
    texture (drawn from the CPU generator `g`, upsampled on the device)."""
    coarse = torch.rand(n, 3, 4, 4, generator=g).to(device)
    fine = torch.rand(n, 3, 16, 16, generator=g).to(device)
    bg = (F.interpolate(coarse, size=size, mode="bicubic", align_corners=False)
          + 0.3 * (F.interpolate(fine, size=size, mode="bilinear", align_corners=False) - 0.5))
    return bg.clamp(0, 1)


def photometric(image: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Brightness, contrast, colour cast, gamma, blur and sensor noise, per image."""
    n = len(image)
    r = torch.rand(n, 8, generator=g).to(image.device)
    gain = 1.0 + 0.3 * (torch.rand(n, 3, generator=g).to(image.device) - 0.5)
    mean = image.mean(dim=(1, 2, 3), keepdim=True)
    x = (image - mean) * (0.7 + 0.6 * r[:, 0]).view(n, 1, 1, 1) + mean
    x = x * gain.view(n, 3, 1, 1) + (0.4 * r[:, 1] - 0.2).view(n, 1, 1, 1)
    x = x.clamp(1e-4, 1).pow((0.7 + 0.6 * r[:, 2]).view(n, 1, 1, 1))
    sigma = 1.2 * r[:, 3]
    k = torch.arange(-2, 3, device=image.device, dtype=image.dtype)
    w = torch.exp(-(k[None] ** 2) / (2 * sigma[:, None].clamp_min(1e-3) ** 2))
    w = w / w.sum(dim=1, keepdim=True)  # (n, 5) a blur per image, separable
    x = x.reshape(1, n * 3, *x.shape[-2:])
    wk = w.repeat_interleave(3, dim=0)
    x = F.conv2d(F.pad(x, (2, 2, 0, 0), mode="replicate"), wk.view(n * 3, 1, 1, 5),
                 groups=n * 3)
    x = F.conv2d(F.pad(x, (0, 0, 2, 2), mode="replicate"), wk.view(n * 3, 1, 5, 1),
                 groups=n * 3)
    x = x.reshape(n, 3, *x.shape[-2:])
    noise = torch.randn(x.shape, generator=g).to(image.device) * (0.03 * r[:, 4]).view(n, 1, 1, 1)
    return (x + noise).clamp(0, 1)
