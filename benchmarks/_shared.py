"""Locating `../shared/data` for the benchmarks (never copied into the repository)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from auedit.core.blas import use_one_blas_thread

REPO = Path(__file__).resolve().parents[1]
use_one_blas_thread()  # as the app and the CLI run


def shared_data() -> Path:
    """The shared data folder, or exit with a message saying where it was looked for."""
    path = Path(os.environ.get("AUEDIT_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not path.is_dir():
        sys.exit(f"shared data not found at {path}; set AUEDIT_SHARED_DATA")
    return path


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
