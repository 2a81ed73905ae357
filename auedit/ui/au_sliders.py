"""The AU slider panel: set the expression of a photo's face, one slider per rig AU.

The panel holds the target AU values (rig parameter keys, FACS 0-5) and emits them whenever
they change; it renders nothing and calls no engine. Sided AUs (and the two lips of AU28) have
one slider for both sides unless split. Every change is one undo step: a whole slider drag, a
preset, a reset, an expression taken from another photo.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QUndoCommand,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from auedit.core.aus import AU_BY_KEY, MAX_INTENSITY, Region, intensity_letter
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS, AUParameter

#: Slider steps per FACS intensity unit.
STEPS = 10
#: The emotion presets offered, in this order (their AU values: `auedit.synth.presets`).
EMOTIONS = ("happiness", "sadness", "surprise", "fear", "anger", "disgust", "contempt",
            "neutral")
SECTIONS: dict[Region, str] = {
    Region.BROWS: "Upper face: brows", Region.EYES: "Upper face: eyes",
    Region.CHEEKS: "Mid face: cheeks", Region.NOSE: "Mid face: nose",
    Region.MOUTH: "Lower face: mouth", Region.JAW: "Lower face: jaw",
}
SIDE_NAMES = {"L": "L", "R": "R", "U": "up", "D": "lo"}
NAME_WIDTH = 170  # pixels for "AU15  Lip Corner Depressor"


def load_presets() -> dict[str, dict[str, float]]:
    """Emotion name -> rig parameter targets (`auedit.synth.presets.preset_targets`: the
    preset's AUs, and 0 for those of the other presets); empty where the presets table is not
    installed."""
    try:
        from auedit.synth.presets import PRESETS, preset_targets
    except ImportError:
        return {}
    return {name: preset_targets(name) for name in PRESETS}


class LetterSlider(QSlider):
    """A horizontal 0-5 slider with the FACS letters (A-E) under its integer ticks.

    The mouse wheel moves it only when it has the focus, so scrolling the panel does not
    change an AU by accident.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._font = QFont(self.font())
        self._font.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.75))
        self.setRange(0, int(MAX_INTENSITY * STEPS))
        self.setSingleStep(1)
        self.setPageStep(STEPS)
        self.setTickInterval(STEPS)
        self.setTickPosition(QSlider.TickPosition.TicksAbove)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(140)

    def _letter_height(self) -> int:
        """The strip under the slider for the letters, with a pixel's gap above them (the
        style's handle reaches the last row of the rectangle it is given)."""
        return QFontMetrics(self._font).height() + 1

    def letters_top(self) -> int:
        return self.height() - QFontMetrics(self._font).height()

    def initStyleOption(self, option: QStyleOptionSlider) -> None:  # noqa: N802 (Qt API)
        """The style draws (and hit-tests) the slider above a strip kept for the letters."""
        super().initStyleOption(option)
        option.rect.setHeight(max(1, self.height() - self._letter_height()))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().sizeHint()
        return QSize(hint.width(), hint.height() + self._letter_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt API)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                      QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                      QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        p = QPainter(self)
        p.setFont(self._font)
        p.setPen(self.palette().color(self.foregroundRole()))
        top = self.letters_top()
        height = self.height() - top
        for i in range(int(MAX_INTENSITY) + 1):
            x = groove.x() + handle.width() / 2 + QStyle.sliderPositionFromValue(
                self.minimum(), self.maximum(), i * STEPS, span)
            text = intensity_letter(i) or "0"
            p.drawText(int(x - height), top, 2 * height, height,
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)
        p.end()


def _value_text(value: float) -> str:
    letter = intensity_letter(value)
    return f"{value:.1f} {letter}" if letter else f"{value:.1f}"


