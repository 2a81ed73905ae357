"""The detector protocol: a frame and a tracked face in, AU intensities with a confidence out.

Detectors plug in through `auedit.detect.registry`; the analysis pipeline, the CLI and the
app's histogram know them only through this protocol.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from auedit.core.types import AUReading, TrackedFace


@runtime_checkable
class Detector(Protocol):
    """Estimates AU intensities (0-5) for one tracked face in one RGB frame."""

    #: Short unique name: the CLI's `--detectors` value and the histogram's legend.
    name: str
    #: The catalogue keys this detector reports (bilateral AUs and `L`/`R` sides).
    keys: tuple[str, ...]

    def detect(self, frame: np.ndarray, face: TrackedFace) -> AUReading:
        """AU intensities for `face` in `frame` (H x W x 3 RGB uint8)."""
        ...
