"""Backprop against centred finite differences, across depths, widths and λ."""

import numpy as np
import pytest

from layerlab import gradient_check, init_params
from layerlab.activations import ACTIVATIONS, TANH, Activation, relu_backward
from layerlab.network import backward, forward


def data(n_x: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    return X, Y


def random_params(layer_dims: list[int], seed: int) -> dict[str, np.ndarray]:
    """He weights and non-zero biases, so no unit sits exactly on the ReLU kink at 0."""
    params = init_params(layer_dims, "he", seed=seed)
    rng = np.random.default_rng(seed + 1000)
    for l in range(1, len(layer_dims)):
        params[f"b{l}"] = rng.normal(0.0, 0.5, (layer_dims[l], 1))
    return params


def away_from_kinks(params, X, activation=ACTIVATIONS["relu"]) -> bool:
    """True when no hidden pre-activation is within 1e-4 of the (leaky) ReLU kink, and no
    weight within 1e-4 of L1's kink at 0."""
    _, caches = forward(X, params, activation=activation)
    weights = [value for key, value in params.items() if key.startswith("W")]
    return all(np.abs(cache.Z).min() > 1e-4 for cache in caches[:-1]) and all(
        np.abs(W).min() > 1e-4 for W in weights
    )


@pytest.mark.parametrize(
    "layer_dims", [[3, 1], [3, 4, 1], [4, 5, 3, 1], [2, 6, 5, 4, 3, 1]], ids=str
)
@pytest.mark.parametrize("lambd", [0.0, 0.1, 2.5])
def test_backprop_matches_finite_differences(layer_dims, lambd):
    X, Y = data(layer_dims[0], 7, seed=len(layer_dims))
    params = random_params(layer_dims, seed=11)
    assert away_from_kinks(params, X)
    assert gradient_check(params, X, Y, lambd) < 1e-7


@pytest.mark.parametrize("layer_dims", [[3, 4, 1], [4, 5, 3, 1], [2, 6, 5, 4, 3, 1]], ids=str)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize(("lambd", "lambd_l1"), [(0.0, 0.0), (0.0, 0.7), (0.4, 0.3)])
def test_every_activation_and_l1_match_finite_differences(layer_dims, activation, lambd, lambd_l1):
    X, Y = data(layer_dims[0], 7, seed=len(layer_dims))
    params = random_params(layer_dims, seed=13)
    g = ACTIVATIONS[activation]
    assert away_from_kinks(params, X, g)
    difference = gradient_check(params, X, Y, lambd, lambd_l1=lambd_l1, activation=g)
    assert difference < 1e-7


def test_gradient_check_catches_a_wrong_derivative_or_a_missing_l1(monkeypatch):
    X, Y = data(3, 7, seed=0)
    params = random_params([3, 4, 1], seed=11)
    wrong = Activation("tanh", TANH.forward, relu_backward)  # tanh beside ReLU's derivative
    assert gradient_check(params, X, Y, activation=wrong) > 1e-3

    def backward_missing_l1(AL, Y, caches, lambd=0.0, **settings):
        return backward(AL, Y, caches, lambd, **{**settings, "lambd_l1": 0.0})

    monkeypatch.setattr("layerlab.gradcheck.backward", backward_missing_l1)
    assert gradient_check(params, X, Y, lambd_l1=1.0) > 1e-3


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    X, Y = data(3, 7, seed=0)
    params = init_params([3, 4, 1], "he", seed=11)

    def backward_missing_l2(AL, Y, caches, lambd=0.0, **settings):
        return backward(AL, Y, caches, 0.0, **settings)

    monkeypatch.setattr("layerlab.gradcheck.backward", backward_missing_l2)
    assert gradient_check(params, X, Y, lambd=1.0) > 1e-3


def test_gradient_check_rejects_mismatched_data():
    params = init_params([3, 4, 1], "he", seed=1)
    X, Y = data(2, 5, seed=0)
    with pytest.raises(ValueError, match="layer_dims\\[0\\] = 3"):
        gradient_check(params, X, Y)
