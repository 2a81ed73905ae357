"""Neutral calibration: explicit neutral, capture, running baseline, switching off."""

from __future__ import annotations

import numpy as np
import pytest

from auedit.core.calibration import NeutralCalibration, RunningBaseline, apply_baseline


def test_apply_baseline_subtracts_and_rescales():
    b = np.array([1.0, 1.0, 1.0, 2.0, 0.0])
    raw = np.array([1.0, 5.0, 3.0, 0.5, 2.5])
    out = apply_baseline(raw, b)
    np.testing.assert_allclose(out, [0.0, 5.0, 2.5, 0.0, 2.5])


def test_apply_baseline_none_passes_through():
    raw = np.array([0.3, 4.2])
    assert apply_baseline(raw, None) is raw


def test_explicit_neutral_keeps_top_of_scale():
    cal = NeutralCalibration(3)
    cal.set_neutral(np.array([1.0, 0.5, 4.9]))
    out = cal(np.array([5.0, 0.5, 5.0]))
    np.testing.assert_allclose(out[:2], [5.0, 0.0])
    assert 0.0 <= out[2] <= 5.0
    out = cal(np.array([3.0, 2.75, 0.0]))
    np.testing.assert_allclose(out[:2], [2.5, 2.5])
    assert out[2] == 0.0  # below the baseline clips at 0


def test_capture_neutral_over_n_frames():
    cal = NeutralCalibration(2, neutral_frames=4)
    assert cal.neutral is None and not cal.capturing
    cal.capture_neutral()
    assert cal.capturing
    frames = [np.array([1.0, 0.0]), np.array([2.0, 0.4]), np.array([1.0, 0.2]),
              np.array([2.0, 0.2])]
    outs = [cal(f) for f in frames]
    # while capturing, values pass through unchanged
    for f, o in zip(frames[:3], outs[:3], strict=True):
        np.testing.assert_allclose(o, f)
    assert not cal.capturing
    np.testing.assert_allclose(cal.neutral, [1.5, 0.2])
    out = cal(np.array([1.5, 5.0]))
    np.testing.assert_allclose(out, [0.0, 5.0])
    out = cal(np.array([3.25, 0.2]))
    np.testing.assert_allclose(out, [(3.25 - 1.5) * 5 / 3.5, 0.0])


def test_capture_ignores_nan_frames():
    cal = NeutralCalibration(1, neutral_frames=3)
    cal.capture_neutral()
    for v in (1.0, np.nan, 3.0):
        cal(np.array([v]))
    np.testing.assert_allclose(cal.neutral, [2.0])


def test_clear_neutral_and_switch_off():
    cal = NeutralCalibration(2)
    cal.set_neutral(np.array([2.0, 2.0]))
    raw = np.array([3.0, 4.0])
    assert not np.allclose(cal(raw), raw)
    cal.use_explicit = False
    np.testing.assert_allclose(cal(raw), raw)
    cal.use_explicit = True
    cal.clear_neutral()
    assert cal.neutral is None
    np.testing.assert_allclose(cal(raw), raw)


def test_running_baseline_converges_to_low_percentile():
    rng = np.random.default_rng(1)
    n = 400
    signal = np.clip(2.0 + rng.normal(0.0, 0.1, size=(n, 3)), 0, 5)
    signal[:, 2] = np.clip(0.8 + rng.normal(0.0, 0.05, size=n), 0, 5)
    base = RunningBaseline(3, percentile=25.0)
    assert not base.ready
    for row in signal:
        base.update(row)
    assert base.ready
    b = base.baseline()
    p25 = np.percentile(signal, 25, axis=0)
    # histogram bins are 0.05 wide
    np.testing.assert_allclose(b, p25, atol=0.06)
    assert np.all(b < np.median(signal, axis=0))
    assert np.all(b > np.median(signal, axis=0) - 0.25)


def test_auto_baseline_in_calibration():
    rng = np.random.default_rng(2)
    cal = NeutralCalibration(1, use_explicit=False, use_auto=True)
    raws = np.clip(1.5 + rng.normal(0.0, 0.1, size=300), 0, 5)
    outs = np.array([cal(np.array([r]))[0] for r in raws])
    # during warm-up the raw values pass
    np.testing.assert_allclose(outs[:29], raws[:29])
    # afterwards the person's resting level reads near zero
    assert np.median(outs[100:]) < 0.3
    # and a strong expression still reads high
    assert cal(np.array([5.0]))[0] == pytest.approx(5.0)
    # switched off: raw values pass
    cal.use_auto = False
    assert cal(np.array([1.5]))[0] == pytest.approx(1.5)


def test_running_baseline_forgets_old_levels():
    base = RunningBaseline(1, half_life_frames=30.0, warmup_frames=1)
    for _ in range(200):
        base.update(np.array([3.0]))
    for _ in range(300):
        base.update(np.array([0.5]))
    assert base.baseline()[0] == pytest.approx(0.5, abs=0.06)
