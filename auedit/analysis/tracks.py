"""One face's expression track from what a user exports: an analysis CSV (AUEdit's or
OpenFace's), an AUEdit JSON track, or an image or video analysed on the way.

Shared by `auedit export` and the app's export dialog, so both read inputs the same way and
say the same thing when a face is missing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from auedit.core.types import FrameAnalysis
from auedit.export.json_track import ANALYSIS_OUTPUT, is_analysis_row
from auedit.export.track import ExpressionTrack, id_ranges
from auedit.media.sources import MediaError, media_kind

#: most faces per frame when an image or video is analysed for export (as `auedit analyze`)
DEFAULT_MAX_FACES = 4


def load_track(path: Path, *, face_id: int | None = None, source: str | None = None,
               detectors: Sequence[str] | None = None, max_frames: int = 0,
               max_faces: int = DEFAULT_MAX_FACES, face_model: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> ExpressionTrack:
    """The track of face `face_id` (default: the first seen) in `path`. For a CSV of several
    analysed files, `source` names the one to read; for an image or video, `detectors`,
    `max_frames`, `max_faces` and `face_model` set up the analysis, its warnings (a
    truncated video) become the track's notes, and `progress` is called after each frame
    with the frames analysed and expected (0: unknown); it may raise to stop the analysis.
    Raises MediaError or ValueError, with a message for the user."""
    if not path.exists():
        raise MediaError(f"{path} does not exist")
    if path.is_dir():
        raise MediaError(f"{path} is a folder: export takes one CSV, image or video")
    if _analysis_json_lines(path):
        raise ValueError(ANALYSIS_OUTPUT.format(where=path, form="JSON lines"))
    if path.suffix.lower() == ".json":
        return ExpressionTrack.from_json(path)
    if media_kind(path) is not None:
        return _analyze(path, face_id, detectors, max_frames, max_faces, face_model, progress)
    return ExpressionTrack.from_csv(path, face_id=face_id, source=source)


def _analysis_json_lines(path: Path) -> bool:
    """The file's first line is one analysed frame as `analyze --json` writes it, where an
    exported JSON track is one document over many lines and a CSV starts with its header."""
    try:
        with path.open("rb") as f:
            first = json.loads(f.readline(1 << 20))
    except (OSError, ValueError):
        return False
    return is_analysis_row(first)


def _analyze(path: Path, face_id: int | None, detectors: Sequence[str] | None,
             max_frames: int, max_faces: int, face_model: str | None,
             progress: Callable[[int, int], None] | None) -> ExpressionTrack:
    """Run the analysis pipeline over an image or video and take one face's track."""
    from auedit.analysis.analyzer import Analyzer
    from auedit.analysis.frames import analysed_frames
    from auedit.detect import registry
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import ImageSource, open_source

    names = list(detectors or registry.DEFAULT_DETECTORS)
    source = open_source(str(path))  # has a media suffix, so never taken for a camera index
    mode = Mode.IMAGE if isinstance(source, ImageSource) else Mode.VIDEO
    warnings: list[str] = []
    tracker = FaceTracker(mode, max_faces=max_faces, model_path=face_model)
    try:
        analyzer = Analyzer.create(names, tracker=tracker)
        analyzer.reset()
        expected = min(source.frame_count, max_frames or source.frame_count)
        frames = []
        for frame in analysed_frames(source, analyzer, max_frames, warn=warnings.append):
            frames.append(frame)
            if progress is not None:
                progress(len(frames), expected)
    finally:
        source.close()
        tracker.close()
    fps = source.fps if source.fps > 0 else None
    track = ExpressionTrack.from_frames(frames, detector=names[0], face_id=face_id, fps=fps)
    if not track.frames:
        raise ValueError(_not_found(path, face_id, frames, max_faces))
    track.notes += warnings
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
    return f"face {face_id} not found {where} (faces present: {id_ranges(ids)}{hint})"


def use_rig_mesh() -> None:
    """glTF export animates the game face: give the exporter the rig's mesh and AU morph
    targets, unless a mesh provider is registered already."""
    from auedit.export.gltf import get_mesh_provider, register_mesh_provider
    from auedit.rig.morph_targets import default_morph_targets

    if get_mesh_provider() is None:
        register_mesh_provider(default_morph_targets)
