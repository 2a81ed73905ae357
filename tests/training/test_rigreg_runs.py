"""The AU regressor's jobs (auedit_train.rigreg) on bad input: damaged checkpoints, data of
the wrong kind, counts below one, resumes that do not fit, runs not overwritten unasked; on a
toy data set written directly (random features), so no face is tracked."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import torch
from auedit_train.cli import main
from auedit_train.rigreg.data import FORMAT, DataSettings, generate

from auedit.rig.expressions import AU_PARAMETER_KEYS


def toy_set(out: Path, n: int = 40, seed: int = 0) -> Path:
    """A complete rigreg data set of `n` random renders' features in one shard."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True)
    k = len(AU_PARAMETER_KEYS)
    np.savez(out / "shard_00000.npz", features=rng.normal(size=(n, 12)).astype(np.float32),
             au=rng.random((n, k), dtype=np.float32), index=np.arange(n))
    (out / "manifest.json").write_text(json.dumps({
        "format": FORMAT, "version": 1, "complete": True, "rendered": n, "count": n,
        "shards": [{"file": "shard_00000.npz", "count": n}]}))
    return out


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    return toy_set(tmp_path / "toy")


def rigreg(*argv: str) -> int:
    return main(["rigreg", *argv])


def fit(data: Path, run: Path, *extra: str) -> int:
    """`rigreg train` for two epochs: its exit code."""
    return rigreg("train", "--data", str(data), "--out", str(run), "--epochs", "2", *extra)


