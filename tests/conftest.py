"""Shared fixtures: the real-data folder and one face tracker per mode for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_PHOTO = REPO / "resources" / "demo" / "astronaut.jpg"


def shared_data_dir() -> Path | None:
    """`$AUEDIT_SHARED_DATA`, else `<repo>/../shared/data`; None where neither exists."""
    env = os.environ.get("AUEDIT_SHARED_DATA")
    candidate = Path(env).expanduser() if env else REPO.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared real data not found: set AUEDIT_SHARED_DATA or provide "
                    "<repo>/../shared/data (see the data README)")
    return path


@pytest.fixture(scope="session")
def demo_photo() -> Path:
    assert DEMO_PHOTO.is_file(), f"demo photo missing: {DEMO_PHOTO}"
    return DEMO_PHOTO


def _tracker(mode: str, max_faces: int):
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker

    tracker = FaceTracker(Mode[mode], max_faces=max_faces)
    yield tracker
    tracker.close()


@pytest.fixture(scope="session")
def image_tracker():
    """One IMAGE-mode tracker (up to 8 faces) for the session; reset it before use."""
    yield from _tracker("IMAGE", 8)


@pytest.fixture(scope="session")
def single_image_tracker():
    """One IMAGE-mode tracker for one face per photo (no tiling)."""
    yield from _tracker("IMAGE", 1)


@pytest.fixture(scope="session")
def video_tracker():
    """One VIDEO-mode tracker for the session; reset it before each video."""
    yield from _tracker("VIDEO", 4)


@pytest.fixture(scope="module")
def prepared_astronaut(demo_photo, single_image_tracker):
    """The geometric synthesizer and the demo photo's face prepared for editing."""
    from auedit.media.sources import read_image
    from auedit.synth.geometric import GeometricSynthesizer

    image = read_image(demo_photo)
    single_image_tracker.ids.reset()
    face = single_image_tracker.track(image, 0.0)[0]
    synth = GeometricSynthesizer(single_image_tracker.canonical)
    return synth, synth.prepare(image, face)


@pytest.fixture(scope="session")
def au_detector(single_image_tracker):
    from auedit.detect.mediapipe_aus import MediaPipeAUDetector

    return MediaPipeAUDetector(single_image_tracker.canonical)


@pytest.fixture
def settings(tmp_path: Path):
    """App settings in a temporary file, so tests never touch the user's."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "auedit.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    """The main window, shown (offscreen) and shut down after the test."""
    from auedit.ui.main_window import MainWindow

    win = MainWindow(settings=settings)
    win.ask_discard_edit = lambda: True  # an unsaved edit goes without a (blocking) question
    win.ask_stop_export = lambda: True  # a running export stops without a question
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shutdown()


@pytest.fixture(scope="session")
def make_demo_video():
    """Writes a short video of the demo photo's face (MJPG, 10 fps, 256 px): path, frames."""
    import cv2

    def make(path: Path, frames: int) -> Path:
        bgr = cv2.resize(cv2.imread(str(DEMO_PHOTO)), (256, 256))
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (256, 256))
        for _ in range(frames):
            writer.write(bgr)
        writer.release()
        return path

    return make
