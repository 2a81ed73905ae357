"""PyTorch Datasets over the data engine's folders: lazy, memory-mapped reads per sample.

Each sample is a dict of tensors, one per field of the manifest: `image` fields become
float32 in [0, 1], channels first ((3, H, W), or (k, 3, H, W) for pairs and triplets),
`labels` int64 part ids, integer fields int64, the rest float32. Shards are memory-mapped
on first use in each process (DataLoader workers open their own), so random access reads
only the samples asked for.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from torch.utils.data import Dataset

from auedit_train.common import load_array
from auedit_train.data.store import DataError, read_manifest


def to_tensor(name: str, value: np.ndarray) -> torch.Tensor:
    """One field of one sample as a tensor (see the module docstring)."""
    if name == "image":
        return torch.from_numpy(np.moveaxis(value, -1, -3).astype(np.float32) / 255.0)
    if np.issubdtype(value.dtype, np.integer):
        return torch.from_numpy(value.astype(np.int64))
    return torch.from_numpy(value.astype(np.float32))


class ShardDataset(Dataset):
    """The samples of one data folder; subclasses fix the kind they accept."""

    kind: ClassVar[str | None] = None

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.manifest: dict[str, Any] = read_manifest(self.root)
        if self.kind is not None and self.manifest["kind"] != self.kind:
            raise DataError(f"{self.root} holds {self.manifest['kind']}, not {self.kind}")
        self.fields: list[str] = list(self.manifest["fields"])
        counts = [s["count"] for s in self.manifest["shards"]]
        self._starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
        self._open: dict[int, dict[str, np.ndarray]] = {}

    def __len__(self) -> int:
        return int(self.manifest["count"])

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_open"] = {}  # workers map the shards themselves instead of copying them
        return state

    def _shard(self, index: int) -> dict[str, np.ndarray]:
        arrays = self._open.get(index)
        if arrays is None:
            folder = self.root / self.manifest["shards"][index]["path"]
            arrays = self._open[index] = {
                name: load_array(folder / f"{name}.npy", "r") for name in self.fields}
        return arrays

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"sample {i} of {len(self)}")
        i %= len(self)
        shard = bisect.bisect_right(self._starts, i) - 1
        row = i - self._starts[shard]
        return {name: to_tensor(name, np.asarray(arr[row]))
                for name, arr in self._shard(shard).items()}


class RenderDataset(ShardDataset):
    """Rig renders: image, labels, pose, au, identity."""

    kind = "renders"


class EditDataset(ShardDataset):
    """Real faces edited to target AUs: image, target_au, own_au, source, au, level."""

    kind = "edits"


class PairDataset(ShardDataset):
    """Same-identity pairs (k = 2 faces per sample), rendered or edited."""

    kind = "pairs"


class TripletDataset(ShardDataset):
    """Anchor, positive, negative (k = 3) with their AU vectors and distances."""

    kind = "triplets"


class FaceDataset(ShardDataset):
    """Real faces aligned to the base face: image, labels, source, landmarks."""

    kind = "faces"


DATASETS: dict[str, type[ShardDataset]] = {
    c.kind: c for c in (RenderDataset, EditDataset, PairDataset, TripletDataset, FaceDataset)}


def open_dataset(root: str | Path) -> ShardDataset:
    """The Dataset class matching the folder's kind."""
    return DATASETS[read_manifest(Path(root))["kind"]](root)
