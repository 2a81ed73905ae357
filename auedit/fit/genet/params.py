"""GE-Net's parameter vector y_g and the variables the fitting moves.

The imitator sees (pitch, yaw, AU, identity): roll, position and scale are removed by the
five-point alignment (the paper's head pose is 2-D). The fitting moves pitch, yaw, the AU
parameters and the identity subspace's coefficients (the facial constraint, Eqs. 8-10), each
in [0, 1]; identity parameters are reconstructed from the coefficients (Eq. 10).
"""

from __future__ import annotations

import numpy as np
import torch

from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.identity import IDENTITY_KEYS
from auedit.rig.identity_space import IdentitySubspace

N_POSE = 2  # pitch, yaw


def imitator_input_size() -> int:
    return N_POSE + len(AU_PARAMETER_KEYS) + len(IDENTITY_KEYS)


def imitator_input(pose: torch.Tensor, au: torch.Tensor, identity: torch.Tensor,
                   ) -> torch.Tensor:
    """(B, 3) pose, (B, n_au), (B, n_id) -> (B, n_params) imitator input."""
    return torch.cat([pose[:, :N_POSE], au, identity], dim=1).float()


class IdentityMap(torch.nn.Module):
    """Subspace coefficients in [0, 1] -> identity parameters (Eq. 10), differentiable."""

    def __init__(self, space: IdentitySubspace) -> None:
        super().__init__()
        span = space.basis * (space.high - space.low)  # (n_id, k)
        offset = space.low @ space.basis.T + space.mean  # (n_id,)
        self.register_buffer("span", torch.as_tensor(span.T, dtype=torch.float32))
        self.register_buffer("offset", torch.as_tensor(offset, dtype=torch.float32))
        self.space = space

    def forward(self, coeffs: torch.Tensor) -> torch.Tensor:
        return (coeffs @ self.span + self.offset).clamp(0.0, 1.0)

    def coeffs(self, identity: np.ndarray) -> np.ndarray:
        """The clipped coefficients of identity parameters (their projection)."""
        return np.clip(self.space.to_coeffs(identity), 0.0, 1.0)
