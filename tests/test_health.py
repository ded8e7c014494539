"""The evaluation the readout, the marks and the diagnosis read: a chunk at a time it is the
same as all at once, and exactly ``compute_cost`` when the data fits one chunk."""

import numpy as np
import pytest

from layerlab import compute_cost, forward, init_params
from layerlab.steps import run_steps
from layerlab.ui.data import make_lab_data
from layerlab.ui.health import diagnosis, evaluation_steps

DATA = make_lab_data("moons", 90, 0.2, 0.3, 0)


def evaluate(params, chunk, lambd=0.0):
    return run_steps(evaluation_steps(DATA, params, lambd, chunk, key=(0, lambd, 0)))


@pytest.fixture
def params():
    return init_params([2, 6, 5, 1], "he", np.random.default_rng(3))


def test_in_one_chunk_the_costs_are_compute_costs(params):
    whole = evaluate(params, chunk=10_000, lambd=0.3)
    AL, caches = forward(DATA.X_train, params)
    assert whole.train_cost == compute_cost(AL, DATA.Y_train, params, 0.3)
    AL_test, _ = forward(DATA.X_test, params)
    assert whole.test_cost == compute_cost(AL_test, DATA.Y_test)
    dead = [np.all(cache.Z <= 0.0, axis=1) for cache in caches[:-1]]
    for got, expected in zip(whole.dead_masks, dead, strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("chunk", [1, 7, 63, 64])
def test_in_chunks_it_is_the_same_evaluation(params, chunk):
    params["b1"][:3] = -50.0  # three dead units in layer 1
    whole, pieces = evaluate(params, 10_000, 0.1), evaluate(params, chunk, 0.1)
    assert pieces.train_cost == pytest.approx(whole.train_cost, rel=1e-12)
    assert pieces.test_cost == pytest.approx(whole.test_cost, rel=1e-12)
    np.testing.assert_array_equal(pieces.wrong_train, whole.wrong_train)
    np.testing.assert_array_equal(pieces.wrong_test, whole.wrong_test)
    np.testing.assert_allclose(pieces.test, whole.test, rtol=1e-12)
    assert pieces.dead_units == whole.dead_units
    assert pieces.dead_units[0] >= 3


def test_a_layer_of_dead_units_is_diagnosed_with_the_fix(params):
    params["b2"][:] = -50.0  # no example switches layer 2 on
    words = diagnosis(evaluate(params, 16), DATA.Y_train[0], [6, 5], 0.5)
    assert "all 5 ReLU units of layer 2 are dead" in words
    assert "Lower the learning rate (now 0.5)" in words
