"""A loop worker whose step outlasts the shutdown wait: the app must not destroy its thread."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from auedit.workers import loop
from auedit.workers.mailbox import FrameSlot

pytestmark = pytest.mark.gui


def test_a_step_outlasting_shutdown_is_counted_as_stuck(qtbot, monkeypatch):
    monkeypatch.setattr(loop, "SHUTDOWN_WAIT_MS", 50)
    entered, release = threading.Event(), threading.Event()

    def step() -> None:  # a model that takes long to load
        entered.set()
        release.wait(10)

    worker = loop.LoopWorker(step, FrameSlot())
    worker.start()
    assert entered.wait(10)
    worker.shutdown()  # returns after the short wait, the step still running
    assert loop.stuck_threads() == 1
    release.set()
    qtbot.waitUntil(lambda: loop.stuck_threads() == 0, timeout=10000)
