"""The main window: camera and image panes, AU histogram, time series, readouts, photo editing,
GE-Net fitting."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from auedit.detect import registry
from auedit.face.landmarker import Mode
from auedit.media.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from auedit.ui.au_histogram import AUHistogram
from auedit.ui.au_sliders import AUSliderPanel
from auedit.ui.camera_pane import CameraPane
from auedit.ui.controls import AnalysisControls
from auedit.ui.export_dialog import ExportDialog
from auedit.ui.gameface import GameFacePanel
from auedit.ui.genet import GENetPanel, GENetView
from auedit.ui.image_pane import ImagePane
from auedit.ui.photo_edit import PhotoEditor, with_image_suffix
from auedit.ui.questions import Button, ask
from auedit.ui.settings import app_settings, get_bool, get_int, get_list
from auedit.ui.status import StatusReadout
from auedit.ui.time_series import DEFAULT_SERIES, AUTimeSeries
from auedit.workers.inference import MAX_FACES, AnalysedFrame
from auedit.workers.pipeline import Pipeline

REFRESH_HZ = 30
MEDIA_FILTER = ("Photos and videos (" + " ".join(
    f"*{s}" for s in sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES)) + ");;All files (*)")
PHOTO_FILTER = ("Photos (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
                + ");;All files (*)")


#: The AU histogram's least height (pixels): below it the 0-5 / A-E labels overlapped.
HISTOGRAM_MIN_HEIGHT = 150


class MainWindow(QMainWindow):
    """Wires panes to pipelines; repaints from the newest result on a timer, never per frame."""

    def __init__(self, detectors: list[str] | tuple[str, ...] = registry.APP_DETECTORS,
                 settings: QSettings | None = None, *, pipelines: tuple[Pipeline, Pipeline]
                 | None = None) -> None:
        super().__init__()
        self.setWindowTitle("AUEdit")
        self.setAcceptDrops(True)
        self.settings = settings or app_settings()
        self.detectors = list(detectors)
        self.created_at = time.monotonic()
        self.first_frame_at: float | None = None
        self._shown_seq: dict[int, int] = {}
        self._announced: dict[int, int] = {}  # pane -> the input generation reported
        self._fatal_shown = False

        cam_pipe, img_pipe = pipelines or (
            Pipeline(self.detectors, parent=self),
            Pipeline(self.detectors, warm=(Mode.IMAGE, Mode.VIDEO), parent=self))
        self.camera = CameraPane(cam_pipe)
        self.image = ImagePane(img_pipe)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.camera, "Camera")
        self.tabs.addTab(self.image, "Image / video")
        self.tabs.currentChanged.connect(self._tab_changed)

        self.controls = AnalysisControls()
        self.series = AUTimeSeries()
        self.gameface = GameFacePanel()
        self.right_tabs = QTabWidget()
        self.right_tabs.setDocumentMode(True)
        self.right_tabs.addTab(self.series, "AU time series")
        self.right_tabs.addTab(self.gameface, "Game face")
        self.edit_panel = AUSliderPanel()
        self.right_tabs.addTab(self.edit_panel, "Edit")
        self.editor = PhotoEditor(self.edit_panel, self.image.view, parent=self)
        self.genet_panel = GENetPanel()
        # its own least height (298 px) would hold the whole right column, and with it the
        # histogram below, that tall in every tab; shown, it takes the histogram's room
        self.genet_panel.setMinimumHeight(self.edit_panel.minimumSizeHint().height())
        self.right_tabs.addTab(self.genet_panel, "GE-Net")
        self.genet = GENetView(self.genet_panel, parent=self)
        self.last_recording = ""
        self.export_dialog: ExportDialog | None = None
        self.histogram = AUHistogram(self.detectors)
        hist_box = self.histogram_box = QWidget()
        hb = QVBoxLayout(hist_box)
        hb.setContentsMargins(4, 0, 4, 0)
        hb.setSpacing(2)
        self.histogram_title = QLabel("AU intensity (0-5, FACS A-E)")
        hb.addWidget(self.histogram_title)
        hb.addWidget(self.histogram, 1)
        # the splitter may not crush the bars below where their letters and names still read
        self.histogram.setMinimumHeight(HISTOGRAM_MIN_HEIGHT)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(4, 4, 4, 4)
        rl.addWidget(self.controls)
        rl.addWidget(self.right_tabs, 1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.tabs)
        top.addWidget(right)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(hist_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.top_splitter = top
        self.setCentralWidget(self.splitter)

        self.readout = StatusReadout()
        self.recording_label = QLabel("")
        self.recording_label.setStyleSheet("color: #e04040; font-weight: bold;")
        self.statusBar().addPermanentWidget(self.recording_label)
        self.statusBar().addPermanentWidget(self.readout)

        self.image.may_leave = self.may_drop_edit
        self._make_actions()
        self._connect()
        self._restore()
        self.timer = QTimer(self)
        self.timer.setInterval(1000 // REFRESH_HZ)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    # --- set-up --------------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(menu, text: str, keys, slot, tip: str = "") -> QAction:
            a = QAction(text, self)
            if keys:
                a.setShortcuts([QKeySequence(k) for k in (keys if isinstance(keys, list)
                                                          else [keys])])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            if tip:
                a.setStatusTip(tip)
            menu.addAction(a)
            self.addAction(a)
            return a

        bar = self.menuBar()
        f = bar.addMenu("&File")
        action(f, "&Open photos or videos…", QKeySequence.StandardKey.Open, self.open_dialog,
               "Open photos or videos (PgUp / PgDown go through several); folders can be "
               "dropped on the window")
        self.record_action = action(f, "&Record session to CSV…", "Ctrl+R",
                                    self.toggle_recording,
                                    "Write every analysed frame to a CSV until stopped")
        self.record_action.setCheckable(True)
        action(f, "&Export…", "Ctrl+E", self.export_dialog_open,
               "Export a recorded session or the open video to OpenFace, Live Link, JSON "
               "or glTF")
        f.addSeparator()
        action(f, "&Quit", QKeySequence.StandardKey.Quit, self.close, "Quit AUEdit")
        c = bar.addMenu("&Camera")
        action(c, "&Start / stop camera", "F5", self._camera_toggle,
               "Start the camera chosen in the Camera pane, or stop it")
        action(c, "&Mirror", "M", self.camera.mirror.toggle,
               "Show the camera mirrored, as a mirror does")
        m = bar.addMenu("&Media")
        self.video_actions = [
            action(m, "&Play / pause", "Space", self.image.toggle_play,
                   "Play or pause the open video (at its end, play starts it again)"),
            action(m, "Next &frame", "Right", lambda: self.image.step_frame(1),
                   "Show the video's next frame"),
            action(m, "Pre&vious frame", "Left", lambda: self.image.step_frame(-1),
                   "Show the video's previous frame")]
        self.file_actions = [
            action(m, "&Next file", "PgDown", lambda: self.image.step_file(1),
                   "Open the next of the photos or videos opened together"),
            action(m, "P&revious file", "PgUp", lambda: self.image.step_file(-1),
                   "Open the previous of the photos or videos opened together")]
        a = bar.addMenu("&Analysis")
        action(a, "Set &neutral", "N", self.set_neutral,
               "Take the selected face as it is now as its neutral: its AUs read from there")
        action(a, "&Clear neutral", "Shift+N", self.clear_neutral,
               "Forget the neutral faces set")
        action(a, "&Smoothing", "S", self.controls.smoothing.toggle,
               "Smooth the AU intensities over time (One Euro filter)")
        action(a, "Next f&ace", "]", lambda: self.controls.step_face(1),
               "Select the next face in view (numbered left to right)")
        action(a, "Previous fa&ce", "[", lambda: self.controls.step_face(-1),
               "Select the previous face in view")
        v = bar.addMenu("&View")
        action(v, "&Camera pane", "Ctrl+1", lambda: self.tabs.setCurrentIndex(0),
               "Show the camera")
        action(v, "&Image pane", "Ctrl+2", lambda: self.tabs.setCurrentIndex(1),
               "Show the open photo or video")
        action(v, "Toggle &landmarks", "L", self.controls.landmarks.toggle,
               "Draw the 478 tracked face landmarks")
        action(v, "Toggle &box", "B", self.controls.box.toggle,
               "Draw a box round each face, with its number")
        action(v, "Toggle head &pose axes", "P", self.controls.axes.toggle,
               "Draw each face's head pose as three axes")
        action(v, "&Game face", "G", self.toggle_gameface,
               "Show the game face (or, where it shows, switch it off)")
        action(v, "G&E-Net fit", "Ctrl+4", self.show_genet,
               "Fit the game face to the selected face with GE-Net (photo or live)")
        e = bar.addMenu("&Edit")
        action(e, "&Edit photo expression", "Ctrl+3", self.start_editing,
               "Set the AUs of the photo's selected face with sliders")
        undo = self.edit_panel.undo_stack
        self.undo_action = action(e, "&Undo", QKeySequence.StandardKey.Undo, undo.undo)
        self.redo_action = action(e, "&Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], undo.redo)
        undo.canUndoChanged.connect(self.undo_action.setEnabled)
        undo.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.before_action = action(e, "&Before / after", "\\", self.edit_panel.before.toggle,
                                    "Show the original photo instead of the edit")
        self.before_action.setEnabled(False)
        action(e, "Re&set expression", "", self.edit_panel.reset)
        e.addSeparator()
        action(e, "&Save edited photo…", QKeySequence.StandardKey.Save, self.save_edit_dialog)
        action(e, "&Take expression from another photo…", "", self.expression_dialog)

    def _connect(self) -> None:
        for pane in (self.camera, self.image):
            pipe = pane.pipeline
            pipe.error.connect(self.show_message)
            pipe.fatal.connect(self.show_fatal)
            pipe.recording.connect(self._recording_changed)
            pipe.identity.connect(self._identity_changed)
            pane.message.connect(self.show_message)
        self.image.open_requested.connect(self.open_dialog)
        self.controls.options_changed.connect(self._options_changed)
        self.controls.neutral_requested.connect(self.set_neutral)
        self.controls.clear_neutral_requested.connect(self.clear_neutral)
        self.controls.overlays_changed.connect(self._overlays_changed)
        self._face = 0  # the face selected, for going back to where an edit is kept
        self.controls.face_changed.connect(self._face_changed)
        self.gameface.enabled_changed.connect(self._gameface_enabled)
        self.gameface.identity_requested.connect(self.choose_identity_photo)
        self.gameface.identity_cleared.connect(lambda: self.set_identity_photo(""))
        self.right_tabs.currentChanged.connect(self._right_tab_changed)
        self.editor.message.connect(self.show_message)
        self.genet.message.connect(self.show_message)
        self.edit_panel.save_requested.connect(self.save_edit_dialog)
        self.edit_panel.expression_requested.connect(self.expression_dialog)

    # --- the current pane ----------------------------------------------------------------
    @property
    def pane(self) -> CameraPane | ImagePane:
        return self.camera if self.tabs.currentIndex() == 0 else self.image

    @property
    def pipeline(self) -> Pipeline:
        return self.pane.pipeline

    def latest(self) -> AnalysedFrame | None:
        return self.pipeline.latest()

    # --- refresh (timer) -----------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Show the current pane's newest result, if it is new."""
        pane = self.pane
        item = pane.pipeline.latest()
        if item is None and self._open_failed(pane):
            self._clear(pane)
        # a camera that stopped (unplugged, or stopped by hand) has no live figures to show
        live = pane.pipeline.capturing if pane is self.camera else True
        # nor has an input that could not be opened (its view says why)
        live = live and not pane.view.problem
        stats = pane.pipeline.stats() if pane.pipeline.capture is not None and live else None
        faces = len(item.analysis.faces) if item else 0
        still = self._still(pane)
        self.readout.show_stats(stats, faces, state=self._state(pane))
        self._fit_layout()
        self.series.show_still_hint(still and not pane.view.problem)
        recording = self._recording_pane()
        if recording is not None:  # the recording stays with the tab it was started on
            rows = recording.pipeline.inference.rows_recorded
            tab = self.tabs.tabText(self.tabs.indexOf(recording)).replace("&", "")
            where = "" if recording is pane else f" on the {tab} tab"
            self.recording_label.setText(f"● REC {rows} rows{where}")
        new = item is not None and (force or self._shown_seq.get(id(pane)) != item.seq)
        if item is not None and new:
            self._show(pane, item, faces)
        if pane is self.image:  # the camera pane leaves the edit as it is, out of reach
            self.edit_panel.set_elsewhere(None)
            self.editor.refresh(item, self.controls.selected_face, self.image.kind == "image",
                                repaint=new, problem=pane.view.problem)
        elif self.edit_panel.available:
            self.edit_panel.set_elsewhere("The Edit tab edits the photo in the Image / video "
                                          "tab: switch back to it to go on editing.")
        self.genet.refresh(item, self.controls.selected_face,
                           live=pane is self.camera or self.image.kind == "video")

    def _state(self, pane: CameraPane | ImagePane) -> str:
        """What the readout shows instead of a frame rate ("": the live rate)."""
        if self._still(pane):
            return "photo"
        capture = pane.pipeline.capture
        if pane is self.image and capture is not None:
            return ("ended" if capture.done or capture.at_end
                    else "paused" if capture.paused else "")
        return ""

    def _fit_layout(self) -> None:
        """Video actions only for a video (so the arrow keys move a focused slider otherwise),
        and the main histogram hidden where a tab shows its own figures: the GE-Net tab, and
        the Edit tab while it edits a photo (not while it waits for one: a video then shows
        its readings)."""
        video = self.image.kind == "video"
        for a in self.video_actions:
            a.setEnabled(video)
        for a in self.file_actions:
            a.setEnabled(len(self.image.paths) > 1)
        tab = self.right_tabs.currentWidget()
        hide = tab is self.genet_panel or (tab is self.edit_panel and self.edit_panel.available)
        if self.histogram_box.isHidden() != hide:
            self.histogram_box.setHidden(hide)

    def _still(self, pane: CameraPane | ImagePane) -> bool:
        """The pane shows a photo (no frame rate, no time series)."""
        return pane is self.image and self.image.kind == "image"

    def _open_failed(self, pane: CameraPane | ImagePane) -> bool:
        """The pane still shows an old input while its new one ended without a frame."""
        capture = pane.pipeline.capture
        return capture is not None and capture.done and id(pane) in self._shown_seq

    def _clear(self, pane: CameraPane | ImagePane) -> None:
        """Show nothing of the previous input (the new one could not be opened)."""
        del self._shown_seq[id(pane)]
        pane.view.set_frame(None, None)
        if pane is self.image:
            name = Path(self.image.current_path).name
            pane.view.problem = self.image.open_error or f"{name} could not be opened"
        self.controls.set_face_count(0)
        self.histogram.set_readings(None)
        self.series.clear()
        if self.pane is pane:
            self.gameface.set_image(None, "Nothing to show: the input could not be opened")

    def _announce(self, pane: CameraPane | ImagePane, item: AnalysedFrame, faces: int) -> None:
        """Say how many faces the first result of a new input has."""
        if self._announced.get(id(pane)) == item.generation:
            return
        self._announced[id(pane)] = item.generation
        dialog = self.export_dialog
        if pane is self.image and dialog is not None and not dialog.running:
            dialog.set_media(self.image.current_path)  # not the last file's
        name = Path(item.analysis.source).name or item.analysis.source
        most = " (the most the app looks for)" if faces >= MAX_FACES else ""
        self.show_message(f"{faces} face{'s' if faces > 1 else ''} in {name}{most}" if faces
                          else f"No face found in {name}")

    def _show(self, pane: CameraPane | ImagePane, item: AnalysedFrame, faces: int) -> None:
        """Paint a newly analysed frame and its readings."""
        self._shown_seq[id(pane)] = item.seq
        if self._announced.get(id(pane)) != item.generation:
            self.series.clear()  # a new input: the last one's curves do not go on into it
        self._announce(pane, item, faces)
        if self.first_frame_at is None:
            self.first_frame_at = time.monotonic()
        self.controls.set_face_count(faces)
        sel = min(self.controls.selected_face, max(0, faces - 1))
        pane.view.selected_face = sel
        pane.view.set_frame(item.rgb, item.analysis)
        fa = item.analysis.faces[sel] if faces else None
        self.histogram.set_readings(fa.readings if fa else None)
        if not self._still(pane):  # a photo has no time to plot against
            first = fa.readings.get(self.detectors[0]) if fa and self.detectors else None
            self.series.add(item.analysis.timestamp, first)
        if pane is self.image:
            self.image.show_position(item.analysis.frame_index)
        if self.gameface_active:
            self.gameface.set_image(item.gameface)

    # --- the game face -------------------------------------------------------------------
    @property
    def gameface_active(self) -> bool:
        """Rendered while ticked and its tab is the one shown."""
        return self.gameface.active and self.right_tabs.currentWidget() is self.gameface

    def toggle_gameface(self) -> None:
        """G: turn the game face on, or off where it is in view; where it is on but its tab
        is hidden, bring the tab forward rather than switch it off unseen."""
        if self.gameface.enable.isChecked() and self.right_tabs.currentWidget() is not \
                self.gameface:
            self.right_tabs.setCurrentWidget(self.gameface)
        else:
            self.gameface.enable.toggle()

    def _gameface_enabled(self, on: bool) -> None:
        if on:
            self.right_tabs.setCurrentWidget(self.gameface)
        self._gameface_update()

    def _gameface_update(self) -> None:
        on = self.gameface_active
        for pane in (self.camera, self.image):
            pane.pipeline.set_gameface(on)

    def _face_changed(self, index: int) -> None:
        """Another face selected (the spin box, [ and ]): the edit of the one before is asked
        about first, as opening another file asks (it was dropped without a word)."""
        if index != self._face and not self.may_drop_edit():
            face = self.controls.face
            face.blockSignals(True)
            face.setValue(self._face + 1)
            face.blockSignals(False)
            return
        self._face = index
        for pane in (self.camera, self.image):
            pane.pipeline.set_gameface_face(index)
        self.refresh(force=True)

    def _last_dir(self) -> str:
        """Where file dialogs open: the folder of the last file opened (home at first)."""
        return str(self.settings.value("last_dir", str(Path.home())))

    def _pick_photo(self, title: str) -> str:
        """A photo chosen in a file dialog ("" when cancelled)."""
        path, _ = QFileDialog.getOpenFileName(self, title, self._last_dir(), PHOTO_FILTER)
        return path

    def choose_identity_photo(self) -> None:
        path = self._pick_photo("Use the identity of a photo")
        if path:
            self.set_identity_photo(path)

    def set_identity_photo(self, path: str) -> None:
        """Render this photo's identity with the live expression ("": the face's own)."""
        if path and not self.gameface.active:
            self.gameface.enable.setChecked(True)
        if path:
            self.show_message(f"Game face: fitting {Path(path).name}…")
        for pane in (self.camera, self.image):
            pane.pipeline.set_identity_photo(path)

    def _identity_changed(self, path: str, message: str) -> None:
        if self.sender() is self.pipeline or self.sender() is None:
            self.show_message(message)
        if path or message.endswith("own identity"):
            self.gameface.set_identity(path)

    # --- photo editing ---------------------------------------------------------------------
    def _right_tab_changed(self, _index: int) -> None:
        self._gameface_update()
        self.genet.set_active(self.right_tabs.currentWidget() is self.genet_panel)
        editing = self.right_tabs.currentWidget() is self.edit_panel
        self.before_action.setEnabled(editing)  # Before shows nothing outside the Edit tab
        self._fit_layout()
        if editing != self.editor.active:
            self.editor.active = editing
            if editing and self.image.kind == "image":
                self.tabs.setCurrentWidget(self.image)
            self.refresh(force=True)

    def start_editing(self) -> None:
        """Show the Edit tab (the image pane's photo and selected face)."""
        self.right_tabs.setCurrentWidget(self.edit_panel)

    def show_genet(self) -> None:
        """Show the GE-Net tab (the current pane's photo or live face)."""
        self.right_tabs.setCurrentWidget(self.genet_panel)

    def save_edit_dialog(self) -> None:
        if not self.editor.active or not self.edit_panel.available:
            self.show_message("Save edit: open the Edit tab on a photo with a face first")
            return
        start = Path(str(self.settings.value("edit/save_dir", self._last_dir())))
        if not start.is_dir():  # gone since, or never made: a failed save's folder
            start = Path(self._last_dir())
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the edited photo", str(start / self.editor.suggested_name),
            "PNG (*.png);;JPEG (*.jpg *.jpeg);;All files (*)")
        if path:
            if Path(path).parent.is_dir():
                self.settings.setValue("edit/save_dir", str(Path(path).parent))
            self.editor.save(with_image_suffix(path, chosen))

    def expression_dialog(self) -> None:
        if not self.editor.active or not self.edit_panel.available:
            self.show_message("Edit: open the Edit tab on a photo with a face first")
            return
        path = self._pick_photo("Take the expression from a photo")
        if path:
            self.editor.expression_from(path)

    # --- actions -------------------------------------------------------------------------
    def open_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open photos or videos", self._last_dir(),
                                                MEDIA_FILTER)
        if paths:
            self.open_paths(paths)

    def open_paths(self, paths: list[str]) -> None:
        if not paths:
            return
        first = Path(paths[0])
        self.settings.setValue("last_dir", str(first if first.is_dir() else first.parent))
        self.tabs.setCurrentWidget(self.image)
        self.image.open_paths(paths)

    def set_neutral(self) -> None:
        item = self.latest()
        faces = item.analysis.faces if item else []
        if not faces:
            self.show_message("Set neutral: no face in view")
            return
        index = min(self.controls.selected_face, len(faces) - 1)
        self.pipeline.capture_neutral(faces[index].face.track_id)
        if not self.controls.explicit.isChecked():
            self.controls.explicit.setChecked(True)
        self.show_message(f"Neutral set for face {index + 1}: keep a neutral face")

    def clear_neutral(self) -> None:
        for pane in (self.camera, self.image):
            pane.pipeline.clear_neutral()
        self.show_message("Neutral cleared")

    def toggle_recording(self) -> None:
        """Stop the recording, on whichever tab it runs, or start one on this tab's input."""
        if self._recording_pane() is not None:
            self.stop_recording()
            return
        path, _ = QFileDialog.getSaveFileName(self, "Record session to CSV",
                                              str(Path(self._last_dir()) / "session.csv"),
                                              "CSV (*.csv)")
        if path:
            self.start_recording(path)
        else:
            self.record_action.setChecked(False)

    def start_recording(self, path: str) -> None:
        self.pipeline.start_recording(path)

    def stop_recording(self) -> None:
        for pane in (self.camera, self.image):
            if pane.pipeline.inference.record_path:
                pane.pipeline.stop_recording()

    def _recording_pane(self) -> CameraPane | ImagePane | None:
        """The pane whose input is being recorded, if any."""
        for pane in (self.camera, self.image):
            if pane.pipeline.inference.record_path:
                return pane
        return None

    def export_dialog_open(self) -> None:
        """The export dialog: the running export's, or a new one for what is open now."""
        dialog = self.export_dialog
        if dialog is None or not dialog.running:
            dialog = self.export_dialog = self.make_export_dialog()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def make_export_dialog(self) -> ExportDialog:
        media = self.image.current_path if self.image.kind in ("image", "video") else ""
        dialog = ExportDialog(self, last_recording=self.last_recording, media=media,
                              start_dir=self._last_dir(), face_id=self._selected_track_id())
        dialog.exported.connect(self.show_message)
        return dialog

    def _selected_track_id(self) -> int | None:
        """The track id of the face selected in the image pane, where it shows several."""
        item = self.image.pipeline.latest()
        faces = item.analysis.faces if item else []
        if len(faces) < 2:
            return None
        return faces[min(self.controls.selected_face, len(faces) - 1)].face.track_id

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def show_fatal(self, text: str) -> None:
        if not self._fatal_shown:
            self._fatal_shown = True
            QMessageBox.critical(self, "AUEdit cannot analyse faces", text)

    def _camera_toggle(self) -> None:
        self.tabs.setCurrentWidget(self.camera)
        self.camera.toggle()

    def _recording_changed(self, path: str, rows: int) -> None:
        """A recording started (`path`) or stopped (`rows` written; -1: it never started,
        its error already shown)."""
        self.record_action.setChecked(bool(path))
        if path:
            self.last_recording = path
            self.recording_label.setText("● REC")
            self.show_message(f"Recording to {path}")
        else:
            self.recording_label.setText("")
            if rows >= 0:
                self.show_message(f"Recording stopped: {rows} rows written")

    def _options_changed(self, options: object) -> None:
        for pane in (self.camera, self.image):
            pane.pipeline.set_options(options)  # type: ignore[arg-type]

    def _overlays_changed(self) -> None:
        for pane in (self.camera, self.image):
            pane.view.show_box = self.controls.box.isChecked()
            pane.view.show_landmarks = self.controls.landmarks.isChecked()
            pane.view.show_axes = self.controls.axes.isChecked()
            pane.view.update()

    def _tab_changed(self, _index: int) -> None:
        """Show the new pane's own figures: none until it has a result."""
        self.series.clear()
        self.histogram.set_readings(None)
        self.controls.set_face_count(0)
        self.refresh(force=True)

    # --- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    # --- settings ------------------------------------------------------------------------
    def _restore(self) -> None:
        s = self.settings
        geometry = s.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1260, 760)
        for key, splitter in (("splitter", self.splitter), ("top_splitter", self.top_splitter)):
            state = s.value(key)
            if state is not None:
                splitter.restoreState(state)
            elif splitter is self.splitter:
                splitter.setSizes([450, 260])
            else:
                splitter.setSizes([700, 560])
        self.camera.set_camera_index(get_int(s, "camera/index", 0), listed_only=True)
        self.camera.mirror.setChecked(get_bool(s, "camera/mirror", True))
        self.controls.explicit.setChecked(get_bool(s, "analysis/explicit_neutral", True))
        self.controls.auto.setChecked(get_bool(s, "analysis/auto_baseline", False))
        self.controls.smoothing.setChecked(get_bool(s, "analysis/smoothing", False))
        self.controls.box.setChecked(get_bool(s, "view/box", True))
        self.controls.landmarks.setChecked(get_bool(s, "view/landmarks", True))
        self.controls.axes.setChecked(get_bool(s, "view/axes", True))
        self.series.set_selected(get_list(s, "view/series", DEFAULT_SERIES))
        self.edit_panel.set_split_keys(get_list(s, "edit/split", ()))
        self.tabs.setCurrentIndex(get_int(s, "view/tab", 0))
        self._options_changed(self.controls.options())
        self._overlays_changed()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("splitter", self.splitter.saveState())
        s.setValue("top_splitter", self.top_splitter.saveState())
        s.setValue("camera/index", self.camera.camera_index)
        s.setValue("camera/mirror", self.camera.mirror.isChecked())
        s.setValue("analysis/explicit_neutral", self.controls.explicit.isChecked())
        s.setValue("analysis/auto_baseline", self.controls.auto.isChecked())
        s.setValue("analysis/smoothing", self.controls.smoothing.isChecked())
        s.setValue("view/box", self.controls.box.isChecked())
        s.setValue("view/landmarks", self.controls.landmarks.isChecked())
        s.setValue("view/axes", self.controls.axes.isChecked())
        s.setValue("view/series", ",".join(self.series.selected()))
        s.setValue("edit/split", ",".join(self.edit_panel.split_keys()))
        s.setValue("view/tab", self.tabs.currentIndex())
        s.sync()

    def shutdown(self) -> None:
        """Stop the timer and every worker thread."""
        self.timer.stop()
        self.editor.shutdown()
        self.genet.shutdown()
        for pane in (self.camera, self.image):
            pane.pipeline.shutdown()

    def may_drop_edit(self) -> bool:
        """True where nothing unsaved would be lost, or the user lets the edit go."""
        if not self.edit_panel.unsaved:
            return True
        return self.ask_discard_edit()

    def ask_discard_edit(self) -> bool:
        name = Path(self.image.current_path).name or "the photo"
        return ask(self, "Unsaved edit", f"The edit of {name} is not saved. Discard it?",
                   Button.Discard)

    def may_stop_export(self) -> bool:
        """True where no export runs, or the user lets the running one go."""
        dialog = self.export_dialog
        if dialog is None or not dialog.running:
            return True
        if not self.ask_stop_export():
            return False
        dialog.cancel()
        return True

    def ask_stop_export(self) -> bool:
        return ask(self, "Export running", "An export is still running. Stop it and quit? "
                   "Nothing of it is written.", Button.Discard)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.may_drop_edit() or not self.may_stop_export():
            event.ignore()
            return
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)
