"""torch's CPU threads per worker thread: one for the game face beside the analysis, torch's
default for GE-Net's fitting (`auedit.workers.torch_threads`)."""

from __future__ import annotations

import threading

import pytest

torch = pytest.importorskip("torch")


def _in_thread(job):
    out = []
    thread = threading.Thread(target=lambda: out.append(job()))
    thread.start()
    thread.join()
    return out[0]


def test_the_game_face_thread_renders_on_one_torch_thread():
    from auedit.rig.model import load_rig
    from auedit.workers.gameface import GameFaceRenderer
    from auedit.workers.torch_threads import default_count, use_torch_threads

    default = default_count()
    try:
        def make_renderer() -> int:
            GameFaceRenderer(size=64)._renderer(load_rig())
            return torch.get_num_threads()

        assert _in_thread(make_renderer) == 1

        def fitting_thread() -> int:
            use_torch_threads(None)
            return torch.get_num_threads()

        assert _in_thread(fitting_thread) == default  # GE-Net's thread is not held to one
    finally:
        torch.set_num_threads(default)


def test_the_default_is_read_before_the_first_change(monkeypatch):
    """A thread that never set its count takes the last one set anywhere: the default must be
    read before the game face sets 1, or GE-Net's thread would read that 1 as the default."""
    from auedit.workers import torch_threads

    default = _in_thread(torch.get_num_threads)
    monkeypatch.setattr(torch_threads, "_default", None)
    try:
        _in_thread(lambda: torch_threads.use_torch_threads(1))
        assert torch_threads.default_count() == default
    finally:
        torch.set_num_threads(default)
