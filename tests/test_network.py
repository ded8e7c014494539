"""The seed's forward, cost, backward and update against numbers worked by hand."""

import math

import numpy as np
import pytest

from layerlab import backward, compute_cost, forward, init_params, predict, update_params
from layerlab.activations import ACTIVATIONS, LEAKY_RELU, TANH


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# A [2, 2, 1] network and two examples, small enough to work through on paper.
X = np.array([[1.0, 2.0], [3.0, -1.0]])  # (2, 2): examples (1, 3) and (2, -1)
Y = np.array([[1.0, 0.0]])
PARAMS = {
    "W1": np.array([[1.0, -1.0], [0.5, 2.0]]),
    "b1": np.array([[0.0], [-1.0]]),
    "W2": np.array([[1.0, -0.5]]),
    "b2": np.array([[0.25]]),
}
# By hand: Z1 = [[-2, 3], [5.5, -2]], A1 = [[0, 3], [5.5, 0]], Z2 = [[-2.5, 3.25]].
D1 = sigma(-2.5) - 1.0  # dZ2 of example 1
D2 = sigma(3.25)  # dZ2 of example 2


def test_forward_matches_hand_computation():
    AL, caches = forward(X, PARAMS)
    np.testing.assert_allclose(caches[0].Z, [[-2.0, 3.0], [5.5, -2.0]])
    np.testing.assert_allclose(caches[1].A_prev, [[0.0, 3.0], [5.5, 0.0]])
    np.testing.assert_allclose(caches[1].Z, [[-2.5, 3.25]])
    np.testing.assert_allclose(AL, [[sigma(-2.5), sigma(3.25)]], rtol=1e-15)
    assert caches[0].A_prev is X
    assert caches[1].W is PARAMS["W2"]


def test_cost_matches_hand_computation():
    AL, _ = forward(X, PARAMS)
    expected = -(math.log(sigma(-2.5)) + math.log(1.0 - sigma(3.25))) / 2
    assert compute_cost(AL, Y) == pytest.approx(expected, rel=1e-14)
    squares = 1 + 1 + 0.25 + 4 + 1 + 0.25  # ||W1||² + ||W2||²
    lambd = 0.7
    assert compute_cost(AL, Y, PARAMS, lambd) == pytest.approx(
        expected + lambd / (2 * 2) * squares, rel=1e-14
    )
    assert isinstance(compute_cost(AL, Y), float)


def test_backward_matches_hand_computation():
    AL, caches = forward(X, PARAMS)
    grads = backward(AL, Y, caches)
    assert list(grads) == ["dW1", "db1", "dW2", "db2"]
    np.testing.assert_allclose(grads["dW2"], [[3 * D2 / 2, 5.5 * D1 / 2]], rtol=1e-14)
    np.testing.assert_allclose(grads["db2"], [[(D1 + D2) / 2]], rtol=1e-14)
    np.testing.assert_allclose(grads["dW1"], [[D2, -D2 / 2], [-D1 / 4, -3 * D1 / 4]], rtol=1e-14)
    np.testing.assert_allclose(grads["db1"], [[D2 / 2], [-D1 / 4]], rtol=1e-14)


def test_l2_adds_lambda_over_m_times_w_to_weights_only():
    AL, caches = forward(X, PARAMS)
    plain = backward(AL, Y, caches)
    lambd = 0.3
    regularised = backward(AL, Y, caches, lambd)
    for l in (1, 2):
        np.testing.assert_allclose(
            regularised[f"dW{l}"] - plain[f"dW{l}"], lambd / 2 * PARAMS[f"W{l}"], rtol=1e-12
        )
        np.testing.assert_array_equal(regularised[f"db{l}"], plain[f"db{l}"])


def test_l1_adds_lambda_over_m_times_sign_w_to_weights_only():
    AL, caches = forward(X, PARAMS)
    plain = backward(AL, Y, caches)
    both = backward(AL, Y, caches, 0.3, lambd_l1=0.2)
    for l in (1, 2):
        W = PARAMS[f"W{l}"]
        np.testing.assert_allclose(
            both[f"dW{l}"] - plain[f"dW{l}"], 0.3 / 2 * W + 0.2 / 2 * np.sign(W), rtol=1e-12
        )
        np.testing.assert_array_equal(both[f"db{l}"], plain[f"db{l}"])
    # By hand: Σ|W| = (1 + 1 + 0.5 + 2) + (1 + 0.5) = 6, Σ W² = 6.25 + 1.25 = 7.5, m = 2.
    cross_entropy = compute_cost(AL, Y)
    assert compute_cost(AL, Y, PARAMS, lambd_l1=0.2) == pytest.approx(cross_entropy + 0.2 / 2 * 6)
    both_cost = compute_cost(AL, Y, PARAMS, 0.3, lambd_l1=0.2)
    assert both_cost == pytest.approx(cross_entropy + 0.3 / 4 * 7.5 + 0.2 / 2 * 6, rel=1e-14)