class AURow(QWidget):
    """The slider(s) of one FACS AU: one linked slider, or one per side when split."""

    moved = Signal(str, float)  # parameter key ("" = every parameter of the row), value
    pressed = Signal()
    released = Signal()
    split_changed = Signal(bool)

    def __init__(self, params: list[AUParameter], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.params = params
        self.facs = params[0].facs
        au = AU_BY_KEY[self.facs]
        tip = f"AU{au.number} {au.name}: {au.description}"
        self.name = QLabel(f"{self.facs}  {au.name}")
        self.name.setToolTip(tip)
        self.name.setFixedWidth(NAME_WIDTH)
        self.sliders: dict[str, LetterSlider] = {}  # "" (linked) and each parameter key
        self.labels: dict[str, QLabel] = {}
        self._side_labels: list[QLabel] = []
        self.split = QToolButton()
        self.split.setText("Split")
        self.split.setCheckable(True)
        which = "upper and lower lip" if params[0].side == "U" else "left and right side"
        self.split.setToolTip(f"Set the {which} of {self.facs} apart")
        self.split.setVisible(len(params) > 1)
        self.split.toggled.connect(self._split_toggled)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(0)
        grid.addWidget(self.name, 0, 0)
        keys = [""] + [p.key for p in params] if len(params) > 1 else [params[0].key]
        for row, key in enumerate(keys):
            slider = LetterSlider()
            side = next((p.side for p in params if p.key == key), "")
            slider.setToolTip(f"{tip}\n{key or self.facs}: 0 absent, A trace … E maximum")
            slider.valueChanged.connect(lambda v, k=key: self.moved.emit(k, v / STEPS))
            slider.sliderPressed.connect(self.pressed)
            slider.sliderReleased.connect(self.released)
            label = QLabel(_value_text(0.0))
            label.setFixedWidth(44)
            side_label = QLabel(SIDE_NAMES.get(side, ""))
            side_label.setFixedWidth(14)
            grid.addWidget(side_label, max(0, row - 1), 1)
            grid.addWidget(slider, max(0, row - 1), 2)
            grid.addWidget(label, max(0, row - 1), 3)
            self.sliders[key], self.labels[key] = slider, label
            if key:
                self._side_labels.append(side_label)
        grid.addWidget(self.split, 0, 4)
        grid.setColumnStretch(2, 1)
        self.split.setFixedWidth(self.split.sizeHint().width())
        if len(params) == 1:  # keep the column, so every row's slider lines up
            grid.setColumnMinimumWidth(4, self.split.sizeHint().width()
                                       + grid.horizontalSpacing())
        self._split_toggled(False)

    @property
    def is_split(self) -> bool:
        return len(self.params) > 1 and self.split.isChecked()

    def _split_toggled(self, on: bool) -> None:
        if len(self.params) == 1:
            return
        self.sliders[""].setVisible(not on)
        self.labels[""].setVisible(not on)
        for p in self.params:
            self.sliders[p.key].setVisible(on)
            self.labels[p.key].setVisible(on)
        for w in self._side_labels:
            w.setVisible(on)
        self.split_changed.emit(on)

    def show_values(self, values: Mapping[str, float]) -> None:
        """Move the sliders to `values` without emitting `moved`; linked shows the mean."""
        shown = {p.key: float(values.get(p.key, 0.0)) for p in self.params}
        if len(self.params) > 1:
            shown[""] = sum(shown.values()) / len(shown)
        for key, value in shown.items():
            slider = self.sliders[key]
            slider.blockSignals(True)
            slider.setValue(round(value * STEPS))
            slider.blockSignals(False)
            self.labels[key].setText(_value_text(value))


class _SetValues(QUndoCommand):
    """One undoable change of the panel's values. Keyboard steps of one slider (`stepped`)
    in a row merge into one: ten arrow presses were ten undo steps."""

    STEP_ID = 1  # `QUndoCommand.id` of a keyboard step; others do not merge

    def __init__(self, panel: AUSliderPanel, before: dict[str, float], after: dict[str, float],
                 text: str, *, stepped: bool = False) -> None:
        super().__init__(text)
        self.panel, self.before, self.after = panel, before, after
        self.stepped = stepped

    def id(self) -> int:
        return self.STEP_ID if self.stepped else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, _SetValues) or other.text() != self.text():
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.panel.apply(self.after)

    def undo(self) -> None:
        self.panel.apply(self.before)


