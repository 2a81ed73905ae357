"""Installing a trained network where the app loads it: `resources/models/genet_*.pt` (its
weights in float16) with its sha256 in the manifest (the app refuses a file whose digest does
not match)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from auedit.face.model_file import sha256_of
from auedit.fit.genet.model_files import SHIPPED, read
from auedit.media.outputs import check_outputs, replacing, write_text
from auedit_train.genet.loop import check_finite

KIND = {"imitator": "imitator", "light": "segmenter", "resnet50": "segmenter"}


def install(network: Path, name: str, models: Path) -> Path:
    """Copy `network` to `models/SHIPPED[name]` and record its digest in the manifest: both
    files are written beside their targets and renamed at the end, so a failure (a missing or
    unreadable manifest, a full disk) leaves the installed network and its manifest as they
    were."""
    if name not in SHIPPED:
        raise ValueError(f"unknown network {name!r}; known: {', '.join(SHIPPED)}")
    data = read(network, KIND[name])
    check_finite(data, f"{network} (not installed)")
    if name != "imitator" and data["config"]["arch"] != name:
        raise ValueError(f"{network} holds a {data['config']['arch']} segmenter, not {name}")
    target = models / SHIPPED[name]
    manifest_path = models / "manifest.json"
    if not manifest_path.is_file():
        raise ValueError(f"{models} holds no manifest.json: give the folder of the app's "
                         "models (--models)")
    try:
        manifest = json.loads(manifest_path.read_text())
        entries = manifest["models"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{manifest_path} is not a model manifest ({exc})") from exc
    check_outputs([target, manifest_path], [network])
    # weights stored as float16 (half the size; the loader copies them into float32)
    data["state"] = {k: v.half() if v.is_floating_point() else v
                     for k, v in data["state"].items()}
    with replacing(target) as new_network:
        torch.save(data, new_network)
        entry = {"file": target.name, "sha256": sha256_of(new_network),
                 "shipped_by": "this repository",
                 "source": "trained by AUEdit: auedit-train genet (see the card)",
                 "card": "cards/genet.md"}
        for i, e in enumerate(entries):
            if e["file"] == target.name:
                entries[i] = entry  # in place: a reinstall changes one entry's digest only
                break
        else:
            entries.append(entry)
        write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")
    return target
