"""Five-point similarity alignment of faces (numpy only).

The eye centres, the nose tip and the mouth corners of the rig's mesh (whose vertex indices are
MediaPipe's landmark indices), and the least-squares similarity that takes one set onto another:
how GE-Net's base face (`auedit.fit.base_face`), the renderer and the data engine align faces.
"""

from __future__ import annotations

import numpy as np

from auedit.rig import regions as rg

#: Five alignment points: subject's left eye, right eye (ring means), nose tip, mouth corners.
_LEFT_EYE = list(rg.EYE_UPPER0 + rg.EYE_LOWER0)


def five_points(landmarks: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    """(..., 5, 2) alignment points from (..., >=468, 2+) mesh points (pixels or cm)."""
    right_eye = [int(mirror[i]) for i in _LEFT_EYE]
    pts = [landmarks[..., _LEFT_EYE, :2].mean(axis=-2), landmarks[..., right_eye, :2].mean(axis=-2),
           landmarks[..., 1, :2], landmarks[..., 291, :2], landmarks[..., 61, :2]]
    return np.stack(pts, axis=-2)


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 least-squares similarity transform (Umeyama) taking src (N, 2) onto dst (N, 2)."""
    ms, md = src.mean(axis=0), dst.mean(axis=0)
    s0, d0 = src - ms, dst - md
    u, sig, vt = np.linalg.svd(d0.T @ s0)
    d = np.sign(np.linalg.det(u @ vt))
    fix = np.array([1.0, d])
    rot = (u * fix) @ vt
    scale = (sig * fix).sum() / (s0 ** 2).sum()
    m = np.zeros((2, 3))
    m[:, :2] = scale * rot
    m[:, 2] = md - m[:, :2] @ ms
    return m
