"""GE-Net's identity subspace: SVD of fitted identities, [0, 1] coefficients, round trips."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from auedit.fit.genet.model_files import ModelFileError
from auedit.rig import identity_space
from auedit.rig.identity import IDENTITY_KEYS
from auedit.rig.identity_space import (
    RESOURCE_NAME,
    IdentitySubspace,
    build_subspace,
    default_path,
    load_default,
)


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


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped subspace that `load_default` reads instead (the manifest is the
    real one)."""
    copy = tmp_path / RESOURCE_NAME
    shutil.copyfile(default_path(), copy)
    monkeypatch.setattr(identity_space, "default_path", lambda: copy)
    return copy


def test_load_default_checks_the_manifest(shipped_copy):
    assert load_default() is not None
    space = IdentitySubspace.load(shipped_copy)
    np.savez(shipped_copy, mean=space.mean + 0.1, basis=space.basis, low=space.low,
             high=space.high, explained=space.explained, keys=np.array(IDENTITY_KEYS))
    with pytest.raises(ModelFileError, match="does not match its sha256") as err:
        load_default()
    assert str(shipped_copy) in str(err.value)
    shipped_copy.unlink()
    assert load_default() is None


@pytest.mark.parametrize("damage", ["truncated", "text", "npy", "pickled"])
def test_damaged_subspace_file_is_named(shipped_copy, damage):
    data = shipped_copy.read_bytes()
    if damage == "truncated":
        shipped_copy.write_bytes(data[:3000])
    elif damage == "text":
        shipped_copy.write_text("not a subspace\n")
    elif damage == "npy":
        with shipped_copy.open("wb") as f:
            np.save(f, np.zeros(3))
    else:
        np.savez(shipped_copy, mean=np.array([{}], dtype=object))
    with pytest.raises(ModelFileError, match=r"python -m auedit\.rig\.identity_space") as err:
        IdentitySubspace.load(shipped_copy)
    assert str(shipped_copy) in str(err.value)
