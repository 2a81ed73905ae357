"""The AU regressor network: standardised features -> AU parameters in [0, 1]."""

from __future__ import annotations

import torch
from torch import nn


class AURegressorNet(nn.Module):
    """A multilayer perceptron; the feature standardisation is part of the network, so the
    exported ONNX file takes the raw features of `auedit.fit.expression_features`."""

    def __init__(self, n_in: int, n_out: int, hidden: tuple[int, ...] = (512, 256),
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_in))
        self.register_buffer("std", torch.ones(n_in))
        layers: list[nn.Module] = []
        width = n_in
        for h in hidden:
            layers += [nn.Linear(width, h), nn.GELU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, n_out))
        self.body = nn.Sequential(*layers)

    def set_normalisation(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.mean.copy_(mean)
        self.std.copy_(std.clamp_min(1e-6))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.body((features - self.mean) / self.std))
