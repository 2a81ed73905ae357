"""Glasses frames on a photo: found once per face, kept still while the face moves behind them.

A warp moves everything over the skin, so a blink or a cheek raise bent a glasses frame along
with the lids and cheeks. Glasses sit on the nose, not on the moving skin: an AU edit changes
no head pose, so the frame should not move at all. The frame is found from the face's skin
colour (`skin.SkinLook`): a run of pixels that are not skin crossing the nose's bridge
between the eyes (where neither hair nor make-up lies), and every not-skin pixel connected to
it round the eyes (the rims), leaving out the eye openings with their lashes and the brows.
The synthesizer then warps a copy of the photo with the frame painted out (`cv2.inpaint`)
and lays the frame back over the edit where it was. Rimless glasses and frames the colour of
skin are not found and bend as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from auedit.synth.skin import SkinLook

#: The share of the bridge band's columns a frame must cross (a bridge crosses them all).
BRIDGE_CROSSED = 0.9
#: How far round the eyes a frame is looked for, in interocular distances: beyond the
#: outer eye corners, below the lower lids, above the brows' lower edge.
ZONE_SIDE, ZONE_BELOW, ZONE_ABOVE = 0.3, 0.45, 0.05
#: Kept out of the frame, in interocular distances: round the eye openings (the lashes).
EYE_MARGIN = 0.03
#: The nose below the bridge (MediaPipe's points round it): kept out of the frame, whose
#: bridge would otherwise run on into the shadow beside the nose.
NOSE = (197, 196, 174, 236, 198, 209, 129, 64, 98, 97, 2, 326, 327, 294, 358, 429, 420, 456,
        399, 419)
#: A frame's pixel is not skin below this skin membership (`SkinLook.membership`: 1 within 3
#: robust spreads of the skin's colour, 0 at 6; a dark brown frame can be within 4.5 in
#: luminance); the bridge is crossed by pixels below `BRIDGE_NOT_SKIN` (a reddish nose's
#: bridge reads under 0.9 on one London face of 140).
NOT_SKIN, BRIDGE_NOT_SKIN = 0.9, 0.5
#: The frame as found, grown by this (interocular distances) to take its whole thickness and
#: its blurred edge.
GROW = 0.025
#: A frame's bridge may sit this far (interocular distances) above the glabella: a high one
#: lies level with the brows' lower edge (wild img24, whose frame was not found).
BRIDGE_ABOVE = 0.06
#: The nose's bridge, between the eyebrows' meeting point and the bridge at the eyes' level.
_GLABELLA, _BRIDGE = 168, 6
_OUTER = (33, 263)  # the eyes' outer corners
_INNER = (133, 362)  # and inner corners


@dataclass(frozen=True)
class Frames:
    """A glasses frame found on a photo: its opacity over a box of the photo."""

    x0: int
    y0: int
    alpha: np.ndarray  # (h, w) float32 in [0, 1]: how much each pixel of the box is frame

    def over(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """The frame's opacity over the photo's box (x0, y0)-(x1, y1), 0 outside it."""
        out = np.zeros((y1 - y0, x1 - x0), np.float32)
        h, w = self.alpha.shape
        ax0, ay0 = max(self.x0, x0), max(self.y0, y0)
        ax1, ay1 = min(self.x0 + w, x1), min(self.y0 + h, y1)
        if ax1 > ax0 and ay1 > ay0:
            out[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0] = self.alpha[ay0 - self.y0:ay1 - self.y0,
                                                                  ax0 - self.x0:ax1 - self.x0]
        return out


def find_frames(image: np.ndarray, landmarks: np.ndarray, skin: SkinLook,
                eyes: Sequence[Sequence[int]],
                brows: Sequence[tuple[Sequence[int], Sequence[int]]]) -> Frames | None:
    """The glasses frame on the face at `landmarks` ((468+, 2) photo pixels) of `image` (RGB
    uint8), or None where nothing that is not skin crosses the nose's bridge. `eyes`: landmark
    outlines of the eye openings; `brows`: each brow's upper and lower edge points."""
    lms = np.asarray(landmarks)[:, :2].astype(np.float64)
    io = float(np.linalg.norm(lms[_OUTER[0]] - lms[_OUTER[1]]))
    h, w = image.shape[:2]
    # the zone round both eyes where a frame can be
    eye_pts = np.concatenate([lms[list(e)] for e in eyes])
    brow_pts = np.concatenate([lms[list(u) + list(b)] for u, b in brows])
    x0 = int(np.floor(eye_pts[:, 0].min() - ZONE_SIDE * io))
    x1 = int(np.ceil(eye_pts[:, 0].max() + ZONE_SIDE * io))
    y0 = int(np.floor(min(brow_pts[:, 1].min(), lms[_GLABELLA, 1]) - ZONE_ABOVE * io))
    y1 = int(np.ceil(eye_pts[:, 1].max() + ZONE_BELOW * io))
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    membership = skin.membership(image[y0:y1, x0:x1])
    not_skin = membership < NOT_SKIN
    bridge = _bridge_band(lms, io, (x0, y0), not_skin.shape)
    if bridge is None:
        return None
    by0, by1, bx0, bx1 = bridge
    band = membership[by0:by1, bx0:bx1] < BRIDGE_NOT_SKIN
    if band.any(axis=0).mean() < BRIDGE_CROSSED:
        return None
    keep_out = np.zeros(not_skin.shape, np.uint8)
    for outline in eyes:
        hull = cv2.convexHull(np.round(lms[list(outline)] - (x0, y0)).astype(np.int32))
        cv2.fillPoly(keep_out, [hull], 1)
        cv2.polylines(keep_out, [hull], True, 1, 2 * max(1, round(EYE_MARGIN * io)))
    # the brows (a frame's top bar on them moves with them: the synthesizer keeps frames
    # still only in edits that leave the brows still) and the nose below the bridge
    for outline in [list(u) + list(b) for u, b in brows] + [list(NOSE)]:
        hull = cv2.convexHull(np.round(lms[outline] - (x0, y0)).astype(np.int32))
        cv2.fillPoly(keep_out, [hull], 1)
    candidate = (not_skin & (keep_out == 0)).astype(np.uint8)
    _, labels = cv2.connectedComponents(candidate, connectivity=8)
    crossing = np.unique(labels[by0:by1, bx0:bx1][band & (candidate[by0:by1, bx0:bx1] > 0)])
    crossing = crossing[crossing > 0]
    if len(crossing) == 0:
        return None
    frame = np.isin(labels, crossing).astype(np.uint8)
    r = max(1, round(GROW * io))
    grown = cv2.dilate(frame, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2))
    grown &= (keep_out == 0).astype(np.uint8)
    # a pixel of feathering round it
    alpha = cv2.GaussianBlur(grown.astype(np.float32), (3, 3), 0.8)
    return Frames(x0, y0, np.maximum(alpha, grown.astype(np.float32)))


def _bridge_band(lms: np.ndarray, io: float, origin: tuple[int, int],
                 shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """(y0, y1, x0, x1) of the nose's bridge between the eyes in the zone's pixels: the middle
    half between the inner eye corners, from `BRIDGE_ABOVE` above the glabella down to the
    bridge at the eyes' level (and a tenth of the eyes' distance below it)."""
    xa, xb = sorted(lms[list(_INNER), 0] - origin[0])
    ya = lms[_GLABELLA, 1] - origin[1] - BRIDGE_ABOVE * io
    yb = lms[_BRIDGE, 1] - origin[1] + 0.1 * io
    x0, x1 = round(xa + 0.25 * (xb - xa)), round(xa + 0.75 * (xb - xa))
    y0, y1 = round(ya), round(yb)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, shape[1]), min(y1, shape[0])
    return (y0, y1, x0, x1) if x1 > x0 and y1 > y0 else None
