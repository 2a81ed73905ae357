"""GUI-thread stalls while the GE-Net tab fits a playing video live, with the fitting thread at
the app's priority and `BACKGROUND_NICE` levels below it (Linux; `--nice` for other levels).

The main window plays the video in a loop (offscreen) with the GE-Net tab shown; a 20 ms timer
in the GUI thread records how late it fires. Every setting runs in each round, in turn, each in
a fresh window, so that all see the same machine load. Reported per setting: the stalls over
100 ms, the longest, the frames analysed and dropped, and the GE-Net fits finished.

    python benchmarks/genet_gui_stalls.py [--seconds 60] [--rounds 2] [--nice 0,10]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _shared import shared_data
from PySide6.QtCore import QSettings, QTimer

from auedit.ui.app import create_app
from auedit.ui.main_window import MainWindow
from auedit.workers import genet as genet_worker

STALL_S = 0.1


def play(app, video: str, seconds: float, settings: str) -> dict[str, float]:
    """Play `video` in a loop with the GE-Net tab shown; the GUI thread's lateness and counts."""
    window = MainWindow(settings=QSettings(settings, QSettings.Format.IniFormat))
    window.show()
    window.open_paths([video])
    end = time.monotonic() + 60
    while window.latest() is None and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    window.show_genet()
    gaps: list[float] = []
    last = [time.monotonic()]

    def beat() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(20)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
        capture = window.image.pipeline.capture
        if (capture is not None and capture.paused and window.image.frame_count
                and capture.current_index >= window.image.frame_count - 1):
            window.image.toggle_play()  # from the start again
    timer.stop()
    stats = window.image.pipeline.stats()
    worker = window.genet.worker
    fits = worker.fits if worker is not None else 0
    window.close()
    app.processEvents()
    late = [g for g in gaps if g > STALL_S]
    return {"stalls": len(late), "max_ms": 1000 * max(gaps, default=0.0),
            "analysed": stats.analysed, "dropped": stats.dropped, "fits": fits}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", default=str(shared_data() / "video" / "WolfgangLanger_Pexels.mp4"))
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--nice", default=f"0,{genet_worker.BACKGROUND_NICE}",
                    help="the fitting thread's nice levels to compare, comma-separated")
    args = ap.parse_args()
    app = create_app()
    settings = os.path.join(tempfile.mkdtemp(prefix="auedit_bench_"), "auedit.ini")
    nices = tuple(int(n) for n in args.nice.split(","))
    results: dict[int, list[dict[str, float]]] = {n: [] for n in nices}
    for r in range(args.rounds):
        for nice in nices:
            genet_worker.BACKGROUND_NICE = nice  # read by the worker thread as it starts
            results[nice].append(play(app, args.video, args.seconds, settings))
            print(f"round {r + 1} nice +{nice}: {results[nice][-1]}", flush=True)
    print(f"\n{args.rounds} x {args.seconds:.0f} s per setting; GUI stalls over "
          f"{STALL_S * 1000:.0f} ms")
    print(f"{'fitting thread':<16}{'stalls':>8}{'max ms':>9}{'analysed':>10}{'dropped':>9}"
          f"{'fits':>7}")
    for nice, rows in results.items():
        total = {k: sum(row[k] for row in rows) for k in rows[0]}
        worst = max(row["max_ms"] for row in rows)
        print(f"{f'nice +{nice}':<16}{total['stalls']:>8.0f}{worst:>9.0f}"
              f"{total['analysed']:>10.0f}{total['dropped']:>9.0f}{total['fits']:>7.0f}")


if __name__ == "__main__":
    main()
