"""How far the editor's AU fields move a face against how far real faces move at the same AU.

The sliders' letters are the MediaPipe AU detector's scale (`auedit.detect.mediapipe_aus`,
whose E is about the 99th percentile of its blendshapes on the expressive clips). This checks
the geometric synthesizer's fields against real motion on that scale, with no AU labels
beyond the detector's reading:

- each real motion (a London person's neutral photo to their smiling one; a clip's frame
  from its rest frame) is aligned on points an expression hardly moves (eye corners, nose
  bridge and tip) and decomposed, by non-negative least squares, into the fields the editor
  moves that face's landmarks by (`GeometricSynthesizer.displacement`, each rig AU from the
  face's own reading to E, per unit of E, in interocular distances). A coefficient of 1 is
  the motion of that AU's slider at E;
- per AU, the coefficient is regressed on the detector's rise (its reading less the rest's,
  over 5) through the origin: `k` is the real motion at the detector's E in slider-E motions
  (1: the slider's letter moves the face as far as a real face that reads that letter; over 1:
  the slider moves it less). `corr` says whether the decomposition follows the detector at
  all; `k` means little where it is low or where the detector never reads the AU.

A clip's rest frame is its frame of least total reading with the head near frontal; only
frames whose head pitch and yaw stay within `--max-pose` degrees of it are used. Its last line:
`k: AU<n>=<k> ...` for the AUs with corr >= 0.5.

    python benchmarks/edit_calibration.py [--sections london,clips] [--max-pose 8]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
from _shared import london_pairs, shared_data
from scipy.optimize import nnls

from auedit.core.aus import MAX_INTENSITY
from auedit.core.types import TrackedFace
from auedit.detect.mediapipe_aus import MediaPipeAUDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.media.sources import VideoSource
from auedit.rig.alignment import similarity
from auedit.rig.expressions import AU_PARAMETERS
from auedit.rig.topology import N_LANDMARKS
from auedit.synth.geometric import GeometricFace, GeometricSynthesizer

#: eye corners (outer, inner, both eyes), nose bridge and nose tip (as `smile_edit.py`)
STABLE = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1]
#: AUs left out of the decomposition: the detector does not read them on this scale (AU22,
#: AU27, AU34, cheeks puffed, jaw sideways) or reads them from another cue (AU28's lip roll).
LEFT_OUT = frozenset(("AU22", "AU27", "AU28", "AU30L", "AU30R", "AU34"))
KEYS = [p.key for p in AU_PARAMETERS if p.facs not in LEFT_OUT]
FACS = {p.key: p.facs for p in AU_PARAMETERS}
#: a rise counts towards `k` from this much of the detector's range; an AU whose rise stays
#: under twice this in 95% of the motions is one the detector hardly reads there
MIN_RISE = 0.05


def fields(synth: GeometricSynthesizer, prepared: GeometricFace) -> np.ndarray:
    """(468 * 2, len(KEYS)): each rig AU's landmark motion in the edit from the face's own
    reading to E, per unit of E, in interocular distances."""
    columns = []
    for key in KEYS:
        _, shift = synth.displacement(prepared, {key: MAX_INTENSITY})
        span = max((MAX_INTENSITY - prepared.own[key]) / MAX_INTENSITY, 0.2)
        columns.append(shift.ravel() / span)
    return np.array(columns).T / prepared.face.interocular


def motion(face: TrackedFace, rest: TrackedFace) -> np.ndarray:
    """`face`'s landmarks less `rest`'s, aligned on STABLE, in `rest`'s interocular units."""
    a = face.landmarks[:N_LANDMARKS, :2].astype(np.float64)
    b = rest.landmarks[:N_LANDMARKS, :2].astype(np.float64)
    m = similarity(a[STABLE], b[STABLE])
    return ((a @ m[:, :2].T + m[:, 2] - b) / rest.interocular).ravel()


def london(tracker: FaceTracker, synth: GeometricSynthesizer, detector: MediaPipeAUDetector,
           ) -> Iterator[tuple[np.ndarray, dict[str, float]]]:
    """Per London person: the smile's coefficients and the detector's rises."""
    for _, neutral, smiling, face, smile in london_pairs(tracker):
        c, _ = nnls(fields(synth, synth.prepare(neutral, face)), motion(smile, face))
        rest = detector.detect(neutral, face).values
        yield c, {k: v - rest[k] for k, v in detector.detect(smiling, smile).values.items()}


