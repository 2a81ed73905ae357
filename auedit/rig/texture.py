"""The game face's textured look: brows, lid margins and irises painted in a texture.

The flat look colours the brows at their vertices, and per-vertex colours blend across
MediaPipe's mesh triangles (Gouraud shading), which are up to a centimetre wide around the
brows: the brows come out as a dark smear down to the eyelids, their inner vertices draw a dark
streak down the nose's bridge, and nothing marks the lid margins, so the eyes read half shut.
Painted in texture space (MediaPipe's own UV layout, which the canonical mesh carries) they get
smooth, sharp edges at any render size. The texture multiplies the vertex colours (1 where
nothing is painted), whose brows go back to skin (`textured_colors`): the lips keep their
vertex colours, whose soft edge MediaPipe reads mouth AUs on (painted sharp, one-sided smiles
and lip raisers moved its blendshapes by less than half as much). The shipped models were
trained on the flat look, which training and the render benchmarks keep (`FaceRenderer`'s
`look`); the textured look is what people see. The eyeballs' pupils and irises, coloured at
coarse sphere vertices in the flat look, are painted in a disc of the same texture, which the
face's UV layout leaves free (`EYE_DISC`, `eye_uvs`).
"""

from __future__ import annotations

import cv2
import numpy as np

from auedit.rig import regions as rg
from auedit.rig.topology import (
    BROW,
    IRIS,
    IRIS_ANGLE,
    PUPIL,
    PUPIL_ANGLE,
    SCLERA,
    SKIN,
    RigMesh,
)

#: The texture's side in pixels at most: renderers take about two texels per pixel of the face
#: (`FaceRenderer`), and a 512 px render of the face covers about 400 of these across.
TEXTURE_PX = 1024
#: The subject's left brow as MediaPipe outlines it: its upper contour outwards-in, then the
#: lower contour back (the right brow is the mirror image).
BROW_OUTLINE = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
#: The upper lid's margin corner to corner (outer corner, EYE_UPPER0, inner corner)...
LID_MARGIN = (263, *rg.EYE_UPPER0, 362)
#: ...drawn this dark, this thick (share of the texture's side) and faded towards the corners.
LASH = np.array([0.16, 0.11, 0.09])
LASH_WIDTH = 0.006
#: The lower lid's margin, a shade darker than the skin.
LOWER_LID = rg.EYE_LOWER0
LOWER_LID_TONE = 0.82
#: Edge softness of painted features (share of the texture's side).
SOFTNESS = 0.0025
#: The eyeballs' pupil and iris are painted in a disc in the texture's top-left corner, which
#: the face's UV layout leaves free (its v starts at 0.107): centre (u, v) and radius, shares
#: of the texture's side. Coloured at the eyeball's coarse vertices they were a blurred brown
#: smudge; painted, they get a sharp, round edge and a darker ring at the iris's rim.
EYE_DISC = (0.05, 0.05, 0.045)
#: The disc's radius stands for this angle from the eyeball's front (radians); eyeball
#: vertices farther round lie on its rim, in the white (left without coordinates, they were
#: exported as (0, 0), and the triangles between them and the front sampled across the iris).
EYE_DISC_ANGLE = 1.0
#: The iris darkens towards its rim, to this share of its colour.
LIMBUS = 0.55


def detail_texture(mesh: RigMesh, size: int = TEXTURE_PX) -> np.ndarray:
    """(size, size, 3) float32 factors on the vertex colours over the mesh's UV square (u right,
    v down): brows and lid margins darker than the skin, the pupil and iris in the eye disc
    (`EYE_DISC`) on the white, 1 elsewhere."""
    uv = mesh.uvs[: len(mesh.mirror)] * size
    mirror = mesh.mirror
    out = np.empty((size, size, 3), np.float32)
    out[:] = SKIN
    for side in (np.arange(len(mirror)), mirror):
        _paint(out, _fill(uv[side[list(BROW_OUTLINE)]], size), BROW, size)
        _paint(out, _line(uv[side[list(LOWER_LID)]], size, LASH_WIDTH / 2), SKIN * LOWER_LID_TONE,
               size)
        _paint(out, _line(uv[side[list(LID_MARGIN)]], size, LASH_WIDTH), LASH, size)
    out /= SKIN.astype(np.float32)
    _paint_eye(out, size)
    return out


def _paint_eye(out: np.ndarray, size: int) -> None:
    """The pupil and the iris, darker towards its rim, as factors on the white, in the disc."""
    u, v, radius = (np.array(EYE_DISC) * size).tolist()
    box = int(np.ceil(v + radius)) + 2
    ys, xs = np.mgrid[0:box, 0:box].astype(np.float32) + 0.5
    angle = np.hypot(xs - u, ys - v) / radius * EYE_DISC_ANGLE
    soft = EYE_DISC_ANGLE / radius  # about a texel
    iris = np.clip((IRIS_ANGLE - angle) / soft + 0.5, 0.0, 1.0)[..., None]
    pupil = np.clip((PUPIL_ANGLE - angle) / soft + 0.5, 0.0, 1.0)[..., None]
    rim = np.clip((angle - PUPIL_ANGLE) / (IRIS_ANGLE - PUPIL_ANGLE), 0.0, 1.0)[..., None]
    colour = IRIS * (1.0 - (1.0 - LIMBUS) * rim ** 3)
    colour = pupil * PUPIL + (1.0 - pupil) * colour
    factor = (iris * colour + (1.0 - iris) * SCLERA) / SCLERA
    out[:box, :box] = factor.astype(np.float32)


