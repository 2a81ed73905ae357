"""GE-Net evaluation (issue 5): held-out renders, London smiles, video stability, ablations,
speed.

- renders: random game faces (seed 0; the networks train on other seeds), plain framing on a
  grey-blue background, tracked with MediaPipe and fitted like a photo (30 iterations from the
  landmark fit): per-AU ICC(3,1) and MAE of the AU parameters, for the start (the rig fit) and
  for GE-Net;
- london: ROC AUC of AU12 and AU6, smiling vs neutral (`../shared/data/london`);
- stability: the paper's Table 3, per-AU standard deviation over sliding 5-frame windows of
  the shared videos, fitted live (warm start from the last frame);
- ablations: the same renders with GENet-O (no attention) and with a raw-pixel loss;
- speed: seconds per photo fit and live frames per second.

    python benchmarks/genet_eval.py [--n 200] [--extractors resnet50,light]
        [--sections renders,london,stability,ablations] [--frames 150]

Each section's last line is `<section>[<variant>]: key=value ...`.
"""

from __future__ import annotations

import argparse
import csv
import time

import numpy as np
from _shared import icc_3_1, shared_data

from auedit.detect.rigfit import au_intensities
from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.face.tracker import FaceTracker
from auedit.fit.genet.engine import GENet
from auedit.fit.genet.fitter import GENetSettings
from auedit.media.sources import open_source, read_image
from auedit.render.face import FaceRenderer
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig
from auedit.rig.sampling import random_params

VIDEOS = ("expressive_d0.mp4", "expressive_d3.mp4", "expressive_d6.mp4",
          "WolfgangLanger_Pexels.mp4")


def held_out_renders(n: int, seed: int, size: int = 384) -> tuple[RigParams, list]:
    """(true parameters, [(image, tracked face) or None]) of n random game faces."""
    rig = load_rig()
    renderer = FaceRenderer(rig, size, background=(0.35, 0.42, 0.5))
    truth = random_params(n, np.random.default_rng(seed), load_default())
    faces = []
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for start in range(0, n, 32):
            sl = slice(start, min(n, start + 32))
            batch = type(truth)(truth.pose[sl], truth.au[sl], truth.identity[sl])
            for img in renderer.render_uint8(batch):
                found = landmarker.detect(img)
                faces.append((img, found[0]) if found else None)
    return truth, faces


def score(truth: np.ndarray, est: np.ndarray) -> tuple[float, float, list[str]]:
    iccs = [icc_3_1(truth[:, j], est[:, j]) for j in range(truth.shape[1])]
    maes = [float(np.abs(truth[:, j] - est[:, j]).mean()) for j in range(truth.shape[1])]
    rows = [f"  {k:6s} icc={i:6.3f} mae={m:.3f}"
            for k, i, m in zip(AU_PARAMETER_KEYS, iccs, maes, strict=True)]
    return float(np.nanmean(iccs)), float(np.mean(maes)), rows


def renders_section(engine: GENet, label: str, truth: np.ndarray, faces: list,
                    verbose: bool) -> None:
    found = [i for i, f in enumerate(faces) if f is not None]
    start, fitted, seconds = [], [], []
    for i in found:
        img, face = faces[i]
        start.append(engine.landmark_fit.estimate(face, still=True).params.au[0])
        t = time.perf_counter()
        fitted.append(engine.fit(img, face, still=True).params.au[0])
        seconds.append(time.perf_counter() - t)
    t_ok = truth[found]
    s_icc, s_mae, _ = score(t_ok, np.array(start))
    icc, mae, rows = score(t_ok, np.array(fitted))
    if verbose:
        print("\n".join(rows))
    print(f"{len(found)} of {len(faces)} renders tracked; start (rig fit) icc={s_icc:.3f} "
          f"mae={s_mae:.3f}; photo fit median {np.median(seconds):.2f} s")
    print(f"renders[{label}]: mean_icc={icc:.3f} mean_mae={mae:.3f} "
          f"fit_s={np.median(seconds):.2f}")


def london_section(engine: GENet, label: str) -> None:
    from sklearn.metrics import roc_auc_score

    root = shared_data() / "london"
    with (root / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    y, au12, au6 = [], [], []
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for row in rows:
            image = read_image(root / row["image"])
            faces = landmarker.detect(image)
            if not faces:
                continue
            values = au_intensities(engine.fit(image, faces[0], still=True).params)
            y.append(row["expression"] == "smiling")
            au12.append(values["AU12"])
            au6.append(values["AU6"])
    y = np.array(y)
    print(f"london[{label}]: au12_auc={roc_auc_score(y, au12):.3f} "
          f"au6_auc={roc_auc_score(y, au6):.3f} (n={len(y)})")


def stability_section(engine: GENet, label: str, frames: int) -> None:
    stds, per_frame = [], []
    for name in VIDEOS:
        path = shared_data() / "video" / name
        if not path.is_file():
            continue
        tracker = FaceTracker(Mode.VIDEO, max_faces=1)
        engine.forget()
        series = []
        source = open_source(str(path))
        for k, frame in enumerate(source):
            if k >= frames:
                break
            faces = tracker.track(frame.rgb, frame.timestamp)
            if not faces:
                series.append(None)
                continue
            t = time.perf_counter()
            series.append(engine.fit(frame.rgb, faces[0], still=False).params.au[0])
            per_frame.append(time.perf_counter() - t)
        source.close()
        tracker.close()
        for i in range(len(series) - 4):
            window = series[i:i + 5]
            if all(w is not None for w in window):
                stds.append(np.std(np.array(window), axis=0))
    mean_std = np.array(stds).mean(axis=0)
    worst = np.argsort(mean_std)[-3:][::-1]
    print("  most jittery: " + ", ".join(f"{AU_PARAMETER_KEYS[j]} {mean_std[j]:.3f}"
                                         for j in worst))
    print(f"stability[{label}]: mean_std5={mean_std.mean():.4f} windows={len(stds)} "
          f"live_fps={1.0 / np.median(per_frame):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="held-out renders")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extractors", default="resnet50,light")
    ap.add_argument("--sections", default="renders,london,stability,ablations")
    ap.add_argument("--frames", type=int, default=150, help="frames per video (stability)")
    ap.add_argument("--verbose", action="store_true", help="per-AU figures")
    args = ap.parse_args()
    sections = set(args.sections.split(","))
    extractors = args.extractors.split(",")
    truth = faces = None
    if sections & {"renders", "ablations"}:
        truth, faces = held_out_renders(args.n, args.seed)
        truth = truth.au
    for name in extractors:
        engine = GENet(name)
        if "renders" in sections:
            renders_section(engine, name, truth, faces, args.verbose)
        if "london" in sections:
            london_section(engine, name)
        if "stability" in sections:
            stability_section(GENet(name), name, args.frames)
    if "ablations" in sections:
        for loss, label in (("plain", "GENet-O"), ("pixels", "raw pixels")):
            engine = GENet(extractors[0], settings=GENetSettings(loss=loss))
            renders_section(engine, f"{extractors[0]} {label}", truth, faces, False)


if __name__ == "__main__":
    main()
