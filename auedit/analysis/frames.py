"""The analysed frames of a source, with a warning where a video ends well short of its
reported length or a camera stops delivering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from auedit.media.sources import CameraSource, MediaError, Source

if TYPE_CHECKING:
    from auedit.analysis.analyzer import Analyzer
    from auedit.core.types import FrameAnalysis

#: fewer decoded frames than this share of the reported count: the file is likely truncated
COMPLETE_SHARE = 0.9


def analysed_frames(source: Source, analyzer: Analyzer, max_frames: int = 0, *,
                    warn: Callable[[str], None]) -> Iterator[FrameAnalysis]:
    """Each frame of `source` analysed (at most `max_frames`, 0: all); the source is closed at
    the end. A video that ends well short of its reported frame count is passed to `warn`; a
    camera that stops after some frames ends the source with a warning (the frames are kept)."""
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
                warn(f"camera {source.index} stopped delivering frames after {n} frames")
                return
            yield analyzer.analyze(frame.rgb, frame.timestamp, frame.index, source.name)
            n += 1
    finally:
        source.close()
    expected = min(source.frame_count, max_frames) if max_frames else source.frame_count
    if not isinstance(source, CameraSource) and n < COMPLETE_SHARE * expected:
        warn(f"{source.name} ended after {n} of {source.frame_count} frames "
             "(truncated or corrupt?)")
