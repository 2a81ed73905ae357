"""The game face in a photographed face's skin tone.

The rig's skin has one albedo for everyone. Where the game face takes a photo's identity
(`auedit transfer A B`, the app's "Use identity of photo…"), its skin is scaled per colour
channel so that the render's cheeks come out the colour of the photo's cheeks: matched on the
render itself, so the renderer's own lighting is taken into account.
"""

from __future__ import annotations

import numpy as np

from auedit.rig import regions as rg
from auedit.rig.topology import Part

#: Landmarks on both cheeks (the left's and their mirror images): skin on every face, away
#: from the brows, eyes, lips and most beards.
CHEEK_POINTS = (*rg.CHEEK, 205, 187, 50, 123, 117, 118, 101, 36, 206, 216, 207, 192, 147, 213,
                214, 212, 210, 211, 32, 208, 140, 170, 169, 202, 204, 194, 201, 138, 135)
#: Pixels either side of a cheek point that it samples.
WINDOW = 2
#: The parts that take the skin's tone.
SKIN_PARTS = (Part.SKIN, Part.NOSE)
#: The most a channel is scaled either way (a photo's cheek in deep shadow or blown out).
GAIN_RANGE = (0.3, 2.0)


def cheek_colour(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """(3,) median colour in [0, 1] of the cheeks of the face whose landmarks ((N, 2+) in
    pixels) are given, in an RGB image (uint8 or floats in [0, 1])."""
    pixels = np.asarray(image, dtype=np.float32)
    if image.dtype == np.uint8:
        pixels = pixels / 255.0
    h, w = pixels.shape[:2]
    samples = []
    for x, y in np.rint(np.asarray(landmarks)[list(CHEEK_POINTS), :2]).astype(int):
        x0, x1 = np.clip([x - WINDOW, x + WINDOW + 1], 0, w)
        y0, y1 = np.clip([y - WINDOW, y + WINDOW + 1], 0, h)
        samples.append(pixels[y0:y1, x0:x1].reshape(-1, 3))
    found = np.concatenate(samples) if samples else np.zeros((0, 3), np.float32)
    if not len(found):
        raise ValueError("the cheeks lie outside the image")
    return np.median(found, axis=0)


def tone_skin(color: np.ndarray, labels: np.ndarray, screen: np.ndarray,
              tone: np.ndarray) -> np.ndarray:
    """A render's colour ((H, W, 3) floats) with its skin scaled per channel so that its
    cheeks (at the render's landmarks `screen`, (N, 2+) pixels) read `tone`."""
    gain = np.clip(np.asarray(tone) / np.maximum(cheek_colour(color, screen), 1e-3),
                   *GAIN_RANGE)
    out = color.copy()
    skin = np.isin(labels, [int(p) for p in SKIN_PARTS])
    out[skin] = np.clip(out[skin] * gain, 0.0, 1.0)
    return out
