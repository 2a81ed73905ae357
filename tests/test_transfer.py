"""Expression transfer: A's identity with B's AUs and pose."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from auedit.resources import ROOT

from auedit.cli.main import main
from auedit.detect.mediapipe_aus import MediaPipeAUDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.model import RigParams
from auedit.rig.readings import game_face_aus
from auedit.synth.base import rig_aus
from auedit.transfer.expression import combine

DEMO = ROOT / "demo" / "astronaut.jpg"


def test_combine_takes_identity_from_a_and_expression_from_b():
    a, b = RigParams.neutral(1), RigParams.neutral(1)
    a.identity[:] = 0.2
    b.identity[:] = 0.9
    b.au[:] = 0.7
    b.pose[:] = 0.6
    out = combine(a, b)
    np.testing.assert_array_equal(out.identity, a.identity)
    np.testing.assert_array_equal(out.au, b.au)
    np.testing.assert_array_equal(out.pose, b.pose)


def test_transfer_cli_writes_render_and_parameters(tmp_path):
    flipped = tmp_path / "flipped.png"
    cv2.imwrite(str(flipped), cv2.imread(str(DEMO))[:, ::-1])
    out, params = tmp_path / "t.png", tmp_path / "t.json"
    assert main(["transfer", str(DEMO), str(flipped), "--out", str(out), "--size", "256",
                 "--json", str(params)]) == 0
    image = cv2.imread(str(out))
    assert image.shape == (256, 256, 3) and image.std() > 20  # a face, not a blank
    data = json.loads(params.read_text())
    assert set(data) >= {"pose_deg", "au", "identity"}
    assert data["au"]["AU12L"] > 0.2 and data["au"]["AU12R"] > 0.2  # B (the astronaut) smiles


def test_transfer_without_face_is_a_clear_error(tmp_path, capsys):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 200, 3), 127, np.uint8))
    assert main(["transfer", str(DEMO), str(blank), "--out", str(tmp_path / "x.png")]) == 2
    assert "no face found" in capsys.readouterr().err


def test_rig_aus_from_a_reading_sided_keys_win_and_gaps_keep_the_fallback():
    fallback = np.full(len(AU_PARAMETER_KEYS), 0.3)
    au = rig_aus({"AU12": 5.0, "AU12L": 2.5, "AU26": 4.0, "AU99": 5.0}, fallback)
    index = AU_PARAMETER_KEYS.index
    assert au[index("AU12L")] == pytest.approx(0.5) and au[index("AU12R")] == pytest.approx(1.0)
    assert au[index("AU26")] == pytest.approx(0.8)
    assert au[index("AU23")] == pytest.approx(0.3)  # not in the reading


@pytest.mark.shared_data
def test_an_open_mouth_comes_across(tmp_path, shared_data):
    """B with the jaw dropped (a surprised "O"): the transferred face opens its mouth and
    does not frown (the landmark fit's own AUs read neutral faces as frowning)."""
    video = shared_data / "video" / "expressive_d3.mp4"
    if not video.is_file():
        pytest.skip(f"{video} not found")
    capture = cv2.VideoCapture(str(video))
    frames = [capture.read()[1] for _ in range(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)))]
    capture.release()
    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    reader = MediaPipeAUDetector(tracker.canonical)
    best, jaw = None, 0.0  # the frame MediaPipe reads with the widest jaw drop
    for bgr in frames[::10]:
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        found = tracker.track(rgb, 0.0)
        if found and reader.detect(rgb, found[0]).get("AU26", 0.0) > jaw:
            best, jaw = bgr, reader.detect(rgb, found[0]).get("AU26", 0.0)
    tracker.close()
    assert best is not None and jaw > 3.0
    b, params = tmp_path / "b.png", tmp_path / "t.json"
    cv2.imwrite(str(b), best)
    assert main(["transfer", str(DEMO), str(b), "--out", str(tmp_path / "t.png"),
                 "--size", "128", "--json", str(params)]) == 0
    au = json.loads(params.read_text())["au"]
    assert au["AU26"] > 0.5
    assert au["AU4L"] < 0.3 and au["AU4R"] < 0.3 and au["AU15L"] < 0.5


def test_the_live_game_face_takes_the_mediapipe_reading():
    """The app's game-face pane: the AUs come from the analyser's MediaPipe reading."""
    from auedit.analysis.analyzer import Analyzer
    from auedit.media.sources import read_image
    from auedit.workers.gameface import GameFaceRenderer

    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    try:
        analyzer = Analyzer.create(["mediapipe", "rigfit"], tracker=tracker)
        analysis = analyzer.analyze(read_image(DEMO), 0.0, 0, "demo")
        reading = analysis.faces[0].readings["mediapipe"]
        renderer = GameFaceRenderer(size=128)
        closed = renderer.render(analyzer, analysis)
        reading.values.update(AU26=5.0, AU25=5.0)
        opened = renderer.render(analyzer, analysis)
    finally:
        tracker.close()
    rows = slice(75, 110)  # the mouth's part of the frame
    assert np.abs(opened[rows].astype(int) - closed[rows]).mean() > 3


def test_a_toothy_smile_gives_the_game_face_no_snarl():
    """MediaPipe reads a smile with parted lips as an upper lip raiser too (the demo: AU10
    3.5 with AU12 5, AU25 2.6); the game face takes AU10 less what that smile shows, and a
    raiser without a smile whole."""
    smile = game_face_aus({"AU10": 3.5, "AU10L": 3.5, "AU10R": 3.0, "AU12": 5.0,
                           "AU12R": 1.0, "AU25": 2.6})
    assert smile["AU10"] == pytest.approx(0.9) and smile["AU10L"] == pytest.approx(0.9)
    assert smile["AU10R"] == pytest.approx(2.0)  # that side smiles less
    snarl = game_face_aus({"AU10": 3.5, "AU12": 0.2, "AU25": 2.6})
    assert snarl["AU10"] == pytest.approx(3.3)
    closed = game_face_aus({"AU10": 1.0, "AU12": 5.0, "AU25": 0.0})
    assert closed["AU10"] == 1.0  # no parted lips: nothing shown to discount


def test_the_demo_smile_comes_across_without_a_snarl(tmp_path):
    params = tmp_path / "t.json"
    assert main(["transfer", str(DEMO), str(DEMO), "--out", str(tmp_path / "t.png"),
                 "--size", "128", "--json", str(params)]) == 0
    au = json.loads(params.read_text())["au"]
    assert au["AU12L"] > 0.8 and au["AU12R"] > 0.8
    assert au["AU10L"] < 0.3 and au["AU10R"] < 0.3  # was 0.68: a snarl


@pytest.mark.shared_data
def test_a_group_photo_gives_the_game_face_its_largest_face(shared_data):
    from auedit.workers.gameface import GameFaceRenderer

    renderer = GameFaceRenderer(size=64)
    try:
        done, message = renderer.set_identity_photo(str(shared_data / "images"
                                                        / "multi_face.jpg"))
    finally:
        renderer.close()
    assert done and "the largest of its 5 faces" in message, message
