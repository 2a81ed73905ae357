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
    finally:  # a handler installed from C reads as None: the default then
        signal.signal(signal.SIGTERM, signal.SIG_DFL if before is None else before)


@contextmanager
def stops_held() -> Iterator[None]:
    """Within the block Ctrl+C and SIGTERM are ignored: for the few seconds that save what
    an interrupted command has done, which a second Ctrl+C would otherwise lose."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