def log(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("damage", [b"", b"not a checkpoint\n", None])
def test_damaged_checkpoints_exit_2_naming_the_file(
        damage: bytes | None, toy: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert fit(toy, run) == 0
    for name in ("checkpoint.pt", "best.pt"):
        path = run / name
        path.write_bytes(path.read_bytes()[:1000] if damage is None else damage)
    assert fit(toy, run, "--resume") == 2
    err = capsys.readouterr().err
    assert f"{run / 'checkpoint.pt'} cannot be read" in err and "new --out" in err
    assert rigreg("export", "--checkpoint", str(run / "best.pt"),
                  "--out", str(tmp_path / "au.onnx")) == 2
    assert f"{run / 'best.pt'} cannot be read as an AU regressor network" in capsys.readouterr().err


def test_export_never_writes_over_its_checkpoint(toy: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert fit(toy, run) == 0
    best = run / "best.pt"
    before = best.read_bytes()
    assert rigreg("export", "--checkpoint", str(best), "--out", str(best)) == 2
    assert "it is an input" in capsys.readouterr().err
    assert rigreg("export", "--checkpoint", str(best), "--out", str(tmp_path / "au.txt")) == 2
    assert "must end in .onnx" in capsys.readouterr().err
    assert best.read_bytes() == before and not (tmp_path / "au.txt").exists()


def test_export_refuses_another_network_file(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    genet = tmp_path / "genet.pt"  # a GE-Net network file: no "settings"
    torch.save({"kind": "imitator", "config": {}, "record": {}, "state": {}}, genet)
    assert rigreg("export", "--checkpoint", str(genet), "--out", str(tmp_path / "au.onnx")) == 2
    assert f"{genet} does not hold an AU regressor network" in capsys.readouterr().err


def test_data_engine_folders_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for kind in ("renders", "edits"):
        folder = tmp_path / kind
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps(
            {"format": "auedit-train-data", "version": 1, "kind": kind, "shards": []}))
        assert fit(folder, tmp_path / f"run-{kind}") == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'renders'} is not an AU regressor data set" in err
    assert f"run `auedit-train rigreg edits --edits {tmp_path / 'edits'}" in err


def test_a_missing_data_folder_or_a_file_for_out_is_named(toy: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    """"no manifest.json" for a folder that is not there; "File exists" for a file as --out."""
    assert fit(tmp_path / "missing", tmp_path / "run") == 2
    assert f"{tmp_path / 'missing'} does not exist" in capsys.readouterr().err
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    assert fit(toy, a_file) == 2
    assert f"{a_file} is a file: give a folder for --out" in capsys.readouterr().err


def test_counts_below_one_refused_before_writing(toy: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert fit(toy, out, "--epochs", "0") == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err
    for argv, message in [(["--n", "0"], "--n must be at least 1"),
                          (["--n", "-5"], "--n must be at least 1"),
                          (["--n", "5", "--size", "10"], "128-512")]:
        assert rigreg("data", "--out", str(out), *argv) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert not out.exists()


def test_a_finished_data_set_reports_its_own_count(tmp_path: Path) -> None:
    out = tmp_path / "data"
    settings = DataSettings(n=40, seed=1, size=128)
    toy_set(out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["settings"] = asdict(settings)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert generate(out, settings, progress=False)["rendered"] == 40  # not a whole shard's 1000


def test_resume_refuses_other_data_or_settings(toy: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run, other = tmp_path / "run", toy_set(tmp_path / "other", seed=1)
    assert fit(toy, run) == 0
    assert fit(other, run, "--resume", "--epochs", "3") == 2
    assert "other settings (data)" in capsys.readouterr().err
    assert fit(toy, run, "--resume", "--epochs", "3", "--seed", "4") == 2
    assert "other settings (seed)" in capsys.readouterr().err
    assert fit(toy, run, "--resume", "--epochs", "3") == 0  # more epochs: fine
    assert [r["epoch"] for r in log(run)] == [0, 1, 2]


def test_a_run_from_before_a_new_setting_resumes_with_its_default(toy: Path, tmp_path: Path,
                                                                  capsys) -> None:
    """A checkpoint written before `pseudo_weight` existed records no such setting: it trained
    with the default, so a resume with the default goes on and another weight is refused."""
    run = tmp_path / "run"
    assert fit(toy, run) == 0
    ckpt = torch.load(run / "checkpoint.pt", weights_only=False)
    del ckpt["config"]["pseudo_weight"]
    torch.save(ckpt, run / "checkpoint.pt")
    assert fit(toy, run, "--resume", "--epochs", "3", "--pseudo-weight", "0.5") == 2
    assert "other settings (pseudo_weight)" in capsys.readouterr().err
    assert fit(toy, run, "--resume", "--epochs", "3") == 0


def test_an_interrupted_save_keeps_the_last_checkpoint(
        toy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "run"
    assert fit(toy, run) == 0
    saved = torch.load(run / "checkpoint.pt")

    def interrupted(obj: object, path: Path) -> None:
        Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    assert fit(toy, run, "--resume", "--epochs", "3") == 130
    assert torch.load(run / "checkpoint.pt")["epoch"] == saved["epoch"]
    assert torch.load(run / "best.pt")["record"]["epoch"] <= saved["epoch"]


def test_a_run_is_never_overwritten_without_asking(toy: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert fit(toy, run, "--resume") == 0
    assert f"no checkpoint in {run}: starting from scratch" in capsys.readouterr().out
    before = (run / "checkpoint.pt").read_bytes()
    assert fit(toy, run) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (run / "checkpoint.pt").read_bytes() == before and len(log(run)) == 2
    assert fit(toy, run, "--overwrite", "--epochs", "1") == 0
    assert [r["epoch"] for r in log(run)] == [0]


@pytest.mark.parametrize("device", ["foo", "cuda:99"])
def test_an_unusable_device_is_one_line(device: str, toy: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert fit(toy, tmp_path / "run", "--device", device) == 2
    err = capsys.readouterr().err
    assert f"--device {device}:" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()


def test_a_cut_short_shard_and_weights_that_are_no_number_exit_2(
        toy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A truncated shard ended in zipfile's BadZipFile traceback; --pair-weight nan ran on
    to a KeyError with no best.pt."""
    shard = toy / "shard_00000.npz"
    good = shard.read_bytes()
    shard.write_bytes(good[:len(good) // 2])
    assert fit(toy, tmp_path / "run") == 2
    err = capsys.readouterr().err
    assert f"{shard} cannot be read" in err and "Traceback" not in err
    shard.write_bytes(good)
    for flag in ("--pair-weight", "--pseudo-weight"):
        for value in ("nan", "inf", "-1"):
            with pytest.raises(SystemExit):  # argparse: a usage error, before any work
                fit(toy, tmp_path / "run2", flag, value)
            assert "out of range" in capsys.readouterr().err
    assert not (tmp_path / "run2").exists()
