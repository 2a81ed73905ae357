"""The GE-Net tab: the fitted game face beside the photo or the live face, its parameters as a
histogram (head pose and AU parameters, as the paper's Fig. 8) and the fitting's progress.

The fitting runs in a `GENetWorker`; `GENetView` feeds it from the window's timer (a new
photo, face or input starts a new fit and cancels the running one; live frames are sent as
they come and skipped while a fit runs), polls the progress and paints the newest result.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from auedit.rig.expressions import AU_PARAMETERS
from auedit.rig.model import pose_angles_deg
from auedit.ui.au_histogram import bar_plot
from auedit.ui.frame_view import FrameView
from auedit.workers.genet import EngineFactory, FitProgress, FittedFace, GENetWorker, default_engine
from auedit.workers.inference import AnalysedFrame

POSE_NAMES = ("pitch", "yaw", "roll")
AU_GAP = 0.8  # space between the pose bars and the AU bars
BAR_WIDTH = 0.8
POSE_COLOUR = QColor("#76b7b2")
AU_COLOURS = (QColor("#3d8bfd"), QColor("#9cc3fe"))  # left (or single) side, right side
IMAGE_CAPTIONS = ("Photo (aligned)", "GE-Net imitator", "Game face (rig)")
START_HINT = ("Open a photo (Ctrl+O) or start the camera (F5): GE-Net fits the game face to "
              "the selected face.")


class GENetHistogram(QWidget):
    """Fitted parameters as bars in [0, 1]: pitch, yaw, roll (0.5 frontal), then the rig's 40
    AU parameters; a bilateral AU's two sides stand together under one label."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys = POSE_NAMES + tuple(p.key for p in AU_PARAMETERS)
        n_pose = len(POSE_NAMES)
        self.x = np.concatenate([np.arange(n_pose, dtype=float),
                                 np.arange(len(AU_PARAMETERS)) + n_pose + AU_GAP])
        self.plot = bar_plot((-0.6, self.x[-1] + 0.6), 1.08,
                             [(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)], font_size=7.5)
        groups: dict[str, list[int]] = {}
        for i, p in enumerate(AU_PARAMETERS):  # AU30L and AU30R too share a label
            groups.setdefault(p.facs.removeprefix("AU").rstrip("LR"), []).append(n_pose + i)
        brushes = [POSE_COLOUR] * n_pose + [QColor()] * len(AU_PARAMETERS)
        for members in groups.values():
            for j, i in enumerate(members):
                brushes[i] = AU_COLOURS[min(j, 1)]
        ticks = [(float(i), name[0].upper()) for i, name in enumerate(POSE_NAMES)]
        last = -np.inf
        for label, members in groups.items():
            x = float(self.x[members].mean())
            crowded = x - last < 1.5  # single AUs in a row: every other label one line down
            ticks.append((x, "\n" + label if crowded else label))
            last = last if crowded else x
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.getAxis("bottom").setHeight(34)  # room for the second line of labels
        self.plot.getAxis("left").setWidth(30)
        frontal = pg.PlotDataItem([-0.45, n_pose - 0.55], [0.5, 0.5],
                                  pen=pg.mkPen("#d0d0d8", width=1, style=Qt.PenStyle.DashLine))
        self.values = np.zeros(len(self.keys))
        self.bars = pg.BarGraphItem(x=self.x, height=self.values, width=BAR_WIDTH,
                                    brushes=brushes, pen=pg.mkPen(None))
        self.plot.addItem(self.bars)
        self.plot.addItem(frontal)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_values(self, values: np.ndarray | None) -> None:
        """Show the parameters in `keys` order (pose, then AU); None: all bars to zero."""
        values = np.zeros(len(self.keys)) if values is None else np.asarray(values, float)
        self.values = np.clip(np.nan_to_num(values), 0.0, 1.0)
        self.bars.setOpts(height=self.values)

    def heights(self) -> np.ndarray:
        """The bar heights now shown, in `keys` order."""
        return np.asarray(self.bars.opts["height"], dtype=float)

    def _hover(self, pos: QPointF) -> None:
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(pos).x()
        i = int(np.argmin(np.abs(self.x - x)))
        if abs(self.x[i] - x) > BAR_WIDTH / 2:
            QToolTip.hideText()
            return
        n_pose = len(POSE_NAMES)
        if i < n_pose:
            degrees = pose_angles_deg(self.values[:n_pose])[i]
            text = f"<b>{self.keys[i]}</b> {self.values[i]:.3f} ({degrees:+.1f}°)"
        else:
            p = AU_PARAMETERS[i - n_pose]
            text = f"<b>{p.key}</b> {p.label}: {self.values[i]:.3f}"
        QToolTip.showText(QCursor.pos(), text, self.plot)


