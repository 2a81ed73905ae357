"""A capture thread feeding an inference thread: what one pane of the app runs."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal

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


class Pipeline(QObject):
    """Owns the inference thread (for the pipeline's life) and one capture thread per input.

    The GUI polls `latest()` and `stats()` on a timer; the signals report events only.
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
        self._capture_thread: QThread | None = None
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
        self._generation += 1
        self.slot.clear()
        self.slot.reset_counters()
        self.inference.reset_stats()
        worker = CaptureWorker(open_source, self.slot, mode, generation=self._generation,
                               paced=paced, paused=paused)
        thread = QThread()
        thread.setObjectName("auedit-capture")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(thread.quit)
        worker.opened.connect(self.opened)
        worker.ended.connect(self.ended)
        worker.error.connect(self.error)
        worker.finished.connect(self.capture_stopped)
        self._capture, self._capture_thread = worker, thread
        thread.start()
        return worker

    def stop_capture(self) -> None:
        worker, thread = self._capture, self._capture_thread
        self._capture = self._capture_thread = None
        if worker is not None and thread is not None:
            worker.stop()
            thread.quit()
            thread.wait(5000)

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
        """Stop both threads (and close a recording)."""
        self.stop_capture()
        self.inference.stop()
        self.slot.close()
        self._inference_thread.quit()
        self._inference_thread.wait(10000)
