"""OpenFace 2 compatible CSV: written by `auedit analyze`, and read back (ours and OpenFace's).

The first columns are OpenFace 2's: `frame, face_id, timestamp, confidence, success,
pose_Tx..pose_Rz` (mm and radians, OpenFace's camera frame), `AUxx_r` (0-5 intensity) and
`AUxx_c` (presence) for every AU of the catalogue, from the first detector. Then AUEdit's own:
`source`, `pitch, yaw, roll` in degrees, the left/right AUs (`AU12L_r`, `AU12R_r`), the
detector's name, further detectors as `<detector>_AU12_r`, and MediaPipe's 51 ARKit blendshapes
(`bs_<name>`). OpenFace numbers frames from 1; so does AUEdit. A frame without a face gets one
row with `success` 0, as in OpenFace.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import numpy as np

from auedit.core.aus import ACTION_UNITS, ARKIT_BLENDSHAPES, AU_BY_KEY, SIDE_KEYS, is_present
from auedit.core.types import FrameAnalysis

OPENFACE_COLUMNS = ("frame", "face_id", "timestamp", "confidence", "success",
                    "pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz")


def _side_col(key: str) -> str:
    """`AU12L` -> `AU12L_r`, `AU2R` -> `AU02R_r`."""
    return f"{AU_BY_KEY[key[:-1]].openface}{key[-1]}_r"


def header(detectors: list[str]) -> list[str]:
    cols = list(OPENFACE_COLUMNS)
    cols += [f"{au.openface}_r" for au in ACTION_UNITS]
    cols += [f"{au.openface}_c" for au in ACTION_UNITS]
    cols += ["source", "pitch", "yaw", "roll", "detector"]
    cols += [_side_col(k) for k in SIDE_KEYS]
    for det in detectors[1:]:
        cols += [f"{det}_{au.openface}_r" for au in ACTION_UNITS]
    cols += [f"bs_{n}" for n in ARKIT_BLENDSHAPES]
    return cols


def _fmt(v: float) -> str:
    return "" if v is None or math.isnan(v) else f"{v:.4g}"  # numpy's float32 NaN too


class OpenFaceCsvWriter:
    """Streams `FrameAnalysis` rows into a CSV file (or any text stream)."""

    def __init__(self, out: str | os.PathLike[str] | TextIO, detectors: list[str]) -> None:
        if isinstance(out, str | os.PathLike):
            self._file: TextIO = open(out, "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._owns = True
        else:
            self._file, self._owns = out, False
        self.detectors = list(detectors)
        self._writer = csv.writer(self._file)
        self._writer.writerow(header(self.detectors))
        self.rows = 0

    def write(self, frame: FrameAnalysis) -> None:
        if not frame.faces:
            row = [frame.frame_index + 1, 0, f"{frame.timestamp:.3f}", 0, 0] + [0] * 6
            row += [0] * (2 * len(ACTION_UNITS)) + [frame.source, "", "", "", ""]
            width = len(header(self.detectors))
            self._writer.writerow(row + [""] * (width - len(row)))
            self.rows += 1
            return
        for fa in frame.faces:
            face, pose = fa.face, fa.face.pose
            first = fa.readings.get(self.detectors[0]) if self.detectors else None
            conf = first.confidence if first else face.confidence
            rx, ry, rz = pose.radians
            row: list[object] = [frame.frame_index + 1, face.track_id, f"{frame.timestamp:.3f}",
                                 f"{conf:.2f}", 1, _fmt(pose.tx), _fmt(pose.ty), _fmt(pose.tz),
                                 f"{rx:.4f}", f"{ry:.4f}", f"{rz:.4f}"]
            values = first.values if first else {}
            row += [_fmt(values.get(au.key, float("nan"))) for au in ACTION_UNITS]
            row += [int(is_present(values.get(au.key, 0.0))) if au.key in values else ""
                    for au in ACTION_UNITS]
            row += [frame.source, f"{pose.pitch:.2f}", f"{pose.yaw:.2f}", f"{pose.roll:.2f}",
                    self.detectors[0] if self.detectors else ""]
            row += [_fmt(values.get(k, float("nan"))) for k in SIDE_KEYS]
            for det in self.detectors[1:]:
                reading = fa.readings.get(det)
                vals = reading.values if reading else {}
                row += [_fmt(vals.get(au.key, float("nan"))) for au in ACTION_UNITS]
            row += [f"{v:.4f}" for v in face.blendshapes]
            self._writer.writerow(row)
            self.rows += 1

    def write_all(self, frames: Iterable[FrameAnalysis]) -> None:
        for f in frames:
            self.write(f)

    def close(self) -> None:
        if self._owns:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> OpenFaceCsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CsvFormatError(ValueError):
    """A CSV that is not an OpenFace / AUEdit analysis file."""


def read_csv(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Columns of an OpenFace 2 or AUEdit CSV: numeric ones as float arrays, others as str.

    OpenFace writes `, ` between cells; leading spaces in names and cells are stripped.
    """
    p = Path(path)
    with p.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, skipinitialspace=True)
        try:
            names = [c.strip() for c in next(reader)]
        except StopIteration:
            raise CsvFormatError(f"{p} is empty") from None
        missing = [c for c in ("frame", "timestamp") if c not in names]
        if missing:
            raise CsvFormatError(f"{p} is not an OpenFace/AUEdit CSV: no column "
                                 f"{', '.join(missing)}")
        rows = [r for r in reader if r]
    for row, cells in enumerate(rows, start=1):
        if len(cells) != len(names):
            raise CsvFormatError(f"{p}: row {row} has {len(cells)} cells where the header "
                                 f"names {len(names)} columns (a file cut short?)")
    cols: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        cells = [r[j].strip() for r in rows]
        try:
            values = np.array([float(c) if c else np.nan for c in cells], dtype=np.float64)
        except ValueError:
            cols[name] = np.array(cells, dtype=object)
            continue
        # an empty cell or "nan" is a value not measured; "inf" is no measure
        bad = np.flatnonzero(np.isinf(values))
        if len(bad):
            raise CsvFormatError(f"{p}: {name} in row {bad[0] + 1} is {cells[bad[0]]!r}, not "
                                 "a finite number")
        cols[name] = values
    return cols


def au_column_name(key: str) -> str:
    """The intensity column of a catalogue key: `AU12` -> `AU12_r`, `AU12L` -> `AU12L_r`."""
    return f"{AU_BY_KEY[key].openface}_r" if key in AU_BY_KEY else _side_col(key)


def au_columns(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Catalogue key -> intensity column, for the AUs present in a read CSV."""
    keys = [au.key for au in ACTION_UNITS] + list(SIDE_KEYS)
    return {k: table[au_column_name(k)] for k in keys if au_column_name(k) in table}
