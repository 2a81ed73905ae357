"""Glasses kept still (`auedit.synth.glasses`): how often a frame is found, and how still it
stays in edits.

- found on faces without glasses (false frames): the London photos (neutral and smiling),
  the shared wild photos and the non-photos (img24 and img25, the wild photos with glasses,
  apart);
- on img24 and img25 (dark frames): found, and the frame's pixels' mean change (0-255)
  under a smile (AU6 3 + AU12 4) and a lid tightener (AU7 4 + AU6 3), with the frame kept still
  and without (the warp alone, as before).

    python benchmarks/glasses_edit.py [--people 70]
"""

from __future__ import annotations

import argparse

import numpy as np
from _shared import shared_data

from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import read_image
from auedit.synth.geometric import GeometricSynthesizer

EDITS = {"smile": {"AU6": 3.0, "AU12": 4.0}, "lids": {"AU7": 4.0, "AU6": 3.0}}
WITH_GLASSES = ("img24.jpg", "img25.jpg")


def frame_change(synth: GeometricSynthesizer, prepared, image: np.ndarray) -> dict[str, tuple]:
    """Per edit: the frame's pixels' mean change kept still, and with the warp alone."""
    h, w = image.shape[:2]
    frame = prepared.frames.over(0, 0, w, h) > 0.99
    out = {}
    for name, targets in EDITS.items():
        still = synth.render(prepared, targets)
        kept, prepared.frames = prepared.frames, None
        prepared.levels.clear()
        bent = synth.render(prepared, targets)
        prepared.frames = kept
        prepared.levels.clear()
        out[name] = tuple(float(np.abs(x.astype(int) - image)[frame].mean())
                          for x in (still, bent))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=70)
    args = parser.parse_args()
    root = shared_data()
    tracker = FaceTracker(Mode.IMAGE, max_faces=4)
    synth = GeometricSynthesizer(tracker.canonical)
    london = sorted((root / "london" / "neutral").glob("*.jpg"))[:args.people]
    bare = (london + sorted((root / "london" / "smiling").glob("*.jpg"))[:args.people]
            + sorted(p for p in (root / "images" / "wild").glob("*.jpg")
                     if p.name not in WITH_GLASSES)
            + sorted((root / "images" / "nonphoto").glob("*")))
    faces = false = 0
    for path in bare:
        image = read_image(path)
        for face in tracker.track(image, 0.0):
            faces += 1
            if synth.prepare(image, face).frames is not None:
                false += 1
                print(f"{path.name}: a frame found on a face without glasses")
    print(f"faces without glasses: {faces}, frames found on them: {false}")
    missed = 0
    for name in WITH_GLASSES:
        image = read_image(root / "images" / "wild" / name)
        prepared = synth.prepare(image, tracker.track(image, 0.0)[0])
        if prepared.frames is None:
            missed += 1
            print(f"{name}: no frame found")
            continue
        for edit, (still, bent) in frame_change(synth, prepared, image).items():
            print(f"{name}, {edit}: frame pixels' mean change {still:.2f} kept still, "
                  f"{bent:.2f} warped")
    print(f"glasses_edit: false_frames={false}/{faces} missed={missed}/{len(WITH_GLASSES)}")


if __name__ == "__main__":
    main()
