"""Resources shipped with AUEdit (installed as the package `auedit.resources`).

`models/manifest.json` lists every model file the app uses, with its sha256, origin and card.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MODELS = ROOT / "models"


@cache
def manifest() -> dict[str, dict]:
    """The model manifest: file name -> {sha256, source, card, ...}."""
    with (MODELS / "manifest.json").open(encoding="utf-8") as f:
        return {entry["file"]: entry for entry in json.load(f)["models"]}


def manifest_entry(name: str) -> dict:
    try:
        return manifest()[name]
    except KeyError as exc:
        raise KeyError(f"{name} is not in resources/models/manifest.json") from exc
