"""AUEdit's JSON expression track: one document, one face, every frame.

Schema (version 1)::

    {
      "format": "auedit.expression-track",
      "version": 1,
      "fps": 30.0,               # the track's frame rate (from its time stamps)
      "source": "clip.mp4",      # the analysed image / video / CSV
      "face_id": 0,
      "detector": "mediapipe",   # the detector whose AUs these are
      "units": {...},            # documentation of the units, as below
      "frames": [
        {"index": 0,             # 0-based frame index in the source
         "time": 0.0,            # seconds
         "aus": {"AU12": 2.5, "AU12L": 2.7, ...},       # catalogue keys, 0-5, only those known
         "pose": {"pitch": 1.2, "yaw": -3.4, "roll": 0.5,   # degrees, OpenFace convention
                  "tx": 10.0, "ty": -5.0, "tz": 600.0},     # millimetres
         "arkit": {"jawOpen": 0.31, ...},   # the measured ARKit blendshapes (0-1); {} if none
         "rig": {"...": 0.0}}               # rig parameters; {} if none
      ]
    }

`arkit` holds the track's own (measured) blendshapes, so the file reads back into the same
track; ARKit weights retargeted from the AUs are what the Live Link Face export writes (and
`auedit.export.retarget.frame_arkit` computes). Readers must ignore keys they do not know;
a change that breaks them increments `version`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from auedit.core.types import HeadPose
from auedit.export.errors import ExportError
from auedit.export.track import DEFAULT_FPS, MAX_FPS, ExpressionTrack, TrackFrame, clip_ranges

FORMAT = "auedit.expression-track"
VERSION = 1
UNITS = {
    "time": "seconds", "aus": "FACS intensity 0-5", "pose.pitch/yaw/roll": "degrees",
    "pose.tx/ty/tz": "millimetres (camera frame: x right, y down, z away)",
    "arkit": "blendshape weight 0-1",
}
_POSE_KEYS = ("pitch", "yaw", "roll", "tx", "ty", "tz")


def _r(v: float, nd: int = 6) -> float:
    return round(float(v), nd)


def track_to_dict(track: ExpressionTrack) -> dict:
    return {
        "format": FORMAT, "version": VERSION, "fps": track.fps, "source": track.source,
        "face_id": track.face_id, "detector": track.detector, "units": UNITS,
        "frames": [{
            "index": f.index, "time": _r(f.time),
            "aus": {k: _r(v) for k, v in f.aus.items()},
            "pose": {k: _r(getattr(f.pose, k)) for k in _POSE_KEYS},
            "arkit": {k: _r(v) for k, v in (f.arkit or {}).items()},
            "rig": {k: _r(v) for k, v in (f.rig or {}).items()},
        } for f in track.frames],
    }


#: What export says of `auedit analyze --json` output: analysed frames, not a track.
ANALYSIS_OUTPUT = ("{where} holds {form} of `auedit analyze --json`, which export does not "
                   "read: export the photo or video itself, or the CSV that `auedit analyze "
                   "INPUT --out FILE.csv` writes")


def is_analysis_row(doc: object) -> bool:
    """Whether `doc` is one analysed frame as `auedit analyze --json` writes it."""
    return isinstance(doc, dict) and {"frame", "aus"} <= doc.keys()


def track_from_dict(doc: dict, where: str = "JSON") -> ExpressionTrack:
    """The track a JSON document holds; `ExportError` naming the first thing wrong with it
    (a missing or mistyped field, a value that is no finite number). AU intensities and
    ARKit weights beyond their ranges are clipped into them, with a note."""
    if isinstance(doc, list) and doc and is_analysis_row(doc[0]):
        raise ExportError(ANALYSIS_OUTPUT.format(where=where, form="the JSON array"))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError(f"{where} is not an AUEdit expression track (format {FORMAT!r})")
    try:
        version = int(doc.get("version", 0))
    except (TypeError, ValueError):
        raise ExportError(f"{where}: version {doc.get('version')!r} is not a number") from None
    if version > VERSION:
        raise ExportError(f"{where} is version {version}; this AUEdit reads up to {VERSION}")
    frames = doc.get("frames")
    if not isinstance(frames, list):
        raise ExportError(f"{where}: 'frames' must be a list of frames")
    track = []
    for i, fr in enumerate(frames):
        try:
            track.append(_frame(fr))
        except KeyError as exc:
            raise ExportError(f"{where}: frame {i} is malformed (no {exc})") from None
        except (TypeError, ValueError) as exc:
            raise ExportError(f"{where}: frame {i} is malformed ({exc})") from None
    try:
        fps = DEFAULT_FPS if doc.get("fps") is None else _number(doc["fps"], "fps")
        face_id = _count(doc.get("face_id") or 0, "face_id")
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{where}: {exc}") from None
    if not 0.0 < fps <= MAX_FPS:
        raise ExportError(f"{where}: fps {fps:g} is not a frame rate (above 0, at most "
                          f"{MAX_FPS:g})")
    return ExpressionTrack(track, fps=fps, source=str(doc.get("source") or ""),
                           face_id=face_id, detector=str(doc.get("detector") or ""),
                           notes=clip_ranges(track))


def _frame(fr: object) -> TrackFrame:
    """One frame of the document (`track_from_dict`)."""
    if not isinstance(fr, dict):
        raise TypeError(f"a frame is {type(fr).__name__}, not an object")
    pose = _object(fr, "pose")
    return TrackFrame(
        index=_count(fr["index"], "index"), time=_number(fr["time"], "time"),
        aus={k: _number(v, f"aus.{k}") for k, v in _object(fr, "aus").items()},
        pose=HeadPose(*(_number(pose.get(k, 0.0), f"pose.{k}") for k in _POSE_KEYS)),
        arkit={k: _number(v, f"arkit.{k}") for k, v in _object(fr, "arkit").items()} or None,
        rig={k: _number(v, f"rig.{k}") for k, v in _object(fr, "rig").items()} or None)


def _object(frame: dict, key: str) -> dict:
    """A frame's `key` object; {} where it is absent or null."""
    value = frame.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{key!r} is {type(value).__name__}, not an object")
    return value


def _number(value: object, what: str) -> float:
    """`value` as a finite float; ValueError or TypeError naming `what` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{what} is {value!r}, not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{what} is {value!r}, not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} is {value!r}, not a finite number")
    return number


def _count(value: object, what: str) -> int:
    """`value` as a whole number, 0 or more (a frame's index, a face id)."""
    number = _number(value, what)
    if number < 0 or number != int(number):
        raise ValueError(f"{what} is {value!r}, not a whole number, 0 or more")
    return int(number)


def read_json(path: str | os.PathLike[str]) -> ExpressionTrack:
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{p} is not JSON: {exc}") from None
    return track_from_dict(doc, str(p))


class JsonExporter:
    """`--format json`: the documented per-frame JSON (schema above)."""

    name = "json"
    suffix = ".json"

    def write(self, track: ExpressionTrack, path: str | os.PathLike[str]) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(track_to_dict(track), f, indent=1, allow_nan=False)
            f.write("\n")
