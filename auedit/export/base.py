"""The exporter protocol and the registry of formats `auedit export` writes.

An exporter has a `name` (the `--format` value), a file `suffix` and
`write(track, path)`, which writes one `ExpressionTrack` to one file. `EXPORTERS` maps each
name to its class; `create_exporter(name, **options)` builds one, passing only the options the
exporter takes (`fps` for Live Link Face, `mesh_provider` for glTF).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from auedit.export.errors import ExportError
from auedit.export.gltf import GltfExporter
from auedit.export.json_track import JsonExporter
from auedit.export.livelink import LiveLinkExporter
from auedit.export.openface import OpenFaceExporter
from auedit.export.track import ExpressionTrack

__all__ = ["EXPORTERS", "ExportError", "Exporter", "create_exporter"]


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
