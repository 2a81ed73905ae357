"""The "genet" detectors: AU intensities from GE-Net fitting (`auedit.fit.genet`).

`genet` uses the paper's ResNet-50-layout extractor (30 iterations per photo), `genet-light`
the light extractor made for live video; in video both start each frame from the track's last
fit and take a few iterations. AU parameter p in [0, 1] reads 5 p on the FACS scale, as the
rig fit's. Confidence falls as the fit's final loss rises above what fits of the held-out
renders reach.
"""

from __future__ import annotations

import numpy as np

from auedit.core.types import AUReading, TrackedFace
from auedit.detect.rigfit import RigFitDetector, rig_reading
from auedit.fit.genet.engine import GENet, GENetFit
from auedit.rig.model import FaceRig

GOOD_LOSS = 1.5  # about the loss left on held-out renders; confidence 0 at 3x it


class GENetDetector:
    """A `Detector` over `GENet`; `last_fit` keeps each track's latest fit for the views."""

    keys: tuple[str, ...] = RigFitDetector.keys

    def __init__(self, extractor: str = "resnet50", rig: FaceRig | None = None) -> None:
        self.name = "genet" if extractor == "resnet50" else f"genet-{extractor}"
        self.engine = GENet(extractor, rig)
        self._fits: dict[int, GENetFit] = {}

    def detect(self, frame: np.ndarray, face: TrackedFace) -> AUReading:
        result = self.engine.fit(frame, face, still=False)
        self._fits[face.track_id] = result
        loss = result.losses[-1] if result.losses else 3 * GOOD_LOSS
        confidence = float(np.clip(1.5 - 0.5 * loss / GOOD_LOSS, 0.0, 1.0))
        return rig_reading(self.name, result.params, confidence)

    def last_fit(self, track_id: int) -> GENetFit | None:
        return self._fits.get(track_id)

    def forget(self, track_id: int | None = None) -> None:
        if track_id is None:
            self._fits.clear()
        else:
            self._fits.pop(track_id, None)
        self.engine.forget(track_id)
