"""A's identity with B's AUs and head pose, through the game face.

Both faces are tracked and the rig is fitted to each; the result takes the identity
parameters of A and the AU and pose parameters of B, and is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auedit.core.types import TrackedFace
from auedit.detect.rigfit import PHOTO
from auedit.fit.landmark_fit import FitResult, LandmarkFitter
from auedit.rig.model import RigParams


@dataclass
class Transfer:
    identity_source: FitResult
    expression_source: FitResult
    params: RigParams


def combine(identity: RigParams, expression: RigParams) -> RigParams:
    """Identity of the first, AUs and pose of the second (batches of one)."""
    return RigParams(expression.pose.copy(), expression.au.copy(), identity.identity.copy())


def transfer(fitter: LandmarkFitter, face_a: TrackedFace, face_b: TrackedFace) -> Transfer:
    a = fitter.fit(face_a.landmarks, settings=PHOTO)
    b = fitter.fit(face_b.landmarks, settings=PHOTO)
    return Transfer(a, b, combine(a.params, b.params))


def drive(fitter: LandmarkFitter, identity: RigParams, face: TrackedFace,
          previous: FitResult | None) -> tuple[FitResult, RigParams]:
    """One frame of a live drive: fit the driving face (warm-started from its last frame)
    and put its expression and pose on `identity`."""
    start = previous.params if previous is not None else None
    scale_shift = (previous.scale, previous.shift) if previous is not None else None
    result = fitter.fit(face.landmarks, start, scale_shift)
    return result, combine(identity, result.params)


def side_by_side(*images: np.ndarray) -> np.ndarray:
    """Images of equal height next to each other."""
    return np.concatenate(images, axis=1)
