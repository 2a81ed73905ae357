"""Euler angles and head pose from MediaPipe's transformation matrix."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.core.types import HeadPose
from auedit.face.pose import euler_xyz, pose_from_transform, rotation_xyz

FLIP = np.diag([1.0, -1.0, -1.0])


@pytest.mark.parametrize(
    "angles",
    [(0.0, 0.0, 0.0), (0.3, -0.2, 0.1), (-1.0, 1.2, -2.5), (1.4, -1.4, 3.0), (0.0, 0.5, 0.0)],
)
def test_euler_round_trip(angles):
    rot = rotation_xyz(*angles)
    np.testing.assert_allclose(rot @ rot.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rot) == pytest.approx(1.0)
    np.testing.assert_allclose(euler_xyz(rot), angles, atol=1e-9)


def test_euler_round_trip_random():
    rng = np.random.default_rng(3)
    for _ in range(200):
        a = (rng.uniform(-np.pi, np.pi), rng.uniform(-1.5, 1.5), rng.uniform(-np.pi, np.pi))
        np.testing.assert_allclose(euler_xyz(rotation_xyz(*a)), a, atol=1e-9)


def test_rotation_order_is_x_y_z():
    rx, ry, rz = 0.2, 0.3, 0.4
    c, s = np.cos, np.sin
    x = np.array([[1, 0, 0], [0, c(rx), -s(rx)], [0, s(rx), c(rx)]])
    y = np.array([[c(ry), 0, s(ry)], [0, 1, 0], [-s(ry), 0, c(ry)]])
    z = np.array([[c(rz), -s(rz), 0], [s(rz), c(rz), 0], [0, 0, 1]])
    np.testing.assert_allclose(rotation_xyz(rx, ry, rz), x @ y @ z)


def test_pose_from_identity_is_zero():
    pose = pose_from_transform(np.eye(4))
    assert isinstance(pose, HeadPose)
    for v in (pose.pitch, pose.yaw, pose.roll, pose.tx, pose.ty, pose.tz):
        assert v == pytest.approx(0.0, abs=1e-9)


def test_pose_from_known_rotation():
    pitch, yaw, roll = 10.0, -25.0, 5.0
    r_openface = rotation_xyz(*np.deg2rad([pitch, yaw, roll]))
    m = np.eye(4)
    m[:3, :3] = 1.7 * (FLIP @ r_openface @ FLIP)  # MediaPipe's frame, with a scale
    m[:3, 3] = [1.0, 2.0, -50.0]  # cm, OpenGL frame: 50 cm in front of the camera
    pose = pose_from_transform(m)
    assert pose.pitch == pytest.approx(pitch, abs=1e-6)
    assert pose.yaw == pytest.approx(yaw, abs=1e-6)
    assert pose.roll == pytest.approx(roll, abs=1e-6)
    # mm, OpenFace frame: x right, y down, z away from the camera
    assert (pose.tx, pose.ty, pose.tz) == pytest.approx((10.0, -20.0, 500.0))
    np.testing.assert_allclose(pose.radians, np.deg2rad([pitch, yaw, roll]))


def test_pose_of_pure_rotations_about_mediapipe_axes():
    # rotation about the shared x axis keeps its angle's magnitude; about y flips sign
    m = np.eye(4)
    m[:3, :3] = rotation_xyz(0.0, np.deg2rad(20.0), 0.0)
    assert pose_from_transform(m).yaw == pytest.approx(-20.0)
    m[:3, :3] = rotation_xyz(np.deg2rad(15.0), 0.0, 0.0)
    assert pose_from_transform(m).pitch == pytest.approx(15.0)
