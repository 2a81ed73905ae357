"""File > Export…: a recorded session (CSV) or the open photo's or video's analysis to another
format."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auedit import resources
from auedit.media.sources import IMAGE_SUFFIXES
from auedit.ui.questions import ask
from auedit.workers.export import FORMATS, SUFFIXES, ExportJob, ExportTask

FORMAT_NAMES = {"openface": "OpenFace 2 CSV", "livelink": "Live Link Face CSV",
                "json": "AUEdit JSON track", "gltf": "glTF binary (.glb, animated game face)"}
SOURCE_RECORDING, SOURCE_MEDIA, SOURCE_FILE = "recording", "media", "file"


def _in_app_files(folder: Path) -> bool:
    return folder.resolve().is_relative_to(resources.ROOT.resolve())


class ExportDialog(QDialog):
    """Not modal: the export runs in the thread pool and reports here and in the status bar."""

    exported = Signal(str)  # a message for the status bar
    export_done = Signal(bool, str)  # success, message

    def __init__(self, parent: QWidget | None = None, *, last_recording: str = "",
                 media: str = "", start_dir: str = "", face_id: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setMinimumWidth(520)
        self.start_dir = start_dir or str(Path.home())
        self.running = False
        self._tasks: list[ExportTask] = []
        self._confirmed = ""  # an output the user agreed to replace in the file dialog
        self._running_text = ""

        self.source = QComboBox()
        if last_recording:
            self.source.addItem(f"The last recording ({Path(last_recording).name})",
                                (SOURCE_RECORDING, last_recording))
        self.source.addItem("A CSV file…", (SOURCE_FILE, ""))
        self.set_media(media)
        self.source.setCurrentIndex(0)  # the recording, else the open photo or video
        self.source.currentIndexChanged.connect(self._source_changed)
        self.csv_path = QLineEdit()
        self.csv_path.setPlaceholderText("an AUEdit or OpenFace 2 CSV")
        self.csv_browse = QPushButton("Browse…")
        self.csv_browse.clicked.connect(self._browse_csv)
        csv_row = QHBoxLayout()
        csv_row.addWidget(self.csv_path, 1)
        csv_row.addWidget(self.csv_browse)

        self.format = QComboBox()
        for name in FORMATS:
            self.format.addItem(FORMAT_NAMES[name], name)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.fps = QComboBox()
        self.fps.addItem("60 fps", 60)
        self.fps.addItem("30 fps", 30)
        self.fps.setToolTip("Live Link Face frame rate")
        self.face_id = QSpinBox()
        self.face_id.setRange(-1, 999)
        self.face_id.setValue(-1)
        self.face_id.setSpecialValueText("the first face seen")
        if face_id is not None:  # the face selected in the window
            self.face_id.setValue(face_id)
        self.out_path = QLineEdit()
        self.out_browse = QPushButton("Browse…")
        self.out_browse.clicked.connect(self._browse_out)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_path, 1)
        out_row.addWidget(self.out_browse)

        form = QFormLayout()
        form.addRow("Source:", self.source)
        form.addRow("CSV file:", csv_row)
        form.addRow("Format:", self.format)
        form.addRow("Frame rate:", self.fps)
        self.face_id.setToolTip(
            "Which face to export, by its track id: the face_id column of the CSV, counted "
            "from 0 (the window numbers the faces in view from 1, left to right). Set to the "
            "face selected in the window where it shows several")
        self.source.setToolTip("What to export: a recorded session, the open photo or video "
                               "(analysed on the way), or a CSV from auedit analyze or OpenFace")
        self.csv_browse.setToolTip("Choose the CSV to export")
        self.format.setToolTip("OpenFace 2 CSV, Live Link Face CSV (ARKit 52), AUEdit's JSON "
                               "track, or binary glTF with animated AU shape keys")
        self.out_browse.setToolTip("Choose the file to write")
        self.out_path.setToolTip("The file to write; its suffix must be the format's")
        form.addRow("Face (track id):", self.face_id)
        form.addRow("Write to:", out_row)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setDefault(True)
        self.export_button.setToolTip("Write the export (an existing file is replaced only "
                                      "after you agree)")
        self.export_button.clicked.connect(self.export)
        self.cancel_button = buttons.addButton("Stop", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button.setToolTip("Stop the running export; nothing is written")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._source_changed()
        self._format_changed()

    # --- choices -------------------------------------------------------------------------
    def set_media(self, media: str) -> None:
        """Offer `media`, the photo or video open in the window ("": none), in place of the
        one offered before; chosen where that one was."""
        at = next((i for i in range(self.source.count())
                   if self.source.itemData(i)[0] == SOURCE_MEDIA), None)
        was_chosen = at is not None and self.source.currentIndex() == at
        if at is not None:
            self.source.removeItem(at)
        if media:
            kind = "photo" if Path(media).suffix.lower() in IMAGE_SUFFIXES else "video"
            at = self.source.count() - 1  # before "A CSV file…"
            self.source.insertItem(at, f"The open {kind} ({Path(media).name}, analysed again)",
                                   (SOURCE_MEDIA, media))
            if was_chosen:
                self.source.setCurrentIndex(at)
                self.out_path.clear()
                self._source_changed()

    def source_path(self) -> str:
        kind, path = self.source.currentData()
        return self.csv_path.text().strip() if kind == SOURCE_FILE else path

    def set_format(self, name: str) -> None:
        self.format.setCurrentIndex(FORMATS.index(name))

    def _source_changed(self) -> None:
        kind, _ = self.source.currentData()
        for w in (self.csv_path, self.csv_browse):
            w.setEnabled(kind == SOURCE_FILE)
        if not self.out_path.text():
            src = self.source_path()
            if src:
                # beside the source, but never into the app's own files (the demo photo)
                folder = next(f for f in (Path(src).parent, Path(self.start_dir), Path.home())
                              if not _in_app_files(f))
                self.out_path.setText(str(folder / (Path(src).stem + "_export"
                                                    + SUFFIXES[self.format.currentData()])))

    def _format_changed(self) -> None:
        name = self.format.currentData()
        self.fps.setEnabled(name == "livelink")
        out = self.out_path.text().strip()
        if out:
            path = Path(out)
            self.out_path.setText(str(path.with_suffix(SUFFIXES[name])))

    def _browse_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Export from a CSV", self.start_dir,
                                              "Analysis CSV (*.csv);;All files (*)")
        if path:
            self.csv_path.setText(path)
            self.out_path.clear()
            self._source_changed()

    def _browse_out(self) -> None:
        name = self.format.currentData()
        start = self.out_path.text() or str(Path(self.start_dir) / f"export{SUFFIXES[name]}")
        path, _ = QFileDialog.getSaveFileName(self, "Export to", start,
                                              f"{FORMAT_NAMES[name]} (*{SUFFIXES[name]})")
        if path:
            self.out_path.setText(path)
            self._confirmed = str(Path(path))  # the file dialog asked before replacing it

    def job(self) -> ExportJob:
        face = self.face_id.value()
        return ExportJob(self.source_path(), self.format.currentData(),
                         self.out_path.text().strip(), int(self.fps.currentData()),
                         None if face < 0 else face)

    # --- export --------------------------------------------------------------------------
    def export(self) -> bool:
        """Start the export in the thread pool; False (and a message) if it cannot start."""
        if self.running:
            return False
        job = self.job()
        if not job.source:
            self._finished(False, "Export: choose a CSV file to export")
            return False
        if not job.out:
            self._finished(False, "Export: choose a file to write")
            return False
        out = Path(job.out)
        if out.is_file() and str(out) != self._confirmed and not self.confirm_overwrite(out):
            return False
        task = ExportTask(job)
        task.signals.done.connect(self._finished)
        task.signals.progress.connect(self._progress)
        self._tasks.append(task)
        self.running = True
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setStyleSheet("")
        self._running_text = f"Exporting {Path(job.source).name} to {job.format}…"
        self.status.setText(self._running_text)
        QThreadPool.globalInstance().start(task)
        return True

    def confirm_overwrite(self, out: Path) -> bool:
        """Ask before a typed path replaces a file (Browse… has asked already)."""
        return ask(self, "Replace file?",
                   f"{out.name} already exists in {out.parent}. Replace it?")

    def cancel(self) -> None:
        """Stop the running export between two frames; it reports back as cancelled."""
        for task in self._tasks:
            task.cancel()
        self.cancel_button.setEnabled(False)

    def _progress(self, done: int, expected: int) -> None:
        if self.running:
            of = f" of {expected}" if expected else ""
            self.status.setText(f"{self._running_text} frame {done}{of}")

    def _finished(self, ok: bool, message: str) -> None:
        self.running = False
        self._tasks = [t for t in self._tasks if t.signals is not self.sender()]
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setStyleSheet("" if ok else "color: #e04040;")
        self.status.setText(message)
        self.exported.emit(message)
        self.export_done.emit(ok, message)
