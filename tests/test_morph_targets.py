"""The game face's morph targets (`auedit.rig.morph_targets`) as a glTF player sums them."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.export.gltf import frame_weight
from auedit.export.track import TrackFrame
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.model import RigParams, load_rig
from auedit.rig.morph_targets import CM_TO_M, morph_targets


@pytest.fixture(scope="module")
def rig_and_targets():
    rig = load_rig()
    return rig, morph_targets(rig)


def _player(targets: tuple, rig_values: dict[str, float]) -> np.ndarray:
    """The mesh a glTF player shows (m): base + each target x its exported weight."""
    base, _, deltas = targets[:3]
    frame = TrackFrame(0, 0.0, rig=rig_values)
    return base + sum(frame_weight(frame, name) * d for name, d in deltas.items())


def _rig(rig, rig_values: dict[str, float]) -> np.ndarray:
    p = RigParams.neutral(1)
    for key, value in rig_values.items():
        p.au[0, AU_PARAMETER_KEYS.index(key)] = value
    return rig.shape(p)[0] * CM_TO_M


def test_every_au_parameter_has_a_target_and_the_blinks_their_correctives(rig_and_targets):
    _, targets = rig_and_targets
    names = list(targets[2])
    assert names[:len(AU_PARAMETER_KEYS)] == list(AU_PARAMETER_KEYS)
    correctives = names[len(AU_PARAMETER_KEYS):]
    assert {"AU45L*AU7L", "AU45R*AU7R", "AU45L*AU5L", "AU45L*AU1"} <= set(correctives)
    assert all(c.split("*")[0] in ("AU45L", "AU45R") for c in correctives)
    assert "AU45L*AU26" not in correctives  # the jaw does not move the lids


@pytest.mark.parametrize("other", ["AU7L", "AU5L", "AU1", "AU6L", "AU4L"])
def test_a_blink_with_another_au_shuts_the_eye_in_a_player_as_in_the_rig(rig_and_targets,
                                                                          other):
    """The player's lids land where the rig's do, at full and at half values (before the
    correctives, 5-7 mm off with the lid raiser or tightener)."""
    rig, targets = rig_and_targets
    lids = np.flatnonzero(np.abs(targets[2]["AU45L"]).max(axis=1) > 1e-4)
    inner = np.concatenate([i for _, _, i in rig.mesh.sockets])
    lids = np.setdiff1d(lids, inner)  # the sockets' inner edges take half their motion
    for value in (1.0, 0.5):
        values = {"AU45L": value, other: value}
        off = np.linalg.norm(_player(targets, values) - _rig(rig, values), axis=1)[lids]
        assert off.max() < 2e-4, (value, off.max())
