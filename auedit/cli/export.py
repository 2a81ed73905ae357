"""`auedit export`: an analysis CSV (or an image / video, analysed on the way) to another format.

Formats: `openface` (OpenFace 2 CSV), `livelink` (Live Link Face take CSV, 30/60 fps), `json`
(AUEdit's expression track), `gltf` (binary glTF with animated AU morph targets; needs a rig
mesh provider). The output's suffix must be the format's (.csv, .json, .glb). A CSV of several
analysed files exports one of them (`--source`, default the first). See docs/export.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from auedit.cli.argtypes import DEFAULT_MAX_FACES, detector_list, non_negative_int, positive_int
from auedit.cli.outputs import check_outputs
from auedit.core.types import FrameAnalysis
from auedit.export.track import ExpressionTrack

FORMATS = ("openface", "livelink", "json", "gltf")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="convert an analysis CSV (or an image / video) to another format",
        description="Export one face's expression track as OpenFace 2 CSV, Live Link Face CSV, "
                    "JSON or glTF (.glb). INPUT is a CSV from `auedit analyze` or OpenFace 2, "
                    "an AUEdit JSON track, or an image / video, which is analysed first.")
    p.add_argument("input", metavar="INPUT", help="CSV, JSON track, image or video")
    p.add_argument("--format", "-f", required=True, choices=FORMATS, help="output format")
    p.add_argument("--out", "-o", required=True, metavar="PATH", help="file to write")
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


def _analyze(path: Path, args: argparse.Namespace) -> ExpressionTrack:
    """Run the analysis pipeline over an image or video and take one face's track."""
    from auedit.analysis.analyzer import Analyzer
    from auedit.cli.inputs import analysed_frames, open_input
    from auedit.detect import registry
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import ImageSource

    detectors = args.detectors or list(registry.DEFAULT_DETECTORS)
    source = open_input(str(path))
    mode = Mode.IMAGE if isinstance(source, ImageSource) else Mode.VIDEO
    max_faces = getattr(args, "max_faces", DEFAULT_MAX_FACES)  # the GUI's Namespace has none
    tracker = FaceTracker(mode, max_faces=max_faces, model_path=args.face_model)
    try:
        analyzer = Analyzer.create(detectors, tracker=tracker)
        analyzer.reset()
        frames = list(analysed_frames(source, analyzer, args.max_frames))
    finally:
        source.close()
        tracker.close()
    fps = source.fps if source.fps > 0 else None
    track = ExpressionTrack.from_frames(frames, detector=detectors[0], face_id=args.face_id,
                                        fps=fps)
    if not track.frames:
        raise ValueError(_not_found(path, args.face_id, frames, max_faces))
    return track


def _not_found(path: Path, face_id: int | None, frames: list[FrameAnalysis],
               max_faces: int) -> str:
    """Why an analysed image / video gave no track: the face ids that were there."""
    where = f"in {len(frames)} frame(s) of {path.name}"
    ids = sorted({fa.face.track_id for fr in frames for fa in fr.faces})
    if face_id is None or not ids:
        return f"no face found {where}; nothing to export"
    full = any(len(fr.faces) >= max_faces for fr in frames)
    hint = f"; {max_faces} per frame at most: raise --max-faces" if full else ""
    return f"face {face_id} not found {where} (faces present: {_id_ranges(ids)}{hint})"


def _id_ranges(ids: Iterable[int]) -> str:
    """[0, 1, 2, 3, 7] -> '0-3, 7'."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def load_track(path: Path, args: argparse.Namespace) -> ExpressionTrack:
    from auedit.media.sources import MediaError, media_kind

    if not path.exists():
        raise MediaError(f"{path} does not exist")
    if path.is_dir():
        raise MediaError(f"{path} is a folder: export takes one CSV, image or video")
    suffix = path.suffix.lower()
    if suffix == ".json":
        return ExpressionTrack.from_json(path)
    if media_kind(path) is not None:
        return _analyze(path, args)
    return ExpressionTrack.from_csv(path, face_id=args.face_id,
                                    source=getattr(args, "source", None))


def _ensure_rig() -> None:
    """glTF export animates the game face: use the rig's mesh and AU morph targets."""
    from auedit.export.gltf import get_mesh_provider, register_mesh_provider
    from auedit.rig.morph_targets import default_morph_targets

    if get_mesh_provider() is None:
        register_mesh_provider(default_morph_targets)


def run(args: argparse.Namespace) -> int:
    from auedit.export.base import check_suffix, create_exporter
    from auedit.face.model_file import FaceModelError
    from auedit.media.sources import MediaError

    try:
        check_outputs([args.out], [args.input, args.face_model])
        exporter = create_exporter(args.format, fps=args.fps)
        check_suffix(exporter, args.out)
        track = load_track(Path(args.input), args)
        for note in track.notes:
            print(f"auedit: note: {note}", file=sys.stderr)
        if args.format == "gltf":
            _ensure_rig()
        exporter.write(track, args.out)
    except (FaceModelError, MediaError, ValueError, OSError) as exc:
        if getattr(args, "verbose", False):
            raise
        print(f"auedit: error: {exc}", file=sys.stderr)
        return 2
    print(f"auedit: {len(track)} frame(s) of face {track.face_id} from {track.source or args.input}"
          f" -> {args.out} ({args.format})", file=sys.stderr)
    return 0
