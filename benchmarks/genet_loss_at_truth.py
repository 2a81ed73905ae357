"""Does GE-Net's loss prefer the truth? On renders of a tuning seed (not the evaluation's),
GE-Net's loss (the features distance, or `--losses pixels`) between each render and the
imitator's face for: the start (the rig fit), the start with the true AUs, the true
parameters (pose, AUs and identity), and GE-Net's fit after 30 iterations from the start.
Where the fit ends lower than the truth, the optimiser does its job and the loss itself leads
away from the true AUs (the imitator's and the extractor's errors); where the truth stays
lower than the fit, the optimiser is what falls short.

Prints per loss the mean losses, how often each beats the start or the fit, and the AU MAE
of the start and of the fit; its last line per loss is `<loss>: truth_below_fit=<share>`.

    python benchmarks/genet_loss_at_truth.py [--n 24] [--seed 99] [--extractor light]
        [--losses features,pixels]
"""

from __future__ import annotations

import argparse

import numpy as np
from genet_eval import held_out_renders
from genet_step_scale import add_tuning_arguments

from auedit.fit.base_face import SIZE, align_photo
from auedit.fit.genet.engine import GENet
from auedit.fit.genet.fitter import GENetFitter, GENetSettings
from auedit.rig.model import RigParams


def loss_at(fitter: GENetFitter, aligned: np.ndarray, target: tuple, params: RigParams,
            ) -> float:
    """GE-Net's loss between an aligned render and the imitator's face for `params`."""
    return fitter.fit(aligned, params, 1, target=target).losses[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_tuning_arguments(ap)
    ap.add_argument("--losses", default="features,pixels")
    args = ap.parse_args()
    truth, faces = held_out_renders(args.n, args.seed)
    for loss in args.losses.split(","):
        engine = GENet(args.extractor, settings=GENetSettings(loss=loss))
        fitter = engine.fitter
        rows = []
        for i, found in enumerate(faces):
            if found is None:
                continue
            image, face = found
            aligned, _ = align_photo(image, face.landmarks, SIZE)
            target = fitter.target(aligned)
            start = engine.landmark_fit.estimate(face, still=True).params
            true_aus = start.copy()
            true_aus.au[0] = truth.au[i]
            exact = RigParams(truth.pose[i:i + 1], truth.au[i:i + 1], truth.identity[i:i + 1])
            fitted = fitter.fit(aligned, start, target=target).params
            rows.append([*(loss_at(fitter, aligned, target, p)
                           for p in (start, true_aus, exact, fitted)),
                         np.abs(start.au[0] - truth.au[i]).mean(),
                         np.abs(fitted.au[0] - truth.au[i]).mean()])
        r = np.array(rows)
        print(f"{loss} ({len(r)} renders): mean loss start {r[:, 0].mean():.4f}, start with "
              f"the true AUs {r[:, 1].mean():.4f}, truth {r[:, 2].mean():.4f}, fit "
              f"{r[:, 3].mean():.4f}")
        print(f"{loss}: below the start: true AUs {np.mean(r[:, 1] < r[:, 0]):.2f}, truth "
              f"{np.mean(r[:, 2] < r[:, 0]):.2f}, fit {np.mean(r[:, 3] < r[:, 0]):.2f}; AU MAE "
              f"start {r[:, 4].mean():.4f}, fit {r[:, 5].mean():.4f}")
        print(f"{loss}: truth_below_fit={np.mean(r[:, 2] < r[:, 3]):.2f}", flush=True)


if __name__ == "__main__":
    main()
