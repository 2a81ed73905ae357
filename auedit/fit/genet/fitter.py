"""GE-Net fitting (paper Sec. 3.4): gradient descent on pitch, yaw, AU and identity-subspace
parameters so that the imitated face looks, to the feature extractor, like the photo.

    y <- clip(y - lr * dL/dy, 0, 1),  L = ||E(M(y)) - E(I)||_1  (Eqs. 6-7)

Per-parameter learning rates follow the paper: for pitch, yaw and each AU, the inverse of the
fraction of segmentation pixels that change when that parameter alone is set to its maximum
on the base face (measured here with the renderer's exact part labels); 8.0 for the identity
coefficients. One global `step_scale` converts the paper's rates to this loss's scale (tuned
on held-out renders; docs/genet.md). The photo must already be aligned to the base face
(`base_face.align_photo`); the start is the landmark fit (or, in video, the last frame).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import torch

from auedit.fit.base_face import SIZE
from auedit.fit.genet import loss as gl
from auedit.fit.genet.params import N_POSE, IdentityMap
from auedit.rig.identity_space import IdentitySubspace
from auedit.rig.model import RigParams, load_rig

IDENTITY_LR = 8.0  # the paper's
#: "features": Eq. 6 with attention; "plain": without (GENet-O); "pixels": raw-pixel L1.
LOSSES = ("features", "plain", "pixels")
#: Renders at a time for `changed_pixel_rates`: all 44 in one batch held about 120 MB at once,
#: of which the allocator kept 76 MB for the rest of the process (as fast in fours).
RATE_BATCH = 4


@dataclass(frozen=True)
class GENetSettings:
    iterations: int = 30  # the paper's, for a photo
    loss: str = "features"
    step_scale: float = 0.001
    identity: bool = True  # fit the identity (False: keep the start's, as for a known face)


@dataclass
class GENetResult:
    params: RigParams  # pitch, yaw, AU, identity fitted; roll as given at the start
    losses: list[float]  # per iteration, at its start; settled: then that of `params`
    image: np.ndarray  # (S, S, 3) uint8 the imitator's face: at the last iteration's start,
    # settled: of `params`


@cache
def changed_pixel_rates() -> np.ndarray:
    """(N_POSE + n_au,) learning rates: 1 / fraction of label pixels each parameter changes
    at its maximum, from the base face (identity 0.5, pose frontal, AUs 0)."""
    from auedit.render.face import FaceRenderer

    rig = load_rig()
    renderer = FaceRenderer(rig, SIZE)
    n_au = len(RigParams.neutral(1).au[0])
    n = N_POSE + n_au
    p = RigParams.neutral(n + 1)
    for i in range(N_POSE):
        p.pose[1 + i, i] = 1.0
    for j in range(n_au):
        p.au[1 + N_POSE + j, j] = 1.0
    labels = np.concatenate([
        renderer.render(RigParams(p.pose[s:s + RATE_BATCH], p.au[s:s + RATE_BATCH],
                                  p.identity[s:s + RATE_BATCH]), align=True).labels.numpy()
        for s in range(0, len(p), RATE_BATCH)])
    changed = (labels[1:] != labels[:1]).mean(axis=(1, 2))
    return 1.0 / np.maximum(changed, 1.0 / labels[0].size)


class GENetFitter:
    """Fits faces with a trained imitator and feature extractor (both frozen)."""

    def __init__(self, imitator: torch.nn.Module, extractor: torch.nn.Module,
                 space: IdentitySubspace, settings: GENetSettings | None = None) -> None:
        if (settings or GENetSettings()).loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}")
        self.imitator, self.extractor = imitator, extractor
        self.settings = settings or GENetSettings()
        self.identity_map = IdentityMap(space)
        rates = changed_pixel_rates()
        k = space.dims
        self._rates = torch.as_tensor(np.concatenate([rates, np.full(k, IDENTITY_LR)]),
                                      dtype=torch.float32)

    def _features(self, image: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor | None]:
        if self.settings.loss == "pixels":
            return [image[:, None]], None
        logits, feats = self.extractor(image)
        attention = self.settings.loss == "features"
        area = gl.region_maps(logits).mean(dim=(2, 3)) if attention else None
        return gl.weighted_features(logits, feats, attention), area

    def target(self, aligned: np.ndarray) -> tuple[list[torch.Tensor], torch.Tensor | None]:
        """E(I) of an aligned photo (S x S x 3 uint8), computed once per photo."""
        image = torch.from_numpy(np.ascontiguousarray(aligned)).permute(2, 0, 1)[None]
        with torch.no_grad():
            return self._features(image.float() / 255.0)

    def segment(self, aligned: np.ndarray) -> np.ndarray:
        """(S, S) part labels of an aligned photo (`topology.Part`)."""
        image = torch.from_numpy(np.ascontiguousarray(aligned)).permute(2, 0, 1)[None]
        with torch.no_grad():
            logits, _ = self.extractor(image.float() / 255.0)
        return logits.argmax(1)[0].numpy().astype(np.uint8)

    def fit(self, aligned: np.ndarray, start: RigParams, iterations: int | None = None,
            progress: Callable[[int, float], None] | None = None,
            target: tuple[list[torch.Tensor], torch.Tensor | None] | None = None,
            settle: bool = False) -> GENetResult:
        """Fit one aligned photo from `start` (a batch of one); `progress(i, loss)` after each
        iteration. Each iteration's loss is that of its start; `settle` adds the loss of the
        parameters returned, and their face, for one more pass (a still photo's "loss after";
        live video does without)."""
        feats, area = target if target is not None else self.target(aligned)
        n_au = start.au.shape[1]
        y0 = np.concatenate([start.pose[0, :N_POSE], start.au[0],
                             self.identity_map.coeffs(start.identity[0])])
        y = torch.tensor(y0, dtype=torch.float32, requires_grad=True)
        fixed_identity = not self.settings.identity
        step = self._rates * self.settings.step_scale
        if fixed_identity:
            step[N_POSE + n_au:] = 0.0
        losses: list[float] = []
        n = self.settings.iterations if iterations is None else iterations
        fake = None
        for i in range(n):
            fake = self.imitator(self._inputs(y, n_au))
            value = self._distance(fake, feats, area)
            grad, = torch.autograd.grad(value, y)
            with torch.no_grad():
                y -= step * grad
                y.clamp_(0.0, 1.0)
            losses.append(value.item())
            if progress is not None:
                progress(i + 1, losses[-1])
        with torch.no_grad():  # unsettled: the last iteration's face (one step behind y)
            if settle or fake is None:
                fake = self.imitator(self._inputs(y, n_au))
                if settle:
                    losses.append(self._distance(fake, feats, area).item())
                    if progress is not None:  # the progress shown ends on the fit's loss
                        progress(n, losses[-1])
            image = self._to_uint8(fake)
        return GENetResult(self._params(y.detach(), n_au, start), losses, image)

    def _inputs(self, y: torch.Tensor, n_au: int) -> torch.Tensor:
        identity = self.identity_map(y[None, N_POSE + n_au:])
        return torch.cat([y[None, :N_POSE + n_au], identity], dim=1)

    def _distance(self, fake: torch.Tensor, feats, area) -> torch.Tensor:
        fake_feats, _ = self._features(fake)
        return gl.feature_distance(fake_feats, feats, area)[0]

    @staticmethod
    def _to_uint8(fake: torch.Tensor) -> np.ndarray:
        return (fake[0].detach().permute(1, 2, 0).clamp(0, 1) * 255).round().to(
            torch.uint8).numpy()

    def _params(self, y: torch.Tensor, n_au: int, start: RigParams) -> RigParams:
        out = start.copy()
        yn = y.numpy().astype(np.float64)
        out.pose[0, :N_POSE] = yn[:N_POSE]
        out.au[0] = yn[N_POSE:N_POSE + n_au]
        out.identity[0] = self.identity_map.space.to_identity(yn[N_POSE + n_au:])
        return out
