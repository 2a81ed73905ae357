"""Input names of the subcommands (paths or camera indices), their sources, and the analysed
frames of a source with warnings for a truncated video or a lost camera."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from auedit.media import sources
from auedit.media.sources import (
    MAX_CAMERA_INDEX,
    CameraSource,
    MediaError,
    Source,
    expand_inputs,
    open_source,
)

if TYPE_CHECKING:
    from auedit.analysis.analyzer import Analyzer
    from auedit.core.types import FrameAnalysis

#: fewer decoded frames than this share of the reported count: the file is likely truncated
COMPLETE_SHARE = 0.9


def is_camera_index(item: str) -> bool:
    """"0", "12": a camera (`auedit.media.sources.is_camera_index`); "²", "٣" or a 20-digit
    number are not: on the command line they are file names."""
    return sources.is_camera_index(item) and len(item) <= len(str(MAX_CAMERA_INDEX))


def _as_path(item: str) -> str:
    """A file name made only of digits, spelt so that `auedit.media` does not take it for a
    camera index."""
    return os.path.join(os.curdir, item) if item.isdigit() else item


def expand(inputs: list[str]) -> list[str]:
    """`expand_inputs` with camera indices limited to `is_camera_index`: other digit strings
    are paths, and must exist."""
    out: list[str] = []
    for item in inputs:
        if is_camera_index(item):
            out.append(item)
        elif item.isdigit() and not Path(item).exists():
            raise MediaError(f"{item} does not exist (and is not a camera index: cameras are "
                             f"numbered 0 to {MAX_CAMERA_INDEX})")
        else:
            out.extend(expand_inputs([_as_path(item)]))
    return out


def open_input(item: str) -> Source:
    """The source for a path or a camera index (`is_camera_index`)."""
    if is_camera_index(item):
        return CameraSource(int(item))
    return open_source(_as_path(item))


def _warn(message: str) -> None:
    print(f"auedit: warning: {message}", file=sys.stderr)


def analysed_frames(source: Source, analyzer: Analyzer,
                    max_frames: int = 0) -> Iterator[FrameAnalysis]:
    """Each frame of `source` analysed (at most `max_frames`, 0: all); the source is closed at
    the end. A video that ends well short of its reported frame count gets a warning; a camera
    that stops after some frames ends the source with a warning (the frames are kept)."""
    n = 0
    try:
        frames = iter(source)
        while not (max_frames and n >= max_frames):
            try:
                frame = next(frames)
            except StopIteration:
                break
            except MediaError:
                if not isinstance(source, CameraSource) or n == 0:
                    raise
                _warn(f"camera {source.index} stopped delivering frames after {n} frames")
                return
            yield analyzer.analyze(frame.rgb, frame.timestamp, frame.index, source.name)
            n += 1
    finally:
        source.close()
    expected = min(source.frame_count, max_frames) if max_frames else source.frame_count
    if not isinstance(source, CameraSource) and n < COMPLETE_SHARE * expected:
        _warn(f"{source.name} ended after {n} of {source.frame_count} frames "
              "(truncated or corrupt?)")
