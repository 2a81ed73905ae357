"""AU intensities over the last seconds, for a few selectable AUs of one detector."""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from auedit.core.aus import AU_BY_KEY, AU_KEYS, MAX_INTENSITY
from auedit.core.types import AUReading
from auedit.ui.colours import series_colour

DEFAULT_SERIES = ("AU4", "AU6", "AU12", "AU25", "AU45")
STILL_HINT = ("A photo is a single moment: AU time series need a video or the camera. "
              "The bars below show the photo's AUs.")


class AUTimeSeries(QWidget):
    """Lines of the selected AUs over the last `window` seconds (time 0 is the newest)."""

    def __init__(self, window: float = 10.0, selected: tuple[str, ...] = DEFAULT_SERIES,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self._samples: deque[tuple[float, dict[str, float]]] = deque()
        self.plot = pg.PlotWidget(background="#1b1c20")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setYRange(0, MAX_INTENSITY + 0.15, padding=0)
        self.plot.setXRange(-window, 0.45, padding=0)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        font = QFont()
        font.setPointSizeF(8.5)
        for name in ("bottom", "left"):
            self.plot.getAxis(name).setStyle(tickFont=font)
            self.plot.getAxis(name).setTextPen("#d0d0d8")
        self.plot.getAxis("left").setWidth(34)
        self.plot.getAxis("bottom").setTicks(
            [[(-float(s), f"-{s} s" if s else "now") for s in range(0, int(window) + 1, 2)]])
        self.plot.getAxis("left").setTicks([[(v, str(v)) for v in range(6)]])
        self.legend = self.plot.addLegend(offset=(4, 4), labelTextColor="#e0e0e8",
                                          brush=pg.mkBrush(27, 28, 32, 200), colCount=5)
        self.curves: dict[str, pg.PlotDataItem] = {}

        self.picker = QToolButton(text="AUs ▾")
        self.picker.setToolTip("Choose the AUs to plot over time")
        self.picker.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.picker)
        self.actions_by_key: dict[str, QAction] = {}
        for key in AU_KEYS:
            action = menu.addAction(f"{key}  {AU_BY_KEY[key].name}")
            action.setCheckable(True)
            action.toggled.connect(self._rebuild)
            self.actions_by_key[key] = action
        self.picker.setMenu(menu)
        self.title = QLabel("AU intensity, last 10 s")
        self.hint = QLabel(STILL_HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #909090;")
        self.hint.setVisible(False)

        head = QHBoxLayout()
        head.setContentsMargins(4, 0, 4, 0)
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.picker)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.hint)
        layout.addWidget(self.plot)
        self.set_selected(selected)

    def selected(self) -> list[str]:
        return [k for k, a in self.actions_by_key.items() if a.isChecked()]

    def set_selected(self, keys: tuple[str, ...] | list[str]) -> None:
        for key, action in self.actions_by_key.items():
            action.blockSignals(True)
            action.setChecked(key in keys)
            action.blockSignals(False)
        self._rebuild()

    def show_still_hint(self, still: bool) -> None:
        """Say why the plot stays empty while a photo is shown."""
        if self.hint.isHidden() == still:
            self.hint.setVisible(still)

    def clear(self) -> None:
        self._samples.clear()
        self._redraw()

    def add(self, timestamp: float, reading: AUReading | None) -> None:
        """Append one sample (a frame without a face adds gaps)."""
        if self._samples and timestamp < self._samples[-1][0]:
            self._samples.clear()  # a new input or a seek backwards
        values = dict(reading.values) if reading else {}
        self._samples.append((timestamp, values))
        while self._samples and self._samples[0][0] < timestamp - self.window - 0.5:
            self._samples.popleft()
        self._redraw()

    def data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Times (relative to the newest sample) and values of one AU."""
        if not self._samples:
            return np.zeros(0), np.zeros(0)
        t_end = self._samples[-1][0]
        t = np.array([s[0] - t_end for s in self._samples])
        v = np.array([s[1].get(key, np.nan) for s in self._samples], dtype=float)
        return t, v

    def _rebuild(self) -> None:
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = {}
        for i, key in enumerate(self.selected()):
            pen = pg.mkPen(series_colour(i), width=2)
            self.curves[key] = self.plot.plot([], [], pen=pen, name=key, connect="finite")
        self._redraw()

    def _redraw(self) -> None:
        for key, curve in self.curves.items():
            t, v = self.data(key)
            curve.setData(t, v, connect="finite")
