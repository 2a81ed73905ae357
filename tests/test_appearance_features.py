"""The rig fit's appearance features: the face aligned to the base face, its inner face only,
summarised by HOG; insensitive to light and to what lies around the face."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.fit.appearance_features import (
    _inner_face,
    appearance_features,
    appearance_size,
    face_crop,
    hog_features,
)
from auedit.fit.base_face import alignment, transform_points
from auedit.rig.alignment import five_points

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def render():
    from auedit.render.face import FaceRenderer
    from auedit.rig.model import RigParams, load_rig

    rig = load_rig()
    params = RigParams.neutral(2)
    params.pose[1] = [0.6, 0.4, 0.55]  # turned, tilted and rolled
    params.au[1, :] = 0.0
    renderer = FaceRenderer(rig, 384, background=(0.35, 0.42, 0.5))
    images = renderer.render_uint8(params)
    landmarks = renderer.screen_vertices(params)
    return rig, images, landmarks


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_the_crop_is_aligned_to_the_base_face(render):
    rig, images, landmarks = render
    for lms in landmarks:
        m = alignment(lms[:, :2], 160)
        pts = five_points(transform_points(lms[:, :2], m)[None], rig.mesh.mirror)[0] - 16
        # eyes, nose tip and mouth corners land at the same crop pixels whatever the pose
        assert np.allclose(pts, five_points(transform_points(landmarks[0][:, :2], alignment(
            landmarks[0][:, :2], 160))[None], rig.mesh.mirror)[0] - 16, atol=6.0)
    crop = face_crop(images[0], landmarks[0])
    assert crop.shape == (128, 128) and crop.dtype == np.uint8
    assert appearance_features(images[0], landmarks[0]).shape == (appearance_size(),)


def test_light_and_surroundings_do_not_count_but_the_face_does(render):
    _, images, landmarks = render
    crop = face_crop(images[0], landmarks[0])
    base = hog_features(crop)
    darker = np.clip(crop * 0.6 + 20, 0, 255).astype(np.uint8)
    assert _cosine(base, hog_features(darker)) > 0.98
    rng = np.random.default_rng(0)
    outside = _inner_face() < 0.01
    cluttered = crop.copy()
    cluttered[outside] = rng.integers(0, 256, outside.sum())  # hair, background
    mouth = crop.copy()
    mouth[95:115, 44:84] = 255 - mouth[95:115, 44:84]  # the face itself changes
    change_out = np.abs(hog_features(cluttered) - base).sum()
    change_in = np.abs(hog_features(mouth) - base).sum()
    assert change_out < 0.25 * change_in
