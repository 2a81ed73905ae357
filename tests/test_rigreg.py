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
