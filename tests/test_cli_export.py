"""`auedit export` end to end: analyse a photo and a video to CSV, export every format."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from auedit.cli import analyze, export
from auedit.cli.main import main
from auedit.export.gltf import register_mesh_provider
from auedit.export.livelink import HEADER, read_livelink_csv
from auedit.export.openface_csv import au_columns, read_csv
from auedit.export.track import ExpressionTrack


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="auedit")
    sub = p.add_subparsers(dest="command")
    export.add_parser(sub)
    return p


def run_export(*argv: str) -> int:
    args = parser().parse_args(["export", *map(str, argv)])
    return args.run(args)


@pytest.fixture(scope="module")
def photo_csv(tmp_path_factory, demo_photo) -> Path:
    out = tmp_path_factory.mktemp("photo") / "astronaut.csv"
    assert main(["analyze", str(demo_photo), "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.fixture(scope="module")
def video_csv(tmp_path_factory, shared_data) -> Path:
    video = shared_data / "video" / "single_face.mp4"
    if not video.is_file():
        pytest.skip(f"{video} not found")
    out = tmp_path_factory.mktemp("video") / "single_face.csv"
    assert main(["analyze", str(video), "--out", str(out), "--no-progress",
                 "--max-frames", "45"]) == 0
    return out


def test_photo_csv_to_every_text_format(photo_csv, tmp_path, capsys):
    table = read_csv(photo_csv)
    aus = {k: float(v[0]) for k, v in au_columns(table).items() if not np.isnan(v[0])}
    assert aus, "the demo photo should give AU intensities"

    assert run_export(photo_csv, "--format", "openface", "--out", tmp_path / "o.csv") == 0
    back = read_csv(tmp_path / "o.csv")
    assert au_columns(back)["AU12"][0] == pytest.approx(aus["AU12"], rel=1e-3, abs=1e-4)
    assert back["pitch"][0] == pytest.approx(table["pitch"][0], abs=0.01)

    assert run_export(photo_csv, "--format", "livelink", "--out", tmp_path / "l.csv",
                      "--fps", "30") == 0
    ll = read_livelink_csv(tmp_path / "l.csv", fps=30)
    assert len(ll["Timecode"]) == 1 and list(ll["Timecode"]) == ["00:00:00:00.000"]
    assert (tmp_path / "l.csv").read_text().splitlines()[0].split(",") == list(HEADER)
    assert ll["JawOpen"][0] == pytest.approx(min(aus.get("AU26", 0) / 5, 1), abs=1e-6)
    assert ll["MouthSmileLeft"][0] == pytest.approx(
        min(aus.get("AU12L", aus["AU12"]) / 5, 1), abs=1e-6)
    assert ll["HeadPitch"][0] == pytest.approx(np.radians(table["pitch"][0]), abs=1e-3)

    assert run_export(photo_csv, "--format", "json", "--out", tmp_path / "t.json") == 0
    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["version"] == 1 and len(doc["frames"]) == 1
    assert doc["frames"][0]["aus"]["AU12"] == pytest.approx(aus["AU12"], rel=1e-3)
    assert len(doc["frames"][0]["arkit"]) == 51
    assert "-> " in capsys.readouterr().err


def test_photo_directly(demo_photo, tmp_path):
    out = tmp_path / "direct.json"
    assert run_export(demo_photo, "--format", "json", "--out", out) == 0
    track = ExpressionTrack.from_json(out)
    assert len(track) == 1 and track.frames[0].aus and track.detector


def test_video_csv_livelink_60(video_csv, tmp_path):
    src = ExpressionTrack.from_csv(video_csv)
    assert len(src) > 30 and src.fps > 1
    out = tmp_path / "take.csv"
    assert run_export(video_csv, "--format", "livelink", "--out", out, "--fps", "60") == 0
    ll = read_livelink_csv(out, fps=60)
    assert np.allclose(np.diff(ll["time"]), 1 / 60)
    assert ll["time"][0] == pytest.approx(src.frames[0].time, abs=1 / 60)
    assert ll["time"][-1] == pytest.approx(src.frames[-1].time, abs=1 / 60)
    assert np.all(ll["BlendShapeCount"] == 61)
    # on a source frame's time, the value is that frame's
    f = src.frames[10]
    k = int(np.argmin(np.abs(ll["time"] - f.time)))
    if abs(ll["time"][k] - f.time) < 1e-6:
        assert ll["JawOpen"][k] == pytest.approx(min(f.aus.get("AU26", 0) / 5, 1), abs=1e-4)
    assert ll["JawOpen"].max() <= 1 and ll["JawOpen"].min() >= 0


def test_video_directly(shared_data, tmp_path):
    video = shared_data / "video" / "single_face.mp4"
    out = tmp_path / "v.csv"
    assert run_export(video, "--format", "openface", "--out", out, "--max-frames", "12") == 0
    table = read_csv(out)
    assert len(table["frame"]) == 12 and np.all(table["success"] == 1)


def test_gltf_with_and_without_provider(photo_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(export, "use_rig_mesh", lambda: None)  # whatever auedit.rig registers
    register_mesh_provider(None)
    out = tmp_path / "f.glb"
    assert run_export(photo_csv, "--format", "gltf", "--out", out) == 2
    err = capsys.readouterr().err
    assert "auedit: error:" in err and "mesh" in err and "Traceback" not in err
    assert not out.exists()

    verts = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0]], np.float32)
    tris = np.array([[0, 1, 2]])
    register_mesh_provider(lambda: (verts, tris, {"AU12": np.full((3, 3), 0.1, np.float32)}))
    try:
        assert run_export(photo_csv, "--format", "gltf", "--out", out) == 0
    finally:
        register_mesh_provider(None)
    import pygltflib

    g = pygltflib.GLTF2.load(str(out))
    assert g.meshes[0].extras["targetNames"] == ["AU12"]
    assert g.animations[0].channels[0].target.path == "weights"


@pytest.mark.parametrize("content", [None, b"", b"hello,world\n1,2\n", b"\x00\xff\xfe\x81" * 20])
def test_bad_input(tmp_path, capsys, content):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    assert run_export(path, "--format", "livelink", "--out", tmp_path / "o.csv") == 2
    err = capsys.readouterr().err
    assert err.startswith("auedit: error:") and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def _edited_csv(photo_csv: Path, path: Path, column: str, value: str) -> Path:
    """A copy of `photo_csv` with its first row's `column` set to `value`."""
    rows = list(csv.reader(photo_csv.open(newline="")))
    rows[1][rows[0].index(column)] = value
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("timestamp", "nan", "timestamp in row 1 is not a number"),
    ("timestamp", "", "timestamp in row 1 is not a number"),
    ("AU12_r", "inf", "AU12_r in row 1 is 'inf', not a finite number"),
    ("pose_Rx", "-inf", "pose_Rx in row 1 is '-inf', not a finite number"),
    ("frame", "-3", "frame in row 1 is -3, not a frame number"),
    ("frame", "0", "frame in row 1 is 0, not a frame number (a whole number, 1 or more)"),
    ("frame", "2.5", "frame in row 1 is 2.5, not a frame number")])
