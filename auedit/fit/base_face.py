"""The "base face" frame (GE-Net's): photos and renders aligned by five landmarks.

The base face is the frontal, neutral game face with identity 0.5; its five points (eye
centres, nose tip, mouth corners) in an S x S image are the template. A render aligned with
`FaceRenderer.render(..., align=True)` and a photo aligned here by its tracked landmarks land
in the same frame, so that the imitator's output and the photo can be compared pixel for pixel.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from auedit.rig.alignment import five_points, similarity
from auedit.rig.model import FaceRig, RigParams, load_rig

SIZE = 128  # GE-Net's working resolution here (the paper's is 256; see docs/genet.md)


@cache
def _template(size: int) -> np.ndarray:
    rig = load_rig()
    verts = rig.camera_vertices(RigParams.neutral(1))[0]
    pixels = verts[:, :2] * (size / 24.0) + size / 2.0  # FaceRenderer's plain framing
    return five_points(pixels[None], rig.mesh.mirror)[0]


def template(size: int = SIZE) -> np.ndarray:
    """(5, 2) the base face's five points in an aligned `size` x `size` image."""
    return _template(size).copy()


def alignment(landmarks: np.ndarray, size: int = SIZE, rig: FaceRig | None = None) -> np.ndarray:
    """2x3 similarity taking photo pixels onto the base-face frame, from (>=468, 2+) tracked
    landmarks (MediaPipe's indices are the rig's)."""
    mirror = (rig or load_rig()).mesh.mirror
    pts = five_points(np.asarray(landmarks, dtype=np.float64)[None], mirror)[0]
    return similarity(pts, _template(size))


def shrink_for_warp(image: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The image area-averaged down so that a warp by `scale` shrinks it by at most half
    (a bilinear warp alone aliases below that), and the (x, y) factors taking continuous
    pixel coordinates (pixel centres at +0.5) of `image` to those of the result."""
    if scale >= 0.5:
        return image, np.ones(2)
    h, w = image.shape[:2]
    nw, nh = max(1, round(w * 2 * scale)), max(1, round(h * 2 * scale))
    small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return small, np.array([nw / w, nh / h])


def align_photo(image: np.ndarray, landmarks: np.ndarray, size: int = SIZE,
                ) -> tuple[np.ndarray, np.ndarray]:
    """The photo warped into the base-face frame (size x size, same dtype), area-averaged
    first where the warp shrinks it (`shrink_for_warp`), and the 2x3 alignment matrix of the
    image it warped (photo pixels, or the shrunk photo's)."""
    lms = np.asarray(landmarks, dtype=np.float64)[:, :2]
    m = alignment(lms, size)
    small, f = shrink_for_warp(image, float(np.sqrt(abs(np.linalg.det(m[:, :2])))))
    if small is not image:
        m = alignment(lms * f, size)
    aligned = cv2.warpAffine(small, m, (size, size), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE)
    return aligned, m


def transform_points(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    """(N, 2+) points through a 2x3 similarity; a third column (depth) scales with it."""
    pts = np.asarray(points, dtype=np.float64)
    out = pts.copy()
    out[:, :2] = pts[:, :2] @ m[:, :2].T + m[:, 2]
    if pts.shape[1] > 2:
        out[:, 2:] = pts[:, 2:] * np.sqrt(abs(np.linalg.det(m[:, :2])))
    return out
