"""The rig fit's AU regressor on real faces: edits read back, and real smiles vs neutral faces.

Section `roundtrip`: does an AU the sliders set to 3 on a real photo read back as 3?

The neutral photos of the London set (`../shared/data/london/neutral`; no regressor is trained
on them) are edited by the geometric synthesizer, one AU at a time, to each level of
`--levels`, re-tracked with MediaPipe and read by the `rigfit` detector (landmark fit + AU
regressor). Every edit of one photo starts from the same prepared face, so the reading of a
level-L edit minus that of the level-0 edit should be L. Printed per AU (a bilateral AU is the
mean of its sides): that difference at each level, and its gain (least-squares slope over the
levels; 1 is right, 0 means the detector does not see the edit). `--regressors` reads the same
edits with several regressor files side by side ("shipped" is the installed one).
Its last lines: `<regressor> mean_gain=<x> mean_abs_err=<y>` per regressor (the error of the
read-back differences in FACS units, over all AUs and levels).

Section `london`: all 140 London photos read by each regressor: ROC AUC of AU12 and AU6
(mean of the sides) for smiling vs neutral, their mean readings on either, and the sum of all
40 AU parameters (FACS units) read on the neutral photos, which should be near 0.

    python benchmarks/rigfit_real_faces.py [--sections roundtrip,london] [--people 20]
        [--levels 0,1,3,5] [--regressors shipped,runs/rigreg/au_regressor.onnx]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from _shared import shared_data
from sklearn.metrics import roc_auc_score

from auedit.core.aus import MAX_INTENSITY
from auedit.detect.rigfit import RigFitDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.fit.au_regressor import AURegressor, load_default
from auedit.media.sources import read_image
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.synth.geometric import GeometricSynthesizer

#: Bilateral FACS AUs of the rig (jaw sideways, AU30L/R, is one-sided by nature: left out).
AUS = sorted({p.facs for p in AU_PARAMETERS} - {"AU30L", "AU30R"}, key=lambda a: int(a[2:]))
#: each FACS AU's rig parameter columns (both sides of a bilateral AU)
COLUMNS = {au: [AU_PARAMETER_KEYS.index(p.key) for p in AU_PARAMETERS if p.facs == au]
           for au in AUS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default="roundtrip,london")
    ap.add_argument("--people", type=int, default=20, help="round trip: first N neutral photos")
    ap.add_argument("--levels", default="0,1,3,5")
    ap.add_argument("--regressors", default="shipped",
                    help="comma-separated: 'shipped' or paths of au_regressor.onnx files")
    args = ap.parse_args()
    levels = [float(v) for v in args.levels.split(",")]
    if levels[0] != 0:
        levels = [0.0, *levels]
    names = args.regressors.split(",")
    detectors = [RigFitDetector(regressor=load_default() if n == "shipped"
                                else AURegressor(Path(n))) for n in names]
    root = shared_data() / "london"
    with (root / "labels.csv").open(newline="") as f:
        labels = list(csv.DictReader(f))
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    sections = args.sections.split(",")
    if "roundtrip" in sections:
        photos = sorted(r["image"] for r in labels if r["expression"] == "neutral")
        roundtrip(tracker, detectors, names, root, photos[:args.people], levels)
    if "london" in sections:
        london(tracker, detectors, names, root, labels)
    tracker.close()


def roundtrip(tracker: FaceTracker, detectors: list[RigFitDetector], names: list[str],
              root: Path, photos: list[str], levels: list[float]) -> None:
    """Edit each photo one AU at a time and read the edits back (see the module docstring)."""
    synth = GeometricSynthesizer(tracker.canonical)
    # read[r][au] -> (people, levels) readings in FACS units
    read = [{au: [] for au in AUS} for _ in names]
    used = 0
    for name in photos:
        image = read_image(root / name)
        faces = tracker.track(image, 0.0)
        if not faces:
            print(f"{name}: no face found, skipped")
            continue
        prepared = synth.prepare(image, faces[0])
        rows = [{au: [] for au in AUS} for _ in names]
        for au in AUS:
            for level in levels:
                found = tracker.track(synth.render(prepared, {au: level}), 0.0)
                for r, det in enumerate(detectors):
                    value = np.nan
                    if found:
                        au_params = det.estimate(found[0], still=True).params.au[0]
                        value = float(au_params[COLUMNS[au]].mean() * MAX_INTENSITY)
                    rows[r][au].append(value)
        for r in range(len(names)):
            for au in AUS:
                read[r][au].append(rows[r][au])
        used += 1
    lv = np.array(levels)
    print(f"{used} London neutral photos, levels {levels}; read-back minus the level-0 edit's")
    print("AU     " + "  ".join(f"{n[-24:]:>34s}" for n in names))
    summary = []
    for r, name in enumerate(names):
        gains, errors = [], []
        for au in AUS:
            diff = np.array(read[r][au]) - np.array(read[r][au])[:, :1]
            mean = np.nanmean(diff, axis=0)
            gain = float((mean[1:] * lv[1:]).sum() / (lv[1:] ** 2).sum())
            gains.append(gain)
            errors.append(np.nanmean(np.abs(diff[:, 1:] - lv[1:])))
            read[r][au] = (mean, gain)
        summary.append((name, float(np.mean(gains)), float(np.mean(errors))))
    for au in AUS:
        cells = []
        for r in range(len(names)):
            mean, gain = read[r][au]
            cells.append(" ".join(f"{v:4.1f}" for v in mean[1:]) + f"  gain {gain:5.2f}")
        print(f"{au:6s} " + "  ".join(f"{c:>34s}" for c in cells))
    for name, gain, err in summary:
        print(f"{name} mean_gain={gain:.3f} mean_abs_err={err:.3f}")


def london(tracker: FaceTracker, detectors: list[RigFitDetector], names: list[str],
           root: Path, labels: list[dict[str, str]]) -> None:
    """AU12 and AU6 on the London photos, smiling vs neutral, and the AUs read on neutral ones."""
    smiling, values = [], [[] for _ in names]
    for row in labels:
        faces = tracker.track(read_image(root / row["image"]), 0.0)
        if not faces:
            print(f"{row['image']}: no face found, skipped")
            continue
        smiling.append(row["expression"] == "smiling")
        for r, det in enumerate(detectors):
            au = det.estimate(faces[0], still=True).params.au[0] * MAX_INTENSITY
            values[r].append([au[COLUMNS["AU12"]].mean(), au[COLUMNS["AU6"]].mean(), au.sum()])
    smile = np.array(smiling)
    print(f"London: {smile.sum()} smiling, {(~smile).sum()} neutral photos")
    for name, v in zip(names, values, strict=True):
        v = np.array(v)
        print(f"{name}: AU12 AUC {roc_auc_score(smile, v[:, 0]):.3f} (neutral "
              f"{v[~smile, 0].mean():.2f}, smiling {v[smile, 0].mean():.2f}), AU6 AUC "
              f"{roc_auc_score(smile, v[:, 1]):.3f} (neutral {v[~smile, 1].mean():.2f}, smiling "
              f"{v[smile, 1].mean():.2f}); sum of the 40 AUs on neutral photos "
              f"{v[~smile, 2].mean():.2f}")


if __name__ == "__main__":
    main()
