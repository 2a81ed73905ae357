"""How bright a parted smile's teeth are and how far across the mouth they reach, real against
painted.

Real: the London smiling photos (`../shared/data/london/smiling`), whose mouths mostly show
teeth. Painted: the same people's neutral photos edited to a parted smile (the happiness
preset's AU6 3 and AU12 4, with lips part AU25 3), whose opening the geometric synthesizer
fills with the rig's teeth (`synth.mouth.MouthInterior`). For each photo: the 90th percentile
of the luminance inside the mouth's opening (re-tracked), over the eye white as the
synthesizer measures it (`synth.mouth.light_gain`: the colour of the eyes' brightest 5%).
Printed: the median and quartiles of that ratio for each; real teeth are about as bright as
the eyes' whites. And how far the teeth reach: the opening cut into 30 strips from corner to corner,
the share of strips whose brightest pixel is at least 0.6 eye whites (teeth), and the share
of the opening darker than 0.15 eye whites (black corners and cavity; real smiles show next
to none).

    python benchmarks/teeth_light.py [--people 40]
"""

from __future__ import annotations

import argparse

import numpy as np
from _shared import london_pairs

from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.rig.regions import LIPS_UPPER_INNER, MOUTH_OPENING
from auedit.rig.topology import SCLERA
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.mouth import light_gain, polygon_mask

PARTED_SMILE = {"AU6": 3.0, "AU12": 4.0, "AU25": 3.0}
MIN_OPENING_PX = 100  # a mouth opening smaller than this shows no teeth to measure
STRIPS = 30  # across the opening, corner to corner
TOOTH_BRIGHT = 0.6  # a strip shows teeth where its brightest pixel is this many eye whites
DARK = 0.15  # eye whites: black corners and cavity


def mouth_light(tracker: FaceTracker, image: np.ndarray, white: float,
                ) -> tuple[float, float, float] | None:
    """For the mouth's opening in `image` (re-tracked), in eye whites `white`: its 90th
    luminance percentile, the share of its strips that show teeth and its dark share; None
    where no face or no open mouth is found."""
    faces = tracker.track(image, 0.0)
    if not faces:
        return None
    opening = faces[0].landmarks[list(MOUTH_OPENING), :2]
    ys, xs = np.nonzero(polygon_mask(opening, image.shape[:2]))
    if len(ys) < MIN_OPENING_PX:
        return None
    light = image[ys, xs].astype(np.float64).mean(axis=1) / white
    a, b = opening[0], opening[len(LIPS_UPPER_INNER) - 1]  # the inner corners
    along = ((np.stack([xs, ys], axis=1) - a) @ (b - a)) / float((b - a) @ (b - a))
    strip = np.clip((along * STRIPS).astype(int), 0, STRIPS - 1)
    brightest = np.zeros(STRIPS)
    np.maximum.at(brightest, strip, light)
    return (float(np.percentile(light, 90)), float((brightest >= TOOTH_BRIGHT).mean()),
            float((light < DARK).mean()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    args = parser.parse_args()
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    eyes = [outline for _, outline in synth.eye_openings]

    def eye_white(image: np.ndarray, face) -> float:
        return float((light_gain(image, face.landmarks[:468, :2], eyes) * SCLERA).mean()
                     * 255.0)

    real, painted = [], []
    for _person, neutral, smiling, neutral_face, smiling_face in london_pairs(
            tracker, args.people):
        for values, image, white in (
                (real, smiling, eye_white(smiling, smiling_face)),
                (painted, synth.render(synth.prepare(neutral, neutral_face), PARTED_SMILE),
                 eye_white(neutral, neutral_face))):
            measured = mouth_light(tracker, image, white)
            if measured is not None:
                values.append(measured)
    tracker.close()
    for name, values in (("real smiles", real), ("painted (parted smile edits)", painted)):
        ratio, across, dark = np.array(values).T
        q1, med, q3 = np.percentile(ratio, [25, 50, 75])
        print(f"{name:30s} n={len(values):3d}  teeth / eye white: median {med:.3f} "
              f"(quartiles {q1:.3f}-{q3:.3f}); teeth across {np.median(across):.0%} of the "
              f"opening, dark {np.median(dark):.1%} (medians)")


if __name__ == "__main__":
    main()
