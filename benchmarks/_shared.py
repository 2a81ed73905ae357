"""Locating `../shared/data` for the benchmarks (never copied into the repository), the London
set's photo pairs, ICC, and the parts seen inside and outside the game face's openings."""

from __future__ import annotations

import csv
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from auedit.core.blas import use_one_blas_thread
from auedit.core.types import TrackedFace
from auedit.media.sources import read_image

REPO = Path(__file__).resolve().parents[1]
use_one_blas_thread()  # as the app and the CLI run


def shared_data() -> Path:
    """The shared data folder, or exit with a message saying where it was looked for."""
    path = Path(os.environ.get("AUEDIT_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not path.is_dir():
        sys.exit(f"shared data not found at {path}; set AUEDIT_SHARED_DATA")
    return path


def london_pairs(tracker: Any, people: int = 0,
                 ) -> Iterator[tuple[str, np.ndarray, np.ndarray, TrackedFace, TrackedFace]]:
    """Each London person's neutral and smiling photo (RGB) with the face `tracker` (a still-image
    `FaceTracker`) finds on each, in person order, the first `people` only where given; a
    person whose face is not found is reported and skipped."""
    root = shared_data() / "london"
    photos: dict[str, dict[str, str]] = defaultdict(dict)
    with (root / "labels.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            photos[row["face_id"]][row["expression"]] = row["image"]
    for person, pair in sorted(photos.items())[: people or None]:
        neutral, smiling = read_image(root / pair["neutral"]), read_image(root / pair["smiling"])
        tracked = [tracker.track(im, 0.0) for im in (neutral, smiling)]
        if not all(tracked):
            print(f"{person}: no face found, skipped")
            continue
        yield person, neutral, smiling, tracked[0][0], tracked[1][0]


def icc_3_1(truth: np.ndarray, estimate: np.ndarray) -> float:
    """ICC(3,1), consistency of two raters (Shrout and Fleiss 1979)."""
    x = np.stack([truth, estimate], axis=1)
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_err = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    ms_rows, ms_err = ss_rows / (n - 1), ss_err / ((n - 1) * (k - 1))
    denom = ms_rows + (k - 1) * ms_err
    return float((ms_rows - ms_err) / denom) if denom > 0 else float("nan")


def part_pixels(renderer: Any, params: Any, contours: list[list[int]], part: int, *,
                inside: bool) -> np.ndarray:
    """(B,) pixels of the part `part` (`topology.Part`) inside (or outside) the outlines
    `contours` of each face of `params` as `renderer` draws it, the outlines' own pixels (one
    pixel either side) aside."""
    import cv2

    labels = renderer.render(params).labels.numpy()
    screen = renderer.screen_vertices(params)
    out = np.zeros(len(params), int)
    edge = cv2.erode if inside else cv2.dilate
    for b in range(len(params)):
        mask = np.zeros(labels.shape[1:], np.uint8)
        for contour in contours:
            cv2.fillPoly(mask, [np.round(screen[b, contour, :2] - 0.5).astype(np.int32)], 1)
        mask = edge(mask, np.ones((3, 3), np.uint8)) > 0
        out[b] = int((labels[b][mask if inside else ~mask] == part).sum())
    return out
