"""Frames per second of the analysis pipeline vs MediaPipe alone on 640x480 video frames.

Both run over the same decoded frames in one process, interleaved in rounds so that both see
the same machine load; per-frame times are collected and their medians compared. "MediaPipe
alone" is the bare Face Landmarker call (image wrapping and inference, with blendshapes and
the transformation matrix); the pipeline adds everything AUEdit does per frame in the live
view: landmark conversion, track ids, head pose, the AU detectors, calibration and smoothing.

`--gameface` adds the app's game-face pane to the pipeline (the selected face's game face
rendered per frame, as the inference thread does with the pane shown), once on one torch
thread (as the app runs it) and once on torch's default threads, side by side in each round;
`--busy N` keeps N other processes spinning meanwhile (a machine with other work on it, where
torch's default threads wait on each other for a core).

    python benchmarks/live_fps.py [--frames 300] [--rounds 3] [--max-faces 4]
                                  [--detectors mediapipe,rigfit] [--gameface [--busy 2]]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

import cv2
import mediapipe as mp
import numpy as np
from _shared import shared_data
from mediapipe.tasks.python import BaseOptions, vision

from auedit.analysis.analyzer import AnalysisOptions, Analyzer
from auedit.face.landmarker import Mode
from auedit.face.model_file import find_face_model
from auedit.face.tracker import FaceTracker


def load_frames(path: str, n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(path)
    frames = []
    while len(frames) < n:
        ok, bgr = cap.read()
        if not ok:
            break
        h, w = bgr.shape[:2]
        cw, ch = min(w, h * 4 // 3), min(h, w * 3 // 4)  # centre crop to 4:3, then 640x480
        x0, y0 = (w - cw) // 2, (h - ch) // 2
        crop = cv2.resize(bgr[y0:y0 + ch, x0:x0 + cw], (640, 480))
        frames.append(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
    cap.release()
    return frames


def time_mediapipe(frames: list[np.ndarray], max_faces: int, t0_ms: int) -> list[float]:
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(find_face_model())),
        running_mode=vision.RunningMode.VIDEO, num_faces=max_faces,
        output_face_blendshapes=True, output_facial_transformation_matrixes=True)
    times = []
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        for i, rgb in enumerate(frames):
            t = time.perf_counter()
            landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb),
                                        t0_ms + i * 33)
            times.append(time.perf_counter() - t)
    return times


def time_pipeline(frames: list[np.ndarray], max_faces: int, detectors: list[str],
                  gameface_threads: int | None = 0) -> tuple[list[float], int]:
    """Per-frame seconds of the pipeline; with the game face rendered on `gameface_threads`
    torch threads (None: torch's default; 0: no game face)."""
    tracker = FaceTracker(Mode.LIVE, max_faces=max_faces)
    analyzer = Analyzer.create(detectors, tracker=tracker, options=AnalysisOptions(smoothing=True))
    renderer = None
    if gameface_threads != 0:
        from auedit.workers.gameface import GameFaceRenderer
        from auedit.workers.torch_threads import use_torch_threads

        renderer = GameFaceRenderer()
        renderer.render(analyzer, analyzer.analyze(frames[0], 0.0, 0))  # build it first
        use_torch_threads(gameface_threads)  # after the renderer set its own
        analyzer.reset()
    times, faces = [], 0
    for i, rgb in enumerate(frames):
        t = time.perf_counter()
        result = analyzer.analyze(rgb, i / 30.0, i)
        if renderer is not None:
            renderer.render(analyzer, result)
        times.append(time.perf_counter() - t)
        faces += len(result.faces)
    tracker.close()
    return times, faces


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", default=str(shared_data() / "video" / "WolfgangLanger_Pexels.mp4"))
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--max-faces", type=int, default=4)
    ap.add_argument("--detectors", default="mediapipe",
                    help="comma-separated detectors in the pipeline (e.g. mediapipe,rigfit)")
    ap.add_argument("--gameface", action="store_true",
                    help="add the game face: on one torch thread and on torch's default")
    ap.add_argument("--busy", type=int, default=0,
                    help="with --gameface: other processes kept spinning meanwhile")
    args = ap.parse_args()
    if args.gameface:
        gameface(args)
        return
    detectors = args.detectors.split(",")
    frames = load_frames(args.video, args.frames)
    print(f"{len(frames)} frames of 640x480 from {args.video}; max_faces={args.max_faces}; "
          f"{args.rounds} interleaved rounds; detectors {args.detectors}")
    mp_times: list[float] = []
    pipe_times: list[float] = []
    faces = 0
    for r in range(args.rounds):
        mp_times += time_mediapipe(frames, args.max_faces, 0)[5:]  # drop warm-up frames
        t, faces = time_pipeline(frames, args.max_faces, detectors)
        pipe_times += t[5:]
        print(f"round {r + 1}: mediapipe {1 / statistics.median(mp_times):.1f} fps, "
              f"pipeline {1 / statistics.median(pipe_times):.1f} fps")
    mp_med, pipe_med = statistics.median(mp_times), statistics.median(pipe_times)
    print(f"faces analysed per round: {faces} of {len(frames)} frames")
    print(f"mediapipe_alone: median {mp_med * 1e3:.2f} ms/frame = {1 / mp_med:.1f} fps")
    print(f"pipeline:        median {pipe_med * 1e3:.2f} ms/frame = {1 / pipe_med:.1f} fps")
    print(f"ratio pipeline/mediapipe time = {pipe_med / mp_med:.3f}")


def spin() -> None:
    """Keep a core busy (another program's work)."""
    while True:
        pass


def gameface(args: argparse.Namespace) -> None:
    """The pipeline with the game face, on one torch thread and on torch's default,
    interleaved in rounds."""
    from auedit.workers.torch_threads import default_count

    frames = load_frames(args.video, args.frames)
    detectors = args.detectors.split(",")
    default = default_count()
    print(f"{len(frames)} frames of 640x480; detectors {args.detectors} + the game face; "
          f"{args.rounds} interleaved rounds; {args.busy} other busy process(es)")
    runs: dict[str, list[float]] = {"1 thread": [], f"{default} threads (default)": []}
    busy = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.busy)]
    for p in busy:
        p.start()
    try:
        for _ in range(args.rounds):
            for times, threads in zip(runs.values(), (1, None), strict=True):
                times += time_pipeline(frames, args.max_faces, detectors, threads)[0][5:]
    finally:
        for p in busy:
            p.terminate()
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"game face on {name}: median {med * 1e3:.2f} ms/frame = {1 / med:.1f} fps")


if __name__ == "__main__":
    main()
