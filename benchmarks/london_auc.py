"""Smile separation on the London set: ROC AUC of AU12 and AU6, smiling vs neutral photos.

70 people, one neutral and one smiling photo each (`../shared/data/london`). Prints the AUC of
each detector's AU12 and AU6 and, for scale, of MediaPipe's raw blendshapes; the last line is
the first detector's.

    python benchmarks/london_auc.py [--detectors mediapipe,rigfit]
"""

from __future__ import annotations

import argparse
import csv

import numpy as np
from _shared import shared_data
from sklearn.metrics import roc_auc_score

from auedit.analysis.analyzer import Analyzer
from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import read_image


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detectors", default="mediapipe")
    names = ap.parse_args().detectors.split(",")
    root = shared_data() / "london"
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    analyzer = Analyzer.create(names, tracker=tracker)
    labels, smile_bs, cheek_bs = [], [], []
    au12: dict[str, list[float]] = {n: [] for n in names}
    au6: dict[str, list[float]] = {n: [] for n in names}
    with (root / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        result = analyzer.analyze(read_image(root / row["image"]), 0.0, 0, row["image"])
        if not result.faces:
            print(f"no face found in {row['image']}")
            continue
        fa = result.faces[0]
        for name in names:
            au12[name].append(fa.readings[name].values["AU12"])
            au6[name].append(fa.readings[name].values["AU6"])
        bs = dict(zip(ARKIT_BLENDSHAPES, fa.face.blendshapes, strict=True))
        labels.append(row["expression"] == "smiling")
        smile_bs.append((bs["mouthSmileLeft"] + bs["mouthSmileRight"]) / 2)
        cheek_bs.append((bs["cheekSquintLeft"] + bs["cheekSquintRight"]) / 2)
    tracker.close()
    y = np.array(labels)
    print(f"{len(y)} photos ({y.sum()} smiling, {(~y).sum()} neutral)")
    for name, v in (("raw mouthSmile", smile_bs), ("raw cheekSquint", cheek_bs)):
        print(f"{name:16s} AUC {roc_auc_score(y, v):.3f}")
    lines = []
    for name in names:
        v12, v6 = np.array(au12[name]), np.array(au6[name])
        print(f"{name}: AU12 mean neutral {v12[~y].mean():.2f} smiling {v12[y].mean():.2f}; "
              f"AU6 mean neutral {v6[~y].mean():.2f} smiling {v6[y].mean():.2f}")
        lines.append(f"{name}: au12_auc={roc_auc_score(y, v12):.3f} "
                     f"au6_auc={roc_auc_score(y, v6):.3f}")
    print("\n".join(reversed(lines)))


if __name__ == "__main__":
    main()
