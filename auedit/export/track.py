"""`ExpressionTrack`: the one face's expression over time that every exporter consumes.

A track is a list of `TrackFrame`s (time stamp in seconds, frame index, AU intensities 0-5 by
catalogue key including `AU12L` / `AU12R`, head pose, optional ARKit blendshape weights 0-1 and
optional rig parameters) plus the frame rate and the source's name. It is built from an
`auedit analyze` CSV or an OpenFace 2 CSV (`from_csv`), from the analyser's `FrameAnalysis`
objects (`from_frames`) or from AUEdit's JSON export (`from_json`).

A track comes from one source: a CSV of several sources (`auedit analyze clip.mp4 a.jpg`) gives
the first source's track, or the one named by `from_csv(source=...)`, and says so in `notes`.

Frames in which the face was not seen are left out: a track may have gaps in time, which the
exporters that resample (Live Link Face) interpolate across.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from auedit.core.aus import ALL_KEYS, ARKIT_BLENDSHAPES, MAX_INTENSITY
from auedit.core.types import FrameAnalysis, HeadPose
from auedit.export.openface_csv import CsvFormatError, au_column_name, au_columns, read_csv

#: ARKit's 52 blendshapes: MediaPipe's 51 plus tongueOut (which MediaPipe does not estimate).
ARKIT_52: tuple[str, ...] = (*ARKIT_BLENDSHAPES, "tongueOut")

ZERO_POSE = HeadPose(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

#: Frame rate assumed for a track whose time stamps do not tell one (a single photo).
DEFAULT_FPS = 30.0

#: Standard video frame rates an estimate within `SNAP_TOLERANCE` (relative) is snapped to.
STANDARD_FPS: tuple[float, ...] = (23.976, 24.0, 25.0, 29.97, 30.0, 50.0, 59.94, 60.0)
SNAP_TOLERANCE = 0.01
#: The fastest frame rate a track may claim (high-speed cameras film at up to about 1,000).
MAX_FPS = 1000.0

#: How many other sources a note names before it says "and N more".
_NAMED_SOURCES = 5


@dataclass
class TrackFrame:
    """One frame of one face."""

    index: int  # 0-based frame index in the source
    time: float  # seconds
    aus: dict[str, float] = field(default_factory=dict)  # catalogue key -> 0..5
    pose: HeadPose = ZERO_POSE  # degrees and millimetres, OpenFace's camera frame
    arkit: dict[str, float] | None = None  # measured ARKit blendshapes (51 or 52) -> 0..1
    rig: dict[str, float] | None = None  # named rig parameters


@dataclass
class ExpressionTrack:
    """One face's expression over time."""

    frames: list[TrackFrame]
    fps: float = DEFAULT_FPS
    source: str = ""
    face_id: int = 0
    detector: str = ""
    notes: list[str] = field(default_factory=list)  # what reading left out (other sources)

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def times(self) -> np.ndarray:
        return np.array([f.time for f in self.frames], dtype=np.float64)

    @property
    def duration(self) -> float:
        return float(self.frames[-1].time - self.frames[0].time) if self.frames else 0.0

    # ---------------------------------------------------------------- constructors

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], face_id: int | None = None,
                 source: str | None = None) -> ExpressionTrack:
        """A track from an `auedit analyze` CSV or an OpenFace 2 CSV.

        `source` picks the rows of one analysed file (by its path or file name) in a CSV of
        several; by default the first source with a tracked face, the others named in `notes`.
        `face_id` picks one face; by default the first face seen. Rows with `success` 0 (no
        face) are skipped. Raises `CsvFormatError` (a ValueError) for files that are not such
        CSVs, hold no frame of the face, or have no (or an ambiguous) `source`.
        """
        p = Path(path)
        try:
            table = read_csv(p)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise CsvFormatError(f"{p} is not an OpenFace/AUEdit CSV: {exc}") from None
        except IsADirectoryError:
            raise CsvFormatError(f"{p} is a folder, not a CSV") from None
        aus = au_columns(table)
        _check_numeric(p, table, ["frame", "timestamp", "face_id", "success",
                                  *(au_column_name(k) for k in aus)])
        n = len(table["frame"])
        ok = np.ones(n, dtype=bool)
        if "success" in table and table["success"].dtype != object:
            ok &= np.nan_to_num(table["success"]) > 0
        ids = table.get("face_id")
        ids = np.nan_to_num(ids).astype(int) if ids is not None else None
        labels = _source_labels(table.get("source"))
        notes: list[str] = []
        if labels is not None:
            tracked = ok if ids is None or face_id is None else ok & (ids == face_id)
            chosen, note = _pick_source(p, labels, tracked, source)
            ok &= labels == chosen
            notes += [note] if note else []
        seen = ids[ok] if ids is not None else np.zeros(0, int)
        if ids is not None:
            if face_id is None and len(seen):
                face_id = int(seen[0])
            if face_id is not None:
                ok &= ids == face_id
        if not ok.any():
            which = f" for face {face_id}" if face_id is not None else ""
            present = f" (faces present: {id_ranges(set(seen.tolist()))})" if len(seen) else ""
            raise CsvFormatError(f"{p} has no tracked face rows{which}{present}")
        for name in ("frame", "timestamp"):  # a row's place in time must be known
            unknown = np.flatnonzero(ok & np.isnan(table[name]))
            if len(unknown):
                raise CsvFormatError(f"{p}: {name} in row {unknown[0] + 1} is not a number")
        frame = table["frame"]
        odd = np.flatnonzero(ok & ((frame < 1) | (frame != np.round(frame))))
        if len(odd):  # -3 became index -4 and skewed the frame rate (OpenFace counts from 1)
            raise CsvFormatError(f"{p}: frame in row {odd[0] + 1} is {frame[odd[0]]:g}, not a "
                                 "frame number (a whole number, 1 or more)")
        bs = {n_: table[f"bs_{n_}"] for n_ in ARKIT_52 if f"bs_{n_}" in table
              and table[f"bs_{n_}"].dtype != object}

        def col(name: str) -> np.ndarray | None:
            c = table.get(name)
            return c if c is not None and c.dtype != object else None

        angles = [col("pitch"), col("yaw"), col("roll")]
        rads = [col("pose_Rx"), col("pose_Ry"), col("pose_Rz")]
        trans = [col("pose_Tx"), col("pose_Ty"), col("pose_Tz")]

        def num(c: np.ndarray | None, i: int) -> float:
            return float(c[i]) if c is not None and not math.isnan(c[i]) else math.nan

        frames = []
        for i in np.flatnonzero(ok):
            ang = []
            for a, r in zip(angles, rads, strict=True):
                v = num(a, i)
                if math.isnan(v):
                    v = math.degrees(num(r, i))
                ang.append(0.0 if math.isnan(v) else v)
            t = [0.0 if math.isnan(num(c, i)) else num(c, i) for c in trans]
            values = {k: float(c[i]) for k, c in aus.items() if not math.isnan(c[i])}
            arkit = {k: float(c[i]) for k, c in bs.items() if not math.isnan(c[i])} or None
            frames.append(TrackFrame(
                index=int(table["frame"][i]) - 1, time=float(table["timestamp"][i]),
                aus=values, pose=HeadPose(*ang, *t), arkit=arkit))
        notes += clip_ranges(frames)
        # a column empty in every row is an AU its detector does not read (AU23 from
        # MediaPipe); one empty only in some rows lost values
        empty = [au_column_name(k) for k, c in aus.items()
                 if np.isnan(c[ok]).any() and not np.isnan(c[ok]).all()]
        if empty:
            notes.append(f"{_name_list(empty)} empty or not a number in some tracked rows: "
                         "there the ARKit weights they drive come from the CSV's blendshape "
                         "columns, or are 0 without them")
        passes = _one_pass(frames)
        if passes > 1:
            notes.append(f"the rows go back in time {passes - 1} time(s) (a replay or a jump "
                         "back while recording); their passes follow one another")
        det = table.get("detector")
        detector = str(det[ok][0]) if det is not None and det.dtype == object else "openface"
        return cls(frames, fps=estimate_fps([f.time for f in frames],
                                            [f.index for f in frames]),
                   source=str(labels[ok][0]) if labels is not None else str(p),
                   face_id=int(face_id or 0), detector=detector, notes=notes)

    @classmethod
    def from_frames(cls, frames: Iterable[FrameAnalysis], detector: str | None = None,
                    face_id: int | None = None, fps: float | None = None) -> ExpressionTrack:
        """A track of one face (default: the first seen) from the analyser's output.

        `detector` names the reading that gives the AUs (default: the face's first reading).
        """
        out: list[TrackFrame] = []
        source = ""
        for fr in frames:
            source = source or fr.source
            for fa in fr.faces:
                if face_id is None:
                    face_id = fa.face.track_id
                if fa.face.track_id != face_id:
                    continue
                if detector is None and fa.readings:
                    detector = next(iter(fa.readings))
                reading = fa.readings.get(detector) if detector else None
                values = {k: float(v) for k, v in (reading.values if reading else {}).items()
                          if k in ALL_KEYS and not math.isnan(v)}
                bs = np.asarray(fa.face.blendshapes, dtype=np.float64).ravel()
                names = ARKIT_52 if len(bs) == len(ARKIT_52) else ARKIT_BLENDSHAPES
                arkit = ({n: float(v) for n, v in zip(names, bs, strict=False)
                          if not math.isnan(v)} or None) if len(bs) else None
                out.append(TrackFrame(fr.frame_index, float(fr.timestamp), values,
                                      fa.face.pose, arkit))
                break
        fps = fps or estimate_fps([f.time for f in out], [f.index for f in out])
        return cls(out, fps=fps, source=source, face_id=int(face_id or 0),
                   detector=detector or "")

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> ExpressionTrack:
        """A track from AUEdit's JSON export (see `auedit.export.json_track`)."""
        from auedit.export.json_track import read_json

        return read_json(path)


