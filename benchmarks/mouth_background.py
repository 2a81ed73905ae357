"""Does the background show through the game face's open mouth, and do its teeth show outside it?

Random game faces as the synthetic data draws them (`auedit.rig.sampling.random_params`:
identities from the identity subspace, pose within +-20 degrees, each AU on with probability
`--au-probability` at a uniform intensity), flat look, 256 px: background pixels inside the
mouth's opening (the inner lips' outline, its own pixels aside). Before the mouth's band
(a stretched or turned open mouth) and its back (an upper lip raised or a lower lip pulled far
down over a wide-open jaw) the background showed past the cavity. Then teeth pixels outside
the opening: arches that bent back 1 cm poked their ends out through the cheeks beside
corners that a wide jaw drop or a sucked lower lip drew back. Prints, for each, the share of
faces with any and the pixels in all.

    python benchmarks/mouth_background.py [--n 400] [--seed 0] [--au-probability 0.3]
"""

from __future__ import annotations

import argparse

import numpy as np
from _shared import part_pixels

from auedit.render.face import FaceRenderer
from auedit.rig import regions as rg
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig
from auedit.rig.sampling import random_params
from auedit.rig.topology import Part

BATCH = 16


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--au-probability", type=float, default=0.3)
    args = ap.parse_args()
    rig = load_rig()
    p = random_params(args.n, np.random.default_rng(args.seed), load_default(),
                      au_probability=args.au_probability)
    renderer = FaceRenderer(rig, 256)
    opening = [list(rg.MOUTH_OPENING)]
    for what, part, inside in (("background inside", Part.BACKGROUND, True),
                               ("teeth outside", Part.TEETH, False)):
        seen = np.concatenate([
            part_pixels(renderer, RigParams(p.pose[i:i + BATCH], p.au[i:i + BATCH],
                                            p.identity[i:i + BATCH]), opening, part,
                        inside=inside)
            for i in range(0, args.n, BATCH)])
        print(f"{args.n} random faces (seed {args.seed}, AUs on with probability "
              f"{args.au_probability}), 256 px: {what} the mouth's opening on "
              f"{np.mean(seen > 0):.1%} of faces ({int((seen > 0).sum())}), {int(seen.sum())} "
              f"px in all, at most {int(seen.max())} on one face")


if __name__ == "__main__":
    main()
