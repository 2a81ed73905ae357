"""Shows a frame with overlays: face boxes, landmarks and head pose axes."""

from __future__ import annotations

import numpy as np
from pyqtgraph import functions as fn
from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from auedit.core.types import FrameAnalysis
from auedit.ui.overlay import pose_axes

AXIS_COLOURS = (QColor(230, 60, 60), QColor(60, 200, 60), QColor(70, 130, 255))
BOX_COLOUR = QColor(255, 200, 0)
SELECTED_COLOUR = QColor(0, 220, 255)
LANDMARK_COLOUR = QColor(120, 255, 160)


class FrameView(QWidget):
    """Paints the latest frame scaled to fit, and the analysis on top of it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAutoFillBackground(False)
        self._image: QImage | None = None
        self._rgb: np.ndarray | None = None  # keeps the QImage's buffer alive
        self._analysis: FrameAnalysis | None = None
        self.mirror = False
        self.show_box = True
        self.show_landmarks = True
        self.show_axes = True
        self.selected_face = 0
        self.empty_message = "No input"
        self.problem = ""  # why the input shows nothing (it could not be opened), over the above
        self.badge = ""  # a word over the frame's corner (e.g. "Before" while an edit is hidden)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(640, 480)

    def set_frame(self, rgb: np.ndarray | None, analysis: FrameAnalysis | None) -> None:
        """Show `rgb` with `analysis` drawn over it (None clears the view)."""
        if rgb is None:
            self._image = self._rgb = None
        else:
            self.problem = ""
            self._rgb = np.ascontiguousarray(rgb)
            h, w = self._rgb.shape[:2]
            self._image = QImage(self._rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self._analysis = analysis
        self.update()

    @property
    def rgb(self) -> np.ndarray | None:
        """The frame shown (RGB uint8), None while empty."""
        return self._rgb

    def image_rect(self) -> QRectF:
        """Where the frame lies in the widget."""
        if self._image is None:
            return QRectF()
        iw, ih = self._image.width(), self._image.height()
        s = min(self.width() / iw, self.height() / ih)
        w, h = iw * s, ih * s
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(24, 24, 28))
        if self._image is None:
            p.setPen(QColor(160, 160, 170))
            p.setFont(QFont(self.font().family(), 12))
            text = f"{self.problem}\n\n{self.empty_message}" if self.problem else \
                self.empty_message
            p.drawText(self.rect().adjusted(16, 0, -16, 0),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.image_rect()
        s = rect.width() / self._image.width()
        p.translate(rect.x(), rect.y())
        if self.mirror:
            p.translate(rect.width(), 0)
            p.scale(-1, 1)
        p.drawImage(QRectF(0, 0, rect.width(), rect.height()), self._image)
        if self._analysis is not None:
            self._draw_faces(p, s)
        if self.badge:
            p.resetTransform()
            self._draw_badge(p, rect)
        p.end()

    def _draw_badge(self, p: QPainter, rect: QRectF) -> None:
        font = QFont(self.font().family(), 11, QFont.Weight.Bold)
        p.setFont(font)
        box = p.fontMetrics().boundingRect(self.badge).adjusted(-8, -4, 8, 4)
        box.moveTopLeft(rect.topLeft().toPoint() + QPoint(8, 8))
        p.fillRect(box, QColor(0, 0, 0, 170))
        p.setPen(QColor(255, 255, 255))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, self.badge)

    def _draw_faces(self, p: QPainter, s: float) -> None:
        assert self._analysis is not None
        for i, fa in enumerate(self._analysis.faces):
            face = fa.face
            selected = i == self.selected_face and len(self._analysis.faces) > 1
            if self.show_box:
                x0, y0, x1, y1 = (v * s for v in face.box)
                pen = QPen(SELECTED_COLOUR if selected else BOX_COLOUR, 3 if selected else 2)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            if self.show_landmarks:
                p.setPen(QPen(LANDMARK_COLOUR, max(1.5, min(3.0, face.interocular * s / 60))))
                p.drawPoints(_polygon(face.landmarks[:, :2] * s))
            if self.show_axes:
                origin, ends = pose_axes(face)
                o = QPointF(*(origin * s))
                for colour, end in zip(AXIS_COLOURS, ends, strict=True):
                    pen = QPen(colour, 3)
                    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                    p.setPen(pen)
                    p.drawLine(o, QPointF(*(end * s)))


def _polygon(points: np.ndarray) -> QPolygonF:
    """(N, 2) points as a QPolygonF filled from numpy in one copy (pyqtgraph's helpers), not
    N QPointF objects built in Python on every repaint (50 times faster for 478 landmarks)."""
    poly = fn.create_qpolygonf(len(points))
    fn.ndarray_from_qpolygonf(poly)[:] = points
    return poly
