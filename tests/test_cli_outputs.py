"""The CLI's checks before any work: outputs that are inputs, folders or in missing folders;
out-of-range options; camera indices; and the warnings for a truncated video or a lost camera."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from auedit.analysis.frames import analysed_frames
from auedit.cli import inputs
from auedit.cli.inputs import is_camera_index
from auedit.cli.main import main
from auedit.export.openface_csv import read_csv
from auedit.media.outputs import OutputError, PendingFile, check_outputs, describe_os_error
from auedit.media.sources import CameraSource, MediaError, open_source

KEEP = "frame,kept\n1,2\n"


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def write_avi(path: Path, frames: int = 40, keep: float = 1.0) -> Path:
    """A small MJPG video of random pixels; `keep` < 1 cuts the file (its header still
    reports every frame)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    rng = np.random.default_rng(0)
    for _ in range(frames):
        writer.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    writer.release()
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    return path


@pytest.fixture
def no_work(monkeypatch):
    """Fail a test that starts a face tracker: the checks must come before any work."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a face tracker was started before the output was checked")

    monkeypatch.setattr("auedit.face.tracker.FaceTracker", refuse)


@pytest.fixture
def victim(tmp_path, demo_photo) -> Path:
    path = tmp_path / "victim.jpg"
    path.write_bytes(demo_photo.read_bytes())
    return path


# --- check_outputs -------------------------------------------------------------------------

def test_check_outputs_refuses_inputs_folders_and_missing_folders(tmp_path):
    src = tmp_path / "in.jpg"
    src.write_bytes(b"x")
    link = tmp_path / "link.jpg"
    os.link(src, link)
    cases = [(src, "it is an input"), (link, "it is an input ("),
             (tmp_path, "it is a folder"),
             (tmp_path / "nodir" / "o.csv", f"the folder {tmp_path / 'nodir'} does")]
    for out, message in cases:
        with pytest.raises(OutputError) as info:
            check_outputs([out], [src])
        assert str(out) in str(info.value) and message in str(info.value)
    with pytest.raises(OutputError, match="twice"):
        check_outputs([tmp_path / "a.png", tmp_path / "." / "a.png"], [])
    existing = tmp_path / "old.csv"
    existing.write_text(KEEP)
    check_outputs([existing, None], [src, None, "0"])  # overwriting a non-input is allowed


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs Linux's /proc")
def test_an_existing_output_in_a_folder_that_takes_no_files_is_refused():
    """Every write makes a new file beside the output first, so an existing output in such a
    folder failed only after the work as well."""
    with pytest.raises(OutputError, match="takes no new files"):
        check_outputs([Path("/proc/version")], [])


def test_os_errors_are_named():
    err = describe_os_error("out/x.csv", OSError(errno.ENOENT, "No such file"))
    assert str(err) == f"cannot write out/x.csv: the folder {Path('out')} does not exist"
    # a folder that is there but takes no new files (/proc) is not called missing
    there = describe_os_error(Path.cwd() / "x.csv", OSError(errno.ENOENT, "No such file"))
    assert "takes no new files" in str(there)
    assert "no permission" in str(describe_os_error("x", PermissionError(errno.EACCES, "")))
    assert "is a folder" in str(describe_os_error("x", OSError(errno.EISDIR, "")))
    assert "in the way" in str(describe_os_error("x", FileExistsError(errno.EEXIST, "")))
    assert "read-only" in str(describe_os_error("x", OSError(errno.EROFS, "")))
    full = "cannot write x: the disk is full"
    assert str(describe_os_error("x", OSError(errno.ENOSPC, "No space left"))) == full
    # numpy's writer (the edits' images) reports a short write without an errno
    assert str(describe_os_error("x", OSError("438525 requested and 204800 written"))) == full


def test_pending_file_keeps_the_old_file_unless_kept(tmp_path):
    path = tmp_path / "keep.csv"
    path.write_text(KEEP)
    pending = PendingFile(path)
    pending.open().write("new\n")
    assert pending.finish(keep=False) is False
    assert path.read_text() == KEEP and sorted(tmp_path.iterdir()) == [path]
    pending = PendingFile(path)
    pending.open().write("new\n")
    assert pending.finish(keep=True) is True
    assert path.read_text() == "new\n" and sorted(tmp_path.iterdir()) == [path]
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    pending = PendingFile(link)
    pending.open().write("via link\n")
    assert pending.finish(keep=True) and link.is_symlink() and path.read_text() == "via link\n"


# --- every subcommand refuses to overwrite its input, before any work ----------------------

@pytest.mark.parametrize("argv", [
    ["edit", "{v}", "--au", "12=3", "--out", "{v}"],
    ["transfer", "{d}", "{v}", "--out", "{v}"],
    ["transfer", "{v}", "{d}", "--out", "{t}/o.png", "--json", "{v}"],
    ["fit", "{v}", "--out", "{v}"],
    ["fit", "{t}", "--out", "{v}"],  # the photo inside a folder given as input
    ["analyze", "{v}", "--out", "{v}"],
    ["analyze", "{d}", "--face-model", "{v}", "--out", "{v}"],
    ["export", "{v}", "--format", "livelink", "--out", "{v}"],
])
def test_output_is_never_an_input(capsys, tmp_path, victim, demo_photo, no_work, argv):
    before = victim.read_bytes()
    args = [a.format(v=victim, d=demo_photo, t=tmp_path) for a in argv]
    code, out, err = run_cli(capsys, *args)
    assert code == 2, err
    assert "it is an input" in err and str(victim) in err and "Traceback" not in err
    assert victim.read_bytes() == before and out == ""


# each subcommand with its output (the one --json names, for transfer) in the folder {f}
IN_FOLDER = [
    ["fit", "{d}", "--out", "{f}/x.json"],
    ["edit", "{d}", "--au", "12=3", "--out", "{f}/o.png"],
    ["transfer", "{d}", "{d}", "--out", "{t}/o.png", "--json", "{f}/t.json"],
    ["analyze", "{d}", "--out", "{f}/a.csv"],
    ["export", "{d}", "--format", "json", "--out", "{f}/e.json"],
]


@pytest.mark.parametrize("argv", IN_FOLDER)
@pytest.mark.parametrize("folder", ["missing", "/proc"])
def test_an_output_folder_that_cannot_take_it_is_refused_up_front(capsys, tmp_path,
                                                                  demo_photo, no_work,
                                                                  argv, folder):
    """A missing folder, and one that takes no new files: root's os.access says yes in
    /proc, and `fit` ran the whole fit and `transfer` wrote its image before failing."""
    if folder == "/proc" and not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc")
    where = tmp_path / "nodir" if folder == "missing" else Path(folder)
    code, _, err = run_cli(capsys, *[a.format(d=demo_photo, t=tmp_path, f=where)
                                     for a in argv])
    assert code == 2 and "Traceback" not in err
    why = ("does not exist" if folder == "missing" else "takes no new files")
    assert f"the folder {where} {why}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_fit_refuses_an_output_named_for_another_format(capsys, tmp_path, demo_photo,
                                                       no_work):
    """`fit --out o.csv` wrote JSON into a .csv file; analyze and export refuse such names."""
    code, _, err = run_cli(capsys, "fit", demo_photo, "--out", tmp_path / "o.csv")
    assert code == 2 and "fit writes JSON, whose files end in .json, not .csv" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_output_folder_is_refused(capsys, tmp_path, demo_photo, no_work):
    code, _, err = run_cli(capsys, "analyze", demo_photo, "--out", tmp_path)
    assert code == 2 and f"cannot write {tmp_path}: it is a folder" in err


def test_transfer_checks_the_image_type_first(capsys, tmp_path, demo_photo, no_work):
    code, _, err = run_cli(capsys, "transfer", demo_photo, demo_photo, "--out", tmp_path / "t.txt")
    assert code == 2 and "unknown image type" in err and "Traceback" not in err


def test_transfer_json_dash_writes_to_standard_output(capsys, tmp_path, demo_photo,
                                                      monkeypatch):
    """`--json -` made a file named "-" (fit and export take "-" for standard output)."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "transfer", demo_photo, demo_photo, "--out", "o.png",
                           "--size", "128", "--json", "-")
    assert code == 0 and json.loads(out)["expression_from"] == str(demo_photo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.png"]


# --- analyze leaves an existing --out alone when it fails ----------------------------------

@pytest.mark.parametrize("extra", [["--detectors", "nonsense"],
                                   ["--face-model", "missing.task"],
                                   ["--corrupt"]])
def test_failed_analyze_keeps_the_old_csv(capsys, tmp_path, demo_photo, extra):
    keep = tmp_path / "keep.csv"
    keep.write_text(KEEP)
    source = demo_photo
    if extra == ["--corrupt"]:
        source, extra = tmp_path / "corrupt.jpg", []
        source.write_bytes(b"\xff\xd8 not a jpeg")
    code, _, err = run_cli(capsys, "analyze", "--no-progress", source, *extra, "--out", keep)
    assert code != 0 and "Traceback" not in err
    assert keep.read_text() == KEEP
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {"keep.csv", source.name} & {p.name for p in tmp_path.iterdir()})  # no temp file


