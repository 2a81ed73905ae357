"""GE-Net's trained networks on disk: one torch file per network, checked by sha256.

A file holds {"kind": "imitator" | "segmenter", "config": {...}, "state": state_dict,
"record": {...}} (written by `auedit-train genet`); it is read with `weights_only=True`, so a
file can carry tensors and plain values but no code. The shipped files live in
`resources/models` with manifest entries and model cards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auedit.core.messages import exception_summary

SHIPPED = {
    "imitator": "genet_imitator.pt",
    "light": "genet_segmenter_light.pt",
    "resnet50": "genet_segmenter_resnet50.pt",
}


class ModelFileError(RuntimeError):
    """A GE-Net network file is missing, damaged or of the wrong kind."""


def shipped_path(name: str) -> Path:
    """The shipped file of `name` (a key of `SHIPPED`), checked against the manifest."""
    from auedit.resources import MODELS, matches_manifest

    if name not in SHIPPED:
        raise ModelFileError(f"unknown GE-Net network {name!r}; known: {', '.join(SHIPPED)}")
    path = MODELS / SHIPPED[name]
    if not path.is_file():
        raise ModelFileError(f"{path} is missing; reinstall AUEdit or train it with "
                             "auedit-train genet (training/README.md)")
    if not matches_manifest(path, SHIPPED[name]):
        raise ModelFileError(f"{path} does not match its sha256 in the manifest; reinstall "
                             "AUEdit or retrain it")
    return path


KINDS = ("imitator", "segmenter")


def read(path: Path, kind: str | None = None) -> dict[str, Any]:
    """The contents of a network file (of `kind`, or of any kind), with a clear error for
    anything else."""
    import torch

    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds (KeyError, UnpicklingError...) for junk
        raise ModelFileError(f"{path} is not a readable GE-Net network file "
                             f"({exception_summary(exc)})") from exc
    if not isinstance(data, dict) or data.get("kind") not in ((kind,) if kind else KINDS):
        raise ModelFileError(f"{path} does not hold a GE-Net {kind or 'network'}")
    return data


def load_imitator(path: Path):
    """The imitator in a file, in eval mode with frozen weights."""
    from auedit.fit.genet.networks import Imitator, ImitatorConfig

    data = read(path, "imitator")
    net = Imitator(ImitatorConfig(**data["config"]))
    return _ready(net, data, path)


def load_segmenter(path: Path):
    """A segmenter in a file, in eval mode with frozen weights."""
    from auedit.fit.genet.networks import SegmenterConfig, build_segmenter

    data = read(path, "segmenter")
    net = build_segmenter(SegmenterConfig(**data["config"]))
    return _ready(net, data, path)


def load_state(net, data: dict[str, Any], path: Path) -> None:
    """Put the weights of a file's contents `data` into `net`, with a clear error where they
    do not fit it."""
    try:
        net.load_state_dict(data["state"])
    except (KeyError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: the weights do not fit the network (trained for "
                             "another layout)") from exc


def _ready(net, data: dict[str, Any], path: Path):
    load_state(net, data, path)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net
