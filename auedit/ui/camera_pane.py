"""The webcam pane: camera picker, start/stop, mirror, and the live view."""

from __future__ import annotations

import glob
import re
import sys

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
    """Camera indices to offer: on Linux the /dev/video* devices (none: no camera), on other
    systems, which list no devices by path, 0-3."""
    if not sys.platform.startswith("linux"):
        return [0, 1, 2, 3]
    return sorted({int(m.group(1)) for p in glob.glob("/dev/video*")
                   if (m := re.fullmatch(r"/dev/video(\d+)", p))})


NO_CAMERA = "No camera found (no /dev/video* device). Connect one and press Start."


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
        self._list_cameras()
        self.start_button = QPushButton("Start")
        self.start_button.setCheckable(True)
        self.start_button.setToolTip("Start or stop the camera (F5)")
        self.start_button.toggled.connect(self._toggled)
        self.mirror = QCheckBox("Mirror")
        self.mirror.setToolTip("Show the camera as a mirror (M)")
        self.mirror.toggled.connect(self._mirror)
        pipeline.capture_stopped.connect(self._stopped)
        pipeline.error.connect(self._error)

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

    def set_camera_index(self, index: int, *, listed_only: bool = False) -> None:
        """Pick camera `index`, added where it is not listed (asked for by name), or with
        `listed_only` (the one used last time) only if the list has it: a camera gone since
        is not offered again."""
        i = self.picker.findData(index)
        if i < 0:
            if listed_only:
                return
            self.picker.addItem(f"Camera {index}", index)
            self.view.problem = ""
            i = self.picker.count() - 1
        self.picker.setCurrentIndex(i)

    def start(self) -> None:
        self.start_button.setChecked(True)

    def stop(self) -> None:
        self.start_button.setChecked(False)

    def toggle(self) -> None:
        self.start_button.toggle()

    def _list_cameras(self) -> None:
        """Offer the cameras there are; with none, say so in the view."""
        chosen = self.picker.currentData()
        self.picker.clear()
        for i in camera_indices():
            self.picker.addItem(f"Camera {i}", i)
        if chosen is not None and self.picker.findData(chosen) >= 0:
            self.picker.setCurrentIndex(self.picker.findData(chosen))
        self.view.problem = "" if self.picker.count() else NO_CAMERA
        self.view.update()

    def _error(self, text: str) -> None:
        """A camera that could not be opened or went away: the reason stays in the view
        (the status bar's message goes after a few seconds)."""
        if self.view.rgb is None or not self.pipeline.capturing:
            self.view.problem = text
            self.view.update()

    def _toggled(self, on: bool) -> None:
        if on and not self.picker.count():  # plugged in since the list was made?
            self._list_cameras()
            if not self.picker.count():
                self.start_button.blockSignals(True)
                self.start_button.setChecked(False)
                self.start_button.blockSignals(False)
                self.message.emit(NO_CAMERA)
                return
        self.start_button.setText("Stop" if on else "Start")
        self.picker.setEnabled(not on)
        if on:
            self.view.problem = ""
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
