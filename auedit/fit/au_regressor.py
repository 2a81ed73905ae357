"""The learned AU stage of the rig fit, run through onnxruntime.

A least-squares fit of the game face to MediaPipe's landmarks reads AUs at about half their
size and mixes neighbours up (MediaPipe pulls expressions towards its mean face). The regressor,
trained on renders of the game face whose parameters are known (`auedit-train rigreg`), maps
what MediaPipe saw (`expression_features`) to the AU parameters. Model card:
`resources/models/cards/au_regressor.md`.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

RESOURCE_NAME = "au_regressor.onnx"


class AURegressor:
    """(N, F) features -> (N, n_au) AU parameters in [0, 1]."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one face at a time: threads cost more than they give
        options.inter_op_num_threads = 1
        self.path = path
        self._session = ort.InferenceSession(str(path), options,
                                             providers=["CPUExecutionProvider"])

    def predict(self, features: np.ndarray) -> np.ndarray:
        x = np.asarray(features, dtype=np.float32)
        single = x.ndim == 1
        out = self._session.run(None, {"features": x[None] if single else x})[0]
        return np.clip(out[0] if single else out, 0.0, 1.0).astype(np.float64)


def default_path() -> Path:
    from auedit.resources import MODELS

    return MODELS / RESOURCE_NAME


@cache
def load_default() -> AURegressor | None:
    """The shipped regressor, checked against the manifest; None (with a warning) where it is
    missing or damaged, and the rig fit then reports its plain least-squares AUs."""
    from auedit.resources import matches_manifest

    path = default_path()
    if not path.is_file():
        log.warning("%s is missing: the rig fit reports unregressed AUs", path)
        return None
    if not matches_manifest(path, RESOURCE_NAME):
        log.warning("%s does not match its sha256 in the manifest: not used", path)
        return None
    return AURegressor(path)
