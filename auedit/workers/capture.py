"""The capture worker: reads frames from a source in its own thread into the frame slot."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from auedit.face.landmarker import Mode
from auedit.media.sources import Frame, MediaError
from auedit.workers.mailbox import FrameSlot, Packet

SourceFactory = Callable[[], Iterable[Frame]]


class CaptureWorker(QObject):
    """Pushes frames of one source into a `FrameSlot`, as fast as they come (camera, fake
    sources) or at the source's frame rate (`paced`, video playback).

    Video control (`set_paused`, `seek`) is thread-safe: the loop reads it between frames.
    A still image, or the end of a video, leaves the worker idle until it is stopped.
    """

    opened = Signal(dict)  # {"name", "kind", "frame_count", "fps"}
    ended = Signal()
    error = Signal(str)
    finished = Signal()

    def __init__(self, open_source: SourceFactory, slot: FrameSlot, mode: Mode, *,
                 generation: int = 0, paced: bool = False, paused: bool = False) -> None:
        super().__init__()
        self._open = open_source
        self._slot = slot
        self._mode = mode
        self._generation = generation
        self._paced = paced
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = paused
        self._seek: int | None = None
        self.current_index = -1
        self.frame_count = 0
        self.captured = 0
        self.done = False  # the loop has ended (source exhausted by stop, or an error)
        self.at_end = False  # a video played to its end (paused there, still steppable)
        self._name = ""

    # --- thread-safe control -----------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def set_paused(self, paused: bool) -> None:
        with self._lock:
            self._paused = paused

    @property
    def paused(self) -> bool:
        return self._paused

    def seek(self, index: int) -> None:
        """Deliver frame `index` next (also while paused); then go on if playing."""
        with self._lock:
            self._seek = max(0, index)

    # --- the loop ------------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            self._loop()
        except MediaError as exc:
            self.error.emit(str(exc))
        except Exception as exc:  # a worker must never take the app down
            self.error.emit(f"capture failed: {exc}")
        finally:
            self.done = True
            self.finished.emit()

    def _loop(self) -> None:
        source = self._open()
        try:
            self._name = str(getattr(source, "name", ""))
            self.frame_count = int(getattr(source, "frame_count", 0) or 0)
            fps = float(getattr(source, "fps", 0.0) or 0.0)
            self.opened.emit({"name": self._name, "kind": getattr(source, "kind", ""),
                              "frame_count": self.frame_count, "fps": fps})
            it: Iterator[Frame] | None = iter(source)
            clock: tuple[float, float] | None = None  # (wall time, frame time) of pacing start
            while not self._stop.is_set():
                with self._lock:
                    seek, self._seek = self._seek, None
                    paused = self._paused
                if seek is not None and hasattr(source, "seek"):
                    if self.frame_count:
                        seek = min(seek, self.frame_count - 1)
                    source.seek(seek)
                    it, clock = iter(source), None
                elif paused or it is None:
                    self._stop.wait(0.02)
                    continue
                try:
                    frame = next(it)
                except StopIteration:
                    it = None
                    if getattr(source, "kind", "") == "video":
                        self.set_paused(True)
                        self.at_end = True
                    self.ended.emit()
                    continue
                if self._paced and fps > 0 and seek is None:
                    clock = self._pace(frame, clock)
                self._deliver(frame)
        finally:
            close: Any = getattr(source, "close", None)
            if close is not None:
                close()

    def _pace(self, frame: Frame, clock: tuple[float, float] | None) -> tuple[float, float]:
        now = time.monotonic()
        if clock is None:
            return now, frame.timestamp
        due = clock[0] + (frame.timestamp - clock[1])
        if due > now:
            self._stop.wait(due - now)
        return clock

    def _deliver(self, frame: Frame) -> None:
        self.at_end = False
        self.current_index = frame.index
        self.captured += 1
        self._slot.put(Packet(frame, self._mode, self._name, self._generation))
