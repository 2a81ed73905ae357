"""Frame sources: which inputs name cameras, and camera indices checked before OpenCV."""

from __future__ import annotations

import pytest

from auedit.media import sources
from auedit.media.sources import CameraSource, MediaError, expand_inputs, open_source


@pytest.fixture
def no_opencv_capture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that reaches OpenCV's VideoCapture (which crashes on index -1)."""

    def capture(*args: object) -> None:
        raise AssertionError(f"VideoCapture{args} was called")

    monkeypatch.setattr(sources.cv2, "VideoCapture", capture)


@pytest.mark.parametrize("index", [-1, sources.MAX_CAMERA_INDEX + 1, 10**20])
def test_camera_index_out_of_range_is_refused(no_opencv_capture, index):
    with pytest.raises(MediaError, match=f"no camera {index}: camera indices run from 0 to"):
        CameraSource(index)


def test_huge_camera_index_string_is_refused(no_opencv_capture):
    with pytest.raises(MediaError, match="camera indices run from 0 to"):
        open_source("99999999999999999999")


@pytest.mark.parametrize("name", ["²", "٣", "-1", " 1", "1.0"])
def test_only_ascii_digits_name_cameras(no_opencv_capture, name):
    assert not sources.is_camera_index(name)
    with pytest.raises(MediaError, match="does not exist"):
        expand_inputs([name])
    with pytest.raises(MediaError, match="neither a readable image nor a readable video"):
        open_source(name)


def test_camera_indices():
    assert all(map(sources.is_camera_index, ["0", "7", "255"]))
    assert expand_inputs(["0"]) == ["0"]


def test_a_missing_camera_is_one_clear_error_without_opencv_noise(capfd):
    try:
        source = sources.CameraSource(sources.MAX_CAMERA_INDEX)
    except MediaError as exc:
        assert "cannot be opened" in str(exc)
    else:  # a machine with that many cameras: nothing to check
        source.close()
        pytest.skip(f"camera {sources.MAX_CAMERA_INDEX} exists here")
    err = capfd.readouterr().err
    assert "WARN" not in err and "ERROR" not in err, err
