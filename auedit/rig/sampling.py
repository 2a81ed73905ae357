"""Random game faces: the parameter distribution of the synthetic data and the recovery check.

Identities come from the identity subspace (GE-Net's facial constraint, so they look like real
faces), head pose is uniform within +-`pose_deg` on each axis, and each AU parameter is active
with probability `au_probability` at a uniform intensity: sparse, as real expressions are.
"""

from __future__ import annotations

import numpy as np

from auedit.rig.identity_space import IdentitySubspace
from auedit.rig.model import RigParams, pose_params_from_deg


def random_params(n: int, rng: np.random.Generator, space: IdentitySubspace, *,
                  pose_deg: float = 20.0, au_probability: float = 0.25) -> RigParams:
    """`n` random faces (a batch of RigParams)."""
    p = RigParams.neutral(n)
    p.pose[:] = pose_params_from_deg(rng.uniform(-pose_deg, pose_deg, (n, 3)))
    active = rng.random(p.au.shape) < au_probability
    p.au[:] = np.where(active, rng.uniform(0.0, 1.0, p.au.shape), 0.0)
    p.identity[:] = space.sample(n, rng)
    return p
