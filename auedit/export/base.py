"""The exporter protocol and the registry of formats `auedit export` writes.

An exporter has a `name` (the `--format` value), a file `suffix` and
`write(track, path)`, which writes one `ExpressionTrack` to one file. `EXPORTERS` maps each
name to its class; `create_exporter(name, **options)` builds one, passing only the options the
exporter takes (`fps` for Live Link Face, `mesh_provider` for glTF). `check_suffix` refuses an
output file named for another format (loaders pick their parser by the file's suffix).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from auedit.export.errors import ExportError
from auedit.export.gltf import GltfExporter
from auedit.export.json_track import JsonExporter
from auedit.export.livelink import LiveLinkExporter
from auedit.export.openface import OpenFaceExporter
from auedit.export.track import ExpressionTrack

__all__ = ["EXPORTERS", "ExportError", "Exporter", "check_suffix", "create_exporter"]


@runtime_checkable
class Exporter(Protocol):
    """Writes one `ExpressionTrack` to one file."""

    name: str
    suffix: str

    def write(self, track: ExpressionTrack, path: str | os.PathLike[str]) -> None: ...


#: Format name -> exporter class: openface, livelink, json, gltf.
EXPORTERS: dict[str, Callable[..., Exporter]] = {
    e.name: e for e in (OpenFaceExporter, LiveLinkExporter, JsonExporter, GltfExporter)
}


def create_exporter(name: str, **options: object) -> Exporter:
    """The exporter for `name`, given the options its constructor accepts (others ignored)."""
    if name not in EXPORTERS:
        raise ExportError(f"unknown export format {name!r} (available: {', '.join(EXPORTERS)})")
    factory = EXPORTERS[name]
    params = inspect.signature(factory).parameters
    return factory(**{k: v for k, v in options.items() if k in params})


def check_suffix(exporter: Exporter, path: str | os.PathLike[str]) -> None:
    """ExportError unless `path` ends in the exporter's suffix (any case): `x.gltf` for the
    binary glTF exporter would be read as JSON glTF, so it is refused, naming `x.glb`."""
    p = Path(path)
    if p.suffix.lower() != exporter.suffix:
        got = f", not {p.suffix}" if p.suffix else ""
        raise ExportError(f"{p}: {exporter.name} files end in {exporter.suffix}{got} (use "
                          f"{p.with_suffix(exporter.suffix)})")
