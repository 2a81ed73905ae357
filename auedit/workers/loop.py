"""A worker whose loop runs in a QThread of its own while the worker object, and so its
signals, stay in the GUI thread (the synthesis and GE-Net workers).

The loop reports through `self._emit(signal_name, args)`: a queued signal of a runner object
that lives in the worker thread, re-emitted as the named signal in the GUI thread. A report
never waits for the GUI, and a slot connected to the worker always runs in the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from auedit.workers.mailbox import FrameSlot

Emit = Callable[[str, tuple], None]
#: How long `shutdown` waits for a step in progress (a GE-Net engine being built may take
#: longer on a busy machine).
SHUTDOWN_WAIT_MS = 10_000
#: Threads whose step outlasted `shutdown`'s wait: kept referenced here, since Qt aborts the
#: process when a QThread object is destroyed while its thread runs (see `stuck_threads`).
_STUCK: list[QThread] = []


def stuck_threads() -> int:
    """How many worker threads are still running after their worker was shut down. The app
    leaves the process without running destructors while any are (`auedit.ui.app`)."""
    _STUCK[:] = [t for t in _STUCK if t.isRunning()]
    return len(_STUCK)


class _Runner(QObject):
    """Lives in the worker thread and runs the loop there; reports through one signal, which
    reaches the `LoopWorker` queued (so its own signals are always emitted in its thread)."""

    event = Signal(str, tuple)  # the LoopWorker signal to emit, its arguments

    def __init__(self, loop: Callable[[Emit], None]) -> None:
        super().__init__()
        self._loop = loop

    @Slot()
    def run(self) -> None:
        self._loop(self.event.emit)


class LoopWorker(QObject):
    """Base of a worker with one loop in a thread of its own; `start()` it, `shutdown()` it.

    The loop calls `step()` (one round of work, waiting at most briefly on `slot`) until the
    worker is shut down, then `_finished()`; shutting down closes `slot`, so that a step
    waiting on it returns at once.
    """

    thread_name = "auedit-worker"

    def __init__(self, step: Callable[[], None], slot: FrameSlot[Any]) -> None:
        super().__init__()
        self._step_once = step
        self._slot = slot
        self._stop = threading.Event()
        self._thread: QThread | None = None
        self._runner: _Runner | None = None
        self._emit: Emit = self._dispatch

    def start(self) -> None:
        """Run the loop in a thread of its own."""
        thread = QThread()
        thread.setObjectName(self.thread_name)
        runner = _Runner(self._run)
        runner.moveToThread(thread)
        runner.event.connect(self._dispatch)
        thread.started.connect(runner.run)
        self._thread, self._runner = thread, runner
        thread.start()

    def shutdown(self) -> None:
        """Stop the loop (after the job in progress) and wait for the thread."""
        self._stop.set()
        self._slot.close()
        if self._thread is not None:
            self._thread.quit()
            if not self._thread.wait(SHUTDOWN_WAIT_MS):
                _STUCK.append(self._thread)

    def _run(self, emit: Emit) -> None:
        self._emit = emit
        try:
            while not self._stop.is_set():
                self._step_once()
        finally:
            self._finished()

    def _finished(self) -> None:
        """Clean up in the worker thread once the loop has ended (nothing by default)."""

    @Slot(str, tuple)
    def _dispatch(self, signal: str, args: tuple) -> None:
        getattr(self, signal).emit(*args)