def test_a_csv_value_that_is_no_finite_number_is_refused(photo_csv, tmp_path, capsys, column,
                                                          value, problem):
    bad = _edited_csv(photo_csv, tmp_path / "bad.csv", column, value)
    for fmt, name in (("json", "o.json"), ("livelink", "o.csv"), ("gltf", "o.glb")):
        assert run_export(bad, "--format", fmt, "--out", tmp_path / name) == 2
        assert problem in capsys.readouterr().err
        assert not (tmp_path / name).exists()


def test_a_take_that_one_wrong_time_stamp_would_blow_up_is_refused(photo_csv, tmp_path,
                                                                     capsys):
    """One time stamp of 1e9 s made Live Link's resampling ask for 447 GiB (a traceback),
    1e6 s had the process killed for memory; negative times wrote timecodes like
    -1:59:57:38. Both are refused before anything is written."""
    two = tmp_path / "two.csv"
    rows = list(csv.reader(photo_csv.open(newline="")))
    later = list(rows[1])
    later[rows[0].index("frame")] = "2"
    rows.append(later)
    first = rows[1][rows[0].index("timestamp")]
    for start, value, problem in ((first, "1e9", "a time stamp is likely wrong"),
                                  ("-3", "-2", "a time stamp is negative")):
        rows[1][rows[0].index("timestamp")] = start
        later[rows[0].index("timestamp")] = value
        with two.open("w", newline="") as f:
            csv.writer(f).writerows(rows)
        assert run_export(two, "--format", "livelink", "--out", tmp_path / "o.csv") == 2
        err = capsys.readouterr().err
        assert problem in err and "Traceback" not in err
        assert not (tmp_path / "o.csv").exists()
    rows[1][rows[0].index("timestamp")] = first
    later[rows[0].index("timestamp")] = str(float(first) + 0.5)  # a short gap: as before
    with two.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert run_export(two, "--format", "livelink", "--out", tmp_path / "o.csv") == 0


