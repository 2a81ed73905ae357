"""The folds that raised AUs shade onto an edit (`auedit.rig.creases`)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from auedit.rig.creases import CREASES, CreasePainter, rises
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.model import load_rig
from auedit.synth.skin import SkinLook, photo_blur, skin_look

SKIN = (200, 160, 140)
SCALE, CENTRE = 30.0, 300.0  # pixels per cm, and where the rig's origin lands


@pytest.fixture(scope="module")
def painter() -> CreasePainter:
    mesh = load_rig().mesh
    return CreasePainter(mesh.vertices, mesh.skin_triangles)


def _face() -> tuple[np.ndarray, np.ndarray]:
    """A flat skin-coloured image and the mean face's landmarks seen from the front on it."""
    verts = load_rig().mesh.vertices[:468]
    landmarks = np.stack([CENTRE + SCALE * verts[:, 0], CENTRE - SCALE * verts[:, 1]], axis=1)
    return np.full((600, 600, 3), SKIN, np.uint8), landmarks


def _rise(**aus: float) -> np.ndarray:
    out = np.zeros(len(AU_PARAMETER_KEYS))
    for key, value in aus.items():
        out[AU_PARAMETER_KEYS.index(key)] = value
    return out


def _darkening(image: np.ndarray, x: float, y: float) -> float:
    """How much darker than the flat skin the image is around rig point (x, y) cm."""
    px, py = round(CENTRE + SCALE * x), round(CENTRE - SCALE * y)
    patch = image[py - 4:py + 5, px - 4:px + 5].astype(float).mean(axis=(0, 1))
    return float(np.mean(SKIN) - patch.mean())


def test_no_rise_draws_nothing(painter):
    image, landmarks = _face()
    before = image.copy()
    assert not painter.paint(image, (0, 0), landmarks, _rise())
    assert np.array_equal(image, before)


def test_a_brow_lowerer_furrows_the_glabella_alone(painter):
    image, landmarks = _face()
    assert painter.paint(image, (0, 0), landmarks, _rise(AU4L=1.0, AU4R=1.0))
    x, y = CREASES["glabella"].path[1]
    assert _darkening(image, x, y) > 10 and _darkening(image, -x, y) > 10
    # the smile's folds and the nose's root stay as they were
    assert _darkening(image, *CREASES["nasolabial fold"].path[2]) == 0
    assert _darkening(image, *CREASES["nose root"].path[1]) == 0


def test_a_one_sided_smile_folds_its_own_side(painter):
    """Contempt's AU12R: the right side of the face (rig x < 0) folds, the left does not."""
    image, landmarks = _face()
    painter.paint(image, (0, 0), landmarks, _rise(AU12R=0.8))
    x, y = CREASES["nasolabial fold"].path[2]
    assert _darkening(image, -x, y) > 5
    assert _darkening(image, x, y) == 0


def test_a_crease_deepens_with_its_au(painter):
    depths = []
    for rise in (0.3, 0.6, 1.0):
        image, landmarks = _face()
        painter.paint(image, (0, 0), landmarks, _rise(AU9L=rise, AU9R=rise))
        depths.append(_darkening(image, *CREASES["nose root"].path[1]))
    assert 0 < depths[0] < depths[1] < depths[2]


def test_only_a_rise_above_the_photos_own_reading_counts():
    rise = rises({"AU12L": 4.0, "AU12R": 1.0, "AU6L": 2.0},
                 {"AU12L": 1.5, "AU12R": 3.0, "AU6L": 2.0, "AU4L": 3.0})
    expected = {"AU12L": 0.5}
    for key, value in zip(AU_PARAMETER_KEYS, rise, strict=True):
        assert value == pytest.approx(expected.get(key, 0.0))


def test_an_edit_shades_its_folds_onto_the_photo(prepared_astronaut, monkeypatch):
    """The brow lowerer's edit of the demo photo is darker between the brows with its creases
    than the warp alone, and identical everywhere else."""
    synth, prepared = prepared_astronaut
    targets = {"AU4": 5.0}
    shaded = synth.render(prepared, targets)
    monkeypatch.setattr(synth.creases, "paint", lambda *args, **kwargs: False)
    plain = synth.render(prepared, targets)
    lms = prepared.face.landmarks
    x0, x1 = sorted(lms[[55, 285], 0].astype(int))  # the brows' inner ends
    y0, y1 = int(lms[[55, 285], 1].min()) - 10, int(lms[168, 1])
    between = (slice(y0, y1), slice(x0, x1))
    darker = (plain[between].astype(int) - shaded[between]).mean(axis=2)
    assert darker.mean() > 0.5 and darker.max() > 8
    changed = np.abs(shaded.astype(int) - plain).max(axis=2) > 0
    assert changed[between].sum() > 0.5 * changed.sum()


def _look(image: np.ndarray, landmarks: np.ndarray, blur: float = 0.0) -> SkinLook:
    return replace(skin_look(image, landmarks), blur=blur)


def test_folds_stay_off_what_covers_the_skin(painter):
    """A dark fringe over the forehead keeps its colour where the brow raisers' lines cross
    it; beside it the lines are drawn as without a skin model."""
    image, landmarks = _face()
    x = CREASES["forehead, middle"].path[2][0]
    px = round(CENTRE + SCALE * x)
    fringe = (slice(0, 600), slice(px - 25, px + 25))
    image[fringe] = (60, 40, 30)
    look = _look(image, landmarks)
    bare = image.copy()
    painter.paint(bare, (0, 0), landmarks, _rise(AU1=1.0, AU2L=1.0, AU2R=1.0))
    covered = image.copy()
    assert painter.paint(covered, (0, 0), landmarks, _rise(AU1=1.0, AU2L=1.0, AU2R=1.0), look)
    assert np.abs(bare[fringe].astype(int) - image[fringe]).max() > 3
    assert np.abs(covered[fringe].astype(int) - image[fringe]).max() <= 1
    away = (slice(0, 600), slice(0, px - 60))
    assert np.abs(covered[away].astype(int) - bare[away]).max() <= 1
    assert look.membership(image[fringe]).max() == 0.0
    assert look.membership(np.full((2, 2, 3), SKIN, np.uint8)).min() == 1.0


def test_folds_are_as_soft_as_the_photo(painter):
    """On a blurred photo a fold is wider and shallower, and about as dark in all."""
    shading = []
    for blur in (0.0, 4.0):
        image, landmarks = _face()
        painter.paint(image, (0, 0), landmarks, _rise(AU4L=1.0, AU4R=1.0), blur=blur)
        shading.append(np.float64(SKIN).mean() - image.astype(float).mean(axis=2))
    sharp, soft = shading
    assert soft.max() < 0.7 * sharp.max()
    assert (soft > 2).sum() > 1.3 * (sharp > 2).sum()
    assert soft.sum() == pytest.approx(sharp.sum(), rel=0.15)


def test_a_photos_blur_is_measured_round_the_eyes(prepared_astronaut):
    """The demo photo reads sharp (under 1 px beyond a sharp photo); blurred by 3 px it reads
    about 3."""
    _, prepared = prepared_astronaut
    image, lms = prepared.image, prepared.face.landmarks
    assert prepared.skin.blur < 1.0
    assert photo_blur(cv2.GaussianBlur(image, (0, 0), 3.0), lms) == pytest.approx(3.0, abs=0.8)
