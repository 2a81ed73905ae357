"""Launch to first analysed frame in the app: process start (imports included) to the first
frame whose analysis reaches the window, over several fresh processes; prints the median.

Runs offscreen (QT_QPA_PLATFORM=offscreen unless a display is set) on the demo photo or a
given photo or video.

    python benchmarks/launch_time.py [PATH] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
t0 = time.monotonic()
from PySide6.QtCore import QSettings, QTimer
from auedit.ui.app import create_app, demo_path
from auedit.ui.main_window import MainWindow
app = create_app()
window = MainWindow(settings=QSettings(sys.argv[2], QSettings.Format.IniFormat))
window.show()
shown = time.monotonic()
window.open_paths([sys.argv[1] or demo_path()])
def check():
    if window.first_frame_at is not None or time.monotonic() - t0 > 30:
        first = window.first_frame_at
        print(json.dumps({"launch": None if first is None else first - t0,
                          "window": shown - t0}))
        window.close()
        app.quit()
timer = QTimer()
timer.timeout.connect(check)
timer.start(5)
app.exec()
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default="")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    launch, window = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-c", CHILD, args.path, f"{tmp}/s.ini"],
                                 env=env, capture_output=True, text=True, timeout=120)
            info = json.loads(out.stdout.strip().splitlines()[-1])
            if info["launch"] is None:
                sys.exit("no frame was analysed within 30 s")
            launch.append(info["launch"])
            window.append(info["window"])
    print(f"runs: {args.runs}; window shown after median {statistics.median(window):.2f} s")
    print(f"launch_to_first_frame_s median={statistics.median(launch):.2f} "
          f"max={max(launch):.2f}")


if __name__ == "__main__":
    main()
