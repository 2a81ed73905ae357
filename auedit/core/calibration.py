"""Per-person neutral calibration of AU intensities.

Two baselines, each switchable: an explicit neutral (the user says "this is my neutral face"
and the mean of the next frames is kept), and an automatic running baseline in the spirit of
OpenFace's person-specific normalisation, which assumes a person spends much of the time near
neutral and takes a low percentile of each AU's recent history as that person's neutral.
A baseline b maps a raw intensity x to (x - b) * 5 / (5 - b), clipped to [0, 5], so the top
of the scale stays reachable.
"""

from __future__ import annotations

import numpy as np

from auedit.core.aus import MAX_INTENSITY

_BIN_WIDTH = 0.05
_EDGES = np.arange(0.0, MAX_INTENSITY + _BIN_WIDTH, _BIN_WIDTH)


class RunningBaseline:
    """A decaying histogram per AU from which a low percentile is read as the neutral level."""

    def __init__(self, n: int, *, percentile: float = 25.0, half_life_frames: float = 900.0,
                 warmup_frames: int = 30) -> None:
        self._hist = np.zeros((n, len(_EDGES)), dtype=np.float64)
        self._decay = 0.5 ** (1.0 / half_life_frames)
        self._q = percentile / 100.0
        self._warmup = warmup_frames
        self.count = 0

    def update(self, raw: np.ndarray) -> None:
        bins = np.clip(np.nan_to_num(raw) / _BIN_WIDTH, 0, len(_EDGES) - 1).astype(np.intp)
        self._hist *= self._decay
        self._hist[np.arange(len(bins)), bins] += 1.0
        self.count += 1

    @property
    def ready(self) -> bool:
        return self.count >= self._warmup

    def baseline(self) -> np.ndarray:
        cdf = np.cumsum(self._hist, axis=1)
        total = cdf[:, -1:]
        idx = np.argmax(cdf >= self._q * np.maximum(total, 1e-12), axis=1)
        return _EDGES[idx]


class NeutralCalibration:
    """Calibrates one face's AU vector against an explicit neutral or a running baseline."""

    def __init__(self, n: int, *, use_explicit: bool = True, use_auto: bool = False,
                 neutral_frames: int = 15) -> None:
        self.use_explicit = use_explicit
        self.use_auto = use_auto
        self._auto = RunningBaseline(n)
        self._neutral: np.ndarray | None = None
        self._capture: list[np.ndarray] = []
        self._capture_left = 0
        self._neutral_frames = neutral_frames

    def capture_neutral(self) -> None:
        """Take the mean of the next frames as this person's neutral face."""
        self._capture = []
        self._capture_left = self._neutral_frames

    def set_neutral(self, neutral: np.ndarray) -> None:
        self._neutral = np.asarray(neutral, dtype=np.float64).copy()

    def clear_neutral(self) -> None:
        self._neutral = None
        self._capture_left = 0

    @property
    def neutral(self) -> np.ndarray | None:
        return self._neutral

    @property
    def capturing(self) -> bool:
        return self._capture_left > 0

    def baseline(self) -> np.ndarray | None:
        """The baseline now in force, or None (raw values pass through)."""
        if self.use_explicit and self._neutral is not None:
            return self._neutral
        if self.use_auto and self._auto.ready:
            return self._auto.baseline()
        return None

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=np.float64)
        if self._capture_left > 0:
            self._capture.append(raw)
            self._capture_left -= 1
            if self._capture_left == 0:
                self._neutral = np.nanmean(np.stack(self._capture), axis=0)
        self._auto.update(raw)
        return apply_baseline(raw, self.baseline())


def apply_baseline(raw: np.ndarray, baseline: np.ndarray | None) -> np.ndarray:
    """Rescale so that `baseline` reads 0 and 5 still reads 5."""
    if baseline is None:
        return raw
    b = np.clip(baseline, 0.0, MAX_INTENSITY - 0.5)
    return np.clip((raw - b) * MAX_INTENSITY / (MAX_INTENSITY - b), 0.0, MAX_INTENSITY)
