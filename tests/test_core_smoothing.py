"""The One Euro filter: less jitter when still, little lag on a step."""

from __future__ import annotations

import numpy as np

from auedit.core.smoothing import OneEuroFilter

FPS = 30.0


def test_first_sample_passes_and_reset():
    f = OneEuroFilter()
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(f(x, 0.0), x)
    f(np.array([3.0, 3.0]), 1 / FPS)
    f.reset()
    np.testing.assert_allclose(f(np.array([4.0, 4.0]), 2 / FPS), [4.0, 4.0])


def test_reduces_jitter_of_noisy_constant():
    rng = np.random.default_rng(0)
    n = 600
    x = 2.0 + rng.normal(0.0, 0.1, size=(n, 4))
    f = OneEuroFilter()
    y = np.array([f(xi, i / FPS) for i, xi in enumerate(x)])
    ratio = x[60:].var(axis=0) / y[60:].var(axis=0)
    assert np.all(ratio > 4.0), ratio
    # and no bias
    np.testing.assert_allclose(y[60:].mean(axis=0), 2.0, atol=0.03)


def test_follows_step_quickly():
    f = OneEuroFilter()
    step = np.r_[np.zeros(30), np.full(60, 4.0)]
    y = np.array([f(np.array([v]), i / FPS)[0] for i, v in enumerate(step)])
    assert np.all(y[:30] == 0.0)
    reach = int(np.argmax(y >= 0.9 * 4.0)) - 30
    assert y.max() >= 0.9 * 4.0
    assert reach / FPS < 0.2, f"lag {reach / FPS:.3f} s"
    assert abs(y[-1] - 4.0) < 0.01
    assert y.max() <= 4.0 + 1e-9  # no overshoot


def test_non_increasing_time_restarts():
    f = OneEuroFilter()
    f(np.array([0.0]), 1.0)
    f(np.array([1.0]), 1.1)
    np.testing.assert_allclose(f(np.array([5.0]), 0.5), [5.0])
