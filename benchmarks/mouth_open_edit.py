"""Neutral photos edited to an open mouth: is the new opening the mouth's interior?

Each London neutral photo (`../shared/data/london/neutral`, closed mouths) is edited with the
geometric synthesizer to a jaw drop with parted lips (AU26 4, AU25 3). Inside the new inner-lip
opening (the tracked inner lips moved by the edit, eroded by 2 px), the share of pixels darker
than half the photo's lower lip (median brightness) is measured: the rig's cavity is dark and
its teeth bright, so a correct edit is mostly dark, while the photo's lips stretched over the
gap are not. Printed: the median and lowest share over the faces, and the share of faces whose
opening is more than 60% dark.

    python benchmarks/mouth_open_edit.py
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
from _shared import shared_data

from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import read_image
from auedit.rig import regions as rg
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.mouth import MOUTH_OPENING, polygon_mask

TARGETS = {"AU26": 4.0, "AU25": 3.0}
LOWER_LIP = list(rg.LIPS_LOWER_OUTER) + list(reversed(rg.LIPS_LOWER_INNER))


def dark_share(synth: GeometricSynthesizer, image: np.ndarray, face) -> float:
    """The share of the edit's new mouth opening darker than half the photo's lower lip."""
    prepared = synth.prepare(image, face)
    out = synth.render(prepared, TARGETS)
    _, shift = synth.displacement(prepared, TARGETS)
    lms = face.landmarks[:, :2]
    mouth = list(MOUTH_OPENING)
    opening = cv2.erode(polygon_mask(lms[mouth] + shift[mouth], out.shape[:2]),
                        np.ones((5, 5), np.uint8)) > 0
    lip = polygon_mask(lms[LOWER_LIP], out.shape[:2]) > 0
    lip_luma = np.median(image.astype(float).mean(axis=2)[lip])
    return float((out.astype(float).mean(axis=2)[opening] < 0.5 * lip_luma).mean())


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # --help
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    shares = []
    for path in sorted((shared_data() / "london" / "neutral").glob("*.jpg")):
        image = read_image(path)
        found = tracker.track(image, 0.0)
        if found:
            shares.append(dark_share(synth, image, found[0]))
    tracker.close()
    s = np.array(shares)
    print(f"{len(s)} faces edited to {TARGETS}; dark share of the new opening: median "
          f"{np.median(s):.3f}, lowest {s.min():.3f}; faces over 60% dark: {(s > 0.6).mean():.1%}")


if __name__ == "__main__":
    main()
