"""The rig fit's AU regressor: its training pipeline end to end at toy scale, and the shipped
model's effect on held-out renders."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("auedit_train")


@pytest.fixture(scope="module")
def toy_data(tmp_path_factory) -> Path:
    from auedit_train.rigreg.data import DataSettings, generate

    out = tmp_path_factory.mktemp("rigreg") / "data"
    generate(out, DataSettings(n=24, seed=5, size=256, shard=10), progress=False)
    return out


def test_data_set_is_complete_and_reproducible(toy_data, tmp_path):
    from auedit_train.rigreg.data import DataSettings, generate, load

    from auedit.fit.expression_features import feature_size

    manifest = json.loads((toy_data / "manifest.json").read_text())
    assert len(manifest["shards"]) == 3 and manifest["rendered"] == 24
    data = load(toy_data)
    assert manifest["count"] == len(data["features"]) >= 20  # MediaPipe finds the renders
    assert data["features"].shape[1] == feature_size(40)
    assert np.isfinite(data["features"]).all()
    again = tmp_path / "again"
    generate(again, DataSettings(n=24, seed=5, size=256, shard=24), progress=False)
    same = load(again)
    assert np.array_equal(same["index"], data["index"])
    assert np.array_equal(same["au"], data["au"])
    assert np.allclose(same["features"], data["features"], atol=1e-5)
    # the same command again finds the set complete and renders nothing; other settings refuse
    assert generate(again, DataSettings(n=24, seed=5, size=256, shard=24),
                    progress=False)["complete"]
    with pytest.raises(ValueError, match="other settings"):
        generate(again, DataSettings(n=4, seed=5), progress=False)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        generate(tmp_path / "junk", DataSettings(n=4, seed=5), progress=False)


def test_training_lowers_the_loss_and_exports_onnx(toy_data, tmp_path):
    from auedit_train.rigreg.data import load
    from auedit_train.rigreg.export import export_onnx
    from auedit_train.rigreg.train import TrainSettings, load_trained, train

    from auedit.fit.au_regressor import AURegressor

    out = tmp_path / "run"
    train(toy_data, out, TrainSettings(epochs=8, batch=8, hidden=(64,)), log=lambda _m: None)
    records = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(records) == 8
    assert records[-1]["train_loss"] < 0.7 * records[0]["train_loss"]
    # resuming a finished run trains no further epoch
    train(toy_data, out, TrainSettings(epochs=8, batch=8, hidden=(64,)), resume=True,
          log=lambda _m: None)
    assert len((out / "log.jsonl").read_text().splitlines()) == 8
    onnx_path = export_onnx(out / "best.pt", tmp_path / "au.onnx")
    regressor = AURegressor(onnx_path)
    x = load(toy_data)["features"][:5]
    import torch

    with torch.no_grad():
        want = load_trained(out / "best.pt")(torch.from_numpy(x)).numpy()
    assert np.allclose(regressor.predict(x), want, atol=1e-4)
    assert regressor.predict(x[0]).shape == (40,)

    # two seeds exported as one file: the mean of the two networks
    train(toy_data, tmp_path / "seed1", TrainSettings(epochs=2, batch=8, hidden=(64,), seed=1),
          log=lambda _m: None)
    both = AURegressor(export_onnx([out / "best.pt", tmp_path / "seed1" / "best.pt"],
                                   tmp_path / "both.onnx"))
    with torch.no_grad():
        other = load_trained(tmp_path / "seed1" / "best.pt")(torch.from_numpy(x)).numpy()
    assert np.abs(other - want).max() > 0.01
    assert np.allclose(both.predict(x), (want + other) / 2, atol=1e-4)


def test_edit_partners_share_a_source_face():
    from auedit_train.rigreg.train import partners

    group = np.array([-1, 0, 0, 1, 0, 2, -1, 1, 0])
    rows = np.array([0, 1, 2, 3, 4, 5, 7, 8])  # row 6 is held out
    got = partners(rows, group, np.random.default_rng(3))
    assert got[0] == 0  # a render is its own partner
    assert got[rows == 5] == 5  # so is the lone edit of source 2
    edits = rows[group[rows] >= 0]
    mine = got[np.isin(rows, edits)]
    assert (group[mine] == group[edits]).all()
    assert (mine != edits)[group[edits] != 2].all()
    assert sorted(mine) == sorted(edits)  # a cyclic pairing: each edit is someone's partner


def test_edits_of_a_real_face_featurised_and_learnt_in_pairs(toy_data, tmp_path, demo_photo):
    from auedit_train.cli import main
    from auedit_train.rigreg.data import load
    from auedit_train.rigreg.edits import featurise_edits
    from auedit_train.rigreg.train import TrainSettings, train

    from auedit.rig.expressions import AU_PARAMETER_KEYS

    edits = tmp_path / "edits"
    assert main(["data", "edits", "--out", str(edits), "--n", "12", "--seed", "1", "--size",
                 "256", "--aus", "AU12,AU26", "--levels", "0,3,5", "--absent-below", "5",
                 "--source", str(demo_photo), "--no-progress"]) == 0
    manifest = featurise_edits(edits, tmp_path / "features", progress=False)
    assert manifest["count"] == 12 and manifest["sources"] == [str(demo_photo)]
    data = load(toy_data, tmp_path / "features")
    renders = data["group"] < 0
    assert renders.sum() >= 20 and (data["group"][~renders] == 0).all()
    assert data["known"][renders].all()
    cols = {AU_PARAMETER_KEYS.index(k) for k in ("AU12L", "AU12R", "AU26")}
    for known, au in zip(data["known"][~renders], data["au"][~renders], strict=True):
        edited = set(np.flatnonzero(known))
        assert edited in ({AU_PARAMETER_KEYS.index("AU12L"), AU_PARAMETER_KEYS.index("AU12R")},
                          {AU_PARAMETER_KEYS.index("AU26")}) and edited <= cols
        assert np.isin(np.round(au[known] * 5, 4), [0, 3, 5]).all()
    with pytest.raises(ValueError, match="not empty"):
        featurise_edits(edits, tmp_path / "features", progress=False)

    out = tmp_path / "run"
    train([toy_data, tmp_path / "features"], out, TrainSettings(epochs=8, batch=8, hidden=(64,),
                                                               val_fraction=0.2),
          log=lambda _m: None)
    records = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert records[-1]["train_loss"] < 0.7 * records[0]["train_loss"]
    # one source face: none is held out, so no pair figure (not a 0 that says nothing)
    assert all(r["val_pair_mae"] is None and np.isfinite(r["val_mae"]) for r in records)

    # with `pseudo_weight`, the edits' unedited AUs are learnt from the source's own reading
    # too: the network's reading of them comes closer to it
    import torch
    from auedit_train.rigreg.train import load_trained

    pseudo_run = tmp_path / "pseudo"
    train([toy_data, tmp_path / "features"], pseudo_run,
          TrainSettings(epochs=8, batch=8, hidden=(64,), val_fraction=0.2, pseudo_weight=1.0),
          log=lambda _m: None)
    x = torch.from_numpy(data["features"][~renders])
    unedited = ~data["known"][~renders]

    def unedited_error(run: Path) -> float:
        with torch.no_grad():
            pred = load_trained(run / "best.pt").eval()(x).numpy()
        return float(np.abs(pred - data["au"][~renders])[unedited].mean())

    assert unedited_error(pseudo_run) < unedited_error(out)


def test_shipped_regressor_recovers_aus_better_than_the_plain_fit():
    from auedit.detect.rigfit import RigFitDetector
    from auedit.face.landmarker import FaceLandmarker, Mode
    from auedit.fit.au_regressor import load_default
    from auedit.render.face import FaceRenderer
    from auedit.rig.identity_space import load_default as load_space
    from auedit.rig.model import load_rig
    from auedit.rig.sampling import random_params

    assert load_default() is not None, "resources/models/au_regressor.onnx is missing"
    rig = load_rig()
    truth = random_params(40, np.random.default_rng(123), load_space())
    images = FaceRenderer(rig, 384, background=(0.35, 0.42, 0.5)).render_uint8(truth)
    learned, plain = RigFitDetector(rig), RigFitDetector(rig, regressor=False)
    err_learned, err_plain = [], []
    with FaceLandmarker(Mode.IMAGE, max_faces=1) as landmarker:
        for i, image in enumerate(images):
            faces = landmarker.detect(image)
            if not faces:
                continue
            err_learned.append(np.abs(learned.estimate(faces[0], still=True).params.au[0]
                                      - truth.au[i]).mean())
            err_plain.append(np.abs(plain.estimate(faces[0], still=True).params.au[0]
                                    - truth.au[i]).mean())
    assert len(err_learned) >= 35
    assert np.mean(err_learned) < 0.7 * np.mean(err_plain)


def test_each_still_photo_is_fitted_afresh(tmp_path):
    """Two photos analysed one after the other (both faces get track id 0) must not share the
    rig fit's warm start or frozen identity: the second reads as it does alone."""
    import cv2

    from auedit import resources
    from auedit.analysis.analyzer import Analyzer
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import read_image

    demo = read_image(resources.ROOT / "demo" / "astronaut.jpg")
    h, w = demo.shape[:2]
    # another identity where the same face box is (so the tracker gives it the same id)
    tall = cv2.resize(demo, (w, int(h * 1.12)), interpolation=cv2.INTER_LINEAR)[:h]

    def rigfit_reading(*images: np.ndarray) -> dict[str, float]:
        tracker = FaceTracker(Mode.IMAGE, max_faces=1)
        try:
            analyzer = Analyzer.create(["rigfit"], tracker=tracker)
            for image in images:
                result = analyzer.analyze(image, 0.0)
        finally:
            tracker.close()
        return result.faces[0].readings["rigfit"].values

    alone, after = rigfit_reading(tall), rigfit_reading(*([demo] * 16), tall)
    assert alone == pytest.approx(after, abs=1e-6)


