"""What the jobs share: counts checked before anything is written and, for the trainers
(`genet`, `rigreg`), their run folders: torch files saved atomically and read with a message
naming the file, the check that a resumed run keeps its settings, and the guard that a new run
never writes over an old one; and data set arrays read with a message naming a damaged file."""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from auedit.core.messages import exception_summary
from auedit.media.outputs import check_outputs, describe_os_error, replacing

#: Settings a resumed run may change: how long it trains, how often it reports, where it runs.
FREE = ("steps", "epochs", "eval_every", "device", "workers")
#: What to do about a damaged file of a run folder.
DAMAGED = "delete the run (--overwrite starts it again) or use a new --out"
#: The files of a run folder that a new run would replace or append to.
RUN_FILES = ("checkpoint.pt", "best.pt", "log.jsonl", "config.json")


def load_array(path: Path, mmap_mode: Literal["r"] | None = None,
               ) -> np.ndarray | dict[str, np.ndarray]:
    """A data set's `.npy` array (memory-mapped with `mmap_mode`) or `.npz` shard (all its
    arrays, read now); a damaged or cut-short file is a ValueError naming it, where numpy
    said "mmap length is greater than file size" or zipfile "File is not a zip file"."""
    try:
        data = np.load(path, mmap_mode=mmap_mode)
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                return {name: data[name] for name in data.files}
        return data
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(f"{path} cannot be read ({exception_summary(exc)}): a damaged or "
                         "cut-short file? Write the data set again") from exc


def require_positive(**counts: int | None) -> None:
    """ValueError naming the first flag (`batch_size` is `--batch-size`) whose count is below 1
    (None: not given)."""
    for name, value in counts.items():
        if value is not None and value < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1, not {value}")


@contextmanager
def onnx_output(out: Path, inputs: list[Path]) -> Iterator[Path]:
    """A temporary path to export an ONNX file to, renamed over `out` when the block (the
    export and its check) succeeds. Refused before any work where `out` is not an `.onnx`
    name or is one of the `inputs` (an export over the network it reads)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    check_outputs([out], inputs)
    if out.suffix.lower() != ".onnx":
        raise ValueError(f"{out}: an ONNX file's name must end in .onnx")
    with replacing(out) as tmp:
        yield tmp


def make_folder(out: Path) -> None:
    """`out` made (with its parents) as a run's or a data set's folder; a readable error where
    a file is in the way or it cannot be made ("File exists" said nothing of which)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file: give a folder for --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise describe_os_error(out, exc) from exc


def check_device(device: str) -> torch.device:
    """The torch device `--device` names, or a ValueError saying why it cannot be used here."""
    try:
        chosen = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"--device {device}: not a torch device (cpu, cuda or cuda:N)") from exc
    if chosen.type not in ("cpu", "cuda"):
        raise ValueError(f"--device {device}: cpu or cuda (cuda:N)")
    if chosen.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"--device {device}: torch sees no CUDA device here")
        if chosen.index is not None and chosen.index >= torch.cuda.device_count():
            raise ValueError(f"--device {device}: torch sees {torch.cuda.device_count()} "
                             "CUDA device(s)")
    return chosen


def save_atomic(obj: Any, path: Path) -> None:
    """`torch.save` to a temporary file, then rename: an interruption never leaves half a
    file."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_torch(path: Path, what: str, keys: tuple[str, ...], hint: str,
               map_location: str | torch.device = "cpu", weights_only: bool = True,
               ) -> dict[str, Any]:
    """The dict in the torch file `path`, which must hold `keys`; ValueError naming the file
    (`what` it should be, with `hint`, what to do about it) for a missing, damaged or foreign
    one."""
    try:
        data = torch.load(path, map_location=map_location, weights_only=weights_only)
    except Exception as exc:  # torch raises many kinds for a damaged file
        why = exception_summary(exc)
        raise ValueError(f"{path} cannot be read as {what} ({why}); {hint}") from exc
    if not isinstance(data, dict) or not set(keys) <= set(data):
        raise ValueError(f"{path} does not hold {what}; {hint}")
    return data


def read_json(path: Path, what: str, hint: str) -> Any:
    """The JSON in `path`; ValueError naming the file for a missing or damaged one."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        why = exception_summary(exc)
        raise ValueError(f"{path} cannot be read as {what} ({why}); {hint}") from exc


def check_same(where: Path, saved: dict[str, Any], now: dict[str, Any]) -> None:
    """A resumed run must go on with the settings it started with (but those of `FREE`)."""
    saved, now = json.loads(json.dumps(saved)), json.loads(json.dumps(now))
    changed = sorted(k for k in now if k not in FREE and saved.get(k) != now[k])
    if changed:
        raise ValueError(f"{where} was started with other settings ({', '.join(changed)}); "
                         "use a new --out or the same settings")


def check_fresh(out: Path, overwrite: bool, main: bool = True) -> None:
    """Before a run that does not resume: refuse a folder holding another run's checkpoint or
    best network, unless `overwrite`, which removes that run's files (process `main` only)."""
    old = [n for n in RUN_FILES[:2] if (out / n).exists()]
    if old and not overwrite:
        go_on = "" if "checkpoint.pt" not in old else "pass --resume to go on with it, "
        raise ValueError(f"{out} already holds a run ({', '.join(old)}); {go_on}pass "
                         "--overwrite to replace it, or use a new --out")
    if overwrite and main:
        for name in RUN_FILES:
            (out / name).unlink(missing_ok=True)


def say_no_checkpoint(out: Path, echo: Callable[[str], None]) -> None:
    """Where --resume finds nothing to go on from."""
    echo(f"no checkpoint in {out}: starting from scratch")
