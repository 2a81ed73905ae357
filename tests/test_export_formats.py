"""Exporters: Live Link Face CSV, JSON, OpenFace CSV and glTF, read back and compared."""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import astuple

import numpy as np
import pytest

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.core.types import AUReading, FaceAnalysis, FrameAnalysis, HeadPose, TrackedFace
from auedit.export.base import EXPORTERS, Exporter, ExportError, check_suffix, create_exporter
from auedit.export.gltf import GltfExporter, frame_weight, register_mesh_provider, write_glb
from auedit.export.json_track import JsonExporter, read_json
from auedit.export.livelink import (
    BLENDSHAPE_COLUMNS,
    HEADER,
    LiveLinkExporter,
    parse_timecode,
    read_livelink_csv,
    timecode,
)
from auedit.export.openface import OpenFaceExporter
from auedit.export.openface_csv import CsvFormatError, au_columns, read_csv
from auedit.export.retarget import arkit_from_aus, combine
from auedit.export.track import ARKIT_52, ExpressionTrack, TrackFrame, estimate_fps

TC = re.compile(r"^\d{2}:\d{2}:\d{2}:\d{2}\.\d{3}$")


def make_track(n: int = 10, fps: float = 30.0, with_arkit: bool = True) -> ExpressionTrack:
    frames = []
    for i in range(n):
        t = i / fps
        aus = {"AU12": 5.0 * i / max(n - 1, 1), "AU12L": 4.0, "AU26": 2.5, "AU1": 1.0,
               "AU43": 1.0, "AU45R": 3.0}
        pose = HeadPose(pitch=2.0 * i, yaw=-1.0 * i, roll=0.5, tx=1.0, ty=2.0, tz=600.0 + i)
        arkit = {n_: 0.01 * (k % 7) for k, n_ in enumerate(ARKIT_BLENDSHAPES)} \
            if with_arkit else None
        if arkit is not None:
            arkit["eyeLookInLeft"] = 0.1 * (i % 3)
        frames.append(TrackFrame(index=i, time=t, aus=aus, pose=pose, arkit=arkit))
    return ExpressionTrack(frames, fps=fps, source="synthetic", face_id=3, detector="mediapipe")


# --------------------------------------------------------------------------- retargeting

def test_retarget_sides_fallback_and_max():
    w = arkit_from_aus({"AU12": 2.5, "AU12L": 5.0, "AU43": 1.0, "AU45R": 4.0, "AU45": 2.0,
                        "AU24": 10.0})
    assert w["mouthSmileLeft"] == pytest.approx(1.0)  # side value
    assert w["mouthSmileRight"] == pytest.approx(0.5)  # falls back to bilateral
    assert w["eyeBlinkRight"] == pytest.approx(0.8)  # max(AU43 0.2, AU45R 0.8)
    assert w["eyeBlinkLeft"] == pytest.approx(0.4)  # max(AU43 0.2, AU45 0.4)
    assert w["mouthPressLeft"] == w["mouthPressRight"] == pytest.approx(1.0)  # clipped
    assert "jawOpen" not in w


def test_combine_prefers_aus_and_fills_from_measured():
    out = combine({"AU26": 5.0}, {"jawOpen": 0.1, "eyeLookInLeft": 0.3, "mouthSmileLeft": 0.7})
    assert len(out) == 52 and tuple(out) == ARKIT_52
    assert out["jawOpen"] == 1.0  # AU-driven wins
    assert out["eyeLookInLeft"] == pytest.approx(0.3)  # not AU-driven: measured
    assert out["mouthSmileLeft"] == pytest.approx(0.7)  # AU12 absent: measured
    assert out["tongueOut"] == 0.0


# --------------------------------------------------------------------------- registry

def test_registry_and_protocol():
    assert set(EXPORTERS) == {"openface", "livelink", "json", "gltf"}
    for name in EXPORTERS:
        exp = create_exporter(name, fps=30, mesh_provider=None)
        assert isinstance(exp, Exporter) and exp.name == name
    assert create_exporter("livelink", fps=30).fps == 30
    with pytest.raises(ExportError):
        create_exporter("fbx")



