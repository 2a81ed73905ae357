"""What a photo's skin looks like, for the shading drawn onto it (`auedit.rig.creases`): its
colour, so that folds stay off what covers the skin (a fringe over the forehead, a glasses
frame, hair across a cheek), and its sharpness, so that folds are as soft as the photo (on a blurred
video frame, folds drawn at full sharpness looked crisper than the skin under them).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Landmarks on skin: the cheeks, the nose's sides and bridge, the chin and the middle of the
#: forehead. The model takes medians over all of them, so a fringe over the forehead or a
#: hand on one cheek does not become "skin".
SKIN_POINTS = (50, 280, 101, 330, 205, 425, 36, 266, 187, 411, 123, 352, 117, 346,
               196, 419, 6, 197, 199, 175, 18, 200, 151, 9, 108, 337)
#: Landmarks round the eyes and brows: the face's sharpest edges, where blur is measured.
EYE_POINTS = (33, 133, 159, 145, 263, 362, 386, 374, 70, 105, 107, 300, 334, 336)
#: A pixel within this many robust standard deviations of the skin's colour is skin; at twice
#: as many it is not (a linear ramp between).
TOLERANCE = 3.0
#: Floors of the spreads: skin varies at least this much in chromaticity (r, g shares) and in
#: log luminance (shading: a fold's shadow side of the cheek is skin too).
MIN_CHROMA_SPREAD, MIN_LUMA_SPREAD = 0.012, 0.25
#: The blur measure: how much the strongest edges round the eyes weaken under a further
#: Gaussian blur of `PROBE_SIGMA` px (an edge blurred by s weakens by s / hypot(s, probe)).
PROBE_SIGMA = 2.0
#: What the measure reads on sharp photos (the sampling's own blur; the first 20 London
#: neutral photos: median 1.09 px, and 1.54 / 2.30 / 3.08 / 3.90 after a further Gaussian blur
#: of 1 / 2 / 3 / 4 px), taken off in quadrature.
SHARP_SIGMA = 1.09


@dataclass(frozen=True)
class SkinLook:
    """The face's skin colour (robust statistics) and the photo's blur."""

    chroma: np.ndarray  # (2,) median r and g shares, r / (r + g + b)
    chroma_spread: np.ndarray  # (2,) their robust standard deviations
    luma: float  # median log luminance
    luma_spread: float  # its robust standard deviation
    blur: float  # the photo's blur beyond a sharp photo's: Gaussian sigma, photo pixels

    def membership(self, pixels: np.ndarray) -> np.ndarray:
        """Float32 in [0, 1], one per pixel of `pixels` (RGB uint8, (..., 3)): how much each
        looks like the face's skin."""
        rgb = pixels.astype(np.float32) + 1.0
        total = rgb.sum(axis=-1)
        d2 = ((rgb[..., 0] / total - self.chroma[0]) / self.chroma_spread[0]) ** 2
        d2 += ((rgb[..., 1] / total - self.chroma[1]) / self.chroma_spread[1]) ** 2
        d2 += ((np.log(total) - self.luma) / self.luma_spread) ** 2
        return np.clip(2.0 - np.sqrt(d2) / TOLERANCE, 0.0, 1.0).astype(np.float32)


def skin_look(image: np.ndarray, landmarks: np.ndarray) -> SkinLook:
    """`SkinLook` of the face at `landmarks` ((468+, 2) photo pixels) in `image` (RGB uint8):
    colour from 5 x 5 px patches at `SKIN_POINTS`, blur from round the eyes."""
    h, w = image.shape[:2]
    pts = np.round(np.asarray(landmarks)[list(SKIN_POINTS), :2]).astype(int)
    offsets = np.arange(-2, 3)
    xs = np.clip(pts[:, 0, None, None] + offsets[None, None, :], 0, w - 1)
    ys = np.clip(pts[:, 1, None, None] + offsets[None, :, None], 0, h - 1)
    rgb = image[ys, xs].reshape(-1, 3).astype(np.float64) + 1.0
    total = rgb.sum(axis=1)
    chroma = rgb[:, :2] / total[:, None]
    luma = np.log(total)
    med_c, med_l = np.median(chroma, axis=0), float(np.median(luma))
    # 1.4826 x the median absolute deviation: a normal distribution's standard deviation
    spread_c = 1.4826 * np.median(np.abs(chroma - med_c), axis=0)
    spread_l = 1.4826 * float(np.median(np.abs(luma - med_l)))
    return SkinLook(med_c, np.maximum(spread_c, MIN_CHROMA_SPREAD), med_l,
                    max(spread_l, MIN_LUMA_SPREAD), photo_blur(image, landmarks))


def photo_blur(image: np.ndarray, landmarks: np.ndarray) -> float:
    """The photo's blur round the eyes beyond a sharp photo's (Gaussian sigma, px): from how
    much its strongest edges (the 99th percentile of the gradient) weaken under a further
    blur of `PROBE_SIGMA`."""
    pts = np.asarray(landmarks)[list(EYE_POINTS), :2]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * float((hi - lo).max())
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(lo - pad).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(hi + pad).astype(int), (w, h))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0.0
    gray = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY).astype(np.float32)
    strong = _edge_strength(gray)
    if strong <= 1e-3:
        return 0.0
    ratio = min(_edge_strength(cv2.GaussianBlur(gray, (0, 0), PROBE_SIGMA)) / strong, 0.98)
    sigma = PROBE_SIGMA * ratio / np.sqrt(1.0 - ratio**2)
    return float(np.sqrt(max(sigma**2 - SHARP_SIGMA**2, 0.0)))


def _edge_strength(gray: np.ndarray) -> float:
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.percentile(np.hypot(gx, gy), 99))
