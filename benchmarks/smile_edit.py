"""Neutral photos edited to a smile, measured against the same people's real smiles.

70 people of the London set (`../shared/data/london`), one neutral and one smiling photo each.
Each neutral photo is edited with the geometric synthesizer to the "happiness" preset
(AU6 3, AU12 4: a clear Duchenne smile short of the extreme, the intensities the app and
`auedit edit --preset happiness` use; not tuned on these figures) and re-tracked. Printed:

- mouth shape: the lips' 40 landmarks of the edit and of the neutral photo, each aligned to
  the real smile by a similarity on points a smile hardly moves (eye corners, nose bridge and
  tip), mean distance in interocular units; the share of people whose edit is closer to
  their real smile than their neutral photo is;
- MediaPipe's mouthSmile (mean of left and right) on the neutral photos, the edits and the
  real smiles;
- pixels outside the edited regions (farther than 10% of the face from every landmark the
  edit moves by 0.5 px or more): the share that changed at all, and the mean change.

    python benchmarks/smile_edit.py
"""

from __future__ import annotations

import csv
from collections import defaultdict

import cv2
import numpy as np
from _shared import shared_data

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import read_image
from auedit.render.face import similarity
from auedit.rig import regions as rg
from auedit.synth.geometric import GeometricSynthesizer
from auedit.synth.presets import PRESETS

TARGETS = PRESETS["happiness"]
LIPS = list(rg.LIPS_UPPER_OUTER + rg.LIPS_LOWER_OUTER + rg.LIPS_UPPER_INNER
            + rg.LIPS_LOWER_INNER)
#: eye corners (outer, inner, both eyes), nose bridge and nose tip
STABLE = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1]
SMILE = [ARKIT_BLENDSHAPES.index(n) for n in ("mouthSmileLeft", "mouthSmileRight")]


def mouth_distance(landmarks: np.ndarray, reference: np.ndarray) -> float:
    """Mean lip-landmark distance after aligning `landmarks` to `reference` on STABLE points,
    in units of the reference's interocular distance."""
    m = similarity(landmarks[STABLE, :2], reference[STABLE, :2])
    lips = landmarks[LIPS, :2] @ m[:, :2].T + m[:, 2]
    iod = np.linalg.norm(reference[33, :2] - reference[263, :2])
    return float(np.linalg.norm(lips - reference[LIPS, :2], axis=1).mean() / iod)


def untouched_region(shape: tuple[int, ...], moved: np.ndarray, reach: float) -> np.ndarray:
    """Pixels farther than `reach` from every moved landmark (bool, H x W)."""
    near = np.zeros(shape[:2], np.uint8)
    for x, y in np.round(moved).astype(int):
        cv2.circle(near, (int(x), int(y)), int(reach), 1, -1)
    return near == 0


def main() -> None:
    root = shared_data() / "london"
    with (root / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    photos: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        photos[row["face_id"]][row["expression"]] = row["image"]
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    print(f"targets: {TARGETS} (the happiness preset); other AUs keep each photo's own")
    closer, d_edit, d_neutral = [], [], []
    smile = defaultdict(list)
    changed_share, changed_mean = [], []
    for person, pair in sorted(photos.items()):
        neutral, real = read_image(root / pair["neutral"]), read_image(root / pair["smiling"])
        tracked = [tracker.track(im, 0.0) for im in (neutral, real)]
        if not all(tracked):
            print(f"{person}: no face found, skipped")
            continue
        face_n, face_s = tracked[0][0], tracked[1][0]
        prepared = synth.prepare(neutral, face_n)
        edited = synth.render(prepared, TARGETS)
        found = tracker.track(edited, 0.0)
        if not found:
            print(f"{person}: the edit lost its face")
            continue
        face_e = found[0]
        de = mouth_distance(face_e.landmarks, face_s.landmarks)
        dn = mouth_distance(face_n.landmarks, face_s.landmarks)
        d_edit.append(de)
        d_neutral.append(dn)
        closer.append(de < dn)
        for name, face in (("neutral", face_n), ("edit", face_e), ("real smile", face_s)):
            smile[name].append(float(face.blendshapes[SMILE].mean()))
        _, shift = synth.displacement(prepared, TARGETS)
        lms = face_n.landmarks[:468, :2]
        outside = untouched_region(neutral.shape, lms[np.linalg.norm(shift, axis=1) >= 0.5],
                                   0.1 * prepared.face_px)
        diff = np.abs(edited.astype(np.int16) - neutral).max(axis=2)[outside]
        changed_share.append(float((diff > 0).mean()))
        changed_mean.append(float(diff.mean()))
    tracker.close()
    n = len(closer)
    print(f"{n} people")
    print(f"mouth distance to the real smile (interocular units): edit {np.mean(d_edit):.4f}, "
          f"neutral {np.mean(d_neutral):.4f}")
    print(f"edit closer to the real smile than the neutral photo: {np.mean(closer):.1%} "
          f"({sum(closer)}/{n}; target >= 90%)")
    print("mouthSmile (mean L/R): " + ", ".join(
        f"{k} {np.mean(v):.3f}" for k, v in smile.items()) + " (target: edits >= 0.4)")
    print(f"edits with mouthSmile >= 0.4: {np.mean(np.array(smile['edit']) >= 0.4):.1%}")
    print(f"outside the edited regions: {np.mean(changed_share):.3%} of pixels changed, "
          f"mean change {np.mean(changed_mean):.4f} levels")


if __name__ == "__main__":
    main()
