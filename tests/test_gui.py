"""The Qt app and its workers, offscreen (pytest-qt)."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from auedit.analysis.analyzer import AnalysisOptions
from auedit.core.aus import AU_KEYS, MAX_INTENSITY
from auedit.face.landmarker import Mode
from auedit.face.model_file import FaceModelError
from auedit.media.sources import Frame, MediaError, VideoSource

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo" / "astronaut.jpg"
VIDEO_DIR = REPO.parent / "shared" / "data" / "video"
DETECTOR = "mediapipe"


@pytest.fixture(scope="module")
def video_frames() -> list[Frame]:
    """The first 60 frames of the shared single-face video, decoded once."""
    path = VIDEO_DIR / "single_face.mp4"
    if not path.is_file():
        pytest.skip(f"shared test video missing: {path} (needs ../shared/data)")
    source = VideoSource(path)
    frames = [f for _, f in zip(range(60), source, strict=False)]
    source.close()
    return frames


class FakeSource:
    """Yields pre-decoded frames as fast as the loop runs; optionally fails mid-stream."""

    kind = "fake"
    name = "fake"

    def __init__(self, frames: list[Frame], fail_after: int | None = None,
                 delay: float = 0.0) -> None:
        self.frames = frames
        self.delay = delay
        self.fail_after = fail_after
        self.frame_count = len(frames)
        self.fps = 0.0
        self.yielded = 0

    def __iter__(self):
        for i, frame in enumerate(self.frames):
            if self.fail_after is not None and i == self.fail_after:
                raise MediaError("camera 0 stopped delivering frames (disconnected?)")
            self.yielded += 1
            if self.delay:
                time.sleep(self.delay)
            yield Frame(i, frame.timestamp, frame.rgb)


@pytest.fixture
def pipeline(qtbot):
    from auedit.workers.pipeline import Pipeline

    pipe = Pipeline([DETECTOR], warm=(Mode.VIDEO, Mode.LIVE))
    with qtbot.waitSignal(pipe.ready, timeout=30000):
        pass  # the analysers exist before the first frame comes
    yield pipe
    pipe.shutdown()


def expected_heights(reading) -> np.ndarray:
    values = np.array([reading.get(k, 0.0) for k in AU_KEYS], dtype=float)
    return np.clip(np.nan_to_num(values), 0.0, MAX_INTENSITY)


def test_window_fits_and_histogram_shows_the_photo(qtbot, window):
    assert window.width() <= 1280 and window.height() <= 800
    assert window.frameGeometry().height() <= 800
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.first_frame_at is not None, timeout=30000)
    item = window.latest()
    assert item is not None and item.mode is Mode.IMAGE
    assert len(item.analysis.faces) == 1
    reading = item.analysis.faces[0].readings[DETECTOR]
    heights = window.histogram.heights(DETECTOR)
    expected = expected_heights(reading)
    assert heights.shape == (len(AU_KEYS),)
    np.testing.assert_allclose(heights, expected, atol=1e-9)
    assert expected.max() > 1.0  # the astronaut smiles: real bars, not all zero
    assert heights[AU_KEYS.index("AU12")] > 2.0
    assert window.controls.face_count.text() == "of 1"


def test_neutral_on_a_photo_zeroes_its_bars(qtbot, window):
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.first_frame_at is not None, timeout=30000)
    first = window.latest()
    before = window.histogram.heights(DETECTOR).copy()
    assert before.max() > 1.0
    window.set_neutral()
    # the neutral is the average of NEUTRAL_REPEATS analyses of the photo: slow on a busy CPU
    qtbot.waitUntil(lambda: window.latest().seq > first.seq, timeout=30000)
    # the photo is its own neutral now: every bar below the saturated top (the calibration
    # keeps 5 reachable, so a 5 stays 5) drops to zero
    unsaturated = before < MAX_INTENSITY - 0.5
    assert unsaturated.sum() > 10 and before[unsaturated].max() > 1.0
    qtbot.waitUntil(lambda: window.histogram.heights(DETECTOR)[unsaturated].max() < 0.05,
                    timeout=30000)


def test_settings_are_remembered(qtbot, settings):
    from auedit.ui.main_window import MainWindow

    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.camera.mirror.setChecked(False)
    win.controls.smoothing.setChecked(True)
    win.controls.landmarks.setChecked(False)
    win.series.set_selected(["AU1", "AU12"])
    win.tabs.setCurrentIndex(1)
    win.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    try:
        assert not again.camera.mirror.isChecked()
        assert again.controls.smoothing.isChecked()
        assert not again.controls.landmarks.isChecked()
        assert again.series.selected() == ["AU1", "AU12"]
        assert again.tabs.currentIndex() == 1
        assert again.controls.options() == AnalysisOptions(True, True, False)
    finally:
        again.shutdown()


def test_newest_frame_wins_and_drops_are_counted(qtbot, pipeline, video_frames):
    seen: list[int] = []
    pipeline.inference.analysed.connect(lambda item: seen.append(item.analysis.frame_index))
    source = FakeSource(video_frames, delay=0.002)  # 500 fps; inference is far slower
    worker = pipeline.open(lambda: source, Mode.VIDEO)
    last = len(video_frames) - 1
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == last, timeout=60000)
    qtbot.waitUntil(lambda: not pipeline.capturing or worker.captured == len(video_frames),
                    timeout=5000)
    stats = pipeline.stats()
    assert worker.captured == len(video_frames)
    assert stats.dropped > 0  # the source is far faster than inference
    assert len(seen) < len(video_frames)
    # every frame put into the slot was either analysed or overwritten (dropped)
    assert stats.dropped + stats.analysed == pipeline.slot.put_count
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    assert pipeline.latest().analysis.frame_index == last  # the newest frame won
    assert stats.fps > 0 and stats.latency > 0


def test_media_error_mid_stream_is_a_signal_not_a_crash(qtbot, pipeline, video_frames):
    source = FakeSource(video_frames[:10], fail_after=5)
    with qtbot.waitSignal(pipeline.error, timeout=30000) as blocker:
        pipeline.open(lambda: source, Mode.LIVE)
    assert "stopped delivering frames" in blocker.args[0]
    qtbot.waitUntil(lambda: not pipeline.capturing, timeout=5000)
    assert source.yielded == 5
    # the inference thread is still alive and analyses the next input
    with qtbot.waitSignal(pipeline.inference.analysed, timeout=30000):
        pipeline.open(lambda: FakeSource(video_frames[:3]), Mode.LIVE)


def test_camera_loss_shows_a_status_message(qtbot, window, video_frames):
    pipe = window.camera.pipeline
    window.tabs.setCurrentWidget(window.camera)
    window.camera.start_button.blockSignals(True)
    window.camera.start_button.setChecked(True)
    window.camera.start_button.blockSignals(False)
    pipe.open(lambda: FakeSource(video_frames[:4], fail_after=2), Mode.LIVE)
    qtbot.waitUntil(lambda: "stopped delivering" in window.statusBar().currentMessage(),
                    timeout=30000)
    qtbot.waitUntil(lambda: not window.camera.start_button.isChecked(), timeout=5000)
    assert window.isVisible()
    window.refresh(force=True)  # no live figures from a camera that is gone
    assert window.readout.text() == "no input"


def test_missing_face_model_is_reported(qtbot):
    from auedit.workers.pipeline import Pipeline

    def broken(mode: Mode):
        raise FaceModelError("face_landmarker.task not found")

    pipe = Pipeline([DETECTOR], make_analyzer=broken, warm=(Mode.IMAGE,))
    try:
        with qtbot.waitSignal(pipe.fatal, timeout=10000) as blocker:
            pass
        assert "face_landmarker.task not found" in blocker.args[0]
    finally:
        pipe.shutdown()


def test_record_session_to_csv(qtbot, window, tmp_path):
    video = VIDEO_DIR / "single_face.mp4"
    if not video.is_file():
        pytest.skip(f"shared test video missing: {video} (needs ../shared/data)")
    out = tmp_path / "session.csv"
    window.open_paths([str(video)])
    qtbot.waitUntil(lambda: window.first_frame_at is not None, timeout=30000)
    with qtbot.waitSignal(window.image.pipeline.recording, timeout=5000):
        window.start_recording(str(out))
    inference = window.image.pipeline.inference
    qtbot.waitUntil(lambda: inference.rows_recorded >= 10, timeout=30000)
    with qtbot.waitSignal(window.image.pipeline.recording, timeout=5000) as blocker:
        window.stop_recording()
    path, rows = blocker.args
    assert path == "" and rows >= 10
    with out.open(newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert len(table) == rows
    frames = [int(r["frame"]) for r in table]
    assert frames == sorted(frames) and len(set(frames)) == len(frames)
    assert all(r["success"] == "1" for r in table)
    assert all(r["AU12_r"] != "" for r in table)


def test_video_pane_pauses_and_steps(qtbot, window):
    video = VIDEO_DIR / "single_face.mp4"
    if not video.is_file():
        pytest.skip(f"shared test video missing: {video} (needs ../shared/data)")
    window.open_paths([str(video)])
    qtbot.waitUntil(lambda: window.first_frame_at is not None, timeout=30000)
    window.image.toggle_play()  # pause
    assert not window.image.playing
    window.image.seek(20)
    qtbot.waitUntil(lambda: window.latest().analysis.frame_index == 20, timeout=10000)
    window.image.step_frame(1)
    qtbot.waitUntil(lambda: window.latest().analysis.frame_index == 21, timeout=10000)
    time.sleep(0.3)
    qtbot.wait(100)
    assert window.latest().analysis.frame_index == 21  # paused: no further frames
    assert window.image.frame_label.text() == "22 / 72"


class SlowOpen(FakeSource):
    """A source whose opening blocks (a USB camera, a huge image decoding in OpenCV)."""

    name = "slow"

    def __init__(self, frames: list[Frame], open_s: float) -> None:
        time.sleep(open_s)
        super().__init__(frames)


def _timed(call) -> float:
    """Seconds the GUI thread spent in `call()`."""
    t0 = time.monotonic()
    call()
    return time.monotonic() - t0


def test_switching_inputs_does_not_wait_for_a_slow_source(qtbot, pipeline, video_frames):
    opened: list[str] = []
    pipeline.opened.connect(lambda info: opened.append(info["name"]))
    pipeline.open(lambda: SlowOpen(video_frames[:30], 2.0), Mode.LIVE)
    qtbot.wait(200)  # the slow source is opening now
    seen: list[int] = []
    pipeline.inference.analysed.connect(lambda item: seen.append(item.generation))
    assert _timed(lambda: pipeline.open(lambda: FakeSource(video_frames[:3]), Mode.LIVE)) < 0.5
    assert pipeline.retiring == 1
    qtbot.waitUntil(lambda: pipeline.retiring == 0, timeout=10000)  # it finished opening
    qtbot.waitUntil(lambda: pipeline.latest() is not None, timeout=30000)
    qtbot.wait(300)
    # nothing of the retired input got through: neither its signals nor its frames
    assert opened == ["fake"]
    assert len(set(seen)) == 1 and pipeline.latest().analysis.source == "fake"


def test_camera_stop_does_not_wait_for_a_slow_camera(qtbot, window, monkeypatch, video_frames):
    import auedit.ui.camera_pane as camera_pane

    monkeypatch.setattr(camera_pane, "CameraSource",
                        lambda _index: SlowOpen(video_frames[:3], 1.5))
    window.tabs.setCurrentWidget(window.camera)
    window.camera.start()
    qtbot.wait(100)
    assert _timed(window.camera.stop) < 0.5
    window.camera.start()
    qtbot.wait(100)
    assert _timed(lambda: window.open_paths([str(DEMO)])) < 0.5  # the camera keeps opening


EXIT_CHILD = r'''
import sys, time
from PySide6.QtCore import QCoreApplication
from auedit.face.landmarker import Mode
from auedit.workers.pipeline import Pipeline

class NeverOpens:
    def __init__(self):
        time.sleep(60)

app = QCoreApplication([])
pipe = Pipeline(["mediapipe"])
pipe.open(NeverOpens, Mode.LIVE)
time.sleep(0.3)
t0 = time.monotonic()
pipe.shutdown()
print(f"shutdown {time.monotonic() - t0:.2f}", flush=True)
'''


def test_exit_with_a_capture_stuck_in_its_source_is_clean(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "child.py"
    script.write_text(EXIT_CHILD)
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Destroyed while thread" not in done.stderr
    assert float(done.stdout.split()[-1]) < 3.0  # a bounded wait, then it is left behind
    assert time.monotonic() - t0 < 30


def _write_text_as_png(tmp_path: Path) -> Path:
    path = tmp_path / "notes.png"
    path.write_text("not a picture\n")
    return path


def test_failed_open_shows_nothing_of_the_previous_photo(qtbot, window, tmp_path):
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.latest() is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.image.view.rgb is not None, timeout=5000)
    window.open_paths([str(_write_text_as_png(tmp_path))])
    qtbot.waitUntil(lambda: "not a readable image" in window.statusBar().currentMessage(),
                    timeout=10000)
    qtbot.waitUntil(lambda: window.image.view.rgb is None, timeout=5000)
    assert window.latest() is None
    assert window.controls.face_count.text() == "(no face)"
    assert not window.controls.face.isEnabled()
    assert window.histogram.heights(DETECTOR).max() == 0.0
    assert window.readout.text() == "no input"  # not a photo's latency of 0 ms
    window.set_neutral()
    assert "no face" in window.statusBar().currentMessage()
    # the view itself says why, after the status bar's message has gone
    assert "not a readable image" in window.image.view.problem
    # and nothing else speaks of a photo that is not there
    window.refresh(force=True)
    assert window.series.hint.isHidden()
    window.start_editing()
    window.refresh(force=True)
    assert "not a readable image" in window.edit_panel.status.text()


def test_failed_open_clears_the_game_face(qtbot, window, tmp_path):
    window.gameface.enable.setChecked(True)
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.gameface.image is not None, timeout=30000)
    window.open_paths([str(_write_text_as_png(tmp_path))])
    qtbot.waitUntil(lambda: window.image.view.problem != "", timeout=10000)
    assert window.gameface.image is None
    assert "could not be opened" in window.gameface.view.text()
    window.open_paths([str(DEMO)])  # and a good file again clears the message
    qtbot.waitUntil(lambda: window.image.view.rgb is not None, timeout=30000)
    assert window.image.view.problem == ""


def test_first_result_reports_the_faces_and_neutral_names_the_face(qtbot, window, tmp_path):
    import cv2

    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "1 face in astronaut.jpg",
                    timeout=30000)
    window.set_neutral()
    assert window.controls.face.value() == 1
    assert window.statusBar().currentMessage().startswith("Neutral set for face 1:")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 200, np.uint8))
    window.open_paths([str(blank)])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "No face found in blank.png",
                    timeout=30000)


def test_a_photo_after_a_video_has_fresh_stats_and_no_series(qtbot, window):
    video = VIDEO_DIR / "single_face.mp4"
    if not video.is_file():
        pytest.skip(f"shared test video missing: {video} (needs ../shared/data)")
    window.open_paths([str(video)])
    qtbot.waitUntil(lambda: window.image.pipeline.stats().analysed >= 5, timeout=30000)
    assert "fps" in window.readout.text()
    assert window.series.hint.isHidden()
    assert not window.image.play_button.isHidden()  # a video's transport
    assert all(a.isEnabled() for a in window.video_actions)
    window.image.toggle_play()  # paused: no frame rate it no longer has
    qtbot.waitUntil(lambda: window.readout.text().startswith("paused"), timeout=5000)
    window.start_editing()  # no photo to edit: the video's readings stay in view
    assert not window.histogram_box.isHidden()
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.latest() is not None
                    and window.latest().analysis.source.endswith("astronaut.jpg"),
                    timeout=30000)
    qtbot.wait(100)
    stats = window.image.pipeline.stats()
    assert stats.analysed == 1 and stats.fps == 0.0
    assert window.readout.text().startswith("photo") and "fps" not in window.readout.text()
    assert window.image.play_button.isHidden() and window.image.slider.isHidden()
    assert not window.series.hint.isHidden()
    assert "video or the camera" in window.series.hint.text()
    assert window.series.data("AU12")[0].size == 0  # the video's curves end with it

    window.tabs.setCurrentWidget(window.camera)  # no camera running: none of the photo's figures
    assert window.histogram.heights(DETECTOR).max() == 0.0
    assert window.controls.face_count.text() == "(no face)"
    window.tabs.setCurrentWidget(window.image)
    qtbot.waitUntil(lambda: window.histogram.heights(DETECTOR).max() > 0, timeout=5000)


def test_histogram_labels_stagger_only_where_one_row_would_overlap(qtbot):
    from auedit.ui.au_histogram import AUHistogram

    hist = AUHistogram([DETECTOR])
    qtbot.addWidget(hist)
    hist.resize(2400, 200)
    hist.show()
    qtbot.waitUntil(lambda: hist._staggered is False, timeout=2000)
    labels = hist.plot.getAxis("bottom")._tickLevels[0]
    assert all(not text.startswith("\n") for _, text in labels)
    hist.resize(700, 200)
    qtbot.waitUntil(lambda: hist._staggered is True, timeout=2000)
    labels = hist.plot.getAxis("bottom")._tickLevels[0]
    assert [text.startswith("\n") for _, text in labels[:4]] == [False, True, False, True]
    # room for the last name beside the last bar (pyqtgraph drops a label past its axis)
    from PySide6.QtGui import QFontMetrics

    hist.resize(600, 200)
    qtbot.waitUntil(lambda: hist.plot.getPlotItem().vb.width() < 600, timeout=2000)
    hist._fit_labels()
    low, high = hist.plot.getPlotItem().vb.viewRange()[0]
    px = hist.plot.getPlotItem().vb.width() / (high - low)  # per bar slot
    half = QFontMetrics(hist.plot.getAxis("bottom").style["tickFont"]).horizontalAdvance(
        hist.keys[-1]) / 2
    assert (high - (len(hist.keys) - 1)) * px >= half


def test_a_video_played_to_its_end_reads_ended(qtbot, window, tmp_path, make_demo_video):
    """At its last frame a video stays open (it can be stepped back and played again), and
    the readout said "paused", as if the user had stopped it."""
    window.open_paths([str(make_demo_video(tmp_path / "face.avi", 6))])
    qtbot.waitUntil(lambda: window.readout.text().startswith("ended"), timeout=30000)
    window.image.step_frame(-1)  # stepped back from the end: paused there
    qtbot.waitUntil(lambda: window.readout.text().startswith("paused"), timeout=5000)


def test_neutral_on_a_paused_video_is_the_frame_on_screen(qtbot, window, tmp_path,
                                                          make_demo_video):
    """Set on a paused video, the neutral was taken from the next 15 frames played, so the
    bars stayed as they were; now the frame on screen is analysed again for it."""
    window.open_paths([str(make_demo_video(tmp_path / "face.avi", 30))])
    qtbot.waitUntil(lambda: window.first_frame_at is not None, timeout=30000)
    window.image.toggle_play()  # pause
    window.image.seek(3)
    qtbot.waitUntil(lambda: window.latest().analysis.frame_index == 3, timeout=10000)
    before = window.histogram.heights(DETECTOR).copy()
    unsaturated = before < MAX_INTENSITY - 0.5
    assert before[unsaturated].max() > 1.0  # the demo face smiles
    window.set_neutral()
    qtbot.waitUntil(lambda: window.histogram.heights(DETECTOR)[unsaturated].max() < 0.05,
                    timeout=30000)
    assert window.latest().analysis.frame_index == 3  # still paused there


def test_recording_a_photo_writes_its_row_and_ctrl_r_stops_it_from_any_tab(
        qtbot, window, tmp_path):
    """A recording started on a photo already open wrote nothing ("0 rows written"), and
    Ctrl+R on the other tab opened a second save dialog instead of stopping it."""
    out = tmp_path / "photo.csv"
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.first_frame_at is not None, timeout=30000)
    inference = window.image.pipeline.inference
    window.start_recording(str(out))
    qtbot.waitUntil(lambda: inference.rows_recorded == 1, timeout=30000)
    assert window.record_action.isChecked()
    window.tabs.setCurrentWidget(window.camera)
    window.refresh()
    assert window.recording_label.text() == "● REC 1 rows on the Image / video tab"
    with qtbot.waitSignal(window.image.pipeline.recording, timeout=5000) as blocker:
        window.toggle_recording()  # no dialog: it stops the recording
    assert blocker.args == ["", 1]
    assert not window.record_action.isChecked()
    with out.open(newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 1


def test_a_recording_that_cannot_start_leaves_the_menu_unticked(qtbot, window, tmp_path):
    blocker_file = tmp_path / "file"
    blocker_file.write_text("in the way of a folder")
    window.record_action.setChecked(True)  # as the menu ticks it when chosen
    with qtbot.waitSignal(window.camera.pipeline.recording, timeout=5000) as blocker:
        window.start_recording(str(blocker_file / "x.csv"))
    assert blocker.args == ["", -1]
    assert not window.record_action.isChecked()
    assert "cannot record to" in window.statusBar().currentMessage()


@pytest.mark.shared_data
def test_a_group_photo_shows_all_five_faces(qtbot, window, shared_data):
    """The app looked for 4 faces at most and showed 4 of multi_face.jpg's 5 without a
    word (`auedit analyze` notes its --max-faces)."""
    window.open_paths([str(shared_data / "images" / "multi_face.jpg")])
    qtbot.waitUntil(lambda: window.latest() is not None, timeout=30000)
    assert len(window.latest().analysis.faces) == 5
    qtbot.waitUntil(lambda: window.controls.face_count.text() == "of 5", timeout=5000)


def test_no_camera_is_said_in_the_view_and_an_open_failure_stays_there(qtbot, window,
                                                                       monkeypatch):
    """With no camera device the picker offered Cameras 0-3, and a camera that could not be
    opened was said only in the status bar for a few seconds."""
    from auedit.ui import camera_pane

    monkeypatch.setattr(camera_pane, "camera_indices", lambda: [])
    pane = window.camera
    pane._list_cameras()
    assert pane.picker.count() == 0 and pane.view.problem == camera_pane.NO_CAMERA
    pane.start()
    assert not pane.start_button.isChecked()  # nothing to start
    assert window.statusBar().currentMessage() == camera_pane.NO_CAMERA

    monkeypatch.setattr(camera_pane, "camera_indices", lambda: [7])
    pane._list_cameras()
    assert pane.picker.count() == 1 and pane.view.problem == ""
    pane.start()  # /dev/video7 is not there: OpenCV cannot open it
    qtbot.waitUntil(lambda: not pane.start_button.isChecked(), timeout=30000)
    qtbot.waitUntil(lambda: "7" in pane.view.problem, timeout=5000)


def test_ctrl_c_in_the_terminal_closes_the_app(tmp_path):
    """SIGINT raised KeyboardInterrupt inside a Qt slot: a traceback, and the app ran on."""
    import signal
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "auedit", "gui"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(12.0)  # the window is up
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert proc.returncode == 0
