"""glTF 2.0 binary (`.glb`) with morph targets and a morph-weight animation.

`write_glb` writes one mesh (one triangle primitive: POSITION, NORMAL, optional COLOR_0 and
uint32 indices) with one morph target per named delta set (POSITION deltas, accessor min/max
as the spec requires), `mesh.extras.targetNames` (the names Blender, three.js and Babylon give
the shape keys), `mesh.weights` all 0, and one animation whose channel drives the node's
`weights` (sampler: input = times in seconds, output = F x M weights, LINEAR). Blender imports
it as a mesh with animated shape keys.

With `texture` (an RGB image whose colours multiply the vertex colours, as glTF's base colour
texture does COLOR_0) and `uvs` the primitive also gets TEXCOORD_0 and a material with that
image as its base colour texture (PNG, sRGB-encoded as the spec wants).

`GltfExporter` turns an `ExpressionTrack` into such a file. It needs a face mesh with AU morph
targets from a *mesh provider*: a callable returning `(base_vertices (V, 3), triangles (T, 3),
{target name: deltas (V, 3)})`, optionally with a fourth item, vertex colours (V, 3|4), and
then a fifth and sixth, texture coordinates (V, 2) and the texture (H, W, 3, floats 0-1).
Target names are AU keys (`AU12`, `AU12L`, ...) or rig parameter names, or two of them joined
by `*` (`AU45L*AU7L`): a corrective target, weighted by the product of the two (what a pair
does beyond the sum of its targets, as the rig's blink does with a lid tightener). The rig package
registers its provider with `register_mesh_provider`; without one the export fails with a
clear message.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from auedit.core.aus import AU_BY_KEY, MAX_INTENSITY, SIDE_KEYS
from auedit.export.errors import ExportError
from auedit.export.track import ExpressionTrack, TrackFrame
from auedit.rig.readings import game_face_aus

MeshProvider = Callable[[], Sequence[Any]]

_FLOAT, _UINT = 5126, 5125  # glTF componentType
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963

_provider: MeshProvider | None = None
#: joins the two parameters of a corrective target's name (`AU45L*AU7L`)
CORRECTIVE = "*"


def register_mesh_provider(provider: MeshProvider | None) -> None:
    """Make `provider` the face mesh `auedit export --format gltf` uses (None: unregister)."""
    global _provider
    _provider = provider


def get_mesh_provider() -> MeshProvider | None:
    return _provider


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals; (0, 0, 1) for vertices on no (or degenerate) face."""
    v = np.asarray(vertices, dtype=np.float64)
    t = np.asarray(triangles, dtype=np.int64)
    fn = np.cross(v[t[:, 1]] - v[t[:, 0]], v[t[:, 2]] - v[t[:, 0]])
    n = np.zeros_like(v)
    for c in range(3):
        np.add.at(n, t[:, c], fn)
    length = np.linalg.norm(n, axis=1, keepdims=True)
    out = np.where(length > 1e-12, n / np.maximum(length, 1e-12), [0.0, 0.0, 1.0])
    return out.astype(np.float32)


class _Builder:
    """Packs arrays into one binary buffer and makes their bufferViews and accessors."""

    def __init__(self, gltf: Any) -> None:
        self.gltf = gltf
        self.blob = bytearray()

    def view(self, data: bytes, target: int | None = None) -> int:
        """`data` appended to the buffer (4-byte aligned) as a new bufferView; its index."""
        import pygltflib as g

        while len(self.blob) % 4:
            self.blob.append(0)
        self.gltf.bufferViews.append(g.BufferView(buffer=0, byteOffset=len(self.blob),
                                                  byteLength=len(data), target=target))
        self.blob += data
        return len(self.gltf.bufferViews) - 1

    def add(self, data: np.ndarray, type_: str, *, target: int | None = None,
            minmax: bool = False) -> int:
        import pygltflib as g

        data = np.ascontiguousarray(data)
        component = _UINT if data.dtype == np.uint32 else _FLOAT
        width = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}[type_]
        flat = data.reshape(-1, width)
        acc = g.Accessor(bufferView=self.view(data.tobytes(), target),
                         componentType=component, count=len(flat), type=type_)
        if minmax:
            acc.min = [float(x) for x in flat.min(axis=0)]
            acc.max = [float(x) for x in flat.max(axis=0)]
        self.gltf.accessors.append(acc)
        return len(self.gltf.accessors) - 1