def clips(tracker_for: type[FaceTracker], synth: GeometricSynthesizer, max_pose: float,
          ) -> Iterator[tuple[np.ndarray, dict[str, float]]]:
    """Per usable frame of the expressive clips: coefficients and the detector's rises."""
    folder = shared_data() / "video"
    for path in sorted(folder.glob("expressive_d*.mp4")):
        tracker = tracker_for(Mode.VIDEO, max_faces=1)
        detector = MediaPipeAUDetector(tracker.canonical)
        source = VideoSource(path)
        frames, rest, least = [], None, np.inf
        for frame in source:
            found = tracker.track(frame.rgb, frame.timestamp)
            if not found:
                continue
            face = found[0]
            values = detector.detect(frame.rgb, face).values
            frames.append((face, values))
            pose = abs(face.pose.pitch) + abs(face.pose.yaw)
            if pose < max_pose and sum(values.values()) < least:
                least, rest = sum(values.values()), (frame.rgb.copy(), face, values)
        source.close()
        tracker.close()
        if rest is None:
            print(f"{path.name}: no near-frontal frame, skipped")
            continue
        image, rest_face, rest_values = rest
        basis = fields(synth, synth.prepare(image, rest_face))
        used = 0
        for face, values in frames:
            turn = max(abs(face.pose.pitch - rest_face.pose.pitch),
                       abs(face.pose.yaw - rest_face.pose.yaw))
            if turn < max_pose:
                used += 1
                c, _ = nnls(basis, motion(face, rest_face))
                yield c, {k: v - rest_values[k] for k, v in values.items()}
        print(f"{path.name}: {used} of {len(frames)} tracked frames")


def report(name: str, samples: list[tuple[np.ndarray, dict[str, float]]]) -> dict[str, float]:
    """Print `k` and `corr` per AU the detector reads; return k for those with corr >= 0.5."""
    coefficients = np.array([c for c, _ in samples])
    print(f"{name}: {len(samples)} motions")
    print(f"  {'AU':6}{'k':>7}{'corr':>7}{'rise p95':>10}{'coef p95':>10}")
    by_au: dict[str, list[int]] = defaultdict(list)
    for j, key in enumerate(KEYS):
        by_au[FACS[key]].append(j)
    good = {}
    for au, columns in by_au.items():
        read = samples[0][1]
        if not all(KEYS[j] in read or au in read for j in columns):
            continue  # the detector does not report it (AU23)
        # each side against its own reading; a bilateral AU against the larger side's
        pairs = [(coefficients[:, j], np.array([r.get(KEYS[j], r.get(au)) for _, r in samples])
                  / MAX_INTENSITY) for j in columns]
        c = np.concatenate([p[0] for p in pairs])
        r = np.concatenate([p[1] for p in pairs])
        rising = r > MIN_RISE
        if np.percentile(r, 95) < 2 * MIN_RISE or np.std(c) == 0:
            print(f"  {au:6}{'':>7}{'':>7}{np.percentile(r, 95):10.2f}{np.percentile(c, 95):10.2f}"
                  "  (the detector hardly reads it here)")
            continue
        k = float((c[rising] * r[rising]).sum() / (r[rising] ** 2).sum())
        corr = float(np.corrcoef(c, r)[0, 1])
        print(f"  {au:6}{k:7.2f}{corr:7.2f}{np.percentile(r, 95):10.2f}"
              f"{np.percentile(c, 95):10.2f}")
        if corr >= 0.5:
            good[au] = k
    return good


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default="london,clips")
    ap.add_argument("--max-pose", type=float, default=8.0,
                    help="degrees of pitch and yaw a clip's frame may turn from its rest frame")
    args = ap.parse_args()
    sections = set(args.sections.split(","))
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    synth = GeometricSynthesizer(tracker.canonical)
    detector = MediaPipeAUDetector(tracker.canonical)
    good: dict[str, float] = {}
    if "london" in sections:
        good |= {f"{au}(london)": k for au, k in
                 report("London, neutral to smiling", list(london(tracker, synth, detector)))
                 .items()}
    tracker.close()
    if "clips" in sections:
        good |= {f"{au}(clips)": k for au, k in
                 report("expressive clips, rest frame to each frame",
                        list(clips(FaceTracker, synth, args.max_pose))).items()}
    print("k: " + " ".join(f"{au}={k:.2f}" for au, k in good.items()))


if __name__ == "__main__":
    main()
