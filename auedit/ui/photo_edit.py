"""Photo editing in the window: the AU slider panel, the synthesis worker and the image view.

While editing is active (the Edit tab is shown) the image pane shows the edited photo (or the
original while Before is held). The window's timer drives it: `refresh` prepares the worker
when the photo or the selected face changes, sends the newest slider values (at most one
request per tick, the worker keeps only the newest), and repaints when a render came.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from auedit.ui.au_sliders import AUSliderPanel
from auedit.ui.frame_view import FrameView
from auedit.workers.inference import AnalysedFrame
from auedit.workers.synth import SynthesizerFactory, SynthWorker, default_synthesizer


class PhotoEditor(QObject):
    """Connects the panel to a `SynthWorker` (started on first use) and paints the view."""

    message = Signal(str)  # for the status bar

    def __init__(self, panel: AUSliderPanel, view: FrameView,
                 make_synthesizer: SynthesizerFactory = default_synthesizer,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.view = view
        self.make_synthesizer = make_synthesizer  # used when the worker starts (first edit)
        self.worker: SynthWorker | None = None
        self.active = False  # the window sets it while the Edit tab is shown; the edit is kept
        self.original: np.ndarray | None = None  # the photo being edited
        self.result: np.ndarray | None = None  # the newest render of it
        self.last_ms = 0.0
        self._face_index = -1
        self._name = ""
        self._ready = False  # the worker has prepared the current face
        self._pending: tuple[dict[str, float], bool] | None = None
        self._dirty = False
        self._reason = ""
        panel.targets_changed.connect(self._targets_changed)
        panel.before_changed.connect(lambda _b: self._set_dirty())

    # --- the window's timer --------------------------------------------------------------
    def refresh(self, item: AnalysedFrame | None, face_index: int, photo: bool,
                repaint: bool, problem: str = "") -> None:
        """Prepare, request and paint as needed; `repaint`: the view was painted over;
        `problem`: why the file last opened shows nothing (it could not be read)."""
        if not self.active:
            self.view.badge = ""
            return
        faces = item.analysis.faces if item is not None else []
        if item is None and problem:
            self._unavailable(f"{problem}: nothing to edit. Open another photo (Ctrl+O).")
            return
        if item is None or not photo:
            self._unavailable("Open a photo (Ctrl+O) in the Image / video pane to edit its "
                              "expression." if item is None or photo else
                              "Editing works on photos, not videos.")
            return
        if not faces:
            self._unavailable(f"No face found in {Path(item.analysis.source).name}: "
                              "nothing to edit.")
            return
        index = min(face_index, len(faces) - 1)
        if item.rgb is not self.original or index != self._face_index:
            self._prepare(item, index)
        if self._ready and self._pending is not None:
            assert self.worker is not None
            self.worker.request(*self._pending)
            self._pending = None
        if self._dirty or repaint:
            self._dirty = False
            before = self.panel.showing_before and self.result is not None
            self.view.badge = "Before" if before else ""
            self.view.set_frame(self.original if before or self.result is None else self.result,
                                None)

    # --- commands from the window ----------------------------------------------------------
    def save(self, path: str) -> bool:
        """Save the edit at full resolution (in the worker); False when nothing is edited."""
        if not self._ready or self.worker is None:
            self.message.emit("Save edit: no face is being edited")
            return False
        if _same_file(path, self._name):  # as `auedit edit` refuses to write over its input
            self.message.emit(f"Save edit: {Path(path).name} is the photo being edited; "
                              "save the edit under another name")
            return False
        self.worker.save(path, self.panel.targets())
        self.message.emit(f"Saving {Path(path).name}…")
        return True

    def expression_from(self, path: str) -> bool:
        """Take the expression of the face in another photo (set as one undo step)."""
        if not self._ready or self.worker is None:
            self.message.emit("Edit: no face is being edited")
            return False
        self.worker.expression_from(path)
        self.message.emit(f"Edit: reading the expression of {Path(path).name}…")
        return True

    @property
    def suggested_name(self) -> str:
        stem = Path(self._name).stem or "photo"
        return f"{stem}_edited.png"

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.shutdown()

    # --- internals ---------------------------------------------------------------------------
    def _saved(self, path: str) -> None:
        self.panel.mark_saved()
        self.message.emit(f"Saved the edit to {path}")

    def _start_worker(self) -> SynthWorker:
        if self.worker is None:
            worker = self.worker = SynthWorker(self.make_synthesizer)
            worker.prepared.connect(self._prepared)
            worker.rendered.connect(self._rendered)
            worker.saved.connect(self._saved)
            worker.expression.connect(self._expression)
            worker.failed.connect(self._failed)
            worker.start()
        return self.worker

    def _prepare(self, item: AnalysedFrame, index: int) -> None:
        self.original, self._face_index = item.rgb, index
        self._name = item.analysis.source
        self.result, self._pending, self._ready = None, None, False
        self._reason = ""
        self._dirty = True
        self._start_worker().prepare(item.rgb, item.analysis.faces[index].face, self._name)
        self.panel.set_unavailable(f"Preparing face {index + 1} of "
                                   f"{Path(self._name).name}…")

    def _unavailable(self, reason: str) -> None:
        if reason == self._reason:
            return
        self._reason = reason
        self.original = self.result = None
        self._ready = False
        self.view.badge = ""
        self.panel.set_unavailable(reason)
        self.message.emit(f"Edit: {reason}")

    def _set_dirty(self) -> None:
        self._dirty = True

    def _targets_changed(self, targets: dict, preview: bool) -> None:
        self._pending = (targets, preview)

    def _prepared(self, own: dict) -> None:
        if self.original is None:
            return
        self._ready = True
        self.panel.set_face(own, f"Editing face {self._face_index + 1} of "
                                 f"{Path(self._name).name}")

    def _rendered(self, image: np.ndarray, _targets: dict, preview: bool, ms: float) -> None:
        if not self._ready:
            return  # a render of the photo edited before
        self.result, self.last_ms = image, ms
        self._dirty = True
        kind = "preview" if preview else "full"
        self.panel.set_status(f"Editing face {self._face_index + 1} of "
                              f"{Path(self._name).name}: {kind} render {ms:.0f} ms")

    def _expression(self, own: dict, name: str) -> None:
        if self._ready:
            self.panel.set_values(own, f"Expression of {name}")
            self.message.emit(f"Edit: the expression of {name}")

    def _failed(self, text: str) -> None:
        self.message.emit(f"Edit: {text}")
        if not self._ready and self.original is not None:
            self.panel.set_unavailable(f"Cannot edit this face: {text}")


def _same_file(a: str, b: str) -> bool:
    """Whether paths `a` and `b` name one file (b may be no file: a camera's frame)."""
    try:
        return Path(a).resolve() == Path(b).resolve() or Path(a).samefile(b)
    except OSError:  # either is not there
        return False


def with_image_suffix(path: str, chosen_filter: str) -> str:
    """`path` as typed in the save dialog, with the chosen type's suffix where it has none (a
    name without one cannot say which image type to write)."""
    if Path(path).suffix:
        return path
    return path + (".jpg" if chosen_filter.startswith("JPEG") else ".png")
