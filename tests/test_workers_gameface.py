"""The inference worker's game-face switch: once off, nothing it publishes carries a render,
however the switch's queued commands and a render in progress interleave."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from auedit.face.landmarker import Mode
from auedit.workers.inference import AnalysedFrame, InferenceWorker
from auedit.workers.mailbox import FrameSlot

pytestmark = pytest.mark.gui


class _Renderer:
    """Stands in for the game face: renders a grey square, optionally doing something first
    (another thread switching the panel off while it renders)."""

    def __init__(self) -> None:
        self.enabled = False
        self.during = None
        self.face_index = 0

    def render(self, analyzer, analysis, refit: bool = False) -> np.ndarray:
        if self.during is not None:
            self.during()
        return np.full((8, 8, 3), 128, np.uint8)

    def close(self) -> None:
        pass


@pytest.fixture
def worker():
    w = InferenceWorker(FrameSlot(), lambda mode: None, [])
    w._gameface = _Renderer()
    w._analyzers[Mode.IMAGE] = object()
    w._latest = AnalysedFrame(None, np.zeros((4, 4, 3), np.uint8), 0.0, Mode.IMAGE, 1)
    published: list[AnalysedFrame] = []
    w.analysed.connect(published.append)
    return w, published


def test_a_quick_on_off_renders_nothing(qtbot, worker):
    w, published = worker
    w.set_gameface(True)
    w.set_gameface(False)  # before the worker got to the first command
    w._apply_commands()
    assert not w._gameface.enabled
    assert all(item.gameface is None for item in published)


def test_switched_off_while_rendering_publishes_no_render(qtbot, worker):
    w, published = worker
    w.set_gameface(True)
    w._gameface.during = lambda: w.set_gameface(False)
    w._apply_commands()
    assert all(item.gameface is None for item in published)


def test_switched_on_rerenders_the_latest_frame(qtbot, worker):
    w, published = worker
    w.set_gameface(True)
    w._apply_commands()
    assert len(published) == 1 and published[0].gameface is not None


def test_a_render_finished_after_another_input_opened_is_not_published(qtbot, worker):
    """Re-rendering the latest frame takes a while (the first render loads torch); if another
    input opens meanwhile, the old input's frame must not come back as the newest result (a
    file that then failed to open kept showing the last photo)."""
    w, published = worker
    w.set_gameface(True)
    w._gameface.during = lambda: w.start_input(1)
    w._apply_commands()
    assert published == [] and w.latest() is None
