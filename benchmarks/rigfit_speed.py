"""Time per frame of the rig fit detector (`rigfit`) in live use, MediaPipe's tracking aside.

The video's faces are tracked once (VIDEO mode, 640x480 as `live_fps.py`); the detector then
runs over the tracked faces as the live view runs it (a track's first frames fit the identity,
then it is frozen), `--rounds` times, and the per-frame times are split into the landmark fit
and the learned AU stage (features and regressor). A live pipeline's frame costs MediaPipe's
time plus these (and a little bookkeeping: `live_fps.py`). Then a still photo's fit (from
the neutral face, identity included: the editor's, `auedit transfer`'s and the data engine's)
on every tenth face.

    python benchmarks/rigfit_speed.py [--frames 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _shared import shared_data
from live_fps import load_frames

from auedit.detect.rigfit import RigFitDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker

WARM_UP = 20  # frames a round drops: the track's identity fit and first frozen frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", default=str(shared_data() / "video" / "WolfgangLanger_Pexels.mp4"))
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tracker = FaceTracker(Mode.VIDEO, max_faces=1)
    faces = [found[0] for i, rgb in enumerate(load_frames(args.video, args.frames))
             if (found := tracker.track(rgb, i / 30.0))]
    tracker.close()
    print(f"{len(faces)} tracked faces from {args.video}; {args.rounds} rounds")
    fit_ms: list[float] = []
    stage_ms: list[float] = []
    for _ in range(args.rounds):
        detector = RigFitDetector()
        for i, face in enumerate(faces):
            t0 = time.perf_counter()
            fit = detector.fit_face(face)
            t1 = time.perf_counter()
            detector.regress(face, fit)
            t2 = time.perf_counter()
            if i >= WARM_UP:
                fit_ms.append((t1 - t0) * 1e3)
                stage_ms.append((t2 - t1) * 1e3)
    photo_ms = []
    for _ in range(args.rounds):
        detector = RigFitDetector()
        for face in faces[::10]:
            t0 = time.perf_counter()
            detector.fit_face(face, still=True)
            photo_ms.append((time.perf_counter() - t0) * 1e3)
    total = [a + b for a, b in zip(fit_ms, stage_ms, strict=True)]
    print(f"landmark fit:   median {statistics.median(fit_ms):.2f} ms/frame")
    print(f"learned stage:  median {statistics.median(stage_ms):.2f} ms/frame")
    print(f"photo fit:      median {statistics.median(photo_ms):.2f} ms/face")
    print(f"rigfit: median {statistics.median(total):.2f} ms/frame")


if __name__ == "__main__":
    main()
