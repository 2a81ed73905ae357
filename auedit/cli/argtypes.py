"""argparse types that reject out-of-range values as usage errors, before any work."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from auedit.media.sources import MAX_CAMERA_INDEX


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """A type for whole numbers from `low` (to `high`, where given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            allowed = f"{low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"{value} is out of range (use {allowed})")
        return value

    return parse


def non_negative_float(text: str) -> float:
    """A type for finite numbers of 0 or more (weights, rates): "nan" and "inf" parse as
    floats and then broke the work that used them."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text} is out of range (use a finite number, "
                                         "0 or more)")
    return value


positive_int = int_in(1)
non_negative_int = int_in(0)
camera_index = int_in(0, MAX_CAMERA_INDEX)


def detector_list(text: str) -> list[str]:
    """"mediapipe, rigfit" -> ["mediapipe", "rigfit"]; an empty list or a name given twice is
    an error (names are checked against the registry when the analyser is built)."""
    names = [d.strip() for d in text.split(",") if d.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one detector name, e.g. mediapipe")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise argparse.ArgumentTypeError(f"{', '.join(twice)} named twice (each detector "
                                         "runs once)")
    return names
