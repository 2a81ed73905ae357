"""How bright the teeth of a parted smile are, real against painted, next to the eye whites.

Real: the London smiling photos (`../shared/data/london/smiling`), whose mouths mostly show
teeth. Painted: the same people's neutral photos edited to a parted smile (the happiness
preset's AU6 3 and AU12 4, with lips part AU25 3), whose opening the geometric synthesizer
fills with the rig's teeth (`synth.mouth.MouthInterior`). For each photo: the 90th percentile
of the luminance inside the mouth's opening (re-tracked), over the eye white as the
synthesizer measures it (`synth.mouth.light_gain`: the eyes' 95th percentile). Printed: the
median and quartiles of that ratio for each; real teeth are about as bright as the eyes'
whites.

    python benchmarks/teeth_light.py [--people 40]
"""

from __future__ import annotations

import argparse

import numpy as np
from _shared import london_pairs

from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.rig.regions import MOUTH_OPENING
from auedit.rig.topology import SCLERA
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.mouth import light_gain, polygon_mask

PARTED_SMILE = {"AU6": 3.0, "AU12": 4.0, "AU25": 3.0}
MIN_OPENING_PX = 100  # a mouth opening smaller than this shows no teeth to measure


def teeth_over_white(tracker: FaceTracker, image: np.ndarray, white: float,
                     ) -> float | None:
    """The mouth opening's 90th luminance percentile in `image` (re-tracked) over `white`;
    None where no face or no open mouth is found."""
    faces = tracker.track(image, 0.0)
    if not faces:
        return None
    inside = polygon_mask(faces[0].landmarks[list(MOUTH_OPENING), :2], image.shape[:2]) > 0
    if inside.sum() < MIN_OPENING_PX:
        return None
    return float(np.percentile(image[inside].astype(np.float64).mean(axis=1), 90) / white)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    args = parser.parse_args()
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    eyes = [outline for _, outline in synth.eye_openings]

    def eye_white(image: np.ndarray, face) -> float:
        return light_gain(image, face.landmarks[:468, :2], eyes) * SCLERA.mean() * 255.0

    real, painted = [], []
    for _person, neutral, smiling, neutral_face, smiling_face in london_pairs(
            tracker, args.people):
        for values, image, white in (
                (real, smiling, eye_white(smiling, smiling_face)),
                (painted, synth.render(synth.prepare(neutral, neutral_face), PARTED_SMILE),
                 eye_white(neutral, neutral_face))):
            ratio = teeth_over_white(tracker, image, white)
            if ratio is not None:
                values.append(ratio)
    tracker.close()
    for name, values in (("real smiles", real), ("painted (parted smile edits)", painted)):
        q1, med, q3 = np.percentile(values, [25, 50, 75])
        print(f"{name:30s} n={len(values):3d}  teeth / eye white: median {med:.3f} "
              f"(quartiles {q1:.3f}-{q3:.3f})")


if __name__ == "__main__":
    main()
