"""AU intensities -> ARKit blendshape weights, through the catalogue's `arkit` names.

* A sided AU drives its (left, right) pair from `AUxxL` / `AUxxR`, each falling back to the
  bilateral `AUxx` when the side is missing.
* A bilateral AU drives all its names with its one value (AU24 -> mouthPressLeft and
  mouthPressRight; AU28 -> mouthRollLower and mouthRollUpper).
* weight = clip(intensity / 5, 0, 1).
* A name driven by two AUs (eyeBlinkLeft from AU43 and AU45) takes the larger weight.

Policy with measured blendshapes (`combine`): the AUs are what AUEdit edits, so a name that an
AU *present in the frame* drives comes from the AUs; every other name (the ones no AU maps to,
such as eyeLook*, jawForward, mouthClose, mouthLeft/Right, mouthShrugUpper, tongueOut, and the
ones whose AU the frame does not carry) comes from the measured blendshapes when the frame has
them, else 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from auedit.core.aus import ACTION_UNITS, MAX_INTENSITY
from auedit.export.track import ARKIT_52, TrackFrame

#: Every ARKit name some AU of the catalogue drives.
AU_DRIVEN: frozenset[str] = frozenset(n for au in ACTION_UNITS for n in au.arkit)


def _weight(v: float) -> float:
    return min(max(v / MAX_INTENSITY, 0.0), 1.0)


def arkit_from_aus(aus: Mapping[str, float]) -> dict[str, float]:
    """ARKit weights (0-1) for the names the given AUs drive; names no given AU drives are
    absent from the result."""
    out: dict[str, float] = {}

    def put(name: str, v: float | None) -> None:
        if v is None or v != v:  # missing or NaN
            return
        w = _weight(float(v))
        out[name] = max(out.get(name, 0.0), w)

    for au in ACTION_UNITS:
        if not au.arkit:
            continue
        bilateral = aus.get(au.key)
        if au.sided:
            left = aus.get(au.side_key("L"), bilateral)
            right = aus.get(au.side_key("R"), bilateral)
            put(au.arkit[0], left)
            put(au.arkit[1], right)
        else:
            for name in au.arkit:
                put(name, bilateral)
    return out


def combine(aus: Mapping[str, float], measured: Mapping[str, float] | None = None,
            names: tuple[str, ...] = ARKIT_52) -> dict[str, float]:
    """All `names` (ARKit's 52 by default): AU-driven weights first, measured blendshapes for
    the rest, 0 where neither says anything."""
    driven = arkit_from_aus(aus)
    measured = measured or {}
    out = {}
    for n in names:
        if n in driven:
            out[n] = driven[n]
        else:
            v = measured.get(n)
            out[n] = min(max(float(v), 0.0), 1.0) if v is not None and v == v else 0.0
    return out


def frame_arkit(frame: TrackFrame, names: tuple[str, ...] = ARKIT_52) -> dict[str, float]:
    """The ARKit weights an exporter writes for one track frame (see `combine`)."""
    return combine(frame.aus, frame.arkit, names)
