"""OpenFace 2 compatible CSV: header, writing, reading ours and OpenFace's."""

from __future__ import annotations

import io

import numpy as np
import pytest

from auedit.core.aus import ACTION_UNITS, ARKIT_BLENDSHAPES, SIDE_KEYS
from auedit.core.types import AUReading, FaceAnalysis, FrameAnalysis, HeadPose, TrackedFace
from auedit.export.openface_csv import (
    OPENFACE_COLUMNS,
    CsvFormatError,
    OpenFaceCsvWriter,
    au_columns,
    header,
    read_csv,
)

OPENFACE_START = ["frame", "face_id", "timestamp", "confidence", "success", "pose_Tx", "pose_Ty",
                  "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"]


def test_header_starts_like_openface():
    h = header(["mediapipe"])
    assert list(OPENFACE_COLUMNS) == OPENFACE_START
    assert h[:11] == OPENFACE_START
    assert h[11] == "AU01_r"
    n = len(ACTION_UNITS)
    assert h[11:11 + n] == [f"{au.openface}_r" for au in ACTION_UNITS]
    assert h[11 + n:11 + 2 * n] == [f"{au.openface}_c" for au in ACTION_UNITS]
    assert "AU12L_r" in h and "AU02R_r" in h and "AU30L_r" in h
    assert h[-len(ARKIT_BLENDSHAPES):] == [f"bs_{b}" for b in ARKIT_BLENDSHAPES]
    assert len(set(h)) == len(h)
    h2 = header(["mediapipe", "other"])
    assert "other_AU12_r" in h2 and len(h2) == len(h) + n


def _frame(index, faces):
    out = FrameAnalysis(index, index / 30, source="clip.mp4", width=640, height=480)
    for tid, au12 in faces:
        bs = np.linspace(0, 1, len(ARKIT_BLENDSHAPES)).astype(np.float32)
        face = TrackedFace(tid, (0, 0, 10, 10), np.zeros((478, 3), np.float32), bs,
                           HeadPose(10.0, -20.0, 5.0, 1.0, 2.0, 500.0), np.eye(4))
        vals = {"AU12": au12, "AU12L": au12, "AU12R": 0.5, "AU1": 0.2}
        out.faces.append(FaceAnalysis(face, {"mediapipe": AUReading("mediapipe", vals, 0.9)}))
    return out


def test_write_and_read_back(tmp_path):
    path = tmp_path / "out.csv"
    with OpenFaceCsvWriter(path, ["mediapipe"]) as w:
        w.write(_frame(0, [(0, 3.0), (1, 1.25)]))
        w.write(_frame(1, []))
        w.write(_frame(2, [(0, 4.5)]))
        assert w.rows == 4
    t = read_csv(path)
    np.testing.assert_array_equal(t["frame"], [1, 1, 2, 3])
    np.testing.assert_array_equal(t["face_id"], [0, 1, 0, 0])
    np.testing.assert_array_equal(t["success"], [1, 1, 0, 1])
    np.testing.assert_allclose(t["timestamp"], [0, 0, 1 / 30, 2 / 30], atol=1e-3)
    np.testing.assert_allclose(t["pose_Ry"][[0, 3]], np.deg2rad(-20.0), atol=1e-4)
    np.testing.assert_allclose(t["yaw"][[0, 3]], -20.0)
    np.testing.assert_allclose(t["confidence"][[0, 1, 3]], 0.9)
    aus = au_columns(t)
    assert set(aus) == {au.key for au in ACTION_UNITS} | set(SIDE_KEYS)
    np.testing.assert_allclose(aus["AU12"][[0, 1, 3]], [3.0, 1.25, 4.5])
    np.testing.assert_allclose(aus["AU12L"][[0, 1, 3]], [3.0, 1.25, 4.5])
    np.testing.assert_allclose(aus["AU12R"][[0, 3]], 0.5)
    np.testing.assert_array_equal(t["AU12_c"][[0, 1, 3]], [1, 1, 1])
    np.testing.assert_array_equal(t["AU01_c"][[0, 3]], [0, 0])
    assert np.isnan(aus["AU4"][0])  # not reported: empty cell
    assert list(t["source"]) == ["clip.mp4"] * 4
    assert t["detector"][0] == "mediapipe"
    np.testing.assert_allclose(t["bs_" + ARKIT_BLENDSHAPES[-1]][0], 1.0)


def test_writer_to_stream():
    buf = io.StringIO()
    w = OpenFaceCsvWriter(buf, ["mediapipe"])
    w.write(_frame(0, [(3, 2.0)]))
    w.close()
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(",".join(OPENFACE_START) + ",AU01_r")
    assert lines[1].startswith("1,3,0.000,0.90,1,")


def test_read_openface2_csv(tmp_path):
    path = tmp_path / "openface.csv"
    cols = [*OPENFACE_START, "AU01_r", "AU06_r", "AU12_r", "AU45_r", "AU06_c", "AU12_c"]
    rows = [
        [1, 0, 0.0, 0.98, 1, 10.5, -20.1, 480.2, 0.1, -0.05, 0.02, 0.0, 1.2, 2.5, 0.0, 1, 1],
        [2, 0, 0.033, 0.97, 1, 10.4, -20.0, 481.0, 0.1, -0.04, 0.02, 0.1, 1.5, 3.25, 4.1, 1, 1],
        [3, 0, 0.067, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    path.write_text(", ".join(cols) + "\n"
                    + "".join(", ".join(str(v) for v in r) + "\n" for r in rows),
                    encoding="utf-8")
    t = read_csv(path)
    assert set(cols) <= set(t)
    np.testing.assert_array_equal(t["frame"], [1, 2, 3])
    np.testing.assert_allclose(t["timestamp"], [0.0, 0.033, 0.067])
    aus = au_columns(t)
    assert set(aus) == {"AU1", "AU6", "AU12", "AU45"}
    np.testing.assert_allclose(aus["AU12"], [2.5, 3.25, 0.0])
    np.testing.assert_allclose(aus["AU45"], [0.0, 4.1, 0.0])


def test_read_csv_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffframe, timestamp, AU12_r\r\n1, 0.0, 1.5\r\n".encode())
    t = read_csv(path)
    np.testing.assert_allclose(au_columns(t)["AU12"], [1.5])


def test_read_csv_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CsvFormatError, match="empty"):
        read_csv(empty)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(CsvFormatError, match="frame"):
        read_csv(other)
