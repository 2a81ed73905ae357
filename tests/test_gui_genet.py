"""The GE-Net tab and its worker, offscreen, with tiny untrained networks made here (the
shipped ones may not exist; the fitting's quality is not what these tests check)."""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest

from auedit import resources

pytestmark = pytest.mark.gui

DEMO = resources.ROOT / "demo" / "astronaut.jpg"
ITERATIONS = 6  # per photo (the app's 30 take seconds)
LIVE_ITERATIONS = 2
#: How long a wait for a fit may take (ms): the fitting thread runs below the app's others, so
#: on a loaded machine it gets little CPU; a wait returns as soon as its condition holds.
FIT_TIMEOUT = 120000


@pytest.fixture(scope="session")
def genet_networks(tmp_path_factory) -> dict[str, Path]:
    """Network files for `model_files.SHIPPED`'s names: tiny, untrained, written once."""
    import torch

    from auedit.fit.genet.networks import (
        Imitator,
        ImitatorConfig,
        SegmenterConfig,
        build_segmenter,
    )
    from auedit.fit.genet.params import imitator_input_size
    from auedit.rig.topology import Part

    folder = tmp_path_factory.mktemp("genet")
    torch.manual_seed(0)
    nets = {"imitator": ("imitator", Imitator,
                         ImitatorConfig(imitator_input_size(), 128, width=4)),
            "resnet50": ("segmenter", build_segmenter,
                         SegmenterConfig("resnet50", len(Part), width=0.125)),
            "light": ("segmenter", build_segmenter,
                      SegmenterConfig("light", len(Part), width=0.25))}
    paths = {}
    for name, (kind, build, config) in nets.items():
        paths[name] = folder / f"{name}.pt"
        torch.save({"kind": kind, "config": asdict(config), "state": build(config).state_dict(),
                    "record": {}}, paths[name])
    return paths


@pytest.fixture(scope="session")
def genet_rates() -> None:
    """GE-Net's learning rates, computed once per process by the first engine made (a second
    of rendering here), computed now: in the fitting thread, which runs below the others, a
    loaded machine stretched them past a minute, and a test's timeout then depended on
    whether an earlier test had made an engine."""
    from auedit.fit.genet.fitter import changed_pixel_rates

    changed_pixel_rates()


@pytest.fixture
def tiny_genet(monkeypatch, genet_networks, genet_rates):
    """GE-Net engines on the tiny networks, with few iterations."""
    from auedit.fit.genet import model_files
    from auedit.fit.genet.engine import GENet
    from auedit.fit.genet.fitter import GENetSettings

    monkeypatch.setattr(model_files, "shipped_path", genet_networks.__getitem__)

    def make(extractor: str) -> GENet:
        return GENet(extractor, settings=GENetSettings(iterations=ITERATIONS),
                     live_iterations=LIVE_ITERATIONS)

    return make


@pytest.fixture(scope="module")
def demo_face():
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import read_image

    rgb = read_image(DEMO)
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    try:
        return rgb, tracker.track(rgb, 0.0)[0]
    finally:
        tracker.close()


def _open_photo(qtbot, window, path: Path = DEMO) -> None:
    window.open_paths([str(path)])
    qtbot.waitUntil(lambda: window.latest() is not None
                    and window.latest().analysis.source == str(path)
                    and len(window.latest().analysis.faces) == 1, timeout=30000)


