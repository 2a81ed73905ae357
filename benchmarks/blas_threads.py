"""The rig fit with numpy's and SciPy's BLAS on all cores (their default) vs on one thread.

Renders of random game faces are tracked once; then the detector's photo fit (15 iterations
plus the AU regressor) and its live fit (3 iterations from the previous frame) are timed per
face, in alternating rounds of each BLAS setting, first on a quiet machine and then beside one
busy process (standing for what else wants the CPU in the app: capture, MediaPipe, the GUI).
Printed: median milliseconds per face and the ratio default / one thread.

    python benchmarks/blas_threads.py [--faces 20] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import _shared  # noqa: F401  (its import sets one BLAS thread, as the app runs)
import numpy as np
from threadpoolctl import threadpool_limits

from auedit.detect.rigfit import RigFitDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.render.face import FaceRenderer
from auedit.rig.identity_space import load_default
from auedit.rig.model import load_rig
from auedit.rig.sampling import random_params


def per_face_ms(detector: RigFitDetector, faces: list, still: bool) -> float:
    times = []
    for face in faces:
        t = time.perf_counter()
        detector.estimate(face, still=still)
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faces", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rig = load_rig()
    truth = random_params(args.faces, np.random.default_rng(0), load_default())
    images = FaceRenderer(rig, 384, background=(0.35, 0.42, 0.5)).render_uint8(truth)
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    faces = [found[0] for found in (tracker.track(image, 0.0) for image in images) if found]
    # the live fit: one track whose frames are these faces (warm start from the last frame)
    track = [face for face in faces for _ in range(2)]
    detector = RigFitDetector(rig)
    detector.estimate(faces[0])  # the track's first fit
    settings = {"default": os.cpu_count(), "one thread": 1}
    print(f"{len(faces)} faces, {os.cpu_count()} cores, {args.rounds} rounds")
    for load in ("quiet", "beside a busy process"):
        busy = None
        if load != "quiet":
            busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            res = {(name, kind): [] for name in settings for kind in ("photo", "live")}
            for _ in range(args.rounds):
                for name, threads in settings.items():
                    with threadpool_limits(threads, user_api="blas"):
                        res[name, "photo"].append(per_face_ms(detector, faces, still=True))
                        res[name, "live"].append(per_face_ms(detector, track, still=False))
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
        for kind in ("photo", "live"):
            d, o = (statistics.median(res[name, kind]) for name in settings)
            print(f"{load:>22} {kind:>5} fit: default {d:6.1f} ms  one thread {o:6.1f} ms  "
                  f"ratio {d / o:.2f}")


if __name__ == "__main__":
    main()
