"""The landmarker and tracker on real photos."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.face.landmarker import FaceLandmarker, Mode, box_iou
from auedit.media.sources import MediaError, read_image


@pytest.fixture(scope="module")
def astronaut(demo_photo):
    return read_image(demo_photo)


def test_one_face_on_demo_photo(image_tracker, astronaut):
    image_tracker.reset()
    faces = image_tracker.track(astronaut, 0.0)
    assert len(faces) == 1
    face = faces[0]
    h, w = astronaut.shape[:2]
    assert face.track_id == 0
    assert face.landmarks.shape == (478, 3)
    xy = face.landmarks[:, :2]
    assert np.all(xy[:, 0] >= 0) and np.all(xy[:, 0] <= w)
    assert np.all(xy[:, 1] >= 0) and np.all(xy[:, 1] <= h)
    x0, y0, x1, y1 = face.box
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h
    assert (x1 - x0) > 0.1 * w
    assert face.blendshapes.shape == (len(ARKIT_BLENDSHAPES),)
    assert face.blendshapes.min() >= 0.0 and face.blendshapes.max() <= 1.0
    assert face.transform.shape == (4, 4)
    # a nearly frontal portrait, in front of the camera
    assert abs(face.pose.yaw) < 15 and abs(face.pose.roll) < 15
    assert face.pose.tz > 0
    assert face.interocular > 20


def test_blendshape_order_matches_mediapipe(image_tracker, astronaut):
    result = image_tracker.landmarker._run(astronaut, 0)
    names = [c.category_name for c in result.face_blendshapes[0]]
    assert names[0] == "_neutral"
    assert tuple(names[1:]) == ARKIT_BLENDSHAPES


def test_no_face_in_blank_image(image_tracker):
    image_tracker.reset()
    assert image_tracker.track(np.zeros((240, 320, 3), np.uint8), 0.0) == []
    assert image_tracker.track(np.full((16, 16, 3), 128, np.uint8), 0.0) == []


def test_five_faces_in_group_photo(image_tracker, shared_data):
    rgb = read_image(shared_data / "images" / "multi_face.jpg")
    image_tracker.reset()
    faces = image_tracker.track(rgb, 0.0)
    assert len(faces) == 5
    assert sorted(f.track_id for f in faces) == [0, 1, 2, 3, 4]
    for i, a in enumerate(faces):  # no duplicates from the tiles
        for b in faces[i + 1:]:
            assert box_iou(a.box, b.box) < 0.3


def test_group_photo_respects_max_faces(shared_data):
    rgb = read_image(shared_data / "images" / "multi_face.jpg")
    with FaceLandmarker(Mode.IMAGE, max_faces=2) as lm:
        assert len(lm.detect(rgb)) == 2


def test_no_face_on_landscape(image_tracker, shared_data):
    rgb = read_image(shared_data / "images" / "nonphoto" / "no_face_mountain.jpg")
    image_tracker.reset()
    assert image_tracker.track(rgb, 0.0) == []


def test_closed_landmarker_raises(astronaut):
    lm = FaceLandmarker(Mode.IMAGE, max_faces=1)
    lm.close()
    with pytest.raises(RuntimeError, match="closed"):
        lm.detect(astronaut)


def test_box_iou():
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == pytest.approx(1.0)
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert box_iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
    assert box_iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


@pytest.mark.parametrize("shape", [(1, 1), (2, 6000), (6000, 2), (31, 400)])
def test_images_too_small_for_a_face_show_none(image_tracker, astronaut, shape):
    """Tiles of such images would round to nothing, which stops MediaPipe's graph for good."""
    image_tracker.reset()
    assert image_tracker.track(np.full((*shape, 3), 128, np.uint8), 0.0) == []
    assert len(image_tracker.track(astronaut, 1.0)) == 1  # the graph still works


def test_mediapipe_failure_is_a_media_error_and_the_landmarker_recovers(astronaut):
    lm = FaceLandmarker(Mode.IMAGE, max_faces=1)
    with pytest.raises(MediaError, match="MediaPipe failed on a 8x0 pixel frame"):
        lm._run(np.zeros((0, 8, 3), np.uint8), 0)  # past detect's size check
    gc.collect()  # the failed graph's finaliser must not run its close again (and hang)
    assert len(lm.detect(astronaut)) == 1
    lm.close()
    lm.close()
