"""`auedit analyze`: code images, videos, folders or a camera to an OpenFace-style CSV."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from auedit.analysis.frames import analysed_frames
from auedit.analysis.tracks import DEFAULT_MAX_FACES
from auedit.cli.argtypes import detector_list, non_negative_int, positive_int
from auedit.cli.inputs import expand, open_input, warn
from auedit.core.types import FrameAnalysis
from auedit.media.outputs import (
    PendingFile,
    check_outputs,
    check_suffix,
    describe_os_error,
)
from auedit.media.sources import CameraSource, ImageSource, MediaError, Source

if TYPE_CHECKING:
    from auedit.analysis.analyzer import Analyzer
    from auedit.export.openface_csv import OpenFaceCsvWriter


def add_parser(sub: argparse._SubParsersAction) -> None:
    from auedit.detect import registry

    p = sub.add_parser(
        "analyze", help="code images, videos, folders or a camera to CSV",
        description="Track faces and estimate Action Unit intensities (0-5 FACS scale). "
                    "Writes OpenFace 2 compatible CSV (plus AUEdit's own columns).")
    p.add_argument("inputs", nargs="*", metavar="PATH",
                   help="image, video, folder, or a camera index such as 0")
    p.add_argument("--demo", action="store_true",
                   help="analyse the built-in demo photo (no input needed)")
    p.add_argument("--out", "-o", metavar="CSV",
                   help="CSV file to write (default: standard output)")
    p.add_argument("--detectors", type=detector_list,
                   default=",".join(registry.DEFAULT_DETECTORS),
                   help=f"comma-separated detectors (available: {', '.join(registry.available())})")
    p.add_argument("--json", action="store_true",
                   help="write JSON lines (one object per face and frame) instead of CSV; "
                        "into a .json --out, one JSON array of them")
    p.add_argument("--max-faces", type=positive_int, default=DEFAULT_MAX_FACES,
                   help="most faces per frame (default 4)")
    p.add_argument("--auto-baseline", action="store_true",
                   help="subtract a running per-person neutral baseline (as OpenFace does)")
    p.add_argument("--smooth", action="store_true", help="temporal smoothing (One Euro filter)")
    p.add_argument("--max-frames", type=non_negative_int, default=0,
                   help="stop each video or camera after this many frames (0: no limit)")
    p.add_argument("--face-model", metavar="TASK", help="a face_landmarker.task to use")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def _json_rows(frame: FrameAnalysis) -> Iterator[dict]:
    for fa in frame.faces:
        p = fa.face.pose
        yield {
            "source": frame.source, "frame": frame.frame_index + 1,
            "timestamp": round(frame.timestamp, 3), "face_id": fa.face.track_id,
            "box": [round(v, 1) for v in fa.face.box],
            "pose": {"pitch": round(p.pitch, 2), "yaw": round(p.yaw, 2), "roll": round(p.roll, 2),
                     "tx": round(p.tx, 1), "ty": round(p.ty, 1), "tz": round(p.tz, 1)},
            "aus": {name: {k: round(v, 3) for k, v in r.values.items()}
                    for name, r in fa.readings.items()},
        }


class _RowWriter:
    """CSV or JSON lines of analysed frames into a stream opened on the first frame, so that a
    run where no input gives a frame writes nothing at all (not even a header). With `array`
    the JSON rows are one JSON array (a `.json` file: JSON lines there were a file that
    `json.load` refused)."""

    def __init__(self, open_stream: Callable[[], TextIO], detectors: list[str],
                 as_json: bool, array: bool = False) -> None:
        self._open, self._detectors, self._json = open_stream, detectors, as_json
        self._array = as_json and array
        self._stream: TextIO | None = None
        self._csv: OpenFaceCsvWriter | None = None
        self._rows = 0

    def write(self, frame: FrameAnalysis) -> None:
        from auedit.export.openface_csv import OpenFaceCsvWriter

        if self._stream is None:
            self._stream = self._open()
            if not self._json:
                self._csv = OpenFaceCsvWriter(self._stream, self._detectors)
        if self._csv is not None:
            self._csv.write(frame)
            return
        if not frame.faces:
            self._row({"source": frame.source, "frame": frame.frame_index + 1,
                       "timestamp": round(frame.timestamp, 3), "faces": 0})
        for row in _json_rows(frame):
            self._row(row)

    def _row(self, row: dict) -> None:
        assert self._stream is not None
        if self._array:
            self._stream.write(("[\n" if not self._rows else ",\n") + json.dumps(row))
        else:
            self._stream.write(json.dumps(row) + "\n")
        self._rows += 1

    def close(self) -> None:
        try:
            if self._csv is not None:
                self._csv.close()
            elif self._stream is not None:
                if self._array:
                    self._stream.write("\n]\n" if self._rows else "[]\n")
                self._stream.flush()
        except BrokenPipeError:  # the reader of standard output has gone
            pass


def _inputs(args: argparse.Namespace) -> list[str]:
    """The expanded inputs (with the demo photo for --demo); MediaError for none."""
    inputs = list(args.inputs)
    if args.demo:
        from auedit.resources import ROOT

        inputs.append(str(ROOT / "demo" / "astronaut.jpg"))
    if not inputs:
        raise MediaError("no input: give images, videos, folders or a camera index, or --demo")
    return expand(inputs)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from auedit.analysis.analyzer import AnalysisOptions, Analyzer
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker

    detectors = args.detectors
    items = _inputs(args)
    if args.out == "-":  # the usual name of standard output
        args.out = None
    if args.out:
        check_outputs([args.out], [*items, args.face_model])
        check_suffix(args.out, SUFFIXES[args.json],
                     "JSON lines (--json) files" if args.json else "CSV files")
    options = AnalysisOptions(smoothing=args.smooth, auto_baseline=args.auto_baseline)
    trackers: dict[Mode, FaceTracker] = {}

    def analyzer_for(source: Source) -> Analyzer:
        mode = Mode.IMAGE if isinstance(source, ImageSource) else Mode.VIDEO
        if mode not in trackers:
            trackers[mode] = FaceTracker(mode, max_faces=args.max_faces,
                                         model_path=args.face_model)
        an = Analyzer.create(detectors, tracker=trackers[mode], options=options)
        an.reset()
        return an

    pending = PendingFile(args.out) if args.out else None
    rows = _RowWriter(pending.open if pending else lambda: sys.stdout, detectors, args.json,
                      array=bool(args.out) and Path(args.out).suffix.lower() == ".json")
    failed: list[str] = []
    faces = frames = 0
    show = (not args.no_progress and sys.stderr.isatty()) or (args.out and not args.no_progress)
    complete = False  # an error half-way (a full disk, say) leaves an existing --out as it was
    interrupted = False
    try:
        for item in tqdm(items, desc="inputs", unit="file", disable=not show or len(items) < 2):
            try:
                source = open_input(item)
                try:
                    analyzer = analyzer_for(source)
                except BaseException:
                    source.close()
                    raise
                total = None if isinstance(source, CameraSource) else source.frame_count
                if total and args.max_frames:
                    total = min(total, args.max_frames)
                bar = tqdm(analysed_frames(source, analyzer, args.max_frames, warn=warn),
                           total=total,
                           desc=Path(source.name).name,
                           unit="frame", leave=False, disable=not show or (total or 0) <= 1)
                capped = False
                for fr in bar:
                    if len(fr.faces) >= args.max_faces and not capped:
                        capped = True  # said once per input
                        print(f"auedit: note: {len(fr.faces)} faces in {source.name}, the most "
                              "--max-faces allows: there may be more (raise --max-faces)",
                              file=sys.stderr)
                    try:
                        rows.write(fr)
                    except BrokenPipeError:
                        raise
                    except OSError as exc:  # writing --out failed (a full disk, say)
                        if pending is None:
                            raise
                        raise describe_os_error(args.out, exc) from exc
                    frames += 1  # counted once written: an interrupt may fall between
                    faces += len(fr.faces)
            except MediaError as exc:
                failed.append(str(exc))
                print(f"auedit: skipped: {exc}", file=sys.stderr)
        complete = True
    except KeyboardInterrupt:
        complete = interrupted = True
        print("auedit: interrupted; " + ("what was analysed so far is written" if frames
                                          else "nothing was analysed"), file=sys.stderr)
    except BrokenPipeError:  # `auedit analyze ... | head`: the reader has gone, stop quietly
        sys.stdout = None  # type: ignore[assignment]  # no flush on a closed pipe at exit
        return 0
    finally:
        try:
            rows.close()
        except OSError as exc:
            complete = False
            if pending is None:
                raise
            raise describe_os_error(args.out, exc) from exc
        finally:
            written = pending.finish(keep=complete and frames > 0) if pending else False
            for t in trackers.values():
                t.close()
    if written:
        none = " (no face found: every row has success 0)" if faces == 0 else ""
        print(f"auedit: {frames} frame(s), {faces} face(s) from {len(items) - len(failed)} "
              f"input(s) -> {args.out}{none}", file=sys.stderr)
    elif args.out:
        print(f"auedit: nothing analysed: {args.out} is not written", file=sys.stderr)
    if interrupted:  # what was analysed is written, but a script must not take it for all
        return 130
    if failed and len(failed) == len(items):
        return 1
    return 0


#: What `--out` ends in: CSV, or with --json JSON lines (.jsonl) or one JSON array (.json).
SUFFIXES = {False: (".csv",), True: (".jsonl", ".json")}