def clip_ranges(frames: list[TrackFrame]) -> list[str]:
    """Clip the frames' AU intensities into 0-5 and ARKit weights into 0-1 (in place), where
    a file from elsewhere holds values beyond them; a note saying how many, if any."""
    counts = {"AU intensity": 0, "ARKit weight": 0}
    for frame in frames:
        for what, values, top in (("AU intensity", frame.aus, MAX_INTENSITY),
                                  ("ARKit weight", frame.arkit or {}, 1.0)):
            for key, value in values.items():
                if not 0.0 <= value <= top:
                    values[key] = min(max(value, 0.0), top)
                    counts[what] += 1
    return [f"{n} {what}(s) outside 0-{'5' if what.startswith('AU') else '1'} clipped into "
            "that range" for what, n in counts.items() if n]


def _one_pass(frames: list[TrackFrame]) -> int:
    """Make the frames' times rise (in place) where a recording went back in time: each pass
    after a step back follows the one before by one frame's time, so exports that need time
    to rise (Live Link's timecode, glTF's keyframes) keep every row in the order it was
    recorded. Returns the number of passes."""
    times = np.array([f.time for f in frames], dtype=np.float64)
    steps = np.diff(times)
    forward = steps[steps > 0]
    step = float(np.median(forward)) if len(forward) else 1.0 / DEFAULT_FPS
    shift, passes = 0.0, 1
    for prev, frame, t in zip(frames, frames[1:], times[1:], strict=False):
        if t + shift <= prev.time:
            shift = prev.time + step - t
            passes += 1
        frame.time = t + shift
    return passes