@pytest.mark.parametrize("name", sorted(EXPORTERS))
def test_check_suffix_refuses_another_formats_name(tmp_path, name):
    exporter = create_exporter(name)
    check_suffix(exporter, tmp_path / f"out{exporter.suffix.upper()}")  # any case
    for wrong in ("out.gltf" if name == "gltf" else "out.txt", "out"):
        with pytest.raises(ExportError, match=re.escape(f"out{exporter.suffix})")):
            check_suffix(exporter, tmp_path / wrong)
    assert create_exporter("gltf").suffix == ".glb"

# --------------------------------------------------------------------------- Live Link Face

def test_livelink_header():
    assert len(HEADER) == 63 and HEADER[:3] == ("Timecode", "BlendShapeCount", "EyeBlinkLeft")
    assert len(BLENDSHAPE_COLUMNS) == 61
    assert HEADER[16:20] == ("JawForward", "JawRight", "JawLeft", "JawOpen")
    assert HEADER[53:] == ("TongueOut", "HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw",
                           "LeftEyePitch", "LeftEyeRoll", "RightEyeYaw", "RightEyePitch",
                           "RightEyeRoll")
    assert {c.lower() for c in HEADER[2:54]} == {n.lower() for n in ARKIT_52}


def test_timecode_format():
    assert timecode(0, 60) == "00:00:00:00.000"
    assert timecode(61, 60) == "00:00:01:01.000"
    assert timecode(30 * 3661 + 29, 30) == "01:01:01:29.000"
    assert parse_timecode("00:00:01:15.500", 30) == pytest.approx(1.0 + 15.5 / 30)


@pytest.mark.parametrize("fps", [30, 60])
def test_livelink_roundtrip(tmp_path, fps):
    track = make_track(n=10, fps=30.0)
    path = tmp_path / "take.csv"
    LiveLinkExporter(fps=fps).write(track, path)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == HEADER and all(len(r) == 63 for r in rows)
    body = rows[1:]
    # 10 frames at 30 fps span 0.3 s: 10 rows at 30 fps, 19 at 60 fps
    assert len(body) == (10 if fps == 30 else 19)
    assert all(TC.match(r[0]) for r in body)
    assert all(int(r[1]) == 61 for r in body)
    frames = [int(r[0].split(":")[3].split(".")[0]) for r in body]
    assert frames == list(range(len(body)))  # every frame of the rate, in order
    table = read_livelink_csv(path, fps=fps)
    assert np.allclose(np.diff(table["time"]), 1.0 / fps)
    src = track.times
    for name, expected in [
        ("JawOpen", [0.5] * 10),  # AU26 2.5 / 5
        ("MouthSmileLeft", [0.8] * 10),  # AU12L 4 / 5
        ("MouthSmileRight", [i / 9 for i in range(10)]),  # bilateral AU12 ramps 0..5
        ("EyeBlinkRight", [0.6] * 10),  # max(AU43 0.2, AU45R 0.6)
        ("BrowInnerUp", [0.2] * 10),
        ("HeadPitch", [math.radians(2.0 * i) for i in range(10)]),
        ("HeadYaw", [math.radians(-1.0 * i) for i in range(10)]),
        ("HeadRoll", [math.radians(0.5)] * 10),
        ("EyeLookInLeft", [0.1 * (i % 3) for i in range(10)]),  # measured, not AU-driven
        ("TongueOut", [0.0] * 10),
    ]:
        want = np.interp(table["time"], src, expected)
        assert np.allclose(table[name], want, atol=1e-6), name
    # exactly on the source frames the value is the source value
    on_source = table["MouthSmileRight"][:: (1 if fps == 30 else 2)]
    assert np.allclose(on_source, [i / 9 for i in range(10)], atol=1e-6)