class AUSliderPanel(QWidget):
    """Sliders grouped by face region, presets, before/after, undo/redo, save.

    `targets_changed(values, preview)`: the values to render; preview is True while a slider
    is being dragged. The buttons that need the window (save, another photo) only emit.
    """

    targets_changed = Signal(dict, bool)
    before_changed = Signal(bool)
    save_requested = Signal()
    expression_requested = Signal()
    split_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.own: dict[str, float] = dict.fromkeys(AU_PARAMETER_KEYS, 0.0)
        self.values: dict[str, float] = dict(self.own)
        self._drag_start: dict[str, float] | None = None
        self.undo_stack = QUndoStack(self)
        self.presets = load_presets()

        self.before = QPushButton("Before")
        self.before.setCheckable(True)
        self.before.setToolTip("Show the original photo while held or checked (\\)")
        self.before.toggled.connect(lambda _on: self.before_changed.emit(self.showing_before))
        self.before.pressed.connect(lambda: self.before_changed.emit(True))
        self.before.released.connect(lambda: self.before_changed.emit(self.showing_before))
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Back to the photo's own expression")
        self.reset_button.clicked.connect(self.reset)
        self.undo_button = QToolButton()
        self.undo_button.setText("Undo")
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.redo_button = QToolButton()
        self.redo_button.setText("Redo")
        self.redo_button.setToolTip("Redo (Ctrl+Shift+Z)")
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the edited photo at full resolution (Ctrl+S)")
        self.save_button.clicked.connect(self.save_requested)
        self.expression_button = QPushButton("From photo…")
        self.expression_button.setToolTip("Take the expression from another photo")
        self.expression_button.clicked.connect(self.expression_requested)

        self.preset_buttons: dict[str, QToolButton] = {}
        for name in EMOTIONS:
            b = QToolButton()
            b.setText(name.capitalize())
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            preset = self.presets.get(name)
            b.setEnabled(preset is not None)
            b.setToolTip((", ".join(f"{k} {v:.1f}" for k, v in preset.items() if v > 0)
                          or "Every AU the emotions name at 0")
                         if preset else "The emotion presets are not installed")
            b.clicked.connect(lambda _c=False, n=name: self.apply_preset(n))
            self.preset_buttons[name] = b

        self.status = QLabel("")
        self._text = ""  # the status the panel's own state gives
        self._elsewhere: str | None = None  # why the controls are off though a face is edited
        self._has_face = False
        self.status.setStyleSheet("color: #909090;")
        self.status.setWordWrap(True)

        self.rows: dict[str, AURow] = {}
        groups: dict[str, list[AUParameter]] = {}
        for p in AU_PARAMETERS:
            groups.setdefault(p.facs, []).append(p)
        sliders = QWidget()
        sl = QVBoxLayout(sliders)
        sl.setContentsMargins(2, 2, 2, 2)
        for region, title in SECTIONS.items():
            members = [g for facs, g in groups.items() if AU_BY_KEY[facs].region is region]
            if not members:
                continue
            box = QGroupBox(title)
            bl = QVBoxLayout(box)
            bl.setContentsMargins(4, 2, 4, 2)
            bl.setSpacing(0)
            for params in members:
                row = AURow(params)
                row.moved.connect(lambda key, v, r=row: self._moved(r, key, v))
                row.pressed.connect(self._pressed)
                row.released.connect(self._released)
                row.split_changed.connect(lambda _on: self.split_changed.emit())
                bl.addWidget(row)
                self.rows[row.facs] = row
            sl.addWidget(box)
        sl.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(sliders)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        bar = QHBoxLayout()
        for w in (self.before, self.reset_button, self.undo_button, self.redo_button,
                  self.save_button, self.expression_button):
            bar.addWidget(w)
        presets = QHBoxLayout()
        presets.setSpacing(2)
        for b in self.preset_buttons.values():
            presets.addWidget(b)
        self.controls = QWidget()
        cl = QVBoxLayout(self.controls)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(bar)
        cl.addLayout(presets)
        cl.addWidget(self.scroll, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.controls, 1)
        self.set_unavailable("Open a photo (Ctrl+O) to edit its expression.")

    # --- state -------------------------------------------------------------------------
    @property
    def showing_before(self) -> bool:
        """The original photo is to be shown (Before held or checked)."""
        return self.before.isChecked() or self.before.isDown()

    @property
    def available(self) -> bool:
        """A face is being edited (its controls may still be off: `set_elsewhere`)."""
        return self._has_face

    @property
    def unsaved(self) -> bool:
        """Values other than those last saved (`mark_saved`) or, unsaved, the face's own: a
        reset or undo back to them leaves nothing to lose."""
        return self.available and self.values != self._saved

    def mark_saved(self) -> None:
        self._saved = dict(self.values)

    def targets(self) -> dict[str, float]:
        return dict(self.values)

    def set_face(self, own: Mapping[str, float], text: str) -> None:
        """A new face to edit: the sliders start at its own AUs; the undo history restarts."""
        self.own = {k: float(own.get(k, 0.0)) for k in AU_PARAMETER_KEYS}
        self.undo_stack.clear()
        self.values = dict(self.own)
        self._saved = dict(self.own)
        self._show_values()
        self._has_face = True
        self.controls.setEnabled(self._elsewhere is None)
        self._set_text(text)

    def set_unavailable(self, text: str) -> None:
        """Nothing to edit (no photo, no face, preparation failed): say why, disable and show
        0; the values and undo history of the face edited before are gone."""
        self._has_face = False
        self.controls.setEnabled(False)
        self.undo_stack.clear()
        self.own = dict.fromkeys(AU_PARAMETER_KEYS, 0.0)
        self.values = dict(self.own)
        self._saved = dict(self.own)
        self._show_values()
        self._set_text(text)

    def set_status(self, text: str) -> None:
        self._set_text(text)

    def set_elsewhere(self, text: str | None) -> None:
        """With `text`, the photo edited is not in view (the Camera tab is): the controls
        are off and say why, the edit and its history kept; None: back in view."""
        if text == self._elsewhere:
            return
        self._elsewhere = text
        self.controls.setEnabled(text is None and self._has_face)
        self.status.setText(text if text is not None else self._text)

    def _set_text(self, text: str) -> None:
        self._text = text
        if self._elsewhere is None:
            self.status.setText(text)

    def split_keys(self) -> list[str]:
        return [facs for facs, row in self.rows.items() if row.is_split]

    def set_split_keys(self, keys: list[str]) -> None:
        for facs, row in self.rows.items():
            row.split.setChecked(facs in keys)

    # --- changes -----------------------------------------------------------------------
    def set_values(self, values: Mapping[str, float], text: str) -> None:
        """Set every AU (unnamed ones to 0) as one undo step; nothing without a face."""
        if not self.available or self._elsewhere is not None:
            return
        after = {k: float(values.get(k, 0.0)) for k in AU_PARAMETER_KEYS}
        self.undo_stack.push(_SetValues(self, dict(self.values), after, text))

    def reset(self) -> None:
        self.set_values(self.own, "Reset")

    def apply_preset(self, name: str) -> None:
        """The emotion's targets (its AUs, the other presets' AUs at 0) as one undo step; AUs
        no preset names keep the photo's own value (as `auedit edit --preset`)."""
        self.set_values({**self.own, **self.presets[name]}, name.capitalize())

    def apply(self, values: Mapping[str, float], preview: bool = False) -> None:
        """Show and emit `values` (the undo stack's entry point)."""
        self.values = dict(values)
        self._show_values()
        self.targets_changed.emit(dict(self.values), preview)

    def _show_values(self) -> None:
        for row in self.rows.values():
            row.show_values(self.values)

    def _moved(self, row: AURow, key: str, value: float) -> None:
        if not self.available:  # no face: a slider set from code goes back
            row.show_values(self.values)
            return
        keys = [p.key for p in row.params] if key == "" else [key]
        after = dict(self.values)
        after.update(dict.fromkeys(keys, value))
        if self._drag_start is not None:
            self.values = after
            row.show_values(after)
            self.targets_changed.emit(dict(after), True)
        else:  # keyboard, a click on the groove: steps of one slider in a row are one
            self.undo_stack.push(_SetValues(self, dict(self.values), after, row.facs,
                                            stepped=True))

    def _pressed(self) -> None:
        self._drag_start = dict(self.values)

    def _released(self) -> None:
        before, self._drag_start = self._drag_start, None
        if before is None:
            return
        moved = [r.facs for r in self.rows.values() if any(
            before[p.key] != self.values[p.key] for p in r.params)]
        if moved:
            self.undo_stack.push(_SetValues(self, before, dict(self.values), moved[0]))
        else:  # dragged back to where it started: render that at full quality
            self.apply(self.values)
