"""Side controls: neutral calibration, smoothing, face selection and overlays."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from auedit.analysis.analyzer import AnalysisOptions


class AnalysisControls(QWidget):
    """Calibration and overlay switches; emits what changed, calls no engine."""

    options_changed = Signal(object)  # AnalysisOptions
    neutral_requested = Signal()
    clear_neutral_requested = Signal()
    overlays_changed = Signal()
    face_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_neutral = QPushButton("Set neutral")
        self.set_neutral.setToolTip("Take the selected face's next frames as its neutral (N)")
        self.clear_neutral = QPushButton("Clear")
        self.clear_neutral.setToolTip("Forget the captured neutral (Shift+N)")
        self.explicit = QCheckBox("Explicit neutral")
        self.explicit.setToolTip("Subtract the neutral captured with Set neutral")
        self.auto = QCheckBox("Auto baseline")
        self.auto.setToolTip("Subtract a running per-person baseline (OpenFace style)")
        self.smoothing = QCheckBox("Smoothing")
        self.smoothing.setToolTip("One Euro filter on the intensities (S)")
        self.explicit.setChecked(True)
        self.set_neutral.clicked.connect(self.neutral_requested)
        self.clear_neutral.clicked.connect(self.clear_neutral_requested)
        for box in (self.explicit, self.auto, self.smoothing):
            box.toggled.connect(lambda _=False: self.options_changed.emit(self.options()))

        self.face = QSpinBox()
        self.face.setRange(1, 1)
        self.face.setToolTip("Which face the histogram shows ([ and ])")
        self.face.valueChanged.connect(lambda v: self.face_changed.emit(v - 1))
        self.face_count = QLabel("of 0")

        self.box = QCheckBox("Box")
        self.landmarks = QCheckBox("Landmarks")
        self.axes = QCheckBox("Head pose")
        self.box.setToolTip("Draw a box round each face, with its number (B)")
        self.landmarks.setToolTip("Draw the 478 tracked face landmarks (L)")
        self.axes.setToolTip("Draw each face's head pose as three axes (P)")
        for box in (self.box, self.landmarks, self.axes):
            box.setChecked(True)
            box.toggled.connect(self.overlays_changed)

        calib = QGroupBox("Neutral calibration")
        g = QGridLayout(calib)
        g.addWidget(self.set_neutral, 0, 0)
        g.addWidget(self.clear_neutral, 0, 1)
        g.addWidget(self.explicit, 1, 0)
        g.addWidget(self.auto, 1, 1)
        g.addWidget(self.smoothing, 2, 0)
        view = QGroupBox("View")
        v = QGridLayout(view)
        faces = QHBoxLayout()
        faces.addWidget(QLabel("Face"))
        faces.addWidget(self.face)
        faces.addWidget(self.face_count)
        faces.addStretch(1)
        v.addLayout(faces, 0, 0, 1, 3)
        v.addWidget(self.box, 1, 0)
        v.addWidget(self.landmarks, 1, 1)
        v.addWidget(self.axes, 1, 2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(calib, 1)
        layout.addWidget(view, 1)

    def options(self) -> AnalysisOptions:
        return AnalysisOptions(smoothing=self.smoothing.isChecked(),
                               explicit_neutral=self.explicit.isChecked(),
                               auto_baseline=self.auto.isChecked())

    @property
    def selected_face(self) -> int:
        return self.face.value() - 1

    def set_face_count(self, n: int) -> None:
        """Called by the window's timer with the number of faces in view."""
        if self.face.maximum() != max(1, n):
            self.face.setMaximum(max(1, n))
        self.face.setEnabled(n > 0)
        self.face_count.setText(f"of {n}" if n else "(no face)")

    def step_face(self, delta: int) -> None:
        n = self.face.maximum()
        self.face.setValue((self.face.value() - 1 + delta) % n + 1)
