"""The game face's textured look: brows and lid margins painted in the face mesh's UV layout.

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
`look`); the textured look is what people see.
"""

from __future__ import annotations

import cv2
import numpy as np

from auedit.rig import regions as rg
from auedit.rig.topology import BROW, SKIN, RigMesh

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


def detail_texture(mesh: RigMesh, size: int = TEXTURE_PX) -> np.ndarray:
    """(size, size, 3) float32 factors on the skin's vertex colours over the mesh's UV square
    (u right, v down): brows and lid margins darker, 1 elsewhere."""
    uv = mesh.uvs[: len(mesh.mirror)] * size
    mirror = mesh.mirror
    out = np.empty((size, size, 3), np.float32)
    out[:] = SKIN
    for side in (np.arange(len(mirror)), mirror):
        _paint(out, _fill(uv[side[list(BROW_OUTLINE)]], size), BROW, size)
        _paint(out, _line(uv[side[list(LOWER_LID)]], size, LASH_WIDTH / 2), SKIN * LOWER_LID_TONE,
               size)
        _paint(out, _line(uv[side[list(LID_MARGIN)]], size, LASH_WIDTH), LASH, size)
    return out / SKIN.astype(np.float32)


def textured_colors(mesh: RigMesh) -> np.ndarray:
    """The mesh's vertex colours with the brows back to skin, for the detail texture."""
    colors = mesh.vertex_colors
    return np.where(np.isclose(colors, BROW).all(axis=1)[:, None], SKIN, colors)


def painted_uvs(mesh: RigMesh, texture: np.ndarray) -> np.ndarray:
    """The mesh's texture coordinates where a triangle can show something painted in `texture`
    (its UV box meets the painted texels' box), nan elsewhere: the renderer samples the
    texture only on triangles whose corners all have coordinates, which spares the
    sampling on most of the face."""
    size = np.array(texture.shape[1::-1], np.float64)
    rows, cols = np.nonzero(np.abs(texture - 1.0).max(axis=2) > 1e-3)
    lo, hi = np.array([cols.min(), rows.min()]) / size, np.array([cols.max(), rows.max()]) / size
    tris = mesh.triangles[~np.isnan(mesh.uvs[mesh.triangles]).any(axis=(1, 2))]
    corners = mesh.uvs[tris]
    meets = ((corners.max(axis=1) >= lo) & (corners.min(axis=1) <= hi)).all(axis=1)
    out = np.full_like(mesh.uvs, np.nan)
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
