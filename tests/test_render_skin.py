"""The game face in a photographed face's skin tone (`auedit.render.skin`)."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.render.face import FaceRenderer
from auedit.render.skin import cheek_colour
from auedit.rig.model import RigParams, load_rig
from auedit.rig.topology import Part


@pytest.fixture(scope="module")
def renderer() -> FaceRenderer:
    return FaceRenderer(load_rig(), 192, look="textured")


@pytest.mark.parametrize("tone", [(0.45, 0.30, 0.22), (0.95, 0.80, 0.72)])
def test_the_renders_cheeks_take_the_photos_tone(renderer, tone):
    params = RigParams.neutral(1)
    toned = renderer.render_uint8(params, skin_tone=np.array(tone))[0]
    screen = renderer.screen_vertices(params)[0]
    assert cheek_colour(toned, screen) == pytest.approx(tone, abs=0.02)
    plain = renderer.render_uint8(params)[0]
    labels = renderer.render(params).labels[0].numpy()
    eyes = np.isin(labels, [int(Part.LEFT_EYE), int(Part.RIGHT_EYE), int(Part.TEETH)])
    assert np.array_equal(toned[eyes], plain[eyes])  # only the skin takes the tone


def test_cheek_colour_is_the_median_of_the_cheeks():
    image = np.zeros((100, 100, 3), np.uint8)
    image[:, :50] = (200, 150, 120)  # both cheeks' points fall in the left half
    landmarks = np.zeros((478, 2))
    landmarks[:, 0], landmarks[:, 1] = 20.0, 50.0
    assert cheek_colour(image, landmarks) == pytest.approx(np.array([200, 150, 120]) / 255)
    with pytest.raises(ValueError, match="outside the image"):
        cheek_colour(image, landmarks + 1000)
