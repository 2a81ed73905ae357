"""A capture thread feeding an inference thread: what one pane of the app runs."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

from auedit.analysis.analyzer import AnalysisOptions
from auedit.face.landmarker import Mode
from auedit.workers.capture import CaptureWorker, SourceFactory
from auedit.workers.inference import (
    AnalysedFrame,
    AnalyzerFactory,
    InferenceWorker,
    Stats,
    analyzer_factory,
)
from auedit.workers.mailbox import FrameSlot

log = logging.getLogger(__name__)

#: How long the final shutdown waits for the capture threads, in seconds.
SHUTDOWN_WAIT = 2.0


class Pipeline(QObject):
    """Owns the inference thread (for the pipeline's life) and one capture thread per input.

    The GUI polls `latest()` and `stats()` on a timer; the signals report events only, and
    only for the current input. Switching inputs never waits on the GUI thread: the old
    capture is asked to stop and retires in the background, its late frames and signals
    ignored. Capture threads are daemon threads, because a source can block for seconds in
    OpenCV (a camera opening, a huge image decoding) and cannot be interrupted: one still
    blocked when the app exits is left behind instead of holding up (or aborting) the exit.
    """

    opened = Signal(dict)
    ended = Signal()
    error = Signal(str)  # capture or analysis problem, for the status bar
    fatal = Signal(str)  # the analyser cannot run at all (face model missing)
    ready = Signal(float)
    recording = Signal(str, int)
    capture_stopped = Signal()
    identity = Signal(str, str)  # game face identity photo ("" for none), a message

    def __init__(self, detectors: list[str] | tuple[str, ...], *,
                 make_analyzer: AnalyzerFactory | None = None,
                 options: AnalysisOptions | None = None, warm: tuple[Mode, ...] = (),
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.detectors = list(detectors)
        self.slot = FrameSlot()
        self._generation = 0
        self._capture: CaptureWorker | None = None
        self._capture_thread: threading.Thread | None = None
        self._retiring: list[tuple[threading.Thread, CaptureWorker]] = []
        self.inference = InferenceWorker(
            self.slot, make_analyzer or analyzer_factory(self.detectors, options),
            self.detectors, warm=warm, options=options)
        self._inference_thread = QThread()
        self._inference_thread.setObjectName("auedit-inference")
        self.inference.moveToThread(self._inference_thread)
        self._inference_thread.started.connect(self.inference.run)
        self.inference.finished.connect(self._inference_thread.quit)
        self.inference.error.connect(self.error)
        self.inference.fatal.connect(self.fatal)
        self.inference.ready.connect(self.ready)
        self.inference.recording.connect(self.recording)
        self.inference.identity.connect(self.identity)
        self._inference_thread.start()

    # --- inputs --------------------------------------------------------------------------
    def open(self, open_source: SourceFactory, mode: Mode, *, paced: bool = False,
             paused: bool = False) -> CaptureWorker:
        """Stop the current input and start capturing from a new one."""
        self.stop_capture()
        self._generation += 1  # whatever the old capture still delivers is stale
        self.slot.clear(self._generation)
        self.slot.reset_counters()
        self.inference.start_input(self._generation)
        worker = CaptureWorker(open_source, self.slot, mode, generation=self._generation,
                               paced=paced, paused=paused)
        # the worker's signals come from the capture thread: queued to these slots
        worker.opened.connect(self._capture_opened)
        worker.ended.connect(self._capture_ended)
        worker.error.connect(self._capture_error)
        worker.finished.connect(self._capture_finished)
        thread = threading.Thread(target=worker.run, name="auedit-capture", daemon=True)
        self._capture, self._capture_thread = worker, thread
        thread.start()
        return worker

    def stop_capture(self) -> None:
        """Ask the current capture to stop, without waiting for it (see `retiring`)."""
        worker, thread = self._capture, self._capture_thread
        self._capture = self._capture_thread = None
        if worker is None or thread is None:
            return
        worker.stop()
        if not worker.done:
            self._retiring.append((thread, worker))

    @property
    def retiring(self) -> int:
        """Capture threads asked to stop that have not finished yet."""
        return len(self._retiring)

    def _drop_retired(self) -> None:
        """Forget the retired captures that are done."""
        self._retiring = [(t, w) for t, w in self._retiring if not w.done]

    def _current(self) -> bool:
        """The signal being handled comes from the current capture (not a retiring one)."""
        return self.sender() is not None and self.sender() is self._capture

    @Slot(dict)
    def _capture_opened(self, info: dict) -> None:
        if self._current():
            self.opened.emit(info)

    @Slot()
    def _capture_ended(self) -> None:
        if self._current():
            self.ended.emit()

    @Slot(str)
    def _capture_error(self, text: str) -> None:
        if self._current():
            self.error.emit(text)

    @Slot()
    def _capture_finished(self) -> None:
        if self._current():
            self.capture_stopped.emit()
        else:
            self._drop_retired()

    @property
    def capture(self) -> CaptureWorker | None:
        return self._capture

    @property
    def capturing(self) -> bool:
        return self._capture is not None and not self._capture.done

    # --- results -------------------------------------------------------------------------
    def latest(self) -> AnalysedFrame | None:
        return self.inference.latest()

    def stats(self) -> Stats:
        return self.inference.stats()

    # --- analysis control ----------------------------------------------------------------
    def set_options(self, options: AnalysisOptions) -> None:
        self.inference.set_options(options)

    def capture_neutral(self, track_id: int | None = None) -> None:
        self.inference.capture_neutral(track_id)

    def clear_neutral(self) -> None:
        self.inference.clear_neutral()

    def start_recording(self, path: str) -> None:
        self.inference.start_recording(path)

    def stop_recording(self) -> None:
        self.inference.stop_recording()

    def set_gameface(self, enabled: bool) -> None:
        self.inference.set_gameface(enabled)

    def set_gameface_face(self, index: int) -> None:
        self.inference.set_gameface_face(index)

    def set_identity_photo(self, path: str) -> None:
        self.inference.set_identity_photo(path)

    def shutdown(self) -> None:
        """Stop both threads (and close a recording); the only place that waits for them.

        A capture thread still blocked in its source after `SHUTDOWN_WAIT` seconds is left to
        run (a daemon thread: the process exits without it).
        """
        self.stop_capture()
        self.inference.stop()
        self.slot.close()
        self._inference_thread.quit()
        self._inference_thread.wait(10000)
        deadline = time.monotonic() + SHUTDOWN_WAIT
        for thread, _worker in self._retiring:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("a capture thread is still blocked in its source: left running")
        self._retiring = []
