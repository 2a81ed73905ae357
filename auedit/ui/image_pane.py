"""The image pane: open or drop photos and videos, play and step through frames."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from auedit.face.landmarker import Mode
from auedit.media.sources import ImageSource, MediaError, VideoSource, expand_inputs, media_kind
from auedit.ui.frame_view import FrameView
from auedit.workers.pipeline import Pipeline


class ImagePane(QWidget):
    """Photos are analysed once (IMAGE mode), videos played in real time (VIDEO mode)."""

    message = Signal(str)
    open_requested = Signal()

    def __init__(self, pipeline: Pipeline, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline = pipeline
        self.paths: list[str] = []
        self.current = -1
        self.kind = ""
        self.frame_count = 0
        #: asked before another file replaces the open one (the window: "discard the edit?")
        self.may_leave: Callable[[], bool] = lambda: True
        self.view = FrameView()
        self.view.empty_message = "Open (Ctrl+O) or drop photos and videos here."
        self.open_error = ""  # the open file's last error, shown if it never gives a frame
        pipeline.error.connect(self._error)
        style = self.style()

        def tool(icon: QStyle.StandardPixmap, tip: str) -> QToolButton:
            b = QToolButton()
            b.setIcon(style.standardIcon(icon))
            b.setToolTip(tip)
            return b

        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Open photos or videos (Ctrl+O)")
        self.open_button.clicked.connect(self.open_requested)
        self.prev_file = tool(QStyle.StandardPixmap.SP_MediaSkipBackward, "Previous file (PgUp)")
        self.next_file = tool(QStyle.StandardPixmap.SP_MediaSkipForward, "Next file (PgDown)")
        self.prev_file.clicked.connect(lambda: self.step_file(-1))
        self.next_file.clicked.connect(lambda: self.step_file(1))
        self.play_button = tool(QStyle.StandardPixmap.SP_MediaPlay, "Play / pause (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        self.back_button = tool(QStyle.StandardPixmap.SP_MediaSeekBackward,
                                "Previous frame (Left)")
        self.fwd_button = tool(QStyle.StandardPixmap.SP_MediaSeekForward, "Next frame (Right)")
        self.back_button.clicked.connect(lambda: self.step_frame(-1))
        self.fwd_button.clicked.connect(lambda: self.step_frame(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Frame")
        self.slider.sliderReleased.connect(lambda: self.seek(self.slider.value()))
        self.frame_label = QLabel("")
        self.frame_label.setMinimumWidth(90)
        self.file_label = QLabel("")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        pipeline.opened.connect(self._opened)
        pipeline.ended.connect(self._ended)

        files = QHBoxLayout()
        files.addWidget(self.open_button)
        files.addWidget(self.prev_file)
        files.addWidget(self.next_file)
        files.addWidget(self.file_label, 1)
        frames = QHBoxLayout()
        for w in (self.play_button, self.back_button, self.fwd_button):
            frames.addWidget(w)
        frames.addWidget(self.slider, 1)
        frames.addWidget(self.frame_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view, 1)
        layout.addLayout(frames)
        layout.addLayout(files)
        self._update_controls()

    # --- files ---------------------------------------------------------------------------
    def open_paths(self, paths: list[str]) -> None:
        """Open these files and the photos and videos in these folders (the first one now;
        PgUp/PgDown go through the rest), as `auedit gui PATH...` does."""
        files: list[str] = []
        problems: list[str] = []
        for path in paths:
            try:
                files += expand_inputs([path])
            except MediaError as exc:  # a folder without photos, a file that has gone
                problems.append(str(exc))
        if not files:
            self.message.emit(f"Nothing to open: {problems[0] if problems else 'no file'}")
            return
        if not self.may_leave():
            return
        self.paths = files
        self.show_file(0)

    def step_file(self, delta: int) -> None:
        """The next or previous of several open files (one alone is not opened again: that
        would drop its edit)."""
        if len(self.paths) > 1 and self.may_leave():
            self.show_file((self.current + delta) % len(self.paths))

    def show_file(self, index: int) -> None:
        self.current = index
        path = self.paths[index]
        self.kind = "video" if media_kind(Path(path)) == "video" else "image"
        self.frame_count = 0
        self.open_error = ""
        if self.kind == "video":
            self.pipeline.open(lambda: VideoSource(path), Mode.VIDEO, paced=True)
        else:
            self.pipeline.open(lambda: ImageSource(path), Mode.IMAGE)
        n = f" ({index + 1}/{len(self.paths)})" if len(self.paths) > 1 else ""
        self.file_label.setText(Path(path).name + n)
        self.file_label.setToolTip(path)
        self.message.emit(f"Opening {path}")
        self._update_controls()

    def _error(self, text: str) -> None:
        self.open_error = text
        if self.view.problem:  # the window said "could not be opened" before the reason came
            self.view.problem = text
            self.view.update()

    @property
    def current_path(self) -> str:
        return self.paths[self.current] if 0 <= self.current < len(self.paths) else ""

    # --- video control -------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        capture = self.pipeline.capture
        return self.kind == "video" and capture is not None and not capture.paused

    def toggle_play(self) -> None:
        capture = self.pipeline.capture
        if self.kind != "video" or capture is None:
            return
        if capture.paused and self.frame_count and capture.current_index >= self.frame_count - 1:
            capture.seek(0)  # play again from the start
        capture.set_paused(not capture.paused)
        self._update_controls()

    def step_frame(self, delta: int) -> None:
        capture = self.pipeline.capture
        if self.kind != "video" or capture is None:
            return
        capture.set_paused(True)
        capture.seek(max(0, capture.current_index + delta))
        self._update_controls()

    def seek(self, index: int) -> None:
        capture = self.pipeline.capture
        if self.kind == "video" and capture is not None:
            capture.seek(index)

    def show_position(self, index: int) -> None:
        """Called by the window's timer with the frame index now shown."""
        if self.kind != "video":
            return
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(index)
            self.slider.blockSignals(False)
        total = self.frame_count or "?"
        self.frame_label.setText(f"{index + 1} / {total}")
        self._update_icon()

    def _opened(self, info: dict) -> None:
        self.frame_count = int(info.get("frame_count", 0))
        self.slider.setRange(0, max(0, self.frame_count - 1))
        self._update_controls()

    def _ended(self) -> None:
        self._update_icon()

    def _update_icon(self) -> None:
        icon = (QStyle.StandardPixmap.SP_MediaPause if self.playing
                else QStyle.StandardPixmap.SP_MediaPlay)
        self.play_button.setIcon(self.style().standardIcon(icon))

    def _update_controls(self) -> None:
        video = self.kind == "video"
        # a photo has no frames to play or step: the room goes to the view
        for w in (self.play_button, self.back_button, self.fwd_button, self.slider,
                  self.frame_label):
            w.setEnabled(video)
            w.setVisible(video)
        many = len(self.paths) > 1
        self.prev_file.setEnabled(many)
        self.next_file.setEnabled(many)
        self._update_icon()
