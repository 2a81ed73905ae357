"""The "rigfit" detector: AU intensities from the game face fitted to the tracked landmarks.

Each track keeps its last fit to start the next frame from. Its identity is estimated over
its first frames (the running mean of per-frame identity fits) and then frozen, so that AU
parameters alone explain the expression from then on. AU parameter p in [0, 1] reads 5 p on
the FACS scale; a bilateral AU reads the larger of its sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auedit.core.aus import ACTION_UNITS, AU_BY_KEY, MAX_INTENSITY
from auedit.core.types import AUReading, TrackedFace
from auedit.fit.landmark_fit import FitResult, FitSettings, LandmarkFitter
from auedit.rig.expressions import AU_PARAMETERS
from auedit.rig.model import FaceRig, RigParams, load_rig

IDENTITY_FRAMES = 15  # frames whose identity fits are averaged before freezing
LIVE = FitSettings(iterations=3, fit_identity=False)
WARMUP = FitSettings(iterations=6, fit_identity=True)
PHOTO = FitSettings(iterations=15, fit_identity=True)


@dataclass
class _TrackFit:
    last: FitResult
    identity_sum: np.ndarray
    identity_frames: int = 1

    @property
    def frozen(self) -> bool:
        return self.identity_frames >= IDENTITY_FRAMES


def _keys() -> tuple[str, ...]:
    facs = {p.facs for p in AU_PARAMETERS}
    bilateral = [au.key for au in ACTION_UNITS if au.key in facs]
    sides = [p.key for p in AU_PARAMETERS if p.side in ("L", "R")]
    return tuple(bilateral + sides)


def au_intensities(params: RigParams, i: int = 0) -> dict[str, float]:
    """Catalogue keys -> 0-5 intensities from a rig parameter vector."""
    values: dict[str, float] = {}
    for p, v in zip(AU_PARAMETERS, params.au[i], strict=True):
        intensity = float(v) * MAX_INTENSITY
        if p.side in ("L", "R") and AU_BY_KEY[p.facs].sided:
            values[p.key] = intensity
        values[p.facs] = max(values.get(p.facs, 0.0), intensity)
    return values


class RigFitDetector:
    """AU intensities from fitting the game face; see the module docstring."""

    name = "rigfit"
    keys: tuple[str, ...] = _keys()

    def __init__(self, rig: FaceRig | None = None) -> None:
        self.fitter = LandmarkFitter(rig or load_rig())
        self._tracks: dict[int, _TrackFit] = {}

    def fit_face(self, face: TrackedFace, *, still: bool = False) -> FitResult:
        """The fit for a tracked face, warm-started from its track's last frame."""
        state = None if still else self._tracks.get(face.track_id)
        if state is None:
            result = self.fitter.fit(face.landmarks, settings=PHOTO)
            if not still:
                self._tracks[face.track_id] = _TrackFit(result, result.params.identity[0].copy())
            return result
        start = state.last.params.copy()
        if state.frozen:
            start.identity[0] = state.identity_sum / state.identity_frames
            result = self.fitter.fit(face.landmarks, start, (state.last.scale, state.last.shift),
                                     LIVE)
        else:
            result = self.fitter.fit(face.landmarks, start, (state.last.scale, state.last.shift),
                                     WARMUP)
            state.identity_sum += result.params.identity[0]
            state.identity_frames += 1
        state.last = result
        return result

    def detect(self, frame: np.ndarray, face: TrackedFace) -> AUReading:
        del frame
        result = self.fit_face(face)
        values = au_intensities(result.params)
        # confidence from the landmark error relative to the face's size
        confidence = float(np.clip(1.0 - result.rms_px / max(face.interocular, 1.0) / 0.1, 0, 1))
        return AUReading(self.name, {k: values.get(k, 0.0) for k in self.keys}, confidence)

    def last_fit(self, track_id: int) -> FitResult | None:
        """The last fit of a track (None if the track has not been fitted)."""
        state = self._tracks.get(track_id)
        return state.last if state is not None else None

    def forget(self, track_id: int | None = None) -> None:
        if track_id is None:
            self._tracks.clear()
        else:
            self._tracks.pop(track_id, None)
