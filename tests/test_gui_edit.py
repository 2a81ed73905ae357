"""Photo editing: the AU slider panel, the synthesis worker and the Edit tab, offscreen.

Most tests use `Brighten`, a small synthesizer that adds the sum of the targets to every pixel:
enough to see which targets a render was made from. One test runs the real geometric one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest

from auedit import resources
from auedit.core.types import HeadPose, TrackedFace
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.synth.base import PreparedFace, Synthesizer

pytestmark = pytest.mark.gui

DEMO = resources.ROOT / "demo" / "astronaut.jpg"


@dataclass
class Prepared:
    own: dict[str, float]
    image: np.ndarray


class Brighten:
    """Renders the photo plus the sum of the targets; its own AU12 follows the photo's mean."""

    name = "brighten"
    label = "Brighten (test)"

    def __init__(self) -> None:
        self.gate: threading.Event | None = None  # when set: each render waits for it
        self.rendering = threading.Event()  # a render has started

    def prepare(self, image: np.ndarray, face: TrackedFace) -> PreparedFace:
        own = dict.fromkeys(AU_PARAMETER_KEYS, 0.0)
        own["AU12L"] = own["AU12R"] = round(float(image.mean()) / 255 * 5, 1)
        return Prepared(own, image)

    def render(self, prepared: PreparedFace, targets: Mapping[str, float], *,
               preview: bool = False) -> np.ndarray:
        self.rendering.set()
        if self.gate is not None:
            self.gate.wait(30)
        add = round(sum(targets.values()))
        return np.clip(prepared.image.astype(np.int16) + add, 0, 255).astype(np.uint8)


def test_brighten_is_a_synthesizer():
    assert isinstance(Brighten(), Synthesizer)


def _face() -> TrackedFace:
    return TrackedFace(0, (0, 0, 10, 10), np.zeros((478, 3), np.float32),
                       np.zeros(51, np.float32), HeadPose(0, 0, 0, 0, 0, 0), np.eye(4))


def test_worker_newest_request_wins(qtbot):
    from auedit.workers.synth import SynthWorker

    synth = Brighten()
    worker = SynthWorker(lambda: synth)
    renders: list[dict] = []
    worker.rendered.connect(lambda _image, targets, _preview, _ms: renders.append(targets))
    worker.start()
    try:
        image = np.full((40, 60, 3), 100, np.uint8)
        with qtbot.waitSignal(worker.prepared, timeout=10000) as blocker:
            worker.prepare(image, _face())
        assert blocker.args[0]["AU12L"] == pytest.approx(2.0)
        synth.gate = threading.Event()
        worker.request({"AU26": 0.0}, preview=True)
        qtbot.waitUntil(synth.rendering.is_set, timeout=10000)  # the first render is held
        for i in range(1, 51):
            worker.request({"AU26": i / 10}, preview=True)
        synth.gate.set()
        qtbot.waitUntil(lambda: len(renders) >= 2, timeout=10000)
        with qtbot.waitSignal(worker.rendered, timeout=10000) as last:
            worker.request({"AU26": 5.0}, preview=False)
    finally:
        worker.shutdown()
    # 52 requests: the held one, the newest of the 50 made meanwhile, the last one
    assert renders == [{"AU26": 0.0}, {"AU26": 5.0}, {"AU26": 5.0}]
    assert worker.renders == 3
    assert last.args[1] == {"AU26": 5.0} and last.args[2] is False
    assert int(last.args[0][0, 0, 0]) == 105


def test_worker_reports_failures_and_keeps_working(qtbot, tmp_path):
    from auedit.synth.base import SynthesisError
    from auedit.workers.synth import SynthWorker

    def unavailable() -> Synthesizer:
        raise SynthesisError("the face is too small to edit")

    worker = SynthWorker(unavailable)
    worker.start()
    try:
        with qtbot.waitSignal(worker.failed, timeout=10000) as blocker:
            worker.prepare(np.zeros((8, 8, 3), np.uint8), _face())
        assert blocker.args[0] == "the face is too small to edit"
    finally:
        worker.shutdown()

    worker = SynthWorker(Brighten)
    worker.start()
    try:
        with qtbot.waitSignal(worker.prepared, timeout=10000):
            worker.prepare(np.full((30, 20, 3), 50, np.uint8), _face())
        with qtbot.waitSignal(worker.failed, timeout=10000) as blocker:
            worker.save(str(tmp_path / "missing" / "out.png"), {"AU26": 1.0})
        # the reason named, as the command line names it
        assert "cannot write" in blocker.args[0] and "does not exist" in blocker.args[0]
        assert "Traceback" not in blocker.args[0]
        with qtbot.waitSignal(worker.saved, timeout=10000):
            worker.save(str(tmp_path / "out.png"), {"AU26": 1.0})  # still prepared
        assert cv2.imread(str(tmp_path / "out.png")).shape == (30, 20, 3)
    finally:
        worker.shutdown()


