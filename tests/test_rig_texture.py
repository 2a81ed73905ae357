"""The game face's detail texture: brows drawn where the brows are, and nowhere else (coloured
at their vertices they smeared over the lids and streaked the nose's bridge)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from auedit.render.face import FaceRenderer
from auedit.rig.model import RigParams, load_rig
from auedit.rig.topology import Part


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


def test_the_textured_looks_eye_whites_are_shaded_softly():
    """Lit like the skin, the eyeball's white darkened towards its sides and read as metal;
    the textured look turns its normals towards the camera, the flat look keeps them."""
    rig = load_rig()
    params = RigParams.neutral(1)
    whites = {}
    for look in ("flat", "textured"):
        out = FaceRenderer(rig, 256, look=look).render(params)
        colour, labels = out.color[0].numpy(), out.labels[0].numpy()
        eye = np.isin(labels, (int(Part.LEFT_EYE), int(Part.RIGHT_EYE)))
        white = eye & (np.ptp(colour, axis=2) < 0.08) & (colour.mean(axis=2) > 0.3)
        whites[look] = colour.mean(axis=2)[white]
    assert len(whites["textured"]) > 20
    assert np.percentile(whites["textured"], 10) > np.percentile(whites["flat"], 10) + 0.05


def test_the_textured_looks_iris_has_a_sharp_edge():
    """The iris painted in the texture's eye disc ends sharply on the white; coloured at the
    eyeball's coarse vertices (the flat look) it fades out over several pixels."""
    rig = load_rig()
    params = RigParams.neutral(1)
    eye = rig.mesh.eyeballs[0]
    between = {}
    for look in ("flat", "textured"):
        renderer = FaceRenderer(rig, 256, look=look)
        out = renderer.render(params)
        luma, labels = out.color[0].numpy().mean(axis=2), out.labels[0].numpy()
        verts = renderer.screen_vertices(params)[0]
        x, y = np.round(verts[eye[np.argmin(verts[eye, 2])], :2]).astype(int)  # its front
        row = luma[y, x - 16:x + 17][labels[y, x - 16:x + 17] == int(Part.LEFT_EYE)]
        level = (row - row.min()) / (row.max() - row.min())
        between[look] = int(((level > 0.3) & (level < 0.7)).sum())
    assert between["textured"] <= 2 < between["flat"], between


def test_the_eyeballs_whites_sample_only_white_in_the_eye_disc():
    """Every eyeball vertex has texture coordinates (the glTF export wrote the missing ones as
    (0, 0), and triangles between those and the front sampled across the iris), and no
    triangle of the visible half of an eyeball outside its iris reaches the iris in the disc."""
    from auedit.rig.texture import EYE_DISC, EYE_DISC_ANGLE, texture_uvs
    from auedit.rig.topology import IRIS_ANGLE

    mesh = load_rig().mesh
    uvs = texture_uvs(mesh)
    weights = np.array([(a, b, 1.0 - a - b) for a in np.linspace(0, 1, 6)
                        for b in np.linspace(0, 1, 6) if a + b <= 1.0])
    for ids, centre in zip(mesh.eyeballs, mesh.eye_centres, strict=True):
        tris = mesh.triangles[np.isin(mesh.triangles, ids).all(axis=1)]
        assert not np.isnan(uvs[np.unique(tris)]).any()
        d = mesh.vertices - centre
        angle = np.arccos(np.clip(d[:, 2] / np.linalg.norm(d, axis=1), -1.0, 1.0))
        side = tris[(angle[tris] > IRIS_ANGLE + 0.05).all(axis=1)
                    & (angle[tris] < np.pi / 2).all(axis=1)]
        assert len(side) > 0
        points = np.einsum("pk,tkc->tpc", weights, uvs[side])
        reach = np.linalg.norm(points - np.array(EYE_DISC[:2]), axis=-1) / EYE_DISC[2]
        assert reach.min() > IRIS_ANGLE / EYE_DISC_ANGLE


def test_the_textured_look_shades_the_folds_of_its_aus(monkeypatch):
    """A frown (AU4) and a nose wrinkle (AU9) fold the skin between the brows and across the
    nose's root, as a game's wrinkle maps draw them; at rest nothing is drawn."""
    from auedit.rig.creases import CreasePainter

    rig = load_rig()
    params = RigParams.neutral(2)
    for key in ("AU4L", "AU4R", "AU9L", "AU9R"):
        params.au[1, rig.au_index(key)] = 1.0
    renderer = FaceRenderer(rig, 256, look="textured")
    with_folds = renderer.render(params).color.numpy()
    monkeypatch.setattr(CreasePainter, "paint", lambda *args, **kwargs: False)
    without = renderer.render(params).color.numpy()
    assert np.array_equal(with_folds[0], without[0])  # the neutral face has none
    xy = renderer.screen_vertices(params)[1, :, :2]
    # the box between the inner brow ends (107, 336) and the nose's root (168)
    (x0, y0), (x1, y1) = xy[[107, 336, 168]].min(axis=0), xy[[107, 336, 168]].max(axis=0)
    box = (slice(int(y0) - 4, int(y1) + 4), slice(int(x0), int(x1) + 1))
    darker = without[1][box].mean(axis=2) - with_folds[1][box].mean(axis=2)
    # 0.056 and 0.005 when written
    assert darker.max() > 0.03 and darker.mean() > 0.0025, (darker.max(), darker.mean())