def test_lips_sucked_in_come_from_mediapipes_lip_roll(demo_photo):
    """AU28 follows MediaPipe's lip-roll blendshapes, not the regressor, which read the
    demo's smiling lips as sucked in (AU28D 3.3)."""
    import dataclasses

    from auedit.core.aus import ARKIT_BLENDSHAPES
    from auedit.detect.rigfit import RigFitDetector
    from auedit.face.landmarker import Mode
    from auedit.face.tracker import FaceTracker
    from auedit.media.sources import read_image

    tracker = FaceTracker(Mode.IMAGE, max_faces=1)
    try:
        face = tracker.track(read_image(demo_photo), 0.0)[0]
    finally:
        tracker.close()
    detector = RigFitDetector()
    assert detector.estimate(face, still=True).params.au_dict()["AU28D"] < 0.1
    rolled = face.blendshapes.copy()
    rolled[ARKIT_BLENDSHAPES.index("mouthRollLower")] = 0.45
    rolled[ARKIT_BLENDSHAPES.index("mouthRollUpper")] = 0.2
    au = detector.estimate(dataclasses.replace(face, blendshapes=rolled), still=True)
    values = au.params.au_dict()
    assert values["AU28D"] == pytest.approx((0.45 - 0.02) / 0.58, abs=1e-6)
    assert values["AU28U"] == pytest.approx((0.2 - 0.02) / 0.58, abs=1e-6)
