"""Installing a trained network where the app loads it: `resources/models/genet_*.pt` with
its sha256 in the manifest (the app refuses a file whose digest does not match)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from auedit.face.model_file import sha256_of
from auedit.fit.genet.model_files import SHIPPED, read

KIND = {"imitator": "imitator", "light": "segmenter", "resnet50": "segmenter"}


def install(network: Path, name: str, models: Path) -> Path:
    """Copy `network` to `models/SHIPPED[name]` and record its digest in the manifest."""
    if name not in SHIPPED:
        raise ValueError(f"unknown network {name!r}; known: {', '.join(SHIPPED)}")
    data = read(network, KIND[name])
    if name != "imitator" and data["config"]["arch"] != name:
        raise ValueError(f"{network} holds a {data['config']['arch']} segmenter, not {name}")
    target = models / SHIPPED[name]
    shutil.copyfile(network, target)
    manifest_path = models / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    entry = {"file": target.name, "sha256": sha256_of(target), "shipped_by": "this repository",
             "source": "trained by AUEdit: auedit-train genet (see the card)",
             "card": "cards/genet.md"}
    entries = [e for e in manifest["models"] if e["file"] != target.name]
    manifest["models"] = [*entries, entry]
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return target
