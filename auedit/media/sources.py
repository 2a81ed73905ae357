"""Frame sources: image files, video files, folders of them, and cameras.

Every source yields `Frame`s of RGB uint8 pixels with an index and a time stamp in seconds.
Unreadable input raises `MediaError` with a message meant for the user.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"})

# FFmpeg's own lines ("moov atom not found" before AUEdit's message for a file that is no
# video) go to the terminal from C; AUEdit says what failed itself. Set the variable to see
# them (FFmpeg's log levels: 16 errors, 32 information).
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")

#: The highest camera index passed to OpenCV, which crashes on negative indices and raises
#: its own error on huge ones.
MAX_CAMERA_INDEX = 255


class MediaError(RuntimeError):
    """An input that cannot be read: the message says which and why."""


@dataclass
class Frame:
    index: int
    timestamp: float  # seconds
    rgb: np.ndarray  # H x W x 3 uint8


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """An image file as RGB uint8, EXIF orientation applied, at full resolution."""
    p = Path(path)
    try:
        data = np.fromfile(p, dtype=np.uint8)  # also works for non-ASCII paths
    except OSError as exc:
        raise MediaError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if data.size == 0:
        raise MediaError(f"{p} is empty")
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise MediaError(f"{p} is not a readable image (corrupt or unsupported format)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class ImageSource:
    """One still image as a one-frame source."""

    kind = "image"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.rgb = read_image(self.path)
        self.frame_count = 1
        self.fps = 0.0

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(0, 0.0, self.rgb)

    def close(self) -> None:
        pass


class VideoSource:
    """Frames of a video file, time stamps from the container's frame rate."""

    kind = "video"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        if not self.path.is_file():
            raise MediaError(f"{self.path} does not exist")
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise MediaError(f"{self.path} is not a readable video (corrupt or unsupported codec)")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1.0 <= fps <= 1000.0 else 30.0
        self.frame_count = max(0, int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        ok, first = self._cap.read()
        if not ok:
            self._cap.release()
            raise MediaError(f"{self.path} has no readable frames (corrupt or unsupported codec)")
        self._first: np.ndarray | None = first
        self._next_index = 0

    def seek(self, index: int) -> None:
        """Continue iterating from frame `index`."""
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        self._first = None
        self._next_index = index

    def __iter__(self) -> Iterator[Frame]:
        index = self._next_index
        while True:
            if self._first is not None:
                bgr, self._first = self._first, None
                ok = True
            else:
                ok, bgr = self._cap.read()
            if not ok:
                return
            yield Frame(index, index / self.fps, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            index += 1

    def close(self) -> None:
        self._cap.release()


@contextmanager
def _opencv_quiet() -> Iterator[None]:
    """OpenCV's own log silenced for the duration (restored afterwards)."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(level)


class CameraSource:
    """A camera by index; time stamps from the monotonic clock since opening."""

    kind = "camera"

    def __init__(self, index: int, width: int = 640, height: int = 480) -> None:
        if not 0 <= index <= MAX_CAMERA_INDEX:
            raise MediaError(f"there is no camera {index}: camera indices run from 0 to "
                             f"{MAX_CAMERA_INDEX}")
        self.index = index
        self.name = f"camera {index}"
        with _opencv_quiet():  # OpenCV logs each backend it tried; the MediaError says it all
            self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            raise MediaError(f"camera {index} cannot be opened (not connected, or in use by "
                             "another program)")
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 30.0
        self.frame_count = 0
        self._t0 = time.monotonic()

    def read(self) -> np.ndarray:
        """The next frame; MediaError when the camera has gone away."""
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            raise MediaError(f"camera {self.index} stopped delivering frames (disconnected?)")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            rgb = self.read()
            yield Frame(index, time.monotonic() - self._t0, rgb)
            index += 1

    def close(self) -> None:
        self._cap.release()


Source = ImageSource | VideoSource | CameraSource


def is_camera_index(item: str) -> bool:
    """Whether an input names a camera: ASCII digits only ("0"; not "-1", "²" or "١")."""
    return item.isascii() and item.isdigit()


def media_kind(path: Path) -> str | None:
    s = path.suffix.lower()
    return "image" if s in IMAGE_SUFFIXES else "video" if s in VIDEO_SUFFIXES else None


def expand_inputs(inputs: list[str]) -> list[str]:
    """Paths and camera indices; folders become their images and videos, sorted."""
    out: list[str] = []
    for item in inputs:
        if is_camera_index(item):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and media_kind(f))
            if not files:
                raise MediaError(f"{p} contains no images or videos")
            out.extend(str(f) for f in files)
        elif p.exists():
            out.append(str(p))
        else:
            raise MediaError(f"{p} does not exist")
    return out


def open_source(item: str) -> Source:
    """The source for a path or a camera index ("0")."""
    if is_camera_index(item):
        return CameraSource(int(item))
    p = Path(item)
    kind = media_kind(p)
    if kind == "video":
        return VideoSource(p)
    if kind == "image":
        return ImageSource(p)
    # unknown suffix: try as an image, then as a video
    try:
        return ImageSource(p)
    except MediaError:
        try:
            return VideoSource(p)
        except MediaError:
            raise MediaError(f"{p} is neither a readable image nor a readable video") from None
