"""The webcam pane: camera picker, start/stop, mirror, and the live view."""

from __future__ import annotations

import glob
import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auedit.face.landmarker import Mode
from auedit.media.sources import CameraSource
from auedit.ui.frame_view import FrameView
from auedit.workers.pipeline import Pipeline


def camera_indices() -> list[int]:
    """Camera indices to offer: the system's /dev/video* devices, else 0-3."""
    found = sorted({int(m.group(1)) for p in glob.glob("/dev/video*")
                    if (m := re.fullmatch(r"/dev/video(\d+)", p))})
    return found or [0, 1, 2, 3]


class CameraPane(QWidget):
    """Shows one camera, analysed live by the pane's pipeline."""

    message = Signal(str)

    def __init__(self, pipeline: Pipeline, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self.view = FrameView()
        self.view.empty_message = "Camera off. Pick a camera and press Start (F5)."
        self.picker = QComboBox()
        self.picker.setToolTip("Camera")
        for i in camera_indices():
            self.picker.addItem(f"Camera {i}", i)
        self.start_button = QPushButton("Start")
        self.start_button.setCheckable(True)
        self.start_button.setToolTip("Start or stop the camera (F5)")
        self.start_button.toggled.connect(self._toggled)
        self.mirror = QCheckBox("Mirror")
        self.mirror.setToolTip("Show the camera as a mirror (M)")
        self.mirror.toggled.connect(self._mirror)
        pipeline.capture_stopped.connect(self._stopped)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Camera:"))
        bar.addWidget(self.picker)
        bar.addWidget(self.start_button)
        bar.addWidget(self.mirror)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

    @property
    def camera_index(self) -> int:
        return int(self.picker.currentData() if self.picker.currentData() is not None else 0)

    def set_camera_index(self, index: int) -> None:
        i = self.picker.findData(index)
        if i < 0:
            self.picker.addItem(f"Camera {index}", index)
            i = self.picker.count() - 1
        self.picker.setCurrentIndex(i)

    def start(self) -> None:
        self.start_button.setChecked(True)

    def stop(self) -> None:
        self.start_button.setChecked(False)

    def toggle(self) -> None:
        self.start_button.toggle()

    def _toggled(self, on: bool) -> None:
        self.start_button.setText("Stop" if on else "Start")
        self.picker.setEnabled(not on)
        if on:
            index = self.camera_index
            self.pipeline.open(lambda: CameraSource(index), Mode.LIVE)
            self.message.emit(f"Opening camera {index}…")
        elif self.pipeline.capturing:
            self.pipeline.stop_capture()
            self.message.emit("Camera stopped")

    def _stopped(self) -> None:
        # the camera went away or could not be opened: show the button as off
        if self.start_button.isChecked() and not self.pipeline.capturing:
            self.start_button.blockSignals(True)
            self.start_button.setChecked(False)
            self.start_button.blockSignals(False)
            self.start_button.setText("Start")
            self.picker.setEnabled(True)

    def _mirror(self, on: bool) -> None:
        self.view.mirror = on
        self.view.update()
