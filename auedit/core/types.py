"""Plain data types passed between the engines, the workers and the UI (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class HeadPose:
    """Head pose in the camera frame, OpenFace convention (x right, y down, z away from camera).

    Angles in degrees: pitch about x, yaw about y, roll about z, composed as R = Rx Ry Rz.
    Translation in millimetres from the camera centre to the head's origin.
    """

    pitch: float
    yaw: float
    roll: float
    tx: float
    ty: float
    tz: float

    @property
    def radians(self) -> tuple[float, float, float]:
        """(Rx, Ry, Rz) in radians, as OpenFace's `pose_R*` columns hold them."""
        return tuple(float(np.deg2rad(a)) for a in (self.pitch, self.yaw, self.roll))


@dataclass
class TrackedFace:
    """One face in one frame, as the face tracker sees it.

    `landmarks` are MediaPipe's 478 points in pixels (x, y) plus depth z in the same pixel
    scale; `blendshapes` are the 51 ARKit coefficients in `ARKIT_BLENDSHAPES` order.
    """

    track_id: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
    landmarks: np.ndarray  # (478, 3) float32
    blendshapes: np.ndarray  # (51,) float32
    pose: HeadPose
    transform: np.ndarray  # (4, 4) MediaPipe facial transformation matrix (cm, OpenGL frame)
    confidence: float = 1.0

    @property
    def interocular(self) -> float:
        """Distance between the outer eye corners in pixels: the face's scale."""
        return float(np.linalg.norm(self.landmarks[33, :2] - self.landmarks[263, :2]))


def largest_face(faces: Sequence[TrackedFace]) -> TrackedFace | None:
    """The face of a photo that one face is wanted of (an expression, an identity): the
    largest, by its eyes' distance; None for none."""
    return max(faces, key=lambda f: f.interocular) if faces else None


@dataclass
class AUReading:
    """AU intensities (0-5 FACS scale) from one detector for one face.

    `values` maps catalogue keys (`AU12`, and `AU12L`/`AU12R` for sides) to intensities; a
    detector reports only the AUs it can observe. `confidence` is in [0, 1].
    """

    detector: str
    values: dict[str, float]
    confidence: float = 1.0

    def get(self, key: str, default: float = float("nan")) -> float:
        return self.values.get(key, default)


@dataclass
class FaceAnalysis:
    """Everything known about one face in one frame: tracking plus each detector's reading."""

    face: TrackedFace
    readings: dict[str, AUReading] = field(default_factory=dict)


@dataclass
class FrameAnalysis:
    """The analysis of one frame: its index, time stamp (seconds) and faces."""

    frame_index: int
    timestamp: float
    faces: list[FaceAnalysis] = field(default_factory=list)
    width: int = 0
    height: int = 0
    source: str = ""
