"""GE-Net's training package (auedit_train.genet): smoke runs whose losses fall, resumable
runs, settings checks, ONNX exports equal to torch, and model files that fail clearly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from auedit_train.cli import main

from auedit.face.model_file import sha256_of
from auedit.fit.genet.model_files import ModelFileError, load_imitator, load_segmenter, read


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("genet") / "renders"
    assert main(["data", "renders", "--out", str(out), "--n", "96", "--seed", "5",
                 "--no-progress"]) == 0
    return out


def log(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


def test_segmenter_smoke_learns_and_resumes(renders: Path, tmp_path: Path) -> None:
    run = tmp_path / "seg"
    base = ["genet", "segmenter", "--smoke", "--arch", "light", "--renders", str(renders),
            "--out", str(run), "--batch", "8", "--eval-every", "10"]
    assert main([*base, "--steps", "40"]) == 0
    records = log(run)
    assert [r["step"] for r in records] == [10, 20, 30, 40]
    assert records[-1]["loss"] < 0.7 * records[0]["loss"]
    # 40 steps of a smoke run: the mIoU wavers from one evaluation to the next, so the best
    # later one (the checkpoint kept) must beat the first
    assert max(r["miou_renders"] for r in records[1:]) > records[0]["miou_renders"]
    assert main([*base, "--steps", "60", "--resume"]) == 0  # a longer run goes on
    assert [r["step"] for r in log(run)] == [10, 20, 30, 40, 50, 60]
    net = load_segmenter(run / "best.pt")
    logits, feats = net(torch.rand(1, 3, 128, 128))
    assert logits.shape == (1, 11, 128, 128) and len(feats) == 4


def test_resume_goes_on_where_it_stopped(renders: Path, tmp_path: Path) -> None:
    run = tmp_path / "imi"
    base = ["genet", "imitator", "--smoke", "--renders", str(renders), "--out", str(run),
            "--batch", "8", "--eval-every", "10", "--steps", "20"]
    assert main(base) == 0
    state = torch.load(run / "checkpoint.pt", weights_only=False)
    assert state["step"] == 20
    assert main([*base, "--resume"]) == 0  # nothing left to do: no new records
    assert [r["step"] for r in log(run)] == [10, 20]
    assert main([*base, "--resume", "--eval-every", "5"]) == 0  # how often it logs may change
    assert main([*base, "--resume", "--lr", "0.5"]) == 2  # other settings: refused


def test_install_records_the_digest_in_place(renders: Path, tmp_path: Path) -> None:
    run, models = tmp_path / "imi", tmp_path / "models"
    assert main(["genet", "imitator", "--smoke", "--renders", str(renders), "--out", str(run),
                 "--steps", "2", "--eval-every", "2", "--batch", "4"]) == 0
    models.mkdir()
    entries = [{"file": name, "sha256": "0" * 64} for name in
               ("genet_segmenter_light.pt", "genet_imitator.pt", "au_regressor.onnx")]
    (models / "manifest.json").write_text(json.dumps({"models": entries}))
    for _ in range(2):  # a reinstall replaces the entry where it stands
        assert main(["genet", "install", "--network", str(run / "best.pt"), "--name", "imitator",
                     "--models", str(models)]) == 0
    listed = json.loads((models / "manifest.json").read_text())["models"]
    assert [e["file"] for e in listed] == [e["file"] for e in entries]
    assert listed[1]["sha256"] == sha256_of(models / "genet_imitator.pt")
    assert load_imitator(models / "genet_imitator.pt").config.n_params > 0
    assert sorted(p.name for p in models.iterdir()) == ["genet_imitator.pt", "manifest.json"]

    # a folder without the manifest: refused before anything is written there
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["genet", "install", "--network", str(run / "best.pt"), "--name", "imitator",
                 "--models", str(empty)]) == 2
    assert not list(empty.iterdir())
    # an export never writes over the network it reads
    before = (run / "best.pt").read_bytes()
    assert main(["genet", "export", "--network", str(run / "best.pt"),
                 "--out", str(run / "best.pt")]) == 2
    assert (run / "best.pt").read_bytes() == before


def test_imitator_smoke_learns(renders: Path, tmp_path: Path) -> None:
    run = tmp_path / "imi"
    assert main(["genet", "imitator", "--smoke", "--renders", str(renders), "--out", str(run),
                 "--batch", "8", "--steps", "60", "--eval-every", "20"]) == 0
    records = log(run)
    assert records[-1]["val_l1"] < 0.8 * records[0]["val_l1"]
    net = load_imitator(run / "best.pt")
    assert net(torch.rand(2, net.config.n_params)).shape == (2, 3, 128, 128)


def test_imitator_fine_tunes_from_a_network_file(renders: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    first, tuned, fresh = tmp_path / "first", tmp_path / "tuned", tmp_path / "fresh"
    base = ["genet", "imitator", "--smoke", "--renders", str(renders), "--batch", "8",
            "--eval-every", "10"]
    assert main([*base, "--steps", "60", "--out", str(first)]) == 0
    assert main([*base, "--steps", "10", "--out", str(fresh)]) == 0
    assert main([*base, "--steps", "10", "--out", str(tuned), "--lr", "1e-4",
                 "--init", str(first / "best.pt")]) == 0
    learnt = min(r["val_l1"] for r in log(first))
    assert log(tuned)[0]["val_l1"] < 1.2 * learnt < log(fresh)[0]["val_l1"]
    seg_run = tmp_path / "seg"  # a segmenter is no imitator to start from
    assert main(["genet", "segmenter", "--smoke", "--renders", str(renders), "--out",
                 str(seg_run), "--steps", "2", "--eval-every", "2", "--batch", "4"]) == 0
    capsys.readouterr()
    assert main([*base, "--steps", "2", "--out", str(tmp_path / "bad"),
                 "--init", str(seg_run / "best.pt")]) == 2
    err = capsys.readouterr().err
    assert "does not hold a GE-Net imitator" in err and "Traceback" not in err


@pytest.mark.parametrize("job", ["segmenter", "imitator"])
def test_onnx_export_equals_torch(job: str, renders: Path, tmp_path: Path) -> None:
    run = tmp_path / job
    assert main(["genet", job, "--smoke", "--renders", str(renders), "--out", str(run),
                 "--steps", "2", "--eval-every", "2", "--batch", "4"]) == 0
    assert main(["genet", "export", "--network", str(run / "best.pt"),
                 "--out", str(tmp_path / f"{job}.onnx")]) == 0
    assert (tmp_path / f"{job}.onnx").stat().st_size > 10_000


def test_bad_network_files_fail_clearly(tmp_path: Path, renders: Path) -> None:
    missing = tmp_path / "missing.pt"
    with pytest.raises(ModelFileError, match="not a readable"):
        read(missing)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a torch file")
    with pytest.raises(ModelFileError, match="not a readable"):
        load_imitator(junk)
    run = tmp_path / "seg"
    assert main(["genet", "segmenter", "--smoke", "--renders", str(renders), "--out", str(run),
                 "--steps", "2", "--eval-every", "2", "--batch", "4"]) == 0
    with pytest.raises(ModelFileError, match="does not hold a GE-Net imitator"):
        load_imitator(run / "best.pt")
    assert main(["genet", "imitator", "--out", str(tmp_path / "x")]) == 2  # no data


def seg(renders: Path, run: Path, *extra: str) -> int:
    """A two-step smoke segmenter run: its exit code."""
    return main(["genet", "segmenter", "--smoke", "--renders", str(renders), "--out", str(run),
                 "--steps", "2", "--eval-every", "2", "--batch", "4", *extra])


def test_damaged_network_files_exit_2_naming_the_file(
        renders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "seg"
    assert seg(renders, run) == 0
    bad = tmp_path / "bad.pt"
    bad.write_bytes((run / "best.pt").read_bytes()[:1000])  # a truncated copy
    junk = tmp_path / "junk.pt"
    junk.write_text("junk\n")  # torch reads this as a pickle and fails with a KeyError
    with pytest.raises(ModelFileError, match=r"junk\.pt is not a readable"):
        read(junk)
    cases = [["genet", "export", "--network", str(bad), "--out", str(tmp_path / "x.onnx")],
             ["genet", "install", "--network", str(bad), "--name", "light",
              "--models", str(tmp_path)],
             ["genet", "imitator", "--smoke", "--renders", str(renders), "--perceptual",
              str(bad), "--out", str(tmp_path / "imi")],
             ["genet", "segmenter", "--smoke", "--renders", str(renders), "--init", str(junk),
              "--out", str(tmp_path / "seg2")]]
    for argv in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "not a readable GE-Net network file" in err and "Traceback" not in err, argv


@pytest.mark.parametrize("damage", [b"", b"not a checkpoint\n", None])
def test_damaged_checkpoint_or_config_refused_on_resume(
        damage: bytes | None, renders: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "seg"
    assert seg(renders, run) == 0
    ckpt = run / "checkpoint.pt"
    ckpt.write_bytes(ckpt.read_bytes()[:2000] if damage is None else damage)
    assert seg(renders, run, "--resume") == 2
    assert f"{ckpt} cannot be read as a checkpoint" in capsys.readouterr().err
    (run / "config.json").write_text("{")
    assert seg(renders, run, "--resume") == 2
    err = capsys.readouterr().err
    assert f"{run / 'config.json'} cannot be read" in err and "new --out" in err


def test_data_of_the_wrong_kind_refused(renders: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    triplets = tmp_path / "triplets"
    assert main(["data", "triplets", "--out", str(triplets), "--n", "8", "--no-progress"]) == 0
    assert seg(triplets, tmp_path / "a") == 2
    assert "holds triplets, not renders" in capsys.readouterr().err
    assert seg(renders, tmp_path / "b", "--faces", str(renders)) == 2
    assert "holds renders, not faces" in capsys.readouterr().err


@pytest.mark.parametrize("job", ["segmenter", "imitator"])
def test_a_run_refused_for_too_few_samples_writes_nothing(job: str, renders: Path,
                                                           tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["genet", job, "--smoke", "--renders", str(renders), "--out", str(run),
                 "--steps", "2", "--eval-every", "2", "--batch", "512"]) == 2
    assert not run.exists() or not any(run.iterdir())


def test_fewer_samples_than_a_batch_refused() -> None:
    from auedit_train.genet.loop import Process, batches

    with pytest.raises(ValueError, match="fewer than one batch"):
        batches(list(range(5)), 8, 0, Process(0, 1, torch.device("cpu")))  # no endless spin


@pytest.mark.parametrize("flag", [("--steps", "0"), ("--steps", "-5"), ("--eval-every", "0"),
                                  ("--batch", "0")])
def test_counts_below_one_refused(flag: tuple[str, str], renders: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["genet", "imitator", "--smoke", "--renders", str(renders),
                 "--out", str(tmp_path / "run"), *flag]) == 2
    assert f"{flag[0]} must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_a_run_is_never_overwritten_without_asking(renders: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "seg"
    assert seg(renders, run, "--resume") == 0
    assert f"no checkpoint in {run}: starting from scratch" in capsys.readouterr().out
    before = (run / "checkpoint.pt").read_bytes()
    assert seg(renders, run) == 2  # neither --resume nor --overwrite
    assert "--overwrite" in capsys.readouterr().err
    assert (run / "checkpoint.pt").read_bytes() == before and len(log(run)) == 1
    assert seg(renders, run, "--overwrite") == 0
    assert [r["step"] for r in log(run)] == [2]  # a fresh log


def test_a_few_faces_are_not_scored_on_an_empty_split(renders: Path, tmp_path: Path) -> None:
    faces = tmp_path / "faces"  # four samples, too few to hold any out (renders as faces)
    assert main(["data", "renders", "--out", str(faces), "--n", "4", "--no-progress"]) == 0
    manifest = json.loads((faces / "manifest.json").read_text())
    (faces / "manifest.json").write_text(json.dumps({**manifest, "kind": "faces"}))
    run = tmp_path / "seg"
    assert seg(renders, run, "--faces", str(faces), "--steps", "4") == 0
    records = log(run)
    assert all("miou_faces" not in r and r["score"] == r["miou_renders"] for r in records)
    assert torch.load(run / "best.pt")["record"]["score"] == max(r["score"] for r in records)


def test_imitator_refuses_renders_too_few_to_validate(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    few = tmp_path / "few"
    assert main(["data", "renders", "--out", str(few), "--n", "4", "--seed", "5",
                 "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["genet", "imitator", "--smoke", "--renders", str(few), "--batch", "2",
                 "--out", str(tmp_path / "imi")]) == 2  # its best network is never chosen on 0
    assert "too few to hold out validation renders" in capsys.readouterr().err


def test_two_torchrun_processes_train_as_one(renders: Path, tmp_path: Path) -> None:
    """torchrun with two processes (Gloo on the CPU): each takes half of every batch from
    the same shuffle and DDP averages their gradients, so the run reproduces the
    one-process run; rank 0 alone logs and reports."""
    settings = ["--smoke", "--renders", str(renders), "--batch", "8", "--steps", "20",
                "--eval-every", "10", "--device", "cpu"]
    assert main(["genet", "imitator", *settings, "--out", str(tmp_path / "one")]) == 0
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "auedit_train", "genet", "imitator", *settings, "--out", str(tmp_path / "two")],
        capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("best: step 20") == 1 and "step None" not in done.stdout
    one, two = log(tmp_path / "one"), log(tmp_path / "two")
    assert [r["step"] for r in two] == [10, 20]
    for a, b in zip(one, two, strict=True):
        assert b["l1"] == pytest.approx(a["l1"], rel=1e-3)
        assert b["val_l1"] == pytest.approx(a["val_l1"], rel=1e-3)
    assert load_imitator(tmp_path / "two" / "best.pt").config.n_params > 0


@pytest.mark.parametrize("extra", [["--device", "foo"], ["--width", "0"], ["--width", "0.01"],
                                   ["--width", "inf"], ["--width", "nan"], ["--width", "1e9"]])
def test_unusable_settings_are_one_line_and_write_nothing(
        extra: list[str], renders: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "seg"
    assert main(["genet", "segmenter", "--smoke", "--arch", "light", "--renders", str(renders),
                 "--out", str(run), *extra]) == 2
    err = capsys.readouterr().err
    assert extra[0] in err and "Traceback" not in err
    assert not run.exists()


@pytest.mark.parametrize(("config", "problem"), [
    ({"steps": "abc"}, "steps is 'abc', not a whole number"),
    ({"lr": "fast"}, "lr is 'fast', not a finite number"),
    ({"steps": -3}, "--steps must be at least 1")])
def test_config_values_of_the_wrong_kind_are_refused(
        config: dict, problem: str, renders: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A --config of {"steps": "abc"} failed deep in training with a TypeError; under
    --smoke a negative count was silently replaced."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    run = tmp_path / "seg"
    assert main(["genet", "segmenter", "--smoke", "--arch", "light", "--renders", str(renders),
                 "--out", str(run), "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert problem in err and "Traceback" not in err
    assert not run.exists()


def test_a_diverged_network_is_neither_saved_nor_installed(
        renders: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At --lr 1e30 the loss went NaN and best.pt was still written (its argmax score looked
    fine), and `genet install` took it."""
    run = tmp_path / "seg"
    assert main(["genet", "segmenter", "--smoke", "--arch", "light", "--renders", str(renders),
                 "--out", str(run), "--steps", "10", "--eval-every", "5",
                 "--lr", "1e30"]) == 2
    assert "training diverged" in capsys.readouterr().err
    assert not (run / "best.pt").exists()
    good = tmp_path / "good"
    assert main(["genet", "segmenter", "--smoke", "--arch", "light", "--renders", str(renders),
                 "--out", str(good), "--steps", "10", "--eval-every", "5"]) == 0
    net = torch.load(good / "best.pt", weights_only=False)
    next(v for v in net["state"].values() if v.is_floating_point()).fill_(float("nan"))
    torch.save(net, tmp_path / "nan.pt")
    models = tmp_path / "models"
    models.mkdir()
    (models / "manifest.json").write_text(json.dumps({"models": []}))
    assert main(["genet", "install", "--network", str(tmp_path / "nan.pt"), "--name", "light",
                 "--models", str(models)]) == 2
    assert "not installed" in capsys.readouterr().err
    assert json.loads((models / "manifest.json").read_text()) == {"models": []}
