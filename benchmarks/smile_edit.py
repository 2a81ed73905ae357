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

`--scales 0.25,0.5,1` edits each photo at those fractions of the preset's intensities as well,
side by side (1 is the preset): a fixed intensity trades the two targets against each other,
since some "smiling" photos barely differ from their neutral ones. `--from-smile` adds a row
where AU6 and AU12 are sized to each person's own smiling photo as the app's "From photo…"
sizes them (`auedit.synth.expression_match`: matched in the MediaPipe AU detector's readings;
the other AUs unchanged): the edit's lip shape is then judged at the intensity of the smile it is
compared with (its mouthSmile is matched, so not a test of its own).

`--lip-shape` adds how the lips move, real smile against edit: the mean vertical motion (up
positive, interocular units, relative to the neutral photo aligned as above) of the mouth
corners and of the upper and lower lip's centre, outer and inner contour.

`--ceiling` adds, per fixed-intensity row, what the lip target allows at all: each person's
neutral lips moved by the mean real smile of the *other* 69 people (their real smile minus
their neutral photo, aligned as above), scaled to move the lips as far as that row's edits
did on average. It is the best a fixed-intensity edit of the average real smile's shape could
score, so a row whose ceiling is under 90% cannot meet the target by a better smile shape.

    python benchmarks/smile_edit.py [--scales 1] [--from-smile] [--lip-shape] [--ceiling]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import cv2
import numpy as np
from _shared import london_pairs

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.core.types import TrackedFace
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.rig import regions as rg
from auedit.rig.alignment import similarity
from auedit.synth.expression_match import AUReader, matched_targets
from auedit.synth.geometric import GeometricFace, GeometricSynthesizer
from auedit.synth.presets import PRESETS

TARGETS = PRESETS["happiness"]
FROM_SMILE = "smile"  # the row sized to each person's own smile
LIPS = list(rg.LIPS_UPPER_OUTER + rg.LIPS_LOWER_OUTER + rg.LIPS_UPPER_INNER
            + rg.LIPS_LOWER_INNER)
#: eye corners (outer, inner, both eyes), nose bridge and nose tip
STABLE = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1]
SMILE = [ARKIT_BLENDSHAPES.index(n) for n in ("mouthSmileLeft", "mouthSmileRight")]
#: the lip points of `--lip-shape`: name -> landmarks averaged
LIP_POINTS = {"corners": [61, 291], "upper centre": [0], "upper inner": [13],
              "lower centre": [17], "lower inner": [14]}


def mouth_distance(landmarks: np.ndarray, reference: np.ndarray) -> float:
    """Mean lip-landmark distance after aligning `landmarks` to `reference` on STABLE points,
    in units of the reference's interocular distance."""
    lips = aligned_lips(landmarks, reference) - aligned_lips(reference, reference)
    return float(np.linalg.norm(lips, axis=1).mean())


def lip_motion(landmarks: np.ndarray, neutral: np.ndarray,
               reference: np.ndarray) -> dict[str, float]:
    """How far each of LIP_POINTS rose from `neutral` to `landmarks` (both aligned to
    `reference` on STABLE points), in the reference's interocular units, up positive."""
    iod = np.linalg.norm(reference[33, :2] - reference[263, :2])
    moved, rest = (_aligned(lm, reference) for lm in (landmarks, neutral))
    return {name: float((rest[ids, 1] - moved[ids, 1]).mean() / iod)
            for name, ids in LIP_POINTS.items()}