def _check_numeric(path: Path, table: dict[str, np.ndarray], names: list[str]) -> None:
    """CsvFormatError naming the column and row of the first cell in `names` (columns that
    must hold numbers, where present) that is not a number."""
    for name in names:
        column = table.get(name)
        if column is None or column.dtype != object:
            continue
        for row, cell in enumerate(column, start=1):
            try:
                float(cell or "nan")
            except ValueError:
                raise CsvFormatError(f"{path}: {name} in row {row} is {cell!r}, not a "
                                     "number") from None


def _source_labels(column: np.ndarray | None) -> np.ndarray | None:
    """The `source` column as strings (a camera index reads as a number), or None."""
    if column is None:
        return None
    if column.dtype == object:
        return column.astype(str)
    return np.array(["" if math.isnan(v) else f"{v:g}" for v in column], dtype=object)


def _matching_sources(sources: list[str], wanted: str) -> list[str]:
    """The sources `wanted` names: the one recorded exactly so, else those with that file
    name or that path (resolved)."""
    if wanted in sources:
        return [wanted]
    target = Path(wanted).expanduser().resolve()
    return [s for s in sources
            if Path(s).name == wanted or Path(s).expanduser().resolve() == target]


def _pick_source(path: Path, labels: np.ndarray, tracked: np.ndarray,
                 wanted: str | None) -> tuple[str, str]:
    """The source whose rows make the track and a note naming the others ("" if none).

    By default the source of the first `tracked` row (else the first row's); `wanted` picks one
    by path or file name. CsvFormatError for an unknown or ambiguous `wanted`.
    """
    sources = list(dict.fromkeys(labels))
    if not sources:  # no rows at all
        return "", ""
    if wanted is not None:
        hits = _matching_sources(sources, wanted)
        if len(hits) != 1:
            problem = "has no source" if not hits else "has several sources matching"
            raise CsvFormatError(f"{path} {problem} {wanted!r} (sources: "
                                 f"{_name_list(hits or sources)})")
        return hits[0], ""
    rows = np.flatnonzero(tracked)
    chosen = str(labels[rows[0]]) if len(rows) else sources[0]
    others = [s for s in sources if s != chosen]
    if not others:
        return chosen, ""
    return chosen, (f"{path.name} holds {len(sources)} sources: exporting {chosen}, not "
                    f"{_name_list(others)}; pick one with --source NAME")


