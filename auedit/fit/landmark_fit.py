"""Fitting the game face to tracked landmarks by bounded Gauss-Newton optimisation.

Rig vertex i is MediaPipe landmark i, so the rig's 468 skin vertices, posed and projected with
a scaled orthographic camera (scale s, image shift t), should land on the tracked points.
The unknowns are head pose, AU and identity parameters (each clipped to [0, 1] after every
step, as GE-Net clips its parameters) plus s and t. Each iteration linearises the rig (its AU
and identity fields are linear; the jaw rotation and the head rotation are differentiated
numerically) and solves a damped, regularised least-squares step.

In video the previous frame's solution is the starting point and a track's identity is
frozen once it has converged (the mean of its first frames), which leaves ~45 unknowns per
frame and a few iterations: fast enough for live use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from auedit.face.pose import rotation_xyz
from auedit.rig.model import POSE_RANGE_RAD, FaceRig, RigParams

if TYPE_CHECKING:
    from auedit.rig.identity_space import IdentitySubspace
from auedit.rig.topology import N_LANDMARKS

_FLIP = np.array([1.0, -1.0, -1.0])
_Z_WEIGHT = 0.3  # MediaPipe's depth is noisier than its image positions
_EPS = 1e-3
#: Weight of the face-outline landmarks: where the face meets hair or background, MediaPipe
#: guesses (on photos and on renders alike), so the outline informs the fit only a little.
OUTLINE_WEIGHT = 0.15


def landmark_weights() -> np.ndarray:
    """(468,) per-landmark weights: 1 inside the face, OUTLINE_WEIGHT on its outline ring
    and the ring just inside it."""
    from auedit.rig.regions import SILHOUETTE

    w = np.ones(N_LANDMARKS)
    w[list(SILHOUETTE)] = OUTLINE_WEIGHT
    return w


@dataclass
class FitResult:
    params: RigParams  # batch of one
    scale: float  # pixels per cm
    shift: np.ndarray  # (3,) pixels (z: depth offset)
    rms_px: float  # root mean square landmark error in pixels
    iterations: int


@dataclass
class FitSettings:
    iterations: int = 12
    au_prior: float = 0.05  # pull of each AU parameter towards 0 (neutral)
    identity_prior: float = 0.2  # pull of identity parameters towards the mean face
    damping: float = 1e-3
    fit_identity: bool = True


def _turned(d: np.ndarray, turn: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Rig-space derivatives d (..., m, 3) on some vertices, in the fit's residual rows:
    turned by `turn` (axes, rotation, scale) and weighted like those vertices."""
    return (d.reshape(-1, 3) @ turn).reshape(d.shape) * weights


def head_rotation(pose: np.ndarray) -> np.ndarray:
    """(3, 3) rotation of the pose parameters (camera axes)."""
    rx, ry, rz = (pose - 0.5) * 2.0 * POSE_RANGE_RAD
    return rotation_xyz(rx, ry, rz)


