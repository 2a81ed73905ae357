"""A screenshot of the real window on an X server (Xvfb): the video and the bars show.

Set AUEDIT_SCREENSHOT to a path to keep the PNG (it also reports launch-to-first-frame time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[1]
VIDEO = REPO.parent / "shared" / "data" / "video" / "single_face.mp4"

CHILD = r'''
import json, sys, time
t0 = time.monotonic()
from PySide6.QtCore import QPoint, QSettings, QTimer
from auedit.ui.app import create_app
from auedit.ui.colours import detector_colour
from auedit.ui.main_window import MainWindow

video, png, ini, report = sys.argv[1:5]
app = create_app()
window = MainWindow(settings=QSettings(ini, QSettings.Format.IniFormat))
window.show()
window.open_paths([video])
shown_at = time.monotonic()
deadline = t0 + 60

def rect_of(widget, rect=None):
    r = rect if rect is not None else widget.rect()
    p = widget.mapTo(window, QPoint(int(r.x()), int(r.y())))
    return [p.x(), p.y(), int(r.width()), int(r.height())]

progress = {"analysed": -1, "since": time.monotonic()}

def settled(stats):
    """20 frames analysed, or the clip (72 frames, 2.4 s at its pace) ended first on a slow
    machine: at least 3 analysed and none more for 1.5 s."""
    now = time.monotonic()
    if stats.analysed != progress["analysed"]:
        progress.update(analysed=stats.analysed, since=now)
    return stats.analysed >= 20 or (stats.analysed >= 3 and now - progress["since"] > 1.5)

def poll():
    first = window.first_frame_at
    stats = window.image.pipeline.stats()
    if first is not None and settled(stats) and time.monotonic() - first > 1.0:
        item = window.latest()
        window.grab().save(png)
        plot = window.histogram.plot
        vb = plot.getPlotItem().vb
        scene_rect = vb.sceneBoundingRect()
        out = {
            "launch_to_first_frame_s": first - t0,
            "window_to_first_frame_s": first - shown_at,
            "window": [window.width(), window.height()],
            "frame_rect": rect_of(window.image.view, window.image.view.image_rect()),
            "plot_rect": rect_of(plot, plot.mapFromScene(scene_rect).boundingRect()),
            "bar_colour": detector_colour(0).name(),
            "faces": len(item.analysis.faces),
            "fps": stats.fps, "dropped": stats.dropped, "analysed": stats.analysed,
        }
        with open(report, "w") as f:
            json.dump(out, f)
        window.close()
        app.quit()
    elif time.monotonic() > deadline:
        print(f"timed out: first frame at {first}, analysed {stats.analysed}, "
              f"dropped {stats.dropped}, status {window.statusBar().currentMessage()!r}",
              file=sys.stderr)
        window.close()
        app.exit(3)

timer = QTimer()
timer.timeout.connect(poll)
timer.start(50)
sys.exit(app.exec())
'''


def _free_display() -> int:
    for n in range(99, 140):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    pytest.skip("no free X display number")


@pytest.fixture
def xvfb_display():
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb xauth)")
    n = _free_display()
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{n}")
    for _ in range(100):
        if socket.exists() or proc.poll() is not None:
            break
        time.sleep(0.05)
    if proc.poll() is not None or not socket.exists():
        proc.kill()
        pytest.fail(f"Xvfb did not start on :{n}")
    yield f":{n}"
    proc.terminate()
    proc.wait(10)


def _crop(img: np.ndarray, rect: list[int]) -> np.ndarray:
    x, y, w, h = rect
    return img[max(0, y):y + h, max(0, x):x + w]


def test_real_window_shows_video_and_bars(xvfb_display, tmp_path):
    if not VIDEO.is_file():
        pytest.skip(f"shared test video missing: {VIDEO} (needs ../shared/data)")
    import cv2

    png = Path(os.environ.get("AUEDIT_SCREENSHOT") or tmp_path / "window.png")
    report = tmp_path / "report.json"
    env = dict(os.environ, DISPLAY=xvfb_display, QT_QPA_PLATFORM="xcb")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(VIDEO), str(png), str(tmp_path / "s.ini"),
         str(report)], env=env, capture_output=True, text=True, timeout=120)
    if "Could not load the Qt platform plugin" in child.stderr:
        pytest.skip("Qt's xcb platform plugin cannot load here (install libxcb-cursor0): "
                    + child.stderr.strip().splitlines()[0])
    assert child.returncode == 0, child.stderr[-3000:]
    info = json.loads(report.read_text())
    print("\nlaunch to first analysed frame: "
          f"{info['launch_to_first_frame_s']:.2f} s (window shown to first frame "
          f"{info['window_to_first_frame_s']:.2f} s); screenshot {png}")
    assert info["faces"] == 1
    assert info["window"][0] <= 1280 and info["window"][1] <= 800

    bgr = cv2.imread(str(png))
    assert bgr is not None
    rgb = bgr[:, :, ::-1].astype(int)
    assert rgb.shape[1] <= 1280 and rgb.shape[0] <= 800

    frame = _crop(rgb, info["frame_rect"])
    assert frame.shape[0] > 150 and frame.shape[1] > 250  # the frame is shown at a useful size
    assert frame.std() > 20  # the video, not a blank area
    assert len(np.unique(frame.reshape(-1, 3) // 16, axis=0)) > 50

    plot = _crop(rgb, info["plot_rect"])
    colour = np.array([int(info["bar_colour"][i:i + 2], 16) for i in (1, 3, 5)])
    close = np.abs(plot - colour).max(axis=2) <= 12
    assert close.sum() > 300, "no bars in the detector's colour in the histogram"