def aligned_lips(landmarks: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The lip landmarks of `landmarks` aligned to `reference` on STABLE points, in units of
    the reference's interocular distance (LIPS x 2)."""
    iod = np.linalg.norm(reference[33, :2] - reference[263, :2])
    return _aligned(landmarks, reference)[LIPS] / iod


def ceiling(real_shift: np.ndarray, edit_size: float) -> np.ndarray:
    """Whether each person's neutral lips, moved by the mean real smile of everyone else
    (`real_shift`: people x LIPS x 2, real smile minus neutral) scaled to a mean point
    motion of `edit_size`, land closer to that person's real smile than the neutral lips."""
    total = real_shift.sum(axis=0)
    closer = []
    for own in real_shift:
        others = (total - own) / (len(real_shift) - 1)
        moved = others * edit_size / np.linalg.norm(others, axis=1).mean()
        closer.append(np.linalg.norm(moved - own, axis=1).mean()
                      < np.linalg.norm(own, axis=1).mean())
    return np.array(closer)


def _aligned(landmarks: np.ndarray, reference: np.ndarray) -> np.ndarray:
    m = similarity(landmarks[STABLE, :2], reference[STABLE, :2])
    return landmarks[:, :2] @ m[:, :2].T + m[:, 2]


def untouched_region(shape: tuple[int, ...], moved: np.ndarray, reach: float) -> np.ndarray:
    """Pixels farther than `reach` from every moved landmark (bool, H x W)."""
    near = np.zeros(shape[:2], np.uint8)
    for x, y in np.round(moved).astype(int):
        cv2.circle(near, (int(x), int(y)), int(reach), 1, -1)
    return near == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="1",
                        help="comma-separated fractions of the preset's intensities (1: as is)")
    parser.add_argument("--from-smile", action="store_true",
                        help="also size AU6 and AU12 to each person's own smile")
    parser.add_argument("--lip-shape", action="store_true",
                        help="also print how the lips move, real smile against edit")
    parser.add_argument("--ceiling", action="store_true",
                        help="also print the share the average real smile's shape could reach "
                             "at each row's intensity")
    args = parser.parse_args()
    scales: list[float | str] = [float(v) for v in args.scales.split(",")]
    if args.from_smile:
        scales.append(FROM_SMILE)
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    read = AUReader(tracker)
    print(f"targets: {TARGETS} (the happiness preset) x {scales}; other AUs keep each photo's own")
    d_neutral: list[float] = []
    real_shift: list[np.ndarray] = []
    real_lips: list[dict[str, float]] = []
    smile: dict[str, list[float]] = defaultdict(list)
    edits: dict[float | str, dict[str, list[float]]] = {k: defaultdict(list) for k in scales}
    for person, neutral, real, face_n, face_s in london_pairs(tracker):
        prepared = synth.prepare(neutral, face_n)
        sized = {}
        if args.from_smile:
            smile_reading = read.reading(real, face_s)
            sized = matched_targets(synth, prepared, read,
                                    {k: v for k, v in smile_reading.items()
                                     if k.rstrip("LR") in TARGETS}, prepared.own)
        results = {k: _edit(tracker, synth, prepared, neutral, face_n, face_s,
                            _targets(k, sized)) for k in scales}
        if results.get(FROM_SMILE):  # the levels it was sized to, for the table
            results[FROM_SMILE].update(AU6=np.mean([sized["AU6L"], sized["AU6R"]]),
                                       AU12=np.mean([sized["AU12L"], sized["AU12R"]]))
        if not all(results.values()):
            print(f"{person}: an edit lost its face")
            continue
        d_neutral.append(mouth_distance(face_n.landmarks, face_s.landmarks))
        real_shift.append(aligned_lips(face_s.landmarks, face_s.landmarks)
                          - aligned_lips(face_n.landmarks, face_s.landmarks))
        real_lips.append(lip_motion(face_s.landmarks, face_n.landmarks, face_s.landmarks))
        for name, face in (("neutral", face_n), ("real smile", face_s)):
            smile[name].append(float(face.blendshapes[SMILE].mean()))
        for k, figures in results.items():
            for name, value in figures.items():
                edits[k][name].append(value)
    tracker.close()
    n = len(d_neutral)
    print(f"{n} people; neutral photos: mouth distance to the real smile {np.mean(d_neutral):.4f} "
          f"(interocular units); mouthSmile (mean L/R) neutral {np.mean(smile['neutral']):.3f}, "
          f"real smile {np.mean(smile['real smile']):.3f}")
    print("scale  AU6   AU12  distance  closer (>= 90%)  mouthSmile (>= 0.4)  >= 0.4   "
          "outside: changed  mean")
    for k, e in edits.items():
        closer = np.array(e["distance"]) < np.array(d_neutral)
        au6, au12 = ((np.mean(e["AU6"]), np.mean(e["AU12"])) if k == FROM_SMILE
                     else (TARGETS["AU6"] * k, TARGETS["AU12"] * k))
        label = "smile" if k == FROM_SMILE else f"{k:5.2f}"
        print(f"{label:5s}  {au6:4.2f}  {au12:4.2f}  "
              f"{np.mean(e['distance']):.4f}    {closer.mean():6.1%} ({closer.sum()}/{n})   "
              f"{np.mean(e['smile']):.3f}               {np.mean(np.array(e['smile']) >= 0.4):5.1%}"
              f"   {np.mean(e['changed']):.3%}          {np.mean(e['change']):.4f}")
    if args.lip_shape:
        print("lips rising (mean, interocular units, up positive): " + ", ".join(LIP_POINTS))
        rows = {"real": {p: np.mean([r[p] for r in real_lips]) for p in LIP_POINTS}}
        rows.update({("smile" if k == FROM_SMILE else f"{k:5.2f}"):
                     {p: np.mean(e[p]) for p in LIP_POINTS} for k, e in edits.items()})
        for label, row in rows.items():
            print(f"{label:5s}  " + "  ".join(f"{row[p]:+.4f}" for p in LIP_POINTS))
    if args.ceiling:
        print("ceiling: the other people's mean real smile, moving the lips as far as each row's "
              "edits (mean point motion, interocular units)")
        for k, e in edits.items():
            if k != FROM_SMILE:
                size = float(np.mean(e["lip motion"]))
                closer = ceiling(np.array(real_shift), size)
                print(f"{k:5.2f}  motion {size:.4f}  closer {closer.mean():6.1%} "
                      f"({closer.sum()}/{n})")


