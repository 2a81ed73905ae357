"""The GE-Net worker: fits the game face to a photo or to live frames in its own thread.

It owns two engines (`auedit.fit.genet.engine.GENet`), made in its thread on first use: the
paper's extractor ("resnet50") for photos, which start from the landmark fit (30 iterations),
and the light one for the camera and videos, where each frame starts from its track's last
fit (a few iterations). Requests go through a one-slot mailbox, so while a fit runs only the
newest frame waits. A request of a newer generation (another photo, face or input) cancels a
running fit at its next iteration; the frames of one input share a generation and never cancel
each other, so every live fit ends. The GUI polls the progress (`progress()`) on its timer;
results and problems come as signals in the GUI thread. The thread runs at a lower priority
than the app's others (`lower_thread_priority`): fits take the CPU that the GUI, the capture and
the analysis leave.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QThread, Signal

from auedit.core.types import TrackedFace
from auedit.workers.loop import LoopWorker
from auedit.workers.mailbox import FrameSlot
from auedit.workers.torch_threads import use_torch_threads

if TYPE_CHECKING:
    from auedit.fit.genet.engine import GENet, GENetFit
    from auedit.render.face import FaceRenderer
    from auedit.rig.model import FaceRig

PHOTO_EXTRACTOR = "resnet50"
LIVE_EXTRACTOR = "light"
EngineFactory = Callable[[str], "GENet"]
#: Nice levels (Linux) the fitting thread runs below the app's others. Live fits back to back
#: take a core: on two busy cores the GUI's 20 ms timer then came over 100 ms late 22-29 times
#: in 80-135 s (at most 0.59 s) and the analysis dropped 28-39% of the frames; at +10, 2-5 times
#: (0.31 s) and 3-6%, but with other programs busy too GE-Net then all but starved (its first
#: engine took ~100 times as long); +5 halves the stalls (13 against 22) at about the fit rate
#: of +0 (`python benchmarks/genet_gui_stalls.py --nice 0,5,10`).
BACKGROUND_NICE = 5


def lower_thread_priority(nice: int) -> None:
    """Run the calling thread, and the threads it starts later (torch's), `nice` levels below
    the others (elsewhere than Linux: at Qt's low priority)."""
    if sys.platform.startswith("linux"):  # the nice value is per thread there
        tid = threading.get_native_id()
        with contextlib.suppress(OSError):  # a sandbox may refuse it: fit at full priority
            os.setpriority(os.PRIO_PROCESS, tid,
                           min(os.getpriority(os.PRIO_PROCESS, tid) + nice, 19))
    else:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)


def default_engine(extractor: str) -> GENet:
    """The shipped GE-Net with this extractor (imported in the worker thread, on first use)."""
    from auedit.fit.genet.engine import GENet

    use_torch_threads(None)  # torch's default in this thread, whatever the game face set
    return GENet(extractor)


@dataclass
class FitRequest:
    """One face of one frame to fit; a newer generation cancels it."""

    generation: int
    image: np.ndarray  # (H, W, 3) uint8 RGB
    face: TrackedFace
    still: bool  # a photo (the paper's extractor, from the landmark fit), else a live frame


@dataclass(frozen=True)
class FitProgress:
    """Where the newest fit stands; `iterations` 0 while the networks load."""

    generation: int = -1
    iteration: int = 0
    iterations: int = 0
    loss: float = math.nan
    running: bool = False


@dataclass
class FittedFace:
    """A finished fit with the game face rendered from its parameters."""

    generation: int
    still: bool
    fit: GENetFit
    render: np.ndarray  # (S, S, 3) uint8 the rig with the fitted parameters, base-face frame
    seconds: float


class _CancelledError(Exception):
    """A newer generation (or the shutdown) stops the running fit."""


class GENetWorker(LoopWorker):
    """Fits in a QThread of its own; `start()` it, `shutdown()` it.

    The public methods are thread-safe and return at once.
    """

    thread_name = "auedit-genet"
    fitted = Signal(object)  # FittedFace
    unavailable = Signal(str)  # GE-Net cannot run (a network file is missing): why
    failed = Signal(str)  # one fit failed; the worker goes on

    def __init__(self, make_engine: EngineFactory = default_engine) -> None:
        super().__init__(self._step, FrameSlot())
        self._make_engine = make_engine
        self._engines: dict[str, GENet] = {}
        self._broken: dict[str, int] = {}  # extractor -> the generation its engine failed in
        self._renderers: dict[int, FaceRenderer] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._progress = FitProgress()
        self._live_generation = -1
        self._live_tracks: set[int] = set()  # tracks the live engine has fitted before
        self.fits = 0  # fits finished (cancelled ones are not counted)
        self._background = False  # the thread's priority is lowered (on its first step)

    # --- thread-safe API ----------------------------------------------------------------------
    def fit(self, image: np.ndarray, face: TrackedFace, *, still: bool, restart: bool) -> int:
        """Fit this face; `restart`: another photo, face or input (a running fit is cancelled).
        Returns the request's generation."""
        with self._lock:
            if restart:
                self._generation += 1
            generation = self._generation
        self._slot.put(FitRequest(generation, image, face, still))
        return generation

    def cancel(self) -> None:
        """Stop the running fit and drop the waiting one."""
        with self._lock:
            self._generation += 1
        self._slot.clear()

    def progress(self) -> FitProgress:
        with self._lock:
            return self._progress

    # --- the loop (in the worker thread) ------------------------------------------------------
    def _step(self) -> None:
        if not self._background:  # before the first fit, so torch's threads inherit it
            self._background = True
            lower_thread_priority(BACKGROUND_NICE)
        request: FitRequest | None = self._slot.take(0.05)
        if request is None or request.generation != self._current():
            return
        try:
            self._fit(request)
        except _CancelledError:
            pass
        except Exception as exc:  # a worker must never take the app down
            self._emit("failed", (f"{type(exc).__name__}: {exc}",))
        finally:
            with self._lock:
                self._progress = replace(self._progress, running=False)

    def _current(self) -> int:
        with self._lock:
            return self._generation

    def _set_progress(self, progress: FitProgress) -> None:
        with self._lock:
            self._progress = progress

    def _fit(self, request: FitRequest) -> None:
        generation, still, face = request.generation, request.still, request.face
        self._set_progress(FitProgress(generation, running=True))
        engine = self._engine(PHOTO_EXTRACTOR if still else LIVE_EXTRACTOR, generation)
        if engine is None:
            return
        if still:
            n = engine.fitter.settings.iterations
        else:
            if generation != self._live_generation:  # another input: its tracks are new
                engine.forget()
                self._live_tracks.clear()
                self._live_generation = generation
            n = (engine.live_iterations if face.track_id in self._live_tracks
                 else engine.fitter.settings.iterations)

        def report(i: int, loss: float) -> None:
            self._set_progress(FitProgress(generation, i, n, loss, True))
            if self._stop.is_set() or self._current() != generation:
                raise _CancelledError

        t0 = time.perf_counter()
        self._set_progress(FitProgress(generation, 0, n, math.nan, True))
        fit = engine.fit(request.image, face, still=still, iterations=n, progress=report)
        if not still:
            self._live_tracks.add(face.track_id)
        render = self._renderer(engine.rig).render_uint8(fit.params, align=True)[0]
        self.fits += 1
        self._emit("fitted", (FittedFace(generation, still, fit, render,
                                         time.perf_counter() - t0),))

    def _engine(self, extractor: str, generation: int) -> GENet | None:
        """The engine for `extractor`, made on first use; None (reported) when it cannot be
        made. A failed one is tried again for the next generation (the files may be back)."""
        engine = self._engines.get(extractor)
        if engine is None and self._broken.get(extractor) != generation:
            try:
                engine = self._engines[extractor] = self._make_engine(extractor)
            except (RuntimeError, ImportError) as exc:  # ModelFileError is a RuntimeError
                self._broken[extractor] = generation
                self._emit("unavailable", (str(exc),))
        return engine

    def _renderer(self, rig: FaceRig) -> FaceRenderer:
        renderer = self._renderers.get(id(rig))
        if renderer is None:
            from auedit.fit.base_face import SIZE
            from auedit.render.face import FaceRenderer

            renderer = self._renderers[id(rig)] = FaceRenderer(rig, SIZE, look="textured")
        return renderer
