"""MediaPipe's canonical face mesh, read from the geometry metadata inside the task bundle.

The bundle's `geometry_pipeline_metadata_landmarks.binarypb` is a serialized
`GeometryPipelineMetadata` protobuf (mediapipe/tasks/cc/vision/face_geometry/proto). mediapipe
1.x ships no Python classes for it, so the few fields needed are decoded from the protobuf wire
format here: the canonical mesh (468 vertices: x, y, z in cm with y up, and u, v), its
triangles, and the weighted landmark basis MediaPipe uses for its Procrustes pose fit.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

METADATA_MEMBER = "geometry_pipeline_metadata_landmarks.binarypb"


@dataclass(frozen=True)
class CanonicalFace:
    vertices: np.ndarray  # (468, 3) float32, cm, y up, z towards the viewer
    uvs: np.ndarray  # (468, 2) float32
    triangles: np.ndarray  # (T, 3) int32
    basis_ids: np.ndarray  # (K,) landmark ids of the Procrustes basis
    basis_weights: np.ndarray  # (K,) their weights


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, int, object]]:
    """(field number, wire type, value) for each field of one message."""
    out, i = [], 0
    while i < len(buf):
        tag, i = _varint(buf, i)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        out.append((num, wire, value))
    return out


def _packed_varints(buf: bytes) -> list[int]:
    vals, i = [], 0
    while i < len(buf):
        v, i = _varint(buf, i)
        vals.append(v)
    return vals


def parse_metadata(data: bytes) -> CanonicalFace:
    floats: list[float] = []
    indices: list[int] = []
    basis: list[tuple[int, float]] = []
    for num, wire, value in _fields(data):
        if num == 1 and wire == 2:  # canonical_mesh: Mesh3d
            for mnum, mwire, mval in _fields(value):
                if mnum == 3:  # vertex_buffer, repeated float
                    if mwire == 2:
                        floats.extend(struct.unpack(f"<{len(mval) // 4}f", mval))
                    else:
                        floats.append(struct.unpack("<f", mval)[0])
                elif mnum == 4:  # index_buffer, repeated uint32
                    indices.extend(_packed_varints(mval) if mwire == 2 else [mval])
        elif num == 2 and wire == 2:  # procrustes_landmark_basis: WeightedLandmarkRef
            ref = {n: v for n, _, v in _fields(value)}
            weight = struct.unpack("<f", ref.get(2, b"\0\0\0\0"))[0]
            basis.append((int(ref.get(1, 0)), weight))
    vb = np.asarray(floats, dtype=np.float32).reshape(-1, 5)  # VERTEX_PT: x, y, z, u, v
    ids = np.array([b[0] for b in basis], dtype=np.int32)
    weights = np.array([b[1] for b in basis], dtype=np.float32)
    return CanonicalFace(vb[:, :3].copy(), vb[:, 3:].copy(),
                         np.asarray(indices, dtype=np.int32).reshape(-1, 3), ids, weights)


@cache
def load_canonical_face(task_path: Path) -> CanonicalFace:
    """The canonical face inside a Face Landmarker task bundle."""
    with zipfile.ZipFile(task_path) as bundle:
        face = parse_metadata(bundle.read(METADATA_MEMBER))
    if face.vertices.shape != (468, 3):
        raise ValueError(f"unexpected canonical mesh with {len(face.vertices)} vertices")
    return face
