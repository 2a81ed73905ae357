"""Export off the GUI thread: one QRunnable per export, reporting back through signals."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from auedit.export.base import EXPORTERS

FORMATS = tuple(EXPORTERS)
SUFFIXES = {name: exporter.suffix for name, exporter in EXPORTERS.items()}
#: a running export reports its progress at most this often (seconds)
PROGRESS_EVERY_S = 0.2


@dataclass
class ExportJob:
    source: str  # an analysis CSV, a JSON track, or a video / photo (analysed first)
    format: str
    out: str
    fps: int = 60
    face_id: int | None = None


def run_export(job: ExportJob, progress: Callable[[int, int], None] | None = None) -> str:
    """Do the export; returns a one-line summary. Raises ExportError with a readable message.
    `progress` gets the frames analysed and expected of a photo or video source (as
    `load_track`'s); an exception it raises stops the export before anything is written."""
    from auedit.analysis.tracks import load_track, use_rig_mesh
    from auedit.export.base import ExportError as FormatError
    from auedit.export.base import check_suffix, create_exporter
    from auedit.media.outputs import OutputError, check_outputs, replacing

    if job.format not in FORMATS:
        raise ExportError(f"unknown format {job.format!r}")
    if not job.out:
        raise ExportError("choose a file to write")
    exporter = create_exporter(job.format, fps=job.fps)
    try:  # never the source, a folder, or in a missing folder; the format's own suffix
        check_outputs([job.out], [job.source])
        check_suffix(exporter, job.out)
    except (OutputError, FormatError) as exc:
        raise ExportError(str(exc)) from exc
    try:
        track = load_track(Path(job.source), face_id=job.face_id, progress=progress)
        if not track.frames:
            which = f"face {job.face_id}" if job.face_id is not None else "any face"
            raise ValueError(f"no frames of {which} in {Path(job.source).name}")
        if job.format == "gltf":
            use_rig_mesh()
        with replacing(job.out) as tmp:  # an existing file stays whole if writing fails
            exporter.write(track, tmp)
    except (ExportError, ExportCancelledError):
        raise
    except Exception as exc:  # reported to the user as one line, never as a traceback
        text = str(exc) or type(exc).__name__
        raise ExportError(text) from exc
    notes = "".join(f" Note: {n}." for n in track.notes)  # e.g. which of several sources
    return (f"Exported {len(track)} frame(s) of face id {track.face_id} to {job.out} "
            f"({job.format}).{notes}")


class ExportError(Exception):
    pass


class ExportCancelledError(Exception):
    """The user stopped the export; nothing was written."""


class ExportSignals(QObject):
    done = Signal(bool, str)  # success, message
    progress = Signal(int, int)  # frames analysed, expected (0: unknown)


class ExportTask(QRunnable):
    """Runs `run_export` in a QThreadPool thread; `cancel` stops it between two frames."""

    def __init__(self, job: ExportJob) -> None:
        super().__init__()
        self.job = job
        self.signals = ExportSignals()
        self.cancelled = False
        self._reported = 0.0

    def cancel(self) -> None:
        self.cancelled = True

    def _progress(self, done: int, expected: int) -> None:
        if self.cancelled:
            raise ExportCancelledError
        now = time.monotonic()
        if now - self._reported >= PROGRESS_EVERY_S or done == expected:
            self._reported = now
            self.signals.progress.emit(done, expected)

    def run(self) -> None:
        try:
            message = run_export(self.job, self._progress)
        except ExportCancelledError:
            self.signals.done.emit(False, f"Export cancelled: nothing written to {self.job.out}")
        except ExportError as exc:
            self.signals.done.emit(False, f"Export failed: {exc}")
        except BaseException as exc:  # a worker thread must not raise
            self.signals.done.emit(False, f"Export failed: {type(exc).__name__}: {exc}")
        else:
            self.signals.done.emit(True, message)
