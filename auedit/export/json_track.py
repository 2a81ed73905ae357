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
import os
from pathlib import Path

from auedit.core.types import HeadPose
from auedit.export.errors import ExportError
from auedit.export.track import ExpressionTrack, TrackFrame

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


def track_from_dict(doc: dict, where: str = "JSON") -> ExpressionTrack:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError(f"{where} is not an AUEdit expression track (format {FORMAT!r})")
    if int(doc.get("version", 0)) > VERSION:
        raise ExportError(f"{where} is version {doc['version']}; this AUEdit reads up to "
                          f"{VERSION}")
    try:
        frames = [TrackFrame(
            index=int(fr["index"]), time=float(fr["time"]),
            aus={k: float(v) for k, v in fr.get("aus", {}).items()},
            pose=HeadPose(*(float(fr.get("pose", {}).get(k, 0.0)) for k in _POSE_KEYS)),
            arkit={k: float(v) for k, v in fr.get("arkit", {}).items()} or None,
            rig={k: float(v) for k, v in fr.get("rig", {}).items()} or None,
        ) for fr in doc["frames"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportError(f"{where}: malformed frame ({exc})") from None
    return ExpressionTrack(frames, fps=float(doc.get("fps", 30.0)),
                           source=str(doc.get("source", "")), face_id=int(doc.get("face_id", 0)),
                           detector=str(doc.get("detector", "")))


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
            json.dump(track_to_dict(track), f, indent=1)
            f.write("\n")
