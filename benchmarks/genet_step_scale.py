"""Tuning GE-Net's one free constant, `step_scale` (the paper's per-parameter learning rates
times this factor), per loss: AU MAE after 30 iterations on renders of a tuning seed (not the
evaluation's), for a grid of scales. Prints one line per (loss, scale) and the best per loss.

    python benchmarks/genet_step_scale.py [--n 24] [--seed 99] [--extractor light]
        [--losses features,plain,pixels] [--scales 0,0.001,0.003,0.01,0.03,0.1]
"""

from __future__ import annotations

import argparse

import numpy as np
from genet_eval import held_out_renders

from auedit.fit.genet.engine import GENet
from auedit.fit.genet.fitter import GENetSettings

SCALES = "0,0.001,0.003,0.01,0.03,0.1"


def add_tuning_arguments(ap: argparse.ArgumentParser) -> None:
    """The tuning renders (`--n` of `--seed`, not the evaluation's) and the extractor."""
    ap.add_argument("--n", type=int, default=24)
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--extractor", default="light")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tuning_arguments(ap)
    ap.add_argument("--losses", default="features,plain,pixels")
    ap.add_argument("--scales", default=SCALES, help="comma-separated; 0 is the start")
    args = ap.parse_args()
    truth, faces = held_out_renders(args.n, args.seed)
    truth = truth.au
    found = [i for i, f in enumerate(faces) if f is not None]
    for loss in args.losses.split(","):
        maes = {}
        for scale in [0.0, *(float(v) for v in args.scales.split(",") if float(v) != 0.0)]:
            engine = GENet(args.extractor, settings=GENetSettings(loss=loss, step_scale=scale))
            est = np.array([engine.fit(*faces[i], still=True).params.au[0] for i in found])
            maes[scale] = float(np.abs(est - truth[found]).mean())
            print(f"{loss} step_scale={scale:g}: au_mae={maes[scale]:.4f}", flush=True)
        best = min(maes, key=maes.get)
        print(f"best[{loss}]: step_scale={best:g} au_mae={maes[best]:.4f} "
              f"(start {maes[0.0]:.4f})")


if __name__ == "__main__":
    main()