def test_a_saved_edit_keeps_the_photos_colour_profile(qtbot, tmp_path):
    from PIL import Image, ImageCms

    from auedit.workers.synth import SynthWorker

    photo, out = tmp_path / "photo.jpg", tmp_path / "edit.jpg"
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    Image.new("RGB", (20, 30), (50, 50, 50)).save(photo, icc_profile=profile)
    worker = SynthWorker(Brighten)
    worker.start()
    try:
        with qtbot.waitSignal(worker.prepared, timeout=10000):
            worker.prepare(np.full((30, 20, 3), 50, np.uint8), _face(), str(photo))
        with qtbot.waitSignal(worker.saved, timeout=10000):
            worker.save(str(out), {"AU26": 1.0})
    finally:
        worker.shutdown()
    with Image.open(out) as saved:
        assert saved.info.get("icc_profile") == profile


# --- the window --------------------------------------------------------------------------
def _edit_photo(qtbot, window, path: Path = DEMO) -> None:
    """Open `path`, show the Edit tab and wait until its face is prepared."""
    window.editor.make_synthesizer = Brighten
    window.open_paths([str(path)])
    qtbot.waitUntil(lambda: window.latest() is not None
                    and len(window.latest().analysis.faces) == 1, timeout=30000)
    window.start_editing()
    assert window.right_tabs.currentWidget() is window.edit_panel
    qtbot.waitUntil(lambda: window.edit_panel.available, timeout=30000)


def _shown(window) -> np.ndarray:
    return window.image.view.rgb


def test_slider_renders_and_before_shows_the_original(qtbot, window):
    _edit_photo(qtbot, window)
    panel, editor = window.edit_panel, window.editor
    original = editor.original
    assert original is not None and _shown(window) is original  # no edit yet: the photo
    own = panel.targets()
    assert own["AU12L"] > 0 and "Editing face 1 of astronaut.jpg" in panel.status.text()

    panel.rows["AU26"].sliders["AU26"].setValue(30)  # AU26 to 3.0 (C)
    assert panel.values["AU26"] == 3.0
    assert panel.rows["AU26"].labels["AU26"].text() == "3.0 C"
    expected = round(sum(own.values()) + 3.0)
    qtbot.waitUntil(lambda: editor.result is not None
                    and int(editor.result[0, 0, 0]) - int(original[0, 0, 0]) == expected,
                    timeout=10000)
    qtbot.waitUntil(lambda: _shown(window) is editor.result, timeout=5000)
    assert editor.result.shape == original.shape

    assert window.image.view.badge == ""
    panel.before.setChecked(True)  # before: the original photo, marked as such
    qtbot.waitUntil(lambda: _shown(window) is original, timeout=5000)
    assert window.image.view.badge == "Before"
    window.image.view.grab()  # the badge paints
    panel.before.setChecked(False)
    qtbot.waitUntil(lambda: _shown(window) is editor.result, timeout=5000)
    assert window.image.view.badge == ""

    # one photo open: PgDown does not open it again (which dropped the edit), and the arrow
    # keys are the focused slider's, not the video's
    window.refresh()
    assert not any(a.isEnabled() for a in window.file_actions + window.video_actions)
    window.image.step_file(1)
    qtbot.wait(200)
    assert panel.values["AU26"] == 3.0 and panel.undo_stack.canUndo()
    assert window.before_action.isEnabled()

    window.tabs.setCurrentWidget(window.camera)  # the camera pane leaves the edit alone
    window.tabs.setCurrentWidget(window.image)
    qtbot.waitUntil(lambda: _shown(window) is editor.result, timeout=5000)
    assert panel.values["AU26"] == 3.0

    window.right_tabs.setCurrentWidget(window.gameface)  # editing off: the analysed photo
    qtbot.waitUntil(lambda: _shown(window) is window.latest().rgb, timeout=5000)
    window.start_editing()  # back: the edit is still there
    qtbot.waitUntil(lambda: _shown(window) is editor.result, timeout=5000)
    assert panel.values["AU26"] == 3.0


