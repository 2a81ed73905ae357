"""How much of each rig AU's motion MediaPipe's landmarks show on renders.

For `--n` random identities (identity subspace, pose within +-`--pose-deg`, no other AU), the
game face is rendered neutral and with one AU parameter at `--level`, and tracked both times.
Per AU, over the `--top` landmarks that AU moves most (exact rig positions, in interocular
units): `true` is the mean distance those landmarks move; `gain` is the share of that motion
MediaPipe's landmarks reproduce (least-squares projection of the tracked motion on the true
one, 1 = all of it, 0 = none); `off` is the mean tracked motion at right angles to the true
motion. An AU whose gain is low, or whose true motion is under MediaPipe's noise, cannot be
read back from landmarks, whatever the fit or regressor does: the AUs `rig_recovery.py`
recovers worst (AU14, AU23, AU24, AU28, AU6) are the ones to compare.

    python benchmarks/au_visibility.py [--n 12] [--level 1] [--size 384] [--top 20]
"""

from __future__ import annotations

import argparse

import _shared  # noqa: F401  (one BLAS thread, as the app runs)
import numpy as np

from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.render.face import FaceRenderer
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig
from auedit.rig.sampling import random_params
from auedit.rig.topology import N_LANDMARKS

#: outer eye corners: the interocular unit
EYE_CORNERS = (33, 263)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="identities (default 12)")
    ap.add_argument("--level", type=float, default=1.0, help="AU parameter, 0-1 (default 1)")
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--pose-deg", type=float, default=10.0)
    ap.add_argument("--top", type=int, default=20, help="landmarks per AU (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    space = load_default()
    if space is None:
        raise SystemExit("the identity subspace is not built: python -m auedit.rig.identity_space")
    rig = load_rig()
    renderer = FaceRenderer(rig, args.size, background=(0.35, 0.42, 0.5))
    base = random_params(args.n, np.random.default_rng(args.seed), space,
                         pose_deg=args.pose_deg, au_probability=0.0)
    keys = list(AU_PARAMETER_KEYS)
    true = {k: [] for k in keys}
    seen = {k: [] for k in keys}
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for i in range(args.n):
            faces = [base.pose[i:i + 1], base.identity[i:i + 1]]
            batch = RigParams(np.repeat(faces[0], len(keys) + 1, 0),
                              np.zeros((len(keys) + 1, len(keys)), np.float32),
                              np.repeat(faces[1], len(keys) + 1, 0))
            batch.au[np.arange(1, len(keys) + 1), np.arange(len(keys))] = args.level
            exact = renderer.screen_vertices(batch)[:, :N_LANDMARKS, :2]
            tracked = []
            for image in renderer.render_uint8(batch):
                found = landmarker.detect(image)
                tracked.append(found[0].landmarks[:N_LANDMARKS, :2] if found else None)
            if tracked[0] is None:
                continue
            iod = np.linalg.norm(exact[0, EYE_CORNERS[0]] - exact[0, EYE_CORNERS[1]])
            for j, key in enumerate(keys, start=1):
                if tracked[j] is not None:
                    true[key].append((exact[j] - exact[0]) / iod)
                    seen[key].append((tracked[j] - tracked[0]) / iod)
    print(f"{args.n} identities, AU parameter {args.level}, {args.size} px; per AU over its "
          f"{args.top} most-moved landmarks (interocular units)")
    print("AU      true    gain   off")
    rows = []
    for key in keys:
        t, s = np.array(true[key]), np.array(seen[key])
        if not len(t):
            print(f"{key:6s}  (never tracked)")
            continue
        top = np.argsort(np.linalg.norm(t, axis=2).mean(0))[::-1][:args.top]
        t, s = t[:, top], s[:, top]
        gain = float((t * s).sum() / (t * t).sum())
        off = float(np.linalg.norm(s - gain * t, axis=2).mean())
        rows.append((key, float(np.linalg.norm(t, axis=2).mean()), gain, off))
    for key, motion, gain, off in sorted(rows, key=lambda r: r[2]):
        print(f"{key:6s}  {motion:.4f}  {gain:5.2f}  {off:.4f}")
    print(f"median_gain={np.median([r[2] for r in rows]):.2f}")


if __name__ == "__main__":
    main()
