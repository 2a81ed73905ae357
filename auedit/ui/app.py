"""Start the app: `auedit gui` calls `run_app`."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from auedit.media.sources import MediaError, expand_inputs, is_camera_index
from auedit.ui.main_window import MainWindow
from auedit.ui.settings import APPLICATION, ORGANISATION
from auedit.workers.loop import stuck_threads


def demo_path() -> str:
    from auedit import resources

    return str(resources.ROOT / "demo" / "astronaut.jpg")


#: The PNG renders of resources/icons/auedit.svg (packaging/render_icons.py writes them).
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
#: The app id: the name of the Linux .desktop file (packaging/linux), so that desktops match
#: the window to its launcher and icon.
DESKTOP_ID = "io.github.auedit.AUEdit"
#: How often (ms) Qt's event loop lets Python run a signal handler (Ctrl+C).
SIGNAL_CHECK_MS = 200


def app_icon() -> QIcon:
    """AUEdit's icon, from the PNGs installed with the package (no SVG plugin needed)."""
    from auedit import resources

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resources.ROOT / "icons" / f"auedit-{size}.png"))
    return icon


def undo_opencv_qt_env() -> None:
    """opencv-python points Qt at its own bundled plugins and fonts when cv2 is imported,
    which stops PySide6 from loading its platform plugin (xcb); undo that."""
    for key in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = os.environ.get(key, "")
        if "cv2" in Path(value).parts:
            del os.environ[key]


#: glibc's malloc arenas for the app (its default is 8 per CPU core). Each input the app opens
#: starts a capture thread, and a video four (OpenCV's decoder adds its own); new threads
#: spread the frame buffers over ever more arenas, and each arena keeps megabytes of freed
#: memory. With the default, switching between a photo and a video grew the app by 160-270
#: KiB per switch while the memory in use stayed flat; with 2 arenas by 15-30 KiB, at the
#: same frame rate (`python benchmarks/switch_memory.py`).
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let all threads share at most `arenas` glibc malloc arenas (see `MALLOC_ARENAS`);
    whether it was applied (not on other C libraries). It binds threads created afterwards,
    and only while the process has no more than 8 arenas yet, so call it at start-up."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # a C library without mallopt
        return False


def create_app() -> QApplication:
    limit_malloc_arenas()
    undo_opencv_qt_env()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(DESKTOP_ID)
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
    # Ctrl+C in the terminal closes the window as its close button does (an unsaved edit
    # asks first): Python's own handler raised KeyboardInterrupt inside a Qt slot, printed
    # a traceback and left the app running. Qt's loop gives Python a moment every 200 ms
    # to run the handler.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    ticker = QTimer(window)
    ticker.timeout.connect(lambda: None)
    ticker.start(SIGNAL_CHECK_MS)
    code = app.exec()
    if stuck_threads():  # a model still loading: Qt would abort on destroying its thread
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