def test_empty_au_cells_and_a_success_that_is_no_number(photo_csv, tmp_path, capsys):
    """An empty or nan AU12_r silently became MouthSmile 0, and success=maybe counted as
    tracked."""
    rows = list(csv.reader(photo_csv.open(newline="")))
    later = list(rows[1])
    later[rows[0].index("frame")] = "2"
    later[rows[0].index("timestamp")] = str(float(later[rows[0].index("timestamp")]) + 0.1)
    rows.append(later)
    for value in ("", "nan"):
        later[rows[0].index("AU12_r")] = value  # read in the first row, lost in the second
        with (tmp_path / "gap.csv").open("w", newline="") as f:
            csv.writer(f).writerows(rows)
        assert run_export(tmp_path / "gap.csv", "--format", "json",
                          "--out", tmp_path / "o.json") == 0
        err = capsys.readouterr().err
        assert "AU12_r empty or not a number in some tracked rows" in err
        assert "AU23_r" not in err  # never read by MediaPipe: empty in every row, no note
    maybe = _edited_csv(photo_csv, tmp_path / "maybe.csv", "success", "maybe")
    assert run_export(maybe, "--format", "json", "--out", tmp_path / "m.json") == 2
    assert "success in row 1 is 'maybe'" in capsys.readouterr().err


def test_au_intensities_beyond_the_scale_are_clipped_with_a_note(photo_csv, tmp_path, capsys):
    high = _edited_csv(photo_csv, tmp_path / "high.csv", "AU12_r", "9")
    assert run_export(high, "--format", "json", "--out", tmp_path / "o.json") == 0
    assert "1 AU intensity(s) outside 0-5 clipped" in capsys.readouterr().err
    assert json.loads((tmp_path / "o.json").read_text())["frames"][0]["aus"]["AU12"] == 5.0


def test_a_csv_cut_short_is_refused(photo_csv, tmp_path, capsys):
    cut = tmp_path / "cut.csv"
    cut.write_text(photo_csv.read_text()[:-60])
    assert run_export(cut, "--format", "json", "--out", tmp_path / "o.json") == 2
    assert "a file cut short?" in capsys.readouterr().err


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["frames"][0].update(aus=[1, 2]), "frame 0 is malformed ('aus' is list"),
    (lambda d: d["frames"][0]["aus"].update(AU12=None), "aus.AU12 is None, not a number"),
    (lambda d: d["frames"][0].update(time="x"), "time is 'x', not a number"),
    (lambda d: d["frames"][0].pop("index"), "frame 0 is malformed (no 'index')"),
    (lambda d: d.update(frames=[5]), "a frame is int, not an object"),
    (lambda d: d.update(fps=0), "fps 0 is not a frame rate"),
    (lambda d: d.update(fps=1e300), "fps 1e+300 is not a frame rate"),
    (lambda d: d["frames"][0].update(index=5.5), "index is 5.5, not a whole number"),
    (lambda d: d["frames"][0].update(index=-1), "index is -1, not a whole number"),
    (lambda d: d.update(face_id="zero"), "face_id is 'zero', not a number"),
])
def test_a_malformed_json_track_is_refused(photo_csv, tmp_path, capsys, change, problem):
    track = tmp_path / "t.json"
    assert run_export(photo_csv, "--format", "json", "--out", track) == 0
    doc = json.loads(track.read_text())
    change(doc)
    track.write_text(json.dumps(doc))
    assert run_export(track, "--format", "livelink", "--out", tmp_path / "o.csv") == 2
    err = capsys.readouterr().err
    assert problem in err and "Traceback" not in err


def test_json_track_fields_left_null_read_as_absent(photo_csv, tmp_path):
    track = tmp_path / "t.json"
    assert run_export(photo_csv, "--format", "json", "--out", track) == 0
    doc = json.loads(track.read_text())
    doc["fps"] = None
    doc["frames"][0].update(pose=None, arkit=None, rig=None)
    track.write_text(json.dumps(doc))
    assert run_export(track, "--format", "livelink", "--out", tmp_path / "o.csv") == 0


def test_bad_media_and_face_id(tmp_path, photo_csv, capsys):
    fake = tmp_path / "broken.mp4"
    fake.write_bytes(b"not a video")
    assert run_export(fake, "--format", "json", "--out", tmp_path / "o.json") == 2
    assert run_export(photo_csv, "--format", "json", "--out", tmp_path / "o.json",
                      "--face-id", "9") == 2
    assert "face 9" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser().parse_args(["export", str(photo_csv), "--format", "fbx", "--out", "x"])
    with pytest.raises(SystemExit):
        parser().parse_args(["export", str(photo_csv), "--format", "livelink", "--out", "x",
                             "--fps", "25"])