def test_undo_redo_a_drag_is_one_step(qtbot, window):
    from PySide6.QtGui import QKeySequence

    _edit_photo(qtbot, window)
    panel = window.edit_panel
    own = panel.targets()
    slider = panel.rows["AU12"].sliders[""]  # linked: both sides
    slider.setSliderDown(True)
    for v in (10, 25, 40):
        slider.setValue(v)
    assert panel.values["AU12L"] == panel.values["AU12R"] == 4.0
    slider.setSliderDown(False)
    assert panel.undo_stack.count() == 1
    assert window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    assert QKeySequence("Ctrl+Z") in window.undo_action.shortcuts()
    assert QKeySequence("Ctrl+Shift+Z") in window.redo_action.shortcuts()

    window.undo_action.trigger()
    assert panel.targets() == own
    assert slider.value() == round(own["AU12L"] * 10)
    window.redo_action.trigger()
    assert panel.values["AU12L"] == panel.values["AU12R"] == 4.0

    # split: one side alone; the linked slider shows the mean again when joined
    panel.rows["AU12"].split.setChecked(True)
    assert panel.rows["AU12"].sliders["AU12L"].isVisibleTo(panel)
    assert not slider.isVisibleTo(panel)
    panel.rows["AU12"].sliders["AU12R"].setValue(0)
    assert panel.values["AU12L"] == 4.0 and panel.values["AU12R"] == 0.0
    assert panel.undo_stack.count() == 2
    panel.rows["AU12"].split.setChecked(False)
    assert slider.value() == 20

    panel.reset()
    assert panel.targets() == own
    panel.undo_stack.undo()
    assert panel.values["AU12R"] == 0.0


def test_preset_sets_the_sliders_in_one_step(qtbot, window):
    panel = window.edit_panel
    panel.presets = {"happiness": {"AU6L": 2.0, "AU6R": 2.0, "AU12L": 4.0, "AU12R": 4.0}}
    _edit_photo(qtbot, window)
    own = panel.targets()
    panel.apply_preset("happiness")
    assert panel.values["AU12L"] == 4.0 and panel.values["AU6R"] == 2.0
    assert panel.rows["AU12"].sliders[""].value() == 40
    assert panel.targets() == {**own, "AU6L": 2.0, "AU6R": 2.0, "AU12L": 4.0, "AU12R": 4.0}
    qtbot.waitUntil(lambda: window.editor.result is not None
                    and int(window.editor.result[0, 0, 0])
                    - int(window.editor.original[0, 0, 0]) == 12, timeout=10000)
    panel.undo_stack.undo()
    assert panel.targets() == own


def test_preset_is_the_whole_expression(qtbot, window):
    """The real presets: "anger" takes a smile set before to 0 (and the photo's own), sets its
    own AUs, leaves an AU no preset names at the photo's own value; one undo step back."""
    from auedit.synth.presets import preset_targets

    panel = window.edit_panel
    assert panel.presets["anger"] == preset_targets("anger")
    _edit_photo(qtbot, window)
    own = panel.targets()
    panel.rows["AU12"].sliders[""].setValue(45)
    assert panel.values["AU12L"] == panel.values["AU12R"] == 4.5
    before = panel.targets()
    steps = panel.undo_stack.count()
    panel.apply_preset("anger")
    assert panel.undo_stack.count() == steps + 1
    assert panel.values["AU12L"] == panel.values["AU12R"] == 0.0
    assert panel.rows["AU12"].sliders[""].value() == 0
    assert panel.values["AU4L"] == 4.0 and panel.values["AU23"] == 3.5
    for kept in ("AU45L", "AU25", "AU17", "AU10R"):
        assert panel.values[kept] == own[kept], kept
    panel.undo_stack.undo()
    assert panel.targets() == before


def test_presets_table_has_every_emotion():
    presets = pytest.importorskip("auedit.synth.presets")
    from auedit.ui.au_sliders import EMOTIONS, load_presets

    assert set(EMOTIONS) <= set(presets.PRESETS)
    loaded = load_presets()
    assert loaded["happiness"]["AU12L"] > 0 and loaded["surprise"]["AU26"] > 0


