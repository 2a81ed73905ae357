"""Resident memory per input switch in the app: the main window opens a photo, then a video,
again and again (`open_paths`, each waiting for its first analysed frame), offscreen; prints
the growth per switch after a warm-up (a least-squares slope) and glibc's malloc figures
(`mallinfo2`: memory in use vs freed but kept), once with glibc's default malloc arenas and
once with the app's cap (`auedit.ui.app.MALLOC_ARENAS`), each in a fresh process.

    python benchmarks/switch_memory.py [--rounds 100] [--warmup 20] [--photo P] [--video V]

A round is two switches. `--arenas N` runs one configuration in this process (0: glibc's
default). Linux with glibc only.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time

from _shared import shared_data


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))


def malloc_mb() -> tuple[float, float]:
    """glibc's bytes in use and bytes freed but kept, over all arenas (MB)."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return info.uordblks / 2**20, info.fordblks / 2**20


def slope(points: list[tuple[int, float]]) -> float:
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    return (sum((x - mx) * (y - my) for x, y in points)
            / sum((x - mx) ** 2 for x, _ in points))


def measure(args: argparse.Namespace) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from auedit.ui.app import limit_malloc_arenas

    if args.arenas:
        limit_malloc_arenas(args.arenas)  # before any thread starts, as `create_app` does
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from auedit.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ini = os.path.join(tempfile.mkdtemp(), "auedit.ini")
    window = MainWindow(settings=QSettings(ini, QSettings.Format.IniFormat))
    window.show()

    def wait_for(path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            app.processEvents()
            item = window.latest()
            if item is not None and item.analysis.source == path:
                return
            time.sleep(0.005)
        sys.exit(f"no analysis of {path} within 60 s")

    points = []
    for i in range(args.warmup + args.rounds):
        for path in (args.photo, args.video):
            window.open_paths([path])
            wait_for(path)
            deadline = time.monotonic() + 0.1  # a few video frames
            while time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.005)
        if i == args.warmup:
            first = rss_mb(), *malloc_mb()
        if i >= args.warmup:
            points.append((2 * (i - args.warmup), rss_mb()))
    last = rss_mb(), *malloc_mb()
    window.close()
    name = f"{args.arenas} arenas" if args.arenas else "glibc default"
    print(f"{name:>14}: {slope(points) * 1024:6.0f} KiB per switch over {2 * args.rounds} "
          f"switches; RSS {first[0]:.0f} -> {last[0]:.0f} MB, malloc in use {first[1]:.0f} -> "
          f"{last[1]:.0f} MB, freed but kept {first[2]:.0f} -> {last[2]:.0f} MB", flush=True)


def main() -> None:
    data = shared_data()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--photo", default=str(data / "images" / "wild" / "fr_obama-480p.jpg"))
    parser.add_argument("--video", default=str(data / "video" / "single_face.mp4"))
    parser.add_argument("--arenas", type=int, help="run one configuration here (0: default)")
    args = parser.parse_args()
    if args.arenas is not None:
        measure(args)
        return
    from auedit.ui.app import MALLOC_ARENAS

    for arenas in (0, MALLOC_ARENAS):
        subprocess.run([sys.executable, __file__, *sys.argv[1:], "--arenas", str(arenas)],
                       check=True)


if __name__ == "__main__":
    main()
