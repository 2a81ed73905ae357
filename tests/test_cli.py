"""`auedit analyze` end to end: real video, photos, bad input, CSV and JSON output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from auedit.cli.main import main
from auedit.core.aus import ACTION_UNITS
from auedit.export.openface_csv import au_columns, read_csv

OPENFACE_START = ["frame", "face_id", "timestamp", "confidence", "success", "pose_Tx", "pose_Ty",
                  "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"]


def run_cli(capsys, *args):
    code = main(["analyze", "--no-progress", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def csv_of(capsys, tmp_path, *args, name="out.csv"):
    out = tmp_path / name
    code, _, err = run_cli(capsys, *args, "--out", out)
    assert code == 0, err
    assert "Traceback" not in err
    return read_csv(out), out, err


@pytest.fixture
def corrupt_jpg(tmp_path):
    path = tmp_path / "corrupt.jpg"
    path.write_bytes(np.random.default_rng(5).bytes(3000))
    return path


def test_demo_photo_csv(capsys, tmp_path, demo_photo):
    t, out, err = csv_of(capsys, tmp_path, demo_photo)
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:11] == OPENFACE_START
    assert header[11] == "AU01_r"
    assert header[11:11 + len(ACTION_UNITS)] == [f"{au.openface}_r" for au in ACTION_UNITS]
    assert len(t["frame"]) == 1
    assert t["success"][0] == 1 and t["face_id"][0] == 0 and t["frame"][0] == 1
    aus = au_columns(t)
    assert aus["AU12"][0] >= 2.0
    for key, col in aus.items():
        v = col[~np.isnan(col)]
        assert np.all((v >= 0) & (v <= 5)), key
    assert "1 frame(s), 1 face(s)" in err


def test_csv_to_stdout(capsys, demo_photo):
    code, out, _ = run_cli(capsys, demo_photo)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(",".join(OPENFACE_START) + ",AU01_r")
    assert len(lines) == 2


def test_video(capsys, tmp_path, shared_data):
    t, _, _ = csv_of(capsys, tmp_path, shared_data / "video" / "single_face.mp4")
    n = len(t["frame"])
    assert n == 72
    np.testing.assert_array_equal(t["frame"], np.arange(1, n + 1))
    np.testing.assert_allclose(t["timestamp"], np.arange(n) / 30.0, atol=1e-3)
    assert np.all(t["success"] == 1)
    assert np.all(t["face_id"] == 0)
    assert np.all(t["pose_Tz"] > 0)
    assert np.all(np.abs(t["pose_Ry"]) < np.deg2rad(45))


def test_video_max_frames_and_json(capsys, shared_data):
    code, out, _ = run_cli(capsys, shared_data / "video" / "WolfgangLanger_Pexels.mp4",
                           "--max-frames", 12, "--json", "--smooth", "--auto-baseline")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["frame"] for r in rows] == list(range(1, 13))
    assert {r["face_id"] for r in rows} == {0}
    for r in rows:
        assert set(r) >= {"source", "frame", "timestamp", "face_id", "box", "pose", "aus"}
        assert set(r["pose"]) == {"pitch", "yaw", "roll", "tx", "ty", "tz"}
        vals = r["aus"]["mediapipe"]
        assert "AU12" in vals and "AU12L" in vals
        assert all(0.0 <= v <= 5.0 for v in vals.values())


def test_five_faces(capsys, tmp_path, shared_data):
    t, _, err = csv_of(capsys, tmp_path, shared_data / "images" / "multi_face.jpg",
                       "--max-faces", 8)
    assert len(t["frame"]) == 5
    assert sorted(t["face_id"].tolist()) == [0, 1, 2, 3, 4]
    assert np.all(t["success"] == 1) and np.all(t["frame"] == 1)
    assert "note:" not in err
    t, _, err = csv_of(capsys, tmp_path, shared_data / "images" / "multi_face.jpg", name="4.csv")
    assert len(t["frame"]) == 4  # the default --max-faces, and the user is told
    assert "multi_face.jpg, the most --max-faces allows" in err and "note: 4 faces" in err


def test_no_face_photo(capsys, tmp_path, shared_data):
    path = shared_data / "images" / "nonphoto" / "no_face_mountain.jpg"
    t, _, _ = csv_of(capsys, tmp_path, path)
    assert len(t["frame"]) == 1
    assert t["success"][0] == 0 and t["frame"][0] == 1
    assert t["source"][0] == str(path)
    code, out, _ = run_cli(capsys, path, "--json")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["faces"] == 0 and row["frame"] == 1


def test_painting(capsys, tmp_path, shared_data):
    t, _, _ = csv_of(capsys, tmp_path, shared_data / "images" / "nonphoto" / "painting_s0.jpg")
    assert len(t["frame"]) >= 1
    assert t["success"][0] == 1  # a painted face is still a face
    v = au_columns(t)["AU12"]
    assert np.all((v >= 0) & (v <= 5))


def test_corrupt_only_input(capsys, corrupt_jpg):
    code, out, err = run_cli(capsys, corrupt_jpg)
    assert code != 0
    assert "Traceback" not in err
    assert str(corrupt_jpg) in err and "not a readable image" in err
    assert out.count("\n") <= 1  # at most the header


def test_corrupt_video_only_input(capsys, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(np.random.default_rng(6).bytes(5000))
    code, _, err = run_cli(capsys, bad)
    assert code != 0
    assert "Traceback" not in err and "broken.mp4" in err


def test_ffmpegs_own_lines_do_not_precede_ours(capfd, tmp_path):
    """FFmpeg wrote "moov atom not found" (from C, past Python) before AUEdit's message."""
    text = tmp_path / "text.mp4"
    text.write_text("hello\n")
    assert main(["analyze", str(text), "--out", str(tmp_path / "t.csv")]) == 1
    err = capfd.readouterr().err
    assert "not a readable video" in err and "moov atom" not in err


