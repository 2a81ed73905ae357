"""Live Link Face CSV: the take format of Epic's iPhone app, as Unreal's importer reads it.

63 columns: `Timecode`, `BlendShapeCount` (always 61), ARKit's 52 blendshapes in PascalCase in
the app's order (which is not MediaPipe's: JawForward, JawRight, JawLeft, ...), then HeadYaw,
HeadPitch, HeadRoll and the two eyes' Yaw, Pitch, Roll.

* Timecode `HH:MM:SS:FF.fff`: FF is the frame within the second at the chosen rate (30 or 60),
  `.fff` the sub-frame fraction in thousandths; AUEdit writes frames on the rate's grid, so
  it is `.000`. Time = HH*3600 + MM*60 + SS + FF.fff / fps (from the track's time stamps, so
  a video's first frame is 00:00:00:00.000).
* Resampling: the track's frames are resampled onto that grid (every 1/fps s from the first
  to the last frame) by linear interpolation over time (or nearest frame); gaps where the face
  was lost are interpolated across.
* Blendshapes: `retarget.frame_arkit` (AU-driven names from the AUs, the rest from measured
  blendshapes), 0..1.
* Head rotation in radians (assumption: the app's CSVs hold small values such as 0.05 for a
  slight turn, which fit radians, not degrees), with AUEdit's signs: yaw about the vertical
  axis, pitch about the horizontal axis, roll about the viewing axis, OpenFace convention.
  The eye rotations are 0: AUEdit does not estimate gaze angles.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from auedit.export.errors import ExportError
from auedit.export.retarget import frame_arkit
from auedit.export.track import ExpressionTrack

#: ARKit's 52 blendshapes in the order of Live Link Face's CSV columns (camelCase).
LIVELINK_ARKIT_ORDER: tuple[str, ...] = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
    "eyeSquintLeft", "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight",
    "eyeLookOutRight", "eyeLookUpRight", "eyeSquintRight", "eyeWideRight",
    "jawForward", "jawRight", "jawLeft", "jawOpen", "mouthClose", "mouthFunnel", "mouthPucker",
    "mouthRight", "mouthLeft", "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft",
    "mouthFrownRight", "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft",
    "mouthStretchRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower",
    "mouthShrugUpper", "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft",
    "mouthLowerDownRight", "mouthUpperUpLeft", "mouthUpperUpRight", "browDownLeft",
    "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight", "cheekPuff",
    "cheekSquintLeft", "cheekSquintRight", "noseSneerLeft", "noseSneerRight", "tongueOut",
)

ROTATION_COLUMNS: tuple[str, ...] = (
    "HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
    "RightEyeYaw", "RightEyePitch", "RightEyeRoll",
)


def pascal(name: str) -> str:
    """`eyeBlinkLeft` -> `EyeBlinkLeft`."""
    return name[0].upper() + name[1:]


#: The app's 61 value columns, and the full 63-column header.
BLENDSHAPE_COLUMNS: tuple[str, ...] = (*(pascal(n) for n in LIVELINK_ARKIT_ORDER),
                                       *ROTATION_COLUMNS)
HEADER: tuple[str, ...] = ("Timecode", "BlendShapeCount", *BLENDSHAPE_COLUMNS)
BLENDSHAPE_COUNT = len(BLENDSHAPE_COLUMNS)  # 61
RATES = (30, 60)


def timecode(frame: int, fps: int, subframe: float = 0.0) -> str:
    """Absolute frame number at `fps` -> `HH:MM:SS:FF.fff`."""
    secs, ff = divmod(int(frame), fps)
    mins, ss = divmod(secs, 60)
    hh, mm = divmod(mins, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}.{round(subframe * 1000) % 1000:03d}"


def parse_timecode(tc: str, fps: float) -> float:
    """`HH:MM:SS:FF[.fff]` -> seconds."""
    try:
        hh, mm, ss, ff = tc.strip().split(":")
        return int(hh) * 3600 + int(mm) * 60 + int(ss) + float(ff) / fps
    except ValueError:
        raise ValueError(f"not a Live Link Face timecode: {tc!r}") from None


def resample(times: np.ndarray, values: np.ndarray, fps: int,
             method: str = "linear") -> tuple[np.ndarray, np.ndarray]:
    """(grid frame numbers, values on the grid) for samples `values` (F, C) at `times` (F,).

    The grid is every whole frame k/fps from the first to the last time stamp (the nearest
    frame when they fall between two grid points)."""
    order = np.argsort(times, kind="stable")
    t, v = times[order], values[order]
    eps = 1e-6
    k0, k1 = math.ceil(t[0] * fps - eps), math.floor(t[-1] * fps + eps)
    if k1 < k0:
        k0 = k1 = round(t[0] * fps)
    frames = np.arange(k0, k1 + 1)
    grid = frames / fps
    if method == "nearest":
        idx = np.clip(np.searchsorted(t, grid), 1, max(len(t) - 1, 1))
        if len(t) == 1:
            return frames, np.repeat(v[:1], len(grid), axis=0)
        left = idx - 1
        pick = np.where(np.abs(grid - t[left]) <= np.abs(t[idx] - grid), left, idx)
        return frames, v[pick]
    if method != "linear":
        raise ValueError(f"unknown interpolation {method!r} (linear or nearest)")
    out = np.column_stack([np.interp(grid, t, v[:, c]) for c in range(v.shape[1])])
    return frames, out.reshape(len(grid), v.shape[1])


#: A take is refused where resampling would write more than this many rows per frame of
#: the track (beyond a minute's worth): a frame a second at 60 fps passes.
MAX_ROWS_PER_FRAME = 60


class LiveLinkExporter:
    """`--format livelink`: a Live Link Face take CSV at 30 or 60 fps."""

    name = "livelink"
    suffix = ".csv"

    def __init__(self, fps: int = 60, interpolation: str = "linear") -> None:
        if fps not in RATES:
            raise ExportError(f"Live Link Face CSVs are 30 or 60 fps, not {fps}")
        if interpolation not in ("linear", "nearest"):
            raise ExportError(f"interpolation must be linear or nearest, not {interpolation!r}")
        self.fps = int(fps)
        self.interpolation = interpolation

    def rows(self, track: ExpressionTrack) -> tuple[np.ndarray, np.ndarray]:
        """(frame numbers at `fps`, (N, 61) values in `BLENDSHAPE_COLUMNS` order)."""
        if not track.frames:
            raise ExportError("the track has no frames with a face: nothing to export")
        self._check_times(track.times)
        samples = []
        for f in track.frames:
            w = frame_arkit(f)
            head = [math.radians(f.pose.yaw), math.radians(f.pose.pitch),
                    math.radians(f.pose.roll)]
            samples.append([w[n] for n in LIVELINK_ARKIT_ORDER] + head + [0.0] * 6)
        frames, values = resample(track.times, np.asarray(samples, dtype=np.float64), self.fps,
                                  self.interpolation)
        values[:, :len(LIVELINK_ARKIT_ORDER)] = np.clip(values[:, :len(LIVELINK_ARKIT_ORDER)],
                                                        0.0, 1.0)
        return frames, values

    def _check_times(self, times: np.ndarray) -> None:
        """ExportError for time stamps a timecoded take cannot hold: negative ones, and a
        span that resamples to far more rows than the track has frames (one wrong time stamp,
        1e9 s, asked for 447 GiB; 36,000 s wrote 2 million rows for 72 frames)."""
        t = np.sort(times)
        if t[0] < 0:
            raise ExportError(f"a time stamp is negative ({t[0]:g} s): Live Link Face "
                              "timecodes count from 0")
        rows = (t[-1] - t[0]) * self.fps + 1
        if rows > max(MAX_ROWS_PER_FRAME * len(t), 60 * self.fps):
            gap = int(np.argmax(np.diff(t))) if len(t) > 1 else 0
            raise ExportError(
                f"the track's {len(t)} frames span {t[-1] - t[0]:g} s, {rows:.3g} rows at "
                f"{self.fps} fps, more than {MAX_ROWS_PER_FRAME} per frame it has (the "
                f"largest gap: {t[gap + 1] - t[gap]:g} s after {t[gap]:g} s): a time stamp "
                "is likely wrong")

    def write(self, track: ExpressionTrack, path: str | os.PathLike[str]) -> None:
        frames, values = self.rows(track)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            for k, row in zip(frames, values, strict=True):
                w.writerow([timecode(int(k), self.fps), BLENDSHAPE_COUNT,
                            *(f"{x:.8f}" for x in row)])


def read_livelink_csv(path: str | os.PathLike[str], fps: float = 60.0) -> dict[str, np.ndarray]:
    """A Live Link Face CSV by column name: `Timecode` (str), `time` (seconds at `fps`),
    `BlendShapeCount` and every value column as float arrays. Columns are matched by name,
    so the order in the file does not matter."""
    p = Path(path)
    with p.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        try:
            names = [c.strip() for c in next(reader)]
        except StopIteration:
            raise ValueError(f"{p} is empty") from None
        if "Timecode" not in names:
            raise ValueError(f"{p} is not a Live Link Face CSV: no Timecode column")
        rows = [r for r in reader if r]
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        cells = [r[j] for r in rows]
        if name == "Timecode":
            out[name] = np.array(cells, dtype=object)
            out["time"] = np.array([parse_timecode(c, fps) for c in cells])
        else:
            out[name] = np.array([float(c) for c in cells], dtype=np.float64)
    return out