def test_save_writes_the_photo_size_and_keeps_the_edit(qtbot, window, tmp_path):
    _edit_photo(qtbot, window)
    panel = window.edit_panel
    panel.rows["AU26"].sliders["AU26"].setValue(20)
    out = tmp_path / "edited.png"
    with qtbot.waitSignal(window.editor.worker.saved, timeout=10000):
        assert window.editor.save(str(out))
    saved = cv2.imread(str(out))
    original = window.editor.original
    assert saved.shape == original.shape
    expected = round(sum(panel.values.values()))
    assert int(saved[0, 0, 2]) - int(original[0, 0, 0]) == expected  # BGR on disk
    assert "Saved" in window.statusBar().currentMessage()

    with qtbot.waitSignal(window.editor.worker.failed, timeout=10000):
        window.editor.save(str(tmp_path / "no" / "such" / "dir.png"))
    assert "cannot write" in window.statusBar().currentMessage()
    assert panel.available and panel.values["AU26"] == 2.0 and panel.undo_stack.count() == 1


def test_expression_from_another_photo(qtbot, window, tmp_path):
    from auedit.media.sources import read_image

    dark = tmp_path / "dark.png"
    cv2.imwrite(str(dark), cv2.cvtColor(read_image(DEMO) // 2, cv2.COLOR_RGB2BGR))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 200, np.uint8))
    _edit_photo(qtbot, window)
    panel = window.edit_panel
    own = panel.targets()
    with qtbot.waitSignal(window.editor.worker.expression, timeout=30000):
        assert window.editor.expression_from(str(dark))
    assert panel.values["AU12L"] < own["AU12L"]  # Brighten's AU12 follows the brightness
    assert panel.undo_stack.count() == 1
    assert "dark.png" in window.statusBar().currentMessage()

    with qtbot.waitSignal(window.editor.worker.failed, timeout=30000):
        window.editor.expression_from(str(blank))
    assert "no face" in window.statusBar().currentMessage()
    assert panel.available and panel.undo_stack.count() == 1


def test_photo_without_a_face_disables_the_panel(qtbot, window, tmp_path):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 200, np.uint8))
    window.editor.make_synthesizer = Brighten
    window.start_editing()
    assert not window.edit_panel.available
    assert "Open a photo" in window.edit_panel.status.text()
    window.open_paths([str(blank)])
    qtbot.waitUntil(lambda: window.latest() is not None, timeout=30000)
    qtbot.waitUntil(lambda: "No face" in window.statusBar().currentMessage(), timeout=5000)
    assert not window.edit_panel.available
    assert "No face found in blank.png" in window.edit_panel.status.text()
    assert window.editor.worker is None  # nothing was prepared

    window.open_paths([str(DEMO)])  # a face: editing becomes possible
    qtbot.waitUntil(lambda: window.edit_panel.available, timeout=30000)
    window.edit_panel.rows["AU26"].sliders["AU26"].setValue(30)
    window.open_paths([str(blank)])  # no face again: nothing of the demo's edit stays shown
    qtbot.waitUntil(lambda: not window.edit_panel.available, timeout=30000)
    assert set(window.edit_panel.targets().values()) == {0.0}
    assert window.edit_panel.rows["AU26"].labels["AU26"].text() == "0.0"


def test_an_unsaved_edit_is_not_dropped_without_asking(qtbot, window, tmp_path):
    _edit_photo(qtbot, window)
    asked = []
    window.ask_discard_edit = lambda: asked.append(True) and False  # the user cancels
    assert not window.edit_panel.unsaved  # nothing edited yet: nothing to ask about
    window.edit_panel.rows["AU26"].sliders["AU26"].setValue(30)
    assert window.edit_panel.unsaved
    other = tmp_path / "other.png"
    cv2.imwrite(str(other), cv2.imread(str(DEMO)))
    window.open_paths([str(other)])  # cancelled: the edit stays
    qtbot.wait(300)
    assert asked and window.edit_panel.values["AU26"] == 3.0
    assert Path(window.image.current_path).name == DEMO.name
    out = tmp_path / "saved.png"
    assert window.editor.save(str(out))
    qtbot.waitUntil(lambda: not window.edit_panel.unsaved, timeout=30000)  # saved: no question
    asked.clear()
    window.open_paths([str(other)])
    qtbot.waitUntil(lambda: Path(window.image.current_path).name == "other.png", timeout=5000)
    assert not asked


