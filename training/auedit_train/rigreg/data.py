"""Training data of the AU regressor: random game faces rendered, tracked, fitted, featurised.

Each shard (`shard_00000.npz`) holds `features` (N, F) float32, the true `au`, `pose` and
`identity` parameters (N, 40 / 3 / 40) float32 and `index` (N,) int64, the sample's number in
the data set (renders MediaPipe does not find are left out). `manifest.json`, rewritten after
each shard, records the seed, the settings, the shards written and whether the set is complete;
the same seed gives the same data, and running the same command again after an interruption
goes on from the last shard written.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from auedit.detect.rigfit import PHOTO
from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.fit.expression_features import expression_features
from auedit.fit.landmark_fit import LandmarkFitter
from auedit.render.face import FaceRenderer
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.identity_space import load_default
from auedit.rig.model import RigParams, load_rig
from auedit.rig.sampling import random_params
from auedit_train.common import (
    check_device,
    load_array,
    make_folder,
    read_json,
    require_positive,
)
from auedit_train.data.renders import check_size
from auedit_train.data.store import FORMAT_NAME
from auedit_train.rigreg.edits import FORMAT as EDITS_FORMAT

log = logging.getLogger(__name__)

FORMAT = "auedit-rigreg-data"
FORMAT_VERSION = 1
#: Background of the renders: a plain mid-tone, as the recovery benchmark renders them.
BACKGROUND = (0.35, 0.42, 0.5)


@dataclass(frozen=True)
class DataSettings:
    n: int
    seed: int
    size: int = 384
    pose_deg: float = 20.0
    au_probability: float = 0.25
    shard: int = 1000
    device: str = "cpu"


def generate(out: Path, settings: DataSettings, progress: bool = True) -> dict:
    """Write the data set to `out` (a new folder, or an interrupted run of the same settings,
    which is resumed); returns the manifest."""
    check_settings(settings)
    check_device(settings.device)
    make_folder(out)
    shards = _resumable_shards(out, settings)
    space = load_default()
    if space is None:
        raise ValueError("the identity subspace is not built: python -m auedit.rig.identity_space")
    rig = load_rig()
    renderer = FaceRenderer(rig, settings.size, device=settings.device, background=BACKGROUND)
    fitter = LandmarkFitter(rig)
    rng = np.random.default_rng(settings.seed)
    truth = random_params(settings.n, rng, space, pose_deg=settings.pose_deg,
                          au_probability=settings.au_probability)
    starts = range(0, settings.n, settings.shard)
    done = min(len(shards) * settings.shard, settings.n)
    bar = tqdm(total=settings.n, initial=min(done, settings.n), desc="renders", unit="face",
               disable=not progress)
    manifest = _manifest(settings, shards, done)
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for start in starts[len(shards):]:
            idx = np.arange(start, min(settings.n, start + settings.shard))
            rows = _shard(renderer, landmarker, fitter, truth, idx, bar)
            name = f"shard_{len(shards):05d}.npz"
            np.savez(out / name, **rows)
            shards.append({"file": name, "count": len(rows["index"])})
            manifest = _manifest(settings, shards, int(idx[-1]) + 1)
            (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    bar.close()
    return manifest


def check_settings(settings: DataSettings) -> None:
    """ValueError for settings that cannot make a data set (before anything is written)."""
    require_positive(n=settings.n, shard=settings.shard)
    check_size(settings.size)


def _manifest(settings: DataSettings, shards: list[dict], rendered: int) -> dict:
    return {"format": FORMAT, "version": FORMAT_VERSION,
            "settings": asdict(settings), "complete": rendered >= settings.n,
            "rendered": rendered, "count": sum(s["count"] for s in shards),
            "au_keys": list(AU_PARAMETER_KEYS), "shards": shards}


def _resumable_shards(out: Path, settings: DataSettings) -> list[dict]:
    """The shards already written to `out` by the same settings; [] for an empty folder."""
    path = out / "manifest.json"
    if not path.is_file():
        if any(out.iterdir()):
            raise ValueError(f"{out} is not empty and holds no data set: choose a new folder")
        return []
    manifest = json.loads(path.read_text())
    if manifest.get("settings") != asdict(settings):
        raise ValueError(f"{out} holds a data set made with other settings: choose a new folder")
    return list(manifest["shards"])


def _shard(renderer: FaceRenderer, landmarker: FaceLandmarker, fitter: LandmarkFitter,
           truth: RigParams, idx: np.ndarray, bar: tqdm, batch: int = 50) -> dict[str, np.ndarray]:
    feats, keep = [], []
    for b in range(0, len(idx), batch):
        part = idx[b:b + batch]
        images = renderer.render_uint8(RigParams(truth.pose[part], truth.au[part],
                                                 truth.identity[part]))
        for i, image in zip(part, images, strict=True):
            faces = landmarker.detect(image)
            bar.update(1)
            if not faces:
                continue
            face = faces[0]
            fit = fitter.fit(face.landmarks, settings=PHOTO)
            feats.append(expression_features(fitter, face.landmarks, face.blendshapes, fit))
            keep.append(i)
    k = np.array(keep, dtype=np.int64)
    return {"features": np.array(feats, dtype=np.float32).reshape(len(k), -1),
            "au": truth.au[k].astype(np.float32), "pose": truth.pose[k].astype(np.float32),
            "identity": truth.identity[k].astype(np.float32), "index": k}


def load(*folders: Path) -> dict[str, np.ndarray]:
    """All shards of one or more data sets (renders of different seeds, featurised edits),
    concatenated: `features`, `au`, `index`, `group` (-1 for a render; for an edit, its
    source face, numbered across the folders by the source's name, so that two edit sets made
    from the same sources share their groups) and `known` (N, 40) bool, the labels that are
    true values (all of a render's; an edit's edited AU)."""
    parts, sources = [], {}
    for folder in folders:
        manifest = read_manifest(folder)
        if not manifest.get("complete", True):
            log.warning("%s is incomplete: %d of %d faces rendered", folder,
                        manifest["rendered"], manifest["settings"]["n"])
        ids = np.array([sources.setdefault(s, len(sources))
                        for s in manifest.get("sources", [])], dtype=np.int64)
        for shard in manifest["shards"]:
            rows = load_array(folder / shard["file"])
            if manifest["format"] == EDITS_FORMAT:
                group, known = ids[rows["group"]], rows["edited"]
            else:
                group = np.full(len(rows["index"]), -1, dtype=np.int64)
                known = np.ones(rows["au"].shape, bool)
            parts.append({"features": rows["features"], "au": rows["au"],
                          "index": rows["index"], "group": group, "known": known})
    if not sum(len(p["index"]) for p in parts):
        raise ValueError(f"{', '.join(map(str, folders))}: no tracked samples to train on")
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def read_manifest(folder: Path) -> dict:
    """The manifest of an AU regressor data set (renders or featurised edits); ValueError
    naming the folder for anything else, saying what to run for a data-engine set."""
    path = folder / "manifest.json"
    if not folder.exists():
        raise ValueError(f"{folder} does not exist")
    if not path.is_file():
        raise ValueError(f"{folder} is not a complete AU regressor data set (no manifest.json)")
    manifest = read_json(path, "manifest", "make the data set again")
    if not isinstance(manifest, dict):
        manifest = {}
    if manifest.get("format") in (FORMAT, EDITS_FORMAT):
        return manifest
    if manifest.get("format") == FORMAT_NAME and manifest.get("kind") == "edits":
        raise ValueError(f"{folder} holds edits of the data engine, not their features: run "
                         f"`auedit-train rigreg edits --edits {folder} --out NEW` first and "
                         "train on NEW")
    raise ValueError(f"{folder} is not an AU regressor data set (those of `auedit-train rigreg "
                     "data` or `auedit-train rigreg edits`)")
