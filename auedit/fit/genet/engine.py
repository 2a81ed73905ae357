"""GE-Net on tracked faces: align, start from the landmark fit or the last frame, fit.

`GENet` holds the shipped imitator and one feature extractor ("resnet50", the paper's layout,
for photos; "light" for live video), and per track the last fitted parameters: a video frame
starts from its track's last fit (a few iterations), a photo or a new track from the rig's
landmark fit (`RigFitDetector.estimate`, 30 iterations). Head roll, which the alignment removes,
is the landmark fit's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from auedit.core.types import TrackedFace
from auedit.detect.rigfit import RigFitDetector
from auedit.fit.base_face import SIZE, align_photo
from auedit.fit.genet.fitter import GENetFitter, GENetSettings
from auedit.rig.model import FaceRig, RigParams, load_rig, pose_params_from_deg

EXTRACTORS = ("resnet50", "light")
LIVE_ITERATIONS = 2  # per video frame, from the last frame's fit


@dataclass
class GENetFit:
    params: RigParams  # batch of one: pose (roll from the landmark fit), AU, identity
    losses: list[float]
    aligned: np.ndarray  # (S, S, 3) the photo in the base-face frame
    imitated: np.ndarray  # (S, S, 3) the imitator's face for `params`
    iterations: int


class GENet:
    """GE-Net fitting of tracked faces; see the module docstring."""

    def __init__(self, extractor: str = "resnet50", rig: FaceRig | None = None,
                 settings: GENetSettings | None = None, live_iterations: int = LIVE_ITERATIONS,
                 ) -> None:
        from auedit.fit.genet.model_files import (
            ModelFileError,
            load_imitator,
            load_segmenter,
            shipped_path,
        )
        from auedit.rig.identity_space import load_default

        if extractor not in EXTRACTORS:
            raise ValueError(f"extractor must be one of {', '.join(EXTRACTORS)}")
        space = load_default()
        if space is None:
            raise ModelFileError("the identity subspace (resources/models/identity_subspace.npz) "
                               "is missing; GE-Net keeps identities inside it")
        self.extractor = extractor
        self.rig = rig or load_rig()
        self.landmark_fit = RigFitDetector(self.rig)
        self.fitter = GENetFitter(load_imitator(shipped_path("imitator")),
                                  load_segmenter(shipped_path(extractor)), space, settings)
        self.live_iterations = live_iterations
        self._last: dict[int, RigParams] = {}

    def fit(self, image: np.ndarray, face: TrackedFace, *, still: bool = True,
            iterations: int | None = None,
            progress: Callable[[int, float], None] | None = None) -> GENetFit:
        """Fit `face` in the RGB `image`. A still (or a track's first frame) starts from the
        landmark fit; later frames of a track from its last fit."""
        aligned, _ = align_photo(image, face.landmarks, SIZE)
        last = None if still else self._last.get(face.track_id)
        if last is None:
            n = self.fitter.settings.iterations if iterations is None else iterations
            begin = self.landmark_fit.estimate(face, still=still).params
        else:
            n = self.live_iterations if iterations is None else iterations
            begin = last.copy()
            # roll is aligned away: the tracker's own (as close to the truth on renders as the
            # landmark fit's, 1.1 degrees mean error each, and free)
            begin.pose[0, 2] = pose_params_from_deg(face.pose.roll)
        result = self.fitter.fit(aligned, begin, n, progress, settle=still)
        if not still:
            self._last[face.track_id] = result.params
        return GENetFit(result.params, result.losses, aligned, result.image, n)

    def forget(self, track_id: int | None = None) -> None:
        if track_id is None:
            self._last.clear()
        else:
            self._last.pop(track_id, None)
        self.landmark_fit.forget(track_id)
