"""MediaPipe Face Landmarker in image, video and live modes.

- IMAGE: every frame on its own (photos, frames out of order).
- VIDEO: frames of one file in order, with their time stamps; MediaPipe tracks landmarks from
  frame to frame and runs its face detector only when it has lost a face.
- LIVE: a camera; the same tracking graph, fed with monotonic clock time stamps. AUEdit's
  inference worker already drops stale frames (newest frame wins), so MediaPipe's own
  asynchronous LIVE_STREAM mode, which would add a second queue and a callback thread, is not
  used.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np

from auedit.face.model_file import REINSTALL_ADVICE, FaceModelError, find_face_model
from auedit.media.sources import MediaError

log = logging.getLogger(__name__)

#: Frames with a longer side are scaled down for MediaPipe (which looks at 128-256 px crops
#: anyway) and the landmarks scaled back up, so a 24-megapixel photo costs no more than HD.
DETECT_MAX_SIDE = 1920

#: Frames and tiles with a shorter side hold no face MediaPipe could find; a tile that rounds
#: to zero pixels would also stop MediaPipe's graph for good ("ROI width and height must be
#: > 0"), so such frames count as showing no face and such tiles are not looked at.
MIN_SIDE = 32


class Mode(Enum):
    IMAGE = "image"
    VIDEO = "video"
    LIVE = "live"


@dataclass
class RawFace:
    """One face as MediaPipe reports it, before track ids are assigned."""

    landmarks: np.ndarray  # (478, 3) pixels; z scaled like x
    blendshapes: np.ndarray  # (51,) in ARKIT_BLENDSHAPES order
    transform: np.ndarray  # (4, 4)

    @property
    def box(self) -> tuple[float, float, float, float]:
        x0, y0 = self.landmarks[:, :2].min(axis=0)
        x1, y1 = self.landmarks[:, :2].max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


def _downscaled(frame: np.ndarray) -> tuple[np.ndarray, float]:
    """`frame` with its longer side at most `DETECT_MAX_SIDE`, and the factor it shrank by."""
    h, w = frame.shape[:2]
    factor = max(h, w) / DETECT_MAX_SIDE
    if factor <= 1.0:
        return frame, 1.0
    import cv2

    size = (max(1, round(w / factor)), max(1, round(h / factor)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA), factor


def _close_mediapipe(landmarker) -> None:  # landmarker: vision.FaceLandmarker
    """Close MediaPipe's landmarker. One whose graph has failed repeats the failure and stays
    half open; its finaliser would try again from whichever thread collects it, and can hang
    there, so the rest of MediaPipe's own close sequence is done here."""
    try:
        landmarker.close()
    except (RuntimeError, ValueError) as exc:
        log.debug("MediaPipe's face landmarker closed with an error: %s", exc)
        landmarker._handle = None  # MediaPipe's __del__ then does nothing
        for part in ("_dispatcher", "_lib"):  # its result and call threads
            with contextlib.suppress(Exception):  # best effort on a failed graph
                getattr(landmarker, part).close()


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


