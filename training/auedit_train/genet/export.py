"""ONNX export of GE-Net's forward networks, checked against torch with onnxruntime.

The imitator: `params` (N, n_params) -> `image` (N, 3, 128, 128). A segmenter: `image`
(N, 3, H, W) in [0, 1] -> `logits` (N, K, H, W) and its four feature maps `c1`..`c4`, the
inputs of GE-Net's loss. Fitting itself needs gradients and runs in torch; the ONNX files
serve other runtimes (segmenting, imitating) and tools.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch

from auedit.fit.genet.model_files import load_imitator, load_segmenter, read
from auedit_train.common import onnx_output


class _Flat(torch.nn.Module):
    """A segmenter with flat outputs (ONNX takes tensors, not lists)."""

    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
        logits, feats = self.net(image)
        return (logits, *feats)


def export(network: Path, out: Path) -> float:
    """Write `out` from a network file; returns the largest difference from torch."""
    import onnxruntime as ort

    if read(network)["kind"] == "imitator":
        net = load_imitator(network)
        example = torch.rand(2, net.config.n_params)
        names, outputs = ["params"], ["image"]
        module: torch.nn.Module = net.eval()  # as the app runs it (no training-mode warning)
    else:
        module = _Flat(load_segmenter(network)).eval()
        example = torch.rand(2, 3, 128, 128)
        names, outputs = ["image"], ["logits", "c1", "c2", "c3", "c4"]
    dynamic = {n: {0: "batch"} for n in names + outputs}
    with onnx_output(out, [network]) as tmp, warnings.catch_warnings():
        # instance norm keeps no running statistics, so "train=True" is how it always runs,
        # and the tracer's notes on shapes read as numbers hold for this fixed layout: both
        # are checked, as the export is compared with torch below
        warnings.filterwarnings("ignore", message=".*instance_norm.*")
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        torch.onnx.export(module, (example,), str(tmp), input_names=names,
                          output_names=outputs, dynamic_axes=dynamic, opset_version=17,
                          dynamo=False)
        session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
        got = session.run(None, {names[0]: example.numpy()})
        with torch.no_grad():
            want = module(example)
        want = [want] if isinstance(want, torch.Tensor) else list(want)
        err = max(float(np.abs(g - w.numpy()).max()) for g, w in zip(got, want, strict=True))
        if err > 1e-3:
            raise ValueError(f"the ONNX export differs from torch by {err:.2e}: {out} not "
                             "written")
    return err

