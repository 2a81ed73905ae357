"""The game face's detail texture: brows drawn where the brows are, and nowhere else (coloured
at their vertices they smeared over the lids and streaked the nose's bridge)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from auedit.render.face import FaceRenderer
from auedit.rig.model import RigParams, load_rig


@pytest.fixture(scope="module")
def neutral_render():
    """Brightness of the neutral face lit from the camera (albedo, nearly), and a function
    giving it at a point between landmarks."""
    renderer = FaceRenderer(load_rig(), 256, look="textured")
    params = RigParams.neutral(1)
    image = renderer.render(params, light_dir=(0.0, 0.0, -1.0)).color[0].numpy().mean(axis=2)
    xy = renderer.screen_vertices(params)[0, :, :2]

    def at(*landmarks: int) -> float:
        x, y = np.round(xy[list(landmarks)].mean(axis=0)).astype(int)
        return float(image[y, x])

    return at


def test_brows_are_dark_between_their_contours(neutral_render):
    at = neutral_render
    forehead = at(151)
    for upper, lower in ((105, 52), (334, 282), (66, 65), (296, 295)):
        assert at(upper, lower) < 0.5 * forehead, (upper, lower, at(upper, lower), forehead)


def test_the_nose_bridge_is_not_streaked(neutral_render):
    """The sides of the bridge (417, 193) are as light as its middle (168); with brow colour
    at their vertices they read 0.33 of it."""
    at = neutral_render
    assert min(at(417), at(193)) > 0.8 * at(168), (at(417), at(193), at(168))
