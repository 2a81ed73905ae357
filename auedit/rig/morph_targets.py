"""The game face as a base mesh with one morph target per AU parameter (for glTF export).

Rig space is already glTF's (y up, +z towards the viewer, right-handed); only the unit
changes, centimetres to metres. AU fields are linear and become their targets exactly; the jaw
parameters (AU26, AU27 rotate the mandible, AU30L/R shift it) become the displacement at full
value, so a morph-target player blends the rotation linearly (chord instead of arc), which
differs from the rig by under 2 mm at half opening. The blinks' share that follows the other
AUs (blink x AU, bilinear) becomes corrective targets named `AU45L*AU7L` (the glTF exporter
weights them by the product of the two parameters): without them a blink together with a
lid or brow raiser left the eye open by up to 7 mm in a player, and one with the lid
tightener crossed the lids by 5 mm, where the rig shuts them in a line. The eye sockets'
inner edges take half their motion (`SOCKET_TARGET_SHARE`), so that summed targets keep
them in the eyeballs.
"""

from __future__ import annotations

import numpy as np

from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.model import FaceRig, RigParams, load_rig
from auedit.rig.texture import detail_texture, texture_uvs, textured_colors

CM_TO_M = 0.01
#: the share of their own motion under each AU that the sockets' inner edges take as targets
SOCKET_TARGET_SHARE = 0.5
#: the blinks, whose products with the other AUs get corrective targets
BLINKS = ("AU45L", "AU45R")
#: a blink x AU product that moves no vertex further than this (m) gets no target (the
#: products are 0.07-0.74 cm or nothing)
MIN_CORRECTIVE_M = 5e-5


def morph_targets(rig: FaceRig, identity: np.ndarray | None = None,
                  ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray,
                             np.ndarray, np.ndarray]:
    """(base vertices (V, 3) m, triangles, {AU parameter key, or blink*key for the blink x
    AU correctives: deltas (V, 3) m}, colours, texture coordinates, texture): the textured
    look (`auedit.rig.texture`), whose texture multiplies the vertex colours as glTF's base
    colour texture does."""
    base = RigParams.neutral(1)
    if identity is not None:
        base.identity[0] = identity
    keys = list(AU_PARAMETER_KEYS)
    n = len(keys)
    # each AU alone, then each blink with each other AU
    pairs = [(b, k) for b in BLINKS for k in keys if k not in BLINKS]
    au = np.zeros((1 + n + len(pairs), n))
    au[1:n + 1] = np.eye(n)
    for row, pair in enumerate(pairs, start=n + 1):
        au[row, [keys.index(k) for k in pair]] = 1.0
    m = len(au)
    shapes = rig.shape(RigParams(np.repeat(base.pose, m, 0), au, np.repeat(base.identity, m, 0)))
    deltas = shapes[1:] - shapes[0]
    alone = dict(zip(keys, deltas[:n], strict=True))
    for (blink, key), both in zip(pairs, deltas[n:], strict=True):
        # what the pair does beyond its two targets (named as the glTF exporter reads a
        # corrective: its weight is the product of the two parameters')
        alone[f"{blink}*{key}"] = both - alone[blink] - alone[key]
    targets = {}
    for name, delta in alone.items():
        for _lid, _rim, inner in rig.mesh.sockets:
            # the rig places the sockets' inner edges anew for every shape, which summed
            # targets cannot follow: AU1 + AU2 + AU5 pulled them out of the eyeball and showed
            # the background above it (400-1,000 px at 512 px); held still, the sockets
            # covered the top of the eyeball under AU5 alone
            delta[inner] *= SOCKET_TARGET_SHARE
        if "*" not in name or np.linalg.norm(delta, axis=1).max() * CM_TO_M > MIN_CORRECTIVE_M:
            targets[name] = delta * CM_TO_M
    return (shapes[0] * CM_TO_M, rig.mesh.triangles, targets, textured_colors(rig.mesh),
            texture_uvs(rig.mesh), detail_texture(rig.mesh))


def default_morph_targets():
    """The mean face's morph targets (the mesh provider `auedit export --format gltf` uses)."""
    return morph_targets(load_rig())
