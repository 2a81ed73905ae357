"""Recovery of known rig parameters through MediaPipe: render random game faces (random
identity from the identity subspace, pose within +-20 degrees, sparse random AUs), track them
with MediaPipe, fit them as the app's `rigfit` detector fits a photo (the landmark fit, then
the learned AU regressor where it is installed; `--plain` leaves the regressor out), and
compare with the truth. `--exact-landmarks` fits the renders' true landmark positions instead of
MediaPipe's (the plain fit): the ceiling of the fit itself, which separates the fit's error from
the tracker's. The faces are drawn with `--seed` (0): the regressor is trained on
other seeds, so they are held out.

Prints per-AU ICC(3,1) and MAE (parameters in [0, 1]) and the head-pose error; its last line
is `mean_icc=<x> mean_mae=<y> pose_err_deg=<z>`.

    python benchmarks/rig_recovery.py [--n 1000] [--size 384] [--seed 0] [--look flat]
        [--plain | --exact-landmarks]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _shared import icc_3_1

from auedit.detect.rigfit import PHOTO, RigFitDetector
from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.fit.au_regressor import AURegressor
from auedit.render.face import LOOKS, FaceRenderer
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig, pose_angles_deg
from auedit.rig.sampling import random_params
from auedit.rig.topology import N_LANDMARKS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--look", choices=LOOKS, default="flat",
                    help="the renders' look (the shipped regressor was trained on flat)")
    how = ap.add_mutually_exclusive_group()
    how.add_argument("--plain", action="store_true", help="the landmark fit alone, no regressor")
    how.add_argument("--exact-landmarks", action="store_true",
                     help="fit the renders' true landmarks instead of MediaPipe's (no regressor)")
    how.add_argument("--regressor", type=Path, help="an AU regressor file instead of the shipped")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rig = load_rig()
    renderer = FaceRenderer(rig, args.size, background=(0.35, 0.42, 0.5), look=args.look)
    space = load_default()
    if space is None:
        raise SystemExit("the identity subspace is not built: python -m auedit.rig.identity_space")
    regressor = AURegressor(args.regressor) if args.regressor else not (
        args.plain or args.exact_landmarks)
    detector = RigFitDetector(rig, regressor=regressor)
    print("landmarks:", "the renders' exact ones" if args.exact_landmarks else "MediaPipe's",
          "| AU stage:", "learned regressor" if detector.regressor else "plain landmark fit")
    truth = random_params(args.n, rng, space)
    est_au, est_pose, found = [], [], []
    t_render = t_track = t_fit = 0.0
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for start in range(0, args.n, args.batch):
            idx = slice(start, min(args.n, start + args.batch))
            batch = RigParams(truth.pose[idx], truth.au[idx], truth.identity[idx])
            if args.exact_landmarks:  # no image: the fit reads the rig's own landmarks
                exact = renderer.screen_vertices(batch)[:, :N_LANDMARKS]
                for i, points in enumerate(exact):
                    t = time.perf_counter()
                    result = detector.fitter.fit(points, settings=PHOTO)
                    t_fit += time.perf_counter() - t
                    found.append(start + i)
                    est_au.append(result.params.au[0])
                    est_pose.append(result.params.pose[0])
                continue
            t = time.perf_counter()
            images = renderer.render_uint8(batch)
            t_render += time.perf_counter() - t
            for i, img in enumerate(images):
                t = time.perf_counter()
                faces = landmarker.detect(img)
                t_track += time.perf_counter() - t
                if not faces:
                    continue
                t = time.perf_counter()
                result = detector.estimate(faces[0], still=True)
                t_fit += time.perf_counter() - t
                found.append(start + i)
                est_au.append(result.params.au[0])
                est_pose.append(result.params.pose[0])
    found_idx = np.array(found)
    au_true, au_est = truth.au[found_idx], np.array(est_au)
    pose_err = np.abs(pose_angles_deg(np.array(est_pose)) - pose_angles_deg(truth.pose[found_idx]))
    print(f"{len(found)} of {args.n} renders tracked ({args.size} px); render "
          f"{t_render / args.n * 1e3:.1f} ms, track {t_track / max(1, len(found)) * 1e3:.1f} ms, "
          f"fit {t_fit / max(1, len(found)) * 1e3:.1f} ms per face")
    iccs, maes = [], []
    for j, key in enumerate(AU_PARAMETER_KEYS):
        icc = icc_3_1(au_true[:, j], au_est[:, j])
        mae = float(np.abs(au_true[:, j] - au_est[:, j]).mean())
        iccs.append(icc)
        maes.append(mae)
        print(f"{key:6s} icc={icc:6.3f} mae={mae:.3f}")
    print(f"pose error (deg, mean abs): pitch {pose_err[:, 0].mean():.2f} yaw "
          f"{pose_err[:, 1].mean():.2f} roll {pose_err[:, 2].mean():.2f}")
    print(f"mean_icc={np.nanmean(iccs):.3f} mean_mae={np.mean(maes):.3f} "
          f"pose_err_deg={pose_err.mean():.2f}")


if __name__ == "__main__":
    main()
