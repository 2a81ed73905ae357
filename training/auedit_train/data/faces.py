"""Real faces in GE-Net's base-face frame with part-segmentation labels from the tracked mesh.

GE-Net's face-segmentation feature extractor is fine-tuned on real faces (the paper uses
Helen). Here the labels come from tracking instead: every face MediaPipe finds in the
sources (photos, folders, every k-th video frame) is aligned to the base face
(`auedit.fit.base_face`), and the game face's mesh is rasterized over it with the
render's part ids (`auedit.rig.topology.Part`). The mesh's first 468 vertices are the
tracked landmarks themselves; its extra parts (eyeballs, mouth cavity, teeth, tongue) come
from the game face fitted to those landmarks (`RigFitDetector`), moved along with the
fit's residual at the nearest landmarks, so that they sit behind the tracked eye and mouth
openings and what shows through an opening is labelled eye, mouth or teeth; the little
background left inside an opening's contour takes the opening's part. Pixels the mesh does
not cover are background, as in renders, and so are pixels beyond the photo's edge.

Two passes keep memory small: the first tracks every frame and keeps only the landmarks;
the faces to write are drawn from those (all of them when there are at most `--n`), and
the second pass reads just their frames again, aligns and labels them.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from tqdm import tqdm

from auedit.core.types import TrackedFace
from auedit.detect.rigfit import RigFitDetector
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.fit.base_face import (
    align_photo,
    alignment,
    shrink_for_warp,
    transform_points,
)
from auedit.media.sources import media_kind
from auedit.render.camera import Camera
from auedit.render.raster import render
from auedit.rig import regions as rg
from auedit.rig.model import load_rig
from auedit.rig.topology import N_LANDMARKS, Part
from auedit_train.data.renders import check_size, names
from auedit_train.data.sources import check_every, expand_sources, read_frames
from auedit_train.data.store import DataError, Field

N_POINTS = 478  # MediaPipe's landmarks with the irises


@dataclass(frozen=True)
class FaceSettings:
    """Which faces are read and how they are framed (all of it goes into the manifest)."""

    size: int = 128
    every: int = 15  # every k-th video frame
    max_faces: int = 10  # faces tracked per photo or frame


@dataclass
class FoundFace:
    """A face the tracker found: its frame's name and the face in that frame's pixels."""

    frame: str  # "path" or "path@frame"
    path: str  # the file
    face: TrackedFace


@dataclass
class AlignedFace:
    """A chosen face aligned to the base face, ready to be labelled."""

    image: np.ndarray  # (S, S, 3) uint8
    vertices: np.ndarray  # (V, 3) the mesh in the aligned image
    landmarks: np.ndarray  # (478, 2) tracked, in the aligned image
    outside: np.ndarray  # (S, S) bool: pixels beyond the photo's edge
    source: int  # index into the sources


def face_fields(size: int) -> dict[str, Field]:
    """The per-sample arrays of `faces`."""
    return {
        "image": Field((size, size, 3), "uint8", "photo aligned to the base face, RGB 0-255"),
        "labels": Field((size, size), "uint8", "part label per pixel (names.parts), from "
                        "the tracked mesh and the fitted game face's eyes and mouth"),
        "source": Field((), "int32", "the photo or frame: index into sources"),
        "landmarks": Field((N_POINTS, 2), "float32", "tracked landmarks in the aligned image, "
                           "pixels (pixel centres at +0.5)"),
    }


def aligned_transform(rgb: np.ndarray, landmarks: np.ndarray, size: int,
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The photo aligned to the base face (`align_photo`, after an area-average shrink of
    large photos) and the 2x3 similarity taking the photo's continuous pixel coordinates
    (the tracker's; pixel centres at +0.5) to the aligned image's."""
    m = alignment(landmarks, size)
    small, f = shrink_for_warp(rgb, float(np.sqrt(abs(np.linalg.det(m[:, :2])))))
    aligned, m = align_photo(small, landmarks[:, :2] * f, size)
    # align_photo warps pixel indices: continuous p -> index p * f - 0.5 -> m -> + 0.5
    return aligned, np.column_stack([m[:, :2] * f, m[:, 2] + 0.5 - m[:, :2].sum(axis=1) / 2])


