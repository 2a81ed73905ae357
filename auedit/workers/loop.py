"""A worker whose loop runs in a QThread of its own while the worker object, and so its
signals, stay in the GUI thread (the synthesis and GE-Net workers).

The loop reports through `self._emit(signal_name, args)`: a queued signal of a runner object
that lives in the worker thread, re-emitted as the named signal in the GUI thread. A report
never waits for the GUI, and a slot connected to the worker always runs in the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

Emit = Callable[[str, tuple], None]


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

    Subclasses implement `_run(emit)` (set `self._emit = emit`, then loop until `self._stop`
    is set) and `_wake()` (make a loop that waits on a mailbox notice the stop).
    """

    thread_name = "auedit-worker"

    def __init__(self) -> None:
        super().__init__()
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
        self._wake()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(10000)

    def _run(self, emit: Emit) -> None:
        raise NotImplementedError

    def _wake(self) -> None:
        raise NotImplementedError

    @Slot(str, tuple)
    def _dispatch(self, signal: str, args: tuple) -> None:
        getattr(self, signal).emit(*args)
