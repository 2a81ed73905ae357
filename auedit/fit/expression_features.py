"""What MediaPipe saw of a face's expression, with its head pose and identity taken out.

The landmark fit gives head pose, scale and identity; the tracked landmarks, turned back into
the head's frame and minus the fitted identity's neutral face, leave the expression as the
tracker saw it. With MediaPipe's blendshapes and the fit's own AU and pose parameters they are
the input of the learned AU regressor (`auedit.fit.au_regressor`), which corrects what the
plain fit gets wrong: MediaPipe compresses expressions towards its mean face and shifts some
landmarks, so a least-squares fit reads AUs at about half their size and confuses neighbours.
"""

from __future__ import annotations

import numpy as np

from auedit.fit.landmark_fit import FitResult, LandmarkFitter, head_rotation
from auedit.rig.topology import N_LANDMARKS


def feature_size(n_au: int) -> int:
    """Length of the features: 468 x 3 residuals, 51 blendshapes, AU and pose parameters."""
    return N_LANDMARKS * 3 + 51 + n_au + 3


def expression_features(fitter: LandmarkFitter, landmarks: np.ndarray,
                        blendshapes: np.ndarray, fit: FitResult) -> np.ndarray:
    """(feature_size,) float32 features of one tracked face and its landmark fit."""
    obs = np.asarray(landmarks, dtype=np.float64)[:N_LANDMARKS]
    head = ((obs - fit.shift) / fit.scale) @ head_rotation(fit.params.pose[0])  # R^T
    neutral = fit.params.copy()
    neutral.au[:] = 0.0
    residual = head - fitter.skin(neutral)
    residual[:, 2] -= residual[:, 2].mean()  # MediaPipe's depth has no fixed origin
    return np.concatenate([residual.ravel(), np.asarray(blendshapes, dtype=np.float64).ravel(),
                           fit.params.au[0], fit.params.pose[0]]).astype(np.float32)
