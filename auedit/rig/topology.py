"""The game face's mesh: MediaPipe's canonical face with open eyes and mouth, plus eyeballs with
irises, eye sockets, and a mouth interior (cavity, teeth, tongue).

Rig space is the canonical face's: centimetres, x towards the subject's left, y up, z towards
the viewer. The first 468 vertices are MediaPipe's mesh points in MediaPipe's order, so rig
vertex i is tracked landmark i. The extra parts follow, each attached to the skull (rigid with
the head) or to the jaw (rotating with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from auedit.face.canonical import CanonicalFace
from auedit.rig import regions as rg

N_LANDMARKS = 468


class Part(IntEnum):
    """Segmentation labels (GE-Net's face parsing classes, plus teeth)."""

    BACKGROUND = 0
    SKIN = 1
    LEFT_BROW = 2
    RIGHT_BROW = 3
    LEFT_EYE = 4
    RIGHT_EYE = 5
    NOSE = 6
    UPPER_LIP = 7
    LOWER_LIP = 8
    MOUTH = 9
    TEETH = 10


@dataclass(frozen=True)
class RigMesh:
    vertices: np.ndarray  # (V, 3) neutral mean face, rig space
    triangles: np.ndarray  # (T, 3) int64
    triangle_parts: np.ndarray  # (T,) Part
    vertex_colors: np.ndarray  # (V, 3) in [0, 1]
    jaw_attached: np.ndarray  # (V,) 1 for extra vertices moving with the jaw, 0 skull, nan skin
    mirror: np.ndarray  # (468,) index of each landmark's mirror vertex
    skin_triangles: np.ndarray  # (Ts, 3): the 468-vertex skin with openings (for fields)
    eye_centres: np.ndarray  # (2, 3): left, right eyeball centres
    eyeballs: np.ndarray  # (2, n): the left and right eyeballs' vertex ids
    #: (2, 3, m): per eye, the skin vertices round its opening, the socket's vertices that
    #: copy them (its rim) and the socket's inner ends (placed by `FaceRig.shape`)
    sockets: np.ndarray
    #: (3, m): the skin vertices round the mouth's opening (the inner lips), the mouth
    #: band's vertices that copy them and the band's inner ends (placed by `FaceRig.shape`)
    mouth_band: np.ndarray
    #: (m + 1,): the mouth's back, a dark cone closing the band: copies of the band's inner
    #: ends, then its tip (placed by `FaceRig.shape`)
    mouth_back: np.ndarray
    hinge: np.ndarray  # (3,) a point on the jaw's hinge axis (axis along x)
    uvs: np.ndarray  # (V, 2) the skin's texture coordinates (MediaPipe's layout), nan elsewhere

    @property
    def n_vertices(self) -> int:
        return len(self.vertices)


SKIN = np.array([0.87, 0.69, 0.57])
BROW = np.array([0.30, 0.20, 0.14])
LIP = np.array([0.76, 0.42, 0.42])
SCLERA = np.array([0.95, 0.94, 0.92])
IRIS = np.array([0.33, 0.22, 0.13])
PUPIL = np.array([0.03, 0.03, 0.03])
#: The pupil and the iris reach these angles (radians) from the eyeball's front.
PUPIL_ANGLE = 0.20
IRIS_ANGLE = 0.48
CAVITY = np.array([0.22, 0.06, 0.07])
MOUTH_LINING = np.array([0.46, 0.25, 0.25])  # the lips' inner side (the mouth band), in shade
SOCKET = np.array([0.80, 0.58, 0.54])  # the inner lids and eye corners (shaded darker)
#: the socket's walls end on the eyeball this share farther from its axis than their rim,
#: no farther than this share of its radius, and sunk to this share of their distance from
#: its centre (`socket_inner`)
SOCKET_SPREAD = 0.3
SOCKET_REACH = 0.99
SOCKET_SINK = 0.9
#: the mouth band's inner ends lie this deep (cm) behind the inner lips, drawn in across the
#: mouth to this share of the lips' distance from its middle and spread up and down to this
#: one (`mouth_inner`)
MOUTH_BAND_DEPTH = 1.5
MOUTH_BAND_ACROSS = 0.8
MOUTH_BAND_UPDOWN = 1.1
#: the mouth's back closes the band's inner ends with a cone whose tip lies this deep (cm)
#: behind their middle (`mouth_back_tip`)
MOUTH_BACK_DEPTH = 2.0
#: at rest each inner-lip point moves this share of half the canonical face's gap towards the
#: other lip: a little past it, since the two lips' points do not lie above one another and
#: lips that only met (0.95 until 2026-11-23) left a dashed slit of teeth between them
LIPS_MEET = 1.1
EYEBALL_RADIUS = 1.15  # cm
#: the teeth's arches span this share of the closed mouth's inner width, bend back (cm) by
#: this much at their ends and hold this many columns (a tooth between two; the central
#: incisors span two): a smile pulls the corners some 1.5 cm apart, and arches the width of
#: the closed mouth left black corners beside the last teeth in a parted smile, where a real
#: one shows teeth to near its corners, the back ones darker (the buccal corridor); arches
#: that bent back 1 cm poked their ends out through the cheeks beside corners that a wide jaw
#: drop (AU27) or a sucked lower lip (AU28D) drew back (on a quarter of random faces)
ARCH_WIDTH = 1.15
ARCH_CURVE = 2.0
ARCH_COLUMNS = 13
TEETH = np.array([0.96, 0.94, 0.86])
TONGUE = np.array([0.80, 0.38, 0.40])


def _opening_triangles(tris: np.ndarray, ring: set[int]) -> np.ndarray:
    return np.all(np.isin(tris, list(ring)), axis=1)


def _sphere(centre: np.ndarray, radius: float, n_lat: int = 10, n_lon: int = 16,
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A UV sphere facing +z: vertices, triangles, and each vertex's angle from the front."""
    verts, angles = [centre + np.array([0.0, 0.0, radius])], [0.0]
    for i in range(1, n_lat):
        th = np.pi * i / n_lat
        for j in range(n_lon):
            ph = 2 * np.pi * j / n_lon
            d = np.array([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)])
            verts.append(centre + radius * d)
            angles.append(th)
    verts.append(centre - np.array([0.0, 0.0, radius]))
    angles.append(np.pi)
    tris = []
    for j in range(n_lon):
        tris.append((0, 1 + j, 1 + (j + 1) % n_lon))
    for i in range(n_lat - 2):
        a, b = 1 + i * n_lon, 1 + (i + 1) * n_lon
        for j in range(n_lon):
            j2 = (j + 1) % n_lon
            tris += [(a + j, b + j, b + j2), (a + j, b + j2, a + j2)]
    last, base = len(verts) - 1, 1 + (n_lat - 2) * n_lon
    for j in range(n_lon):
        tris.append((base + j, last, base + (j + 1) % n_lon))
    return np.array(verts), np.array(tris), np.array(angles)


def socket_inner(rim: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """(..., m, 3) a socket's inner ends for its rim points (..., m, 3) round an eyeball at
    `centre` (..., 3): each rim point taken back onto the eyeball and a little outwards
    (`SOCKET_SPREAD`), so that from the front the wall lies behind the lid's skin (edge-on
    walls speckled the lid margins, walls leaning inwards covered the eyeball's sides), no
    farther out than `SOCKET_REACH` (the corners beside the eyeball reach its edge), then sunk
    into it (`SOCKET_SINK`: inside the eyeball's coarse facets, so no crack shows between)."""
    d = rim - centre[..., None, :]
    across = np.maximum(np.linalg.norm(d[..., :2], axis=-1, keepdims=True), 1e-9)
    reach = np.minimum(across * (1.0 + SOCKET_SPREAD), SOCKET_REACH * radius)
    xy = d[..., :2] / across * reach
    z = np.sqrt(np.maximum(radius ** 2 - reach ** 2, 0.0))
    return centre[..., None, :] + np.concatenate([xy, z], axis=-1) * SOCKET_SINK


def mouth_inner(rim: np.ndarray) -> np.ndarray:
    """(..., m, 3) the mouth band's inner ends for the inner lips' points (..., m, 3): behind
    them by `MOUTH_BAND_DEPTH`, drawn in towards the mouth's middle across it (the corners'
    walls close the sides, where the cavity stops short of stretched or turned corners) and
    spread up and down (so that from the front the upper and lower walls hide behind the lips
    instead of lying edge-on over the teeth)."""
    centre = rim.mean(axis=-2, keepdims=True)
    scale = np.array([MOUTH_BAND_ACROSS, MOUTH_BAND_UPDOWN, 1.0])
    return centre + (rim - centre) * scale - np.array([0.0, 0.0, MOUTH_BAND_DEPTH])


def mouth_back_tip(inner: np.ndarray) -> np.ndarray:
    """(..., 3) the tip of the mouth's back for the band's inner ends (..., m, 3): behind
    their middle by `MOUTH_BACK_DEPTH`, deeper than the cavity, so the cone shows only where
    the cavity stops short of the band (the corners of a stretched mouth, a lip pulled far
    up or down)."""
    return inner.mean(axis=-2) - np.array([0.0, 0.0, MOUTH_BACK_DEPTH])


def _band(rim: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A band from the closed contour `rim` (m, 3) to `inner` (m, 3): vertices (the rim's
    copies, then the inner ends) and triangles."""
    m = len(rim)
    tris = [t for i in range(m) for t in ((i, (i + 1) % m, m + (i + 1) % m),
                                           (i, m + (i + 1) % m, m + i))]
    return np.concatenate([rim, inner]), np.array(tris)


def _grid(corner_fn, nu: int, nv: int) -> tuple[np.ndarray, np.ndarray]:
    """A nu x nv quad grid of vertices corner_fn(u, v) for u, v in [0, 1]."""
    verts = np.array([corner_fn(u, v) for v in np.linspace(0, 1, nv)
                      for u in np.linspace(0, 1, nu)])
    tris = []
    for j in range(nv - 1):
        for i in range(nu - 1):
            a = j * nu + i
            tris += [(a, a + 1, a + nu + 1), (a, a + nu + 1, a + nu)]
    return verts, np.array(tris)


def _close_lips(v: np.ndarray, mirror: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """The canonical face's lips are parted by about 5 mm; the rig's neutral face has them
    closed, so that AU25 (lips part) and the jaw open the mouth from rest. Each inner-lip
    point moves half the gap towards the opposite lip, a little past it (`LIPS_MEET`), and the
    lips' other rings follow."""
    from auedit.rig.fields import graph_laplacian, harmonic

    upper, lower = np.array(rg.LIPS_UPPER_INNER[1:-1]), np.array(rg.LIPS_LOWER_INNER)
    upper = np.unique(np.concatenate([upper, mirror[upper]]))
    lower = np.unique(np.concatenate([lower, mirror[lower]]))
    fixed: dict[int, np.ndarray] = {}
    for ours, theirs in ((upper, lower), (lower, upper)):
        for i in ours:
            j = theirs[np.argmin(np.abs(v[theirs, 0] - v[i, 0]))]
            fixed[int(i)] = np.array([0.0, (v[j, 1] - v[i, 1]) / 2 * LIPS_MEET, 0.0])
    far = np.linalg.norm(v - v[[13, 14]].mean(axis=0), axis=1) > 2.2
    for i in np.flatnonzero(far):
        fixed[int(i)] = np.zeros(3)
    return v + harmonic(graph_laplacian(len(v), tris), fixed)


def build_mesh(canonical: CanonicalFace) -> RigMesh:
    v0 = canonical.vertices.astype(np.float64)
    mirror = rg.mirror_index(v0)
    tris = canonical.triangles.astype(np.int64)

    # open the eyes and the mouth: drop the triangles spanning each opening
    mouth = set(rg.LIPS_UPPER_INNER) | set(rg.LIPS_LOWER_INNER)
    eye_l = set(rg.EYE_UPPER0) | set(rg.EYE_LOWER0)
    eye_r = {int(mirror[i]) for i in eye_l}
    keep = ~(_opening_triangles(tris, mouth) | _opening_triangles(tris, eye_l)
             | _opening_triangles(tris, eye_r))
    skin_tris = tris[keep]
    v0 = _close_lips(v0, mirror, skin_tris)
    parts = _skin_parts(v0, skin_tris, mirror)
    colors = _skin_colors(v0, mirror)

    verts = [v0]
    all_tris = [skin_tris]
    all_parts = [parts]
    all_colors = [colors]
    jaw = [np.full(len(v0), np.nan)]
    count = len(v0)

    def add(v: np.ndarray, t: np.ndarray, part: Part, col: np.ndarray, jaw_w: np.ndarray) -> None:
        nonlocal count
        verts.append(v)
        all_tris.append(t + count)
        all_parts.append(np.full(len(t), int(part)))
        all_colors.append(col)
        jaw.append(jaw_w)
        count += len(v)

    # eyeballs: spheres just behind each eye opening, iris and pupil facing forward; and
    # sockets: walls from each opening's rim into its eyeball, so that a turned head shows
    # the shadowed inner lid, not the background, where the eyeball falls short of a corner
    centres, eyeballs, sockets = [], [], []
    rim_l = list(rg.EYE_OPENING)
    for rim, part in ((rim_l, Part.LEFT_EYE), ([int(mirror[i]) for i in rim_l], Part.RIGHT_EYE)):
        pts = v0[rim]
        radius = EYEBALL_RADIUS
        front = pts[:, 2].mean() - 0.05
        centre = np.array([pts[:, 0].mean(), pts[:, 1].mean(), front - radius])
        centres.append(centre)
        sv, st, ang = _sphere(centre, radius)
        col = np.where(ang[:, None] < PUPIL_ANGLE, PUPIL,
                       np.where(ang[:, None] < IRIS_ANGLE, IRIS, SCLERA))
        eyeballs.append(np.arange(count, count + len(sv)))
        add(sv, st, part, col, np.zeros(len(sv)))
        wv, wt = _band(pts, socket_inner(pts, centre, radius))
        m = len(rim)
        sockets.append([rim, np.arange(count, count + m), np.arange(count + m, count + 2 * m)])
        add(wv, wt, part, np.tile(SOCKET, (len(wv), 1)), np.zeros(len(wv)))

    # mouth interior: the corners and depth of the lips' inner contour place the parts
    c_l, c_r = v0[308], v0[78]
    width = c_l[0] - c_r[0]
    lip_z = v0[[13, 14]][:, 2].mean()
    top, bottom = v0[13, 1] + 0.9, v0[14, 1] - 1.6

    def cavity(u: float, v: float) -> np.ndarray:
        x = (u - 0.5) * width * 1.05
        y = top + (bottom - top) * v
        z = lip_z - 1.6 - 0.9 * (2 * (u - 0.5)) ** 2
        return np.array([x, y, z])

    cv, ct = _grid(cavity, 9, 7)
    jaw_cav = np.clip((top - cv[:, 1]) / (top - bottom), 0, 1) ** 1.5
    add(cv, ct, Part.MOUTH, np.tile(CAVITY, (len(cv), 1)), jaw_cav)

    def arch(y0: float, y1: float, depth: float):
        def f(u: float, v: float) -> np.ndarray:
            x = (u - 0.5) * width * ARCH_WIDTH
            z = lip_z - depth - ARCH_CURVE * (2 * (u - 0.5)) ** 2
            return np.array([x, y0 + (y1 - y0) * v, z])
        return f

    mid = (v0[13, 1] + v0[14, 1]) / 2
    uv, ut = _grid(arch(mid + 0.75, mid - 0.02, 0.45), ARCH_COLUMNS, 3)
    add(uv, ut, Part.TEETH, np.tile(TEETH, (len(uv), 1)), np.zeros(len(uv)))
    lv, lt = _grid(arch(mid - 0.05, mid - 0.7, 0.55), ARCH_COLUMNS, 3)
    add(lv, lt, Part.TEETH, np.tile(TEETH, (len(lv), 1)), np.ones(len(lv)))

    def tongue(u: float, v: float) -> np.ndarray:
        x = (u - 0.5) * width * 0.7
        z = lip_z - 0.8 - 1.0 * v - 0.5 * (2 * (u - 0.5)) ** 2
        return np.array([x, mid - 0.45 + 0.25 * np.sin(np.pi * u) * 0.5, z])

    tv, tt = _grid(tongue, 7, 4)
    add(tv, tt, Part.MOUTH, np.tile(TONGUE, (len(tv), 1)), np.ones(len(tv)))

    # the mouth band: walls from the inner lips back into the mouth, so that the background
    # does not show past the cavity's sides at stretched or turned corners
    rim = list(rg.MOUTH_OPENING)
    m = len(rim)
    mouth_band = [rim, np.arange(count, count + m), np.arange(count + m, count + 2 * m)]
    inner = mouth_inner(v0[rim])
    bv, bt = _band(v0[rim], inner)
    add(bv, bt, Part.MOUTH, np.tile(MOUTH_LINING, (len(bv), 1)), np.zeros(len(bv)))
    # its back: a cone from the band's inner ends, so that no view through the opening that
    # misses the cavity reaches the background
    mouth_back = np.arange(count, count + m + 1)
    kv = np.concatenate([inner, mouth_back_tip(inner)[None]])
    kt = np.array([(i, m, (i + 1) % m) for i in range(m)])
    add(kv, kt, Part.MOUTH, np.tile(CAVITY, (len(kv), 1)), np.zeros(len(kv)))

    ear = v0[list(rg.EAR_SIDE)]
    hinge = np.array([0.0, ear[:, 1].mean() - 0.3, ear[:, 2].mean() + 0.4])
    return RigMesh(
        vertices=np.concatenate(verts), triangles=np.concatenate(all_tris),
        triangle_parts=np.concatenate(all_parts), vertex_colors=np.concatenate(all_colors),
        jaw_attached=np.concatenate(jaw), mirror=mirror, skin_triangles=skin_tris,
        eye_centres=np.array(centres), eyeballs=np.array(eyeballs), sockets=np.array(sockets),
        mouth_band=np.array(mouth_band), mouth_back=mouth_back,
        hinge=hinge,
        uvs=np.concatenate([canonical.uvs.astype(np.float64),
                            np.full((count - len(v0), 2), np.nan)]))


def _lip_sets(mirror: np.ndarray) -> tuple[set[int], set[int]]:
    upper = set(rg.LIPS_UPPER_OUTER) | set(rg.LIPS_UPPER_INNER) | set(rg.LIPS_UPPER_MID)
    lower = set(rg.LIPS_LOWER_OUTER) | set(rg.LIPS_LOWER_INNER) | set(rg.LIPS_LOWER_MID)
    upper |= {int(mirror[i]) for i in upper}
    lower |= {int(mirror[i]) for i in lower} | {61, 291, 78, 308}
    return upper, lower


def _brow_sets(mirror: np.ndarray) -> tuple[set[int], set[int]]:
    left = set(rg.BROW_UPPER) | set(rg.BROW_LOWER)
    return left, {int(mirror[i]) for i in left}


def _nose_set(mirror: np.ndarray) -> set[int]:
    s = set(rg.NOSE_MIDLINE) | set(rg.NOSE_WING) | set(rg.NOSE_LEFT)
    return s | {int(mirror[i]) for i in s}


def _skin_parts(v: np.ndarray, tris: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    upper, lower = _lip_sets(mirror)
    corners = {61, 291, 78, 308}
    brow_l, brow_r = _brow_sets(mirror)
    nose = _nose_set(mirror)
    parts = np.full(len(tris), int(Part.SKIN))
    for k, t in enumerate(tris):
        s = set(t.tolist())
        if s <= upper | corners and not s <= corners and s & upper - corners:
            parts[k] = Part.UPPER_LIP
        elif s <= lower:
            parts[k] = Part.LOWER_LIP
        elif s <= brow_l:
            parts[k] = Part.LEFT_BROW
        elif s <= brow_r:
            parts[k] = Part.RIGHT_BROW
        elif s <= nose:
            parts[k] = Part.NOSE
    return parts


def _skin_colors(v: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    """Skin, lips and brows per vertex: the flat look, which the shipped models were trained
    on (the textured look paints the brows instead: `auedit.rig.texture`)."""
    upper, lower = _lip_sets(mirror)
    brow_l, brow_r = _brow_sets(mirror)
    col = np.tile(SKIN, (len(v), 1))
    col[list(upper | lower)] = LIP
    col[list(brow_l | brow_r)] = BROW
    return col
