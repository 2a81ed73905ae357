"""The performance readout: fps, latency, dropped frames, faces."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from auedit.workers.inference import Stats


def format_stats(stats: Stats, faces: int, state: str = "") -> str:
    """One line of figures; a photo, or a video paused or at its end ("photo", "paused",
    "ended"), shows that instead of a frame rate it no longer has."""
    rate = state or f"{stats.fps:5.1f} fps"
    return (f"{rate}   latency {stats.latency * 1000:4.0f} ms   "
            f"dropped {stats.dropped}   analysed {stats.analysed}   faces {faces}")


class StatusReadout(QLabel):
    """A label in the status bar, refreshed by the main window's timer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("starting…", parent)
        self.setObjectName("statusReadout")
        self.setMinimumWidth(430)

    def show_stats(self, stats: Stats | None, faces: int, state: str = "") -> None:
        self.setText("no input" if stats is None else format_stats(stats, faces, state))
