"""The live AU histogram: grouped bars on the 0-5 scale, one colour per detector."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QCursor, QFont, QFontMetrics
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from auedit.core.aus import AU_BY_KEY, AU_KEYS, MAX_INTENSITY, intensity_letter
from auedit.core.types import AUReading
from auedit.ui.colours import detector_colour

GROUP_WIDTH = 0.84


def bar_plot(x_range: tuple[float, float], y_max: float, y_ticks: list[tuple[float, str]],
             font_size: float = 8.5) -> pg.PlotWidget:
    """A fixed (no zoom, no menu) dark plot for bar charts, with grid lines across at the
    labelled heights. The lines are items rather than the axis's grid: pyqtgraph drops the
    labels of a gridded axis that reach past its ends (the top and bottom ones)."""
    plot = pg.PlotWidget(background="#1b1c20")
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setYRange(0, y_max, padding=0)
    plot.setXRange(*x_range, padding=0)
    grid = pg.mkPen(255, 255, 255, 64)
    for value, _ in y_ticks:
        if value > 0:
            plot.addItem(pg.InfiniteLine(value, angle=0, pen=grid), ignoreBounds=True)
    plot.getAxis("left").setTicks([y_ticks])
    font = QFont()
    font.setPointSizeF(font_size)
    for name in ("bottom", "left"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=font)
        axis.setTextPen("#d0d0d8")
    return plot


class AUHistogram(QWidget):
    """Bars at x = AU index (catalogue order), grouped side by side per detector."""

    def __init__(self, detectors: list[str], keys: tuple[str, ...] = AU_KEYS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = tuple(keys)
        self.plot = bar_plot((-0.6, len(self.keys) - 0.4), MAX_INTENSITY + 0.15,
                             [(v, f"{v} {intensity_letter(v)}".strip()) for v in range(6)])
        self.plot.getAxis("left").setWidth(34)
        self._staggered: bool | None = None
        self._stagger_labels(False)
        self.plot.getPlotItem().vb.sigResized.connect(self._fit_labels)
        self.legend = self.plot.addLegend(offset=(-8, 4), labelTextColor="#e0e0e8",
                                          brush=pg.mkBrush(27, 28, 32, 200))
        self.bars: dict[str, pg.BarGraphItem] = {}
        self._values: dict[str, np.ndarray] = {}
        self.set_detectors(detectors)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_detectors(self, detectors: list[str]) -> None:
        """One bar series per detector, side by side within each AU's slot."""
        for item in self.bars.values():
            self.plot.removeItem(item)
        self.legend.clear()
        self.bars, self._values = {}, {}
        n = max(1, len(detectors))
        width = GROUP_WIDTH / n
        x = np.arange(len(self.keys), dtype=float)
        for i, name in enumerate(detectors):
            colour = detector_colour(i)
            offset = -GROUP_WIDTH / 2 + width * (i + 0.5)
            item = pg.BarGraphItem(x=x + offset, height=np.zeros(len(self.keys)),
                                   width=width * 0.92, brush=colour, pen=pg.mkPen(None))
            self.plot.addItem(item)
            self.legend.addItem(item, name)
            self.bars[name] = item
            self._values[name] = np.zeros(len(self.keys))
        # one row: a column of names covered the bars under it on a short plot
        self.legend.setColumnCount(max(1, len(detectors)))

    def _stagger_labels(self, staggered: bool) -> None:
        """AU names in one row, or every other one a line down where one row would overlap."""
        if staggered == self._staggered:
            return
        self._staggered = staggered
        bottom = self.plot.getAxis("bottom")
        bottom.setTicks([[(i, "\n" + k if staggered and i % 2 else k)
                          for i, k in enumerate(self.keys)]])
        bottom.setHeight(34 if staggered else None)

    def _fit_labels(self) -> None:
        """Stagger the AU names where the plot is too narrow for one row of them, and leave
        room beside the first and last bars for their names (pyqtgraph drops a label that
        reaches past its axis: at 900 px the last one, AU30R, went)."""
        metrics = QFontMetrics(self.plot.getAxis("bottom").style["tickFont"])
        widest = max(metrics.horizontalAdvance(k) for k in self.keys)
        n = max(1, len(self.keys))
        slot = self.plot.getPlotItem().vb.width() / n
        self._stagger_labels(slot < widest + 6)
        left, right = (0.5 * metrics.horizontalAdvance(self.keys[i]) / max(slot, 1.0)
                       for i in (0, -1))
        self.plot.setXRange(-max(0.6, left + 0.1), n - 1 + max(0.6, right + 0.1), padding=0)

    @property
    def detectors(self) -> list[str]:
        return list(self.bars)

    def set_readings(self, readings: dict[str, AUReading] | None) -> None:
        """Show one face's readings (None: all bars to zero)."""
        for name, item in self.bars.items():
            reading = (readings or {}).get(name)
            values = np.array([reading.get(k, 0.0) if reading else 0.0 for k in self.keys])
            values = np.clip(np.nan_to_num(values), 0.0, MAX_INTENSITY)
            if not np.array_equal(values, self._values[name]):
                self._values[name] = values
                item.setOpts(height=values)

    def heights(self, detector: str) -> np.ndarray:
        """The bar heights now shown for a detector."""
        return np.asarray(self.bars[detector].opts["height"], dtype=float)

    def _hover(self, pos: QPointF) -> None:
        vb = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        x = vb.mapSceneToView(pos).x()
        i = round(x)
        if not 0 <= i < len(self.keys) or abs(x - i) > GROUP_WIDTH / 2:
            QToolTip.hideText()
            return
        key = self.keys[i]
        lines = [f"<b>{key}</b> {AU_BY_KEY[key].name}"]
        for name, values in self._values.items():
            letter = intensity_letter(values[i])
            lines.append(f"{name}: {values[i]:.2f} {letter}".rstrip())
        QToolTip.showText(QCursor.pos(), "<br>".join(lines), self.plot)