def write_glb(path: str | os.PathLike[str], base_vertices: np.ndarray, triangles: np.ndarray,
              morph_targets: Mapping[str, np.ndarray], weights_over_time: np.ndarray,
              times: np.ndarray, vertex_colors: np.ndarray | None = None,
              name: str = "face", uvs: np.ndarray | None = None,
              texture: np.ndarray | None = None) -> None:
    """Write a `.glb`: one mesh with morph targets and an animation of their weights.

    `weights_over_time` is (F, M) for M = len(morph_targets) in their order, `times` (F,)
    strictly increasing seconds. `vertex_colors` (V, 3|4) are floats 0-1 or uint8. `texture`
    (H, W, 3, floats 0-1) with `uvs` (V, 2; u right, v down as glTF's; nan: none, the
    texture's corner) becomes the base colour texture.
    """
    import pygltflib as g

    verts = np.asarray(base_vertices, dtype=np.float32)
    tris = np.asarray(triangles)
    if verts.ndim != 2 or verts.shape[1] != 3 or not len(verts):
        raise ExportError(f"base vertices must be (V, 3), not {verts.shape}")
    if tris.ndim != 2 or tris.shape[1] != 3 or not len(tris):
        raise ExportError(f"triangles must be (T, 3), not {tris.shape}")
    if tris.min() < 0 or tris.max() >= len(verts):
        raise ExportError("triangle indices out of range of the vertices")
    names = list(morph_targets)
    deltas = [np.asarray(morph_targets[n], dtype=np.float32) for n in names]
    for n, d in zip(names, deltas, strict=True):
        if d.shape != verts.shape:
            raise ExportError(f"morph target {n!r} has shape {d.shape}, not {verts.shape}")
    times = np.asarray(times, dtype=np.float32).ravel()
    weights = np.asarray(weights_over_time, dtype=np.float32).reshape(len(times), len(names))
    if len(times) and np.any(np.diff(times) <= 0):
        raise ExportError("animation times must be strictly increasing")

    gltf = g.GLTF2(asset=g.Asset(version="2.0", generator="AUEdit"))
    gltf.scene = 0
    b = _Builder(gltf)
    attrs = g.Attributes(
        POSITION=b.add(verts, "VEC3", target=_ARRAY_BUFFER, minmax=True),
        NORMAL=b.add(vertex_normals(verts, tris), "VEC3", target=_ARRAY_BUFFER))
    if vertex_colors is not None:
        cols = np.asarray(vertex_colors)
        if cols.shape[0] != len(verts) or cols.ndim != 2 or cols.shape[1] not in (3, 4):
            raise ExportError(f"vertex colours must be (V, 3|4), not {cols.shape}")
        cols = cols.astype(np.float32) / 255.0 if cols.dtype == np.uint8 else cols
        attrs.COLOR_0 = b.add(np.clip(cols, 0, 1).astype(np.float32),
                              "VEC3" if cols.shape[1] == 3 else "VEC4", target=_ARRAY_BUFFER)
    material = None
    if texture is not None and uvs is not None:
        coords = np.asarray(uvs, dtype=np.float32)
        if coords.shape != (len(verts), 2):
            raise ExportError(f"texture coordinates must be (V, 2), not {coords.shape}")
        attrs.TEXCOORD_0 = b.add(np.nan_to_num(coords, nan=0.0), "VEC2", target=_ARRAY_BUFFER)
        material = _add_texture(gltf, b, texture)
    indices = b.add(tris.astype(np.uint32).ravel(), "SCALAR", target=_ELEMENT_ARRAY_BUFFER)
    targets = [g.Attributes(POSITION=b.add(d, "VEC3", target=_ARRAY_BUFFER, minmax=True))
               for d in deltas]
    prim = g.Primitive(attributes=attrs, indices=indices, mode=g.TRIANGLES,
                       targets=targets or None, material=material)
    gltf.meshes.append(g.Mesh(name=name, primitives=[prim],
                              weights=[0.0] * len(names) if names else None,
                              extras={"targetNames": names}))
    gltf.nodes.append(g.Node(name=name, mesh=0))
    gltf.scenes.append(g.Scene(nodes=[0]))
    if names and len(times):
        t_acc = b.add(times, "SCALAR", minmax=True)
        w_acc = b.add(weights.ravel(), "SCALAR")
        gltf.animations.append(g.Animation(
            name="expression",
            samplers=[g.AnimationSampler(input=t_acc, output=w_acc, interpolation="LINEAR")],
            channels=[g.AnimationChannel(sampler=0, target=g.AnimationChannelTarget(
                node=0, path="weights"))]))
    while len(b.blob) % 4:
        b.blob.append(0)
    gltf.buffers.append(g.Buffer(byteLength=len(b.blob)))
    gltf.set_binary_blob(bytes(b.blob))
    gltf.save_binary(str(path))


