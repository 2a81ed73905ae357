"""SIGTERM (`kill`, a job scheduler's polite stop) ends a command as Ctrl+C does, so that a
command writes what it has done so far instead of nothing; and both can be held off for the
few seconds that save it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

Handler = Callable[[int, Any], Any] | int


def _interrupt(signum: int, _frame: object) -> None:
    """SIGTERM as KeyboardInterrupt."""
    raise KeyboardInterrupt


@contextmanager
def _handling(handlers: dict[signal.Signals, Handler]) -> Iterator[None]:
    """Within the block the signals have these handlers; the previous ones come back after.
    Signal handlers belong to the main thread: elsewhere (a test's thread) nothing changes."""
    if not handlers or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {s: signal.signal(s, h) for s, h in handlers.items()}
    try:
        yield
    finally:  # a handler installed from C reads as None: the default then
        for s, h in before.items():
            signal.signal(s, signal.SIG_DFL if h is None else h)


def sigterm_as_interrupt(enabled: bool = True) -> AbstractContextManager[None]:
    """Within the block SIGTERM raises KeyboardInterrupt."""
    return _handling({signal.SIGTERM: _interrupt} if enabled else {})


def stops_held() -> AbstractContextManager[None]:
    """Within the block Ctrl+C and SIGTERM are ignored: for the few seconds that save what
    an interrupted command has done, which a second Ctrl+C would otherwise lose."""
    return _handling({signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_IGN})
