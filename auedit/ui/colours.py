"""One colour per detector, stable by position, so later detectors drop in."""

from __future__ import annotations

from PySide6.QtGui import QColor

DETECTOR_COLOURS = ("#3d8bfd", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")
SERIES_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def detector_colour(index: int) -> QColor:
    return QColor(DETECTOR_COLOURS[index % len(DETECTOR_COLOURS)])


def series_colour(index: int) -> QColor:
    return QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
