"""The `faces` data kind: real faces aligned to the base face, with part labels from the
tracked mesh on the right parts; reproducible draws; faceless and corrupt files reported."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from auedit_train.cli import main
from auedit_train.data import FaceDataset, open_dataset
from auedit_train.data.faces import follow_landmarks, opening_contours
from auedit_train.data.store import MANIFEST
from PIL import Image

from auedit.rig import regions as rg
from auedit.rig.model import load_rig
from auedit.rig.topology import N_LANDMARKS, Part

LIPS = {Part.UPPER_LIP, Part.LOWER_LIP}
INSIDE_MOUTH = {Part.MOUTH, Part.TEETH}


def data(*argv: str) -> int:
    """`auedit-train data faces ...`: its exit code."""
    return main(["data", "faces", *argv, "--no-progress"])


def shard_arrays(root: Path) -> dict[str, np.ndarray]:
    """Every field of a data set, all shards concatenated."""
    manifest = json.loads((root / MANIFEST).read_text())
    return {name: np.concatenate([np.load(root / s["path"] / f"{name}.npy")
                                  for s in manifest["shards"]])
            for name in manifest["fields"]}


def label_at(labels: np.ndarray, point: np.ndarray) -> int:
    """The label of the pixel holding a point in continuous pixel coordinates."""
    return int(labels[int(point[1]), int(point[0])])


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """Two neutral and one smiling London face in a folder of their own."""
    folder = tmp_path_factory.mktemp("photos")
    london = shared_data / "london"
    for path in [*sorted((london / "neutral").glob("*.jpg"))[:2],
                 sorted((london / "smiling").glob("*.jpg"))[2]]:
        (folder / f"{path.parent.name}_{path.name}").write_bytes(path.read_bytes())
    return folder


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory, photos: Path, shared_data: Path) -> Path:
    """The photos and frames 0, 25, 50 and 75 of a clip (open mouth in 25 and 50)."""
    out = tmp_path_factory.mktemp("faces") / "set"
    video = shared_data / "video" / "expressive_d0.mp4"
    assert data("--out", str(out), "--n", "100", "--seed", "0", "--every", "25",
                "--source", str(photos), str(video)) == 0
    return out


@pytest.mark.shared_data
def test_faces_are_read_back_with_their_sources(faces: Path) -> None:
    ds = open_dataset(faces)
    assert isinstance(ds, FaceDataset) and len(ds) == 7  # all of them: fewer than --n
    m = ds.manifest
    assert m["source_counts"] == {"frames": 7, "no_face": 0, "faces": 7, "written": 7}
    assert [s.rsplit("@", 1)[-1] for s in m["sources"][3:]] == ["0", "25", "50", "75"]
    assert m["names"]["parts"] == {p.name.lower(): int(p) for p in Part}
    item = ds[6]
    assert item["image"].shape == (3, 128, 128) and item["image"].dtype == torch.float32
    assert item["labels"].shape == (128, 128) and item["labels"].dtype == torch.int64
    assert item["landmarks"].shape == (478, 2) and item["landmarks"].dtype == torch.float32
    assert int(item["source"]) == 6


@pytest.mark.shared_data
def test_labels_sit_on_the_tracked_parts(faces: Path) -> None:
    arrays = shard_arrays(faces)
    mirror = load_rig().mesh.mirror
    left_eye = list(rg.EYE_UPPER0 + rg.EYE_LOWER0)
    right_eye = [int(mirror[i]) for i in left_eye]
    openings = opening_contours(mirror)
    opened = 0
    for labels, lms in zip(arrays["labels"], arrays["landmarks"], strict=True):
        assert set(np.unique(labels)) <= {int(p) for p in Part}
        for contour, _ in openings:  # no holes: the eyes and the mouth show through
            inside = np.zeros(labels.shape, np.uint8)
            cv2.fillPoly(inside, [np.round(lms[contour] - 0.5).astype(np.int32)], 1)
            assert (labels[inside > 0] != Part.BACKGROUND).all()
        assert labels[0, 0] == labels[0, -1] == Part.BACKGROUND  # beyond the face's outline
        assert label_at(labels, lms[left_eye].mean(axis=0)) == Part.LEFT_EYE
        assert label_at(labels, lms[right_eye].mean(axis=0)) == Part.RIGHT_EYE
        assert label_at(labels, lms[1]) == Part.NOSE  # the nose tip
        # between the outer and the inner contour of each lip
        assert label_at(labels, (lms[0] + lms[13]) / 2) == Part.UPPER_LIP
        assert label_at(labels, (lms[14] + lms[17]) / 2) == Part.LOWER_LIP
        gap = lms[14, 1] - lms[13, 1]
        if gap > 4:  # an open mouth: cavity or teeth between the lips, no holes
            opened += 1
            column = labels[int(lms[13, 1]) + 1:int(lms[14, 1]), int(lms[13:15, 0].mean())]
            assert set(column.tolist()) <= {int(p) for p in INSIDE_MOUTH | LIPS}
            assert sum(v in INSIDE_MOUTH for v in column) >= gap / 2
        else:
            assert label_at(labels, (lms[13] + lms[14]) / 2) in LIPS
    assert opened == 2


def test_the_fitted_parts_follow_the_tracked_landmarks() -> None:
    mesh = load_rig().mesh
    fitted = mesh.vertices * np.array([4.0, -4.0, -4.0]) + np.array([64.0, 64.0, 0.0])
    shift = np.array([3.0, -2.0, 1.0])
    moved = follow_landmarks(fitted, fitted[:N_LANDMARKS] + shift)
    np.testing.assert_allclose(moved - fitted, np.broadcast_to(shift, fitted.shape), atol=1e-9)
    tracked = fitted[:N_LANDMARKS].copy()  # the jaw drops in the photo, not in the fit
    tracked[list(rg.LIPS_LOWER_INNER + rg.LIPS_LOWER_OUTER)] += np.array([0.0, 6.0, 0.0])
    moved = follow_landmarks(fitted, tracked)
    np.testing.assert_array_equal(moved[:N_LANDMARKS], tracked)
    parts = np.full(len(fitted), -1)
    parts[mesh.triangles] = mesh.triangle_parts[:, None]
    eyes = np.isin(parts, [Part.LEFT_EYE, Part.RIGHT_EYE])
    mouth = np.isin(parts, [Part.MOUTH, Part.TEETH])
    assert np.abs(moved[eyes] - fitted[eyes]).max() < 1e-6
    assert (moved[mouth, 1] - fitted[mouth, 1]).mean() > 1.0


@pytest.mark.shared_data
def test_the_same_seed_draws_the_same_faces(tmp_path: Path, faces: Path, photos: Path,
                                            shared_data: Path) -> None:
    video = shared_data / "video" / "expressive_d0.mp4"
    args = ["--n", "3", "--every", "25", "--source", str(photos), str(video)]
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert data("--out", str(tmp_path / name), "--seed", seed, *args) == 0
    a, b, c = (shard_arrays(tmp_path / n) for n in "abc")
    for field in a:
        np.testing.assert_array_equal(a[field], b[field], err_msg=field)
    assert len(a["labels"]) == 3 and not np.array_equal(a["image"], c["image"])
    # a drawn face is labelled as when all of them are written
    every = shard_arrays(faces)
    names = json.loads((faces / MANIFEST).read_text())["sources"]
    drawn = json.loads((tmp_path / "a" / MANIFEST).read_text())["sources"]
    for i, source in enumerate(a["source"]):
        j = names.index(drawn[source])
        np.testing.assert_array_equal(a["labels"][i], every["labels"][j])
        np.testing.assert_array_equal(a["image"][i], every["image"][j])


@pytest.mark.shared_data
def test_faceless_and_corrupt_files_are_reported(tmp_path: Path, photos: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    first = sorted(photos.iterdir())[0]
    (mixed / first.name).write_bytes(first.read_bytes())
    Image.fromarray(np.full((240, 320, 3), 200, np.uint8)).save(mixed / "wall.png")
    (mixed / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    assert data("--out", str(tmp_path / "out"), "--n", "5", "--source", str(mixed)) == 0
    err = capsys.readouterr().err
    assert f"no face in {mixed / 'wall.png'}: skipped" in err
    assert f"skipped: {mixed / 'broken.jpg'} is not a readable image" in err
    assert "only 1 faces in the sources (5 asked for)" in err
    assert len(FaceDataset(tmp_path / "out")) == 1


def test_bad_input_exits_2_with_a_message(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    cases = [
        ([], "need --source"),
        (["--source", str(tmp_path / "missing")], "does not exist"),
        (["--source", str(broken)], "no faces in"),
        (["--source", str(broken), "--size", "64"], "128-512"),
        (["--source", str(broken), "--every", "0"], "--every"),
    ]
    for i, (argv, message) in enumerate(cases):
        out = tmp_path / f"out{i}"
        assert data("--out", str(out), "--n", "2", *argv) == 2, argv
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) <= 2, argv
        assert not (out / MANIFEST).exists()
