"""A's identity with B's AUs and head pose, through the game face.

Both faces are tracked and fitted by the rig-fit detector; the result takes the identity
parameters of A, the head pose of B and B's AUs as the MediaPipe AU detector reads them
(the reference detector on real faces; the rig fit's regressor for the one rig AU it does
not read, AU23; AU10 less what a toothy smile shows, `game_face_aus`), and is rendered.
Neither of the rig fit's own AU readings carries an expression across well: the landmark
fit explains much of a face's shape with AUs (brow lowerer, lip depressors and pressor near
their ends on neutral faces), so B's face shape came across as a frown, and the learned
regressor reads real faces conservatively (an open "O" mouth read as neutral).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auedit.core.types import TrackedFace
from auedit.detect.rigfit import RigFitDetector
from auedit.fit.landmark_fit import FitResult
from auedit.rig.model import RigParams
from auedit.rig.readings import game_face_aus
from auedit.synth.base import rig_aus


@dataclass
class Transfer:
    identity_source: FitResult
    expression_source: FitResult
    params: RigParams


def combine(identity: RigParams, expression: RigParams) -> RigParams:
    """Identity of the first, AUs and pose of the second (batches of one)."""
    return RigParams(expression.pose.copy(), expression.au.copy(), identity.identity.copy())


def transfer(detector: RigFitDetector, face_a: TrackedFace, face_b: TrackedFace,
             expression: Mapping[str, float]) -> Transfer:
    """A's identity with B's pose and `expression` (B's AU intensities, 0-5, as the MediaPipe
    AU detector reads them), each face fitted on its own (still photos)."""
    a = detector.estimate(face_a, still=True)
    b = detector.estimate(face_b, still=True)
    params = combine(a.params, b.params)
    params.au[0] = rig_aus(game_face_aus(expression), b.params.au[0])
    return Transfer(a, b, params)
