"""The game face's eyes: do blinks close them, and does anything show through them?

- Blinks: random faces (identities from the identity subspace, as the synthetic data draws
  them) with both blinks at 1, alone and with AUs that move the lids too (cheek raiser and lid
  tightener, lid raiser, brow raisers). Per upper-lid point between the corners, how far it
  lies above the lower lid under it (mm; negative: past it, shut). Prints the median, the
  90th percentile and the largest gap, and the share of faces with a gap over 0.1 mm.
- Openings: the same identities at rest, head turned +-25 degrees and pitched +-15 (flat look,
  512 px): background pixels inside each eye opening's outline (the lid margins' own pixels
  aside), per face. Before the eye sockets the background showed at the far corners.

    python benchmarks/eye_closure.py [--n 200] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np
from _shared import part_pixels

from auedit.render.face import FaceRenderer
from auedit.rig import regions as rg
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig, pose_params_from_deg
from auedit.rig.topology import Part

WITH = {"alone": (), "cheek raiser + lid tightener": ("AU6L", "AU6R", "AU7L", "AU7R"),
        "lid raiser": ("AU5L", "AU5R"), "brow raisers": ("AU1", "AU2L", "AU2R")}
POSES = ((0.0, 25.0), (0.0, -25.0), (15.0, 25.0), (-15.0, -25.0))  # pitch, yaw


def lid_gaps(rig, faces: np.ndarray) -> np.ndarray:
    """(B,) the largest gap (cm) of each face's upper lids over its lower lids."""
    upper, lower = np.array(rg.EYE_UPPER0), np.array(rg.EYE_LOWER0)
    worst = np.full(len(faces), -np.inf)
    for up, lo in ((upper, lower), (rig.mesh.mirror[upper], rig.mesh.mirror[lower])):
        for b, v in enumerate(faces):
            order = np.argsort(v[lo, 0])
            gap = v[up, 1] - np.interp(v[up, 0], v[lo[order], 0], v[lo[order], 1])
            worst[b] = max(worst[b], gap[1:-1].max())
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rig = load_rig()
    identities = load_default().sample(args.n, np.random.default_rng(args.seed))
    print(f"full blinks, {args.n} random faces: the upper lid's largest gap over the lower lid")
    for name, others in WITH.items():
        p = RigParams.neutral(args.n)
        p.identity[:] = identities
        p.au[:, [rig.au_index(k) for k in (*others, "AU45L", "AU45R")]] = 1.0
        gaps = lid_gaps(rig, rig.shape(p)) * 10.0  # mm
        print(f"  {name:30s} median {np.median(gaps):+5.2f} mm, "
              f"90th {np.percentile(gaps, 90):+5.2f}, max {gaps.max():+5.2f}; "
              f"open (> 0.1 mm) {np.mean(gaps > 0.1):6.1%}")
    renderer = FaceRenderer(rig, 512)
    rim = list(rg.EYE_OPENING)
    eyes = [rim, list(rig.mesh.mirror[rim])]
    count = min(args.n, 32)
    print(f"eyes at rest, {count} random faces, 512 px: background pixels inside the openings")
    for pitch, yaw in POSES:
        p = RigParams.neutral(count)
        p.identity[:] = identities[:count]
        p.pose[:] = pose_params_from_deg(np.array([[pitch, yaw, 0.0]] * count))
        seen = np.concatenate([
            part_pixels(renderer, RigParams(p.pose[i:i + 8], p.au[i:i + 8],
                                            p.identity[i:i + 8]), eyes, Part.BACKGROUND,
                        inside=True)
            for i in range(0, count, 8)])
        print(f"  pitch {pitch:+5.1f} yaw {yaw:+5.1f}: mean {seen.mean():6.1f} px per face, "
              f"faces with any {np.mean(seen > 0):6.1%}")


if __name__ == "__main__":
    main()