@dataclass
class LandmarkFitter:
    """Fits one face at a time; keep one per track to warm-start from the last frame."""

    rig: FaceRig
    settings: FitSettings = field(default_factory=FitSettings)
    #: GE-Net's facial constraint: when given, identity moves only inside this subspace
    subspace: IdentitySubspace | None = None

    def __post_init__(self) -> None:
        n = N_LANDMARKS
        self._au = self.rig.au_fields[:, :n] * _FLIP  # camera axes, before rotation
        self._id = self.rig.identity_fields[:, :n] * _FLIP
        self._jaw_keys = [self.rig.au_index(k) for k in ("AU26", "AU27", "AU30L", "AU30R")]
        self._weights = landmark_weights()

    def skin(self, params: RigParams) -> np.ndarray:
        """(468, 3) un-rotated skin in camera axes for a batch of one."""
        return self.rig.shape(params, N_LANDMARKS)[0] * _FLIP

    def initial_similarity(self, landmarks: np.ndarray, params: RigParams,
                           ) -> tuple[float, np.ndarray]:
        """Scale and shift of the rotated model onto the landmarks (closed form)."""
        model = self.skin(params) @ head_rotation(params.pose[0]).T
        obs = landmarks[:N_LANDMARKS]
        mc, oc = model[:, :2].mean(axis=0), obs[:, :2].mean(axis=0)
        scale = float(np.sqrt(((obs[:, :2] - oc) ** 2).sum() / ((model[:, :2] - mc) ** 2).sum()))
        shift = np.array([oc[0] - scale * mc[0], oc[1] - scale * mc[1],
                          obs[:, 2].mean() - scale * model[:, 2].mean()])
        return scale, shift

    def fit(self, landmarks: np.ndarray, start: RigParams | None = None,
            scale_shift: tuple[float, np.ndarray] | None = None,
            settings: FitSettings | None = None) -> FitResult:
        """Fit to (>=468, 3) landmarks in pixels (x, y, and z scaled like x)."""
        cfg = settings or self.settings
        params = (start or RigParams.neutral(1)).copy()
        obs = np.asarray(landmarks, dtype=np.float64)[:N_LANDMARKS]
        if scale_shift is None:
            scale, shift = self.initial_similarity(obs, params)
        else:
            scale, shift = scale_shift[0], np.asarray(scale_shift[1], dtype=np.float64).copy()
        w = self._weights[:, None] * np.array([1.0, 1.0, _Z_WEIGHT])
        n_au = params.au.shape[1]
        fit_id = cfg.fit_identity
        space = self.subspace
        if space is not None:
            # identity parameters = low + c (high - low) in the subspace, c in [0, 1]
            span = space.basis * (space.high - space.low)  # (n_id, k)
            coeffs = np.clip(space.to_coeffs(params.identity[0]), 0.0, 1.0)
            rest = np.clip(space.to_coeffs(space.mean), 0.0, 1.0)
            params.identity[0] = space.to_identity(coeffs)
        done = 0
        for _ in range(cfg.iterations):
            done += 1
            unjawed = self.rig.before_jaw(params, N_LANDMARKS)  # the jaw's variants share it
            skin = self.rig.with_jaw(unjawed, params.au)[0] * _FLIP
            rot = head_rotation(params.pose[0])
            pred = scale * skin @ rot.T + shift
            res = ((pred - obs) * w).ravel()
            # the Jacobian's transpose, a row per unknown: its products are then plain
            # matrix products of contiguous rows (built column by column, a third of the
            # live fit's time went on copying)
            rows = np.zeros((7, N_LANDMARKS, 3))
            # head pose: numerical derivative of the rotation
            for k in range(3):
                p2 = params.pose[0].copy()
                p2[k] += _EPS
                rows[k] = scale * skin @ (head_rotation(p2) - rot).T / _EPS * w
            # scale and shift
            rows[3] = (skin @ rot.T) * w
            for k in range(3):
                rows[4 + k, :, k] = w[:, k]
            # AU and identity fields (linear but for the blinks' identity share, added on the
            # lids it moves), the jaw's nonlinear parameters numerically
            share = self.rig.blink_share(params)
            lids = share.vertices
            lid_turn = scale * rot.T * _FLIP[:, None]  # camera axes, then the head's rotation
            lid_w = w[lids]
            blinking = params.au[0, self.rig.blinks].any()  # else the share has no slope here
            j_au = (self._au.reshape(-1, 3) @ rot.T).reshape(self._au.shape) * (scale * w)
            if blinking:
                j_au[np.ix_(share.aus, lids)] += _turned(share.by_au, lid_turn, lid_w)
            for k, d in zip(self.rig.blinks, share.by_blink, strict=True):
                j_au[k, lids] += _turned(d, lid_turn, lid_w)
            for k in self._jaw_keys:
                p2 = params.copy()
                p2.au[0, k] = min(1.0, p2.au[0, k] + 0.02)
                step = p2.au[0, k] - params.au[0, k]
                if step <= 0:
                    p2.au[0, k] = params.au[0, k] - 0.02
                    step = -0.02
                # the jaw's own field (AU27 has one) is linear: added to the shared part
                field = step * self.rig.au_fields[k, :N_LANDMARKS]
                moved = self.rig.with_jaw(unjawed + field, p2.au)[0] * _FLIP
                j_au[k] = scale * ((moved - skin) / step) @ rot.T * w
            blocks = [rows.reshape(7, -1), j_au.reshape(n_au, -1)]
            if fit_id:
                j_id = (self._id.reshape(-1, 3) @ rot.T).reshape(self._id.shape) * (2.0 * scale * w)
                if blinking:
                    j_id[np.ix_(share.identities, lids)] += 2.0 * _turned(
                        share.by_identity, lid_turn, lid_w)
                j_id = j_id.reshape(len(self._id), -1)
                blocks.append(span.T @ j_id if space is not None else j_id)
            jac_t = np.concatenate(blocks)
            # priors as extra residual rows: AU -> 0, identity -> 0.5 (in units of pixels)
            unit = scale * 0.5  # half a centimetre of landmark error per unit of parameter
            n_free = len(jac_t)
            prior_w = np.zeros(n_free)
            prior_r = np.zeros(n_free)
            prior_w[7:7 + n_au] = cfg.au_prior * unit
            prior_r[7:7 + n_au] = params.au[0] * cfg.au_prior * unit
            if fit_id:
                prior_w[7 + n_au:] = cfg.identity_prior * unit
                offset = coeffs - rest if space is not None else params.identity[0] - 0.5
                prior_r[7 + n_au:] = offset * cfg.identity_prior * unit
            jtj = jac_t @ jac_t.T + np.diag(prior_w ** 2 + cfg.damping * unit ** 2)
            jtr = jac_t @ res + prior_w * prior_r
            delta = -np.linalg.solve(jtj, jtr)
            params.pose[0] = np.clip(params.pose[0] + delta[:3], 0.0, 1.0)
            scale = max(1e-6, scale + delta[3])
            shift = shift + delta[4:7]
            params.au[0] = np.clip(params.au[0] + delta[7:7 + n_au], 0.0, 1.0)
            if fit_id and space is not None:
                coeffs = np.clip(coeffs + delta[7 + n_au:], 0.0, 1.0)
                params.identity[0] = space.to_identity(coeffs)
            elif fit_id:
                params.identity[0] = np.clip(params.identity[0] + delta[7 + n_au:], 0.0, 1.0)
            if np.abs(delta[7:]).max(initial=0.0) < 1e-3 and np.abs(delta[:3]).max() < 1e-4:
                break
        pred = scale * self.skin(params) @ head_rotation(params.pose[0]).T + shift
        rms = float(np.sqrt(((pred[:, :2] - obs[:, :2]) ** 2).sum(axis=1).mean()))
        return FitResult(params, float(scale), shift, rms, done)
