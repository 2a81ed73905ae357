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
    """The model manifest: file name -> {sha256, source, card, ...}; ModelFileError, naming
    the manifest, where it is missing or damaged."""
    from auedit.fit.genet.model_files import ModelFileError

    path = MODELS / "manifest.json"
    try:
        with path.open(encoding="utf-8") as f:
            return {entry["file"]: entry for entry in json.load(f)["models"]}
    except OSError as exc:
        problem, cause = f"cannot be read ({exc.strerror or exc})", exc
    except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
        problem, cause = f"is damaged ({exc})", exc
    except (KeyError, TypeError) as exc:
        problem, cause = "is damaged (it does not list models by file name)", exc
    raise ModelFileError(f"AUEdit's model manifest {path} {problem}: it lists the model files "
                         "and their checksums; reinstall AUEdit") from cause


def matches_manifest(path: Path, name: str) -> bool:
    """Whether the file at `path` has the sha256 the manifest lists for `name` (OSError where it
    cannot be read; ModelFileError where the manifest has no such entry)."""
    from auedit.face.model_file import sha256_of

    return sha256_of(path) == manifest_entry(name)["sha256"]


def manifest_entry(name: str) -> dict:
    """The manifest's entry of the model file `name`, with its sha256; ModelFileError where
    the manifest has no such entry."""
    from auedit.fit.genet.model_files import ModelFileError

    entry = manifest().get(name)
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        raise ModelFileError(f"AUEdit's model manifest {MODELS / 'manifest.json'} has no "
                             f"sha256 for {name}; reinstall AUEdit")
    return entry