def test_switching_faces_asks_before_dropping_an_edit(qtbot, window, tmp_path):
    """Another face of the photo ([ and ], the Face box) dropped the edit of the one before
    without a word; now it asks, as opening another file does, and stays where it was."""
    two = tmp_path / "two.png"
    demo = cv2.imread(str(DEMO))
    cv2.imwrite(str(two), np.hstack([demo, demo]))
    window.editor.make_synthesizer = Brighten
    window.open_paths([str(two)])
    qtbot.waitUntil(lambda: window.latest() is not None
                    and len(window.latest().analysis.faces) == 2, timeout=30000)
    window.start_editing()
    qtbot.waitUntil(lambda: window.edit_panel.available, timeout=30000)
    asked = []
    window.ask_discard_edit = lambda: asked.append(True) and False  # the user cancels
    window.controls.step_face(1)  # nothing edited yet: no question
    assert not asked and window.controls.selected_face == 1
    qtbot.waitUntil(lambda: window.edit_panel.available, timeout=30000)
    window.edit_panel.rows["AU26"].sliders["AU26"].setValue(30)
    assert window.edit_panel.unsaved
    window.controls.step_face(1)
    assert asked and window.controls.selected_face == 1  # kept
    assert window.edit_panel.unsaved and window.edit_panel.values["AU26"] == 3.0
    window.ask_discard_edit = lambda: True  # the user lets it go
    window.controls.step_face(1)
    assert window.controls.selected_face == 0


def test_a_folder_opens_the_photos_in_it(qtbot, window, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("b.png", "a.jpg"):
        cv2.imwrite(str(folder / name), cv2.imread(str(DEMO)))
    (folder / "notes.txt").write_text("not a photo")
    window.open_paths([str(folder)])
    assert [Path(p).name for p in window.image.paths] == ["a.jpg", "b.png"]
    messages = []
    window.image.message.connect(messages.append)
    empty = tmp_path / "empty"
    empty.mkdir()
    window.open_paths([str(empty)])
    assert messages and "contains no images or videos" in messages[-1]
    assert [Path(p).name for p in window.image.paths] == ["a.jpg", "b.png"]


def test_split_state_is_remembered(qtbot, window, settings):
    window.edit_panel.rows["AU2"].split.setChecked(True)
    window.save_settings()
    assert settings.value("edit/split") == "AU2"
    from auedit.ui.main_window import MainWindow

    other = MainWindow(settings=settings)
    qtbot.addWidget(other)
    try:
        assert other.edit_panel.split_keys() == ["AU2"]
        assert not other.edit_panel.rows["AU12"].is_split
    finally:
        other.shutdown()


def test_slider_letters_sit_below_the_handle(qtbot):
    from PySide6.QtWidgets import QStyle, QStyleOptionSlider

    from auedit.ui.au_sliders import LetterSlider

    slider = LetterSlider()
    qtbot.addWidget(slider)
    slider.resize(300, slider.sizeHint().height())
    opt = QStyleOptionSlider()
    slider.initStyleOption(opt)
    handle = slider.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                           QStyle.SubControl.SC_SliderHandle, slider)
    assert handle.bottom() < slider.letters_top()


def test_edit_panel_fits_the_screen(qtbot, window):
    _edit_photo(qtbot, window)
    # the sliders show the edit's AUs (the window's timer lays out once the face is ready)
    qtbot.waitUntil(window.histogram_box.isHidden, timeout=2000)
    window.right_tabs.setCurrentWidget(window.series)
    assert not window.histogram_box.isHidden()
    window.start_editing()
    assert window.frameGeometry().width() <= 1280 and window.frameGeometry().height() <= 800
    assert window.edit_panel.scroll.viewport().height() > 100
    if os.environ.get("AUEDIT_SCREENSHOT"):
        window.grab().save(os.environ["AUEDIT_SCREENSHOT"])


def test_geometric_synthesizer_end_to_end(qtbot, window, tmp_path):
    pytest.importorskip("auedit.synth.geometric")
    from auedit.workers.synth import default_synthesizer

    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.latest() is not None
                    and len(window.latest().analysis.faces) == 1, timeout=30000)
    window.editor.make_synthesizer = default_synthesizer
    window.start_editing()
    qtbot.waitUntil(lambda: window.edit_panel.available, timeout=60000)
    panel, editor = window.edit_panel, window.editor
    panel.rows["AU26"].sliders["AU26"].setValue(40)  # open the jaw
    qtbot.waitUntil(lambda: editor.result is not None, timeout=60000)
    diff = np.abs(editor.result.astype(int) - editor.original.astype(int))
    assert diff.max() > 30  # the mouth moved
    assert diff.mean() < 20  # and not the whole photo
    out = tmp_path / "open_mouth.jpg"
    with qtbot.waitSignal(editor.worker.saved, timeout=60000):
        editor.save(str(out))
    assert cv2.imread(str(out)).shape == editor.original.shape


