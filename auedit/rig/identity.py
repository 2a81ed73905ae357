"""Identity parameters: position, orientation and scale offsets of the facial components,
as GE-Net's Justice Face has them (S = S_mean + a_id A_id + a_exp A_exp).

Each parameter is in [0, 1] with 0.5 the mean face; it moves, scales or rolls one component
(both sides together for paired ones, or in opposite directions for the asymmetry
parameters) by up to `amount` at 0 or 1, and a harmonic field carries the change smoothly
into the surrounding skin while the other components stay put.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auedit.rig import regions as rg
from auedit.rig.fields import harmonic


@dataclass(frozen=True)
class IdentityParameter:
    name: str
    component: str
    kind: str  # "move", "scale" or "roll"
    axis: int  # 0 x, 1 y, 2 z (ignored for roll, which turns about z)
    amount: float  # cm for move, fraction for scale, radians for roll, at parameter 0 or 1
    paired: str = "sym"  # "sym": mirror side mirrored; "asym": mirrored side opposite; "": one


P = IdentityParameter
IDENTITY_PARAMETERS: tuple[IdentityParameter, ...] = (
    P("eye_separation", "eye", "move", 0, 0.45), P("eye_height", "eye", "move", 1, 0.4),
    P("eye_depth", "eye", "move", 2, 0.3), P("eye_size", "eye", "scale", -1, 0.15),
    P("eye_width", "eye", "scale", 0, 0.15), P("eye_openness", "eye", "scale", 1, 0.25),
    P("eye_tilt", "eye", "roll", 2, 0.15), P("eye_height_asymmetry", "eye", "move", 1, 0.15,
                                             "asym"),
    P("brow_height", "brow", "move", 1, 0.5), P("brow_separation", "brow", "move", 0, 0.3),
    P("brow_tilt", "brow", "roll", 2, 0.2), P("brow_thickness", "brow", "scale", 1, 0.3),
    P("brow_depth", "brow", "move", 2, 0.3),
    P("nose_height", "nose", "move", 1, 0.4, ""), P("nose_length", "nose", "scale", 1, 0.15, ""),
    P("nose_width", "nose", "scale", 0, 0.25, ""), P("nose_projection", "nose_tip", "move", 2,
                                                     0.5, ""),
    P("nose_tip_height", "nose_tip", "move", 1, 0.25, ""),
    P("nose_shift", "nose", "move", 0, 0.2, ""),
    P("mouth_height", "mouth", "move", 1, 0.5, ""), P("mouth_width", "mouth", "scale", 0, 0.2,
                                                      ""),
    P("mouth_depth", "mouth", "move", 2, 0.35, ""),
    P("upper_lip_thickness", "upper_lip", "move", 1, 0.18, ""),
    P("lower_lip_thickness", "lower_lip", "move", 1, -0.2, ""),
    P("mouth_roll", "mouth", "roll", 2, 0.08, ""),
    P("jaw_width", "jaw", "scale", 0, 0.15, ""), P("jaw_length", "jaw", "move", 1, -0.6, ""),
    P("jaw_angle_width", "jaw_angle", "move", 0, 0.5),
    P("chin_height", "chin", "move", 1, 0.45, ""), P("chin_width", "chin", "scale", 0, 0.3, ""),
    P("chin_projection", "chin", "move", 2, 0.5, ""), P("chin_shift", "chin", "move", 0, 0.3, ""),
    P("cheek_width", "cheek", "move", 0, 0.4), P("cheek_height", "cheek", "move", 1, 0.35),
    P("cheek_fullness", "cheek", "move", 2, 0.4),
    P("face_width", "face", "scale", 0, 0.1, ""), P("face_length", "face", "scale", 1, 0.08, ""),
    P("forehead_height", "forehead", "move", 1, 0.6, ""),
    P("temple_width", "temple", "move", 0, 0.4), P("face_depth", "face", "scale", 2, 0.1, ""),
)
IDENTITY_KEYS: tuple[str, ...] = tuple(p.name for p in IDENTITY_PARAMETERS)


def _components(v: np.ndarray, mirror: np.ndarray) -> dict[str, tuple[list[int], float]]:
    """Component -> (left-side or midline core vertices, reach in cm)."""

    def sel(x=(-99, 99), y=(-99, 99), z=(-99, 99)) -> list[int]:
        m = ((v[:, 0] >= x[0]) & (v[:, 0] <= x[1]) & (v[:, 1] >= y[0]) & (v[:, 1] <= y[1])
             & (v[:, 2] >= z[0]) & (v[:, 2] <= z[1]))
        return np.flatnonzero(m).tolist()

    def both(ids) -> list[int]:
        return sorted(set(ids) | {int(mirror[i]) for i in ids})

    eye = list(rg.EYE_UPPER0 + rg.EYE_LOWER0 + rg.EYE_UPPER1 + rg.EYE_LOWER1 + rg.EYE_UPPER2
               + rg.EYE_LOWER2)
    lips = both(rg.LIPS_UPPER_OUTER + rg.LIPS_LOWER_OUTER + rg.LIPS_UPPER_INNER
                + rg.LIPS_LOWER_INNER + rg.LIPS_UPPER_MID + rg.LIPS_LOWER_MID)
    return {
        "eye": (eye, 1.6),
        "brow": (list(rg.BROW_UPPER + rg.BROW_LOWER), 1.8),
        "nose": (both(rg.NOSE_MIDLINE[2:] + rg.NOSE_WING + rg.NOSE_LEFT), 1.5),
        "nose_tip": (both([1, 4, 19, 94, 2, 44, 45, 274, 275, 218, 438]), 1.4),
        "mouth": (lips, 1.6),
        "upper_lip": (both(rg.LIPS_UPPER_OUTER[1:-1]), 0.8),
        "lower_lip": (both(rg.LIPS_LOWER_OUTER), 0.8),
        "jaw": (sel(y=(-99, -5.8)), 2.0),
        "jaw_angle": ([288, 397, 365, 361, 435, 401], 2.5),
        "chin": (sel(x=(-2.4, 2.4), y=(-99, -6.6)), 1.8),
        "cheek": (sel(x=(3.0, 6.0), y=(-3.0, 0.8), z=(2.0, 99)), 2.0),
        "face": (list(range(len(v))), 0.0),
        "forehead": (sel(y=(5.8, 99)), 2.0),
        "temple": (sel(x=(6.0, 99), y=(1.0, 99)), 2.0),
    }


def _core_displacement(p: IdentityParameter, pts: np.ndarray, centre: np.ndarray,
                       sign: float) -> np.ndarray:
    if p.kind == "move":
        d = np.zeros_like(pts)
        d[:, p.axis] = p.amount * (sign if p.axis == 0 else 1.0)
        return d
    if p.kind == "scale":
        d = (pts - centre) * p.amount
        if p.axis >= 0:
            mask = np.zeros(3)
            mask[p.axis] = 1.0
            d *= mask
        return d
    angle = p.amount * sign  # roll: rotation about z
    rel = pts - centre
    return np.stack([-rel[:, 1] * angle, rel[:, 0] * angle, np.zeros(len(rel))], axis=1)


def build_identity_fields(skin: np.ndarray, mirror: np.ndarray, laplacian) -> np.ndarray:
    """(n_identity, 468, 3): the displacement of each identity parameter going from 0.5 to 1."""
    comps = _components(skin, mirror)
    out = []
    for p in IDENTITY_PARAMETERS:
        core, reach = comps[p.component]
        if p.component == "face":
            centre = np.array([0.0, skin[:, 1].mean(), skin[:, 2].mean()])
            out.append(_core_displacement(p, skin, centre, 1.0))
            continue
        sides = [(core, False)]
        if p.paired:
            sides.append(([int(mirror[i]) for i in core], True))
        fixed: dict[int, np.ndarray] = {}
        for ids, mirrored in sides:
            pts = skin[ids]
            disp = _core_displacement(p, pts, pts.mean(axis=0), -1.0 if mirrored else 1.0)
            if mirrored and p.paired == "asym":
                disp = -disp
            fixed.update({int(i): d for i, d in zip(ids, disp, strict=True)})
        ids = np.fromiter(fixed, dtype=np.intp)
        dist = np.linalg.norm(skin[:, None] - skin[None, ids], axis=-1).min(axis=1)
        for i in np.flatnonzero(dist > reach):
            fixed.setdefault(int(i), np.zeros(3))
        out.append(harmonic(laplacian, fixed))
    return np.stack(out)
