"""Smiling photos edited to no smile, measured against the same people's neutral photos.

The reverse of `smile_edit.py`: each of the 70 London people's smiling photo is edited with
the geometric synthesizer, AU6 and AU12 set to 0 (both sides; every other AU keeps the photo's
own value) and, as further rows, the "neutral" preset (every AU a preset names at 0) and the
"sadness" preset (which clears AU6 and AU12 and adds its own), and "From photo…" with the
person's own neutral photo (every AU the MediaPipe detector reports sized to read as it does
there, as the app's button and `auedit edit --expression-of` size them), and re-tracked. Printed per
row: MediaPipe's mouthSmile (mean of left and right) on the edits, beside the smiling and
the neutral photos; the lips' distance to the person's neutral photo (40 lip landmarks
aligned on eye corners and nose, interocular units, as `smile_edit.py` measures it) and the
share of people whose edit is closer to it than the smiling photo is.

`--starts mediapipe,regressor` runs both ways of starting the sliders side by side:
`mediapipe` as the synthesizer does (the MediaPipe AU detector's reading of the photo, and
fields carried past 0 when an AU is taken away), `regressor` as it did before commit f718aed
(the rig fit's learned regressor's reading, fields stopped at 0).

    python benchmarks/smile_removal.py [--starts mediapipe,regressor] [--people N]
"""

from __future__ import annotations

import argparse
import dataclasses
from collections import defaultdict

import numpy as np
from _shared import london_pairs
from smile_edit import SMILE, mouth_distance

from auedit.core.aus import MAX_INTENSITY
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.synth.expression_match import AUReader, matched_targets
from auedit.synth.geometric import GeometricFace, GeometricSynthesizer
from auedit.synth.presets import preset_targets

EDITS = {"AU6 AU12 0": {"AU6": 0.0, "AU12": 0.0}, "neutral": preset_targets("neutral"),
         "sadness": preset_targets("sadness")}
FROM_NEUTRAL = "From photo"  # the row whose targets are sized to the person's neutral photo


def regressor_start(synth: GeometricSynthesizer, prepared: GeometricFace) -> GeometricFace:
    """`prepared` starting from the rig fit's regressor reading, as before commit f718aed."""
    reading = synth.detector.regress(prepared.face, prepared.fit).params.au[0]
    own = {k: float(v) * MAX_INTENSITY for k, v in zip(AU_PARAMETER_KEYS, reading, strict=True)}
    return dataclasses.replace(prepared, own=own)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", default="mediapipe",
                        help="comma-separated: mediapipe (as shipped), regressor (before)")
    parser.add_argument("--people", type=int, default=0, help="only the first N people")
    args = parser.parse_args()
    starts = args.starts.split(",")
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    floor = synth.floor.copy()
    smile: dict[str, list[float]] = defaultdict(list)
    dist: dict[str, list[float]] = defaultdict(list)
    read = AUReader(tracker)
    for person, neutral, smiling, face_n, face_s in london_pairs(tracker, args.people):
        prepared = synth.prepare(smiling, face_s)
        other = synth.prepare(neutral, face_n)
        other_reading = read.reading(neutral, face_n)
        results = {}
        for start in starts:
            here, there = ((prepared, other) if start == "mediapipe" else
                           (regressor_start(synth, prepared), regressor_start(synth, other)))
            synth.floor = floor if start == "mediapipe" else np.maximum(floor, 0.0)
            # "From photo…" with the person's own neutral photo, as the app sizes it
            edits = {**EDITS, FROM_NEUTRAL: matched_targets(synth, here, read, other_reading,
                                                            there.own)}
            for name, targets in edits.items():
                found = tracker.track(synth.render(here, targets, preview=False), 0.0)
                results[(start, name)] = found[0] if found else None
        if not all(results.values()):
            print(f"{person}: an edit lost its face")
            continue
        for name, face in (("neutral", face_n), ("smiling", face_s)):
            smile[name].append(float(face.blendshapes[SMILE].mean()))
        dist["smiling"].append(mouth_distance(face_s.landmarks, face_n.landmarks))
        for key, face in results.items():
            smile[key].append(float(face.blendshapes[SMILE].mean()))
            dist[key].append(mouth_distance(face.landmarks, face_n.landmarks))
    tracker.close()
    n = len(dist["smiling"])
    print(f"{n} people; mouthSmile (mean L/R): smiling photos {np.mean(smile['smiling']):.3f}, "
          f"neutral photos {np.mean(smile['neutral']):.3f}; smiling photos' lips to the neutral "
          f"photo {np.mean(dist['smiling']):.4f} (interocular units)")
    print("start      edit         mouthSmile  lips to neutral  closer than the smiling photo")
    for start in starts:
        for name in (*EDITS, FROM_NEUTRAL):
            d = np.array(dist[(start, name)])
            closer = d < np.array(dist["smiling"])
            print(f"{start:10s} {name:12s} {np.mean(smile[(start, name)]):.3f}       "
                  f"{d.mean():.4f}           {closer.mean():.1%} ({closer.sum()}/{n})")


if __name__ == "__main__":
    main()
