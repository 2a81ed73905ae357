"""The game face: S = S_mean + a_id A_id + a_exp A_exp + the blinks' share, then the jaw, then
head pose.

Parameters, each in [0, 1] as in GE-Net: head pose (pitch, yaw, roll; 0.5 is frontal, 0 and 1
are -/+28.6 degrees), AU parameters (`expressions.AU_PARAMETERS`, 0 neutral) and identity
parameters (`identity.IDENTITY_PARAMETERS`, 0.5 the mean face). Batched numpy throughout;
the shapes are linear in the AU and identity parameters except for the jaw's rotation and the
blinks, whose lid travel follows the identity's eye opening and the other AUs' lid motion
(bilinear: blink x identity, blink x AU), so that a full blink closes the eye whatever they do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from auedit.face.canonical import CanonicalFace, load_canonical_face
from auedit.face.pose import rotation_xyz
from auedit.rig.expressions import (
    AU_PARAMETER_KEYS,
    AU_PARAMETERS,
    JAW_DROP_DEG,
    JAW_SIDEWAYS_CM,
    MOUTH_STRETCH_DEG,
    build_blink_correctives,
    build_fields,
    jaw_weights,
)
from auedit.rig.fields import graph_laplacian
from auedit.rig.identity import IDENTITY_KEYS, build_identity_fields
from auedit.rig.topology import (
    EYEBALL_RADIUS,
    N_LANDMARKS,
    RigMesh,
    build_mesh,
    mouth_back_tip,
    mouth_inner,
    socket_inner,
)

BLINK_KEYS = ("AU45L", "AU45R")
POSE_RANGE_RAD = 0.5  # pose parameter 0/1 = -/+0.5 rad (28.6 degrees), as in GE-Net
_TO_CAMERA = np.array([1.0, -1.0, -1.0])  # rig space (y up, z to viewer) -> camera axes


@dataclass(frozen=True)
class BlinkShare:
    """The blinks' share of the shape's derivatives at some parameters, on the only vertices
    it moves (skin, so among the first 468) and by the only parameters that move them."""

    vertices: np.ndarray  # (m,) vertex ids
    by_blink: np.ndarray  # (2, m, 3) by each blink parameter (`BLINK_KEYS`)
    identities: np.ndarray  # (i,) identity parameter indices...
    by_identity: np.ndarray  # (i, m, 3) ...by their weight, 2 (identity - 0.5)
    aus: np.ndarray  # (a,) AU parameter indices...
    by_au: np.ndarray  # (a, m, 3) ...by their value


@dataclass
class RigParams:
    """A batch of rig parameters; every entry in [0, 1]."""

    pose: np.ndarray  # (B, 3): pitch, yaw, roll
    au: np.ndarray  # (B, n_au)
    identity: np.ndarray  # (B, n_id)

    @classmethod
    def neutral(cls, batch: int = 1) -> RigParams:
        return cls(np.full((batch, 3), 0.5), np.zeros((batch, len(AU_PARAMETERS))),
                   np.full((batch, len(IDENTITY_KEYS)), 0.5))

    def __len__(self) -> int:
        return len(self.pose)

    def copy(self) -> RigParams:
        return RigParams(self.pose.copy(), self.au.copy(), self.identity.copy())

    def au_dict(self, i: int = 0) -> dict[str, float]:
        return dict(zip(AU_PARAMETER_KEYS, self.au[i].tolist(), strict=True))


def pose_angles_deg(pose: np.ndarray) -> np.ndarray:
    """(B, 3) pose parameters -> pitch, yaw, roll in degrees (OpenFace convention)."""
    return np.rad2deg((np.asarray(pose) - 0.5) * 2.0 * POSE_RANGE_RAD)


def pose_params_from_deg(angles: np.ndarray) -> np.ndarray:
    return np.clip(np.deg2rad(np.asarray(angles)) / (2.0 * POSE_RANGE_RAD) + 0.5, 0.0, 1.0)


def _rot_x(theta: np.ndarray) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    out = np.zeros((len(theta), 3, 3))
    out[:, 0, 0] = 1.0
    out[:, 1, 1], out[:, 1, 2], out[:, 2, 1], out[:, 2, 2] = c, -s, s, c
    return out


@dataclass
class FaceRig:
    mesh: RigMesh
    au_fields: np.ndarray  # (n_au, V, 3)
    identity_fields: np.ndarray  # (n_id, V, 3)
    jaw: np.ndarray  # (V,) 0 skull .. 1 mandible
    #: (2, n_id + n_au, V, 3): the blinks' (AU45L, AU45R) share that depends on the identity
    #: weights and on the other AUs, so that the lids close on every face and whatever else
    #: the lids do (`expressions.build_blink_correctives`); zero off the eyelids
    blink_correctives: np.ndarray
    _au_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._au_index = {k: i for i, k in enumerate(AU_PARAMETER_KEYS)}
        self.blinks = [self._au_index[k] for k in BLINK_KEYS]
        moved = np.abs(self.blink_correctives).sum(axis=(0, 1, 3)) > 0
        self._blink_vertices = np.flatnonzero(moved)  # lids and the skin round them
        # the parameters (identity weights, then AUs) whose fields move the lids: a third
        by = np.flatnonzero(np.abs(self.blink_correctives).sum(axis=(0, 2, 3)) > 0)
        n_id = self.identity_fields.shape[0]
        self._blink_by = by
        self._blink_identities, self._blink_aus = by[by < n_id], by[by >= n_id] - n_id
        fields = self.blink_correctives[:, by][:, :, self._blink_vertices]
        # (2 x k, m x 3): one product per batch of shapes
        self._blink_matrix = fields.reshape(-1, 3 * len(self._blink_vertices))
        # (k, 2 x m x 3): the same share by parameter, for the blinks' derivatives
        self._blink_by_parameter = fields.transpose(1, 0, 2, 3).reshape(len(by), -1)
        self._flat_fields: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def n_vertices(self) -> int:
        return self.mesh.n_vertices

    def au_index(self, key: str) -> int:
        return self._au_index[key]

    def shape(self, params: RigParams, count: int | None = None, *,
              blink_follows_aus: bool = True) -> np.ndarray:
        """(B, V, 3) faces in rig space, before head pose; only the first `count` vertices
        when given (the 468 landmarks, for fitting). Without `blink_follows_aus` the blinks
        keep their identity share but not their AU share (see `before_jaw`)."""
        n = self.n_vertices if count is None else count
        s = self.before_jaw(params, n, blink_follows_aus=blink_follows_aus)
        s = self.with_jaw(s, np.asarray(params.au))
        return self._sockets(s) if n == self.n_vertices else s

    def before_jaw(self, params: RigParams, count: int, *,
                   blink_follows_aus: bool = True) -> np.ndarray:
        """(B, count, 3) the first `count` vertices of the faces with every AU but the jaw's
        rotation and shift (`with_jaw` adds those): the fields and the blinks' share, the
        part of it that follows the other AUs only with `blink_follows_aus`."""
        idw = (np.asarray(params.identity) - 0.5) * 2.0
        au = np.asarray(params.au)
        identity_fields, au_fields = self._fields_of(count)
        s = (self.mesh.vertices[None, :count]
             + (idw @ identity_fields + au @ au_fields).reshape(len(au), count, 3))
        blink = au[:, self.blinks]
        if blink.any():
            by = np.concatenate([idw, au if blink_follows_aus else np.zeros_like(au)], axis=1)
            by = by[:, self._blink_by]
            weights = (blink[:, :, None] * by[:, None, :]).reshape(len(au), -1)
            s[:, self._blink_vertices] += (weights @ self._blink_matrix).reshape(len(au), -1, 3)
        return s

    def _fields_of(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The identity and AU fields of the first `count` vertices, (n, count x 3) each and
        contiguous (cached): a slice of the fields copied on every call cost the live fit a
        tenth of its time."""
        if count not in self._flat_fields:
            self._flat_fields[count] = tuple(
                np.ascontiguousarray(f[:, :count].reshape(len(f), -1))
                for f in (self.identity_fields, self.au_fields))
        return self._flat_fields[count]

    def _sockets(self, s: np.ndarray) -> np.ndarray:
        """The eye sockets follow the lids: their rims on the lids' edges, their inner ends on
        the eyeballs behind them (however far the lids have moved), so that the walls line
        the gap between lid and eyeball and never cover the eyeball's front. The mouth's band
        follows the inner lips, and its back the band's inner ends."""
        mesh = self.mesh
        for (lid, rim, inner), ball in zip(mesh.sockets, mesh.eyeballs, strict=True):
            s[:, rim] = s[:, lid]
            s[:, inner] = socket_inner(s[:, lid], s[:, ball].mean(axis=1), EYEBALL_RADIUS)
        lips, rim, inner = mesh.mouth_band  # the mouth's band likewise follows the inner lips
        s[:, rim] = s[:, lips]
        s[:, inner] = mouth_inner(s[:, lips])
        back = mesh.mouth_back
        s[:, back[:-1]] = s[:, inner]
        s[:, back[-1]] = mouth_back_tip(s[:, inner])
        return s

    def blink_share(self, params: RigParams) -> BlinkShare:
        """What the blinks' share (their product with the identity weights and the other AUs)
        adds to the shape's derivatives at `params` (a batch of one); the AU and identity
        fields are the rest of them."""
        m = len(self._blink_vertices)
        idw = (np.asarray(params.identity[0]) - 0.5) * 2.0
        au = np.asarray(params.au[0])
        blink = au[self.blinks]
        by = np.concatenate([idw, au])[self._blink_by]
        by_blink = (by @ self._blink_by_parameter).reshape(-1, m, 3)
        by_parameter = (blink @ self._blink_matrix.reshape(len(blink), -1)).reshape(-1, m, 3)
        n = len(self._blink_identities)
        return BlinkShare(self._blink_vertices, by_blink, self._blink_identities,
                          by_parameter[:n], self._blink_aus, by_parameter[n:])

    def with_jaw(self, s: np.ndarray, au: np.ndarray) -> np.ndarray:
        """`before_jaw`'s faces (B, n, 3) with the jaw of the AU parameters `au` (B, n_au):
        rotated about its hinge (AU26, AU27) and shifted sideways (AU30L/R)."""
        n = s.shape[1]
        theta = np.deg2rad(JAW_DROP_DEG * au[:, self._au_index["AU26"]]
                           + MOUTH_STRETCH_DEG * au[:, self._au_index["AU27"]])
        hinge = self.mesh.hinge
        rel = s - hinge
        rotated = rel @ _rot_x(theta).transpose(0, 2, 1) + hinge
        w = self.jaw[None, :n, None]
        s = s + w * (rotated - s)
        side = JAW_SIDEWAYS_CM * (au[:, self._au_index["AU30L"]] - au[:, self._au_index["AU30R"]])
        s[..., 0] += w[..., 0] * side[:, None]
        return s

    def camera_vertices(self, params: RigParams, *, blink_follows_aus: bool = True,
                        ) -> np.ndarray:
        """(B, V, 3) posed faces in camera axes (x right, y down, z forward), centred on the
        head's origin, in cm: rotated by R = Rx(pitch) Ry(yaw) Rz(roll). `blink_follows_aus`:
        see `shape`."""
        s = self.shape(params, blink_follows_aus=blink_follows_aus) * _TO_CAMERA
        ang = np.deg2rad(pose_angles_deg(params.pose))
        rots = np.stack([rotation_xyz(*a) for a in ang])
        return np.einsum("bij,bvj->bvi", rots, s)


