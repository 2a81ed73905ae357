"""SIGTERM (`kill`, a job scheduler's polite stop) ends a command as Ctrl+C does, so that a
command writes what it has done so far instead of nothing."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM as KeyboardInterrupt."""
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt(enabled: bool = True) -> Iterator[None]:
    """Within the block SIGTERM raises KeyboardInterrupt; the previous handler comes back after.
    Signal handlers belong to the main thread: elsewhere (a test's thread) nothing changes."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