def _targets(scale: float | str, sized: dict[str, float]) -> dict[str, float]:
    """The edit's AU targets: `scale` x the preset, or (FROM_SMILE) AU6 and AU12 as sized to
    the person's smile."""
    if scale != FROM_SMILE:
        return {k: v * float(scale) for k, v in TARGETS.items()}
    return {k: sized[k] for k in ("AU6L", "AU6R", "AU12L", "AU12R")}


def _edit(tracker: FaceTracker, synth: GeometricSynthesizer, prepared: GeometricFace,
          neutral: np.ndarray, face_n: TrackedFace, face_s: TrackedFace,
          targets: dict[str, float]) -> dict[str, float] | None:
    """One edit to `targets`, re-tracked: its mouth distance to the real smile, mouthSmile
    and the change outside the edited regions (None where the face is lost)."""
    edited = synth.render(prepared, targets)
    found = tracker.track(edited, 0.0)
    if not found:
        return None
    _, shift = synth.displacement(prepared, targets)
    lms = face_n.landmarks[:468, :2]
    outside = untouched_region(neutral.shape, lms[np.linalg.norm(shift, axis=1) >= 0.5],
                               0.1 * prepared.face_px)
    diff = np.abs(edited.astype(np.int16) - neutral).max(axis=2)[outside]
    moved = (aligned_lips(found[0].landmarks, face_s.landmarks)
             - aligned_lips(face_n.landmarks, face_s.landmarks))
    return {**lip_motion(found[0].landmarks, face_n.landmarks, face_s.landmarks),
            "distance": mouth_distance(found[0].landmarks, face_s.landmarks),
            "lip motion": float(np.linalg.norm(moved, axis=1).mean()),
            "smile": float(found[0].blendshapes[SMILE].mean()),
            "changed": float((diff > 0).mean()), "change": float(diff.mean())}


if __name__ == "__main__":
    main()
