"""The face tracker: MediaPipe landmarks, blendshapes and pose with stable track ids."""

from __future__ import annotations

import os

import numpy as np

from auedit.core.types import TrackedFace
from auedit.face.canonical import CanonicalFace, load_canonical_face
from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.face.pose import pose_from_transform
from auedit.face.tracking import TrackIdAssigner

#: how far MediaPipe's clock moves on at a reset (a new input starts at time 0 again)
RESET_GAP_MS = 10_000


class FaceTracker:
    """Tracks faces through images, videos or a live camera."""

    def __init__(self, mode: Mode = Mode.VIDEO, *, max_faces: int = 4,
                 model_path: str | os.PathLike[str] | None = None) -> None:
        self._options = (mode, max_faces, model_path)
        self.landmarker = FaceLandmarker(mode, max_faces=max_faces, model_path=model_path)
        # a photo is one frame: its faces need no confirmation on a second frame
        self.ids = TrackIdAssigner(min_hits=1 if mode is Mode.IMAGE else 2)
        self.canonical: CanonicalFace = load_canonical_face(self.landmarker.model_path)
        self._offset_ms = 0  # added to the time stamps of the input since the last reset

    @property
    def mode(self) -> Mode:
        return self.landmarker.mode

    def track(self, rgb: np.ndarray, timestamp: float) -> list[TrackedFace]:
        """Faces in one RGB frame at `timestamp` seconds, with track ids, left to right (so
        that a photo's faces are numbered from the left, as `auedit edit --face` counts)."""
        raw = sorted(self.landmarker.detect(rgb, self._offset_ms + round(timestamp * 1000)),
                     key=lambda f: f.box[0])
        boxes = [f.box for f in raw]
        ids = self.ids.assign(boxes, rgb, timestamp)
        return [
            TrackedFace(track_id=tid, box=box, landmarks=f.landmarks, blendshapes=f.blendshapes,
                        pose=pose_from_transform(f.transform), transform=f.transform)
            for tid, box, f in zip(ids, boxes, raw, strict=True)
            if tid >= 0
        ]

    def reset(self) -> None:
        """Forget track ids (a new video or camera). MediaPipe's graph is kept, its clock moved
        on by RESET_GAP_MS: rebuilding the graph on every new input leaked about 2 MB of
        native memory each time, and the gap lets its tracker look for faces afresh."""
        self.ids.reset()
        self._offset_ms = self.landmarker.last_timestamp_ms + RESET_GAP_MS

    def close(self) -> None:
        self.landmarker.close()
