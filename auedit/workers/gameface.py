"""The game face of the live face, rendered in the inference thread (never the GUI thread).

The rig parameters come from the analyser's "rigfit" detector (its last fit of the face's
track), or from a fitter of our own where the analyser has no such detector; the AUs, where
the analyser runs the "mediapipe" detector, from its reading (as `auedit transfer` takes
them: `auedit.rig.readings.game_face_aus`). An identity photo replaces the face's own
identity parameters and its skin tone: the photo's face with the live expression and head
pose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from auedit.analysis.analyzer import Analyzer
from auedit.core.types import FrameAnalysis, largest_face
from auedit.rig.model import FaceRig, RigParams
from auedit.workers.torch_threads import use_torch_threads

RENDER_SIZE = 256
#: An identity photo of a group gives its largest face, of at most this many found.
IDENTITY_MAX_FACES = 8
BACKGROUND = (0.16, 0.17, 0.2)


class GameFaceRenderer:
    """Owned by one inference worker and used only in its thread."""

    def __init__(self, size: int = RENDER_SIZE) -> None:
        self.size = size
        self.enabled = False
        self.face_index = 0
        self.identity: RigParams | None = None
        self.identity_path = ""
        self.identity_tone: np.ndarray | None = None  # (3,) the identity photo's cheeks
        self._renderers: dict[int, object] = {}
        self._own: dict[int, object] = {}  # rig fitters where the analyser has no rigfit
        self._tracker = None
        self._fitter = None

    # --- rendering -----------------------------------------------------------------------
    def render(self, analyzer: Analyzer, analysis: FrameAnalysis,
               refit: bool = False) -> np.ndarray | None:
        """(H, W, 3) uint8 of the selected face's game face; None when no face is in view."""
        faces = analysis.faces
        if not faces:
            return None
        analysed = faces[min(max(self.face_index, 0), len(faces) - 1)]
        face = analysed.face
        detector = next((d for d in analyzer.detectors
                         if getattr(d, "name", "") == "rigfit" and hasattr(d, "last_fit")), None)
        fit = detector.last_fit(face.track_id) if detector is not None else None
        if fit is None:
            detector = self._own_detector(analyzer)
            fit = detector.last_fit(face.track_id) if refit else None
            if fit is None:
                fit = detector.estimate(face)
        rig: FaceRig = detector.fitter.rig
        params = fit.params.copy()
        reading = analysed.readings.get("mediapipe")
        if reading is not None:
            from auedit.rig.readings import game_face_aus
            from auedit.synth.base import rig_aus

            params.au[0] = rig_aus(game_face_aus(reading.values), params.au[0])
        if self.identity is not None:
            from auedit.transfer.expression import combine

            params = combine(self.identity, params)
        return self._renderer(rig).render_uint8(params, skin_tone=self.identity_tone)[0]

    def _renderer(self, rig: FaceRig):
        renderer = self._renderers.get(id(rig))
        if renderer is None:
            from auedit.render.face import FaceRenderer

            use_torch_threads(1)  # this is the inference thread (`torch_threads`)
            renderer = self._renderers[id(rig)] = FaceRenderer(
                rig, size=self.size, background=BACKGROUND, look="textured")
        return renderer

    def _own_detector(self, analyzer: Analyzer):
        key = id(analyzer)
        detector = self._own.get(key)
        if detector is None:
            from auedit.detect.rigfit import RigFitDetector
            from auedit.rig.model import rig_for

            detector = self._own[key] = RigFitDetector(rig_for(analyzer.tracker.canonical))
        return detector

    # --- identity ------------------------------------------------------------------------
    def set_identity_photo(self, path: str) -> tuple[bool, str]:
        """Fit the photo's face and keep its identity; returns (done, a message for the user).

        An empty path goes back to the live face's own identity. A photo without a face
        leaves the identity as it was; of a group photo's faces, the largest is taken.
        """
        if not path:
            self.identity, self.identity_path, self.identity_tone = None, "", None
            return True, "Game face: the face's own identity"
        from auedit.detect.rigfit import PHOTO
        from auedit.face.landmarker import Mode
        from auedit.face.tracker import FaceTracker
        from auedit.fit.landmark_fit import LandmarkFitter
        from auedit.media.sources import ImageSource
        from auedit.render.skin import cheek_colour
        from auedit.rig.model import rig_for

        rgb = ImageSource(path).rgb
        if self._tracker is None:
            self._tracker = FaceTracker(Mode.IMAGE, max_faces=IDENTITY_MAX_FACES)
            self._fitter = LandmarkFitter(rig_for(self._tracker.canonical))
        self._tracker.reset()
        faces = self._tracker.track(rgb, 0.0)
        name = Path(path).name
        if not faces:
            kept = "identity unchanged" if self.identity is None else \
                f"still using {Path(self.identity_path).name}"
            return False, f"Game face: no face found in {name}; {kept}"
        face = largest_face(faces)  # a group photo: its largest face
        result = self._fitter.fit(face.landmarks, settings=PHOTO)
        self.identity, self.identity_path = result.params.copy(), path
        self.identity_tone = cheek_colour(rgb, face.landmarks)  # the photo's skin too
        which = f" (the largest of its {len(faces)} faces)" if len(faces) > 1 else ""
        return True, f"Game face: identity of {name}{which}, driven by the live face"

    def close(self) -> None:
        if self._tracker is not None:
            self._tracker.close()
            self._tracker = None
