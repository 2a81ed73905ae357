"""The game face as a base mesh with one morph target per AU parameter (for glTF export).

Rig space is already glTF's (y up, +z towards the viewer, right-handed); only the unit
changes, centimetres to metres. AU fields are linear and become their targets exactly; the jaw
parameters (AU26, AU27 rotate the mandible, AU30L/R shift it) become the displacement at full
value, so a morph-target player blends the rotation linearly (chord instead of arc), which
differs from the rig by under 2 mm at half opening. The blinks' share that follows the other
AUs (blink x AU) has no morph target: a blink together with a lid or brow raiser leaves the
eye part open in a player, and one with a lid tightener crosses the lids, where the rig
shuts them in a line. The eye sockets' inner edges take half
their motion (`SOCKET_TARGET_SHARE`), so that summed targets keep them in the eyeballs.
"""

from __future__ import annotations

import numpy as np

from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.model import FaceRig, RigParams, load_rig
from auedit.rig.texture import detail_texture, texture_uvs, textured_colors

CM_TO_M = 0.01
#: the share of their own motion under each AU that the sockets' inner edges take as targets
SOCKET_TARGET_SHARE = 0.5


def morph_targets(rig: FaceRig, identity: np.ndarray | None = None,
                  ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray,
                             np.ndarray, np.ndarray]:
    """(base vertices (V, 3) m, triangles, {AU parameter key: deltas (V, 3) m}, colours,
    texture coordinates, texture): the textured look (`auedit.rig.texture`), whose texture
    multiplies the vertex colours as glTF's base colour texture does."""
    base = RigParams.neutral(1)
    if identity is not None:
        base.identity[0] = identity
    neutral = rig.shape(base)[0]
    n = len(AU_PARAMETER_KEYS)
    full = RigParams(np.repeat(base.pose, n, 0), np.eye(n), np.repeat(base.identity, n, 0))
    shapes = rig.shape(full)
    deltas = shapes - neutral
    for _lid, _rim, inner in rig.mesh.sockets:
        # the rig places the sockets' inner edges anew for every shape, which summed targets
        # cannot follow: AU1 + AU2 + AU5 pulled them out of the eyeball and showed the
        # background above it (400-1,000 px at 512 px); held still, the sockets covered the
        # top of the eyeball under AU5 alone
        deltas[:, inner] *= SOCKET_TARGET_SHARE
    targets = {k: deltas[i] * CM_TO_M for i, k in enumerate(AU_PARAMETER_KEYS)}
    return (neutral * CM_TO_M, rig.mesh.triangles, targets, textured_colors(rig.mesh),
            texture_uvs(rig.mesh), detail_texture(rig.mesh))


def default_morph_targets():
    """The mean face's morph targets (the mesh provider `auedit export --format gltf` uses)."""
    return morph_targets(load_rig())
