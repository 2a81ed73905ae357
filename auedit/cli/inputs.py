"""Input names of the subcommands (paths or camera indices) and their sources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from auedit.media import sources
from auedit.media.sources import (
    MAX_CAMERA_INDEX,
    CameraSource,
    MediaError,
    Source,
    expand_inputs,
    open_source,
)


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


def warn(message: str) -> None:
    """A warning about an input, on stderr: the run goes on."""
    print(f"auedit: warning: {message}", file=sys.stderr)