def test_corrupt_among_good_inputs(capsys, tmp_path, corrupt_jpg, demo_photo):
    t, _, err = csv_of(capsys, tmp_path, corrupt_jpg, demo_photo)
    assert "skipped" in err and "corrupt.jpg" in err
    assert len(t["frame"]) == 1 and t["success"][0] == 1


def test_corrupt_in_subprocess_has_no_traceback(tmp_path, corrupt_jpg):
    proc = subprocess.run([sys.executable, "-m", "auedit", "analyze", str(corrupt_jpg)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "not a readable image" in proc.stderr


def test_subprocess_json(demo_photo):
    proc = subprocess.run([sys.executable, "-m", "auedit", "analyze", str(demo_photo), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["face_id"] == 0
    assert "Traceback" not in proc.stderr


def test_tiny_image(capsys, tmp_path, demo_photo):
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), cv2.resize(cv2.imread(str(demo_photo)), (16, 16)))
    t, _, _ = csv_of(capsys, tmp_path, tiny)
    assert len(t["frame"]) == 1 and t["success"][0] == 0


def _huge(tmp_path, demo_photo):
    """The demo photo upscaled to 4000x4000 and placed at x=1000 on a 6000x4000 canvas."""
    huge = tmp_path / "huge.jpg"
    canvas = np.full((4000, 6000, 3), 255, np.uint8)
    canvas[:, 1000:5000] = cv2.resize(cv2.imread(str(demo_photo)), (4000, 4000))
    cv2.imwrite(str(huge), canvas, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return huge


def test_huge_image(capsys, tmp_path, demo_photo):
    huge = _huge(tmp_path, demo_photo)
    t, _, _ = csv_of(capsys, tmp_path, huge, name="huge.csv")
    small, _, _ = csv_of(capsys, tmp_path, demo_photo, name="small.csv")
    assert len(t["frame"]) == 1 and t["success"][0] == 1
    a, b = au_columns(t), au_columns(small)
    assert a["AU12"][0] == pytest.approx(b["AU12"][0], abs=1.0)
    # (yaw differs by ~12 degrees from the square original: see the report on pose vs aspect)
    assert abs(t["yaw"][0]) < 30.0 and abs(t["pitch"][0] - small["pitch"][0]) < 10.0


def test_huge_image_box_in_file_pixels(capsys, tmp_path, demo_photo):
    huge = _huge(tmp_path, demo_photo)
    code, out, _ = run_cli(capsys, huge, "--json")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    code, out, _ = run_cli(capsys, demo_photo, "--json")
    (ref,) = [json.loads(line) for line in out.splitlines()]
    expected = [ref["box"][0] * 4000 / 512 + 1000, ref["box"][1] * 4000 / 512,
                ref["box"][2] * 4000 / 512 + 1000, ref["box"][3] * 4000 / 512]
    np.testing.assert_allclose(row["box"], expected, rtol=0.05, atol=40)


def test_folder(capsys, tmp_path, demo_photo, shared_data):
    folder = tmp_path / "inputs"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(demo_photo, folder / "a_astronaut.jpg")
    shutil.copyfile(shared_data / "images" / "nonphoto" / "no_face_mountain.jpg",
                    folder / "sub" / "b_mountain.jpg")
    (folder / "notes.txt").write_text("not media")
    t, _, err = csv_of(capsys, tmp_path, folder)
    assert len(t["frame"]) == 2
    assert [s.endswith(n) for s, n in zip(t["source"], ["a_astronaut.jpg", "b_mountain.jpg"],
                                            strict=True)] == [True, True]
    np.testing.assert_array_equal(t["success"], [1, 0])
    assert "from 2 input(s)" in err


def test_empty_folder(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsys, tmp_path / "empty")
    assert code == 2 and "contains no images or videos" in err


def test_missing_input(capsys, tmp_path):
    code, _, err = run_cli(capsys, tmp_path / "nothing.jpg")
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_missing_face_model(capsys, tmp_path, demo_photo):
    missing = tmp_path / "gone.task"
    code, _out, err = run_cli(capsys, demo_photo, "--face-model", missing)
    assert code == 2
    assert "face model" in err and str(missing) in err and "does not exist" in err
    assert "Traceback" not in err


def test_corrupt_face_model(capsys, tmp_path, demo_photo):
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"\x00" * 1000)
    code, _, err = run_cli(capsys, demo_photo, "--face-model", bad)
    assert code == 2 and "corrupt" in err


def test_unknown_detector(capsys, demo_photo):
    code, _, err = run_cli(capsys, demo_photo, "--detectors", "mediapipe,nope")
    assert code == 2 and "unknown detector" in err and "mediapipe" in err


def test_written_csv_reads_back(capsys, tmp_path, shared_data):
    t, _, _ = csv_of(capsys, tmp_path, shared_data / "video" / "single_face.mp4",
                     "--max-frames", 5)
    assert len(t["frame"]) == 5
    aus = au_columns(t)
    assert "AU12" in aus and "AU12L" in aus and "AU30L" in aus
    assert all(len(c) == 5 for c in aus.values())
    assert np.all(aus["AU12"] >= np.maximum(aus["AU12L"], aus["AU12R"]) - 1e-3)


def test_a_missing_optional_package_is_one_line(monkeypatch, capsys, tmp_path):
    """A build without torch (the bundle's --without-torch): `auedit fit` says what is
    missing instead of a traceback."""
    from auedit.cli import fit

    def no_torch(_args):
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr(fit, "run", no_torch)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"")
    assert main(["fit", str(photo)]) == 2
    err = capsys.readouterr().err
    assert "auedit: error: fit needs the Python package 'torch'" in err
    assert "pip install torch" in err and "Traceback" not in err
    monkeypatch.setattr("sys.frozen", True, raising=False)  # a PyInstaller bundle
    assert main(["fit", str(photo)]) == 2
    err = capsys.readouterr().err
    assert "this bundle was built without it" in err and "pip install torch" not in err


def test_a_failed_write_keeps_the_existing_output(capsys, tmp_path, demo_photo, monkeypatch):
    """A full disk half-way: the old file stays as it was, the error names it."""
    import errno

    from auedit.cli import analyze

    out = tmp_path / "old.csv"
    out.write_text("the previous analysis\n")

    def full_disk(self, frame):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(analyze._RowWriter, "write", full_disk)
    code, _, err = run_cli(capsys, demo_photo, "--out", out)
    assert code == 2 and "Traceback" not in err
    assert f"cannot write {out}: the disk is full" in err
    assert out.read_text() == "the previous analysis\n"
    assert [p.name for p in tmp_path.iterdir()] == ["old.csv"]  # no temporary file left


def test_the_apps_options_work_without_the_gui_command():
    """`auedit --camera 0` (the README's quick start) and `auedit -v --demo` open the app."""
    from auedit.cli.main import _with_command, build_parser

    parser = build_parser()
    for argv, expected in ((["--camera", "0"], ["gui", "--camera", "0"]),
                           (["-v", "--demo"], ["-v", "gui", "--demo"]),
                           (["--demo", "-v"], ["-v", "gui", "--demo"]),
                           ([], ["gui"]),
                           (["photo.jpg"], ["gui", "photo.jpg"]),
                           (["-v", "analyze", "x.jpg"], ["-v", "analyze", "x.jpg"]),
                           (["--help"], ["--help"])):
        assert _with_command(argv, parser) == expected, argv
    args = parser.parse_args(_with_command(["--camera", "0"], parser))
    assert args.command == "gui" and args.camera == 0


@pytest.mark.parametrize(("args", "name", "problem"), [
    ([], "aus.xlsx", "CSV files end in .csv, not .xlsx (use"),
    (["--json"], "aus.csv", "JSON lines (--json) files end in .jsonl or .json, not .csv"),
])
def test_an_output_named_for_another_format_is_refused(demo_photo, tmp_path, capsys, args, name,
                                                       problem):
    code, _, err = run_cli(capsys, demo_photo, *args, "--out", tmp_path / name)
    assert code == 2 and problem in err
    assert not (tmp_path / name).exists()


def test_a_detector_named_twice_is_a_usage_error(demo_photo, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["analyze", str(demo_photo), "--detectors", "mediapipe,rigfit,mediapipe"])
    assert exit_.value.code == 2
    assert "mediapipe named twice" in capsys.readouterr().err


def test_an_interrupted_analysis_writes_what_it_has_and_exits_130(demo_photo, tmp_path, capsys,
                                                                  monkeypatch):
    import auedit.cli.analyze as analyze

    frames = analyze.analysed_frames

    def interrupted(*args, **kwargs):
        yield from frames(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(analyze, "analysed_frames", interrupted)
    out = tmp_path / "aus.csv"
    code, _, err = run_cli(capsys, demo_photo, "--out", out)
    assert code == 130
    assert "interrupted; what was analysed so far is written" in err
    assert len(read_csv(out)["frame"]) == 1


def test_json_into_a_json_file_is_one_array_and_into_jsonl_lines(demo_photo, tmp_path, capsys):
    """`--json --out x.json` wrote JSON lines, which `json.load` refused."""
    import json

    code, _, _ = run_cli(capsys, demo_photo, demo_photo, "--json", "--out", tmp_path / "a.json")
    rows = json.loads((tmp_path / "a.json").read_text())
    assert code == 0 and isinstance(rows, list) and len(rows) == 2 and rows[0]["face_id"] == 0
    code, _, _ = run_cli(capsys, demo_photo, "--json", "--out", tmp_path / "a.jsonl")
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    assert code == 0 and len(lines) == 1 and json.loads(lines[0])["frame"] == 1


def test_sigterm_stops_an_analysis_as_ctrl_c_does(demo_photo, tmp_path, capsys, monkeypatch):
    """SIGTERM (`kill`, a scheduler) ended `analyze` with nothing written."""
    import os
    import signal

    import auedit.cli.analyze as analyze

    frames = analyze.analysed_frames

    def terminated(*args, **kwargs):
        yield from frames(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill` would, mid-run

    monkeypatch.setattr(analyze, "analysed_frames", terminated)
    before = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "aus.csv"
    code, _, err = run_cli(capsys, demo_photo, "--out", out)
    assert code == 130 and "interrupted; what was analysed so far is written" in err
    assert len(read_csv(out)["frame"]) == 1
    assert signal.getsignal(signal.SIGTERM) is before  # put back after the command