def test_failed_analyze_prints_no_header(capsys, tmp_path):
    bad = tmp_path / "corrupt.jpg"
    bad.write_bytes(b"\xff\xd8 not a jpeg")
    code, out, _ = run_cli(capsys, "analyze", "--no-progress", bad)
    assert code == 1 and out == ""


def test_analyze_replaces_an_existing_csv(capsys, tmp_path, demo_photo):
    keep = tmp_path / "keep.csv"
    keep.write_text(KEEP)
    keep.chmod(0o640)
    code, _, err = run_cli(capsys, "analyze", "--no-progress", demo_photo, "--out", keep)
    assert code == 0, err
    assert len(read_csv(keep)["frame"]) == 1
    assert keep.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


# --- option ranges -------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["analyze", "{d}", "--max-faces", "0"],
    ["analyze", "{d}", "--max-faces", "-2"],
    ["analyze", "{d}", "--max-frames", "-1"],
    ["analyze", "{d}", "--detectors", ","],
    ["export", "{d}", "--format", "json", "--out", "x.json", "--detectors", " , "],
    ["export", "{d}", "--format", "json", "--out", "x.json", "--max-frames", "-3"],
    ["gui", "--camera", "-1"],
    ["gui", "--camera", "²"],
    ["transfer", "{d}", "{d}", "--out", "o.png", "--size", "0"],
    ["transfer", "{d}", "{d}", "--out", "o.png", "--size", "-5"],
    ["transfer", "{d}", "{d}", "--out", "o.png", "--size", "5000"],
])
def test_out_of_range_options_are_usage_errors(capsys, demo_photo, argv):
    with pytest.raises(SystemExit) as info:
        main([a.format(d=demo_photo) for a in argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument" in err and "Traceback" not in err


# --- input names ---------------------------------------------------------------------------

def test_camera_indices():
    assert all(map(is_camera_index, ["0", "1", "12", "999"]))
    assert not any(map(is_camera_index, ["²", "٣", "1000", "99999999999999999999", "", "-1",
                                         "1.0", " 1"]))


@pytest.mark.parametrize("name", ["²", "99999999999999999999"])
def test_digit_names_that_are_not_cameras(capsys, name):
    code, out, err = run_cli(capsys, "analyze", name)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{name} does not exist" in err and "camera" in err


def test_a_file_named_with_digits_is_a_file(capsys, tmp_path, monkeypatch, demo_photo):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "12345").write_bytes(demo_photo.read_bytes())
    code, out, err = run_cli(capsys, "analyze", "--no-progress", "12345")
    assert code == 0, err
    assert len(out.splitlines()) == 2


# --- truncated video, lost camera, fit on a video ------------------------------------------

def test_truncated_video_is_warned_about(capsys, tmp_path):
    video = write_avi(tmp_path / "cut.avi", keep=0.5)
    out = tmp_path / "cut.csv"
    code, _, err = run_cli(capsys, "analyze", "--no-progress", video, "--out", out)
    assert code == 0, err
    n = len(read_csv(out)["frame"])
    assert 0 < n < 36
    assert f"{video} ended after {n} of 40 frames (truncated or corrupt?)" in err


def test_truncated_video_warning_goes_to_the_callers_warn(tmp_path):
    """The app's export reads videos through the same loop: the warning reaches the track's
    notes there instead of stderr."""
    class Analyzer:
        def analyze(self, rgb, timestamp, index, source):
            return index

    warnings: list[str] = []
    source = open_source(str(write_avi(tmp_path / "cut.avi", keep=0.5)))
    frames = list(analysed_frames(source, Analyzer(), warn=warnings.append))
    assert frames == list(range(len(frames))) and 0 < len(frames) < 36
    assert warnings == [f"{source.name} ended after {len(frames)} of 40 frames "
                        "(truncated or corrupt?)"]


def test_whole_video_and_max_frames_give_no_warning(capsys, tmp_path):
    video = write_avi(tmp_path / "whole.avi")
    for extra in ([], ["--max-frames", "5"]):
        code, _, err = run_cli(capsys, "analyze", "--no-progress", "--json", video, *extra)
        assert code == 0 and "warning" not in err


def test_truncated_real_video(capsys, tmp_path, shared_data):
    whole = shared_data / "video" / "WolfgangLanger_Pexels.mp4"
    if not whole.is_file():
        pytest.skip(f"{whole} not found")
    data = whole.read_bytes()
    cut = tmp_path / "wl_trunc.mp4"
    cut.write_bytes(data[:len(data) // 10])
    code, out, err = run_cli(capsys, "analyze", "--no-progress", "--json", cut)
    assert code == 0 and out
    assert "wl_trunc.mp4 ended after" in err and "(truncated or corrupt?)" in err


class LostCamera(CameraSource):
    """A camera that delivers `frames` blank frames, then fails as a pulled camera does."""

    frames = 5

    def __init__(self, index: int) -> None:
        self.index, self.name, self.fps, self.frame_count = index, f"camera {index}", 30.0, 0
        self._t0, self._sent = time.monotonic(), 0

    def read(self) -> np.ndarray:
        if self._sent >= self.frames:
            raise MediaError(f"camera {self.index} stopped delivering frames (disconnected?)")
        self._sent += 1
        return np.zeros((48, 64, 3), np.uint8)

    def close(self) -> None:
        pass


def test_lost_camera_keeps_its_frames(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "CameraSource", LostCamera)
    out = tmp_path / "cam.csv"
    code, _, err = run_cli(capsys, "analyze", "--no-progress", "0", "--out", out)
    assert code == 0, err
    assert len(read_csv(out)["frame"]) == 5
    assert "camera 0 stopped delivering frames after 5 frames" in err
    assert "skipped" not in err


def test_fit_says_it_takes_photos(capsys, tmp_path):
    video = write_avi(tmp_path / "clip.avi", frames=3)
    code, _, err = run_cli(capsys, "fit", video)
    assert code == 2 and "Traceback" not in err
    assert "fit takes photos, not videos" in err
