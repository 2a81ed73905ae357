"""Jitter removed and lag added by the live smoothing (One Euro filter) on real video.

For each shared expressive clip, the raw AU traces of the MediaPipe detector are filtered as
the live view filters them. Jitter is the standard deviation of a trace's frame-to-frame
second difference (high-frequency noise); lag is the shift (ms) that best aligns the smoothed
trace with the raw one (cross-correlation peak, searched over 0-200 ms).

    python benchmarks/smoothing.py
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from _shared import shared_data

from auedit.analysis.analyzer import Analyzer
from auedit.core.smoothing import OneEuroFilter
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import VideoSource

AUS = ("AU1", "AU2", "AU4", "AU12", "AU25", "AU26", "AU45")


def traces(path: str, analyzer: Analyzer) -> tuple[np.ndarray, np.ndarray]:
    analyzer.reset()
    times, rows = [], []
    source = VideoSource(path)
    for frame in source:
        result = analyzer.analyze(frame.rgb, frame.timestamp, frame.index)
        if result.faces:
            values = result.faces[0].readings["mediapipe"].values
            times.append(frame.timestamp)
            rows.append([values[k] for k in AUS])
    source.close()
    return np.array(times), np.array(rows)


def lag_ms(raw: np.ndarray, smooth: np.ndarray, dt: float) -> float:
    best, best_c = 0, -np.inf
    for s in range(0, int(0.2 / dt) + 1):
        a, b = raw[: len(raw) - s], smooth[s:]
        c = float(np.sum((a - a.mean()) * (b - b.mean())))
        if c > best_c:
            best, best_c = s, c
    return best * dt * 1000.0


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # --help
    videos = sorted((shared_data() / "video").glob("expressive_d*.mp4"))
    tracker = FaceTracker(Mode.VIDEO, max_faces=1)
    analyzer = Analyzer.create(tracker=tracker)
    ratios, lags = [], []
    for v in videos:
        t, raw = traces(str(v), analyzer)
        if len(t) < 30:
            continue
        f = OneEuroFilter()
        smooth = np.array([f(x, ti) for x, ti in zip(raw, t, strict=True)])
        dt = float(np.median(np.diff(t)))
        for j in range(len(AUS)):
            jr = np.std(np.diff(raw[:, j], 2))
            if jr < 1e-3:
                continue
            ratios.append(np.std(np.diff(smooth[:, j], 2)) / jr)
            lags.append(lag_ms(raw[:, j], smooth[:, j], dt))
        print(f"{v.name}: {len(t)} frames")
    tracker.close()
    print(f"jitter kept (smoothed/raw, median over clips and AUs): {statistics.median(ratios):.3f}")
    print(f"lag (median, ms): {statistics.median(lags):.0f}; 90th percentile "
          f"{np.percentile(lags, 90):.0f}")


if __name__ == "__main__":
    main()
