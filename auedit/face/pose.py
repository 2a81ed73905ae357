"""Head pose from MediaPipe's facial transformation matrix.

MediaPipe gives the canonical face's pose in an OpenGL-style camera frame (x right, y up,
z towards the viewer, centimetres). AUEdit reports pose as OpenFace 2 does: camera frame with
x right, y down, z forward, millimetres, and Euler angles with R = Rx(pitch) Ry(yaw) Rz(roll).
A frontal face looking into the camera has pitch = yaw = roll = 0.
"""

from __future__ import annotations

import numpy as np

from auedit.core.types import HeadPose

_FLIP = np.diag([1.0, -1.0, -1.0])  # OpenGL camera frame <-> OpenFace camera frame


def euler_xyz(rotation: np.ndarray) -> tuple[float, float, float]:
    """(rx, ry, rz) in radians with rotation = Rx(rx) @ Ry(ry) @ Rz(rz)."""
    r = rotation
    ry = float(np.arcsin(np.clip(r[0, 2], -1.0, 1.0)))
    rx = float(np.arctan2(-r[1, 2], r[2, 2]))
    rz = float(np.arctan2(-r[0, 1], r[0, 0]))
    return rx, ry, rz


def rotation_xyz(rx: float, ry: float, rz: float) -> np.ndarray:
    """Rx(rx) @ Ry(ry) @ Rz(rz), the inverse of `euler_xyz`."""
    cx, sx, cy, sy, cz, sz = np.cos(rx), np.sin(rx), np.cos(ry), np.sin(ry), np.cos(rz), np.sin(rz)
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rot_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rot_x @ rot_y @ rot_z


def pose_from_transform(transform: np.ndarray) -> HeadPose:
    """HeadPose (OpenFace convention) from a 4x4 MediaPipe facial transformation matrix."""
    m = np.asarray(transform, dtype=np.float64)
    rot = m[:3, :3]
    scale = np.cbrt(max(np.linalg.det(rot), 1e-12))
    rot = _FLIP @ (rot / scale) @ _FLIP
    t = _FLIP @ m[:3, 3] * 10.0  # cm -> mm
    rx, ry, rz = np.rad2deg(euler_xyz(rot))
    return HeadPose(pitch=float(rx), yaw=float(ry), roll=float(rz),
                    tx=float(t[0]), ty=float(t[1]), tz=float(t[2]))
