"""Real faces edited to target AUs with semantic resampling (same-person pairs and
AU-similarity triplets of edits too).

Sources are photos, folders and videos (every k-th frame). Each face is tracked (MediaPipe,
IMAGE mode), aligned by five points to the game face's base face at the output size (as
`FaceRenderer(align=True)` frames renders, so edits and renders line up), and prepared once
by the synthesizer; every edit of that face reuses the preparation.

Semantic resampling (Niinuma et al., synthetic expressions, Sec. 4.2.2): the samples are
spread evenly over the cells (AU, intensity level), and the source of each is drawn among
the faces where that AU is absent (the face's own value of each of its rig parameters below
`absent_below`), because a generator adds an AU more convincingly than it removes one.
The label is the source's own AU vector with the edited AU set to the level.

Triplets of edits are three people's faces (where the sources hold three) whose edits obey
the renders' triplet rule on their labels in the rig's scale (`target_au / 5`): the
positive carries the anchor's AU at a level at most one step away, the negative another AU
or the same one at least three levels away, drawn again until the rule holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

import cv2
import numpy as np
from tqdm import tqdm

from auedit.core.types import TrackedFace
from auedit.face.landmarker import Mode
from auedit.face.tracker import FaceTracker
from auedit.fit.base_face import shrink_for_warp
from auedit.render.face import FaceRenderer
from auedit.rig.alignment import five_points, similarity
from auedit.rig.expressions import AU_PARAMETER_KEYS, AU_PARAMETERS
from auedit.rig.model import rig_for
from auedit.synth.base import PreparedFace, SynthesisError, Synthesizer, expand_targets, registry
from auedit_train.data.renders import (
    FACES,
    POSE_NAMES,
    TRIPLET_RULE,
    check_size,
    triplet_distances,
    triplet_holds,
)
from auedit_train.data.sources import check_every, expand_sources, read_frames
from auedit_train.data.store import DataError, Field

#: The catalogue AUs the rig can edit, in parameter order ("AU1", "AU2", ... "AU30R").
RIG_AUS: tuple[str, ...] = tuple(dict.fromkeys(p.facs for p in AU_PARAMETERS))
_INDEX = {k: i for i, k in enumerate(AU_PARAMETER_KEYS)}
#: FACS levels (0-5) per rig parameter unit: labels / LEVELS are in the rig's [0, 1]
LEVELS = 5.0
#: tries to draw one triplet that obeys the rule before giving up
TRIPLET_TRIES = 200


@dataclass(frozen=True)
class EditSettings:
    """What is edited and how (all of it goes into the manifest)."""

    size: int = 128
    every: int = 15  # every k-th video frame
    aus: list[str] | None = None  # AUs to balance; None: all of RIG_AUS
    levels: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4, 5])
    absent_below: float = 1.0  # own value (0-5) below which a face lacks an AU (< A)
    method: str = "geometric"
    max_yaw: float = 30.0  # faces turned further are not used


@dataclass
class SourceFace:
    """One tracked, aligned and prepared source face."""

    name: str  # "path" or "path@frame"
    person: int  # index of its source file (one person per file)
    prepared: PreparedFace
    own: np.ndarray  # (n_au,) own AU intensities, 0-5
    pose_deg: np.ndarray  # (3,) pitch, yaw, roll as tracked


@dataclass
class Plan:
    """Which face, AU and level each sample's k edits use (arrays (n, k))."""

    face: np.ndarray
    au: np.ndarray
    level: np.ndarray
    skipped_aus: list[str]


def align_face(image: np.ndarray, face: TrackedFace, template: np.ndarray, mirror: np.ndarray,
               size: int) -> tuple[np.ndarray, TrackedFace]:
    """The size x size crop aligned by five points to `template`, and the face in it."""
    m = similarity(five_points(face.landmarks, mirror), template)
    scale = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
    src, f = shrink_for_warp(image, scale)
    warp = m.copy()
    warp[:, :2] = m[:, :2] / f  # p = (p' + 0.5) / f - 0.5 for p' in the shrunk image
    warp[:, 2] = m[:, 2] + m[:, :2] @ (0.5 / f - 0.5)
    crop = cv2.warpAffine(src, warp, (size, size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)
    lms = np.asarray(face.landmarks, dtype=np.float64)
    moved = np.column_stack([lms[:, :2] @ m[:, :2].T + m[:, 2], lms[:, 2] * scale])
    lo, hi = moved[:, :2].min(axis=0), moved[:, :2].max(axis=0)
    return crop, replace(face, landmarks=moved.astype(np.float32),
                         box=(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])))


