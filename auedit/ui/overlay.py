"""Overlay geometry: head pose axes projected from pose angles (pure numpy, no Qt)."""

from __future__ import annotations

import numpy as np

from auedit.core.types import HeadPose, TrackedFace

NOSE_TIP = 1


def rotation(pose: HeadPose) -> np.ndarray:
    """R = Rx Ry Rz from the pose angles (OpenFace convention: x right, y down, z away)."""
    rx, ry, rz = pose.radians
    cx, sx, cy, sy, cz, sz = np.cos(rx), np.sin(rx), np.cos(ry), np.sin(ry), np.cos(rz), np.sin(rz)
    mx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    my = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    mz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return mx @ my @ mz


def pose_axes(face: TrackedFace, scale: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Origin (nose tip, pixels) and the image end points of the head's x, y, z axes (3, 2).

    The axes are projected orthographically; their length is `scale` times the distance
    between the outer eye corners. The z axis points out of the face, towards the camera.
    """
    origin = face.landmarks[NOSE_TIP, :2].astype(np.float64)
    length = max(face.interocular, 10.0) * scale
    r = rotation(face.pose)
    axes = r.T.copy()  # rows: the head's x, y, z axes in camera coordinates
    axes[2] *= -1.0  # draw the face's forward direction
    return origin, origin + axes[:, :2] * length
