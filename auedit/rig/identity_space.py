"""GE-Net's facial constraint: a low-dimensional identity subspace (Eqs. 8-10).

Identity parameters are fitted to neutral faces with every AU held at 0; the covariance of
those identities gives a projection U (SVD), identities are expressed as coefficients
a_hat = (a_id - m) U, each coefficient normalised to [0, 1] over the fitted faces, and mapped
back with a_id = a_hat U^T + m. Random identities drawn uniformly in the subspace look like
real faces, and fits that move only these coefficients cannot leave the space of faces.

Build (needs photos of neutral faces):

    python -m auedit.rig.identity_space PHOTOS... --out resources/models/identity_subspace.npz
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from auedit.fit.genet.model_files import ModelFileError
from auedit.fit.landmark_fit import FitSettings, LandmarkFitter
from auedit.rig.identity import IDENTITY_KEYS
from auedit.rig.model import FaceRig

#: Identities are fitted with AUs pinned at 0 (a strong prior), as GE-Net sets them to zero.
NEUTRAL_FIT = FitSettings(iterations=20, au_prior=50.0, identity_prior=0.05)
RESOURCE_NAME = "identity_subspace.npz"
#: How to get a good file back, at the end of every message that reports a bad one.
REBUILD_ADVICE = "reinstall AUEdit or rebuild it with `python -m auedit.rig.identity_space`"
ARRAYS = ("mean", "basis", "low", "high", "explained", "keys")


@dataclass(frozen=True)
class IdentitySubspace:
    mean: np.ndarray  # (n_id,)
    basis: np.ndarray  # (n_id, k): U's first k columns
    low: np.ndarray  # (k,) coefficient at normalised 0
    high: np.ndarray  # (k,) coefficient at normalised 1
    explained: np.ndarray  # (k,) fraction of variance per component

    @property
    def dims(self) -> int:
        return self.basis.shape[1]

    def to_identity(self, coeffs01: np.ndarray) -> np.ndarray:
        """(..., k) normalised coefficients -> (..., n_id) identity parameters (Eq. 10)."""
        coeffs = self.low + np.asarray(coeffs01) * (self.high - self.low)
        return np.clip(coeffs @ self.basis.T + self.mean, 0.0, 1.0)

    def to_coeffs(self, identity: np.ndarray) -> np.ndarray:
        """(..., n_id) identity -> (..., k) normalised coefficients (Eq. 9)."""
        coeffs = (np.asarray(identity) - self.mean) @ self.basis
        return (coeffs - self.low) / (self.high - self.low)

    def project(self, identity: np.ndarray) -> np.ndarray:
        """The nearest identity inside the subspace's box."""
        return self.to_identity(np.clip(self.to_coeffs(identity), 0.0, 1.0))

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.to_identity(rng.random((n, self.dims)))

    def save(self, path: Path, meta: dict) -> None:
        np.savez(path, mean=self.mean, basis=self.basis, low=self.low, high=self.high,
                 explained=self.explained, keys=np.array(IDENTITY_KEYS),
                 meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path: Path) -> IdentitySubspace:
        """The subspace in a file written by `save`; ModelFileError for anything else."""
        arrays = _read_arrays(path)
        if tuple(arrays.pop("keys").tolist()) != IDENTITY_KEYS:
            raise ModelFileError(f"{path} was built for other identity parameters; "
                                 f"{REBUILD_ADVICE}")
        return cls(**arrays)


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays a subspace file holds (no pickled objects); ModelFileError naming the file."""
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a single .npy array
            raise ValueError("not an .npz archive")
        with data:
            return {name: data[name] for name in ARRAYS}
    except KeyError as exc:
        problem, cause = f"lacks the array {exc}", exc
    except OSError as exc:
        problem, cause = f"cannot be read ({exc.strerror or exc})", exc
    except (ValueError, zipfile.BadZipFile) as exc:  # truncated, text, pickled objects
        problem, cause = "is damaged or not an identity subspace file (.npz)", exc
    raise ModelFileError(f"{path} {problem}; {REBUILD_ADVICE}") from cause


def build_subspace(identities: np.ndarray, variance: float = 0.95) -> IdentitySubspace:
    """The subspace keeping `variance` of the identities' variance (Eq. 8)."""
    mean = identities.mean(axis=0)
    centred = identities - mean
    u, s, _ = np.linalg.svd(centred.T @ centred)
    frac = s / s.sum()
    k = int(np.searchsorted(np.cumsum(frac), variance) + 1)
    basis = u[:, :k]
    coeffs = centred @ basis
    lo, hi = np.percentile(coeffs, 1, axis=0), np.percentile(coeffs, 99, axis=0)
    return IdentitySubspace(mean, basis, lo, hi, frac[:k])


def fit_identities(rig: FaceRig, landmark_sets: list[np.ndarray]) -> np.ndarray:
    """Identity parameters of neutral faces (AUs held at 0)."""
    fitter = LandmarkFitter(rig)
    return np.array([fitter.fit(lms, settings=NEUTRAL_FIT).params.identity[0]
                     for lms in landmark_sets])


def default_path() -> Path:
    from auedit.resources import MODELS

    return MODELS / RESOURCE_NAME


def load_default() -> IdentitySubspace | None:
    """The shipped subspace, checked against the manifest; None where it has not been built,
    ModelFileError where it is damaged or differs from the manifest's."""
    from auedit.resources import matches_manifest

    path = default_path()
    if not path.is_file():
        return None
    try:
        matches = matches_manifest(path, RESOURCE_NAME)
    except OSError as exc:
        raise ModelFileError(f"{path} cannot be read ({exc}); {REBUILD_ADVICE}") from exc
    if not matches:
        raise ModelFileError(f"{path} does not match its sha256 in the manifest; "
                             f"{REBUILD_ADVICE} (and update its sha256 in manifest.json)")
    return IdentitySubspace.load(path)


def main(argv: list[str] | None = None) -> int:
    from auedit.face.landmarker import Mode
    from auedit.face.model_file import sha256_of
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import MediaError, expand_inputs, read_image
    from auedit.rig.model import rig_for

    ap = argparse.ArgumentParser(description="Build the identity subspace from neutral faces.")
    ap.add_argument("inputs", nargs="+", help="photos (or folders) of neutral faces")
    ap.add_argument("--out", default=str(default_path()))
    ap.add_argument("--variance", type=float, default=0.95)
    args = ap.parse_args(argv)
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    landmarks, used = [], []
    for path in expand_inputs(args.inputs):
        try:
            faces = tracker.track(read_image(path), 0.0)
        except MediaError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        if faces and abs(faces[0].pose.yaw) < 25 and faces[0].interocular > 40:
            landmarks.append(faces[0].landmarks)
            used.append(Path(path).name)
    rig = rig_for(tracker.canonical)
    tracker.close()
    ids = fit_identities(rig, landmarks)
    space = build_subspace(ids, args.variance)
    space.save(Path(args.out), {"faces": len(used), "variance": args.variance,
                                "sources": sorted({str(Path(p).parent) for p in args.inputs})})
    print(f"{len(used)} neutral faces -> {space.dims} components "
          f"({space.explained.sum():.3f} of the variance) -> {args.out}")
    print(f"its sha256, for the manifest's {RESOURCE_NAME} entry: {sha256_of(Path(args.out))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
