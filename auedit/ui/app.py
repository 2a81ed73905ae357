"""Start the app: `auedit gui` calls `run_app`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from auedit.media.sources import MediaError, expand_inputs, is_camera_index
from auedit.ui.main_window import MainWindow
from auedit.ui.settings import APPLICATION, ORGANISATION


def demo_path() -> str:
    from auedit import resources

    return str(resources.ROOT / "demo" / "astronaut.jpg")


def undo_opencv_qt_env() -> None:
    """opencv-python points Qt at its own bundled plugins and fonts when cv2 is imported,
    which stops PySide6 from loading its platform plugin (xcb); undo that."""
    for key in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = os.environ.get(key, "")
        if "cv2" in Path(value).parts:
            del os.environ[key]


def create_app() -> QApplication:
    undo_opencv_qt_env()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setStyle("Fusion")
    return app  # type: ignore[return-value]


def run_app(inputs: list[str], camera: int | None = None, demo: bool = False) -> int:
    """Show the window first, then open the inputs (analysers start in worker threads)."""
    app = create_app()
    window = MainWindow()
    window.show()

    def open_inputs() -> None:
        paths = list(inputs) + ([demo_path()] if demo else [])
        try:
            paths = expand_inputs(paths)
        except MediaError as exc:
            window.show_message(str(exc))
            paths = []
        files = [p for p in paths if not is_camera_index(p)]
        cams = [int(p) for p in paths if is_camera_index(p)]
        if files:
            window.open_paths(files)
        cam = camera if camera is not None else (cams[0] if cams else None)
        if cam is not None:
            window.camera.set_camera_index(cam)
            window.tabs.setCurrentWidget(window.camera)
            window.camera.start()

    QTimer.singleShot(0, open_inputs)
    return app.exec()
