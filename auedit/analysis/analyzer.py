"""Per-frame analysis: track faces, run each detector, calibrate and smooth per track."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auedit.core.calibration import NeutralCalibration
from auedit.core.smoothing import OneEuroFilter
from auedit.core.types import AUReading, FaceAnalysis, FrameAnalysis
from auedit.detect import registry
from auedit.detect.base import Detector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker


@dataclass
class AnalysisOptions:
    """What happens to each detector's raw intensities before they are reported."""

    smoothing: bool = False  # One Euro filter, for live use
    explicit_neutral: bool = True  # use a neutral captured with `capture_neutral`
    auto_baseline: bool = False  # OpenFace-style running person baseline


class _TrackState:
    """Calibration and smoothing state of one detector on one track."""

    def __init__(self, n: int, options: AnalysisOptions) -> None:
        self.calibration = NeutralCalibration(n, use_explicit=options.explicit_neutral,
                                              use_auto=options.auto_baseline)
        self.smoother = OneEuroFilter()


class Analyzer:
    """Turns frames into `FrameAnalysis` objects. Not thread-safe: one per worker."""

    def __init__(self, tracker: FaceTracker, detectors: list[Detector],
                 options: AnalysisOptions | None = None) -> None:
        self.tracker = tracker
        self.detectors = detectors
        self.options = options or AnalysisOptions()
        self._states: dict[tuple[int, str], _TrackState] = {}

    @classmethod
    def create(cls, detector_names: list[str] | tuple[str, ...] = registry.DEFAULT_DETECTORS,
               *, tracker: FaceTracker, options: AnalysisOptions | None = None) -> Analyzer:
        return cls(tracker, registry.create(detector_names, tracker.canonical), options)

    def set_options(self, options: AnalysisOptions) -> None:
        self.options = options
        for state in self._states.values():
            state.calibration.use_explicit = options.explicit_neutral
            state.calibration.use_auto = options.auto_baseline

    def capture_neutral(self, track_id: int | None = None) -> None:
        """Take the next frames of one track (or of all tracks) as the neutral face."""
        for (tid, _), state in self._states.items():
            if track_id is None or tid == track_id:
                state.calibration.capture_neutral()

    def clear_neutral(self) -> None:
        for state in self._states.values():
            state.calibration.clear_neutral()

    def reset(self) -> None:
        """A new input: forget tracks, baselines, filters and the detectors' per-track state."""
        self.tracker.reset()
        self._states.clear()
        self._forget_tracks()

    def _forget_tracks(self) -> None:
        """Detectors that keep state per track (the rig fit's warm start and frozen identity)
        offer `forget()`; a new input, or another still photo, must not inherit it."""
        for det in self.detectors:
            forget = getattr(det, "forget", None)
            if forget is not None:
                forget()

    def analyze(self, rgb: np.ndarray, timestamp: float, frame_index: int = 0,
                source: str = "") -> FrameAnalysis:
        if self.tracker.mode is Mode.IMAGE:
            self._forget_tracks()  # each photo stands alone, even under the same track id
        faces = self.tracker.track(rgb, timestamp)
        result = FrameAnalysis(frame_index, timestamp, width=rgb.shape[1], height=rgb.shape[0],
                               source=source)
        for face in faces:
            fa = FaceAnalysis(face)
            for det in self.detectors:
                raw = det.detect(rgb, face)
                fa.readings[det.name] = self._post(face.track_id, det, raw, timestamp)
            result.faces.append(fa)
        return result

    def _post(self, track_id: int, det: Detector, raw: AUReading, t: float) -> AUReading:
        state = self._states.get((track_id, det.name))
        if state is None:
            state = self._states[(track_id, det.name)] = _TrackState(len(det.keys), self.options)
        vec = np.array([raw.values[k] for k in det.keys])
        vec = state.calibration(vec)
        if self.options.smoothing:
            vec = state.smoother(vec, t)
        return AUReading(raw.detector, dict(zip(det.keys, vec.tolist(), strict=True)),
                         raw.confidence)
