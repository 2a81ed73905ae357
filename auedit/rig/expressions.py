"""The rig's AU parameters: what each one is, and the displacement field it drives.

Each AU parameter is authored as handles (mesh vertices with the displacement, in cm, that the
AU gives them at full intensity) and a reach (skin farther than that from every handle stays
put); `fields.harmonic` fills in a smooth field between them. Fields are authored for the
subject's left side and mirrored for the right. The jaw is not a field but a rotation about
its hinge (AU26, AU27) and a sideways shift (AU30L/R) of the skin that `jaw_weights` attaches
to the mandible; eyelid closure moves each upper-lid vertex onto the lower lid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auedit.core.aus import AU_BY_KEY
from auedit.rig import regions as rg
from auedit.rig.fields import harmonic

Vec = tuple[float, float, float]
Handles = dict[int, np.ndarray]


@dataclass(frozen=True)
class AUParameter:
    """One rig expression parameter in [0, 1]: 0 neutral, 1 the AU at its maximum (E)."""

    key: str  # "AU12L", "AU26", "AU28U"
    facs: str  # catalogue key, e.g. "AU12"
    side: str  # "L", "R", "U" (upper lip), "D" (lower lip) or ""
    label: str
    arkit: tuple[str, ...]  # ARKit blendshapes it maps to

    @property
    def name(self) -> str:
        return AU_BY_KEY[self.facs].name


def _param(facs: str, side: str = "", arkit: tuple[str, ...] | None = None) -> AUParameter:
    au = AU_BY_KEY[facs]
    if arkit is None:
        if au.sided and side in ("L", "R"):
            arkit = (au.arkit[0 if side == "L" else 1],)
        else:
            arkit = au.arkit
    side_word = {"L": " (left)", "R": " (right)", "U": " (upper lip)", "D": " (lower lip)"}
    return AUParameter(facs + side, facs, side, au.name + side_word.get(side, ""), arkit)


def _sided(facs: str) -> list[AUParameter]:
    return [_param(facs, "L"), _param(facs, "R")]


#: The rig's AU parameters, in the order of the parameter vector.
AU_PARAMETERS: tuple[AUParameter, ...] = (
    _param("AU1"), *_sided("AU2"), *_sided("AU4"), *_sided("AU5"), *_sided("AU6"),
    *_sided("AU7"), *_sided("AU9"), *_sided("AU10"), *_sided("AU12"), *_sided("AU14"),
    *_sided("AU15"), *_sided("AU16"), _param("AU17"), _param("AU18"), *_sided("AU20"),
    _param("AU22"), _param("AU23", arkit=()), _param("AU24"), _param("AU25", arkit=()),
    _param("AU26"), _param("AU27", arkit=()),
    _param("AU28", "U", ("mouthRollUpper",)), _param("AU28", "D", ("mouthRollLower",)),
    _param("AU34"), *_sided("AU45"), _param("AU30L"), _param("AU30R"),
)
AU_PARAMETER_KEYS: tuple[str, ...] = tuple(p.key for p in AU_PARAMETERS)

JAW_DROP_DEG = 24.0  # AU26 at 1
MOUTH_STRETCH_DEG = 14.0  # AU27 at 1, on top of AU26
JAW_SIDEWAYS_CM = 1.0  # AU30L/R at 1
BLINK_REACH = 1.8  # cm


def lower_lid_partners(v: np.ndarray) -> np.ndarray:
    """(7,): for each upper-lid point of the left eye (`EYE_UPPER0`) of the face `v`, the
    lower-lid point (`EYE_LOWER0`) nearest it in x, where a blink takes it."""
    lower = np.array(rg.EYE_LOWER0)
    return np.array([lower[np.argmin(np.abs(v[lower, 0] - v[i, 0]))] for i in rg.EYE_UPPER0])


def _h(ids, vec: Vec, scale: float = 1.0) -> Handles:
    v = np.asarray(vec, dtype=np.float64) * scale
    return {int(i): v for i in ids}


def _merge(*hs: Handles) -> Handles:
    """Handles of several groups; a vertex in more than one keeps its first displacement."""
    out: Handles = {}
    for h in hs:
        for k, v in h.items():
            out.setdefault(k, v)
    return out


class _Author:
    """Helpers bound to the neutral skin vertices `v` (left side: x > 0)."""

    def __init__(self, v: np.ndarray, mirror: np.ndarray) -> None:
        self.v = v
        self.mirror = mirror

    def select(self, *, x=(-99, 99), y=(-99, 99), z=(-99, 99)) -> list[int]:
        v = self.v
        m = ((v[:, 0] >= x[0]) & (v[:, 0] <= x[1]) & (v[:, 1] >= y[0]) & (v[:, 1] <= y[1])
             & (v[:, 2] >= z[0]) & (v[:, 2] <= z[1]))
        return np.flatnonzero(m).tolist()

    def both(self, ids) -> list[int]:
        return sorted(set(ids) | {int(self.mirror[i]) for i in ids})

    def lid_margins(self, rise: float, *, both: bool = True) -> tuple[Handles, Handles]:
        """The lids' margins held for a brow raiser: the upper one rising by `rise` (cm), the
        lower one still. Left free, the brow's pull spread down the lid (AU1 opened the eye
        by 4.6 mm, more than the lid raiser AU5, and AU1 + 2 + 5 lifted the lid above the
        eyeball), where a frontalis pull widens a real eye by about a millimetre."""
        pick = self.both if both else list
        return (_h(pick(rg.EYE_UPPER0), (0, rise, 0)), _h(pick(rg.EYE_LOWER0), (0, 0, 0)))

    def tapered(self, ids, vec: Vec, taper: float) -> Handles:
        """`vec` at the mouth's middle, falling by `taper` x (x / the inner lip corner's x)^2
        towards its corners: lips part most in the middle."""
        corner = abs(self.v[308, 0])
        return {int(i): np.asarray(vec, dtype=np.float64)
                * (1.0 - taper * min(1.0, (self.v[i, 0] / corner) ** 2)) for i in ids}

    def towards_midline(self, ids, amount: float) -> Handles:
        """Move points towards x = 0 by `amount` of their x (a pucker-like contraction)."""
        return {int(i): np.array([-self.v[i, 0] * amount, 0.0, 0.0]) for i in ids}

    def blink(self) -> Handles:
        """Each upper-lid point onto the lower lid below it; outer rings follow in part."""
        below = self.v[lower_lid_partners(self.v)]
        h: Handles = {}
        for row, i in enumerate(rg.EYE_UPPER0):
            h[i] = below[row] + np.array([0.0, 0.0, 0.06]) - self.v[i]
        return self.lid_rings(h, np.array([0.0, 0.0, 0.05]), np.array([0.0, 0.03, 0.0]))

    @staticmethod
    def lid_rings(upper: Handles, ring_lift: np.ndarray, lower_rise: np.ndarray) -> Handles:
        """A closing lid's handles: the upper lid's, the ring above it following at 0.55 (plus
        `ring_lift`) and the lower lid moving by `lower_rise`."""
        h = dict(upper)
        for a, b in zip(rg.EYE_UPPER1, rg.EYE_UPPER0, strict=True):
            h[a] = upper[b] * 0.55 + ring_lift
        for i in rg.EYE_LOWER0:
            h[i] = lower_rise
        return h


#: AU25's lips part by 1 - these shares at their corners of what they part by in the middle:
#: the lower lip drops in a curve, the upper one rises nearly level (uniform, the opening was a
#: straight-edged slot; the upper lip as curved as the lower, it hid the upper teeth of a jaw
#: drop)
LIPS_TAPER, UPPER_TAPER = 0.6, 0.3
#: how far (cm) the cheek puffer (AU34) pushes the face's outline out beside the mouth, by
#: outline point (the left side's; mirrored): the field left the outline where it was, and a
#: photo's puffed cheeks kept their silhouette (the puff barely showed)
PUFF_OUTLINE = {454: 0.3, 323: 0.9, 361: 1.2, 288: 1.0, 397: 0.5}
#: AU22's eversion (cm, up for the upper lip, down for the lower), the inner lips' and the rest's
FUNNEL_INNER, FUNNEL_OUTER = 0.1, 0.25
_INNER_LIPS = frozenset(rg.LIPS_UPPER_INNER + rg.LIPS_LOWER_INNER)
#: the lips' corners (the outer and inner contours' ends and the middle rings' ends beside
#: them), which stay at their height
_LIP_CORNERS = frozenset((61, 291, 78, 308, 184, 408, 183, 407))


def _funnel(i: int, upper: list[int]) -> float:
    """How far AU22 moves lip point `i` up (down: negative)."""
    if i in _LIP_CORNERS:
        return 0.0
    size = FUNNEL_INNER if i in _INNER_LIPS else FUNNEL_OUTER
    return size if i in upper else -size


def _authored(a: _Author) -> dict[str, tuple[Handles, float]]:
    """Handles and reach (cm) of each left-side or bilateral field."""
    v = a.v
    inner_brow = a.both(rg.BROW_INNER)
    lower_lip = list(rg.LIPS_LOWER_OUTER[4:]) + list(rg.LIPS_LOWER_INNER[4:]) + [307, 320, 404,
                                                                              315, 16, 325,
                                                                              319, 403, 316, 15]
    upper_lip_l = [267, 269, 270, 409, 312, 311, 310, 415, 302, 303, 304, 408, 268, 271, 272,
                   407]
    corner = [291, 308]
    near_corner = [409, 375, 415, 324, 407, 408, 325, 307, 306, 292, 287, 273, 335, 322]
    cheek = a.select(x=(2.8, 6.0), y=(-3.2, 1.2), z=(2.0, 9))
    upper_lips = a.both(list(rg.LIPS_UPPER_OUTER) + list(rg.LIPS_UPPER_MID)
                        + list(rg.LIPS_UPPER_INNER))
    lower_lips = a.both(list(rg.LIPS_LOWER_OUTER) + list(rg.LIPS_LOWER_MID)
                        + list(rg.LIPS_LOWER_INNER))
    chin = a.select(x=(-2.2, 2.2), y=(-9.5, -6.3), z=(3.5, 9))
    puff_outline = {**PUFF_OUTLINE, **{int(a.mirror[i]): out for i, out in PUFF_OUTLINE.items()}}
    # full-intensity (E) displacements in cm, near the largest seen on real faces: smile
    # corners ~1.2 cm, brows ~1 cm, lids closing fully, jaw 24 degrees (AU26) + 14 (AU27)
    fields: dict[str, tuple[Handles, float]] = {
        "AU1": (_merge(_h(inner_brow, (0, 0.9, 0.08)),
                       _h(a.both([107, 66, 105]), (0, 0.6, 0)),
                       _h(a.both([9, 151, 108, 69]), (0, 0.3, 0)),
                       *a.lid_margins(0.1)), 3.2),
        "AU2": (_merge(_h(rg.BROW_OUTER, (0.08, 0.95, 0.0)), _h([334, 293, 283], (0, 0.7, 0)),
                       _h(rg.EYE_UPPER2[:4], (0, 0.3, 0)), *a.lid_margins(0.05, both=False)),
                3.0),
        "AU4": (_merge(_h(rg.BROW_INNER, (-0.4, -0.45, 0.12)),
                       _h(rg.BROW_UPPER, (-0.35, -0.55, 0.08)),
                       _h(rg.BROW_LOWER, (-0.35, -0.55, 0.08)),
                       _h(rg.EYE_UPPER2, (-0.1, -0.25, 0.0)),
                       _h([8, 9], (0, -0.2, 0))), 2.8),
        "AU5": (_merge(_h(rg.EYE_UPPER0, (0, 0.42, 0.03)), _h(rg.EYE_UPPER1, (0, 0.28, 0)),
                       _h(rg.EYE_UPPER2, (0, 0.1, 0))), 1.8),
        "AU6": (_merge(_h(rg.EYE_LOWER3, (0, 0.5, 0.15)), _h(rg.EYE_LOWER2, (0, 0.35, 0.1)),
                       _h(rg.EYE_LOWER1, (0, 0.22, 0.04)), _h(rg.EYE_LOWER0[1:-1], (0, 0.14, 0)),
                       _h(cheek, (0.0, 0.45, 0.2)),
                       _h([359, 446, 342, 467], (-0.18, 0.04, 0))), 2.8),
        "AU7": (_merge(_h(rg.EYE_LOWER0[1:-1], (0, 0.3, 0.03)),
                       _h(rg.EYE_LOWER1[1:-1], (0, 0.18, 0)),
                       _h(rg.EYE_UPPER0, (0, -0.14, 0))), 1.6),
        "AU9": (_merge(_h(rg.NOSE_WING[:10], (0.0, 0.42, 0.03)), _h([279, 358, 429], (0, 0.45, 0)),
                       _h(rg.NOSE_LEFT[:4], (0, 0.15, -0.05)), _h([285, 417, 295], (0, -0.3, 0)),
                       _h([267, 269, 0, 37], (0, 0.25, 0))), 2.4),
        "AU10": (_merge(_h(upper_lip_l, (0, 0.6, 0.08)), _h([0, 11, 12, 13], (0, 0.3, 0.03)),
                        _h([327, 294], (0, 0.18, 0)), _h(corner, (0, 0.15, 0))), 2.4),
        "AU12": (_merge(_h(corner, (0.75, 0.9, -0.4)), _h(near_corner, (0.5, 0.6, -0.25)),
                        _h(cheek, (0.12, 0.35, 0.12))), 3.2),
        "AU14": (_merge(_h(corner, (0.3, 0.05, -0.6)), _h(near_corner, (0.18, 0.03, -0.35)),
                        _h([432, 436, 434], (0.0, 0.0, -0.25))), 2.4),
        "AU15": (_merge(_h(corner, (0.12, -0.75, 0.0)), _h(near_corner, (0.08, -0.45, 0.0)),
                        _h([321, 405, 375], (0, -0.35, 0))), 2.6),
        "AU16": (_merge(_h(lower_lip, (0.05, -0.6, 0.15)), _h([17, 14, 15, 16], (0, -0.25, 0.08)),
                        _h(corner, (0, -0.08, 0))), 2.2),
        "AU17": (_merge(_h(chin, (0, 0.55, 0.25)), _h(lower_lips, (0, 0.4, 0.25))), 3.5),
        "AU18": (_merge({i: d + np.array([0.0, 0.0, 0.6]) for i, d in
                         a.towards_midline(upper_lips + lower_lips, 0.35).items()}), 3.0),
        "AU20": (_merge(_h(corner, (0.85, -0.15, -0.15)), _h(near_corner, (0.55, -0.1, -0.1))),
                 2.8),
        # the lips pushed out and turned outwards, parted a little: the inner lips 1 mm each
        # way, the rest 2.5 mm (keyed by which lip a point is on: keyed by height, the closed
        # mouth's lower inner lip rose with the upper one and the lower lip stretched by half)
        "AU22": (_merge({i: d + np.array([0.0, _funnel(i, upper_lips), 0.5])
                         for i, d in a.towards_midline(upper_lips + lower_lips, 0.25).items()}),
                 2.6),
        "AU23": (_merge(_h(a.both(rg.LIPS_UPPER_OUTER[1:-1]), (0, -0.2, -0.05)),
                        _h(a.both(rg.LIPS_LOWER_OUTER), (0, 0.2, -0.05)),
                        a.towards_midline(a.both(corner), 0.08)), 1.8),
        "AU24": (_merge(_h(a.both(rg.LIPS_UPPER_OUTER[1:-1]), (0, -0.2, -0.15)),
                        _h(a.both(rg.LIPS_LOWER_OUTER), (0, 0.22, -0.15)),
                        _h(a.both(rg.LIPS_UPPER_INNER[1:-1]), (0, -0.05, -0.05)),
                        _h(a.both(rg.LIPS_LOWER_INNER), (0, 0.05, -0.05))), 2.0),
        "AU25": (_merge(a.tapered(a.both(rg.LIPS_UPPER_INNER[1:-1]), (0, 0.3, 0), UPPER_TAPER),
                        a.tapered(a.both(rg.LIPS_UPPER_MID), (0, 0.2, 0), UPPER_TAPER),
                        a.tapered(a.both(rg.LIPS_LOWER_INNER), (0, -0.45, 0), LIPS_TAPER),
                        a.tapered(a.both(rg.LIPS_LOWER_MID), (0, -0.34, 0), LIPS_TAPER),
                        a.tapered(a.both(rg.LIPS_LOWER_OUTER), (0, -0.22, 0), LIPS_TAPER)),
                 1.8),
        "AU27": (_merge(a.towards_midline(a.both(corner + near_corner), 0.2),), 2.0),
        "AU28U": (_merge(_h(a.both(rg.LIPS_UPPER_OUTER[1:-1]), (0, -0.32, -0.45)),
                         _h(a.both(rg.LIPS_UPPER_MID), (0, -0.22, -0.38))), 1.6),
        "AU28D": (_merge(_h(a.both(rg.LIPS_LOWER_OUTER), (0, 0.32, -0.45)),
                         _h(a.both(rg.LIPS_LOWER_MID), (0, 0.22, -0.38))), 1.6),
        "AU34": (_merge(_h(upper_lips + lower_lips, (0, 0, 0.15)),  # closed, pushed out a
                        {i: np.array([np.sign(v[i, 0]) * 0.8, -0.05, 0.45])  # little by the air
                         for i in a.both(a.select(x=(2.6, 5.8), y=(-5.0, -0.8)))},
                        {i: np.array([np.sign(v[i, 0]) * out, 0.0, 0.0])
                         for i, out in puff_outline.items()}), 3.2),
        "AU45": (a.blink(), BLINK_REACH),
    }
    return fields


def _mirror_handles(h: Handles, mirror: np.ndarray) -> Handles:
    flip = np.array([-1.0, 1.0, 1.0])
    return {int(mirror[i]): d * flip for i, d in h.items()}


def build_fields(skin: np.ndarray, mirror: np.ndarray, laplacian) -> dict[str, np.ndarray]:
    """The displacement field (468, 3) of every AU parameter that is a field."""
    author = _Author(skin, mirror)
    out: dict[str, np.ndarray] = {}
    for name, (handles, reach) in _authored(author).items():
        for key, hs in _sides(name, handles, mirror):
            out[key] = _solve(skin, laplacian, hs, reach)
    return out


def _sides(name: str, handles: Handles, mirror: np.ndarray):
    if name + "L" in AU_PARAMETER_KEYS:
        return [(name + "L", handles), (name + "R", _mirror_handles(handles, mirror))]
    return [(name, handles)]


def _solve(skin: np.ndarray, laplacian, handles: Handles, reach: float) -> np.ndarray:
    ids = np.fromiter(handles, dtype=np.intp)
    d = np.linalg.norm(skin[:, None, :] - skin[None, ids, :], axis=-1).min(axis=1)
    still = np.zeros_like(next(iter(handles.values())))
    fixed: dict[int, np.ndarray] = {int(i): still for i in np.flatnonzero(d > reach)}
    fixed.update(handles)
    return harmonic(laplacian, fixed)


def build_blink_correctives(skin: np.ndarray, mirror: np.ndarray, laplacian,
                            fields: np.ndarray) -> np.ndarray:
    """(2, K, 468, 3) for AU45L and AU45R: how much further each blink moves the lids per unit
    of each of the K `fields` (the identity fields, the other AUs' fields), so that the upper
    lid lands on the lower lid whatever they did to either (the authored blink closes the
    mean face's eyes: an identity with more open eyes kept a sliver of eye showing, a raised
    lower lid (AU6, AU7) had the upper lid sink 5 mm under it, a brow raise held the lid
    half open). The rig adds them in proportion to the blink and to those parameters.

    Only the lid's height and depth are corrected: taking each upper-lid point onto its
    partner's sideways position too slid the lid along the eye as it closed (a tilted or
    narrower eye's lids are offset sideways), which on photos, where `synth.geometric` scales
    the lid's travel to the photo's eye, smeared the lashes."""
    author = _Author(skin, mirror)
    partners = lower_lid_partners(skin)
    k = len(fields)
    upright = fields * np.array([0.0, 1.0, 1.0])
    per_vertex = upright.transpose(1, 0, 2).reshape(len(skin), k * 3)
    still = np.zeros(k * 3)
    out = []
    for side in (np.arange(len(skin)), mirror):  # the left eye, then its mirror image
        below = per_vertex[side[partners]]
        upper = {i: below[row] - per_vertex[side[i]] for row, i in enumerate(rg.EYE_UPPER0)}
        handles = {int(side[i]): d
                   for i, d in author.lid_rings(upper, still, still).items()}
        field = _solve(skin, laplacian, handles, BLINK_REACH)
        out.append(field.reshape(len(skin), k, 3).transpose(1, 0, 2))
    return np.stack(out)


def jaw_weights(skin: np.ndarray, mirror: np.ndarray, laplacian) -> np.ndarray:
    """How much each skin vertex follows the mandible (0 skull .. 1 jaw)."""
    a = _Author(skin, mirror)
    on_jaw = set(a.both(list(rg.LIPS_LOWER_OUTER) + list(rg.LIPS_LOWER_INNER)
                        + list(rg.LIPS_LOWER_MID))) - {61, 291, 78, 308}
    on_jaw |= set(a.select(y=(-99, -6.0)))
    on_jaw |= set(a.both(rg.JAW_LINE[2:-2]))
    skull = set(a.both(list(rg.LIPS_UPPER_OUTER) + list(rg.LIPS_UPPER_INNER)
                       + list(rg.LIPS_UPPER_MID))) - {61, 291, 78, 308}
    skull |= set(a.select(y=(-3.2, 99)))
    skull |= set(a.both([58, 172, 132, 93, 234]))
    fixed: dict[int, float] = {i: 1.0 for i in on_jaw}
    fixed.update({i: 0.0 for i in skull if i not in on_jaw})
    w = harmonic(laplacian, fixed)
    return np.clip(w, 0.0, 1.0)

