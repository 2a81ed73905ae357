"""GE-Net's similarity of a render and a photo in the feature extractor's space (Eqs. 5-6).

Each of the extractor's first four feature maps C_i is weighted by the probability map A_g of
each facial region g (eyes, brows, nose, mouth, skin) that the extractor itself predicts for
that image, and the L1 distance of A_g C_i between the two images is averaged per region, so
that the eyes weigh as much as the cheeks whatever their area (the attention of Eq. 5; the
paper pairs one region with each layer, here every layer sees every region: see
docs/genet.md). `attention=False` is the paper's GENet-O ablation (plain feature L1).
"""

from __future__ import annotations

import torch

from auedit.rig.topology import Part

#: Facial regions, each a group of part labels, whose probability maps weight the features.
REGIONS: dict[str, tuple[Part, ...]] = {
    "eyes": (Part.LEFT_EYE, Part.RIGHT_EYE),
    "brows": (Part.LEFT_BROW, Part.RIGHT_BROW),
    "nose": (Part.NOSE,),
    "mouth": (Part.UPPER_LIP, Part.LOWER_LIP, Part.MOUTH, Part.TEETH),
    "skin": (Part.SKIN,),
}
#: beta_i of Eq. 5: the weight of feature map i (deeper maps vary less).
BETAS = (1.0, 1.0, 1.0, 1.0)


def region_maps(logits: torch.Tensor) -> torch.Tensor:
    """(B, K, H, W) class logits -> (B, R, H, W) region probability maps."""
    probs = logits.softmax(dim=1)
    return torch.stack([probs[:, [int(p) for p in parts]].sum(dim=1)
                        for parts in REGIONS.values()], dim=1)


def weighted_features(logits: torch.Tensor, feats: list[torch.Tensor],
                      attention: bool = True) -> list[torch.Tensor]:
    """The features GE-Net compares: per layer, (B, R, C, h, w) region-weighted maps (or the
    plain (B, 1, C, h, w) maps without attention)."""
    out = []
    maps = region_maps(logits) if attention else None
    for f in feats[:4]:
        if maps is None:
            out.append(f[:, None])
            continue
        a = torch.nn.functional.interpolate(maps, size=f.shape[-2:], mode="bilinear",
                                            align_corners=False)
        out.append(a[:, :, None] * f[:, None])
    return out


def feature_distance(a: list[torch.Tensor], b: list[torch.Tensor],
                     area: torch.Tensor | None = None) -> torch.Tensor:
    """(B,) Eq. 6 between two sets of `weighted_features`; `area` (B, R) the regions' mean
    probabilities in the photo, which normalise each region's distance."""
    total = 0.0
    for beta, fa, fb in zip(BETAS, a, b, strict=False):
        per_region = (fa - fb).abs().mean(dim=(2, 3, 4))  # (B, R)
        if area is not None and per_region.shape[1] == area.shape[1]:
            per_region = per_region / area.clamp_min(1e-3)
        total = total + beta * per_region.mean(dim=1)
    return total