def test_reset_and_presets_do_nothing_without_a_face(qtbot):
    from auedit.ui.au_sliders import AUSliderPanel

    panel = AUSliderPanel()
    qtbot.addWidget(panel)
    panel.presets = {"happiness": {"AU12L": 4.0, "AU12R": 4.0}}
    assert not panel.available
    panel.reset()
    panel.apply_preset("happiness")
    panel.rows["AU26"].sliders["AU26"].setValue(30)
    assert panel.undo_stack.count() == 0 and not panel.undo_button.isEnabled()
    assert panel.values["AU12L"] == 0.0 and panel.values["AU26"] == 0.0
    assert panel.rows["AU26"].sliders["AU26"].value() == 0

    panel.set_face({"AU12L": 1.0}, "a face")
    panel.apply_preset("happiness")
    assert panel.undo_stack.count() == 1
    panel.set_unavailable("No face found in blank.png: nothing to edit.")
    assert panel.undo_stack.count() == 0  # no undoing into the face edited before
    panel.reset()
    assert panel.undo_stack.count() == 0


def test_a_save_name_without_a_suffix_gets_the_chosen_types():
    from auedit.ui.photo_edit import with_image_suffix

    assert with_image_suffix("/tmp/smile", "JPEG (*.jpg *.jpeg)") == "/tmp/smile.jpg"
    assert with_image_suffix("/tmp/smile", "PNG (*.png)") == "/tmp/smile.png"
    assert with_image_suffix("/tmp/smile", "All files (*)") == "/tmp/smile.png"
    assert with_image_suffix("/tmp/smile.jpeg", "PNG (*.png)") == "/tmp/smile.jpeg"


def test_arrow_steps_are_one_undo_step_and_a_reset_leaves_nothing_unsaved(qtbot, window):
    """Ten arrow presses on a slider were ten undo steps; after Reset the photo was back as
    it was but still counted as unsaved, so closing asked to discard it."""
    _edit_photo(qtbot, window)
    panel = window.edit_panel
    own = panel.targets()
    slider = panel.rows["AU26"].sliders["AU26"]
    for _ in range(10):
        slider.triggerAction(slider.SliderAction.SliderSingleStepAdd)
    assert panel.values["AU26"] == pytest.approx(own["AU26"] + 1.0)
    assert panel.undo_stack.count() == 1 and panel.unsaved
    panel.rows["AU12"].sliders[""].triggerAction(slider.SliderAction.SliderSingleStepAdd)
    assert panel.undo_stack.count() == 2  # another slider: a step of its own
    panel.reset()
    assert panel.targets() == own and not panel.unsaved
    panel.undo_stack.undo()
    assert panel.unsaved
    panel.undo_stack.undo()
    panel.undo_stack.undo()  # undone to the face's own values: nothing to lose
    assert panel.targets() == own and not panel.unsaved


def test_the_edit_is_not_saved_over_the_photo_being_edited(qtbot, window, tmp_path):
    """Saving to the open photo's own path replaced the original (`auedit edit` refuses)."""
    photo = tmp_path / "mine.jpg"
    photo.write_bytes(DEMO.read_bytes())
    _edit_photo(qtbot, window, photo)
    before = photo.read_bytes()
    assert not window.editor.save(str(photo))
    assert "is the photo being edited" in window.statusBar().currentMessage()
    qtbot.wait(300)
    assert photo.read_bytes() == before


def test_on_the_camera_tab_the_edit_is_kept_out_of_reach(qtbot, window):
    """On the Camera tab the sliders stayed live and changed a photo that was not in view."""
    _edit_photo(qtbot, window)
    panel = window.edit_panel
    panel.rows["AU26"].sliders["AU26"].setValue(30)
    window.tabs.setCurrentWidget(window.camera)
    window.refresh()
    assert not panel.controls.isEnabled() and "switch back" in panel.status.text()
    assert panel.unsaved  # the edit is kept: closing still asks about it
    panel.apply_preset("happiness")  # a preset from elsewhere changes nothing unseen
    assert panel.values["AU26"] == 3.0
    window.tabs.setCurrentWidget(window.image)
    window.refresh()
    assert panel.controls.isEnabled() and "switch back" not in panel.status.text()
    assert panel.values["AU26"] == 3.0
