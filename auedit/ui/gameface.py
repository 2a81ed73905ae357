"""The "Game face" panel: the fitted game face of the selected face, rendered live.

The render itself is made in the inference worker; this panel only shows the newest image
and sends the user's choices (on/off, identity photo) to the window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class GameFacePanel(QWidget):
    """A checkbox to enable it, the render, and the identity-transfer buttons."""

    enabled_changed = Signal(bool)
    identity_requested = Signal()  # "Use identity of photo…" pressed
    identity_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: np.ndarray | None = None
        self._pixmap: QPixmap | None = None
        self.enable = QCheckBox("Show game face")
        self.enable.setToolTip("Fit the game face to the selected face and render it live (G)")
        self.enable.toggled.connect(self._toggled)
        self.identity_button = QPushButton("Use identity of photo…")
        self.identity_button.setToolTip("Keep the identity of a photo's face; drive only its "
                                        "expression and head pose from the face in view")
        self.identity_button.clicked.connect(self.identity_requested)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Back to the identity of the face in view")
        self.clear_button.clicked.connect(self.identity_cleared)
        self.clear_button.setEnabled(False)
        self.identity_label = QLabel("Identity: the face in view")
        self.identity_label.setStyleSheet("color: #909090;")
        self.view = QLabel()
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view.setMinimumSize(120, 120)
        self.view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.view.setStyleSheet("background: #292b33; color: #a0a0a0;")

        bar = QHBoxLayout()
        bar.addWidget(self.enable)
        bar.addStretch(1)
        bar.addWidget(self.identity_button)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.identity_label)
        layout.addWidget(self.view, 1)
        self._show_empty()

    @property
    def active(self) -> bool:
        return self.enable.isChecked()

    def _toggled(self, on: bool) -> None:
        if not on:
            self.image = None
            self._pixmap = None
        self._show_empty()
        self.enabled_changed.emit(on)

    def set_identity(self, path: str) -> None:
        self.clear_button.setEnabled(bool(path))
        self.identity_label.setText(f"Identity: {Path(path).name} (expression from the face "
                                    "in view)" if path else "Identity: the face in view")
        self.identity_label.setToolTip(path)

    def set_image(self, image: np.ndarray | None, empty: str = "No face in view") -> None:
        """Show a (H, W, 3) uint8 RGB render; None: `empty` says why there is none."""
        if not self.active:
            return
        if image is None:
            self.image = None
            self._pixmap = None
            self._show_empty(empty)
            return
        self.image = np.ascontiguousarray(image)
        h, w = self.image.shape[:2]
        qimage = QImage(self.image.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self._pixmap = QPixmap.fromImage(qimage.copy())
        self._rescale()

    def _show_empty(self, text: str = "") -> None:
        self.view.clear()
        if not text:
            text = ("Rendering the game face…" if self.active
                    else "Tick “Show game face” to render\nthe fitted game face here.")
        self.view.setText(text)

    def _rescale(self) -> None:
        if self._pixmap is None:
            return
        side = max(16, min(self.view.width(), self.view.height()))
        self.view.setPixmap(self._pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._rescale()
