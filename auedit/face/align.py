"""Similarity alignment of tracked landmarks to MediaPipe's canonical face.

Removes head pose and face size so that geometric AU measures compare like with like. The
fit uses the weighted landmark basis that MediaPipe itself uses for its pose (forehead, nose
bridge, eye corners, cheekbones: points that expressions barely move).
"""

from __future__ import annotations

import numpy as np

from auedit.face.canonical import CanonicalFace

_TO_IMAGE_AXES = np.array([1.0, -1.0, -1.0])  # canonical (y up, z to viewer) -> image axes


def align_to_canonical(landmarks: np.ndarray, canonical: CanonicalFace) -> np.ndarray:
    """The 468 mesh landmarks mapped into the canonical face's frame (cm, image axes).

    `landmarks` are (>=468, 3) in pixels (x right, y down, z away from the camera).
    """
    target = canonical.vertices * _TO_IMAGE_AXES
    ids, w = canonical.basis_ids, canonical.basis_weights.astype(np.float64)
    src = landmarks[:468].astype(np.float64)
    a, b = src[ids], target[ids]
    wn = w / w.sum()
    ma, mb = wn @ a, wn @ b
    a0, b0 = a - ma, b - mb
    cov = (a0 * wn[:, None]).T @ b0
    u, s, vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(u @ vt))
    fix = np.array([1.0, 1.0, d])
    rot = (u * fix) @ vt
    scale = (s * fix).sum() / (wn @ (a0 ** 2).sum(axis=1))
    return (src - ma) @ rot * scale + mb
