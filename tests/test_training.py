"""Step-wise training: equal to the seed's loop, reproducible, and honest about divergence."""

import numpy as np
import pytest

from layerlab import (
    DivergenceError,
    TrainConfig,
    Trainer,
    backward,
    compute_cost,
    fit,
    forward,
    init_params,
    update_params,
)


def xor_data(m: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (2, m))
    Y = (X[0:1] * X[1:2] > 0).astype(np.float64)
    return X, Y


def seed_loop(X, Y, layer_dims, learning_rate, iterations, lambd, init, seed):
    """The seed's algorithm written with the public functions, step by step."""
    params = init_params(layer_dims, init, seed)
    costs = []
    for _ in range(iterations):
        AL, caches = forward(X, params)
        costs.append(compute_cost(AL, Y, params, lambd))
        grads = backward(AL, Y, caches, lambd)
        params = update_params(params, grads, learning_rate)
    return params, costs


@pytest.mark.parametrize("init", ["small", "he", "xavier", "sqrt"])
@pytest.mark.parametrize(("lambd", "seed"), [(0.0, 0), (0.7, 3)])
def test_fit_equals_the_seed_loop_step_for_step(init, lambd, seed):
    X, Y = xor_data()
    dims = [2, 6, 4, 1]
    expected_params, expected_costs = seed_loop(X, Y, dims, 0.3, 150, lambd, init, seed)
    result = fit(X, Y, dims, learning_rate=0.3, iterations=150, lambd=lambd, init=init, seed=seed)
    assert result.costs == expected_costs  # bit for bit: same arithmetic in the same order
    for key, value in expected_params.items():
        np.testing.assert_array_equal(result.params[key], value)
    assert result.iterations == 150


def test_fit_learns_xor():
    X, Y = xor_data(400)
    result = fit(X, Y, [2, 8, 8, 1], learning_rate=0.5, iterations=1500, init="he", seed=1)
    assert result.costs[-1] < 0.1 * result.costs[0]
    from layerlab import predict

    assert (predict(X, result.params) == Y).mean() > 0.95


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"optimizer": "adam", "batch_size": 32, "keep_prob": 0.8, "lambd": 0.1},
        {"optimizer": "momentum", "batch_size": 50, "decay_rate": 0.01},
    ],
    ids=["gd", "adam-minibatch-dropout", "momentum-decay"],
)
def test_same_seed_same_run_bit_for_bit(settings):
    X, Y = xor_data()
    runs = [
        fit(X, Y, [2, 5, 1], learning_rate=0.05, iterations=40, init="he", seed=seed, **settings)
        for seed in (5, 5, 6)
    ]
    assert runs[0].costs == runs[1].costs
    assert all(np.array_equal(runs[0].params[k], runs[1].params[k]) for k in runs[0].params)
    assert runs[0].costs != runs[2].costs


def test_stepping_in_slices_equals_one_fit():
    X, Y = xor_data()
    config = TrainConfig(
        learning_rate=0.02,
        iterations=60,
        optimizer="adam",
        batch_size=25,
        keep_prob=0.9,
        init="he",
        seed=2,
    )
    trainer = Trainer(X, Y, [2, 6, 1], config)
    sliced = trainer.step(7) + trainer.step(1) + trainer.step(100)
    whole = fit(
        X,
        Y,
        [2, 6, 1],
        learning_rate=0.02,
        iterations=60,
        optimizer="adam",
        batch_size=25,
        keep_prob=0.9,
        init="he",
        seed=2,
    )
    assert sliced == whole.costs
    assert trainer.done
    assert trainer.step(5) == []
    assert trainer.iteration == 60


