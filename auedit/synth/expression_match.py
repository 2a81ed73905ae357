"""Another photo's expression as slider targets, sized by what MediaPipe sees on both photos.

Setting the sliders to the other photo's readings copies numbers, not the look: how far a
slider moves a face in a detector's eyes differs from face to face, and the rig fit reads real
expressions at a fraction of their size (an AU set to E by the synthesizer reads about 0.8
back, `benchmarks/rigfit_real_faces.py`). The MediaPipe AU detector is calibrated on real
faces, so the expression is matched in its readings: each AU the detector reports is raised
twice on the photo being edited (probes, at the synthesizer's preview size, as is the unedited
reading they are compared with), which traces how that detector reading responds to the slider
on this face; the slider is then set where the response reads as the other photo does. Where
the detector barely sees those two probes (its dead zone: on some faces mouthSmile stays at 0
until the corners have risen a long way), a third probe at the slider's end tells whether it
sees the AU at all. AUs the detector does not report, or whose probes it barely sees, take the
other photo's own reading (where its sliders would start: the same detector's reading, the rig
fit's for the AUs of `geometric.REGRESSOR_AUS`), and so do the AUs a synthesizer reads by its
fit rather than by the detector (its optional `own_from_fit`: the geometric one's
`REGRESSOR_AUS`, which the detector reads into some neutral faces' build).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from auedit.core.aus import MAX_INTENSITY
from auedit.core.types import TrackedFace, largest_face
from auedit.detect.mediapipe_aus import MediaPipeAUDetector
from auedit.rig.expressions import AU_PARAMETERS
from auedit.synth.base import PreparedFace, Synthesizer

#: How far the probes raise each AU (slider units): two points of the detector's response, so
#: that its dead zone near 0 and its ceiling at 5 do not skew the sizing.
PROBE_STEPS = (1.5, 3.5)
#: Below this many detector units per slider unit, a probe is not seen: own reading used.
MIN_GAIN = 0.15
#: Where the probes are not seen, one more at the slider's end (the detector's dead zone).
LAST_PROBE = MAX_INTENSITY

#: `read(image)`: the detector's AU readings (catalogue keys, 0-5) of the face in an image, or
#: None where no face is found.
Reader = Callable[[np.ndarray], Mapping[str, float] | None]


class AUReader:
    """A `Reader` through a still-image face tracker (`track(rgb, t)`, `reset()`, `canonical`)
    and the MediaPipe AU detector: the readings of the largest face of an image."""

    def __init__(self, tracker: Any) -> None:
        self.tracker = tracker
        self.detector = MediaPipeAUDetector(tracker.canonical)

    def largest_face(self, rgb: np.ndarray) -> TrackedFace | None:
        self.tracker.reset()
        faces = self.tracker.track(rgb, 0.0)
        return largest_face(faces)

    def reading(self, rgb: np.ndarray, face: TrackedFace) -> dict[str, float]:
        return self.detector.detect(rgb, face).values

    def __call__(self, rgb: np.ndarray) -> dict[str, float] | None:
        face = self.largest_face(rgb)
        return None if face is None else self.reading(rgb, face)


def matched_targets(synth: Synthesizer, prepared: PreparedFace, read: Reader,
                    other: Mapping[str, float], other_own: Mapping[str, float],
                    ) -> dict[str, float]:
    """Slider targets (rig parameter keys, 0-5) that make the prepared face's edit read as
    `other` (the detector's readings of the other photo); `other_own` is the other photo's
    own reading (`prepare(...).own`, rig parameter keys), the fallback."""
    targets = {k: float(v) for k, v in other_own.items()}
    here = read(synth.render(prepared, {}, preview=True))
    if here is None:
        return targets
    groups: dict[str, list[tuple[str, str]]] = {}
    # the AUs whose own reading is not the detector's stay the other photo's own: sized by
    # the detector, they took its reading of the other face's build (arched brows as AU1 and
    # AU2 4.4 on a neutral-looking London 042 set 030's brows to 5, a surprise)
    unsized = getattr(synth, "own_from_fit", frozenset())
    for p in AU_PARAMETERS:
        if p.facs in unsized:
            continue
        side = p.key if p.key in here else p.facs if p.facs in here else None
        if side is not None and side in other:
            groups.setdefault(p.facs, []).append((p.key, side))
    for params in groups.values():
        levels: dict[str, list[float]] = {k: [prepared.own[k]] for k, _ in params}
        readings: dict[str, list[float]] = {k: [here[r]] for k, r in params}
        probes = [{k: min(prepared.own[k] + step, MAX_INTENSITY) for k, _ in params}
                  for step in PROBE_STEPS]
        for probe in probes:
            _probe(synth, prepared, read, params, probe, levels, readings)
        last = {k: LAST_PROBE for k, _ in params}
        if last != probes[-1] and not all(_seen(levels[k], readings[k]) for k, _ in params):
            _probe(synth, prepared, read, params, last, levels, readings)
        for key, reading in params:
            sized = _invert(np.array(levels[key]), np.array(readings[key]), other[reading])
            if sized is not None:
                targets[key] = sized
    return targets


def _probe(synth: Synthesizer, prepared: PreparedFace, read: Reader,
           params: list[tuple[str, str]], probe: dict[str, float],
           levels: dict[str, list[float]], readings: dict[str, list[float]]) -> None:
    """Edit the face to `probe` and record what the detector reads for each parameter of
    `params` ((rig key, reading key) pairs) in `levels` and `readings`."""
    seen = read(synth.render(prepared, probe, preview=True))
    if seen is None:
        return
    for key, reading in params:
        levels[key].append(probe[key])
        readings[key].append(seen[reading])


def _seen(levels: list[float], readings: list[float]) -> bool:
    """Whether the detector's reading rises with the slider over the probes so far."""
    span = levels[-1] - levels[0]
    return len(levels) >= 2 and span >= 0.5 and (readings[-1] - readings[0]) / span >= MIN_GAIN


def _invert(levels: np.ndarray, readings: np.ndarray, wanted: float) -> float | None:
    """The slider level at which the piecewise-linear response (levels -> readings) reads
    `wanted`, extended beyond the probes by its end segments; None where the response rises
    less than MIN_GAIN per slider unit overall (the detector does not see this AU's edit)."""
    if not _seen(list(levels), list(readings)):
        return None
    order = np.argsort(readings, kind="stable")
    r, x = readings[order], levels[order]
    if wanted <= r[0] or wanted >= r[-1]:
        i = (0, 1) if wanted <= r[0] else (-2, -1)
        slope = (r[i[1]] - r[i[0]]) / max(x[i[1]] - x[i[0]], 1e-6)
        edge = x[i[0]] if wanted <= r[0] else x[i[1]]
        base = r[i[0]] if wanted <= r[0] else r[i[1]]
        value = edge + (wanted - base) / slope if slope >= MIN_GAIN else edge
    else:
        value = float(np.interp(wanted, r, x))
    return float(np.clip(value, 0.0, MAX_INTENSITY))