def test_tab_fits_a_photo_with_progress_and_histogram(qtbot, window, tiny_genet):
    from PySide6.QtGui import QKeySequence

    from auedit.rig.expressions import AU_PARAMETER_KEYS

    window.genet.make_engine = tiny_genet
    _open_photo(qtbot, window)
    action = next(a for a in window.actions() if a.text() == "G&E-Net fit")
    assert action.shortcuts() == [QKeySequence("Ctrl+4")]
    action.trigger()
    panel = window.genet_panel
    assert window.right_tabs.currentWidget() is panel
    assert window.right_tabs.tabText(window.right_tabs.currentIndex()) == "GE-Net"
    assert window.histogram_box.isHidden()  # its own histogram takes the room
    qtbot.waitUntil(lambda: window.genet.result is not None, timeout=FIT_TIMEOUT)
    result = window.genet.result
    assert result.still and result.fit.iterations == ITERATIONS
    assert len(result.fit.losses) == ITERATIONS + 1  # and the fitted parameters' loss

    # the progress bar reaches the end, with the last loss
    qtbot.waitUntil(lambda: panel.progress.value() == ITERATIONS, timeout=5000)
    assert panel.progress.maximum() == ITERATIONS
    assert f"{ITERATIONS}/{ITERATIONS}" in panel.progress.text()
    assert f"{result.fit.losses[-1]:.4f}" in panel.progress.text()
    assert f"{ITERATIONS} iterations" in panel.status.text()

    # the histogram shows the fitted pose and AU parameters
    params = result.fit.params
    expected = np.clip(np.concatenate([params.pose[0], params.au[0]]), 0, 1)
    qtbot.waitUntil(lambda: np.allclose(panel.histogram.heights(), expected), timeout=5000)
    assert panel.histogram.keys == ("pitch", "yaw", "roll", *AU_PARAMETER_KEYS)
    assert "yaw" in panel.pose_label.text()

    # the aligned photo, the imitator's face and the rig render, side by side
    for view, image in zip(panel.views, (result.fit.aligned, result.fit.imitated,
                                         result.render), strict=True):
        assert np.array_equal(view.rgb, image)
    assert result.render.shape == (128, 128, 3)
    assert result.render.std() > 10  # a face, not the background alone
    assert not panel.unavailable
    assert window.frameGeometry().width() <= 1280 and window.frameGeometry().height() <= 800
    if os.environ.get("AUEDIT_SCREENSHOT"):
        window.grab().save(os.environ["AUEDIT_SCREENSHOT"])

    # the same photo is not fitted again when the tab comes back
    fits = window.genet.worker.fits
    window.right_tabs.setCurrentWidget(window.series)
    window.show_genet()
    qtbot.wait(300)
    assert window.genet.worker.fits == fits and window.genet.result is result


def test_missing_model_file_shows_a_message(qtbot, window, monkeypatch, genet_networks,
                                            genet_rates):
    from auedit.fit.genet import model_files
    from auedit.workers.genet import default_engine

    for name in model_files.SHIPPED:
        monkeypatch.setitem(model_files.SHIPPED, name, f"genet_{name}_missing_for_test.pt")
    window.genet.make_engine = default_engine
    _open_photo(qtbot, window)
    window.show_genet()
    panel = window.genet_panel
    qtbot.waitUntil(lambda: panel.unavailable, timeout=FIT_TIMEOUT)
    assert "genet_imitator_missing_for_test.pt is missing" in panel.message.text()
    assert "rest of AUEdit works" in panel.message.text()
    assert "GE-Net" in window.statusBar().currentMessage()
    assert window.genet.result is None

    # the rest of the app works: the detectors read the face, the Edit tab opens
    readings = window.latest().analysis.faces[0].readings
    assert readings and window.histogram.heights(window.detectors[0]).max() > 0
    window.start_editing()
    assert window.right_tabs.currentWidget() is window.edit_panel

    # with the networks in place, the next photo is fitted (the app's 30 iterations); the
    # result comes as a signal, but the panel only paints it on the window's next refresh
    # (the progress leaves the message page before that): wait for the painted result
    monkeypatch.setattr(model_files, "shipped_path", genet_networks.__getitem__)
    window.show_genet()
    _open_photo(qtbot, window)

    def shown() -> bool:
        result, rgb = window.genet.result, panel.views[2].rgb
        return result is not None and rgb is not None and np.array_equal(rgb, result.render)

    qtbot.waitUntil(shown, timeout=FIT_TIMEOUT)
    assert not panel.unavailable and window.genet.result.fit.iterations == 30