def _name_list(names: list[str]) -> str:
    """'a, b, c' naming at most `_NAMED_SOURCES`, then 'and N more'."""
    shown = ", ".join(names[:_NAMED_SOURCES])
    rest = len(names) - _NAMED_SOURCES
    return f"{shown} and {rest} more" if rest > 0 else shown


def estimate_fps(times: Iterable[float], indices: Iterable[int] | None = None) -> float:
    """Frame rate from time stamps: frames over the whole span (frames counted by `indices`
    where given, so that gaps where the face was lost do not count), snapped to the nearest
    `STANDARD_FPS` within `SNAP_TOLERANCE`; `DEFAULT_FPS` when the times do not tell."""
    t = np.asarray(list(times), dtype=np.float64)
    span = float(t.max() - t.min()) if len(t) else 0.0
    if span <= 1e-6:
        return DEFAULT_FPS
    idx = np.asarray(list(indices), dtype=np.int64) if indices is not None else None
    # frame steps along the rows: a step back in the frame numbers (a replay, whose times
    # `_one_pass` puts one frame after the pass before) counts one frame, as the times do
    steps = (int(np.maximum(np.diff(idx), 1).sum())
             if idx is not None and len(idx) == len(t) else 0)
    fps = (steps if steps > 0 else len(t) - 1) / span
    if fps > MAX_FPS:  # times that do not tell (two rows a millisecond apart)
        return DEFAULT_FPS
    nearest = min(STANDARD_FPS, key=lambda s: abs(s - fps))
    return nearest if abs(nearest - fps) <= SNAP_TOLERANCE * nearest else round(fps, 3)


def id_ranges(ids: Iterable[int]) -> str:
    """[0, 1, 2, 3, 7] -> '0-3, 7'."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