_OPEN: weakref.WeakSet[FaceLandmarker] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    # MediaPipe's own finalizer fails during interpreter shutdown; close while it still works.
    for landmarker in list(_OPEN):
        landmarker.close()


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """MediaPipe's C++ side writes start-up chatter (W0000 ..., INFO: XNNPACK) straight to
    file descriptor 2; hide it while the graph starts so the CLI's output stays readable."""
    if log.isEnabledFor(logging.DEBUG):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class FaceLandmarker:
    """Wraps `mediapipe.tasks.vision.FaceLandmarker` with numpy outputs in pixels."""

    def __init__(self, mode: Mode = Mode.IMAGE, *, max_faces: int = 4,
                 model_path: str | os.PathLike[str] | None = None,
                 min_confidence: float = 0.5, tiled: bool = True) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        self.mode = mode
        self.max_faces = max_faces
        # MediaPipe's face detector is a short-range one (faces within ~2 m); in photos of
        # groups it misses the smaller faces, so IMAGE mode also looks at four overlapping
        # tiles of 60% size, where those faces are larger relative to the detector's input.
        self.tiled = tiled and mode is Mode.IMAGE and max_faces > 1
        self.model_path: Path = find_face_model(model_path)
        running = vision.RunningMode.IMAGE if mode is Mode.IMAGE else vision.RunningMode.VIDEO
        self._options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=running,
            num_faces=max_faces,
            min_face_detection_confidence=min_confidence,
            min_face_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        self._landmarker = None
        self._start()
        self._last_ts = -1 if mode is Mode.IMAGE else 0
        _OPEN.add(self)

    def _start(self) -> None:
        """Create MediaPipe's graph; FaceModelError, naming the file, where it cannot load it."""
        from mediapipe.tasks.python import vision

        try:
            with _native_stderr_silenced():
                self._landmarker = vision.FaceLandmarker.create_from_options(self._options)
                # the first inference starts the delegates, which log once more
                self._infer(np.zeros((64, 64, 3), np.uint8), 0)
        except (RuntimeError, ValueError) as exc:  # e.g. "not a valid Flatbuffer buffer"
            self.close()
            raise FaceModelError(
                f"MediaPipe cannot load the face model {self.model_path}: {exc}. The file is "
                f"damaged or not a Face Landmarker bundle. {REINSTALL_ADVICE}"
            ) from exc

    @property
    def last_timestamp_ms(self) -> int:
        """The time stamp of the last frame given to MediaPipe (VIDEO/LIVE need increasing)."""
        return self._last_ts

    def detect(self, rgb: np.ndarray, timestamp_ms: int | None = None) -> list[RawFace]:
        """Faces in one RGB uint8 frame; VIDEO and LIVE need increasing time stamps (ms)."""
        if self._landmarker is None:
            raise RuntimeError("the face landmarker is closed")
        frame = np.ascontiguousarray(rgb)
        ts = int(timestamp_ms if timestamp_ms is not None else self._last_ts + 33)
        ts = max(ts, self._last_ts + 1)  # MediaPipe rejects non-increasing time stamps
        self._last_ts = ts
        frame, factor = _downscaled(frame)
        if min(frame.shape[:2]) < MIN_SIDE:
            log.debug("a %sx%s frame is too small to hold a face", *frame.shape[1::-1])
            return []
        faces = self._detect_all(frame, ts)
        for f in faces:
            f.landmarks *= np.float32(factor)
        return faces

    def _detect_all(self, frame: np.ndarray, ts: int) -> list[RawFace]:
        faces = self._faces(frame, ts, 0, 0)
        h, w = frame.shape[:2]
        th, tw = int(h * 0.6), int(w * 0.6)
        if self.tiled and len(faces) < self.max_faces and min(th, tw) >= MIN_SIDE:
            for y0 in (0, h - th):
                for x0 in (0, w - tw):
                    tile = np.ascontiguousarray(frame[y0:y0 + th, x0:x0 + tw])
                    for face in self._faces(tile, ts, x0, y0):
                        if len(faces) < self.max_faces and all(
                            box_iou(face.box, f.box) < 0.3 for f in faces
                        ):
                            faces.append(face)
        return faces

    def _faces(self, frame: np.ndarray, ts: int, x0: int, y0: int) -> list[RawFace]:
        result = self._run(frame, ts)
        h, w = frame.shape[:2]
        scale = np.array([w, h, w], dtype=np.float32)
        offset = np.array([x0, y0, 0], dtype=np.float32)
        faces = []
        for i, points in enumerate(result.face_landmarks):
            lms = np.array([(p.x, p.y, p.z) for p in points], dtype=np.float32) * scale + offset
            bs = np.array([c.score for c in result.face_blendshapes[i]][1:], dtype=np.float32)
            tf = np.asarray(result.facial_transformation_matrixes[i], dtype=np.float64)
            faces.append(RawFace(lms, bs, tf))
        return faces

    def _run(self, frame: np.ndarray, timestamp_ms: int):  # -> FaceLandmarkerResult
        """MediaPipe's result for one frame; MediaError where MediaPipe fails on it (its graph,
        which then refuses every later frame, is started afresh first)."""
        try:
            return self._infer(frame, timestamp_ms)
        except RuntimeError as exc:
            self.close()
            self._start()
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            h, w = frame.shape[:2]
            raise MediaError(f"MediaPipe failed on a {w}x{h} pixel frame: {reason}") from exc

    def _infer(self, frame: np.ndarray, timestamp_ms: int):  # -> FaceLandmarkerResult
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=frame)
        if self.mode is Mode.IMAGE:
            return self._landmarker.detect(image)
        return self._landmarker.detect_for_video(image, timestamp_ms)

    def close(self) -> None:
        """Stop MediaPipe's graph; never raises."""
        landmarker, self._landmarker = getattr(self, "_landmarker", None), None
        if landmarker is not None:
            _close_mediapipe(landmarker)

    def __enter__(self) -> FaceLandmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