class HeldEngine:
    """Wraps a GE-Net engine: its first fit is held at the first iteration (reporting it
    again and again, as a long fit would) until released or cancelled."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.held = threading.Event()  # the first fit is being held
        self.release = threading.Event()  # let it go on
        self.cancelled = threading.Event()  # it was stopped by a newer request
        self._first = True

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def fit(self, image, face, *, progress, **kwargs):
        if not self._first:
            return self.engine.fit(image, face, progress=progress, **kwargs)
        self._first = False

        def hold(i: int, loss: float) -> None:
            self.held.set()
            try:
                while not self.release.wait(0.01):
                    progress(i, loss)  # raises once a newer request came
            except Exception:
                self.cancelled.set()
                raise

        return self.engine.fit(image, face, progress=hold, **kwargs)


def _held_photo_fit(qtbot, window, tiny_genet) -> list[HeldEngine]:
    """The demo photo open on the GE-Net tab, its fit held at the first iteration; the
    engines made (the first holds)."""
    engines: list[HeldEngine] = []

    def make(extractor: str) -> HeldEngine:
        engines.append(HeldEngine(tiny_genet(extractor)))
        return engines[-1]

    window.genet.make_engine = make
    _open_photo(qtbot, window)
    window.show_genet()
    qtbot.waitUntil(lambda: bool(engines) and engines[0].held.is_set(), timeout=FIT_TIMEOUT)
    return engines


def test_new_photo_supersedes_a_running_fit(qtbot, window, tiny_genet, tmp_path):
    from auedit.media.sources import read_image

    mirrored = tmp_path / "mirrored.png"
    cv2.imwrite(str(mirrored), cv2.cvtColor(read_image(DEMO)[:, ::-1], cv2.COLOR_RGB2BGR))
    engines = _held_photo_fit(qtbot, window, tiny_genet)
    panel = window.genet_panel
    qtbot.waitUntil(lambda: panel.progress.value() == 1, timeout=5000)
    assert panel.progress.maximum() == ITERATIONS and "1/" in panel.progress.text()
    first = window.genet.worker.progress().generation

    _open_photo(qtbot, window, mirrored)  # a new photo: the held fit is cancelled
    qtbot.waitUntil(engines[0].cancelled.is_set, timeout=10000)
    qtbot.waitUntil(lambda: window.genet.result is not None, timeout=FIT_TIMEOUT)
    result = window.genet.result
    assert result.generation > first and result.fit.iterations == ITERATIONS
    assert window.genet.worker.fits == 1  # the cancelled fit never finished
    qtbot.waitUntil(lambda: panel.progress.value() == ITERATIONS, timeout=5000)


def test_worker_live_frames_newest_wins(qtbot, tiny_genet, demo_face):
    from auedit.workers.genet import GENetWorker

    rgb, face = demo_face
    engine = HeldEngine(tiny_genet("light"))
    worker = GENetWorker(lambda _extractor: engine)
    fitted = []
    worker.fitted.connect(fitted.append)
    worker.start()
    try:
        worker.fit(rgb, face, still=False, restart=True)
        qtbot.waitUntil(engine.held.is_set, timeout=FIT_TIMEOUT)
        for _ in range(29):  # frames keep coming while the first fit runs: dark ones,
            worker.fit(rgb // 2, face, still=False, restart=False)
        worker.fit(rgb, face, still=False, restart=False)  # then the newest
        engine.release.set()
        qtbot.waitUntil(lambda: len(fitted) == 2, timeout=FIT_TIMEOUT)
        qtbot.wait(200)
    finally:
        worker.shutdown()
    # the track's first frame starts from the landmark fit, the next from its last fit
    assert [f.fit.iterations for f in fitted] == [ITERATIONS, LIVE_ITERATIONS]
    assert not any(f.still for f in fitted) and not engine.cancelled.is_set()
    assert fitted[0].generation == fitted[1].generation
    assert worker.fits == 2  # of 31 frames: the first and the newest; the others skipped
    dark = np.abs(fitted[1].fit.aligned.astype(int) - fitted[0].fit.aligned).mean()
    assert dark < 1  # the newest frame was fitted, not one of the dark ones


class FakeCamera:
    """The demo photo again and again at about 30 fps, as a camera would deliver it."""

    kind = "camera"
    name = "fake camera"
    frame_count = 0
    fps = 0.0

    def __init__(self, rgb: np.ndarray, frames: int) -> None:
        self.rgb, self.frames = rgb, frames

    def __iter__(self):
        from auedit.media.sources import Frame

        for i in range(self.frames):
            time.sleep(1 / 30)
            yield Frame(i, i / 30, self.rgb)


def test_tab_follows_the_camera_with_the_light_extractor(qtbot, window, tiny_genet, demo_face):
    from auedit.face.landmarker import Mode

    made: list[str] = []

    def make(extractor: str):
        made.append(extractor)
        return tiny_genet(extractor)

    window.genet.make_engine = make
    window.tabs.setCurrentWidget(window.camera)
    window.camera.pipeline.open(lambda: FakeCamera(demo_face[0], 600), Mode.LIVE)
    window.show_genet()
    try:
        qtbot.waitUntil(lambda: window.genet.result is not None
                        and window.genet.result.fit.iterations == LIVE_ITERATIONS,
                        timeout=FIT_TIMEOUT)
    finally:
        window.camera.pipeline.stop_capture()
    result = window.genet.result
    assert made == ["light"] and not result.still
    assert "live frame" in window.genet_panel.status.text()
    assert window.genet.worker.fits >= 2  # the first frame, then from the track's last fit


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="a nice value per thread is Linux's")
def test_worker_thread_runs_below_the_gui(qtbot):
    """The fitting thread (and so torch's threads, which it starts) yields the CPU to the GUI
    thread and the analysis: live fits back to back made the GUI wait."""
    from auedit.workers.genet import BACKGROUND_NICE, GENetWorker

    def nice() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen: list[int] = []

    def make(_extractor: str):
        seen.append(nice())  # in the worker thread, before its first fit
        raise RuntimeError("no networks in this test")

    gui = nice()
    worker = GENetWorker(make)
    worker.start()
    try:
        with qtbot.waitSignal(worker.unavailable, timeout=FIT_TIMEOUT):
            worker.fit(np.zeros((8, 8, 3), np.uint8), None, still=False, restart=True)
    finally:
        worker.shutdown()
    assert seen == [min(gui + BACKGROUND_NICE, 19)] and nice() == gui


def test_view_restarts_when_the_same_file_opens_again(qtbot, demo_face):
    """Opening the same video again is a new input: the fit restarts (new generation), so the
    worker forgets the old input's tracks instead of keeping one more per re-open."""
    from auedit.core.types import FaceAnalysis, FrameAnalysis
    from auedit.face.landmarker import Mode
    from auedit.ui.genet import GENetPanel, GENetView
    from auedit.workers.genet import FitProgress
    from auedit.workers.inference import AnalysedFrame

    class StubWorker:
        def __init__(self) -> None:
            self.restarts: list[bool] = []

        def fit(self, image, face, *, still: bool, restart: bool) -> int:
            self.restarts.append(restart)
            return sum(self.restarts)

        def progress(self) -> FitProgress:
            return FitProgress()

    rgb, face = demo_face
    panel = GENetPanel()
    qtbot.addWidget(panel)
    view = GENetView(panel)
    view.worker = worker = StubWorker()
    view.set_active(True)
    analysis = FrameAnalysis(0, 0.0, [FaceAnalysis(face)], source="/videos/same.mp4")
    for seq, generation in enumerate((1, 1, 2, 2), start=1):
        view.refresh(AnalysedFrame(analysis, rgb, 0.0, Mode.VIDEO, seq, None, generation),
                     0, live=True)
    assert worker.restarts == [True, False, True, False]


def test_a_photo_fit_runs_on_while_the_tab_is_hidden(qtbot, window, tiny_genet):
    """Leaving the GE-Net tab mid-fit cancelled a photo's fit, and coming back started it
    over from 0; it now runs to its end and is shown when the tab is back."""
    engines = _held_photo_fit(qtbot, window, tiny_genet)
    window.right_tabs.setCurrentWidget(window.series)  # hidden mid-fit
    engines[0].release.set()
    qtbot.waitUntil(lambda: window.genet.result is not None, timeout=FIT_TIMEOUT)
    assert not engines[0].cancelled.is_set()
    window.show_genet()
    qtbot.wait(300)
    assert window.genet.worker.fits == 1  # shown, not fitted again
    assert window.genet.result.fit.iterations == ITERATIONS