class GENetPanel(QWidget):
    """The aligned photo, the imitator's face and the rig render side by side, the progress
    bar and the histogram; or, where GE-Net cannot run, a message saying why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel(START_HINT)
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.views: list[FrameView] = []
        images = QGridLayout()
        images.setContentsMargins(0, 0, 0, 0)
        for col, caption in enumerate(IMAGE_CAPTIONS):
            view = FrameView()
            view.setMinimumSize(90, 90)
            view.empty_message = ""
            label = QLabel(caption)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("color: #909090;")
            images.addWidget(view, 0, col)
            images.addWidget(label, 1, col)
            self.views.append(view)
        self.pose_label = QLabel("")
        self.pose_label.setStyleSheet("color: #909090;")
        self.histogram = GENetHistogram()
        self.histogram.setMinimumHeight(110)

        self.content = QWidget()
        cl = QVBoxLayout(self.content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.status)
        cl.addWidget(self.progress)
        cl.addLayout(images, 2)
        cl.addWidget(self.pose_label)
        cl.addWidget(self.histogram, 3)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("background: #292b33; color: #e0e0e8; padding: 12px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.stack)

    @property
    def unavailable(self) -> bool:
        """The message page is shown (GE-Net cannot run)."""
        return self.stack.currentWidget() is self.message

    def show_unavailable(self, reason: str) -> None:
        self.message.setText(f"GE-Net cannot run here: its trained networks are not "
                             f"available.\n\n{reason}\n\nThe rest of AUEdit works without it.")
        self.stack.setCurrentWidget(self.message)

    def clear(self, text: str) -> None:
        """No fit to show; `text` says why."""
        self.status.setText(text)
        self.progress.reset()
        self.progress.setFormat("")
        for view in self.views:
            view.set_frame(None, None)
        self.pose_label.setText("")
        self.histogram.set_values(None)

    def show_progress(self, p: FitProgress) -> None:
        if p.iterations == 0:  # the networks load (or could not be loaded)
            if p.running:
                self.progress.setRange(0, 0)  # busy
            return
        self.stack.setCurrentWidget(self.content)
        self.progress.setRange(0, max(p.iterations, 1))
        self.progress.setValue(p.iteration)
        loss = "" if math.isnan(p.loss) else f" · loss {p.loss:.4f}"
        self.progress.setFormat(f"iteration {p.iteration}/{p.iterations}{loss}")

    def show_fit(self, result: FittedFace) -> None:
        fit = result.fit
        self.stack.setCurrentWidget(self.content)
        for view, image in zip(self.views, (fit.aligned, fit.imitated, result.render),
                               strict=True):
            view.set_frame(image, None)
        pose = fit.params.pose[0]
        self.histogram.set_values(np.concatenate([pose, fit.params.au[0]]))
        angles = pose_angles_deg(pose)
        self.pose_label.setText("Head pose: " + ", ".join(
            f"{name} {a:+.1f}°" for name, a in zip(POSE_NAMES, angles, strict=True))
            + " · parameters in [0, 1]")


class GENetView(QObject):
    """Connects the panel to a `GENetWorker` (started on first use); driven by the window's
    timer while the GE-Net tab is shown."""

    message = Signal(str)  # for the status bar

    def __init__(self, panel: GENetPanel, make_engine: EngineFactory = default_engine,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.make_engine = make_engine  # used when the worker starts (first fit)
        self.worker: GENetWorker | None = None
        self.active = False
        self.result: FittedFace | None = None  # the newest fit of the current input
        self._generation = -1  # of the current input
        # live, source, the input's generation (the same file opened again is another input:
        # its tracks start afresh, and the worker forgets the last input's), face index
        self._input: tuple[bool, str, int, int] | None = None
        self._photo: np.ndarray | None = None
        self._seq = -1  # the newest frame sent
        self._dirty = False
        self._hint = ""

    # --- the window's timer --------------------------------------------------------------
    def refresh(self, item: AnalysedFrame | None, face_index: int, live: bool) -> None:
        """Send a new input or live frame to the worker, show its progress and result."""
        if not self.active:
            return
        faces = item.analysis.faces if item is not None else []
        if item is None or not faces:
            self._idle(START_HINT if item is None else
                       f"No face in {Path(item.analysis.source).name}: nothing to fit.")
            return
        index = min(face_index, len(faces) - 1)
        face = faces[index].face
        key = (live, item.analysis.source, item.generation, index)
        if key != self._input or (not live and item.rgb is not self._photo):
            self._input, self._photo, self._seq = key, None if live else item.rgb, item.seq
            self.result, self._hint = None, ""
            self._generation = self._start_worker().fit(item.rgb, face, still=not live,
                                                        restart=True)
            name = Path(item.analysis.source).name
            self.panel.clear(f"Fitting face {index + 1} of {name} "
                             f"({'live, light extractor' if live else 'photo'})…")
        elif live and item.seq != self._seq:
            assert self.worker is not None
            self._seq = item.seq
            self.worker.fit(item.rgb, face, still=False, restart=False)
        if self.worker is not None:
            progress = self.worker.progress()
            if progress.generation == self._generation:
                self.panel.show_progress(progress)
        if self._dirty and self.result is not None:
            self._dirty = False
            self.panel.show_fit(self.result)

    def set_active(self, on: bool) -> None:
        """The GE-Net tab was shown or hidden; hidden, a live fit stops (it is fitted again
        from the next frame), and a photo's fit runs on to its end, a second or so, to be
        shown when the tab is back (it was cancelled and started over from 0)."""
        self.active = on
        if on or self.worker is None:
            return
        if self._input is None or self._input[0]:
            self.worker.cancel()
            self._input = self._photo = None
            self._generation = -1

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.shutdown()

    # --- internals ---------------------------------------------------------------------------
    def _start_worker(self) -> GENetWorker:
        if self.worker is None:
            worker = self.worker = GENetWorker(self.make_engine)
            worker.fitted.connect(self._fitted)
            worker.unavailable.connect(self._unavailable)
            worker.failed.connect(self._failed)
            worker.start()
        return self.worker

    def _idle(self, hint: str) -> None:
        if hint == self._hint:
            return
        self._hint, self._input, self._photo, self.result = hint, None, None, None
        self._generation = -1
        if self.worker is not None:
            self.worker.cancel()
        self.panel.clear(hint)

    def _fitted(self, result: FittedFace) -> None:
        if result.generation != self._generation:
            return  # a fit of an input shown before
        self.result, self._dirty = result, True
        loss = result.fit.losses[-1] if result.fit.losses else math.nan
        kind = "photo" if result.still else "live frame"
        self.panel.status.setText(f"Fitted ({kind}): {result.fit.iterations} iterations, "
                                  f"loss {loss:.4f}, {result.seconds:.2f} s")

    def _unavailable(self, reason: str) -> None:
        self.panel.show_unavailable(reason)
        self.message.emit(f"GE-Net: {reason}")

    def _failed(self, text: str) -> None:
        self.message.emit(f"GE-Net: {text}")
        self.panel.status.setText(f"The fit failed: {text}")
