"""How much of the creases' shading the skin model (`auedit.synth.skin`) keeps on London faces.

Each neutral photo of the first `--people` London people is edited three ways (a smile AU6 3 +
AU12 4, the brow raisers AU1 + AU2 at 4, disgust AU9 4 + AU10 3); each edit is rendered
without creases, with creases drawn regardless of the skin (no colour model, no blur) and with
them as shipped. Per edit: the photo's blur as measured, and the share of the creases'
shading (sum of absolute change from the crease-free edit) the shipped creases keep. Uncovered,
sharp faces should keep about all of it; a fringe, glasses or a blurred photo less.

    python benchmarks/crease_skin.py [--people 12]
"""

from __future__ import annotations

import argparse

import numpy as np
from _shared import london_pairs

from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.synth.geometric import GeometricSynthesizer

EDITS = {"smile": {"AU6": 3.0, "AU12": 4.0}, "brows": {"AU1": 4.0, "AU2": 4.0},
         "disgust": {"AU9": 4.0, "AU10": 3.0}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=12)
    args = parser.parse_args()
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    shipped = synth.creases.paint
    variants = {"none": lambda *a, **k: False,
                "regardless": lambda image, origin, lms, rise, *a, **k: shipped(image, origin,
                                                                                 lms, rise),
                "shipped": shipped}
    kept = []
    for person, neutral, _, face, _ in london_pairs(tracker, args.people):
        prepared = synth.prepare(neutral, face)
        for name, targets in EDITS.items():
            out = {}
            for variant, paint in variants.items():
                synth.creases.paint = paint
                out[variant] = synth.render(prepared, targets).astype(np.float64)
            synth.creases.paint = shipped
            share = (np.abs(out["shipped"] - out["none"]).sum()
                     / max(np.abs(out["regardless"] - out["none"]).sum(), 1.0))
            kept.append(share)
            print(f"{person} {name}: blur {prepared.skin.blur:.2f} px, kept {share:.3f}")
    k = np.array(kept)
    print(f"crease_skin: kept_median={np.median(k):.3f} kept_mean={k.mean():.3f} "
          f"kept_min={k.min():.3f} edits={len(k)}")


if __name__ == "__main__":
    main()