def test_hidden_activations_against_hand_computation():
    Z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(LEAKY_RELU.forward(Z), [[-0.02, 0.0, 3.0]])
    np.testing.assert_array_equal(LEAKY_RELU.backward(np.ones((1, 3)), Z), [[0.01, 0.01, 1.0]])
    t = math.tanh(3.0)
    np.testing.assert_allclose(TANH.forward(Z), [[-math.tanh(2.0), 0.0, t]], rtol=1e-15)
    dZ = TANH.backward(np.full((1, 3), 2.0), Z)
    np.testing.assert_allclose(dZ, [[2 * (1 - math.tanh(2.0) ** 2), 2.0, 2 * (1 - t * t)]])
    assert list(ACTIVATIONS) == ["relu", "leaky_relu", "tanh", "sigmoid"]
    assert all(ACTIVATIONS[name].name == name for name in ACTIVATIONS)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "tanh", "sigmoid"])
def test_activations_write_into_out_and_keep_z(name):
    g, rng = ACTIVATIONS[name], np.random.default_rng(0)
    Z, dA = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    kept = Z.copy()
    A, out = g.forward(Z), np.empty((3, 5))
    assert g.forward(Z, out=out) is out
    np.testing.assert_array_equal(out, A)
    dZ = g.backward(dA, Z)
    assert g.backward(dA, Z, out=dA) is dA  # in place, as backward uses it
    np.testing.assert_array_equal(dA, dZ)
    np.testing.assert_array_equal(Z, kept)


def test_update_params_returns_new_dict_and_keeps_input():
    grads = {"d" + key: np.full(value.shape, 2.0) for key, value in PARAMS.items()}
    before = {key: value.copy() for key, value in PARAMS.items()}
    new = update_params(PARAMS, grads, 0.5)
    for key, value in PARAMS.items():
        np.testing.assert_array_equal(value, before[key])
        np.testing.assert_array_equal(new[key], before[key] - 1.0)
        assert new[key] is not value


def test_predict_thresholds_at_one_half():
    np.testing.assert_array_equal(predict(X, PARAMS), [[0, 1]])
    assert predict(X, PARAMS).dtype.kind == "i"


@pytest.mark.parametrize(
    ("layer_dims", "init", "scale"),
    [
        ([3, 5, 4, 1], "small", lambda n_l, n_prev: 0.01),
        ([300, 200, 1], "he", lambda n_l, n_prev: math.sqrt(2 / n_prev)),
        ([300, 200, 1], "xavier", lambda n_l, n_prev: math.sqrt(2 / (n_l + n_prev))),
        ([300, 200, 1], "sqrt", lambda n_l, n_prev: 1 / math.sqrt(n_prev)),
    ],
)
def test_init_shapes_zero_biases_and_scale(layer_dims, init, scale):
    params = init_params(layer_dims, init, seed=4)
    assert list(params) == [f"{p}{l}" for l in range(1, len(layer_dims)) for p in "Wb"]
    for l in range(1, len(layer_dims)):
        W, b = params[f"W{l}"], params[f"b{l}"]
        assert W.shape == (layer_dims[l], layer_dims[l - 1])
        assert b.shape == (layer_dims[l], 1)
        assert not b.any()
    W1 = params["W1"]
    assert W1.std() == pytest.approx(scale(*W1.shape), rel=0.1)


def test_small_init_is_randn_times_one_hundredth():
    params = init_params([4, 3, 1], "small", seed=9)
    rng = np.random.default_rng(9)
    np.testing.assert_array_equal(params["W1"], rng.standard_normal((3, 4)) * 0.01)
    np.testing.assert_array_equal(params["W2"], rng.standard_normal((1, 3)) * 0.01)


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = (init_params([2, 4, 1], "he", seed=s) for s in (1, 1, 2))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])


@pytest.mark.parametrize("z", [1e3, 800.0, 40.0, -40.0, -800.0, -1e3])
def test_cost_is_exact_and_warning_free_when_the_output_saturates(z):
    # One layer: Z = w·x. The exact loss of a logit z is log(1 + e^z) - y z.
    params = {"W1": np.array([[z]]), "b1": np.zeros((1, 1))}
    AL, caches = forward(np.ones((1, 2)), params)
    Y = np.array([[0.0, 1.0]])
    expected = ((max(z, 0) + math.log1p(math.exp(-abs(z)))) * 2 - z) / 2
    cost = compute_cost(AL, Y)
    assert cost == pytest.approx(expected, rel=1e-14)
    grads = backward(AL, Y, caches)
    assert np.isfinite(grads["dW1"]).all()


def test_cost_from_a_plain_probability_array_matches_and_stays_finite():
    AL, _ = forward(X, PARAMS)
    assert compute_cost(np.asarray(AL).copy(), Y) == pytest.approx(compute_cost(AL, Y), rel=1e-12)
    assert math.isfinite(compute_cost(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])))


def test_arithmetic_on_the_output_gives_plain_arrays():
    AL, _ = forward(X, PARAMS)
    assert type(AL - Y) is np.ndarray
    assert type(AL * 2) is np.ndarray


def test_relu_does_not_modify_cached_z():
    _, caches = forward(X, PARAMS)
    np.testing.assert_array_equal(caches[0].Z, [[-2.0, 3.0], [5.5, -2.0]])
