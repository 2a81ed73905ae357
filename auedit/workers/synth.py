"""The synthesis worker: edits one face of a photo in its own thread (never the GUI thread).

It owns one synthesizer (`auedit.synth.base.Synthesizer`). The GUI prepares it on a photo and
face, then sends render requests as the sliders move; requests go through a one-slot mailbox,
so while a render runs only the newest request waits and the others are dropped. Saving and
reading another photo's expression are commands that are never dropped. Every failure comes
back as one line for the status bar, and the prepared face survives it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal

from auedit.core.types import TrackedFace, largest_face
from auedit.media.metadata import read_metadata
from auedit.media.outputs import OutputError, write_image
from auedit.synth.base import PreparedFace, SynthesisError, Synthesizer
from auedit.synth.expression_match import AUReader, matched_targets
from auedit.workers.loop import LoopWorker
from auedit.workers.mailbox import FrameSlot

SynthesizerFactory = Callable[[], Synthesizer]
#: Makes a face tracker for still photos (reading another photo's expression): an object with
#: `track(rgb, timestamp) -> list[TrackedFace]`, `reset()` and `close()`.
TrackerFactory = Callable[[], Any]


def default_synthesizer() -> Synthesizer:
    """The geometric synthesizer (imported in the worker thread, on first use)."""
    from auedit.synth.base import registry

    return registry()["geometric"]()


def default_tracker() -> Any:
    """The tracker of "another photo": several faces, so that the largest is the one taken
    (with one, MediaPipe's pick), and said so."""
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker

    return FaceTracker(Mode.IMAGE, max_faces=4)


@dataclass
class RenderRequest:
    """Targets to render for the preparation of one generation (a newer prepare drops it)."""

    generation: int
    targets: dict[str, float]
    preview: bool


class SynthWorker(LoopWorker):
    """Prepares, renders and saves in a QThread of its own; `start()` it, `shutdown()` it.

    The public methods are thread-safe and return at once; results come as signals, emitted
    in the thread this object lives in (the GUI thread).
    """

    thread_name = "auedit-synth"
    prepared = Signal(dict)  # the face's own AUs (rig parameter keys, 0-5)
    rendered = Signal(object, dict, bool, float)  # RGB image, targets, preview, milliseconds
    saved = Signal(str)  # path written
    expression = Signal(dict, str)  # another photo's own AUs, that photo's file name
    failed = Signal(str)  # one line for the user; the worker and the edit go on

    def __init__(self, make_synthesizer: SynthesizerFactory = default_synthesizer,
                 make_tracker: TrackerFactory = default_tracker) -> None:
        super().__init__(self._step, FrameSlot())
        self._make_synthesizer = make_synthesizer
        self._make_tracker = make_tracker
        self._synthesizer: Synthesizer | None = None
        self._tracker: Any = None
        self._reader: AUReader | None = None  # another photo's AUs as MediaPipe reads them
        self._prepared: PreparedFace | None = None
        self._prepared_generation = -1
        self._source: str | None = None  # the prepared photo's file: a save keeps its metadata
        self._generation = 0
        self._lock = threading.Lock()
        self._commands: list[tuple[str, tuple[Any, ...]]] = []
        self.renders = 0  # renders done (requests dropped by newer ones are not counted)

    # --- thread-safe API ----------------------------------------------------------------------
    def prepare(self, image: np.ndarray, face: TrackedFace, source: str | None = None) -> None:
        """Edit this face of this photo from now on (read from the file `source`, whose colour
        profile and EXIF data a save keeps); requests made before are dropped."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._commands.append(("prepare", (image, face, generation, source)))
        self._slot.clear()

    def request(self, targets: Mapping[str, float], preview: bool = False) -> None:
        """Render these targets; replaces a request that has not started yet."""
        with self._lock:
            generation = self._generation
        self._slot.put(RenderRequest(generation, dict(targets), preview))

    def save(self, path: str, targets: Mapping[str, float]) -> None:
        """Render these targets at full resolution and write them to `path`."""
        self._command("save", (str(path), dict(targets)))

    def expression_from(self, path: str) -> None:
        """Find the face in another photo and report its own AUs (`expression`)."""
        self._command("expression", (str(path),))

    def _command(self, name: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            self._commands.append((name, args))

    # --- the loop (in the worker thread) ------------------------------------------------------
    def _step(self) -> None:
        with self._lock:
            commands, self._commands = self._commands, []
        for name, args in commands:
            self._guarded(getattr(self, f"_do_{name}"), *args)
        request: RenderRequest | None = self._slot.take(0.05)
        if request is not None and request.generation == self._prepared_generation:
            self._guarded(self._do_render, request)

    def _finished(self) -> None:
        if self._tracker is not None:
            self._tracker.close()

    def _guarded(self, job: Callable[..., None], *args: Any) -> None:
        """Run one job; a failure becomes a one-line message and the worker goes on."""
        try:
            job(*args)
        except (SynthesisError, OSError) as exc:
            self._emit("failed", (str(exc),))
        except Exception as exc:  # a worker must never take the app down
            self._emit("failed", (f"{type(exc).__name__}: {exc}",))

    def _synth(self) -> Synthesizer:
        if self._synthesizer is None:
            try:
                self._synthesizer = self._make_synthesizer()
            except ImportError as exc:
                raise SynthesisError(f"photo editing is not available: {exc}") from exc
        return self._synthesizer

    def _do_prepare(self, image: np.ndarray, face: TrackedFace, generation: int,
                    source: str | None) -> None:
        self._prepared, self._prepared_generation, self._source = None, -1, source
        prepared = self._synth().prepare(image, face)
        self._prepared, self._prepared_generation = prepared, generation
        self._emit("prepared", (dict(prepared.own),))

    def _do_render(self, request: RenderRequest) -> None:
        assert self._prepared is not None
        t0 = time.perf_counter()
        image = self._synth().render(self._prepared, request.targets, preview=request.preview)
        self.renders += 1
        ms = (time.perf_counter() - t0) * 1000.0
        self._emit("rendered", (image, request.targets, request.preview, ms))

    def _do_save(self, path: str, targets: dict[str, float]) -> None:
        if self._prepared is None:
            raise SynthesisError("nothing to save: no face is being edited")
        image = self._synth().render(self._prepared, targets, preview=False)
        try:
            write_image(path, image, read_metadata(self._source) if self._source else None)
        except OutputError as exc:
            raise SynthesisError(str(exc)) from exc
        self._emit("saved", (path,))

    def _do_expression(self, path: str) -> None:
        from auedit.media.sources import MediaError, read_image

        name = Path(path).name
        try:
            rgb = read_image(path)
        except MediaError as exc:
            raise SynthesisError(str(exc)) from exc
        if self._tracker is None:
            self._tracker = self._make_tracker()
        self._tracker.reset()
        faces = self._tracker.track(rgb, 0.0)
        face = largest_face(faces)
        if face is None:
            raise SynthesisError(f"no face found in {name}; the expression is unchanged")
        own = dict(self._synth().prepare(rgb, face).own)
        if self._prepared is not None:  # sized to what MediaPipe sees on both photos
            if self._reader is None:
                self._reader = AUReader(self._tracker)
            own = matched_targets(self._synth(), self._prepared, self._reader,
                                  self._reader.reading(rgb, face), own)
        if len(faces) > 1:
            name = f"{name} (the largest of its {len(faces)} faces)"
        self._emit("expression", (own, name))
