"""The MediaPipe AU detector: keys, ranges, sides, and accuracy on real smiles."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from auedit.core.aus import ACTION_UNITS, ARKIT_BLENDSHAPES, AU_BY_KEY, SIDE_KEYS
from auedit.core.types import HeadPose, TrackedFace
from auedit.detect import registry
from auedit.detect.base import Detector
from auedit.detect.mediapipe_aus import reading_confidence
from auedit.media.sources import read_image

BS = {n: i for i, n in enumerate(ARKIT_BLENDSHAPES)}


def _rest_face(canonical, blendshapes=None, *, scale=20.0, yaw=0.0) -> TrackedFace:
    """A synthetic face: the canonical mesh in pixels (image axes), given blendshapes."""
    pts = canonical.vertices.astype(np.float64) * np.array([1.0, -1.0, -1.0]) * scale
    pts += np.array([320.0, 240.0, 0.0])
    lms = np.vstack([pts, np.repeat(pts[:1], 10, axis=0)]).astype(np.float32)  # 478 points
    bs = np.zeros(len(ARKIT_BLENDSHAPES), np.float32) if blendshapes is None else blendshapes
    box = (*lms[:, :2].min(axis=0).tolist(), *lms[:, :2].max(axis=0).tolist())
    return TrackedFace(0, tuple(box), lms, bs, HeadPose(0.0, yaw, 0.0, 0.0, 0.0, 500.0),
                       np.eye(4))


@pytest.fixture(scope="module")
def detector(au_detector):
    return au_detector


def test_registry():
    assert "mediapipe" in registry.available()
    assert registry.DEFAULT_DETECTORS == ("mediapipe",)
    with pytest.raises(ValueError, match="unknown detector"):
        registry.create(["nope"], None)


def test_keys(detector):
    assert isinstance(detector, Detector)
    assert detector.name == "mediapipe"
    keys = detector.keys
    assert len(set(keys)) == len(keys)
    assert {"AU1", "AU2", "AU4", "AU6", "AU12", "AU25", "AU26", "AU27", "AU43", "AU45",
            "AU30L", "AU30R"} <= set(keys)
    assert "AU12L" in keys and "AU12R" in keys and "AU6L" in keys and "AU6R" in keys
    for k in keys:
        assert k in AU_BY_KEY or k in SIDE_KEYS, k
    # every sided AU the detector reports comes with both sides
    for au in ACTION_UNITS:
        if au.sided and au.key in keys:
            assert au.key + "L" in keys and au.key + "R" in keys
    # AU23 has no blendshape and no geometric measure
    assert "AU23" not in keys


def test_rest_face_reads_near_zero(detector):
    face = _rest_face(detector._canonical)
    r = detector.detect(np.zeros((480, 640, 3), np.uint8), face)
    assert set(r.values) == set(detector.keys)
    assert r.detector == "mediapipe"
    for k in ("AU6", "AU6L", "AU6R", "AU12", "AU25", "AU27", "AU26"):
        assert r.values[k] == pytest.approx(0.0, abs=1e-3), k
    assert 0.0 <= r.confidence <= 1.0


def test_left_and_right_kept_apart(detector):
    bs = np.zeros(len(ARKIT_BLENDSHAPES), np.float32)
    bs[BS["mouthSmileLeft"]] = 0.9
    bs[BS["mouthSmileRight"]] = 0.03
    bs[BS["eyeBlinkRight"]] = 0.7
    bs[BS["jawOpen"]] = 1.0
    bs[BS["browInnerUp"]] = 0.5
    r = detector.detect(np.zeros((480, 640, 3), np.uint8), _rest_face(detector._canonical, bs))
    v = r.values
    assert v["AU12L"] == pytest.approx(5.0) and v["AU12R"] == pytest.approx(0.0)
    assert v["AU12"] == pytest.approx(5.0)
    assert v["AU45R"] == pytest.approx(5.0) and v["AU45L"] == pytest.approx(0.0)
    assert v["AU45"] == pytest.approx(5.0)
    assert v["AU26"] == pytest.approx(5.0) and v["AU27"] == pytest.approx(5.0)
    assert v["AU1"] == pytest.approx(2.5)
    for au in ACTION_UNITS:
        if au.sided and au.key in v:
            assert v[au.key] == pytest.approx(max(v[au.key + "L"], v[au.key + "R"]))
    assert all(0.0 <= x <= 5.0 for x in v.values())


def test_values_clip_to_scale(detector):
    bs = np.ones(len(ARKIT_BLENDSHAPES), np.float32)
    r = detector.detect(np.zeros((480, 640, 3), np.uint8), _rest_face(detector._canonical, bs))
    assert all(0.0 <= x <= 5.0 for x in r.values.values())
    assert r.values["AU12"] == pytest.approx(5.0)


def test_confidence_falls_for_small_or_turned_faces(detector):
    c = detector._canonical
    big = reading_confidence(_rest_face(c, scale=20.0))
    small = reading_confidence(_rest_face(c, scale=2.0))
    turned = reading_confidence(_rest_face(c, scale=20.0, yaw=60.0))
    assert big == pytest.approx(1.0)
    assert small < 0.5 * big
    assert turned < 0.5 * big
    assert reading_confidence(_rest_face(c, scale=20.0, yaw=80.0)) == 0.0


def test_real_photo_values_in_range(detector, single_image_tracker, demo_photo):
    rgb = read_image(demo_photo)
    single_image_tracker.reset()
    (face,) = single_image_tracker.track(rgb, 0.0)
    r = detector.detect(rgb, face)
    assert set(r.values) == set(detector.keys)
    assert all(0.0 <= v <= 5.0 for v in r.values.values())
    assert r.values["AU12"] >= 2.0  # the astronaut smiles
    assert r.confidence > 0.5


@pytest.fixture(scope="module")
def london_scores(shared_data, detector, single_image_tracker):
    root = shared_data / "london"
    with (root / "labels.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    y, au12, au6, missed = [], [], [], []
    for row in rows:
        rgb = read_image(root / row["image"])
        single_image_tracker.reset()
        faces = single_image_tracker.track(rgb, 0.0)
        if len(faces) != 1:
            missed.append(row["image"])
            continue
        v = detector.detect(rgb, faces[0]).values
        y.append(row["expression"] == "smiling")
        au12.append(v["AU12"])
        au6.append(v["AU6"])
    return rows, np.array(y), np.array(au12), np.array(au6), missed


def test_london_all_faces_found(london_scores):
    rows, y, _, _, missed = london_scores
    assert len(rows) == 140
    assert not missed
    assert y.sum() == 70


def test_london_au12_auc(london_scores):
    from sklearn.metrics import roc_auc_score

    _, y, au12, _, _ = london_scores
    auc = roc_auc_score(y, au12)
    assert auc >= 0.95, f"AU12 ROC AUC {auc:.3f}"


def test_london_au6_auc(london_scores):
    from sklearn.metrics import roc_auc_score

    _, y, _, au6, _ = london_scores
    auc = roc_auc_score(y, au6)
    assert auc >= 0.85, f"AU6 ROC AUC {auc:.3f}"


def test_london_neutral_faces_read_low(london_scores):
    _, y, au12, _, _ = london_scores
    assert np.median(au12[~y]) < 1.0
    assert np.median(au12[y]) > 2.0


@pytest.mark.parametrize("name", ["fr_32bit.jpg", "img12.jpg", "img48.jpg"])
def test_flip_mirrors_yaw_and_swaps_sides(name, shared_data, detector, single_image_tracker):
    rgb = read_image(shared_data / "images" / "wild" / name)
    flipped = np.ascontiguousarray(rgb[:, ::-1])
    single_image_tracker.reset()
    (a,) = single_image_tracker.track(rgb, 0.0)
    single_image_tracker.reset()
    (b,) = single_image_tracker.track(flipped, 0.0)
    assert abs(a.pose.yaw) > 3.0
    assert np.sign(b.pose.yaw) == -np.sign(a.pose.yaw)
    assert b.pose.yaw == pytest.approx(-a.pose.yaw, abs=3.0)
    assert b.pose.roll == pytest.approx(-a.pose.roll, abs=3.0)
    assert b.pose.tx == pytest.approx(-a.pose.tx, abs=0.1 * abs(a.pose.tz))
    ra, rb = detector.detect(rgb, a).values, detector.detect(flipped, b).values
    da, db = ra["AU12L"] - ra["AU12R"], rb["AU12L"] - rb["AU12R"]
    assert abs(da) > 0.5 and abs(db) > 0.5, (da, db)
    assert np.sign(da) == -np.sign(db)