def outside_photo(transform: np.ndarray, shape: tuple[int, int], size: int) -> np.ndarray:
    """(S, S) True where an aligned pixel's centre lies beyond the photo (the warp repeats
    the photo's edge there): labelled background, since no face shows there."""
    inverse = cv2.invertAffineTransform(transform)
    centres = np.arange(size) + 0.5
    x, y = np.meshgrid(centres, centres)
    px = inverse[0, 0] * x + inverse[0, 1] * y + inverse[0, 2]
    py = inverse[1, 0] * x + inverse[1, 1] * y + inverse[1, 2]
    h, w = shape
    return (px < 0) | (px > w) | (py < 0) | (py > h)


def follow_landmarks(fitted: np.ndarray, tracked: np.ndarray, k: int = 8) -> np.ndarray:
    """The fitted mesh (V, 3) with its first 468 vertices replaced by the tracked landmarks
    (468, 3) and its extra parts moved along: each extra vertex by the inverse-distance
    weighted residual (tracked - fitted) of its k nearest landmarks in the image plane. The
    fit misses open mouths and eye shapes by a few pixels, which left the eyeballs and the
    mouth cavity short of the tracked openings (holes, teeth in mid-mouth)."""
    n = N_LANDMARKS
    residual = tracked - fitted[:n]
    d2 = ((fitted[n:, None, :2] - fitted[None, :n, :2]) ** 2).sum(axis=-1)
    near = np.argpartition(d2, k, axis=1)[:, :k]
    w = 1.0 / (np.take_along_axis(d2, near, axis=1) + 1.0)  # +1 px^2: no division by zero
    out = fitted.copy()
    out[:n] = tracked
    out[n:] += (w[..., None] * residual[near]).sum(axis=1) / w.sum(axis=1, keepdims=True)
    return out


def opening_contours(mirror: np.ndarray) -> list[tuple[list[int], Part]]:
    """The landmark contours of the mesh's openings (left eye, right eye, mouth between the
    inner lips), each in order around it, with the part that shows through it."""
    left = list(rg.EYE_OPENING)
    return [(left, Part.LEFT_EYE), ([int(mirror[i]) for i in left], Part.RIGHT_EYE),
            (list(rg.MOUTH_OPENING), Part.MOUTH)]


def fill_openings(labels: np.ndarray, landmarks: np.ndarray,
                  openings: list[tuple[list[int], Part]]) -> None:
    """Background pixels inside an opening's tracked contour take the opening's part, in
    place: the eyeball does not quite reach the corners of a long eye (renders keep such
    specks; on a photo they would teach the network that eye corners are background)."""
    for contour, part in openings:
        inside = np.zeros(labels.shape, np.uint8)
        # pixel indices are continuous coordinates - 0.5; 4 bits of sub-pixel precision
        cv2.fillPoly(inside, [np.round((landmarks[contour] - 0.5) * 16).astype(np.int32)], 1,
                     shift=4)
        labels[(inside > 0) & (labels == Part.BACKGROUND)] = part


