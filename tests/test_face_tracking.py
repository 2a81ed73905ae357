"""Stable track ids: the assigner on synthetic boxes, the tracker on real video."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.face.tracking import TrackIdAssigner, appearance_distance, appearance_signature
from auedit.media.sources import VideoSource, read_image


def _canvas() -> np.ndarray:
    """A 400x600 frame with a red 'face' on the left and a blue one on the right."""
    rgb = np.full((400, 600, 3), 90, np.uint8)
    rgb[100:300, 50:200] = (220, 60, 50)
    rgb[100:300, 400:550] = (40, 70, 220)
    return rgb


A, B = (50.0, 100.0, 200.0, 300.0), (400.0, 100.0, 550.0, 300.0)


def _painted(*patches: tuple[tuple[slice, slice], tuple[int, int, int]]) -> np.ndarray:
    """A grey 400x600 frame with coloured rectangles (rows, cols) -> colour."""
    rgb = np.full((400, 600, 3), 90, np.uint8)
    for (rows, cols), colour in patches:
        rgb[rows, cols] = colour
    return rgb


def _shift(box, dx):
    return (box[0] + dx, box[1], box[2] + dx, box[3])


def test_appearance_signature_distances():
    rgb = _canvas()
    sa, sb = appearance_signature(rgb, A), appearance_signature(rgb, B)
    assert sa.shape == (18, 8) and sa.sum() == pytest.approx(1.0, abs=1e-5)
    assert appearance_distance(sa, sa) == pytest.approx(0.0, abs=1e-6)
    assert appearance_distance(sa, sb) > 0.8
    empty = appearance_signature(rgb, (700.0, 500.0, 800.0, 600.0))  # outside the frame
    assert empty.sum() == pytest.approx(1.0, abs=1e-5)


def test_ids_stable_while_boxes_move_and_reorder():
    ids = TrackIdAssigner(min_hits=1)
    rgb = _canvas()
    assert ids.assign([A, B], rgb, 0.0) == [0, 1]
    for k in range(1, 20):
        boxes = [_shift(A, k), _shift(B, -k)]
        order = [1, 0] if k % 2 else [0, 1]
        got = ids.assign([boxes[i] for i in order], rgb, k / 30)
        assert got == order


def test_new_face_gets_new_id():
    ids = TrackIdAssigner(min_hits=1)
    rgb = _canvas()
    assert ids.assign([A], rgb, 0.0) == [0]
    assert ids.assign([A, B], rgb, 0.033) == [0, 1]
    assert ids.assign([], rgb, 0.066) == []


def test_face_that_returns_keeps_its_id():
    ids = TrackIdAssigner(min_hits=1)
    rgb = _canvas()
    ids.assign([A, B], rgb, 0.0)
    # both leave for 5 s; the red one comes back elsewhere, with the blue one still away
    moved = np.full_like(rgb, 90)
    moved[150:350, 250:400] = (220, 60, 50)
    assert ids.assign([(250.0, 150.0, 400.0, 350.0)], moved, 5.0) == [0]
    # then the blue one too
    assert ids.assign([(250.0, 150.0, 400.0, 350.0), B], moved, 5.033)[0] == 0


def test_different_face_after_gap_gets_new_id():
    ids = TrackIdAssigner(min_hits=1)
    rgb = _canvas()
    ids.assign([A], rgb, 0.0)
    green = _painted(((slice(100, 300), slice(50, 200)), (40, 200, 60)))
    assert ids.assign([A], green, 3.0) == [1]


def test_forgotten_after_memory():
    ids = TrackIdAssigner(memory_s=2.0, min_hits=1)
    rgb = _canvas()
    ids.assign([A], rgb, 0.0)
    assert ids.assign([A], rgb, 10.0) == [1]


def test_two_new_faces_do_not_share_a_lost_id():
    ids = TrackIdAssigner(min_hits=1)
    rgb = _canvas()
    ids.assign([A], rgb, 0.0)
    red = (220, 60, 50)
    same = _painted(((slice(100, 300), slice(50, 200)), red),
                    ((slice(100, 300), slice(400, 550)), red))
    got = ids.assign([A, B], same, 3.0)
    assert sorted(got) == [0, 1]


def test_new_face_in_video_needs_two_frames():
    """A face that appears mid-stream for one frame only (MediaPipe's stray detections in
    clouds) never gets an id; one that stays gets its id on its second frame."""
    ids = TrackIdAssigner(min_hits=2)
    rgb = _canvas()
    assert ids.assign([A], rgb, 0.0) == [0]  # the stream's first frame: taken at once
    assert ids.assign([A, B], rgb, 0.1) == [0, -1]  # B is tentative
    assert ids.assign([A], rgb, 0.2) == [0]  # B was a one-frame stray: dropped
    assert ids.assign([A, B], rgb, 0.3) == [0, -1]
    assert ids.assign([A, B], rgb, 0.4) == [0, 1]  # confirmed, and numbered without a gap


def test_reset_restarts_ids():
    ids = TrackIdAssigner(min_hits=1)
    rgb = _canvas()
    ids.assign([A, B], rgb, 0.0)
    ids.reset()
    assert ids.assign([B], rgb, 0.0) == [0]


# ---- real video ---------------------------------------------------------------------------

def _track_video(tracker, paths, t0=0.0):
    """[(path name, frame index, [(track id, interocular)])] over videos played back to back."""
    out, t = [], t0
    for path in paths:
        src = VideoSource(path)
        try:
            for frame in src:
                faces = tracker.track(frame.rgb, t)
                out.append((path.name, frame.index, [(f.track_id, f.interocular) for f in faces]))
                t += 1.0 / src.fps
        finally:
            src.close()
    return out


def test_single_face_video_one_id(video_tracker, shared_data):
    video_tracker.reset()
    seq = _track_video(video_tracker, [shared_data / "video" / "single_face.mp4"])
    assert len(seq) >= 60
    for name, index, faces in seq:
        assert [tid for tid, _ in faces] == [0], f"{name} frame {index}: {faces}"


def test_no_face_video(video_tracker, shared_data):
    video_tracker.reset()
    seq = _track_video(video_tracker, [shared_data / "video" / "no_face.mp4"])
    assert seq and all(not faces for _, _, faces in seq)


@pytest.fixture(scope="module")
def leave_and_return(video_tracker, shared_data):
    """The same person: on camera, gone (sky) for seconds, then back (two clips back to back)."""
    video_tracker.reset()
    video = shared_data / "video"
    return _track_video(video_tracker, [video / "face_noface.mov",
                                              video / "noface_face.mov"], t0=100.0)


def test_face_that_leaves_and_returns_keeps_id(leave_and_return):
    person = [(n, i, f) for n, i, faces in leave_and_return for f in faces if f[1] > 100]
    clips = {n for n, _, _ in person}
    assert clips == {"face_noface.mov", "noface_face.mov"}  # seen before and after the gap
    assert len(person) > 130
    assert {f[0] for _, _, f in person} == {0}


def test_face_noface_clip_face_then_gone(leave_and_return):
    first = [faces for n, _, faces in leave_and_return if n == "face_noface.mov"]
    assert all(len(f) == 1 and f[0][0] == 0 for f in first[:70])
    assert not any(first[75:])  # gone


def test_no_faces_while_person_is_away(leave_and_return):
    away = [(n, i, faces) for n, i, faces in leave_and_return
            if (n == "face_noface.mov" and i >= 75) or (n == "noface_face.mov" and i < 96)]
    assert away
    stray = [(n, i, faces) for n, i, faces in away if faces]
    assert not stray, stray


@pytest.mark.shared_data
def test_a_photos_faces_are_numbered_from_the_left(image_tracker, shared_data):
    """analyze, export and fit number faces as `auedit edit --face` does: left to right."""
    image_tracker.reset()
    faces = image_tracker.track(read_image(shared_data / "images" / "multi_face.jpg"), 0.0)
    assert len(faces) == 5
    assert [f.track_id for f in sorted(faces, key=lambda f: f.box[0])] == [0, 1, 2, 3, 4]


@pytest.mark.shared_data
def test_reset_keeps_mediapipes_graph_and_sees_the_next_input_afresh(video_tracker, shared_data):
    """A new input keeps the landmarker (rebuilding it leaked native memory on every open),
    starts from time 0 again, and finds what is there: no face carried over from before."""
    video = shared_data / "video"
    video_tracker.reset()
    graph = video_tracker.landmarker
    first = _track_video(video_tracker, [video / "single_face.mp4"])[:10]
    assert [len(faces) for *_, faces in first] == [1] * 10
    video_tracker.reset()
    after = _track_video(video_tracker, [video / "no_face.mp4"])[:10]
    assert video_tracker.landmarker is graph
    assert all(not faces for *_, faces in after)
    video_tracker.reset()
    again = _track_video(video_tracker, [video / "single_face.mp4"])[:10]
    assert [len(faces) for *_, faces in again] == [1] * 10
    assert {faces[0][0] for *_, faces in again} == {0}  # ids start over after a reset
