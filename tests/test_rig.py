"""The game face rig: topology, expression and identity fields, the jaw, and landmark fitting
on exactly known faces."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.fit.landmark_fit import LandmarkFitter
from auedit.rig import regions as rg
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.rig.identity import IDENTITY_KEYS
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig, pose_angles_deg
from auedit.rig.topology import N_LANDMARKS, Part


@pytest.fixture(scope="module")
def rig():
    return load_rig()


def _with(rig, **aus: float) -> np.ndarray:
    p = RigParams.neutral(1)
    for k, v in aus.items():
        p.au[0, rig.au_index(k)] = v
    return rig.shape(p)[0]


def _filled(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """uint8 mask of the polygon `points` ((K, 2) screen pixels) on an image of `shape`."""
    import cv2

    inside = np.zeros(shape, np.uint8)
    cv2.fillPoly(inside, [np.round(points - 0.5).astype(np.int32)], 1)
    return inside


def test_parameter_counts_and_names(rig):
    assert len(AU_PARAMETERS) >= 29 and len(IDENTITY_KEYS) >= 40
    for key in ("AU45L", "AU45R", "AU5L", "AU6L", "AU1", "AU2L", "AU2R", "AU4L", "AU27", "AU9L",
                "AU10L", "AU16L", "AU12L", "AU14L", "AU14R", "AU18", "AU20L", "AU28U", "AU28D",
                "AU34", "AU15L", "AU30L", "AU30R", "AU26", "AU25", "AU7L", "AU17", "AU23",
                "AU24"):
        assert key in AU_PARAMETER_KEYS, key
    assert {p.arkit for p in AU_PARAMETERS if p.key == "AU12L"} == {("mouthSmileLeft",)}
    assert rig.mesh.vertices.shape[0] > N_LANDMARKS  # eyeballs and mouth interior added
    parts = set(rig.mesh.triangle_parts.tolist())
    assert {int(p) for p in Part if p is not Part.BACKGROUND} <= parts


def test_neutral_face_is_symmetric_with_closed_lips(rig):
    v = rig.shape(RigParams.neutral(1))[0, :N_LANDMARKS]
    m = rig.mesh.mirror
    np.testing.assert_allclose(v[m] * [-1, 1, 1], v, atol=1e-6)
    assert -0.1 < v[13, 1] - v[14, 1] <= 0.0  # inner lips meet, the upper a little past


@pytest.mark.parametrize("look", ["flat", "textured"])
def test_closed_lips_show_no_slit_of_teeth(rig, look):
    """Lips that only met left a dashed line of teeth between them (24 px at 512 px)."""
    from auedit.render.face import FaceRenderer

    labels = FaceRenderer(rig, 512, look=look).render(RigParams.neutral(1)).labels[0].numpy()
    assert not np.isin(labels, [int(Part.TEETH), int(Part.MOUTH)]).any()


def test_left_and_right_fields_mirror_each_other(rig):
    left, right = _with(rig, AU12L=1.0), _with(rig, AU12R=1.0)
    m = np.concatenate([rig.mesh.mirror, np.arange(N_LANDMARKS, rig.n_vertices)])
    np.testing.assert_allclose((right[m] * [-1, 1, 1])[:N_LANDMARKS], left[:N_LANDMARKS],
                               atol=1e-6)
    neutral = _with(rig)
    moved = np.linalg.norm(left - neutral, axis=1)
    assert moved[291] > 0.8 and moved[61] < 0.05  # the subject's left corner only


def test_smile_raises_the_corner(rig):
    d = _with(rig, AU12L=1.0) - _with(rig)
    assert d[291, 1] > 0.5 and d[291, 0] > 0.4  # up and outwards (rig y is up)


def test_lips_part_most_in_the_middle(rig):
    """AU25 parts the lips in a curve: the lower lip drops most in the middle and less
    towards the corners (the opening was a straight-edged slot)."""
    v = _with(rig, AU25=1.0)
    gap = v[list(rg.LIPS_UPPER_INNER[1:-1]), 1] - v[list(rg.LIPS_LOWER_INNER), 1]
    middle, beside_corners = gap[len(gap) // 2], gap[[0, -1]].mean()
    assert middle > 0.6 and beside_corners < 0.7 * middle, gap


def test_a_parted_smile_shows_teeth_to_near_its_corners(rig):
    """The teeth's arches span more than the closed mouth and bend back: a smile pulls the
    corners apart, and arches as wide as the closed mouth left black corners beside the last
    teeth (teeth in 68% of the opening's columns at 384 px, 85% since, 82% since they bend
    back 2 cm at their ends instead of 1)."""

    from auedit.render.face import FaceRenderer

    renderer = FaceRenderer(rig, 384)
    p = RigParams.neutral(1)
    for key, value in (("AU12L", 1.0), ("AU12R", 1.0), ("AU25", 1.0), ("AU6L", 0.5),
                       ("AU6R", 0.5)):
        p.au[0, rig.au_index(key)] = value
    labels = renderer.render(p).labels.numpy()[0]
    inside = _filled(renderer.screen_vertices(p)[0, list(rg.MOUTH_OPENING), :2], labels.shape)
    columns = np.flatnonzero(inside.any(axis=0))
    teeth = ((labels == Part.TEETH) & (inside > 0)).any(axis=0)[columns]
    assert teeth.mean() > 0.8, f"teeth in {teeth.mean():.0%} of the opening's columns"


def test_a_cheek_puff_widens_the_face_beside_the_mouth(rig):
    """AU34 pushes the face's outline out beside the mouth (the field once left the outline
    where it was, and a photo's puff barely showed) and keeps the lips closed at their width
    (the cheeks' push once stretched the mouth sideways)."""
    d = _with(rig, AU34=1.0) - _with(rig)
    assert d[361, 0] > 0.8 and d[132, 0] < -0.8, (d[361], d[132])  # both sides, outwards
    assert abs(d[291, 0]) < 0.1 and abs(d[61, 0]) < 0.1, (d[291], d[61])
    v, rest = _with(rig, AU34=1.0), _with(rig)
    assert abs((v[13, 1] - v[14, 1]) - (rest[13, 1] - rest[14, 1])) < 0.05  # lips stay together


def test_blink_closes_the_eye(rig):
    closed = _with(rig, AU45L=1.0)
    assert abs(closed[386, 1] - closed[374, 1]) < 0.1
    open_ = _with(rig)
    assert abs(open_[386, 1] - open_[374, 1]) > 0.5


def _lid_gaps(rig, v: np.ndarray) -> np.ndarray:
    """How far (cm) each upper-lid point between the corners lies above the lower lid under it,
    both eyes."""
    upper, lower = np.array(rg.EYE_UPPER0), np.array(rg.EYE_LOWER0)
    gaps = []
    for up, lo in ((upper, lower), (rig.mesh.mirror[upper], rig.mesh.mirror[lower])):
        order = np.argsort(v[lo, 0])
        gaps.append(v[up, 1] - np.interp(v[up, 0], v[lo[order], 0], v[lo[order], 1]))
    return np.concatenate(gaps)


def test_blink_closes_the_eyes_of_every_identity(rig):
    """The authored blink closes the mean face's eyes; random faces (identities as the renders
    draw them) kept a sliver open (up to 3 mm) until the blink's identity share was added."""
    p = RigParams.neutral(200)
    p.identity[:] = load_default().sample(200, np.random.default_rng(3))
    p.au[:, [rig.au_index("AU45L"), rig.au_index("AU45R")]] = 1.0
    closed = rig.shape(p)
    assert max(_lid_gaps(rig, v).max() for v in closed) <= 0.0
    p.au[:] = 0.0
    assert min(_lid_gaps(rig, v).max() for v in rig.shape(p)) > 0.3  # and they were open


@pytest.mark.parametrize("others", [("AU6L", "AU6R", "AU7L", "AU7R"), ("AU5L", "AU5R"),
                                    ("AU1", "AU2L", "AU2R")])
def test_blink_closes_the_eyes_whatever_else_the_lids_do(rig, others):
    """A raised lower lid (cheek raiser, lid tightener: a laugh with the eyes shut) had the
    upper lid sink 5 mm under it; a lid or brow raiser held it open."""
    p = RigParams.neutral(20)
    p.identity[:] = load_default().sample(20, np.random.default_rng(5))
    p.au[:, [rig.au_index(k) for k in (*others, "AU45L", "AU45R")]] = 1.0
    gaps = np.concatenate([_lid_gaps(rig, v) for v in rig.shape(p)])
    assert gaps.min() >= -0.2 and gaps.max() <= 0.02  # cm: shut, the lids meeting


def test_the_blinks_share_is_in_the_shapes_derivatives(rig):
    """The landmark fit's Jacobian: with a blink, lid AUs and a non-mean identity, the AUs' and
    the identity's derivatives are their fields plus the blinks' share."""
    p = RigParams.neutral(1)
    p.identity[0] = np.random.default_rng(4).uniform(0.2, 0.8, p.identity.shape[1])
    p.au[0, [rig.au_index(k) for k in ("AU45L", "AU45R", "AU12L", "AU5L", "AU7R")]] = 0.6
    share = rig.blink_share(p)
    lids = share.vertices
    au_f, id_f = rig.au_fields[:, :N_LANDMARKS].copy(), rig.identity_fields[:, :N_LANDMARKS].copy()
    au_f[np.ix_(share.aus, lids)] += share.by_au
    au_f[np.ix_(rig.blinks, lids)] += share.by_blink
    id_f[np.ix_(share.identities, lids)] += share.by_identity
    base, eps = rig.shape(p, N_LANDMARKS)[0], 1e-4
    for k in (*rig.blinks, rig.au_index("AU12L"), rig.au_index("AU5L"), rig.au_index("AU7R")):
        q = p.copy()
        q.au[0, k] += eps
        np.testing.assert_allclose((rig.shape(q, N_LANDMARKS)[0] - base) / eps, au_f[k],
                                   atol=1e-6)
    for k in range(len(IDENTITY_KEYS)):
        q = p.copy()
        q.identity[0, k] += eps / 2.0  # identity weight = 2 (identity - 0.5)
        np.testing.assert_allclose((rig.shape(q, N_LANDMARKS)[0] - base) / eps, id_f[k],
                                   atol=1e-6)
    assert np.abs(share.by_blink).max() > 0.05  # the share is there to be checked


def test_jaw_drop_rotates_the_chin_and_lower_teeth(rig):
    neutral, open_ = _with(rig), _with(rig, AU26=1.0)
    assert open_[152, 1] < neutral[152, 1] - 1.5  # chin down
    assert open_[152, 2] < neutral[152, 2]  # and back, as a hinge rotation does
    assert np.allclose(open_[10], neutral[10])  # forehead fixed
    lower_teeth = np.flatnonzero(rig.jaw[N_LANDMARKS:] == 1.0) + N_LANDMARKS
    assert (open_[lower_teeth, 1] < neutral[lower_teeth, 1] - 0.5).all()


def test_identity_parameters_change_shape_and_mean_is_neutral(rig):
    p = RigParams.neutral(2)
    p.identity[1, IDENTITY_KEYS.index("eye_separation")] = 1.0
    v = rig.shape(p)
    iod = [np.linalg.norm(x[33] - x[263]) for x in v]
    assert iod[1] > iod[0] + 0.5


def test_pose_parameters_are_degrees_about_the_camera_axes(rig):
    p = RigParams.neutral(1)
    p.pose[0] = [0.5, 1.0, 0.5]
    assert pose_angles_deg(p.pose)[0, 1] == pytest.approx(28.65, abs=0.01)
    v = rig.camera_vertices(p)[0]
    # yaw turns the face: its nose tip moves sideways
    assert abs(v[1, 0]) > 2.0


def test_landmark_fit_recovers_known_faces(rig):
    fitter = LandmarkFitter(rig)
    rng = np.random.default_rng(1)
    errors, pose_errors = [], []
    for _ in range(6):
        p = RigParams.neutral(1)
        p.pose[0] = rng.uniform(0.35, 0.65, 3)
        active = rng.random(p.au.shape[1]) < 0.3
        p.au[0] = np.where(active, rng.uniform(0.0, 1.0, p.au.shape[1]), 0.0)
        p.au[0, [rig.au_index("AU30L"), rig.au_index("AU30R")]] = 0.0
        p.identity[0] = rng.uniform(0.35, 0.65, p.identity.shape[1])
        landmarks = rig.camera_vertices(p)[0, :N_LANDMARKS] * 18.0 + [320.0, 240.0, 0.0]
        result = fitter.fit(landmarks)
        errors.append(np.abs(result.params.au[0] - p.au[0]).mean())
        error = pose_angles_deg(result.params.pose) - pose_angles_deg(p.pose)
        pose_errors.append(np.abs(error).max())
        assert result.rms_px < 0.5
    assert np.mean(errors) < 0.02
    assert max(pose_errors) < 0.5


def test_a_turned_heads_eye_openings_show_no_background(rig):
    """Seen from aside, the eyeball falls short of the far corner of each eye: the background
    showed through there (a grey or black wedge) until the sockets lined the openings."""
    import cv2

    from auedit.render.face import FaceRenderer

    renderer = FaceRenderer(rig, 256)
    p = RigParams.neutral(4)
    p.pose[:] = [[0.5, 0.05, 0.5], [0.5, 0.95, 0.5], [0.3, 0.1, 0.5], [0.7, 0.9, 0.5]]
    labels = renderer.render(p).labels.numpy()
    screen = renderer.screen_vertices(p)
    rim = list(rg.EYE_OPENING)
    for b in range(len(p)):
        for contour in (rim, rig.mesh.mirror[rim]):
            inside = _filled(screen[b, contour, :2], labels.shape[1:])
            inside = cv2.erode(inside, np.ones((3, 3), np.uint8))  # the rim's own pixels aside
            assert inside.sum() > 30
            assert not (labels[b][inside > 0] == Part.BACKGROUND).any()


def test_the_sockets_stay_behind_the_lids_from_the_front(rig):
    """From the front a socket shows only at the eye's corners, beside the eyeball: walls that
    leaned inwards from the lids covered its sides (14% of the eye on random faces)."""
    from auedit.render.face import FaceRenderer

    socket = np.zeros(rig.n_vertices, bool)
    for _lid, rim, inner in rig.mesh.sockets:
        socket[rim] = socket[inner] = True
    walls = np.flatnonzero(socket[rig.mesh.triangles].all(axis=1))
    p = RigParams.neutral(16)
    p.identity[:] = load_default().sample(16, np.random.default_rng(0))
    out = FaceRenderer(rig, 256).render(p)
    labels = out.labels.numpy()
    eye = (labels == Part.LEFT_EYE) | (labels == Part.RIGHT_EYE)
    shown = np.isin(out.triangle_id.numpy(), walls).sum(axis=(1, 2))
    assert (shown > 0).all()  # the corners
    assert (shown / eye.sum(axis=(1, 2))).max() < 0.11


def test_an_open_mouth_shows_no_background(rig):
    """A stretched (AU20) or turned open mouth reached past the cavity's sides: the background
    showed at its corners (fear, surprise) until the mouth's band lined the opening; a lower
    lip pulled far down (AU16) or an upper lip raised on one side (AU10) over a wide-open jaw
    showed it past the band's inner ends until the mouth's back closed them."""
    import cv2

    from auedit.render.face import FaceRenderer

    renderer = FaceRenderer(rig, 256)
    p = RigParams.neutral(6)
    p.pose[:] = [[0.5, 0.5, 0.5], [0.5, 0.06, 0.5], [0.4, 0.94, 0.5], [0.5, 0.5, 0.5],
                 [0.59, 0.56, 0.54], [0.49, 0.63, 0.37]]
    p.au[:, rig.au_index("AU26")] = 0.6
    p.au[:2, [rig.au_index("AU20L"), rig.au_index("AU20R")]] = 0.7
    p.au[3:, rig.au_index("AU27")] = 1.0
    p.au[4, [rig.au_index("AU16L"), rig.au_index("AU16R"), rig.au_index("AU24")]] = 1.0
    p.au[5, [rig.au_index("AU10L"), rig.au_index("AU12L"), rig.au_index("AU22")]] = 1.0
    labels = renderer.render(p).labels.numpy()
    screen = renderer.screen_vertices(p)
    contour = list(rg.MOUTH_OPENING)
    for b in range(len(p)):
        inside = cv2.erode(_filled(screen[b, contour, :2], labels.shape[1:]),
                           np.ones((3, 3), np.uint8))
        assert inside.sum() > 100
        assert not (labels[b][inside > 0] == Part.BACKGROUND).any()


def test_the_teeth_stay_inside_the_mouth(rig):
    """Arches that bent back 1 cm poked their ends out through the cheeks beside corners that
    a wide jaw drop (AU27) or a sucked lower lip (AU28D) drew back: on a quarter of random
    faces at 256 px, up to 74 px of teeth outside the opening; with these AUs forced on 64
    faces 1,334 px in all, 24 since they bend back 2 cm (a puckered mouth over a wide jaw
    still shows a sliver of teeth beside it)."""
    import cv2

    from auedit.render.face import FaceRenderer
    from auedit.rig.sampling import random_params

    renderer = FaceRenderer(rig, 256)
    p = random_params(64, np.random.default_rng(0), load_default(), au_probability=0.3)
    p.au[::2, rig.au_index("AU27")] = 1.0
    p.au[1::2, rig.au_index("AU28D")] = 1.0
    labels = renderer.render(p).labels.numpy()
    screen = renderer.screen_vertices(p)
    outside = []
    for b in range(len(p)):
        mouth = cv2.dilate(_filled(screen[b, list(rg.MOUTH_OPENING), :2], labels.shape[1:]),
                           np.ones((3, 3), np.uint8))
        outside.append(int(((labels[b] == Part.TEETH) & (mouth == 0)).sum()))
    assert sum(outside) <= 30, outside
