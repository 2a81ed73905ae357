"""How strongly each AU slider changes a real photo, as MediaPipe sees it.

The neutral photos of the first `--people` London people (`../shared/data/london`) are edited
by the geometric synthesizer, one AU at a time (both sides) to `--level` (default 4, FACS D),
re-tracked, and read by the MediaPipe AU detector (the app's reference detector on real
faces). Printed per AU: the reading's mean rise over the photo's own (the gain is rise /
level; 1 would mean the edit reads as the intensity asked for), its lowest rise, and the
largest interocular-relative shift of any landmark the edit asked for (the synthesizer's
displacement). AUs MediaPipe does not read (AU23 and others) are left out. Its last line:
`mean_gain=<x> weakest=<AU>:<gain>`.

    python benchmarks/edit_gain.py [--people 10] [--level 4]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np
from _shared import london_pairs

from auedit.detect.mediapipe_aus import MediaPipeAUDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.rig.expressions import AU_PARAMETERS
from auedit.synth.geometric import GeometricSynthesizer

#: Outer eye corners (MediaPipe's indices): the interocular unit.
EYE_CORNERS = (33, 263)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=10)
    ap.add_argument("--level", type=float, default=4.0)
    args = ap.parse_args()
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    detector = MediaPipeAUDetector(tracker.canonical)
    read = set(detector.keys)
    aus = list(dict.fromkeys(p.facs for p in AU_PARAMETERS if p.facs in read))
    rises: dict[str, list[float]] = defaultdict(list)
    shifts: dict[str, list[float]] = defaultdict(list)
    for _person, neutral, _smiling, face, _ in london_pairs(tracker, args.people):
        prepared = synth.prepare(neutral, face)
        own = detector.detect(neutral, face).values
        io = float(np.linalg.norm(np.subtract(*face.landmarks[list(EYE_CORNERS), :2])))
        for au in aus:
            targets = {p.key: args.level for p in AU_PARAMETERS if p.facs == au}
            _, shift = synth.displacement(prepared, targets)
            found = tracker.track(synth.render(prepared, targets), 0.0)
            if not found:
                continue
            rises[au].append(detector.detect(neutral, found[0]).values[au] - own[au])
            shifts[au].append(float(np.linalg.norm(shift[:, :2], axis=1).max()) / io)
    tracker.close()
    gains = {}
    print(f"each AU to {args.level:g} on {args.people} London neutral photos; MediaPipe's "
          "reading:")
    for au in aus:
        r = np.array(rises[au])
        gains[au] = float(r.mean()) / args.level
        print(f"  {au:5s} rise {r.mean():5.2f} (lowest {r.min():5.2f}), gain {gains[au]:.2f}; "
              f"largest landmark shift {np.mean(shifts[au]):.3f} interocular")
    weakest = min(gains, key=gains.get)
    print(f"mean_gain={np.mean(list(gains.values())):.3f} weakest={weakest}:{gains[weakest]:.2f}")


if __name__ == "__main__":
    main()
