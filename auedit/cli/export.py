"""`auedit export`: an analysis CSV (or an image / video, analysed on the way) to another format.

Formats: `openface` (OpenFace 2 CSV), `livelink` (Live Link Face take CSV, 30/60 fps), `json`
(AUEdit's expression track), `gltf` (binary glTF with animated AU morph targets; needs a rig
mesh provider). The output's suffix must be the format's (.csv, .json, .glb). A CSV of several
analysed files exports one of them (`--source`, default the first). See docs/export.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from auedit.analysis.tracks import DEFAULT_MAX_FACES, load_track, use_rig_mesh
from auedit.cli.argtypes import detector_list, non_negative_int, positive_int
from auedit.core.messages import error_text
from auedit.export.base import EXPORTERS, Exporter, check_suffix, create_exporter
from auedit.export.track import ExpressionTrack
from auedit.media.outputs import check_outputs, replacing


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="convert an analysis CSV (or an image / video) to another format",
        description="Export one face's expression track as OpenFace 2 CSV, Live Link Face CSV, "
                    "JSON or glTF (.glb). INPUT is a CSV from `auedit analyze` or OpenFace 2, "
                    "an AUEdit JSON track, or an image / video, which is analysed first.")
    p.add_argument("input", metavar="INPUT", help="CSV, JSON track, image or video")
    p.add_argument("--format", "-f", required=True, choices=tuple(EXPORTERS), help="output format")
    p.add_argument("--out", "-o", required=True, metavar="PATH",
                   help="file to write ('-': standard output)")
    p.add_argument("--fps", type=int, default=60, choices=(30, 60),
                   help="Live Link Face frame rate (default 60)")
    p.add_argument("--face-id", type=int, default=None, metavar="N",
                   help="the face to export (default: the first face seen)")
    p.add_argument("--source", metavar="NAME", default=None,
                   help="for a CSV of several analysed files: the one to export, by path or "
                        "file name (default: the first)")
    p.add_argument("--detectors", type=detector_list, default=None,
                   help="for image/video input: comma-separated detectors (default: the "
                        "analyser's default)")
    p.add_argument("--max-frames", type=non_negative_int, default=0,
                   help="for video input: stop after this many frames (0: no limit)")
    p.add_argument("--max-faces", type=positive_int, default=DEFAULT_MAX_FACES,
                   help="for image/video input: most faces per frame (default "
                        f"{DEFAULT_MAX_FACES}, as auedit analyze)")
    p.add_argument("--face-model", metavar="TASK", help="for image/video input: a "
                                                        "face_landmarker.task to use")
    p.set_defaults(run=run)


def _write_to_stdout(exporter: Exporter, track: ExpressionTrack) -> None:
    """The export on standard output (through a temporary file: the exporters write files)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{exporter.suffix}"
        exporter.write(track, path)
        sys.stdout.flush()
        sys.stdout.buffer.write(path.read_bytes())
        sys.stdout.flush()


def _ignored_options(args: argparse.Namespace) -> list[str]:
    """A note naming the analysis options given with a CSV or JSON track, which is read as
    it is (they apply to image and video input)."""
    if Path(args.input).suffix.lower() not in (".csv", ".json"):
        return []
    given = [flag for flag, value, default in (
        ("--detectors", args.detectors, None), ("--max-frames", args.max_frames, 0),
        ("--max-faces", args.max_faces, DEFAULT_MAX_FACES), ("--face-model", args.face_model,
                                                             None)) if value != default]
    if not given:
        return []
    return [f"{', '.join(given)} apply to image and video input; {Path(args.input).name} is "
            "read as it is"]


def run(args: argparse.Namespace) -> int:
    from auedit.face.model_file import FaceModelError
    from auedit.media.sources import MediaError

    to_stdout = args.out == "-"
    try:
        exporter = create_exporter(args.format, fps=args.fps)
        if not to_stdout:
            check_outputs([args.out], [args.input, args.face_model])
            check_suffix(exporter, args.out)
        track = load_track(Path(args.input), face_id=args.face_id, source=args.source,
                           detectors=args.detectors, max_frames=args.max_frames,
                           max_faces=args.max_faces, face_model=args.face_model)
        for note in [*_ignored_options(args), *track.notes]:
            print(f"auedit: note: {note}", file=sys.stderr)
        if args.format == "gltf":
            use_rig_mesh()
        if to_stdout:
            try:
                _write_to_stdout(exporter, track)
            except BrokenPipeError:  # `... -o - | head`: the reader has gone, stop quietly
                sys.stdout = None  # type: ignore[assignment]  # no flush on a closed pipe
                return 0
        else:
            with replacing(args.out) as tmp:  # an existing file stays whole if writing fails
                exporter.write(track, tmp)
    except (FaceModelError, MediaError, ValueError, OSError) as exc:
        if getattr(args, "verbose", False):
            raise
        print(f"auedit: error: {error_text(exc)}", file=sys.stderr)
        return 2
    print(f"auedit: {len(track)} frame(s) of face {track.face_id} from {track.source or args.input}"
          f" -> {'standard output' if to_stdout else args.out} ({args.format})",
          file=sys.stderr)
    return 0
