"""The inference worker: takes the newest frame from the slot and runs the Analyzer on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from auedit.analysis.analyzer import AnalysisOptions, Analyzer
from auedit.core.types import FrameAnalysis
from auedit.face.landmarker import Mode
from auedit.face.model_file import FaceModelError
from auedit.media.sources import MediaError
from auedit.workers.gameface import GameFaceRenderer
from auedit.workers.mailbox import FrameSlot, Packet

AnalyzerFactory = Callable[[Mode], Analyzer]

#: The app looks for this many faces per frame at most (`auedit analyze` for 4 unless
#: --max-faces says otherwise): a group photo of five showed four, without a word.
MAX_FACES = 8

#: A still image is analysed this many times when a neutral is set on it (the calibration
#: averages its next frames).
NEUTRAL_REPEATS = 16


def analyzer_factory(detectors: list[str] | tuple[str, ...],
                     options: AnalysisOptions | None = None) -> AnalyzerFactory:
    """A factory for Analyzers in one tracker mode; it is called in the worker thread."""

    def make(mode: Mode) -> Analyzer:
        from auedit.face.tracker import FaceTracker

        return Analyzer.create(list(detectors), tracker=FaceTracker(mode, max_faces=MAX_FACES),
                               options=options or AnalysisOptions())

    return make


@dataclass
class AnalysedFrame:
    """One analysed frame with its pixels, as the GUI shows it."""

    analysis: FrameAnalysis
    rgb: np.ndarray
    latency: float  # seconds from capture to the end of inference
    mode: Mode
    seq: int  # increases with every analysed frame
    gameface: np.ndarray | None = None  # (H, W, 3) uint8 render of the selected face's rig
    generation: int = 0  # the input it came from (`Packet.generation`)


@dataclass
class Stats:
    fps: float = 0.0
    latency: float = 0.0
    dropped: int = 0
    analysed: int = 0


class InferenceWorker(QObject):
    """Runs in its own thread; owns one Analyzer per tracker mode (created lazily there)."""

    ready = Signal(float)  # seconds it took to create the first analyser
    analysed = Signal(object)  # AnalysedFrame
    recording = Signal(str, int)  # path ("" when stopped), rows written
    error = Signal(str)  # one frame or command failed; the worker goes on
    fatal = Signal(str)  # the analyser cannot be created; the worker has stopped
    identity = Signal(str, str)  # identity photo ("" when cleared or failed), a message
    finished = Signal()

    def __init__(self, slot: FrameSlot, make_analyzer: AnalyzerFactory, detectors: list[str],
                 *, warm: tuple[Mode, ...] = (), options: AnalysisOptions | None = None) -> None:
        super().__init__()
        self._slot = slot
        self._make = make_analyzer
        self.detectors = list(detectors)
        self._warm = warm
        self._options = options or AnalysisOptions()
        self._analyzers: dict[Mode, Analyzer] = {}
        self._generation: dict[Mode, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._commands: list[tuple[str, object]] = []
        self._latest: AnalysedFrame | None = None
        self._last_packet: Packet | None = None
        self._writer = None
        self._record_path = ""
        self._seq = 0  # identifies each published result; never reset
        self._analysed = 0  # frames analysed of the current input
        self._input = 0  # the generation of the current input; other packets are stale
        self._fps = 0.0
        self._latency = 0.0
        self._last_done = 0.0
        self._gameface = GameFaceRenderer()

    # --- thread-safe API -----------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    def latest(self) -> AnalysedFrame | None:
        with self._lock:
            return self._latest

    def stats(self) -> Stats:
        return Stats(self._fps, self._latency, self._slot.dropped, self._analysed)

    def reset_stats(self) -> None:
        """Start the rate, latency and analysed count afresh (a new input)."""
        with self._lock:
            self._fps = self._latency = 0.0
            self._analysed = 0
            self._last_done = 0.0

    def clear_latest(self) -> None:
        """Forget the newest result (a new input opens: nothing of the old one is shown)."""
        with self._lock:
            self._latest = None
            self._last_packet = None

    def start_input(self, generation: int) -> None:
        """A new input opens: only its packets (this generation) are analysed from now on."""
        with self._lock:
            self._input = generation
        self.clear_latest()
        self.reset_stats()

    def set_options(self, options: AnalysisOptions) -> None:
        self._command("options", options)

    def capture_neutral(self, track_id: int | None = None) -> None:
        self._command("neutral", track_id)

    def clear_neutral(self) -> None:
        self._command("clear_neutral", None)

    def start_recording(self, path: str) -> None:
        self._command("record", path)

    def stop_recording(self) -> None:
        self._command("record", "")

    def set_gameface(self, enabled: bool) -> None:
        """Render the game face of the selected face after each analysis (or not)."""
        # from the next frame on, even mid-wait; the queued command only re-renders (were it to
        # set the flag too, a quick on-off would see the stale "on" re-enable rendering)
        self._gameface.enabled = bool(enabled)
        self._command("gameface", None)

    def set_gameface_face(self, index: int) -> None:
        """Which face of a frame (by position) the game face follows."""
        self._command("gameface_face", int(index))

    def set_identity_photo(self, path: str) -> None:
        """Render the identity fitted to this photo with the live expression ("": clear)."""
        self._command("identity", str(path))

    def _command(self, name: str, arg: object) -> None:
        with self._lock:
            self._commands.append((name, arg))

    # --- the loop ------------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            t0 = time.monotonic()
            # the first mode is ready before anything else; the others warm up while idle,
            # so the first video or camera frames are not dropped while a model loads
            later = list(self._warm[1:])
            if self._warm:
                self._analyzer(self._warm[0])
                self.ready.emit(time.monotonic() - t0)
            while not self._stop.is_set():
                redo = self._apply_commands()
                packet = self._slot.take(0.05)  # the slot refuses closed inputs' frames
                last = self._last_packet
                if packet is None and last is not None and self._redo(redo, last):
                    packet = last
                if packet is None:
                    if later:
                        self._analyzer(later.pop(0))
                    continue
                try:
                    self._process(packet, repeats=NEUTRAL_REPEATS if redo == "neutral" else 1,
                                  write=packet is not last or redo == "record")
                except (FaceModelError, MemoryError):
                    raise
                except Exception as exc:  # one bad frame must not stop the worker
                    self.error.emit(f"analysis failed: {type(exc).__name__}: {exc}")
        except FaceModelError as exc:
            self.fatal.emit(f"The face model could not be loaded:\n{exc}")
        except Exception as exc:  # a worker must never take the app down
            self.fatal.emit(f"The analyser could not start: {type(exc).__name__}: {exc}")
        finally:
            self._close_writer()
            self._gameface.close()
            for analyzer in self._analyzers.values():
                analyzer.tracker.close()
            self.finished.emit()

    def _analyzer(self, mode: Mode) -> Analyzer:
        analyzer = self._analyzers.get(mode)
        if analyzer is None:
            analyzer = self._analyzers[mode] = self._make(mode)
            analyzer.set_options(self._options)
        return analyzer

    def _apply_commands(self) -> str:
        """Apply queued commands; returns what a still image must be re-analysed for."""
        with self._lock:
            commands, self._commands = self._commands, []
        redo = ""
        for name, arg in commands:
            if name == "options":
                assert isinstance(arg, AnalysisOptions)
                self._options = arg
                for analyzer in self._analyzers.values():
                    analyzer.set_options(arg)
                redo = redo or "options"
            elif name == "neutral":
                for analyzer in self._analyzers.values():
                    analyzer.capture_neutral(arg if isinstance(arg, int) else None)
                redo = "neutral"
            elif name == "clear_neutral":
                for analyzer in self._analyzers.values():
                    analyzer.clear_neutral()
                redo = redo or "options"
            elif name == "record":
                if self._set_recording(str(arg)):
                    redo = redo or "record"
            elif name == "gameface":
                self._rerender()
            elif name == "gameface_face":
                self._gameface.face_index = int(arg)  # type: ignore[call-overload]
                self._rerender()
            elif name == "identity":
                self._set_identity(str(arg))
        return redo

    @staticmethod
    def _redo(redo: str, last: Packet) -> bool:
        """Whether the last frame is analysed again for `redo` while no new one comes: a
        photo for any change; a paused video (its frame on screen) also for a neutral set on
        it, which would otherwise be taken from the next frames played, and for a recording
        started on it, which would otherwise get no row for it. A camera's next frame comes
        anyway."""
        if last.mode is Mode.IMAGE:
            return bool(redo)
        return last.mode is Mode.VIDEO and redo in ("neutral", "record")

    def _set_identity(self, path: str) -> None:
        try:
            done, message = self._gameface.set_identity_photo(path)
        except MediaError as exc:  # its message names the photo
            self.identity.emit("", f"Game face: {exc}")
            return
        except Exception as exc:  # a bad photo must not stop the worker
            self.identity.emit("", f"Game face: cannot use {path}: {exc}")
            return
        self.identity.emit(path if done else "", message)
        if done:
            self._rerender()

    def _rerender(self) -> None:
        """Publish the latest frame again with a fresh game face render (settings changed)."""
        with self._lock:
            item = self._latest
        if item is None or not self._gameface.enabled:
            return
        analyzer = self._analyzers.get(item.mode)
        if analyzer is None:
            return
        try:
            image = self._gameface.render(analyzer, item.analysis, refit=True)
        except Exception as exc:
            self.error.emit(f"game face failed: {type(exc).__name__}: {exc}")
            return
        if not self._gameface.enabled:  # switched off while it rendered
            return
        with self._lock:
            if self._latest is not item or item.generation != self._input:
                return  # a newer frame, or another input, came while it rendered
            self._seq += 1
            new = self._latest = replace(item, seq=self._seq, gameface=image)
        self.analysed.emit(new)

    def _process(self, packet: Packet, repeats: int = 1, write: bool = True) -> None:
        """Analyse `packet`'s frame (`repeats` times: a neutral's frames) and publish it; a
        recording gets its row where `write` (a frame analysed again for a changed option
        is not a new row)."""
        analyzer = self._analyzer(packet.mode)
        if self._generation.get(packet.mode) != packet.generation:
            analyzer.reset()
            self._generation[packet.mode] = packet.generation
        frame = packet.frame
        for _ in range(repeats):
            result = analyzer.analyze(frame.rgb, frame.timestamp, frame.index, packet.source)
        image = None
        if self._gameface.enabled:
            try:
                image = self._gameface.render(analyzer, result)
            except Exception as exc:
                self.error.emit(f"game face failed: {type(exc).__name__}: {exc}")
            if not self._gameface.enabled:  # switched off while it rendered
                image = None
        now = time.monotonic()  # the frame's rate and latency include its game face
        with self._lock:
            if packet.generation != self._input:
                return  # the input was closed while this frame was analysed
            self._count(packet, now)
            self._seq += 1
            item = AnalysedFrame(result, frame.rgb, self._latency, packet.mode, self._seq,
                                 image, packet.generation)
            self._latest = item
            self._last_packet = packet
        if self._writer is not None and write:
            self._writer.write(result)
        self.analysed.emit(item)

    def _count(self, packet: Packet, now: float) -> None:
        """Update the rate, latency and analysed count with a frame analysed at `now`."""
        if self._last_done and packet is not self._last_packet:
            rate = 1.0 / max(now - self._last_done, 1e-6)
            self._fps = rate if self._fps == 0.0 else 0.9 * self._fps + 0.1 * rate
        self._last_done = now
        self._latency = now - packet.captured_at
        self._analysed += 1

    def _set_recording(self, path: str) -> bool:
        """Start recording to `path` ("": stop); whether a recording started."""
        from auedit.export.openface_csv import OpenFaceCsvWriter

        rows = self._close_writer()
        if path:
            try:
                self._writer = OpenFaceCsvWriter(Path(path), self.detectors)
                self._record_path = path
            except OSError as exc:
                self.error.emit(f"cannot record to {path}: {exc}")
                self.recording.emit("", -1)  # none started: the menu's tick goes
                return False
            self.recording.emit(path, 0)
            return True
        self.recording.emit("", rows)
        return False

    def _close_writer(self) -> int:
        writer, self._writer = self._writer, None
        if writer is None:
            return 0
        writer.close()
        return int(writer.rows)

    @property
    def record_path(self) -> str:
        return self._record_path if self._writer is not None else ""

    @property
    def rows_recorded(self) -> int:
        return int(self._writer.rows) if self._writer is not None else 0
