"""The synthetic data engine (auedit_train.data): renders, pairs, triplets and edits on disk,
reproducible from a seed, read back by the Datasets; bad input fails with a message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from auedit_train.cli import main
from auedit_train.data import (
    DataError,
    EditDataset,
    PairDataset,
    RenderDataset,
    TripletDataset,
    open_dataset,
)
from auedit_train.data.cli import write_dataset
from auedit_train.data.edits import EditSettings, RealFaceEditor
from auedit_train.data.renders import render_fields, triplet_distances
from auedit_train.data.store import MANIFEST, prepare_out
from PIL import Image
from torch.utils.data import DataLoader

from auedit.rig.topology import Part


def data(*argv: str) -> int:
    """`auedit-train data ...`: its exit code."""
    return main(["data", *argv, "--no-progress"])


def shard_arrays(root: Path) -> dict[str, np.ndarray]:
    """Every field of a data set, all shards concatenated (read directly, not via Dataset)."""
    manifest = json.loads((root / MANIFEST).read_text())
    return {name: np.concatenate([np.load(root / s["path"] / f"{name}.npy")
                                  for s in manifest["shards"]])
            for name in manifest["fields"]}


def centroid(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def test_renders_in_the_textured_look_differ_only_in_colour(tmp_path: Path) -> None:
    """`--look textured` draws the same faces (same labels) with painted brows, and says so in
    the manifest; the default stays the flat look the shipped models were trained on."""
    for look in ("flat", "textured"):
        assert data("renders", "--out", str(tmp_path / look), "--n", "3", "--seed", "4",
                    "--look", look) == 0
    flat, textured = shard_arrays(tmp_path / "flat"), shard_arrays(tmp_path / "textured")
    np.testing.assert_array_equal(flat["labels"], textured["labels"])
    assert not np.array_equal(flat["image"], textured["image"])
    looks = [json.loads((tmp_path / k / MANIFEST).read_text())["generator"]["look"]
             for k in ("flat", "textured")]
    assert looks == ["flat", "textured"]


def test_renders_reproducible_sharded_and_labelled(tmp_path: Path) -> None:
    runs = {"a": ["--seed", "3", "--workers", "2"], "b": ["--seed", "3", "--workers", "1",
                                                          "--threads", "2"],
            "c": ["--seed", "4"]}  # the same seed on one or two render threads, another seed
    for name, extra in runs.items():
        assert data("renders", "--out", str(tmp_path / name), "--n", "6", "--batch", "4",
                    "--shard-size", "4", *extra) == 0
    a, b, c = (shard_arrays(tmp_path / n) for n in "abc")
    for field in a:
        np.testing.assert_array_equal(a[field], b[field], err_msg=field)
    assert not np.array_equal(a["image"], c["image"])
    assert not np.array_equal(a["au"], c["au"])

    ds = RenderDataset(tmp_path / "a")
    assert len(ds) == 6 and len(ds.manifest["shards"]) == 2
    assert ds.manifest["names"]["parts"] == {p.name.lower(): int(p) for p in Part}
    item = ds[5]  # in the second shard
    assert item["image"].shape == (3, 128, 128) and item["image"].dtype == torch.float32
    assert float(item["image"].min()) >= 0.0 and float(item["image"].max()) <= 1.0
    assert item["labels"].shape == (128, 128) and item["labels"].dtype == torch.int64
    assert item["au"].shape == (40,) and item["identity"].shape == (40,)
    assert item["pose"].shape == (3,) and item["au"].dtype == torch.float32
    np.testing.assert_array_equal(item["labels"].numpy(), a["labels"][5])
    np.testing.assert_allclose(item["image"].numpy(),
                               np.moveaxis(a["image"][5], -1, 0) / 255.0, atol=1e-6)
    loaded = next(iter(DataLoader(ds, batch_size=6, num_workers=1)))  # shards mapped per worker
    assert loaded["image"].shape == (6, 3, 128, 128) and loaded["labels"].shape == (6, 128, 128)
    np.testing.assert_array_equal(loaded["au"].numpy(), a["au"])

    labels, image = a["labels"], a["image"]
    assert set(np.unique(labels)) <= {int(p) for p in Part}
    assert (image[labels == Part.BACKGROUND] == 0).all()  # the renderer's black background
    for lab in labels:  # the subject's left eye and brow are on the image's right, brows above
        c = {p: centroid(lab == p) for p in (Part.LEFT_EYE, Part.RIGHT_EYE, Part.LEFT_BROW,
                                              Part.RIGHT_BROW, Part.NOSE, Part.UPPER_LIP,
                                              Part.LOWER_LIP)}
        assert c[Part.LEFT_EYE][0] > c[Part.RIGHT_EYE][0]
        assert c[Part.LEFT_BROW][0] > c[Part.RIGHT_BROW][0]
        assert c[Part.LEFT_BROW][1] < c[Part.LEFT_EYE][1] < c[Part.NOSE][1]
        assert c[Part.NOSE][1] < c[Part.UPPER_LIP][1] < c[Part.LOWER_LIP][1]


def test_pairs_share_identity_and_triplets_obey_the_rule(tmp_path: Path) -> None:
    assert data("pairs", "--out", str(tmp_path / "p"), "--n", "3", "--seed", "1") == 0
    pairs = PairDataset(tmp_path / "p")
    item = pairs[2]
    assert item["image"].shape == (2, 3, 128, 128) and item["labels"].shape == (2, 128, 128)
    assert item["identity"].shape == (40,) and item["au"].shape == (2, 40)
    assert not torch.equal(item["au"][0], item["au"][1])
    assert not torch.equal(item["pose"][0], item["pose"][1])

    assert data("triplets", "--out", str(tmp_path / "t"), "--n", "8", "--seed", "2",
                "--margin", "0.4", "--plain") == 0
    triplets = TripletDataset(tmp_path / "t")
    assert triplets.manifest["generator"]["margin"] == 0.4
    assert triplets.manifest["framing"] == "plain"
    au = np.stack([triplets[i]["au"].numpy() for i in range(len(triplets))])
    dist = triplet_distances(au.astype(np.float64))
    assert (dist[:, 0] + 0.4 <= np.minimum(dist[:, 1], dist[:, 2]) + 1e-5).all()
    stored = np.stack([triplets[i]["distance"].numpy() for i in range(len(triplets))])
    np.testing.assert_allclose(stored, dist, atol=1e-5)
    assert triplets[0]["image"].shape == (3, 3, 128, 128)
    identity = triplets[0]["identity"]
    assert not torch.equal(identity[0], identity[1])  # three different people


def test_a_failed_run_leaves_no_folder_to_block_the_next(tmp_path: Path, capsys) -> None:
    """No triplet obeys a margin past the largest AU distance: the run fails, and the folder
    it made is gone, so the retry with a sound margin needs no --overwrite."""
    out = tmp_path / "t"
    assert data("triplets", "--out", str(out), "--n", "8", "--margin", "5") == 2
    assert "choose a smaller --margin" in capsys.readouterr().err
    assert not out.exists()
    # nor is a data set that --overwrite was to replace lost to such a margin
    kept = tmp_path / "kept"
    assert data("renders", "--out", str(kept), "--n", "2") == 0
    assert data("triplets", "--out", str(kept), "--n", "8", "--margin", "5",
                "--overwrite") == 2
    assert len(RenderDataset(kept)) == 2
    assert data("triplets", "--out", str(out), "--n", "8", "--margin", "nan") == 2
    assert "--margin must be a finite number" in capsys.readouterr().err
    blocked = tmp_path / "file.jpg"
    blocked.write_bytes(b"x")
    assert data("renders", "--out", str(blocked / "sub"), "--n", "2") == 2
    err = capsys.readouterr().err
    assert "a file is in the way of a folder" in err and "Errno" not in err


def test_interrupted_run_keeps_the_samples_written(tmp_path: Path, capsys) -> None:
    """Ctrl+C keeps what was written as a smaller, complete data set (the last shard cut to
    the rows written); a run cut before its first sample leaves a folder that is refused."""
    out = tmp_path / "cut"
    prepare_out(out, overwrite=False)
    fields = render_fields("renders", 128)
    rows = [{k: np.full((2, *f.shape), i + 1, f.dtype) for k, f in fields.items()}
            for i in range(2)]

    def batches():
        yield from rows
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dataset(out, "renders", 9, 0, fields, batches(), {}, shard_size=3,
                      progress=False)
    assert "the 4 of 9 samples written are kept" in capsys.readouterr().err
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["count"] == 4 and manifest["interrupted"] == {"planned": 9}
    assert [s["count"] for s in manifest["shards"]] == [3, 1]
    kept = shard_arrays(out)
    assert {len(a) for a in kept.values()} == {4}
    assert kept["au"][:, 0].tolist() == [1, 1, 2, 2]
    assert len(RenderDataset(out)) == 4 and float(RenderDataset(out)[3]["au"][0]) == 2

    empty = tmp_path / "empty"
    prepare_out(empty, overwrite=False)

    def nothing():
        raise KeyboardInterrupt
        yield

    with pytest.raises(KeyboardInterrupt):
        write_dataset(empty, "renders", 4, 0, fields, nothing(), {}, progress=False)
    assert (empty / "shards").is_dir() and not (empty / MANIFEST).exists()
    with pytest.raises(DataError, match="no complete data set"):
        RenderDataset(empty)
    assert data("renders", "--out", str(empty), "--n", "1") == 2
    assert data("renders", "--out", str(empty), "--n", "1", "--overwrite") == 0
    assert isinstance(open_dataset(empty), RenderDataset) and len(open_dataset(empty)) == 1
    with pytest.raises(DataError, match="holds renders, not triplets"):
        TripletDataset(empty)


def test_a_second_ctrl_c_cannot_lose_what_is_being_kept(tmp_path: Path, monkeypatch) -> None:
    """The kept samples' last shard is rewritten and the manifest written with Ctrl+C and
    SIGTERM held off: a second Ctrl+C there left no manifest, and the folder was removed."""
    import signal

    from auedit_train.data.store import ShardWriter

    seen = []
    cut = ShardWriter._cut_last_shard

    def watched(self):
        seen.append((signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)))
        cut(self)

    monkeypatch.setattr(ShardWriter, "_cut_last_shard", watched)
    out = tmp_path / "cut"
    prepare_out(out, overwrite=False)
    fields = render_fields("renders", 128)

    def batches():
        yield {k: np.zeros((2, *f.shape), f.dtype) for k, f in fields.items()}
        raise KeyboardInterrupt

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        write_dataset(out, "renders", 9, 0, fields, batches(), {}, progress=False)
    assert seen == [(signal.SIG_IGN, signal.SIG_IGN)]
    assert signal.getsignal(signal.SIGINT) is before and len(RenderDataset(out)) == 2


def test_sigterm_stops_a_run_as_ctrl_c_does(tmp_path: Path, monkeypatch, capsys) -> None:
    """A scheduler's SIGTERM killed `auedit-train data` outright and lost every sample."""
    import os
    import signal

    from auedit_train.data import cli as data_cli

    batches = data_cli.RigDataRenderer.batches

    def stopped(self, n, rng):
        for i, batch in enumerate(batches(self, n, rng)):
            if i == 1:
                os.kill(os.getpid(), signal.SIGTERM)  # as a scheduler would, mid-run
            yield batch

    monkeypatch.setattr(data_cli.RigDataRenderer, "batches", stopped)
    before = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "r"
    assert data("renders", "--out", str(out), "--n", "64", "--batch", "4",
                "--workers", "1") == 130
    assert signal.getsignal(signal.SIGTERM) is before
    assert "samples written are kept" in capsys.readouterr().err
    assert 4 <= len(RenderDataset(out)) < 64