def edit_fields(kind: str, size: int) -> dict[str, Field]:
    """The per-sample arrays of `edits` (one edit), edited `pairs` (two) or `triplets`
    (three)."""
    lead = () if kind == "edits" else (FACES[kind],)
    n_au = len(AU_PARAMETER_KEYS)
    fields = {
        "image": Field((*lead, size, size, 3), "uint8", "edited face, aligned, RGB 0-255"),
        "target_au": Field((*lead, n_au), "float32", "target AU intensities (names.au), "
                           "FACS 0-5: the source's own values with the edited AU set"),
        "own_au": Field((*lead, n_au), "float32",
                        "the source face's own AU intensities (names.au, 0-5, as the "
                        "synthesizer reads them: where its sliders start)"),
        "au": Field(lead, "int32", "the edited AU: index into names.aus"),
        "level": Field(lead, "int32", "its target level: 0 absent, 1-5 = A-E"),
        "source": Field(lead, "int32", "the source face: index into sources"),
        "pose_deg": Field((*lead, 3), "float32", "the source face's head pose (names.pose), "
                          "degrees, as tracked in its frame"),
    }
    if kind == "pairs":
        fields["person"] = Field((), "int32", "the pair's source file: index into people")
    if kind == "triplets":
        fields["person"] = Field((3,), "int32", "each face's source file: index into people")
        fields["distance"] = Field((3,), "float32", "d(A, P), d(A, N), d(P, N) of target_au / 5 "
                                   "(the rig's [0, 1] scale)")
    return fields