def eye_uvs(mesh: RigMesh) -> np.ndarray:
    """(V, 2) texture coordinates of the eyeballs' vertices in the eye disc (the angle from
    the eyeball's front as the distance from the disc's centre, up to its rim at
    `EYE_DISC_ANGLE`; the direction round the front as the direction from it), nan
    elsewhere."""
    out = np.full((mesh.n_vertices, 2), np.nan)
    for ids, centre in zip(mesh.eyeballs, mesh.eye_centres, strict=True):
        d = mesh.vertices[ids] - centre
        angle = np.arccos(np.clip(d[:, 2] / np.linalg.norm(d, axis=1), -1.0, 1.0))
        turn = np.arctan2(d[:, 1], d[:, 0])
        r = np.minimum(angle / EYE_DISC_ANGLE, 1.0) * EYE_DISC[2]
        out[ids] = np.stack([EYE_DISC[0] + r * np.cos(turn), EYE_DISC[1] + r * np.sin(turn)],
                            axis=1)
    return out


def texture_uvs(mesh: RigMesh) -> np.ndarray:
    """(V, 2) the detail texture's coordinates: the skin's (MediaPipe's layout) and the
    eyeballs' (`eye_uvs`), nan elsewhere."""
    eyes = eye_uvs(mesh)
    return np.where(np.isnan(eyes), mesh.uvs, eyes)


def textured_colors(mesh: RigMesh) -> np.ndarray:
    """The mesh's vertex colours with the brows back to skin and the eyeballs white, for the
    detail texture."""
    colors = np.where(np.isclose(mesh.vertex_colors, BROW).all(axis=1)[:, None], SKIN,
                      mesh.vertex_colors)
    colors[mesh.eyeballs.ravel()] = SCLERA
    return colors


def painted_uvs(mesh: RigMesh, texture: np.ndarray) -> np.ndarray:
    """The mesh's texture coordinates (`texture_uvs`) where a triangle can show something
    painted in `texture`: the eyeballs, and the skin's triangles whose UV box meets
    the box of the texels painted on the skin; nan elsewhere. The renderer samples the
    texture only on triangles whose corners all have coordinates, which spares the sampling
    on most of the face."""
    size = np.array(texture.shape[1::-1], np.float64)
    painted = np.abs(texture - 1.0).max(axis=2) > 1e-3
    disc = int(np.ceil((EYE_DISC[1] + EYE_DISC[2]) * size[1])) + 2
    painted[:disc, :disc] = False  # the eye disc: the eyeballs' own
    rows, cols = np.nonzero(painted)
    lo, hi = np.array([cols.min(), rows.min()]) / size, np.array([cols.max(), rows.max()]) / size
    tris = mesh.triangles[~np.isnan(mesh.uvs[mesh.triangles]).any(axis=(1, 2))]
    corners = mesh.uvs[tris]
    meets = ((corners.max(axis=1) >= lo) & (corners.min(axis=1) <= hi)).all(axis=1)
    out = eye_uvs(mesh)
    keep = np.unique(tris[meets])
    out[keep] = mesh.uvs[keep]
    return out


def _rounded(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """A closed polygon with its corners cut (Chaikin): the landmarks' straight segments
    become a smooth outline inside them."""
    for _ in range(rounds):
        nxt = np.roll(points, -1, axis=0)
        points = np.stack([0.75 * points + 0.25 * nxt, 0.25 * points + 0.75 * nxt], axis=1
                          ).reshape(-1, 2)
    return points


def _fill(points: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [np.round(_rounded(points) * 16).astype(np.int32)], 255, cv2.LINE_AA,
                 shift=4)
    return mask


def _line(points: np.ndarray, size: int, width: float) -> np.ndarray:
    """A polyline thickest in its middle and tapering to its ends."""
    mask = np.zeros((size, size), np.uint8)
    n = len(points) - 1
    for i in range(n):
        taper = np.sin(np.pi * (i + 0.5) / n) ** 0.5
        thickness = max(1, round(width * size * taper))
        a, b = (tuple(np.round(p * 16).astype(int).tolist()) for p in points[i:i + 2])
        cv2.line(mask, a, b, 255, thickness, cv2.LINE_AA, shift=4)
    return mask


def _paint(out: np.ndarray, mask: np.ndarray, colour: np.ndarray, size: int) -> None:
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), SOFTNESS * size)
    out += alpha[..., None] * (np.asarray(colour, np.float32) - out)
