"""The "rigfit" detector: AU intensities from the game face fitted to the tracked landmarks.

Each track keeps its last fit to start the next frame from. Its identity is estimated over
its first frames (the running mean of per-frame identity fits) and then frozen, so that AU
parameters alone explain the expression from then on. AU parameter p in [0, 1] reads 5 p on
the FACS scale; a bilateral AU reads the larger of its sides.

The AU parameters it reports come from the learned AU regressor (`auedit.fit.au_regressor`)
applied to what MediaPipe saw and the landmark fit; head pose and identity are the fit's. The
plain fit, not the regressed one, warm-starts the next frame, so the two never mix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from auedit.core.aus import ACTION_UNITS, ARKIT_BLENDSHAPES, AU_BY_KEY, MAX_INTENSITY
from auedit.core.types import AUReading, TrackedFace
from auedit.detect.mediapipe_aus import blendshape_level
from auedit.fit.au_regressor import AURegressor
from auedit.fit.au_regressor import load_default as load_regressor
from auedit.fit.expression_features import expression_features
from auedit.fit.landmark_fit import FitResult, FitSettings, LandmarkFitter
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.rig.model import FaceRig, RigParams, load_rig

IDENTITY_FRAMES = 15  # frames whose identity fits are averaged before freezing
#: a frozen track's frames: warm-started from the last frame, two iterations reach what eight
#: do (on 100 video frames: pose within 0.004 degrees on average, the regressed AUs within
#: 0.001 FACS units; three iterations 0.007 and 0.0015)
LIVE = FitSettings(iterations=2, fit_identity=False)
WARMUP = FitSettings(iterations=6, fit_identity=True)
PHOTO = FitSettings(iterations=15, fit_identity=True)
#: Rig AU parameters read from MediaPipe's own blendshape rather than the regressor: the lips
#: sucked in (AU28). MediaPipe's lip-roll blendshapes barely move on renders (mean 0.008 with
#: AU28 absent, 0.014 at 0.6 and above), so the regressor learnt AU28 from the landmarks, and
#: on real faces that read the thinned lips of a smile as lips sucked in (the demo photo: AU28D
#: 3.3; London neutral photos 0.3 on average, up to 4.6) and missed a real lip roll
#: (`expressive_d6.mp4`, both roll blendshapes 0.42: AU28U 0.0, AU28D 0.35), which the
#: blendshapes, trained on real faces, see. On 400 renders this costs AU28's ICC (0.17 / 0.29
#: -> 0.02 / 0.01) and lowers its MAE (0.139 / 0.152 -> 0.112 / 0.134).
FROM_BLENDSHAPES = {"AU28U": "mouthRollUpper", "AU28D": "mouthRollLower"}
#: (rig AU index, blendshape index, the AU whose range scales it) of `FROM_BLENDSHAPES`.
_BLENDSHAPE_PARAMS = tuple((AU_PARAMETER_KEYS.index(k), ARKIT_BLENDSHAPES.index(b), k.rstrip("UD"))
                           for k, b in FROM_BLENDSHAPES.items())


@dataclass
class _TrackFit:
    last: FitResult  # the plain landmark fit: the next frame starts from it
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


def rig_reading(name: str, params: RigParams, confidence: float) -> AUReading:
    """A detector's reading of fitted rig parameters, over the rig detectors' keys."""
    values = au_intensities(params)
    return AUReading(name, {k: values.get(k, 0.0) for k in RigFitDetector.keys}, confidence)


class RigFitDetector:
    """AU intensities from fitting the game face; see the module docstring."""

    name = "rigfit"
    keys: tuple[str, ...] = _keys()

    def __init__(self, rig: FaceRig | None = None,
                 regressor: AURegressor | bool = True) -> None:
        """regressor: True for the shipped one (where present), False for none."""
        self.fitter = LandmarkFitter(rig or load_rig())
        self.regressor = load_regressor() if regressor is True else (regressor or None)
        self._tracks: dict[int, _TrackFit] = {}
        self._estimates: dict[int, FitResult] = {}

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

    def estimate(self, face: TrackedFace, *, still: bool = False) -> FitResult:
        """The fit with the regressed AU parameters (the plain fit where no regressor is)."""
        result = self.regress(face, self.fit_face(face, still=still))
        if not still:
            self._estimates[face.track_id] = result
        return result

    def regress(self, face: TrackedFace, fit: FitResult) -> FitResult:
        """`fit` (a landmark fit of `face`) with its AU parameters from the regressor."""
        if self.regressor is None:
            return fit
        features = expression_features(self.fitter, face.landmarks, face.blendshapes, fit)
        params = fit.params.copy()
        params.au[0] = self.regressor.predict(features)
        for au, blendshape, scale in _BLENDSHAPE_PARAMS:
            params.au[0, au] = blendshape_level(scale, float(face.blendshapes[blendshape]))
        return replace(fit, params=params)

    def detect(self, frame: np.ndarray, face: TrackedFace) -> AUReading:
        del frame
        result = self.estimate(face)
        # confidence from the landmark error relative to the face's size
        confidence = float(np.clip(1.0 - result.rms_px / max(face.interocular, 1.0) / 0.1, 0, 1))
        return rig_reading(self.name, result.params, confidence)

    def last_fit(self, track_id: int) -> FitResult | None:
        """The last estimate of a track (None if the track has not been fitted)."""
        return self._estimates.get(track_id)

    def forget(self, track_id: int | None = None) -> None:
        if track_id is None:
            self._tracks.clear()
            self._estimates.clear()
        else:
            self._tracks.pop(track_id, None)
            self._estimates.pop(track_id, None)
