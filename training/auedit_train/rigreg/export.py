"""ONNX export of the AU regressor, checked against torch on random features.

Several checkpoints (networks trained with different seeds) export as one network that averages
their outputs: an ensemble, whose errors partly cancel (see the model card for what it gains).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from auedit_train.common import onnx_output
from auedit_train.rigreg.train import load_trained


class Ensemble(torch.nn.Module):
    """The mean of several regressors' outputs."""

    def __init__(self, nets: list[torch.nn.Module]) -> None:
        super().__init__()
        self.nets = torch.nn.ModuleList(nets)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.stack([net(features) for net in self.nets]).mean(dim=0)


def export_onnx(checkpoints: Path | list[Path], out: Path) -> Path:
    """Write `out` (.onnx) from one `best.pt` or the average of several; input `features`
    (N, F), output `au` (N, 40)."""
    import onnxruntime as ort

    paths = checkpoints if isinstance(checkpoints, list) else [checkpoints]
    nets = [load_trained(p) for p in paths]
    n_in = nets[0].mean.shape[0]
    if any(n.mean.shape[0] != n_in for n in nets):
        raise ValueError("the checkpoints take different features: they cannot be averaged")
    net = nets[0] if len(nets) == 1 else Ensemble(nets).eval()
    # features as the networks saw them in training (their own mean and spread), from a
    # fixed seed: plain normal noise lies far outside that for features of a small spread,
    # where float32 rounding in the two runtimes parts by more than the tolerance, so the
    # check failed on some draws (2 of 16 runs of one checkpoint)
    draw = torch.randn(4, n_in, generator=torch.Generator().manual_seed(0))
    example = nets[0].mean + nets[0].std * draw
    with onnx_output(out, paths) as tmp:
        torch.onnx.export(net, (example,), str(tmp), input_names=["features"],
                          output_names=["au"],
                          dynamic_axes={"features": {0: "batch"}, "au": {0: "batch"}},
                          opset_version=17, dynamo=False)
        session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
        got = session.run(None, {"features": example.numpy()})[0]
        with torch.no_grad():
            want = net(example).numpy()
        if not np.allclose(got, want, atol=1e-4):
            raise ValueError(f"the ONNX export differs from torch by "
                             f"{np.abs(got - want).max()}: {out} not written")
    return out
