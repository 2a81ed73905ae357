"""The independent check that the rig is anatomically right: on renders of the game face,
raising an AU moves MediaPipe's matching ARKit blendshape (MediaPipe never saw our rig)."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.core.aus import ARKIT_BLENDSHAPES
from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.render.face import LOOKS, FaceRenderer
from auedit.rig.expressions import AU_PARAMETERS
from auedit.rig.model import RigParams, load_rig

#: rig parameters whose blendshape must rise by at least 0.1 at full intensity
EXPECTED = {"AU1", "AU2L", "AU2R", "AU7L", "AU7R", "AU10L", "AU10R", "AU12L", "AU12R", "AU18",
            "AU20L", "AU20R", "AU22", "AU26", "AU45L", "AU45R"}


@pytest.fixture(scope="module", params=LOOKS)
def deltas(request) -> dict[str, np.ndarray]:
    """Blendshape change from the neutral render for each rig parameter at 1, in each of the
    renderer's looks."""
    rig = load_rig()
    renderer = FaceRenderer(rig, 512, background=(0.35, 0.42, 0.5), look=request.param)
    params = RigParams.neutral(len(AU_PARAMETERS) + 1)
    for i in range(len(AU_PARAMETERS)):
        params.au[i + 1, i] = 1.0
    images = renderer.render_uint8(params)
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        faces = [landmarker.detect(img) for img in images]
    assert all(len(f) == 1 for f in faces), "MediaPipe must find the rendered face"
    neutral = faces[0][0].blendshapes
    return {p.key: f[0].blendshapes - neutral
            for p, f in zip(AU_PARAMETERS, faces[1:], strict=True)}


@pytest.fixture(scope="module")
def responses(deltas) -> dict[str, float]:
    """Rise of each parameter's own ARKit blendshape(s)."""
    out = {}
    for p in AU_PARAMETERS:
        names = [n for n in p.arkit if n in ARKIT_BLENDSHAPES]
        if names:
            out[p.key] = max(float(deltas[p.key][ARKIT_BLENDSHAPES.index(n)]) for n in names)
    return out


def test_at_least_fifteen_au_parameters_move_their_blendshape(responses):
    moved = {k for k, v in responses.items() if v >= 0.1}
    assert len(moved) >= 15, sorted(responses.items(), key=lambda kv: -kv[1])
    assert moved >= EXPECTED, EXPECTED - moved


@pytest.mark.parametrize("au, left, right", [("AU12", "mouthSmileLeft", "mouthSmileRight"),
                                             ("AU45", "eyeBlinkLeft", "eyeBlinkRight"),
                                             ("AU2", "browOuterUpLeft", "browOuterUpRight"),
                                             ("AU20", "mouthStretchLeft", "mouthStretchRight")])
def test_sides_are_not_swapped(deltas, au, left, right):
    """A left-side parameter moves the subject's-left blendshape more than the right one."""
    i, j = ARKIT_BLENDSHAPES.index(left), ARKIT_BLENDSHAPES.index(right)
    assert deltas[au + "L"][i] > deltas[au + "L"][j]
    assert deltas[au + "R"][j] > deltas[au + "R"][i]


def test_renders_have_every_part(tmp_path):
    rig = load_rig()
    out = FaceRenderer(rig, 128).render(RigParams.neutral(1), align=True)
    labels = np.unique(out.labels.numpy())
    assert {0, 1, 2, 3, 4, 5, 6, 7, 8} <= set(labels.tolist())
    assert out.color.shape == (1, 128, 128, 3)
