"""The synthetic data engine: rig renders, edited real faces, pairs and triplets on disk,
and the PyTorch Datasets that read them (`auedit-train data --help`, training/README.md)."""

from auedit_train.data.datasets import (
    EditDataset,
    PairDataset,
    RenderDataset,
    ShardDataset,
    TripletDataset,
    open_dataset,
)
from auedit_train.data.store import DataError

__all__ = ["DataError", "EditDataset", "PairDataset", "RenderDataset", "ShardDataset",
           "TripletDataset", "open_dataset"]