def test_livelink_nearest_and_single_frame(tmp_path):
    track = make_track(n=3, fps=10.0)
    path = tmp_path / "n.csv"
    LiveLinkExporter(fps=30, interpolation="nearest").write(track, path)
    table = read_livelink_csv(path, fps=30)
    assert len(table["time"]) == 7  # 0 .. 0.2 s at 30 fps
    # nearest: a step function of the source's ramp (AU12 = 0, 2.5, 5 -> 0, 0.5, 1)
    assert set(np.round(table["MouthSmileRight"], 6)) <= {0.0, 0.5, 1.0}
    one = ExpressionTrack([TrackFrame(0, 0.0, {"AU26": 5.0})], fps=30)
    LiveLinkExporter(fps=60).write(one, path)
    table = read_livelink_csv(path, fps=60)
    assert list(table["Timecode"]) == ["00:00:00:00.000"] and table["JawOpen"][0] == 1.0
    with pytest.raises(ExportError):
        LiveLinkExporter(fps=25)
    with pytest.raises(ExportError):
        LiveLinkExporter().write(ExpressionTrack([]), path)


# --------------------------------------------------------------------------- JSON

def test_json_roundtrip(tmp_path):
    track = make_track(n=5)
    track.frames[2].rig = {"jaw_open": 0.25}
    path = tmp_path / "t.json"
    JsonExporter().write(track, path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "auedit.expression-track" and doc["version"] == 1
    assert doc["fps"] == 30.0 and doc["source"] == "synthetic" and len(doc["frames"]) == 5
    assert set(doc["frames"][0]) == {"index", "time", "aus", "pose", "arkit", "rig"}
    back = read_json(path)
    assert back.fps == track.fps and back.source == track.source
    assert back.face_id == 3 and back.detector == "mediapipe"
    for a, b in zip(track.frames, back.frames, strict=True):
        assert a.index == b.index and a.time == pytest.approx(b.time, abs=1e-6)
        assert a.aus == pytest.approx(b.aus)
        assert astuple(a.pose) == pytest.approx(astuple(b.pose))
        assert a.arkit == pytest.approx(b.arkit)
    assert back.frames[2].rig == {"jaw_open": 0.25} and back.frames[0].rig is None
    assert ExpressionTrack.from_json(path).frames[4].aus == pytest.approx(track.frames[4].aus)
    bad = tmp_path / "bad.json"
    bad.write_text('{"frames": []}')
    with pytest.raises(ExportError):
        read_json(bad)


# --------------------------------------------------------------------------- OpenFace CSV

def test_openface_export_reads_back(tmp_path):
    track = make_track(n=4)
    path = tmp_path / "of.csv"
    OpenFaceExporter().write(track, path)
    table = read_csv(path)
    assert list(table["frame"]) == [1, 2, 3, 4]
    assert np.allclose(table["timestamp"], track.times, atol=1e-3)
    assert set(table["face_id"]) == {3}
    aus = au_columns(table)
    assert np.allclose(aus["AU12"], [5.0 * i / 3 for i in range(4)], atol=1e-3)
    assert np.allclose(aus["AU12L"], 4.0) and np.allclose(aus["AU45R"], 3.0)
    assert np.allclose(table["pose_Rx"], np.radians([0, 2, 4, 6]), atol=1e-4)
    assert np.allclose(table["pitch"], [0, 2, 4, 6])
    assert np.allclose(table["bs_eyeLookInLeft"], [0.0, 0.1, 0.2, 0.0], atol=1e-4)
    back = ExpressionTrack.from_csv(path)
    assert len(back) == 4 and back.face_id == 3 and back.detector == "mediapipe"
    assert back.frames[3].aus["AU12"] == pytest.approx(5.0, abs=1e-3)
    assert back.frames[3].pose.yaw == pytest.approx(-3.0, abs=0.01)
    assert back.frames[1].arkit["eyeLookInLeft"] == pytest.approx(0.1, abs=1e-4)
    assert back.fps == pytest.approx(30.0, rel=0.05)


def test_from_csv_openface2_and_face_ids(tmp_path):
    """An OpenFace 2 style CSV (`, ` separators, two faces, a failed row) reads by face."""
    path = tmp_path / "openface2.csv"
    cols = ["frame", "face_id", "timestamp", "confidence", "success", "pose_Tx", "pose_Ty",
            "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz", "AU01_r", "AU12_r", "AU45_c"]
    rows = [[1, 0, 0.0, 0.98, 1, 1, 2, 500, 0.1, -0.2, 0.05, 1.5, 2.0, 1],
            [1, 1, 0.0, 0.95, 1, 9, 9, 900, 0.0, 0.0, 0.0, 0.0, 4.0, 0],
            [2, 0, 0.04, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [3, 0, 0.08, 0.97, 1, 1, 2, 500, 0.1, -0.2, 0.05, 2.5, 3.0, 1]]
    path.write_text(", ".join(cols) + "\n" + "\n".join(", ".join(map(str, r)) for r in rows))
    t0 = ExpressionTrack.from_csv(path)
    assert t0.face_id == 0 and [f.index for f in t0.frames] == [0, 2]
    assert t0.frames[1].aus == {"AU1": 2.5, "AU12": 3.0}
    assert t0.frames[0].pose.pitch == pytest.approx(math.degrees(0.1))
    assert t0.frames[0].pose.tz == 500 and t0.frames[0].arkit is None
    assert t0.fps == 25.0  # frames 1 and 3, 0.08 s apart: the lost frame 2 counts
    t1 = ExpressionTrack.from_csv(path, face_id=1)
    assert len(t1) == 1 and t1.frames[0].aus["AU12"] == 4.0
    with pytest.raises(CsvFormatError, match="face 7"):
        ExpressionTrack.from_csv(path, face_id=7)



def test_a_recording_that_went_back_in_time_plays_its_passes_one_after_another(tmp_path):
    """The app's recording of a video replayed from its end (or scrubbed back) has times that
    step back; exports need rising times (Live Link's timecode, glTF's keyframes dropped the
    repeats), so each pass follows the one before, every row kept in its order."""
    path = tmp_path / "replayed.csv"
    cols = ["frame", "face_id", "timestamp", "confidence", "success", "AU12_r"]
    times = [0.0, 0.1, 0.2, 0.0, 0.1, 0.2, 0.2]  # a replay, then the same frame again
    rows = [[i + 1, 0, t, 0.98, 1, i / 2] for i, t in enumerate(times)]
    path.write_text(",".join(cols) + "\n" + "\n".join(",".join(map(str, r)) for r in rows))
    track = ExpressionTrack.from_csv(path)
    assert [f.aus["AU12"] for f in track.frames] == [i / 2 for i in range(7)]
    assert track.times.tolist() == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert any("back in time 2 time(s)" in n for n in track.notes), track.notes
    assert track.fps == pytest.approx(10.0)
    # the frame numbers replayed too (a take recorded twice): 10 fps, not 10 * 5 / 6
    again = tmp_path / "again.csv"
    again.write_text(",".join(cols) + "\n" + "\n".join(
        ",".join(map(str, [1 + i % 3, *r[1:]])) for i, r in enumerate(rows[:6])))
    assert ExpressionTrack.from_csv(again).fps == pytest.approx(10.0)
    plain = tmp_path / "plain.csv"
    plain.write_text(",".join(cols) + "\n" + "\n".join(
        ",".join(map(str, r)) for r in rows[:3]))
    assert ExpressionTrack.from_csv(plain).notes == []


def write_sources_csv(path, tracks: list[ExpressionTrack]) -> None:
    """One analysis CSV of several sources' tracks, as `auedit analyze a b c` writes it."""
    lines: list[str] = []
    for k, track in enumerate(tracks):
        part = path.with_name(f"part{k}.csv")
        OpenFaceExporter().write(track, part)
        lines += part.read_text().splitlines()[(1 if k else 0):]
    path.write_text("\n".join(lines) + "\n")


def test_from_csv_takes_one_source(tmp_path):
    """A CSV of a clip and two photos: the clip's frames only, the photos named in a note."""
    clip = make_track(6)
    clip.source, clip.face_id = "clips/clip.mp4", 0
    photos = [ExpressionTrack([TrackFrame(0, 0.0, {"AU12": 0.5, "AU26": 5.0})], source=name)
              for name in ("photos/a.jpg", "more/a.jpg")]
    path = tmp_path / "aus.csv"
    write_sources_csv(path, [clip, *photos])
    track = ExpressionTrack.from_csv(path)
    assert track.source == "clips/clip.mp4" and len(track) == 6
    assert np.all(np.diff(track.times) > 0) and track.frames[0].aus["AU26"] == 2.5
    (note,) = track.notes
    assert "photos/a.jpg" in note and "more/a.jpg" in note and "--source" in note
    one = ExpressionTrack.from_csv(path, source="photos/a.jpg")
    assert one.source == "photos/a.jpg" and len(one) == 1 and not one.notes
    assert one.frames[0].aus["AU26"] == 5.0
    assert ExpressionTrack.from_csv(path, source="clip.mp4").source == "clips/clip.mp4"
    with pytest.raises(CsvFormatError, match=r"no source 'b\.jpg'.*clips/clip\.mp4"):
        ExpressionTrack.from_csv(path, source="b.jpg")
    with pytest.raises(CsvFormatError, match=r"several sources matching 'a\.jpg'"):
        ExpressionTrack.from_csv(path, source="a.jpg")


def test_estimate_fps_spans_and_snaps():
    ms = [round(i / 30, 3) for i in range(72)]  # time stamps as the CSV holds them
    assert 1 / np.median(np.diff(ms)) != pytest.approx(30.0, abs=0.1)  # the old estimate
    assert estimate_fps(ms) == 30.0
    assert estimate_fps([round(i * 1001 / 30000, 3) for i in range(300)]) == 29.97
    assert estimate_fps([round(i / 24, 3) for i in range(50)]) == 24.0
    assert estimate_fps([0.0, 0.08, 0.16]) == 12.5  # no standard rate near: kept
    assert estimate_fps([0.0, 0.1, 0.3], indices=[0, 3, 9]) == 30.0  # gaps counted
    assert estimate_fps([0.0]) == estimate_fps([1.0, 1.0]) == 30.0


def test_from_csv_of_a_30_fps_video_is_30_fps(tmp_path):
    path = tmp_path / "v.csv"
    OpenFaceExporter().write(make_track(72), path)  # writes ms-rounded time stamps
    assert ExpressionTrack.from_csv(path).fps == 30.0

@pytest.mark.parametrize("column", ["AU12_r", "AU12L_r", "face_id", "timestamp"])
def test_from_csv_names_a_cell_that_is_not_a_number(tmp_path, column):
    path = tmp_path / "x.csv"
    OpenFaceExporter().write(make_track(3), path)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    rows[2][rows[0].index(column)] = "abc"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(CsvFormatError, match=f"{column} in row 2 is 'abc', not a number"):
        ExpressionTrack.from_csv(path)


@pytest.mark.parametrize("content", [b"", b"a,b\n1,2\n", b"\xff\xfe\x00garbage\x81"])
def test_from_csv_rejects_other_files(tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        ExpressionTrack.from_csv(path)


def test_from_frames_picks_face_and_detector():
    def face(tid, v):
        tf = TrackedFace(tid, (0, 0, 1, 1), np.zeros((478, 3), np.float32),
                         np.full(51, 0.25, np.float32), HeadPose(1, 2, 3, 4, 5, 6),
                         np.eye(4))
        return FaceAnalysis(tf, {"mediapipe": AUReading("mediapipe", {"AU12": v}),
                                 "other": AUReading("other", {"AU12": 9.0})})

    frames = [FrameAnalysis(0, 0.0, [face(5, 1.0), face(6, 2.0)], source="v.mp4"),
              FrameAnalysis(1, 0.04, []),
              FrameAnalysis(2, 0.08, [face(6, 3.0), face(5, 4.0)])]
    t = ExpressionTrack.from_frames(frames)
    assert t.face_id == 5 and t.detector == "mediapipe" and t.source == "v.mp4"
    assert [f.aus["AU12"] for f in t.frames] == [1.0, 4.0] and t.fps == 25.0  # 0.04 s steps
    assert t.frames[0].arkit["jawOpen"] == 0.25 and len(t.frames[0].arkit) == 51
    t6 = ExpressionTrack.from_frames(frames, detector="other", face_id=6)
    assert [f.aus["AU12"] for f in t6.frames] == [9.0, 9.0]


# --------------------------------------------------------------------------- glTF

def plane_mesh(n: int = 6):
    """A subdivided unit plane with three morph targets (AU12, AU26, AU1)."""
    xs, ys = np.meshgrid(np.linspace(0, 1, n), np.linspace(0, 1, n))
    verts = np.c_[xs.ravel(), ys.ravel(), np.zeros(n * n)].astype(np.float32)
    tris = []
    for i in range(n - 1):
        for j in range(n - 1):
            a = i * n + j
            tris += [[a, a + 1, a + n], [a + 1, a + n + 1, a + n]]
    targets = {
        "AU12": np.c_[np.zeros(n * n), verts[:, 0] * 0.1, np.zeros(n * n)],
        "AU26": np.c_[np.zeros(n * n), -verts[:, 1] * 0.2, np.zeros(n * n)],
        "AU1": np.c_[np.zeros((n * n, 2)), np.sin(verts[:, 0] * 3) * 0.05],
    }
    return verts, np.array(tris), {k: v.astype(np.float32) for k, v in targets.items()}


def _accessor(gltf, index: int) -> np.ndarray:
    acc = gltf.accessors[index]
    view = gltf.bufferViews[acc.bufferView]
    blob = gltf.binary_blob()
    dtype = np.uint32 if acc.componentType == 5125 else np.float32
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[acc.type]
    start = view.byteOffset + (acc.byteOffset or 0)
    return np.frombuffer(blob, dtype, acc.count * width, start).reshape(acc.count, width)


def test_write_glb_reads_back(tmp_path):
    pygltflib = pytest.importorskip("pygltflib")
    trimesh = pytest.importorskip("trimesh")
    verts, tris, targets = plane_mesh()
    times = np.array([0.0, 0.1, 0.25, 0.5], np.float32)
    weights = np.random.default_rng(0).random((4, 3)).astype(np.float32)
    colors = np.tile(np.array([[200, 150, 120]], np.uint8), (len(verts), 1))
    path = tmp_path / "face.glb"
    write_glb(path, verts, tris, targets, weights, times, vertex_colors=colors)

    g = pygltflib.GLTF2.load(str(path))
    mesh = g.meshes[0]
    prim = mesh.primitives[0]
    assert mesh.extras["targetNames"] == ["AU12", "AU26", "AU1"]
    assert mesh.weights == [0.0, 0.0, 0.0] and len(prim.targets) == 3
    pos = _accessor(g, prim.attributes.POSITION)
    assert np.allclose(pos, verts)
    assert g.accessors[prim.attributes.POSITION].min == pytest.approx([0, 0, 0])
    assert np.allclose(_accessor(g, prim.attributes.NORMAL), [0, 0, 1])
    assert np.allclose(_accessor(g, prim.attributes.COLOR_0), colors / 255.0, atol=1e-6)
    assert np.array_equal(_accessor(g, prim.indices).reshape(-1, 3), tris)
    for k, (name, d) in enumerate(targets.items()):
        acc_i = prim.targets[k]["POSITION"] if isinstance(prim.targets[k], dict) \
            else prim.targets[k].POSITION
        assert np.allclose(_accessor(g, acc_i), d), name
        acc = g.accessors[acc_i]
        assert acc.min == pytest.approx(d.min(axis=0).tolist())
        assert acc.max == pytest.approx(d.max(axis=0).tolist())
    anim = g.animations[0]
    ch = anim.channels[0]
    assert ch.target.path == "weights" and ch.target.node == 0 and g.nodes[0].mesh == 0
    sampler = anim.samplers[ch.sampler]
    assert sampler.interpolation == "LINEAR"
    assert np.allclose(_accessor(g, sampler.input).ravel(), times)
    assert g.accessors[sampler.input].min == [0.0] and g.accessors[sampler.input].max == [0.5]
    assert np.allclose(_accessor(g, sampler.output).ravel(), weights.ravel())

    scene = trimesh.load(str(path))
    (tm,) = scene.geometry.values()
    assert len(tm.vertices) == len(verts) and len(tm.faces) == len(tris)
    assert tm.metadata.get("targetNames") == ["AU12", "AU26", "AU1"]


def test_gltf_exporter_from_track(tmp_path):
    pygltflib = pytest.importorskip("pygltflib")
    verts, tris, targets = plane_mesh(4)
    track = make_track(n=6)
    track.frames[3].rig = {"AU1": 0.9}  # rig parameters win over AU intensities
    path = tmp_path / "t.glb"
    GltfExporter(lambda: (verts, tris, targets)).write(track, path)
    g = pygltflib.GLTF2.load(str(path))
    sampler = g.animations[0].samplers[0]
    assert np.allclose(_accessor(g, sampler.input).ravel(), track.times)
    w = _accessor(g, sampler.output).reshape(6, 3)
    assert np.allclose(w[:, 0], [i / 5 for i in range(6)])  # AU12 / 5
    assert np.allclose(w[:, 1], 0.5)  # AU26 2.5 / 5
    assert np.allclose(w[:, 2], [0.2, 0.2, 0.2, 0.9, 0.2, 0.2])


def test_gltf_of_a_mediapipe_track_takes_its_aus_as_the_game_face_does(tmp_path):
    """A toothy smile read by MediaPipe (AU10 with AU12 and AU25) animates the upper lip
    raiser by what is left of AU10 once the smile is accounted for; another detector's
    reading whole."""
    pygltflib = pytest.importorskip("pygltflib")
    verts, tris, targets = plane_mesh(4)
    targets = {"AU10": targets["AU12"]}
    frame = TrackFrame(index=0, time=0.0, aus={"AU10": 3.5, "AU12": 5.0, "AU25": 2.6})
    weights = {}
    for detector in ("mediapipe", "openface"):
        path = tmp_path / f"{detector}.glb"
        GltfExporter(lambda: (verts, tris, targets)).write(
            ExpressionTrack([frame], detector=detector), path)
        g = pygltflib.GLTF2.load(str(path))
        weights[detector] = float(_accessor(g, g.animations[0].samplers[0].output).ravel()[0])
    assert weights["mediapipe"] == pytest.approx(0.9 / 5, abs=1e-6)
    assert weights["openface"] == pytest.approx(3.5 / 5, abs=1e-6)


@pytest.mark.parametrize("key", ["AU28U", "AU28D", "AU12L", "AU45R", "AU26", "AU30L"])
def test_frame_weight_of_a_rig_part_falls_back_to_its_au(key):
    """Each rig parameter (`AU28U` upper lip, `AU12L` left) takes its FACS AU's value when the
    track has only the AU; its own value, where given, wins."""
    from auedit.rig.expressions import AU_PARAMETERS

    (param,) = [p for p in AU_PARAMETERS if p.key == key]
    frame = TrackFrame(0, 0.0, {param.facs: 2.5})
    assert frame_weight(frame, key) == pytest.approx(0.5)
    frame.aus[key] = 5.0
    assert frame_weight(frame, key) == 1.0


def test_every_rig_target_is_driven_by_its_au():
    from auedit.rig.expressions import AU_PARAMETERS

    frame = TrackFrame(0, 0.0, {p.facs: 5.0 for p in AU_PARAMETERS})
    assert all(frame_weight(frame, p.key) == 1.0 for p in AU_PARAMETERS)


def test_gltf_exporter_without_provider(tmp_path):
    register_mesh_provider(None)
    with pytest.raises(ExportError, match="mesh"):
        GltfExporter().write(make_track(2), tmp_path / "x.glb")
    assert not (tmp_path / "x.glb").exists()
    verts, tris, targets = plane_mesh(3)
    with pytest.raises(ExportError):
        write_glb(tmp_path / "y.glb", verts, tris, targets, np.zeros((2, 3)), [0.0, 0.0])
