"""The game face panel (rendered in the inference worker) and the export dialog, offscreen."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from auedit import resources

pytestmark = pytest.mark.gui

DEMO = resources.ROOT / "demo" / "astronaut.jpg"


def _render(window) -> np.ndarray | None:
    item = window.latest()
    return item.gameface if item is not None else None


def _wait_for_photo_face(qtbot, window) -> None:
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.latest() is not None
                    and len(window.latest().analysis.faces) == 1, timeout=30000)


def test_game_face_renders_the_photo(qtbot, window, tmp_path):
    _wait_for_photo_face(qtbot, window)
    assert _render(window) is None  # off by default: nothing is rendered
    window.gameface.enable.setChecked(True)
    assert window.right_tabs.currentWidget() is window.gameface
    qtbot.waitUntil(lambda: window.gameface.image is not None, timeout=10000)
    image = window.gameface.image
    assert image.shape == (256, 256, 3) and image.dtype == np.uint8
    assert image.std() > 10  # a face, not a blank background
    assert window.gameface.view.pixmap() is not None
    assert not window.gameface.view.pixmap().isNull()
    # the window still fits a 1280 x 800 screen with the panel showing
    assert window.frameGeometry().width() <= 1280 and window.frameGeometry().height() <= 800
    png = tmp_path / "gameface_window.png"
    assert window.grab().save(str(png))
    if os.environ.get("AUEDIT_SCREENSHOT"):
        window.grab().save(os.environ["AUEDIT_SCREENSHOT"])
    # switching the panel off stops rendering: the next frames carry no render
    window.gameface.enable.setChecked(False)
    seq = window.latest().seq
    window.image.show_file(0)

    def next_frame_has_no_render() -> None:
        item = window.latest()  # None while the file opens again
        status = window.statusBar().currentMessage()
        assert item is not None and item.seq > seq, \
            f"no new frame analysed yet (status bar: {status!r})"
        assert item.gameface is None, f"frame {item.seq} still carries a render"

    qtbot.waitUntil(next_frame_has_no_render, timeout=30000)


def test_identity_of_another_photo_changes_the_render(qtbot, window, tmp_path):
    import cv2

    from auedit.media.sources import read_image

    # another identity: the astronaut's face made much wider
    rgb = read_image(DEMO)
    h, w = rgb.shape[:2]
    wide = cv2.resize(rgb, (int(w * 1.5), h), interpolation=cv2.INTER_LINEAR)
    other = tmp_path / "wide.png"
    cv2.imwrite(str(other), cv2.cvtColor(wide, cv2.COLOR_RGB2BGR))
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 200, np.uint8))

    _wait_for_photo_face(qtbot, window)
    window.gameface.enable.setChecked(True)
    qtbot.waitUntil(lambda: _render(window) is not None, timeout=10000)
    own = _render(window).copy()

    with qtbot.waitSignal(window.image.pipeline.identity, timeout=30000) as blocker:
        window.set_identity_photo(str(other))
    assert blocker.args[0] == str(other)
    qtbot.waitUntil(lambda: _render(window) is not None
                    and np.abs(_render(window).astype(int) - own).mean() > 0.5, timeout=10000)
    transferred = _render(window).copy()
    assert transferred.std() > 10
    assert "wide.png" in window.gameface.identity_label.text()
    assert window.gameface.clear_button.isEnabled()

    # a photo without a face: a clear message, and the identity stays as it was
    with qtbot.waitSignal(window.image.pipeline.identity, timeout=30000) as blocker:
        window.set_identity_photo(str(blank))
    assert blocker.args[0] == ""
    assert "no face" in blocker.args[1]
    assert "no face" in window.statusBar().currentMessage()
    assert "wide.png" in window.gameface.identity_label.text()

    # Clear: back to the face's own identity, and its own render
    with qtbot.waitSignal(window.image.pipeline.identity, timeout=30000):
        window.set_identity_photo("")
    qtbot.waitUntil(lambda: np.abs(_render(window).astype(int) - own).mean() < 0.5,
                    timeout=10000)
    assert not window.gameface.clear_button.isEnabled()


@pytest.fixture(scope="module")
def analysis_csv(tmp_path_factory) -> Path:
    from auedit.cli.main import main

    out = tmp_path_factory.mktemp("export") / "astronaut.csv"
    assert main(["analyze", str(DEMO), "--out", str(out)]) == 0
    return out


def _export(qtbot, dialog, fmt: str, out: Path) -> tuple[bool, str]:
    dialog.set_format(fmt)
    dialog.out_path.setText(str(out))
    with qtbot.waitSignal(dialog.export_done, timeout=30000) as blocker:
        assert dialog.export()
    return blocker.args[0], blocker.args[1]


def test_export_dialog_writes_json_and_livelink(qtbot, window, analysis_csv, tmp_path):
    from auedit.export.livelink import read_livelink_csv
    from auedit.export.track import ExpressionTrack

    window.last_recording = str(analysis_csv)
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    assert dialog.source_path() == str(analysis_csv)  # the last recording is offered first
    expected = ExpressionTrack.from_csv(analysis_csv)

    ok, message = _export(qtbot, dialog, "json", tmp_path / "out.json")
    assert ok, message
    data = json.loads((tmp_path / "out.json").read_text())
    assert data  # a real JSON document
    back = ExpressionTrack.from_json(tmp_path / "out.json")
    assert len(back) == len(expected)
    assert back.frames[0].aus["AU12"] == pytest.approx(expected.frames[0].aus["AU12"], abs=1e-3)
    assert "Exported" in window.statusBar().currentMessage()

    dialog.fps.setCurrentIndex(dialog.fps.findData(30))
    ok, message = _export(qtbot, dialog, "livelink", tmp_path / "out_ll.csv")
    assert ok, message
    curves = read_livelink_csv(tmp_path / "out_ll.csv", fps=30)
    assert curves
    assert len(curves["Timecode"]) >= 1
    values = [v for k, v in curves.items() if k != "Timecode"]
    assert all(np.all(np.isfinite(v)) for v in values)
    assert "JawOpen" in curves or "MouthSmileLeft" in curves


def test_export_dialog_reports_a_bad_csv(qtbot, window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("this,is,not\nan,analysis,csv\n")
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    dialog.source.setCurrentIndex(dialog.source.count() - 1)  # "A CSV file…"
    dialog.csv_path.setText(str(bad))
    ok, message = _export(qtbot, dialog, "json", tmp_path / "bad.json")
    assert not ok
    assert message.startswith("Export failed:") and "Traceback" not in message
    assert "Export failed" in dialog.status.text()
    assert "Export failed" in window.statusBar().currentMessage()
    assert not (tmp_path / "bad.json").exists()

    dialog.csv_path.setText(str(tmp_path / "missing.csv"))
    ok, message = _export(qtbot, dialog, "openface", tmp_path / "missing_out.csv")
    assert not ok and "does not exist" in message


def test_export_dialog_offers_the_open_photo(qtbot, window, tmp_path):
    window.open_paths([str(DEMO)])
    qtbot.waitUntil(lambda: window.latest() is not None, timeout=30000)
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    assert dialog.source_path() == str(DEMO)
    assert dialog.source.currentText().startswith("The open photo (astronaut.jpg")
    # the demo lies in the app's own files: the proposed output goes elsewhere
    proposed = Path(dialog.out_path.text())
    assert proposed.name == "astronaut_export.csv"
    assert not proposed.resolve().is_relative_to(resources.ROOT.resolve())
    ok, message = _export(qtbot, dialog, "json", tmp_path / "photo.json")
    assert ok, message
    assert len(json.loads((tmp_path / "photo.json").read_text())["frames"]) == 1


def test_an_export_can_be_stopped_and_is_found_again(qtbot, window, tmp_path,
                                                      make_demo_video):
    """Stop ends a running export with nothing written; while one runs, Export… shows its
    dialog again instead of a second one writing the same file."""
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    video = make_demo_video(tmp_path / "face.avi", 40)
    dialog.source.addItem("a video", ("media", str(video)))
    dialog.source.setCurrentIndex(dialog.source.count() - 1)
    window.export_dialog = dialog
    dialog.set_format("json")
    out = tmp_path / "out.json"
    dialog.out_path.setText(str(out))
    with qtbot.waitSignal(dialog.export_done, timeout=30000) as blocker:
        assert dialog.export()
        assert dialog.cancel_button.isEnabled()
        window.export_dialog_open()
        assert window.export_dialog is dialog  # the running export's dialog
        dialog.cancel()
    ok, message = blocker.args
    assert not ok and "cancelled" in message and not out.exists()
    assert not dialog.cancel_button.isEnabled() and dialog.export_button.isEnabled()


def test_a_typed_path_asks_before_replacing_a_file(qtbot, window, analysis_csv, tmp_path):
    window.last_recording = str(analysis_csv)
    dialog = window.make_export_dialog()
    qtbot.addWidget(dialog)
    out = tmp_path / "keep.json"
    out.write_text("mine")
    asked = []
    dialog.confirm_overwrite = lambda path: asked.append(path) or False
    dialog.set_format("json")
    dialog.out_path.setText(str(out))
    assert not dialog.export()
    assert asked == [out] and out.read_text() == "mine"
    dialog.confirm_overwrite = lambda path: True
    with qtbot.waitSignal(dialog.export_done, timeout=30000) as blocker:
        assert dialog.export()
    assert blocker.args[0] and out.read_text() != "mine"


def test_export_offers_the_face_selected_in_the_window(window, monkeypatch):
    from types import SimpleNamespace

    faces = [SimpleNamespace(face=SimpleNamespace(track_id=i)) for i in (4, 7, 9)]
    item = SimpleNamespace(analysis=SimpleNamespace(faces=faces))
    monkeypatch.setattr(window.image.pipeline, "latest", lambda: item)
    window.controls.set_face_count(3)
    window.controls.face.setValue(2)  # "Face 2 of 3"
    assert window.make_export_dialog().job().face_id == 7
    item.analysis.faces = faces[:1]
    assert window.make_export_dialog().job().face_id is None  # one face: the first seen


def test_g_brings_a_hidden_game_face_forward_before_switching_it_off(window):
    window.toggle_gameface()
    assert window.gameface.enable.isChecked()
    assert window.right_tabs.currentWidget() is window.gameface
    window.right_tabs.setCurrentWidget(window.edit_panel)
    window.toggle_gameface()  # on, but hidden: shown, not switched off
    assert window.gameface.enable.isChecked()
    assert window.right_tabs.currentWidget() is window.gameface
    window.toggle_gameface()
    assert not window.gameface.enable.isChecked()


def test_an_open_export_dialog_offers_the_file_open_now(qtbot, window, tmp_path):
    other = tmp_path / "other.jpg"
    other.write_bytes(DEMO.read_bytes())
    _wait_for_photo_face(qtbot, window)
    window.export_dialog_open()
    dialog = window.export_dialog
    assert dialog.source_path() == str(DEMO)
    window.open_paths([str(other)])
    qtbot.waitUntil(lambda: dialog.source_path() == str(other), timeout=30000)
    assert "other.jpg" in dialog.source.currentText()
    assert dialog.out_path.text().endswith("other_export.csv")
    assert sum(dialog.source.itemData(i)[0] == "media" for i in range(dialog.source.count())) == 1
