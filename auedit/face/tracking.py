"""Stable track ids for faces across frames.

Faces seen in the last half second are matched by box overlap (Hungarian assignment on
1 - IoU). A face that matches no recent track is compared with the tracks lost in the last
30 s by appearance (a hue-saturation histogram of the inner face, compared by Bhattacharyya
distance), so a person who leaves and comes back gets their old id. In video, a new face must
be seen on `min_hits` consecutive frames before it gets an id: MediaPipe now and then "finds"
a face in clouds or foliage for a single frame. Faces on a stream's first frame are taken at
once, so a clip that opens on a face has it from frame 1. Landmark-shape signatures
were tried first and rejected: on the London set, one person's neutral and smiling shapes
differ as much as two people's do.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

from auedit.face.landmarker import box_iou

Box = tuple[float, float, float, float]


def appearance_signature(rgb: np.ndarray, box: Box) -> np.ndarray:
    """Normalised 18x8 hue-saturation histogram of the inner face (forehead to mouth)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    h_img, w_img = rgb.shape[:2]
    ya, yb = int(max(0, y0 + 0.2 * h)), int(min(h_img, y1 - 0.1 * h))
    xa, xb = int(max(0, x0 + 0.15 * w)), int(min(w_img, x1 - 0.15 * w))
    crop = rgb[ya:yb, xa:xb]
    if crop.size == 0:
        return np.full((18, 8), 1.0 / 144, np.float32)
    hsv = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [18, 8], [0, 180, 0, 256])
    return hist / max(float(hist.sum()), 1e-9)


def appearance_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))


@dataclass
class _Track:
    track_id: int  # -1 while the track is tentative
    box: Box
    signature: np.ndarray
    last_seen: float
    hits: int = 1

    def update(self, box: Box, sig: np.ndarray, t: float) -> None:
        self.box, self.last_seen, self.hits = box, t, self.hits + 1
        self.signature = 0.9 * self.signature + 0.1 * sig


class TrackIdAssigner:
    """Assigns track ids to the faces of successive frames (time in seconds)."""

    def __init__(self, *, iou_threshold: float = 0.2, recent_s: float = 0.5,
                 memory_s: float = 30.0, reid_threshold: float = 0.3, min_hits: int = 2) -> None:
        self.min_hits = min_hits
        self.iou_threshold = iou_threshold
        self.recent_s = recent_s
        self.memory_s = memory_s
        self.reid_threshold = reid_threshold
        self._tracks: list[_Track] = []
        self._next_id = 0
        self._last_t: float | None = None

    def reset(self) -> None:
        self._tracks.clear()
        self._next_id = 0
        self._last_t = None

    def _confirm(self, track: _Track, first_frame: bool) -> None:
        if track.track_id < 0 and (first_frame or track.hits >= self.min_hits):
            track.track_id = self._next_id
            self._next_id += 1

    def assign(self, boxes: list[Box], rgb: np.ndarray, t: float) -> list[int]:
        """One track id per face box in frame `rgb`, in the order given; -1 for a face that
        is not confirmed yet (seen on fewer than `min_hits` consecutive frames)."""
        # tentative tracks live only while they are seen on consecutive frames
        self._tracks = [tr for tr in self._tracks if t - tr.last_seen <= self.memory_s
                        and (tr.track_id >= 0 or tr.last_seen == self._last_t)]
        first_frame, self._last_t = self._last_t is None, t
        matched: list[_Track | None] = [None] * len(boxes)
        recent = [tr for tr in self._tracks if t - tr.last_seen <= self.recent_s]
        if recent and boxes:
            cost = np.array([[1.0 - box_iou(b, tr.box) for tr in recent] for b in boxes])
            for r, c in zip(*linear_sum_assignment(cost), strict=True):
                if 1.0 - cost[r, c] >= self.iou_threshold:
                    matched[r] = recent[c]
                    recent[c].update(boxes[r], appearance_signature(rgb, boxes[r]), t)
        for i, box in enumerate(boxes):
            if matched[i] is not None:
                continue
            sig = appearance_signature(rgb, box)
            lost = [tr for tr in self._tracks if tr.track_id >= 0 and tr.last_seen < t]
            dists = [appearance_distance(sig, tr.signature) for tr in lost]
            if dists and min(dists) < self.reid_threshold:
                track = lost[int(np.argmin(dists))]
                track.update(box, sig, t)
            else:
                track = _Track(-1, box, sig, t)
                self._tracks.append(track)
            matched[i] = track
        for track in matched:
            self._confirm(track, first_frame)  # type: ignore[arg-type]
        return [tr.track_id for tr in matched]  # type: ignore[union-attr]