def test_options_a_kind_does_not_read_are_named(tmp_path: Path, capsys) -> None:
    """`renders --aus AU99 --method foo` ran without a word about either."""
    assert data("renders", "--out", str(tmp_path / "r"), "--n", "2", "--aus", "AU12",
                "--method", "foo", "--plain") == 0
    err = capsys.readouterr().err
    assert "--aus does not apply to renders; ignored" in err
    assert "--method does not apply to renders" in err and "--plain" not in err


def test_bad_input_exits_2_with_a_message(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank"
    blank.mkdir()
    Image.fromarray(np.full((240, 320, 3), 200, np.uint8)).save(blank / "wall.png")
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (["renders", "--size", "64"], "128-512"),
        (["edits", "--source", str(tmp_path / "missing")], "does not exist"),
        (["edits"], "need --source"),
        (["edits", "--source", str(empty)], "contains no images or videos"),
        (["edits", "--source", str(blank)], "no usable faces"),
        (["edits", "--source", str(blank), "--aus", "AU99"], "unknown AU"),
        (["renders", "--source", str(blank)], "--source is for edits"),  # not silently ignored
        (["triplets", "--margin", "-1"], "--margin must be a finite number, 0 or more"),
    ]
    for i, (argv, message) in enumerate(cases):
        out = tmp_path / f"out{i}"
        assert data(argv[0], "--out", str(out), "--n", "2", *argv[1:]) == 2, argv
        assert message in capsys.readouterr().err, argv
        assert not (out / MANIFEST).exists()


