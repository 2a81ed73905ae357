"""The on-disk format of a data set: memory-mapped `.npy` shards and a JSON manifest.

A data set is a folder:

    manifest.json            written last: a folder without it is incomplete
    shards/00000/<field>.npy one array per field, rows = samples, at most `shard_size` rows
    shards/00001/...

Every field is a plain `.npy` array (uint8 images and label maps, float32 parameters, int32
ids), so readers memory-map each shard and read single samples without loading a shard.
The manifest names the format and its version, the kind (`renders`, `edits`, `pairs`,
`triplets`, `faces`), the seed, the count, each field's per-sample shape, dtype and meaning,
the parameter names and the generator's settings; see training/README.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from auedit.media.outputs import describe_os_error

FORMAT_NAME = "auedit-train-data"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SHARDS = "shards"


class DataError(ValueError):
    """Bad input or a bad data folder; the message is meant for the user (exit code 2)."""


@dataclass(frozen=True)
class Field:
    """One array per sample: its shape, dtype and what it holds (for the manifest)."""

    shape: tuple[int, ...]
    dtype: str
    doc: str

    def describe(self) -> dict[str, Any]:
        return {"shape": list(self.shape), "dtype": self.dtype, "doc": self.doc}


def software_versions() -> dict[str, str | None]:
    """torch's version and auedit's git commit (None outside a checkout): for the manifest."""
    import torch

    import auedit

    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                cwd=Path(auedit.__file__).parent, timeout=10, check=True
                                ).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"auedit_commit": commit, "torch": torch.__version__}


def prepare_out(out: Path, overwrite: bool) -> None:
    """Make `out` ready for a new data set; never writes into another folder's data."""
    if out.exists() and not out.is_dir():
        raise DataError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise DataError(f"{out} is not empty; choose another --out or pass --overwrite")
        if not (out / MANIFEST).is_file() and not (out / SHARDS).is_dir():
            raise DataError(f"{out} does not hold a data set; refusing to overwrite it")
        (out / MANIFEST).unlink(missing_ok=True)  # first, so a failed run is never complete
        shutil.rmtree(out / SHARDS, ignore_errors=True)
    try:
        (out / SHARDS).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise describe_os_error(out / SHARDS, exc) from exc


class ShardWriter:
    """Writes `count` samples of `fields` in order into memory-mapped shards under `out`."""

    def __init__(self, out: Path, fields: dict[str, Field], count: int, shard_size: int) -> None:
        if shard_size < 1:
            raise DataError("the shard size must be at least 1")
        self.out, self.fields, self.count, self.shard_size = out, fields, count, shard_size
        self.written = 0
        self._shard = -1
        self._arrays: dict[str, np.memmap] = {}
        self.shards: list[dict[str, Any]] = []

    def _open(self, index: int) -> None:
        self._flush()
        rows = min(self.shard_size, self.count - index * self.shard_size)
        folder = self.out / SHARDS / f"{index:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        self._arrays = {
            name: np.lib.format.open_memmap(folder / f"{name}.npy", mode="w+",
                                            dtype=np.dtype(f.dtype), shape=(rows, *f.shape))
            for name, f in self.fields.items()}
        self._shard = index
        self.shards.append({"path": f"{SHARDS}/{index:05d}", "count": rows})

    def _flush(self) -> None:
        for arr in self._arrays.values():
            arr.flush()
        self._arrays = {}

    def write(self, batch: dict[str, np.ndarray]) -> None:
        """Append a batch: every field's array has the same number of rows."""
        n = len(next(iter(batch.values())))
        if self.written + n > self.count:
            raise ValueError(f"{self.written + n} samples written, {self.count} planned")
        done = 0
        while done < n:
            shard, row = divmod(self.written, self.shard_size)
            if shard != self._shard:
                self._open(shard)
            take = min(n - done, self.shard_size - row)
            for name in self.fields:
                self._arrays[name][row:row + take] = batch[name][done:done + take]
            done += take
            self.written += take

    def _cut_last_shard(self) -> None:
        """Shorten the last shard's arrays to the rows written (an interrupted run)."""
        start = (len(self.shards) - 1) * self.shard_size
        rows = self.written - start
        if rows == self.shards[-1]["count"]:
            return
        folder = self.out / self.shards[-1]["path"]
        for name in self.fields:
            path = folder / f"{name}.npy"
            tmp = folder / f"{name}.tmp.npy"
            np.save(tmp, np.load(path, mmap_mode="r")[:rows])
            os.replace(tmp, path)
        self.shards[-1]["count"] = rows

    def finish(self, manifest: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
        """Flush the shards and write the manifest (atomically, last); returns it.

        `partial`: the run was cut short; the samples written so far become a complete,
        smaller data set (its manifest says how many were planned)."""
        self._flush()
        if partial and 0 < self.written < self.count:
            self._cut_last_shard()
            manifest = {**manifest, "interrupted": {"planned": self.count}}
            self.count = self.written
        if self.written != self.count:
            raise ValueError(f"{self.written} of {self.count} samples written")
        full = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **manifest,
                "count": self.count, "shard_size": self.shard_size, "shards": self.shards,
                "fields": {k: f.describe() for k, f in self.fields.items()}}
        tmp = self.out / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(full, indent=1) + "\n")
        os.replace(tmp, self.out / MANIFEST)
        return full


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of a complete data set; DataError for a missing or foreign one."""
    path = Path(root) / MANIFEST
    if not Path(root).is_dir():
        raise DataError(f"{root} does not exist" if not Path(root).exists()
                        else f"{root} is a file: give the folder of a data set")
    if not path.is_file():
        raise DataError(f"{root} holds no complete data set (no {MANIFEST}; an interrupted "
                        "run leaves none)")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT_NAME:
        raise DataError(f"{path} is not an {FORMAT_NAME} manifest")
    if manifest.get("version") != FORMAT_VERSION:
        raise DataError(f"{path} has format version {manifest.get('version')}; this reader "
                        f"knows version {FORMAT_VERSION}")
    return manifest
