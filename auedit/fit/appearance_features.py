"""What the face looks like: gradient histograms (HOG) of the face aligned to the base face.

MediaPipe's landmarks barely move for some AUs (cheek raiser, dimpler, lip tightener and
pressor, lip suck: see `docs/rig.md`), while the shading and the outlines of the face show
them. The AU regressor therefore also reads the face's appearance: the frame warped by the
five-point similarity onto the base face (`auedit.fit.base_face`, 160 px, whose central 128 px
hold brows to chin), in grey, faded outside an ellipse that holds the inner face to the face's
own mean grey (so hair, background and the face's outline, where the game face and people
differ most, do not count), summarised as histograms of oriented gradients (OpenCV's HOG: 16 px
cells, 2 x 2 cell blocks every 16 px, 9 orientations), the appearance descriptor of OpenFace's
AU detectors. Block normalisation makes it insensitive to overall light and contrast.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from auedit.fit.base_face import align_photo

FRAME = 160  # the base-face frame the face is warped into
CROP = slice(16, 144)  # its central 128 px: brows to chin
_WINDOW, _BLOCK, _STRIDE, _CELL, _BINS = (128, 128), (32, 32), (16, 16), (16, 16), 9


#: the inner-face ellipse in the crop: centre, semi-axes (px) and the feathering's s.d.
ELLIPSE_CENTRE, ELLIPSE_AXES, FEATHER = (64, 68), (38, 54), 4.0


@cache
def _inner_face() -> np.ndarray:
    """(128, 128) float32 weights: 1 inside the inner-face ellipse, fading to 0 outside."""
    mask = np.zeros((_WINDOW[1], _WINDOW[0]), np.float32)
    cv2.ellipse(mask, ELLIPSE_CENTRE, ELLIPSE_AXES, 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), FEATHER)
    mask[mask < 0.02] = 0.0  # exactly flat outside: HOG's normalisation would amplify a trace
    return mask


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


def inner_face(crop: np.ndarray) -> np.ndarray:
    """A `face_crop` faded to its own mean grey outside the inner-face ellipse."""
    w = _inner_face()
    mean = float((crop * w).sum() / w.sum())
    return np.clip(crop * w + mean * (1.0 - w) + 0.5, 0, 255).astype(np.uint8)


def hog_features(crop: np.ndarray) -> np.ndarray:
    """(appearance_size,) float32 HOG of a `face_crop`'s inner face."""
    return _hog().compute(inner_face(crop)).ravel().astype(np.float32)


def appearance_features(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(appearance_size,) float32 appearance features of the face in the RGB `image`."""
    return hog_features(face_crop(image, landmarks))
