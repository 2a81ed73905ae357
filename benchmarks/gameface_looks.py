"""What the game face's textured look costs against the flat look, side by side.

Renders batches of the whole rig (`FaceRenderer`: skin, eyeballs, mouth interior; aligned to
the base face) in each look, the looks taking turns, at 128, 256 and 512 px and prints the
median renders/s over several repeats and the textured look's share of the flat look's rate.
The faces are random expressions (`sampling.random_params`, each AU on with probability
0.25), so that the textured look's folds are drawn; `--neutral` renders the neutral face (no
folds), as the figures before the folds did.

    python benchmarks/gameface_looks.py [--repeats 7] [--neutral]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from auedit.render.face import LOOKS, FaceRenderer
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig
from auedit.rig.sampling import random_params

SIZES = ((128, 64), (256, 16), (512, 4))  # (image size, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--neutral", action="store_true", help="the neutral face: no folds")
    args = parser.parse_args()
    rig = load_rig()
    for size, batch in SIZES:
        params = (RigParams.neutral(batch) if args.neutral else
                  random_params(batch, np.random.default_rng(0), load_default()))
        renderers = {look: FaceRenderer(rig, size, look=look) for look in LOOKS}
        times: dict[str, list[float]] = {look: [] for look in LOOKS}
        for renderer in renderers.values():
            renderer.render(params, align=True)  # warm-up
        for _ in range(args.repeats):  # the looks alternate, so both see the same load
            for look, renderer in renderers.items():
                t = time.perf_counter()
                renderer.render(params, align=True)
                times[look].append(time.perf_counter() - t)
        rates = {look: batch / statistics.median(t) for look, t in times.items()}
        print(f"{size:4d} px, batch {batch:3d}: "
              + ", ".join(f"{look} {rate:6.1f} renders/s" for look, rate in rates.items())
              + f"; textured / flat {rates['textured'] / rates['flat']:.2f}")


if __name__ == "__main__":
    main()