class RealFaceEditor:
    """Tracks, aligns and prepares the source faces, plans and renders their edits."""

    def __init__(self, settings: EditSettings, sources: list[str], *,
                 progress: bool = True) -> None:
        check_size(settings.size)
        check_every(settings.every)
        self.settings = settings
        self.aus = list(settings.aus or RIG_AUS)
        try:
            self.keys = [list(expand_targets({au: 0.0})) for au in self.aus]
        except KeyError as exc:
            raise DataError(f"--aus: {exc.args[0]}") from None
        cls = registry().get(settings.method)
        if cls is None:
            raise DataError(f"unknown synthesizer {settings.method!r}; known: "
                            f"{', '.join(registry())}")
        self.synth: Synthesizer = cls()
        self.paths = expand_sources(sources)
        self.counts = {"frames": 0, "no_face": 0, "turned": 0, "unusable": 0}
        self.faces = self._collect(progress)
        if not self.faces:
            raise DataError(f"no usable faces in {', '.join(sources)} ({self._count_text()})")
        self.absent = np.array([[all(f.own[_INDEX[k]] < settings.absent_below for k in keys)
                                 for keys in self.keys] for f in self.faces])

    def _count_text(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in self.counts.items())

    def _collect(self, progress: bool) -> list[SourceFace]:
        size = self.settings.size
        tracker = FaceTracker(Mode.IMAGE, max_faces=1)
        rig = rig_for(tracker.canonical)
        template = FaceRenderer(rig, size).template
        faces: list[SourceFace] = []
        try:
            frames = read_frames(self.paths, self.settings.every)
            for name, person, rgb in tqdm(frames, desc="preparing", unit="frame",
                                          disable=not progress):
                self.counts["frames"] += 1
                found = tracker.track(rgb, 0.0)
                if not found:
                    self.counts["no_face"] += 1
                    continue
                if abs(found[0].pose.yaw) > self.settings.max_yaw:
                    self.counts["turned"] += 1
                    continue
                crop, face = align_face(rgb, found[0], template, rig.mesh.mirror, size)
                try:
                    prepared = self.synth.prepare(crop, face)
                except SynthesisError:
                    self.counts["unusable"] += 1
                    continue
                own = np.array([prepared.own[k] for k in AU_PARAMETER_KEYS], np.float32)
                pose = face.pose
                faces.append(SourceFace(name, person, prepared, own,
                                        np.array([pose.pitch, pose.yaw, pose.roll], np.float32)))
        finally:
            tracker.close()
        return faces

    def plan(self, kind: str, n: int, rng: np.random.Generator, *,
             margin: float = 0.3) -> Plan:
        """Edits: n samples spread evenly over the (AU, level) cells whose AU some face lacks,
        each from a face lacking it. Pairs: a person, then two of their faces (the same one
        only where they have one), and per side an AU it lacks (any AU where it lacks none)
        and a level. Triplets: see `_plan_triplets`."""
        levels = np.array(self.settings.levels)
        usable = self.absent.any(axis=0)
        skipped = [au for au, ok in zip(self.aus, usable, strict=True) if not ok]
        if kind == "triplets":
            return self._plan_triplets(n, rng, margin, np.flatnonzero(usable), skipped)
        if kind == "edits":
            cells = [(a, lv) for a in np.flatnonzero(usable) for lv in levels]
            if not cells:
                raise DataError(f"no source face lacks any of {', '.join(self.aus)} (own "
                                f"value below {self.settings.absent_below}); nothing to add")
            rounds = -(-n // len(cells))
            order = np.concatenate([rng.permutation(len(cells)) for _ in range(rounds)])[:n]
            au = np.array([cells[c][0] for c in order])
            level = np.array([cells[c][1] for c in order])
            face = np.array([rng.choice(np.flatnonzero(self.absent[:, a])) for a in au])
            return Plan(face[:, None], au[:, None], level[:, None], skipped)
        people = np.array([f.person for f in self.faces])
        persons = np.unique(people)
        face = np.zeros((n, 2), int)
        au = np.zeros((n, 2), int)
        for i, person in enumerate(rng.choice(persons, n)):
            own = np.flatnonzero(people == person)
            # two different faces (frames, poses) where the person has them
            face[i] = rng.choice(own, 2, replace=len(own) < 2)
            for side in range(2):
                f = face[i, side]
                lacking = np.flatnonzero(self.absent[f])
                au[i, side] = rng.choice(lacking if len(lacking) else np.arange(len(self.aus)))
        return Plan(face, au, rng.choice(levels, (n, 2)), skipped)

    def _plan_triplets(self, n: int, rng: np.random.Generator, margin: float,
                       usable: np.ndarray, skipped: list[str]) -> Plan:
        """n triplets (anchor, positive, negative), each face of another person where the
        sources hold three: the anchor an AU it lacks at a level above 0, the positive the
        same AU at a level at most one step away, the negative another AU it lacks (or the
        same AU at least three levels away); drawn again until the labels obey the rule."""
        levels = np.array([lv for lv in self.settings.levels if lv > 0])
        if not len(usable) or not len(levels):
            raise DataError("triplets need an AU some source face lacks and a level above 0 "
                            "(--aus, --levels)")
        people = np.array([f.person for f in self.faces])
        face, au, level = (np.zeros((n, 3), int) for _ in range(3))
        for i in range(n):
            for _ in range(TRIPLET_TRIES):
                face[i], au[i], level[i] = self._draw_triplet(rng, usable, levels, people)
                labels = np.stack([self.target(*t) for t in zip(face[i], au[i], level[i],
                                                                strict=True)]) / LEVELS
                if triplet_holds(triplet_distances(labels[None]), margin)[0]:
                    break
            else:
                raise DataError(f"no triplets obey the rule with margin {margin}; choose a "
                                "smaller --margin or more --aus")
        return Plan(face, au, level, skipped)

    def _draw_triplet(self, rng: np.random.Generator, usable: np.ndarray, levels: np.ndarray,
                      people: np.ndarray) -> tuple[list[int], list[int], list[int]]:
        """One candidate triplet's faces, AUs and levels (see `_plan_triplets`)."""
        def face_lacking(a: int, avoid: list[int]) -> int:
            lacking = np.flatnonzero(self.absent[:, a])
            other = lacking[~np.isin(people[lacking], people[avoid])] if avoid else lacking
            return int(rng.choice(other if len(other) else lacking))

        a = int(rng.choice(usable))
        fa = face_lacking(a, [])
        la = int(rng.choice(levels))
        fp = face_lacking(a, [fa])
        lp = int(rng.choice(levels[np.abs(levels - la) <= 1]))
        far = np.array([lv for lv in self.settings.levels if abs(lv - la) >= 3])
        others = usable[usable != a]
        if len(far) and (not len(others) or rng.random() < 0.5):
            b, ln = a, int(rng.choice(far))
        else:
            b, ln = int(rng.choice(others if len(others) else usable)), int(rng.choice(levels))
        fn = face_lacking(b, [fa, fp])
        return [fa, fp, fn], [a, a, b], [la, lp, ln]

    def target(self, face: int, au: int, level: int) -> np.ndarray:
        """The label of an edit: the face's own AU vector with `au` set to `level` (0-5)."""
        target = self.faces[face].own.copy()
        target[[_INDEX[k] for k in self.keys[au]]] = level
        return target

    def edit(self, face: int, au: int, level: int) -> tuple[np.ndarray, np.ndarray]:
        """The edited image and its target AU vector (0-5)."""
        changes = dict.fromkeys(self.keys[au], float(level))
        return (self.synth.render(self.faces[face].prepared, changes),
                self.target(face, au, level))

    def batches(self, plan: Plan, batch: int) -> Iterator[dict[str, np.ndarray]]:
        """The planned samples, `batch` at a time."""
        n, k = plan.face.shape
        for start in range(0, n, batch):
            rows = range(start, min(n, start + batch))
            images, targets = zip(*(self.edit(plan.face[i, j], plan.au[i, j], plan.level[i, j])
                                    for i in rows for j in range(k)), strict=True)
            sel = slice(start, rows.stop)
            faces = plan.face[sel]
            out = {"image": np.stack(images).reshape(len(rows), k, *images[0].shape),
                   "target_au": np.stack(targets).reshape(len(rows), k, -1),
                   "own_au": np.stack([self.faces[f].own for f in faces.ravel()]
                                      ).reshape(len(rows), k, -1),
                   "au": plan.au[sel], "level": plan.level[sel], "source": faces,
                   "pose_deg": np.stack([self.faces[f].pose_deg for f in faces.ravel()]
                                        ).reshape(len(rows), k, 3)}
            people = np.array([[self.faces[f].person for f in row] for row in faces])
            if k == 1:
                out = {name: v[:, 0] for name, v in out.items()}
            elif k == 2:
                out["person"] = people[:, 0]
            else:
                out["person"] = people
                out["distance"] = triplet_distances(out["target_au"] / LEVELS)
            yield out

    def fields(self, kind: str) -> dict[str, Field]:
        return edit_fields(kind, self.settings.size)

    def manifest(self, plan: Plan) -> dict[str, object]:
        """Sources, balance and settings of a planned data set."""
        cells = np.zeros((len(self.aus), 6), int)
        np.add.at(cells, (plan.au.ravel(), plan.level.ravel()), 1)
        rule = ({"triplet_rule": f"{TRIPLET_RULE}; for edits, of target_au / 5"}
                if plan.face.shape[1] == 3 else {})
        return {**rule,
            "domain": "edit", "size": self.settings.size, "framing": "aligned",
            "generator": asdict(self.settings),
            "names": {"au": list(AU_PARAMETER_KEYS), "aus": self.aus, "pose": list(POSE_NAMES)},
            "sources": [f.name for f in self.faces],
            "people": self.paths,
            "source_counts": {**self.counts, "faces": len(self.faces)},
            "cells": {au: cells[a].tolist() for a, au in enumerate(self.aus)},
            "skipped_aus": plan.skipped_aus,
            "resampling": "samples spread evenly over (AU, level) cells; each from a source "
                          f"face whose own value of the AU is below "
                          f"{self.settings.absent_below} (absent)",
        }