def test_gltf_from_csv_uses_the_rig_with_au_morph_targets(tmp_path):
    """`auedit export --format gltf` animates the game face: one morph target per AU
    parameter, named in mesh.extras.targetNames, with a weights animation over the track."""
    import pygltflib
    from auedit.resources import ROOT

    from auedit.cli.main import main
    from auedit.rig.expressions import AU_PARAMETER_KEYS

    csv_path, glb = tmp_path / "a.csv", tmp_path / "a.glb"
    assert main(["analyze", str(ROOT / "demo" / "astronaut.jpg"), "--out", str(csv_path),
                 "--no-progress"]) == 0
    assert main(["export", str(csv_path), "--format", "gltf", "--out", str(glb)]) == 0
    gltf = pygltflib.GLTF2().load(str(glb))
    mesh = gltf.meshes[0]
    names = mesh.extras["targetNames"]
    assert names[:len(AU_PARAMETER_KEYS)] == list(AU_PARAMETER_KEYS)
    assert all(n.startswith(("AU45L*", "AU45R*")) for n in names[len(AU_PARAMETER_KEYS):])
    assert len(mesh.primitives[0].targets) == len(names)
    assert gltf.animations[0].channels[0].target.path == "weights"
    # the textured look: the brows' texture as the base colour texture, over TEXCOORD_0
    prim = mesh.primitives[0]
    assert prim.attributes.TEXCOORD_0 is not None and prim.material == 0
    texture = gltf.materials[0].pbrMetallicRoughness.baseColorTexture
    image = gltf.images[gltf.textures[texture.index].source]
    view = gltf.bufferViews[image.bufferView]
    png = gltf.binary_blob()[view.byteOffset:view.byteOffset + view.byteLength]
    decoded = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image.mimeType == "image/png" and decoded.shape[0] == decoded.shape[1] >= 256
    assert decoded.min() < 180 and decoded.max() == 255  # brows (sRGB) on an unpainted field


def clip_and_photo_csv(path: Path) -> Path:
    """`auedit analyze clip.mp4 photo.jpg`: a 30 fps clip (AU26 rising) and then a photo
    (face 0 at time 0, AU26 5)."""
    rows = ["frame,face_id,timestamp,success,source,AU26_r"]
    rows += [f"{i + 1},0,{i / 30:.3f},1,clip.mp4,{i / 10}" for i in range(20)]
    rows += ["1,0,0.000,1,photos/photo.jpg,5.0"]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_csv_of_several_sources_exports_one(tmp_path, capsys):
    csv_path = clip_and_photo_csv(tmp_path / "aus.csv")
    assert run_export(csv_path, "--format", "json", "--out", tmp_path / "t.json") == 0
    err = capsys.readouterr().err
    assert "note:" in err and "photos/photo.jpg" in err and "--source" in err
    doc = json.loads((tmp_path / "t.json").read_text())
    times = [f["time"] for f in doc["frames"]]
    assert doc["source"] == "clip.mp4" and len(times) == 20 and np.all(np.diff(times) > 0)
    assert doc["fps"] == 30.0

    assert run_export(csv_path, "--format", "livelink", "--out", tmp_path / "l.csv") == 0
    assert read_livelink_csv(tmp_path / "l.csv", fps=60)["JawOpen"][0] == 0.0  # not the photo
    capsys.readouterr()

    assert run_export(csv_path, "--format", "json", "--out", tmp_path / "p.json",
                      "--source", "photo.jpg") == 0
    assert "note:" not in capsys.readouterr().err
    assert json.loads((tmp_path / "p.json").read_text())["frames"][0]["aus"]["AU26"] == 5.0

    assert run_export(csv_path, "--format", "json", "--out", tmp_path / "x.json",
                      "--source", "other.jpg") == 2
    err = capsys.readouterr().err
    assert "other.jpg" in err and "clip.mp4, photos/photo.jpg" in err
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(("fmt", "name", "right"), [
    ("gltf", "bad.gltf", "bad.glb"), ("json", "t.csv", "t.json"), ("livelink", "take", "take.csv")])
def test_output_named_for_another_format_is_refused(tmp_path, capsys, fmt, name, right):
    csv_path = clip_and_photo_csv(tmp_path / "aus.csv")
    assert run_export(csv_path, "--format", fmt, "--out", tmp_path / name) == 2
    err = capsys.readouterr().err
    assert err.startswith("auedit: error:") and right in err
    assert not (tmp_path / name).exists()


