"""Neutral photos edited to an open mouth: is the new opening the mouth's interior?

Each London neutral photo (`../shared/data/london/neutral`, closed mouths) is edited with the
geometric synthesizer to a jaw drop with parted lips (AU26 4, AU25 3). Inside the new inner-lip
opening (the tracked inner lips moved by the edit, eroded by 2 px), the share of pixels darker
than half the photo's lower lip (median brightness) is measured: the rig's cavity is dark and
its teeth bright, so a correct edit is mostly dark, while the photo's lips stretched over the
gap are not. Printed: the median and lowest share over the faces, and the share of faces whose
opening is more than 60% dark.

The same share on real open mouths, for scale: frames of the expressive clips
(`../shared/data/video/expressive_*.mp4`, 40 per clip) whose inner lips are at least 0.2
interocular distances apart, measured on the tracked opening the same way. A real open mouth
shows its tongue about as light as the lips, so it is far from all dark (an "O" mouth aside);
an edit much darker than them draws a black hole.

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
REAL_FRAMES = 40  # frames read per clip
REAL_GAP = 0.2  # interocular distances between the inner lips' middles: an open mouth


def dark_share(synth: GeometricSynthesizer, image: np.ndarray, face) -> float:
    """The share of the edit's new mouth opening darker than half the photo's lower lip."""
    prepared = synth.prepare(image, face)
    out = synth.render(prepared, TARGETS)
    _, shift = synth.displacement(prepared, TARGETS)
    lms = face.landmarks[:, :2]
    return _dark_in(out, lms[list(MOUTH_OPENING)] + shift[list(MOUTH_OPENING)], image, lms)


def _dark_in(shown: np.ndarray, opening: np.ndarray, lips_from: np.ndarray,
             lms: np.ndarray) -> float:
    """The share of `shown` inside `opening` (eroded by 2 px) darker than half the median
    brightness of the lower lip (at `lms`) in `lips_from`."""
    inside = cv2.erode(polygon_mask(opening, shown.shape[:2]), np.ones((5, 5), np.uint8)) > 0
    lip = polygon_mask(lms[LOWER_LIP], shown.shape[:2]) > 0
    lip_luma = np.median(lips_from.astype(float).mean(axis=2)[lip])
    return float((shown.astype(float).mean(axis=2)[inside] < 0.5 * lip_luma).mean())


def real_shares(tracker: FaceTracker) -> dict[str, float]:
    """Per expressive clip, the median dark share of its frames with the mouth open."""
    out = {}
    for path in sorted((shared_data() / "video").glob("expressive_*.mp4")):
        capture = cv2.VideoCapture(str(path))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        shares = []
        for index in range(0, count, max(count // REAL_FRAMES, 1)):
            capture.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, frame = capture.read()
            if not ok:
                break
            rgb = np.ascontiguousarray(frame[..., ::-1])
            found = tracker.track(rgb, 0.0)
            if not found:
                continue
            lms = found[0].landmarks[:, :2]
            if np.linalg.norm(lms[13] - lms[14]) < REAL_GAP * found[0].interocular:
                continue
            shares.append(_dark_in(rgb, lms[list(MOUTH_OPENING)], rgb, lms))
        capture.release()
        if shares:
            out[path.stem] = float(np.median(shares))
    return out


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
    s = np.array(shares)
    print(f"{len(s)} faces edited to {TARGETS}; dark share of the new opening: median "
          f"{np.median(s):.3f}, lowest {s.min():.3f}; faces over 60% dark: {(s > 0.6).mean():.1%}")
    real = real_shares(tracker)
    tracker.close()
    if real:
        listed = ", ".join(f"{k.removeprefix('expressive_')} {v:.2f}" for k, v in real.items())
        print(f"real open mouths (expressive clips, median per clip): {listed}; "
              f"median of clips {np.median(list(real.values())):.3f}")


if __name__ == "__main__":
    main()