def test_minibatch_cost_is_the_weighted_mean_over_an_epoch():
    X, Y = xor_data(10)
    trainer = Trainer(X, Y, [2, 3, 1], TrainConfig(batch_size=4, seed=0, init="he"))
    params = {k: v.copy() for k, v in trainer.params.items()}
    order = np.random.default_rng(0)
    order.standard_normal(6)  # the draws init took: W1 (3, 2)
    order.standard_normal(3)  # W2 (1, 3)
    permutation = order.permutation(10)
    expected = 0.0
    for start in (0, 4, 8):
        chosen = permutation[start : start + 4]
        AL, caches = forward(X[:, chosen], params)
        expected += compute_cost(AL, Y[:, chosen]) * len(chosen) / 10
        params = update_params(params, backward(AL, Y[:, chosen], caches), 0.0075)
    assert trainer.step(1) == [pytest.approx(expected, rel=1e-14)]
    for key, value in params.items():
        np.testing.assert_allclose(trainer.params[key], value, rtol=1e-14)


def test_learning_rate_and_lambda_change_between_steps():
    X, Y = xor_data()
    trainer = Trainer(X, Y, [2, 4, 1], TrainConfig(learning_rate=0.1, seed=0, init="he"))
    trainer.step(3)
    trainer.learning_rate = 0.5
    trainer.lambd = 0.2
    before = {k: v.copy() for k, v in trainer.params.items()}
    [cost] = trainer.step(1)
    AL, caches = forward(X, before)
    assert cost == compute_cost(AL, Y, before, 0.2)
    expected = update_params(before, backward(AL, Y, caches, 0.2), 0.5)
    for key, value in expected.items():
        np.testing.assert_array_equal(trainer.params[key], value)
    assert trainer.history.l2_costs[-1] > 0
    with pytest.raises(ValueError, match=r"learning_rate = -1\.0"):
        trainer.learning_rate = -1.0
    assert trainer.learning_rate == 0.5


def test_divergence_raises_and_keeps_finite_weights():
    X, Y = xor_data()
    config = TrainConfig(learning_rate=1000.0, seed=0, init="he")
    trainer = Trainer(X, Y, [2, 32, 32, 32, 1], config)
    with pytest.raises(DivergenceError, match="Lower the learning rate") as error:
        trainer.step(1000)  # the weights explode within a few iterations, with no NumPy warning
    assert isinstance(error.value, ValueError)
    assert all(np.isfinite(value).all() for value in trainer.params.values())
    assert all(np.isfinite(trainer.history.costs))


def test_early_stopping_restores_the_best_weights():
    X, Y = xor_data(60, seed=1)
    X_val, Y_val = xor_data(60, seed=2)
    Y_val = 1.0 - Y_val  # a validation set the model can only get worse on
    result = fit(
        X,
        Y,
        [2, 8, 1],
        learning_rate=0.5,
        iterations=500,
        init="he",
        seed=0,
        X_val=X_val,
        Y_val=Y_val,
        patience=10,
    )
    assert result.stopped_early
    best = result.best_iteration
    assert result.iterations == best + 11
    assert min(result.history.val_costs) == result.history.val_costs[best]
    AL, _ = forward(X_val, result.params)
    assert compute_cost(AL, Y_val) == result.history.val_costs[best]


def test_callback_runs_every_k_iterations():
    X, Y = xor_data()
    seen = []
    fit(
        X,
        Y,
        [2, 3, 1],
        iterations=25,
        seed=0,
        callback=lambda t: seen.append(t.iteration),
        callback_every=10,
    )
    assert seen == [10, 20, 25]


def test_continue_from_given_params():
    X, Y = xor_data()
    first = fit(X, Y, [2, 4, 1], learning_rate=0.3, iterations=20, init="he", seed=0)
    trainer = Trainer(
        X, Y, [2, 4, 1], TrainConfig(learning_rate=0.3, iterations=20), params=first.params
    )
    AL, _ = forward(X, first.params)
    assert trainer.step(1) == [compute_cost(AL, Y)]
    with pytest.raises(ValueError, match=r"\[2, 4, 1\]"):
        Trainer(X, Y, [2, 5, 1], params=first.params)
