"""GE-Net fitting speed, extractors side by side: seconds per 30-iteration photo fit and per
4-iteration live frame, for the light extractor, the shipped ResNet-50 layout (width 0.25) and
the full-width ResNet-50 layout (random weights: timing only, it is not shipped). Medians of
`--repeats` fits of one aligned face, measured in turn in one run.

    python benchmarks/genet_speed.py [--repeats 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from auedit.fit.base_face import SIZE
from auedit.fit.genet import model_files
from auedit.fit.genet.fitter import GENetFitter
from auedit.fit.genet.networks import SegmenterConfig, build_segmenter
from auedit.render.face import FaceRenderer
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    imitator = model_files.load_imitator(model_files.shipped_path("imitator"))
    full = build_segmenter(SegmenterConfig("resnet50", 11, 1.0)).eval()
    for p in full.parameters():
        p.requires_grad_(False)
    extractors = {
        "light": model_files.load_segmenter(model_files.shipped_path("light")),
        "resnet50 (w 0.25, shipped)": model_files.load_segmenter(
            model_files.shipped_path("resnet50")),
        "resnet50 (w 1.0, timing only)": full,
    }
    image = FaceRenderer(load_rig(), SIZE).render_uint8(RigParams.neutral(1), align=True)[0]
    start = RigParams.neutral(1)
    print(f"torch threads {args.threads}")
    times = {}
    for name, net in extractors.items():
        fitter = GENetFitter(imitator, net, load_default())
        fitter.fit(image, start, iterations=2)  # warm-up
        photo, live = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            fitter.fit(image, start, iterations=30)
            photo.append(time.perf_counter() - t)
            t = time.perf_counter()
            fitter.fit(image, start, iterations=4)
            live.append(time.perf_counter() - t)
        times[name] = (float(np.median(photo)), float(np.median(live)))
        print(f"{name:30s} photo (30 it) {times[name][0]:.2f} s   live frame (4 it) "
              f"{times[name][1] * 1e3:.0f} ms = {1 / times[name][1]:.1f} fps", flush=True)
    base = times["light"][0]
    print("ratios to light: " + ", ".join(f"{k} {v[0] / base:.2f}x" for k, v in times.items()))


if __name__ == "__main__":
    main()
