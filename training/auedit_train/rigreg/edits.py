"""Training data of the AU regressor from real faces: the data engine's edits, featurised.

Renders teach the regressor what MediaPipe makes of the game face, but a real face looks
otherwise to MediaPipe, and a regressor trained on renders alone reads real expressions at a
fraction of their size (an AU12 edit to E on a real photo read back as 1.7 of 5). The edits of
`auedit-train data edits` are real faces moved by the game face's own AU fields, by known
amounts: every edit of one source face starts from the same prepared face, so the difference
of two edits' labels is exactly what the synthesizer changed, whatever the source's true AUs
are. This module tracks and fits every edit as the rig fit fits a photo and stores its features
with its label; training learns the label differences within a source, and the label itself
only for the edited AU (`train`): the labels' unedited AUs are only the old regressor's reading
of the source.

Shards (`shard_00000.npz`) hold `features` (N, F) float32, `au` (N, 40) float32 (the edit's
target AU parameters, FACS level / 5), `group` (N,) int64 (the source face, an index into the
manifest's `sources`), `edited` (N, 40) bool (the parameters of the edited AU) and `index`
(N,) int64 (the sample's number in the edits data set; edits MediaPipe does not find are left
out).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from auedit.core.aus import MAX_INTENSITY
from auedit.detect.rigfit import PHOTO
from auedit.face.landmarker import FaceLandmarker, Mode
from auedit.fit.expression_features import expression_features
from auedit.fit.landmark_fit import LandmarkFitter
from auedit.rig.expressions import AU_PARAMETER_KEYS
from auedit.rig.model import load_rig
from auedit.synth.base import expand_targets
from auedit_train.common import load_array, make_folder

FORMAT = "auedit-rigreg-edits"
FORMAT_VERSION = 1


def featurise_edits(edits: Path, out: Path, progress: bool = True) -> dict:
    """Track, fit and featurise every edit of the edits data set in `edits`; write the shards
    and `manifest.json` (last) to `out`, a new or empty folder; returns the manifest."""
    from auedit_train.data.datasets import EditDataset

    data = EditDataset(edits)
    if list(data.manifest["names"]["au"]) != list(AU_PARAMETER_KEYS):
        raise ValueError(f"{edits} was made with another rig (its AU parameters differ)")
    make_folder(out)
    if any(out.iterdir()):
        raise ValueError(f"{out} is not empty: choose a new folder")
    fitter = LandmarkFitter(load_rig())
    shards, found, start = [], 0, 0
    columns = edited_columns(data.manifest["names"]["aus"])
    bar = tqdm(total=len(data), desc="edits", unit="face", disable=not progress)
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for number, shard in enumerate(data.manifest["shards"]):
            folder = edits / shard["path"]
            images = load_array(folder / "image.npy", "r")
            target = load_array(folder / "target_au.npy")
            source = load_array(folder / "source.npy")
            edited = columns[load_array(folder / "au.npy")]
            feats, keep = [], []
            for i in range(len(images)):
                bar.update(1)
                faces = landmarker.detect(np.ascontiguousarray(images[i]))
                if not faces:
                    continue
                fit = fitter.fit(faces[0].landmarks, settings=PHOTO)
                feats.append(expression_features(fitter, faces[0].landmarks,
                                                 faces[0].blendshapes, fit))
                keep.append(i)
            k = np.array(keep, dtype=np.int64)
            name = f"shard_{number:05d}.npz"
            np.savez(out / name, features=np.array(feats, np.float32).reshape(len(k), -1),
                     au=(target[k] / MAX_INTENSITY).astype(np.float32),
                     group=source[k].astype(np.int64), edited=edited[k], index=k + start)
            shards.append({"file": name, "count": len(k)})
            found += len(k)
            start += len(images)
    bar.close()
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "edits": str(edits),
                "edits_seed": data.manifest["seed"], "complete": True,
                "rendered": len(data), "count": found, "sources": data.manifest["sources"],
                "au_keys": list(AU_PARAMETER_KEYS), "shards": shards}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def edited_columns(aus: list[str]) -> np.ndarray:
    """(len(aus), 40) bool: the rig parameters each balanced AU of an edits data set sets."""
    out = np.zeros((len(aus), len(AU_PARAMETER_KEYS)), bool)
    for i, au in enumerate(aus):
        out[i, [AU_PARAMETER_KEYS.index(k) for k in expand_targets({au: 0.0})]] = True
    return out