def _add_texture(gltf: Any, b: _Builder, texture: np.ndarray) -> int:
    """A material whose base colour texture is `texture` (H, W, 3 floats 0-1, linear), stored
    as an sRGB PNG in the binary buffer; its index."""
    import cv2
    import pygltflib as g

    rgb = np.clip(np.asarray(texture, dtype=np.float64), 0.0, 1.0)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ExportError(f"a texture must be (H, W, 3), not {rgb.shape}")
    srgb = np.where(rgb <= 0.0031308, 12.92 * rgb, 1.055 * rgb ** (1 / 2.4) - 0.055)
    ok, png = cv2.imencode(".png", cv2.cvtColor((srgb * 255 + 0.5).astype(np.uint8),
                                                cv2.COLOR_RGB2BGR))
    if not ok:
        raise ExportError("the texture could not be encoded as PNG")
    gltf.images.append(g.Image(bufferView=b.view(png.tobytes()), mimeType="image/png"))
    gltf.samplers.append(g.Sampler(magFilter=9729, minFilter=9987))  # linear, mipmapped
    gltf.textures.append(g.Texture(source=len(gltf.images) - 1,
                                   sampler=len(gltf.samplers) - 1))
    gltf.materials.append(g.Material(name="skin", pbrMetallicRoughness=g.PbrMetallicRoughness(
        baseColorTexture=g.TextureInfo(index=len(gltf.textures) - 1), metallicFactor=0.0,
        roughnessFactor=0.8)))
    return len(gltf.materials) - 1


@functools.cache
def _rig_facs() -> dict[str, str]:
    """Rig parameter key -> the FACS AU it is part of (`AU28U` -> `AU28`, `AU12L` -> `AU12`)."""
    from auedit.rig.expressions import AU_PARAMETERS

    return {p.key: p.facs for p in AU_PARAMETERS}


def _facs_of(key: str) -> str:
    """The catalogue AU a morph target key is part of: from the rig catalogue, else a side
    key's AU (`AU43L` -> `AU43`), else the key itself."""
    if key in _rig_facs():
        return _rig_facs()[key]
    return key[:-1] if key in SIDE_KEYS else key


def frame_weight(frame: TrackFrame, key: str) -> float:
    """The morph weight of target `key` in one frame: the rig parameter of that name when the
    frame has one, else the AU intensity / 5 (0-1). A part of an AU (`AU12L`, `AU28U`) falls
    back to its AU, a sided AU to the mean of its sides; 0 when nothing is known. A
    corrective (`A*B`) weighs the product of its parts' weights."""
    if CORRECTIVE in key:
        return float(np.prod([frame_weight(frame, part) for part in key.split(CORRECTIVE)]))
    if frame.rig and key in frame.rig:
        return float(frame.rig[key])
    v = frame.aus.get(key)
    if v is None and _facs_of(key) != key:
        v = frame.aus.get(_facs_of(key))
    if v is None and key in AU_BY_KEY and AU_BY_KEY[key].sided:
        sides = [frame.aus[k] for k in (key + "L", key + "R") if k in frame.aus]
        v = float(np.mean(sides)) if sides else None
    if v is None or v != v:
        return 0.0
    return float(np.clip(v / MAX_INTENSITY, 0.0, 1.0))


class GltfExporter:
    """`--format gltf`: the face mesh of a provider, its AU morph targets animated by the
    track."""

    name = "gltf"
    suffix = ".glb"

    def __init__(self, mesh_provider: MeshProvider | None = None) -> None:
        self.mesh_provider = mesh_provider

    def write(self, track: ExpressionTrack, path: str | os.PathLike[str]) -> None:
        provider = self.mesh_provider or get_mesh_provider()
        if provider is None:
            raise ExportError(
                "glTF export needs a face mesh with AU morph targets, and no rig is available "
                "yet (no mesh provider registered); export openface, livelink or json instead")
        if not track.frames:
            raise ExportError("the track has no frames with a face: nothing to export")
        mesh = provider()
        if len(mesh) not in (3, 4, 6):
            raise ExportError("a mesh provider must return (vertices, triangles, targets"
                              "[, colours[, texture coordinates, texture]])")
        verts, tris, targets = mesh[:3]
        colors = mesh[3] if len(mesh) >= 4 else None
        uvs, texture = mesh[4:6] if len(mesh) == 6 else (None, None)
        keys = list(targets)
        times, weights = [], []
        for f in sorted(track.frames, key=lambda fr: fr.time):
            if times and f.time <= times[-1]:
                continue  # duplicate time stamp: keep the first
            times.append(f.time)
            if track.detector == "mediapipe":  # as the game face takes MediaPipe's reading
                f = dataclasses.replace(f, aus=game_face_aus(f.aus))
            weights.append([frame_weight(f, k) for k in keys])
        write_glb(path, verts, tris, targets, np.asarray(weights, np.float32).reshape(
            len(times), len(keys)), np.asarray(times), colors, uvs=uvs, texture=texture)
