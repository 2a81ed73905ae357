"""The synthetic data engine: rig renders, edited real faces, pairs, triplets and labelled
real faces on disk, and the PyTorch Datasets that read them (`auedit-train data --help`,
training/README.md)."""

from auedit_train.data.datasets import (
    EditDataset,
    FaceDataset,
    PairDataset,
    RenderDataset,
    ShardDataset,
    TripletDataset,
    open_dataset,
)
from auedit_train.data.store import DataError

__all__ = ["DataError", "EditDataset", "FaceDataset", "PairDataset", "RenderDataset",
           "ShardDataset", "TripletDataset", "open_dataset"]
