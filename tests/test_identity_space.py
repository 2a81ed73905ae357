"""GE-Net's identity subspace: SVD of fitted identities, [0, 1] coefficients, round trips."""

from __future__ import annotations

import numpy as np

from auedit.rig.identity import IDENTITY_KEYS
from auedit.rig.identity_space import IdentitySubspace, build_subspace, load_default


def _identities(rng: np.random.Generator, n: int = 200) -> np.ndarray:
    # identities on a 3-dimensional plane of the 40-dimensional parameter space, plus noise
    basis = rng.normal(size=(3, len(IDENTITY_KEYS))) * 0.08
    return 0.5 + rng.normal(size=(n, 3)) @ basis + rng.normal(size=(n, len(IDENTITY_KEYS))) * 1e-3


def test_subspace_finds_the_plane_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    ids = _identities(rng)
    space = build_subspace(ids, variance=0.99)
    assert space.dims == 3
    coeffs = space.to_coeffs(ids[:10])
    np.testing.assert_allclose(space.to_identity(coeffs), ids[:10], atol=0.01)
    samples = space.sample(50, rng)
    assert samples.shape == (50, len(IDENTITY_KEYS))
    assert samples.min() >= 0.0 and samples.max() <= 1.0
    off_plane = ids[0] + rng.normal(size=len(IDENTITY_KEYS)) * 0.05
    assert np.linalg.norm(space.project(off_plane) - ids[0]) < np.linalg.norm(off_plane - ids[0])
    path = tmp_path / "s.npz"
    space.save(path, {"faces": 200})
    again = IdentitySubspace.load(path)
    np.testing.assert_allclose(again.basis, space.basis)


def test_shipped_subspace_matches_the_rig():
    space = load_default()
    assert space is not None, "resources/models/identity_subspace.npz is missing"
    assert space.mean.shape == (len(IDENTITY_KEYS),)
    assert 3 <= space.dims <= 20 and space.explained.sum() > 0.9