def test_max_faces_defaults_as_analyze():
    p = argparse.ArgumentParser(prog="auedit")
    analyze.add_parser(p.add_subparsers(dest="command"))
    default = p.parse_args(["analyze", "x.jpg"]).max_faces
    assert parser().parse_args(["export", "x.jpg", "-f", "json", "-o", "x.json"]).max_faces \
        == default
    with pytest.raises(SystemExit):
        parser().parse_args(["export", "x.jpg", "-f", "json", "-o", "x.json", "--max-faces", "0"])


def test_fifth_face_of_a_group_photo(shared_data, tmp_path, capsys):
    photo = shared_data / "images" / "multi_face.jpg"
    if not photo.is_file():
        pytest.skip(f"{photo} not found")
    out = tmp_path / "g.json"
    assert run_export(photo, "--format", "json", "--face-id", "4", "--out", out) == 2
    err = capsys.readouterr().err
    assert "face 4 not found in 1 frame(s) of multi_face.jpg (faces present: 0-3" in err
    assert "--max-faces" in err
    assert run_export(photo, "--format", "json", "--face-id", "4", "--max-faces", "8",
                      "--out", out) == 0
    assert ExpressionTrack.from_json(out).face_id == 4


def test_a_failed_write_keeps_the_existing_output(photo_csv, tmp_path, capsys, monkeypatch):
    import errno

    from auedit.export.json_track import JsonExporter

    out = tmp_path / "old.json"
    out.write_text("{}\n")

    def half_written(self, track, path):
        Path(path).write_text('{"frames": [')
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(JsonExporter, "write", half_written)
    assert main(["export", str(photo_csv), "--format", "json", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}: the disk is full" in err
    assert out.read_text() == "{}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["old.json"]  # no temporary file left


def test_analyze_json_lines_get_a_pointer_to_what_export_reads(demo_photo, tmp_path, capsys):
    lines = tmp_path / "astronaut.jsonl"
    assert main(["analyze", str(demo_photo), "--json", "--out", str(lines), "--no-progress"]) == 0
    named_json = tmp_path / "astronaut.json"
    named_json.write_bytes(lines.read_bytes())
    for path in (lines, named_json):
        assert main(["export", str(path), "--format", "json", "--out",
                     str(tmp_path / "t.json")]) == 2
        err = capsys.readouterr().err
        assert "JSON lines of `auedit analyze --json`" in err and "Traceback" not in err
    # the same rows as one JSON array (`--out x.json`, as the README documents it)
    array = tmp_path / "array.json"
    assert main(["analyze", str(demo_photo), "--json", "--out", str(array),
                 "--no-progress"]) == 0
    assert main(["export", str(array), "--format", "json", "--out",
                 str(tmp_path / "t.json")]) == 2
    err = capsys.readouterr().err
    assert "the JSON array of `auedit analyze --json`" in err and "Traceback" not in err


def test_a_face_missing_from_a_csv_names_the_faces_there(photo_csv, tmp_path, capsys):
    """Image input named the faces present; a CSV said only that face 4 had no rows."""
    assert main(["export", str(photo_csv), "--face-id", "4", "--format", "json", "--out",
                 str(tmp_path / "t.json")]) == 2
    err = capsys.readouterr().err
    assert "no tracked face rows for face 4 (faces present: 0)" in err


def test_dash_writes_to_standard_output(photo_csv, demo_photo, capsysbinary, tmp_path,
                                        monkeypatch):
    monkeypatch.chdir(tmp_path)  # no file named "-" may appear here
    assert main(["export", str(photo_csv), "--format", "json", "--out", "-"]) == 0
    out, err = capsysbinary.readouterr()
    assert json.loads(out)["frames"][0]["aus"]["AU12"] > 1.0
    assert b"-> standard output (json)" in err
    assert main(["analyze", str(demo_photo), "--out", "-", "--no-progress"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"frame,face_id,")
    assert not list(tmp_path.iterdir())


def test_analysis_options_given_with_a_csv_are_noted_as_ignored(photo_csv, tmp_path, capsys):
    assert run_export(photo_csv, "--format", "json", "--out", tmp_path / "o.json",
                      "--detectors", "rigfit", "--max-frames", "5") == 0
    assert ("note: --detectors, --max-frames apply to image and video input; astronaut.csv is "
            "read as it is") in capsys.readouterr().err
    assert run_export(photo_csv, "--format", "json", "--out", tmp_path / "o.json") == 0
    assert "note:" not in capsys.readouterr().err
