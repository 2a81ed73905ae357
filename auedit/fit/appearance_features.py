"""What the face looks like: gradient histograms (HOG) of the face aligned to the base face.

MediaPipe's landmarks barely move for some AUs (cheek raiser, dimpler, lip tightener and
pressor, lip suck: see `docs/rig.md`), while the shading and the outlines of the face show
them. The AU regressor therefore also reads the face's appearance: the frame warped by the
five-point similarity onto the base face (`auedit.fit.base_face`, 160 px, whose central 128 px
hold brows to chin), in grey, summarised as histograms of oriented gradients (OpenCV's HOG:
16 px cells, 2 x 2 cell blocks every 16 px, 9 orientations), the appearance descriptor of
OpenFace's AU detectors. Block normalisation makes it insensitive to overall light and contrast.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from auedit.fit.base_face import align_photo

FRAME = 160  # the base-face frame the face is warped into
CROP = slice(16, 144)  # its central 128 px: brows to chin
_WINDOW, _BLOCK, _STRIDE, _CELL, _BINS = (128, 128), (32, 32), (16, 16), (16, 16), 9


@cache
def _hog() -> cv2.HOGDescriptor:
    return cv2.HOGDescriptor(_WINDOW, _BLOCK, _STRIDE, _CELL, _BINS)


def appearance_size() -> int:
    """Length of the appearance features (1,764)."""
    return int(_hog().getDescriptorSize())


def face_crop(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(128, 128) uint8 grey face of the RGB `image`, aligned by its tracked `landmarks`."""
    aligned, _ = align_photo(image, landmarks, FRAME)
    return cv2.cvtColor(np.ascontiguousarray(aligned[CROP, CROP]), cv2.COLOR_RGB2GRAY)


def hog_features(crop: np.ndarray) -> np.ndarray:
    """(appearance_size,) float32 HOG of a `face_crop`."""
    return _hog().compute(crop).ravel().astype(np.float32)


def appearance_features(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(appearance_size,) float32 appearance features of the face in the RGB `image`."""
    return hog_features(face_crop(image, landmarks))
