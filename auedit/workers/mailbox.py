"""A one-slot mailbox between two threads (capture and inference, the GUI and the synthesizer):
the newest item wins."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from auedit.face.landmarker import Mode
from auedit.media.sources import Frame

T = TypeVar("T")


@dataclass
class Packet:
    """One captured frame on its way to inference."""

    frame: Frame
    mode: Mode
    source: str = ""
    generation: int = 0  # a new input gets a new generation: the analyser is reset
    captured_at: float = field(default_factory=time.monotonic)


class FrameSlot(Generic[T]):
    """Holds at most one item (a `Packet`, a render request); an item overwritten before it was
    taken counts as dropped."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._closed = False
        self._floor = 0  # items of an older `generation` are refused (see `clear`)
        self.dropped = 0
        self.put_count = 0

    def put(self, item: T) -> None:
        """Store `item`, replacing (and counting as dropped) any item not yet taken; an item of
        a generation older than the slot's floor (a retired input's late frame) is ignored."""
        with self._cond:
            if getattr(item, "generation", self._floor) < self._floor:
                return
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.put_count += 1
            self._cond.notify_all()

    def take(self, timeout: float = 0.05) -> T | None:
        """The newest item, waiting at most `timeout` seconds; None if none came."""
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item

    def clear(self, generation: int | None = None) -> None:
        """Forget a waiting item without counting it as a drop (a new input starts); with
        `generation`, refuse items of older generations from now on, so that a retiring
        capture cannot overwrite the new input's first frame."""
        with self._cond:
            self._item = None
            if generation is not None:
                self._floor = generation

    def reset_counters(self) -> None:
        with self._cond:
            self.dropped = 0
            self.put_count = 0

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
