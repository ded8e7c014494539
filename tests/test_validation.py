"""Every bad input named in the core issue raises ValueError/TypeError naming the value."""

import numpy as np
import pytest

from layerlab import TrainConfig, Trainer, compute_cost, fit, init_params, predict

X = np.random.default_rng(0).standard_normal((2, 10))
Y = (X[0:1] > 0).astype(np.float64)
FIRST = np.eye(2, 10) == 1  # picks X[0, 0] (and X[1, 1])


@pytest.mark.parametrize(
    ("layer_dims", "error", "message"),
    [
        ([], ValueError, r"at least an input and an output width.*\[\]"),
        ([2], ValueError, r"at least an input and an output width.*\[2\]"),
        ([2, 0, 1], ValueError, r"layer_dims\[1\] = 0 must be a positive"),
        ([2, -3, 1], ValueError, r"layer_dims\[1\] = -3 must be a positive"),
        ([2, 4.0, 1], TypeError, r"layer_dims\[1\] = 4.0 is not a whole number"),
        ([2, True, 1], TypeError, r"layer_dims\[1\] = True is not a whole number"),
        ("2, 4, 1", TypeError, r"list of layer widths.*'2, 4, 1'"),
        (5, TypeError, r"list of layer widths.*5"),
        ([2, 4, 3], ValueError, r"last layer must have 1 unit.*got 3"),
    ],
)
def test_bad_layer_dims(layer_dims, error, message):
    with pytest.raises(error, match=message):
        init_params(layer_dims)
    with pytest.raises(error, match=message):
        fit(X, Y, layer_dims, iterations=1)


@pytest.mark.parametrize(
    ("X_bad", "Y_bad", "message"),
    [
        (
            np.where(FIRST, np.nan, X),
            Y,
            r"X contains a non-finite value nan at \[0, 0\]",
        ),
        (np.where(FIRST, np.inf, X), Y, r"non-finite value inf"),
        (X[:1], Y, r"X has 1 rows \(features\) but layer_dims\[0\] = 2"),
        (X, Y * 2, r"Y must contain only 0 and 1, found 2.0"),
        (X, Y[:, :9], r"Y has 9 labels but X has 10 examples"),
        (X[:, :0], Y[:, :0], r"X has no examples"),
        (X.ravel(), Y, r"X must be 2-D, got 1-D"),
        (X, Y.ravel(), r"Y must be 2-D"),
        (X, np.vstack([Y, Y]), r"Y must be \(1, m\), got shape \(2, 10\)"),
        ("abc", Y, r"X must be a numeric 2-D array, got a string"),
        ([["a", "b"]], Y, r"X must be a numeric 2-D array"),
    ],
)
def test_bad_data(X_bad, Y_bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        fit(X_bad, Y_bad, [2, 3, 1], iterations=1)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"lambd": -0.1}, r"lambd = -0.1 is out of range"),
        ({"lambd": float("nan")}, r"lambd = nan is out of range"),
        ({"learning_rate": 0.0}, r"learning_rate = 0.0 is out of range; use a value in \(0"),
        ({"learning_rate": -1}, r"learning_rate = -1.0 is out of range"),
        ({"learning_rate": float("nan")}, r"learning_rate = nan"),
        ({"learning_rate": float("inf")}, r"learning_rate = inf"),
        ({"learning_rate": "0.1"}, r"learning_rate must be a number, got '0.1'"),
        ({"iterations": -1}, r"iterations = -1 is too small"),
        ({"iterations": 2.5}, r"iterations must be a whole number, got 2.5"),
        ({"init": "glorot"}, r"unknown init 'glorot'; choose one of 'small', 'he'"),
        ({"optimizer": "rmsprop"}, r"unknown optimizer 'rmsprop'; choose one of 'gd'"),
        ({"keep_prob": 0.0}, r"keep_prob = 0.0 is out of range; use a value in \(0, 1\]"),
        ({"keep_prob": 1.5}, r"keep_prob = 1.5 is out of range"),
        ({"batch_size": 0}, r"batch_size = 0 is too small; use a whole number >= 1"),
        ({"batch_size": -4}, r"batch_size = -4 is too small"),
        ({"patience": 5}, r"early stopping \(patience\) needs a validation set"),
        ({"seed": -1}, r"seed = -1 is too small"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises((ValueError, TypeError), match=message):
        fit(X, Y, [2, 3, 1], **{"iterations": 1, **settings})


def test_zero_iterations_is_allowed_and_trains_nothing():
    result = fit(X, Y, [2, 3, 1], iterations=0, seed=1)
    assert result.costs == []
    np.testing.assert_array_equal(result.params["W1"], init_params([2, 3, 1], seed=1)["W1"])


def test_only_one_validation_half():
    with pytest.raises(ValueError, match="both X_val and Y_val"):
        Trainer(X, Y, [2, 3, 1], TrainConfig(), X_val=X)


def test_predict_checks_feature_count():
    params = init_params([3, 2, 1], seed=0)
    with pytest.raises(ValueError, match="X has 2 rows"):
        predict(X, params)


def test_cost_shapes_must_match():
    with pytest.raises(ValueError, match=r"AL has shape \(1, 3\) but Y has shape \(1, 4\)"):
        compute_cost(np.full((1, 3), 0.5), np.zeros((1, 4)))
