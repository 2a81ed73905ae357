"""ONNX export of the AU regressor, checked against torch on random features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from auedit_train.rigreg.train import load_trained


def export_onnx(checkpoint: Path, out: Path) -> Path:
    """Write `out` (.onnx) from `best.pt`; input `features` (N, F), output `au` (N, 40)."""
    import onnxruntime as ort

    net = load_trained(checkpoint)
    n_in = net.mean.shape[0]
    example = torch.randn(4, n_in)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(net, (example,), str(out), input_names=["features"], output_names=["au"],
                      dynamic_axes={"features": {0: "batch"}, "au": {0: "batch"}},
                      opset_version=17, dynamo=False)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {"features": example.numpy()})[0]
    with torch.no_grad():
        want = net(example).numpy()
    if not np.allclose(got, want, atol=1e-4):
        raise RuntimeError(f"the ONNX export differs from torch by {np.abs(got - want).max()}")
    return out
