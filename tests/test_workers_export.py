"""The GUI's export task (`auedit.workers.export`), without a window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auedit.export.json_track import track_to_dict
from auedit.export.track import ExpressionTrack, TrackFrame
from auedit.workers.export import ExportError, ExportJob, run_export


@pytest.fixture
def track_json(tmp_path: Path) -> Path:
    track = ExpressionTrack([TrackFrame(i, i / 30, {"AU12": 2.0}) for i in range(3)], fps=30)
    path = tmp_path / "track.json"
    path.write_text(json.dumps(track_to_dict(track)))
    return path


def test_export_refuses_a_missing_folder(track_json, tmp_path):
    out = tmp_path / "missing" / "out.csv"
    with pytest.raises(ExportError, match="does not exist"):
        run_export(ExportJob(str(track_json), "livelink", str(out)))
    assert not out.parent.exists()  # no folder made on the way


def test_export_writes_into_an_existing_folder(track_json, tmp_path):
    out = tmp_path / "out.csv"
    assert "Exported 3 frame(s)" in run_export(ExportJob(str(track_json), "livelink", str(out)))
    assert out.is_file()


def test_export_never_overwrites_its_source(track_json):
    before = track_json.read_text()
    with pytest.raises(ExportError, match="it is an input"):
        run_export(ExportJob(str(track_json), "json", str(track_json)))
    assert track_json.read_text() == before


def test_export_refuses_the_wrong_suffix(track_json, tmp_path):
    with pytest.raises(ExportError, match=r"end in \.glb"):
        run_export(ExportJob(str(track_json), "gltf", str(tmp_path / "face.gltf")))


def test_export_of_a_video_reports_progress_and_can_be_stopped(tmp_path, make_demo_video):
    """The app's export of a video analyses it frame by frame: it reports how far it got,
    and a stop between two frames ends it with nothing written."""
    from auedit.workers.export import ExportCancelledError

    video = make_demo_video(tmp_path / "face.avi", 6)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "out.json"
    assert "Exported 6 frame(s)" in run_export(ExportJob(str(video), "json", str(out)),
                                               lambda done, n: seen.append((done, n)))
    assert seen == [(i, 6) for i in range(1, 7)]

    def stop_at_three(done: int, _n: int) -> None:
        if done == 3:
            raise ExportCancelledError

    stopped = tmp_path / "stopped.json"
    with pytest.raises(ExportCancelledError):
        run_export(ExportJob(str(video), "json", str(stopped)), stop_at_three)
    assert {p.name for p in tmp_path.iterdir()} == {"face.avi", "out.json"}  # nothing else