@pytest.mark.parametrize("flag", [("--batch", "-2"), ("--shard-size", "0"), ("--n", "0")])
def test_counts_below_one_refused_before_writing(flag: tuple[str, str], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert data("renders", "--out", str(out), "--n", "2", *flag) == 2
    assert f"{flag[0]} must be at least 1" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def london_faces(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """Three neutral London faces in a folder of their own."""
    folder = tmp_path_factory.mktemp("faces")
    for path in sorted((shared_data / "london" / "neutral").glob("*.jpg"))[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.mark.shared_data
def test_edits_resample_balanced_from_faces_lacking_the_au(tmp_path: Path,
                                                          london_faces: Path) -> None:
    args = ["--n", "30", "--seed", "5", "--aus", "AU12,AU26,AU45", "--levels", "0,3,5",
            "--source", str(london_faces)]
    assert data("edits", "--out", str(tmp_path / "a"), *args) == 0
    assert data("edits", "--out", str(tmp_path / "b"), *args) == 0
    a, b = shard_arrays(tmp_path / "a"), shard_arrays(tmp_path / "b")
    for field in a:
        np.testing.assert_array_equal(a[field], b[field], err_msg=field)

    ds = EditDataset(tmp_path / "a")
    m = ds.manifest
    assert m["names"]["aus"] == ["AU12", "AU26", "AU45"] and len(m["sources"]) == 3
    counts = np.array([m["cells"][au] for au in m["names"]["aus"]])[:, [0, 3, 5]]
    used = counts[counts.sum(axis=1) > 0]
    assert used.size and used.max() - used.min() <= 1 and counts.sum() == 30
    keys = {"AU12": ["AU12L", "AU12R"], "AU26": ["AU26"], "AU45": ["AU45L", "AU45R"]}
    for i in range(len(ds)):
        item = ds[i]
        assert item["image"].shape == (3, 128, 128) and item["image"].dtype == torch.float32
        assert item["target_au"].shape == (40,) and item["au"].dtype == torch.int64
        cols = [m["names"]["au"].index(k) for k in keys[m["names"]["aus"][int(item["au"])]]]
        assert (item["own_au"][cols] < m["generator"]["absent_below"]).all()
        assert (item["target_au"][cols] == item["level"]).all()
        rest = np.setdiff1d(np.arange(40), cols)
        assert torch.equal(item["target_au"][rest], item["own_au"][rest])
    # an AU set to E visibly changes the face against an absent AU set to 0 (about unedited)
    diffs = [np.abs(a["image"][i].astype(int) - a["image"][j]).mean()
             for i in np.flatnonzero(a["level"] == 5) for j in np.flatnonzero(a["level"] == 0)
             if a["source"][i] == a["source"][j]]
    assert diffs and min(diffs) > 0.5

@pytest.mark.shared_data
def test_resampling_plan_follows_which_faces_lack_which_au(london_faces: Path) -> None:
    editor = RealFaceEditor(EditSettings(aus=["AU12", "AU26", "AU45"], levels=[0, 3, 5]),
                            [str(london_faces)], progress=False)
    # face 0 lacks only AU12, face 1 only AU26, face 2 none; no face lacks AU45
    editor.absent = np.array([[True, False, False], [False, True, False], [False, False, False]])
    plan = editor.plan("edits", 24, np.random.default_rng(0))
    assert plan.skipped_aus == ["AU45"]
    assert set(plan.face[plan.au == 0]) == {0} and set(plan.face[plan.au == 1]) == {1}
    cells = np.zeros((3, 6), int)
    np.add.at(cells, (plan.au.ravel(), plan.level.ravel()), 1)
    assert cells[:2, [0, 3, 5]].tolist() == [[4, 4, 4], [4, 4, 4]] and cells.sum() == 24
    pairs = editor.plan("pairs", 40, np.random.default_rng(1))
    people = np.array([f.person for f in editor.faces])
    assert (people[pairs.face[:, 0]] == people[pairs.face[:, 1]]).all()
    lacking = pairs.face < 2  # faces 0 and 1 get an AU they lack; face 2 lacks none, any AU
    assert (pairs.au[lacking] == pairs.face[lacking]).all()


@pytest.mark.shared_data
def test_pairs_of_edits_come_from_one_person(tmp_path: Path, shared_data: Path) -> None:
    video = shared_data / "video" / "single_face.mp4"
    assert data("pairs", "--out", str(tmp_path / "p"), "--n", "4", "--seed", "0", "--every",
                "24", "--source", str(video)) == 0
    pairs = PairDataset(tmp_path / "p")
    m = pairs.manifest
    assert m["domain"] == "edit" and m["people"] == [str(video)]
    assert [s.rsplit("@", 1)[1] for s in m["sources"]] == ["0", "24", "48"]
    item = pairs[0]
    assert item["image"].shape == (2, 3, 128, 128) and item["target_au"].shape == (2, 40)
    assert int(item["person"]) == 0 and item["source"].shape == (2,)


@pytest.mark.shared_data
def test_triplets_of_edits_are_three_people_and_obey_the_rule(tmp_path: Path,
                                                               london_faces: Path) -> None:
    # AUs that all three neutral faces lack, so that each triplet can be three people
    assert data("triplets", "--out", str(tmp_path / "t"), "--n", "6", "--seed", "3",
                "--margin", "0.3", "--aus", "AU9,AU15,AU26,AU45",
                "--source", str(london_faces)) == 0
    triplets = TripletDataset(tmp_path / "t")
    m = triplets.manifest
    assert m["domain"] == "edit" and "target_au / 5" in m["triplet_rule"]
    labels = np.stack([triplets[i]["target_au"].numpy() for i in range(len(triplets))]) / 5
    dist = triplet_distances(labels.astype(np.float64))
    assert (dist[:, 0] + 0.3 <= np.minimum(dist[:, 1], dist[:, 2]) + 1e-5).all()
    stored = np.stack([triplets[i]["distance"].numpy() for i in range(len(triplets))])
    np.testing.assert_allclose(stored, dist, atol=1e-5)
    for i in range(len(triplets)):
        item = triplets[i]
        assert item["image"].shape == (3, 3, 128, 128)
        assert len(set(item["person"].tolist())) == 3  # three sources, three people
        assert item["au"][0] == item["au"][1] and abs(int(item["level"][0] - item["level"][1])) <= 1


def test_cuda_renders_match_the_cpu_or_are_refused_without_cuda(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--n", "2", "--seed", "7"]
    if not torch.cuda.is_available():
        assert data("renders", "--out", str(tmp_path / "g"), "--device", "cuda", *args) == 2
        assert "no CUDA device" in capsys.readouterr().err
        assert not (tmp_path / "g" / MANIFEST).exists()
        return
    assert data("renders", "--out", str(tmp_path / "g"), "--device", "cuda", *args) == 0
    assert data("renders", "--out", str(tmp_path / "c"), "--device", "cpu", *args) == 0
    gpu, cpu = shard_arrays(tmp_path / "g"), shard_arrays(tmp_path / "c")
    np.testing.assert_array_equal(gpu["au"], cpu["au"])
    assert (gpu["labels"] == cpu["labels"]).mean() > 0.99
    assert np.abs(gpu["image"].astype(int) - cpu["image"]).mean() < 1.0


def test_pairs_take_two_different_faces_of_a_person() -> None:
    """A person with several faces (frames of a video, photos) gives pairs of two different
    ones; the same face twice only for a person who has one."""
    from types import SimpleNamespace

    editor = RealFaceEditor.__new__(RealFaceEditor)  # the plan alone, no faces prepared
    editor.settings = EditSettings()
    editor.aus = ["AU6", "AU12"]
    editor.faces = [SimpleNamespace(person=p) for p in (0, 0, 0, 1)]
    editor.absent = np.ones((4, 2), bool)
    plan = editor.plan("pairs", 60, np.random.default_rng(0))
    people = np.array([0, 0, 0, 1])
    assert (people[plan.face[:, 0]] == people[plan.face[:, 1]]).all()
    several = people[plan.face[:, 0]] == 0
    assert several.any() and (plan.face[several, 0] != plan.face[several, 1]).all()
    assert (plan.face[~several] == 3).all()
