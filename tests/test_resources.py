"""The model manifest (`resources/models/manifest.json`): read once, clear errors when damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import auedit.resources as resources
import pytest

from auedit.fit.genet.model_files import ModelFileError

REAL_MANIFEST = resources.MODELS / "manifest.json"


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An empty models folder in place of the shipped one, with the manifest cache cleared
    before and after."""
    monkeypatch.setattr(resources, "MODELS", tmp_path)
    resources.manifest.cache_clear()
    yield tmp_path
    resources.manifest.cache_clear()


def test_copied_manifest_lists_the_face_model(models):
    shutil.copyfile(REAL_MANIFEST, models / "manifest.json")
    assert len(resources.manifest_entry("face_landmarker.task")["sha256"]) == 64


@pytest.mark.parametrize(("content", "problem"), [
    (None, "cannot be read"),
    (REAL_MANIFEST.read_bytes()[:20], "is damaged"),
    (b"[1, 2]", "is damaged"),
    (b"\xff\xfe garbage", "is damaged"),
])
def test_missing_or_damaged_manifest_is_named(models, content, problem):
    if content is not None:
        (models / "manifest.json").write_bytes(content)
    with pytest.raises(ModelFileError, match=problem) as err:
        resources.manifest_entry("face_landmarker.task")
    assert "manifest.json" in str(err.value) and "reinstall AUEdit" in str(err.value)


def test_manifest_without_the_entry(models):
    (models / "manifest.json").write_text('{"models": [{"file": "other.onnx"}]}')
    with pytest.raises(ModelFileError, match=r"no sha256 for face_landmarker\.task"):
        resources.manifest_entry("face_landmarker.task")
