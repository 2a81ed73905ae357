"""The MediaPipe AU detector: ARKit blendshapes and mesh geometry -> FACS AU intensities (0-5).

Most AUs come from the ARKit blendshape that expresses them (`auedit.core.aus`), mapped
linearly from a resting level `lo` (reads 0) to a strong level `hi` (reads 5). `lo` is the
blendshape's typical value on neutral faces and `hi` about its 99th percentile on the
expressive clips in `../shared/data/video`: see docs/detectors.md for the table.

Some AUs are not observable in the blendshapes of the shipped model (its `cheekSquint*`
outputs stay at zero on real faces, and ARKit has no "lips part"). Those are read
from the 478-point mesh after similarity alignment to MediaPipe's canonical face (which removes
head pose and face size), as displacements from the canonical face's resting geometry:

- AU6 cheek raiser: rise of the infraorbital cheek (landmarks 117/118/101, 346/347/330)
  relative to the outer eye corner; 0.4 cm reads 5.
- AU25 lips part: the gap between the inner lips (13-14); 1.0 cm reads 5.
- AU27 mouth stretch: the part of `jawOpen` above 0.55 (a jaw pulled far down).

AU9 (nose wrinkler) comes from `noseSneer*` alone, which this model rarely raises: a rise of the
nose wings was tried as a geometric measure and dropped, because broad smiles lift them too.
AU23 (lip tightener) has no ARKit counterpart and is not reported by this detector.

Where a blendshape and a geometric measure both observe an AU, the larger is reported.
Left and right are the subject's; a bilateral AU's value is the larger of its two sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auedit.core.aus import ACTION_UNITS, ARKIT_BLENDSHAPES, MAX_INTENSITY
from auedit.core.types import AUReading, TrackedFace
from auedit.face.align import align_to_canonical
from auedit.face.canonical import CanonicalFace

#: (lo, hi) blendshape levels per AU: lo reads 0, hi reads 5.
BLENDSHAPE_RANGES: dict[str, tuple[float, float]] = {
    "AU1": (0.05, 0.95), "AU2": (0.05, 0.95), "AU4": (0.05, 0.70), "AU5": (0.02, 0.50),
    "AU6": (0.00, 0.60), "AU7": (0.30, 0.80), "AU9": (0.00, 0.60), "AU10": (0.02, 0.80),
    "AU12": (0.03, 0.90), "AU14": (0.02, 0.50), "AU15": (0.00, 0.30), "AU16": (0.02, 0.45),
    "AU17": (0.12, 0.60), "AU18": (0.05, 0.95), "AU20": (0.01, 0.30), "AU22": (0.01, 0.40),
    "AU24": (0.06, 0.40), "AU26": (0.02, 0.60), "AU28": (0.02, 0.60), "AU34": (0.00, 0.50),
    "AU43": (0.15, 0.70), "AU45": (0.15, 0.70), "AU30L": (0.00, 0.30), "AU30R": (0.00, 0.30),
}

_JAW_OPEN_STRETCH = (0.55, 0.90)  # AU27 from jawOpen


def blendshape_level(au: str, value: float) -> float:
    """A blendshape's value on `au`'s range (`BLENDSHAPE_RANGES`) as a level in [0, 1]."""
    lo, hi = BLENDSHAPE_RANGES[au]
    return float(np.clip((value - lo) / (hi - lo), 0.0, 1.0))


@dataclass(frozen=True)
class _Lift:
    """Rise (cm, canonical frame) of `points` relative to `reference` beyond the rest pose."""

    points: tuple[int, ...]
    reference: tuple[int, ...]
    full_scale: float  # cm of rise that reads 5


# (AU, side) -> geometric measure; side "" for a bilateral AU.
_LIFTS: dict[tuple[str, str], _Lift] = {
    ("AU6", "L"): _Lift((346, 347, 330), (263,), 0.40),
    ("AU6", "R"): _Lift((117, 118, 101), (33,), 0.40),
}
_UPPER_LIP, _LOWER_LIP, _LIP_GAP_FULL = 13, 14, 1.0  # inner lip points, cm of gap that reads 5


def _lift(aligned: np.ndarray, lift: _Lift) -> float:
    """Mean rise; image axes have y down, so a rise is a decrease of y."""
    return float(aligned[list(lift.reference), 1].mean() - aligned[list(lift.points), 1].mean())


class MediaPipeAUDetector:
    """AU intensities from MediaPipe's blendshapes and face mesh; see the module docstring."""

    name = "mediapipe"

    def __init__(self, canonical: CanonicalFace) -> None:
        self._canonical = canonical
        self._rest = canonical.vertices * np.array([1.0, -1.0, -1.0])
        index = {n: i for i, n in enumerate(ARKIT_BLENDSHAPES)}
        rows: list[tuple[str, str, list[int]]] = []  # (au key, side, blendshape indices)
        for au in ACTION_UNITS:
            if au.key not in BLENDSHAPE_RANGES or not au.arkit:
                continue
            if au.sided:
                rows.append((au.key, "L", [index[au.arkit[0]]]))
                rows.append((au.key, "R", [index[au.arkit[1]]]))
            else:
                rows.append((au.key, "", [index[n] for n in au.arkit]))
        self._rows = rows
        self._mix = np.zeros((len(rows), len(ARKIT_BLENDSHAPES)), dtype=np.float64)
        for r, (_, _, cols) in enumerate(rows):
            self._mix[r, cols] = 1.0 / len(cols)
        lo_hi = np.array([BLENDSHAPE_RANGES[k] for k, _, _ in rows])
        self._lo, self._span = lo_hi[:, 0], lo_hi[:, 1] - lo_hi[:, 0]
        self._rest_lifts = {k: _lift(self._rest, v) for k, v in _LIFTS.items()}
        self._rest_gap = float(self._rest[_LOWER_LIP, 1] - self._rest[_UPPER_LIP, 1])
        sided = {au.key for au in ACTION_UNITS if au.sided}
        keys = {k for k, _, _ in rows} | {"AU6", "AU25", "AU27"}
        ordered = [au.key for au in ACTION_UNITS if au.key in keys]
        self.keys: tuple[str, ...] = tuple(ordered) + tuple(
            f"{k}{s}" for k in ordered if k in sided for s in ("L", "R")
        )

    def detect(self, frame: np.ndarray, face: TrackedFace) -> AUReading:
        del frame  # everything comes from the tracker's outputs
        scale = MAX_INTENSITY
        from_bs = np.clip((self._mix @ face.blendshapes - self._lo) / self._span, 0.0, 1.0)
        values: dict[str, float] = {}
        for (key, side, _), v in zip(self._rows, from_bs * scale, strict=True):
            values[key + side] = float(v)
        aligned = align_to_canonical(face.landmarks, self._canonical)
        for (key, side), lift in _LIFTS.items():
            rise = _lift(aligned, lift) - self._rest_lifts[(key, side)]
            geo = float(np.clip(rise / lift.full_scale, 0.0, 1.0)) * scale
            values[key + side] = max(values.get(key + side, 0.0), geo)
        gap = float(aligned[_LOWER_LIP, 1] - aligned[_UPPER_LIP, 1]) - self._rest_gap
        values["AU25"] = float(np.clip(gap / _LIP_GAP_FULL, 0.0, 1.0)) * scale
        jaw = face.blendshapes[ARKIT_BLENDSHAPES.index("jawOpen")]
        lo, hi = _JAW_OPEN_STRETCH
        values["AU27"] = float(np.clip((jaw - lo) / (hi - lo), 0.0, 1.0)) * scale
        for au in ACTION_UNITS:
            if au.sided and au.key + "L" in values:
                values[au.key] = max(values[au.key + "L"], values[au.key + "R"])
        return AUReading(self.name, {k: values[k] for k in self.keys}, reading_confidence(face))


def reading_confidence(face: TrackedFace) -> float:
    """How far the reading can be trusted, in [0, 1]: the blendshape model is trained on
    faces of a fair size seen from the front, so confidence falls for faces under 40 px between
    the outer eye corners and for heads turned beyond 30 degrees (to 0 at 70)."""
    size = min(1.0, face.interocular / 40.0)
    turn = max(abs(face.pose.yaw), abs(face.pose.pitch))
    pose = float(np.clip(1.0 - (turn - 30.0) / 40.0, 0.0, 1.0))
    return round(size * pose * face.confidence, 3)