def _attach_extras(mesh: RigMesh, fields: np.ndarray, skin_jaw: np.ndarray,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Extend (K, 468, 3) identity fields to the extra parts, which follow the mean
    displacement of the nearest skin points (eyeballs their eye, mouth parts their lips)."""
    v = mesh.vertices
    d = np.linalg.norm(v[N_LANDMARKS:, None] - v[None, :N_LANDMARKS], axis=-1)
    nearest = np.argsort(d, axis=1)[:, :8]
    ext = fields[:, nearest].mean(axis=2)
    full = np.concatenate([fields, ext], axis=1)
    jaw = np.concatenate([skin_jaw, np.nan_to_num(mesh.jaw_attached[N_LANDMARKS:])])
    return full, jaw


def build_rig(canonical: CanonicalFace) -> FaceRig:
    mesh = build_mesh(canonical)
    skin = mesh.vertices[:N_LANDMARKS]
    lap = graph_laplacian(N_LANDMARKS, mesh.skin_triangles)
    fields = build_fields(skin, mesh.mirror, lap)
    au = np.zeros((len(AU_PARAMETERS), mesh.n_vertices, 3))
    for i, key in enumerate(AU_PARAMETER_KEYS):
        if key in fields:
            au[i, :N_LANDMARKS] = fields[key]
    skin_identity = build_identity_fields(skin, mesh.mirror, lap)
    identity, jaw = _attach_extras(mesh, skin_identity, jaw_weights(skin, mesh.mirror, lap))
    others = au[:, :N_LANDMARKS].copy()
    others[[AU_PARAMETER_KEYS.index(k) for k in BLINK_KEYS]] = 0.0  # a blink's own is none
    moving = np.concatenate([skin_identity, others])
    blink = np.zeros((len(BLINK_KEYS), len(moving), mesh.n_vertices, 3))
    blink[:, :, :N_LANDMARKS] = build_blink_correctives(skin, mesh.mirror, lap, moving)
    return FaceRig(mesh, au, identity, jaw, blink)


_RIGS: dict[int, tuple[CanonicalFace, FaceRig]] = {}


def rig_for(canonical: CanonicalFace) -> FaceRig:
    """The rig built on a canonical face (cached per canonical face object)."""
    hit = _RIGS.get(id(canonical))
    if hit is None or hit[0] is not canonical:
        hit = _RIGS[id(canonical)] = (canonical, build_rig(canonical))
    return hit[1]


@cache
def _rig_for(task_path: Path) -> FaceRig:
    return rig_for(load_canonical_face(task_path))


def load_rig(model_path: str | None = None) -> FaceRig:
    """The game face built from the installed face model's canonical mesh (cached)."""
    from auedit.face.model_file import find_face_model

    return _rig_for(find_face_model(model_path))
