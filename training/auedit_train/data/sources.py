"""Real photos and videos for the data engine's real-face kinds (`edits`, `faces`): reading
the sources' frames and shrinking large photos before an aligning warp."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from auedit.media.sources import MediaError, VideoSource, expand_inputs, media_kind, read_image
from auedit_train.data.store import DataError


def expand_sources(sources: list[str]) -> list[str]:
    """The files of `--source` (folders become their images and videos, sorted); a missing
    path or an empty folder is the user's error."""
    try:
        return expand_inputs(sources)
    except MediaError as exc:
        raise DataError(str(exc)) from None


def check_every(every: int) -> None:
    if every < 1:
        raise DataError("--every must be at least 1")


def read_frames(paths: list[str], every: int) -> Iterator[tuple[str, int, np.ndarray]]:
    """(name, index of its file in `paths`, RGB) of every photo and of every `every`-th frame
    of every video; names are `path` or `path@frame`. Unreadable files are skipped with a
    message, so that one corrupt file does not stop a long run."""
    for index, path in enumerate(paths):
        try:
            if media_kind(Path(path)) == "video":
                video = VideoSource(path)
                try:
                    for frame in video:
                        if frame.index % every == 0:
                            yield f"{path}@{frame.index}", index, frame.rgb
                finally:
                    video.close()
            else:
                yield path, index, read_image(path)
        except MediaError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
