"""Locating `../shared/data` for the benchmarks (never copied into the repository)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """The shared data folder, or exit with a message saying where it was looked for."""
    path = Path(os.environ.get("AUEDIT_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not path.is_dir():
        sys.exit(f"shared data not found at {path}; set AUEDIT_SHARED_DATA")
    return path