class FaceLabeller:
    """Finds the faces of the sources, draws the ones to write, aligns and labels them."""

    def __init__(self, settings: FaceSettings, sources: list[str], *,
                 progress: bool = True) -> None:
        check_size(settings.size)
        check_every(settings.every)
        self.settings = settings
        self.progress = progress
        self.paths = expand_sources(sources)
        self.rig = load_rig()
        self.fitter = RigFitDetector(self.rig, regressor=False)
        self.openings = opening_contours(self.rig.mesh.mirror)
        self.found, self.counts = self._find()
        if not self.found:
            raise DataError(f"no faces in {', '.join(sources)} "
                            f"({self.counts['frames']} photos or frames read)")
        self.chosen: list[FoundFace] = []
        self.sources: list[str] = []

    def _find(self) -> tuple[list[FoundFace], dict[str, int]]:
        """Every face in every frame (landmarks only) and the frames read and without a
        face; those without one are reported."""
        tracker = FaceTracker(Mode.IMAGE, max_faces=self.settings.max_faces)
        found: list[FoundFace] = []
        read: dict[str, int] = defaultdict(int)
        missed: dict[str, int] = defaultdict(int)
        try:
            frames = read_frames(self.paths, self.settings.every)
            for name, index, rgb in tqdm(frames, desc="tracking", unit="frame",
                                         disable=not self.progress):
                path = self.paths[index]
                read[path] += 1
                faces = tracker.track(rgb, 0.0)
                missed[path] += not faces
                found += [FoundFace(name, path, face) for face in faces]
        finally:
            tracker.close()
        for path, count in missed.items():
            if count:
                video = media_kind(Path(path)) == "video"
                what = f"{count} of {read[path]} frames of " if video else ""
                print(f"no face in {what}{path}: skipped", file=sys.stderr)
        return found, {"frames": sum(read.values()), "no_face": sum(missed.values())}

    def choose(self, n: int, rng: np.random.Generator) -> int:
        """Draw n of the faces (all of them, in order, where there are at most n); returns
        how many will be written."""
        if len(self.found) > n:
            picked = np.sort(rng.choice(len(self.found), n, replace=False))
            self.chosen = [self.found[i] for i in picked]
        else:
            if len(self.found) < n:
                print(f"only {len(self.found)} faces in the sources ({n} asked for): "
                      "writing all of them", file=sys.stderr)
            self.chosen = list(self.found)
        self.sources = list(dict.fromkeys(f.frame for f in self.chosen))
        return len(self.chosen)

    def vertices(self, face: TrackedFace, transform: np.ndarray) -> np.ndarray:
        """(V, 3) the mesh in the aligned image (x, y pixels, depth in the same scale): the
        landmark-fitted game face, made to follow the tracked landmarks."""
        fit = self.fitter.fit_face(face, still=True)
        fitted = fit.scale * self.rig.camera_vertices(fit.params)[0] + fit.shift
        return follow_landmarks(transform_points(fitted, transform),
                                transform_points(face.landmarks[:N_LANDMARKS], transform))

    def labels(self, rows: list[AlignedFace]) -> np.ndarray:
        """(B, S, S) uint8 part ids of a batch of aligned faces."""
        mesh, size = self.rig.mesh, self.settings.size
        out = render(torch.as_tensor(np.stack([r.vertices for r in rows]), dtype=torch.float32),
                     torch.as_tensor(mesh.triangles), torch.as_tensor(mesh.vertex_colors),
                     torch.as_tensor(mesh.triangle_parts), (size, size),
                     Camera.orthographic(1.0, (0.0, 0.0)))
        labels = out.labels.numpy().astype(np.uint8)
        for lab, row in zip(labels, rows, strict=True):
            fill_openings(lab, row.landmarks, self.openings)
            lab[row.outside] = Part.BACKGROUND
        return labels

    def align(self, rgb: np.ndarray, found: FoundFace, source: int) -> AlignedFace:
        """One face of a frame aligned, with its mesh and landmarks in the aligned image."""
        size = self.settings.size
        image, transform = aligned_transform(rgb, found.face.landmarks, size)
        return AlignedFace(image, self.vertices(found.face, transform),
                           transform_points(found.face.landmarks, transform)[:, :2],
                           outside_photo(transform, rgb.shape[:2], size), source)

    def batches(self, batch: int) -> Iterator[dict[str, np.ndarray]]:
        """The chosen faces in order, aligned and labelled, `batch` at a time."""
        wanted: dict[str, list[FoundFace]] = defaultdict(list)
        for f in self.chosen:
            wanted[f.frame].append(f)
        files = list(dict.fromkeys(f.path for f in self.chosen))
        source = {name: i for i, name in enumerate(self.sources)}
        rows: list[AlignedFace] = []
        for name, _, rgb in read_frames(files, self.settings.every):
            for f in wanted.get(name, ()):
                rows.append(self.align(rgb, f, source[name]))
                if len(rows) == batch:
                    yield self._batch(rows)
                    rows = []
        if rows:
            yield self._batch(rows)

    def _batch(self, rows: list[AlignedFace]) -> dict[str, np.ndarray]:
        return {"image": np.stack([r.image for r in rows]), "labels": self.labels(rows),
                "source": np.array([r.source for r in rows], np.int32),
                "landmarks": np.stack([r.landmarks for r in rows]).astype(np.float32)}

    def fields(self) -> dict[str, Field]:
        return face_fields(self.settings.size)

    def manifest(self) -> dict[str, object]:
        """Sources, counts and settings of the chosen faces."""
        return {
            "domain": "photo", "size": self.settings.size, "framing": "aligned",
            "generator": asdict(self.settings),
            "names": {"parts": names()["parts"]},
            "sources": self.sources,
            "source_counts": {**self.counts, "faces": len(self.found),
                              "written": len(self.chosen)},
            "labelling": "the tracked landmarks' mesh (468 points) with the landmark-fitted "
                         "game face's eyeballs and mouth interior (moved by the fit's "
                         "residual at the nearest landmarks), rasterized with the renders' "
                         "part ids; background inside a tracked eye or inner-lip contour "
                         "becomes eye or mouth; background where the mesh does not reach "
                         "and beyond the photo's edge",
        }
