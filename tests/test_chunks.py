"""Big passes split into chunks: the same gradient, the same bits every time, bounded pieces.

Oracles: the one-pass ``backward`` (the chunked sums must equal it to float64 rounding),
central finite differences of the cost, and runs that pause at other places (they must
agree bit for bit: where a run pauses is the UI's business, never the numbers').
"""

import numpy as np
import pytest

from layerlab import TrainConfig, Trainer, backward, compute_cost, forward, init_params
from layerlab.chunks import (
    UNIT_WORK,
    forward_chunk,
    forward_work,
    probabilities_steps,
    training_chunk,
)
from layerlab.network import predict_proba
from layerlab.regularization import l2_cost
from layerlab.steps import Dropout, gradient_update, gradient_update_steps, run_steps

LARGEST = [2, *[256] * 8, 1]  # the biggest network the page's controls allow


class Recorder:
    """An optimizer that keeps the gradients it is given and changes nothing."""

    def __init__(self) -> None:
        self.grads = []

    def update(self, params, grads, learning_rate) -> None:
        self.grads.append({key: value.copy() for key, value in grads.items()})


def problem(dims, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))  # (n_x, m)
    Y = (rng.random((1, m)) < 0.5).astype(float)  # (1, m)
    return X, Y, init_params(dims, "he", seed=seed)


@pytest.mark.parametrize("chunk", [1, 3, 7, 40])
@pytest.mark.parametrize("lambd", [0.0, 0.3])
def test_chunked_gradient_is_the_one_pass_gradient(chunk, lambd):
    dims, m = [3, 16, 8, 1], 41  # 41 = no chunk size divides it
    X, Y, params = problem(dims, m)
    AL, caches = forward(X, params)
    expected_cost = compute_cost(AL, Y, params, lambd)
    expected = backward(AL, Y, caches, lambd)
    recorder = Recorder()
    steps = gradient_update_steps(X, Y, params, recorder, 0.1, lambd, chunk=chunk)
    cost, grads = run_steps(steps)
    assert cost == pytest.approx(expected_cost, rel=1e-13)
    assert list(grads) == list(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-12, atol=1e-15, err_msg=key)
    assert len(recorder.grads) == 1  # one update, after the last chunk


def test_chunked_gradient_matches_finite_differences():
    dims, m, lambd, eps = [2, 4, 3, 1], 9, 0.2, 1e-6
    X, Y, params = problem(dims, m, seed=3)
    rng = np.random.default_rng(4)
    for l in range(1, len(dims)):  # away from ReLU's kink (zero biases put dead rows on it)
        params[f"b{l}"] += rng.uniform(0.1, 0.5, params[f"b{l}"].shape)

    def cost(p) -> float:
        return compute_cost(forward(X, p)[0], Y, p, lambd)

    _, grads = run_steps(gradient_update_steps(X, Y, params, Recorder(), 0.1, lambd, chunk=2))
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            saved = value[index]
            value[index] = saved + eps
            up = cost(params)
            value[index] = saved - eps
            down = cost(params)
            value[index] = saved
            numeric[index] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads["d" + key], numeric, rtol=1e-5, atol=1e-8, err_msg=key)


def test_one_chunk_is_gradient_update_bit_for_bit():
    X, Y, params = problem([2, 8, 8, 1], 30)
    copies = [{key: value.copy() for key, value in params.items()} for _ in range(2)]
    plain = Recorder()
    cost, _ = gradient_update(X, Y, copies[0], plain, 0.1, 0.1)
    chunked = Recorder()
    steps = gradient_update_steps(X, Y, copies[1], chunked, 0.1, 0.1, chunk=30)
    assert run_steps(steps)[0] == cost
    for key, value in plain.grads[0].items():
        np.testing.assert_array_equal(chunked.grads[0][key], value)


def test_chunked_dropout_draws_each_chunks_masks_in_order():
    dims = [2, 5, 4, 1]
    X, Y, params = problem(dims, 10)
    draw = Dropout(dims, 0.7, np.random.default_rng(5))
    recorder = Recorder()
    run_steps(gradient_update_steps(X, Y, params, recorder, 0.1, chunk=4, draw_masks=draw))
    # The oracle: one pass with the same masks, drawn chunk by chunk (4, 4, 2 columns).
    again = Dropout(dims, 0.7, np.random.default_rng(5))
    parts = [again(n) for n in (4, 4, 2)]
    masks = [np.hstack([part[l] for part in parts]) for l in range(2)]
    AL, caches = forward(X, params, masks=masks)
    for key, value in backward(AL, Y, caches).items():
        np.testing.assert_allclose(recorder.grads[0][key], value, rtol=1e-12, atol=1e-15)


def test_chunk_sizes_depend_on_the_sizes_alone():
    assert training_chunk([2, 8, 8, 1]) > 2000  # the default network never splits
    assert forward_work(LARGEST) == 2 * 256 + 7 * 256 * 256 + 256
    chunk = training_chunk(LARGEST)
    assert 1 <= chunk <= 10
    assert 3 * forward_work(LARGEST) * chunk <= UNIT_WORK
    assert forward_work(LARGEST) * forward_chunk(LARGEST) <= UNIT_WORK / 2
    assert training_chunk([2, 4096, 4096, 1]) == 1  # never less than one example


def test_probabilities_in_chunks_are_the_one_pass_probabilities():
    X, _, params = problem([2, 16, 16, 1], 50)
    steps = probabilities_steps(X, params, 7)
    pauses = sum(1 for _ in steps)  # a for loop drops the return value: count the pauses
    assert pauses == 7  # ceil(50 / 7) = 8 chunks, a pause between each two
    probabilities = run_steps(probabilities_steps(X, params, 7))
    np.testing.assert_allclose(probabilities, predict_proba(X, params)[0], rtol=1e-14)


# -- the trainer ------------------------------------------------------------------------------
def big_trainer(**config) -> Trainer:
    """A network that splits: [2, 256, 256, 1] on 10 held-out examples and a bit over two
    chunks of training examples."""
    m = 10 + 2 * training_chunk([2, 256, 256, 1]) + 7
    X, Y, _ = problem([2, 1], m, seed=1)
    settings = {"optimizer": "adam", "init": "he", "seed": 2, **config}
    return Trainer(
        X[:, 10:],
        Y[:, 10:],
        [2, 256, 256, 1],
        TrainConfig(**settings),
        X_val=X[:, :10],
        Y_val=Y[:, :10],
    )


@pytest.mark.parametrize(
    "config",
    [{}, {"keep_prob": 0.8, "lambd": 0.2}, {"batch_size": 64, "keep_prob": 0.9}],
    ids=["full-batch", "dropout-l2", "minibatch"],
)
def test_where_a_run_pauses_changes_no_bit(config):
    whole = big_trainer(**config)
    whole.step(3)
    pieces = big_trainer(**config)
    assert pieces.in_pieces
    assert pieces.chunk < min(config.get("batch_size", 10**6), pieces.Y.shape[1])  # it splits
    progress = []
    while pieces.iteration < 3:
        pieces.run_unit()
        progress.append(pieces.progress)
    assert whole.history.costs == pieces.history.costs
    assert whole.history.val_costs == pieces.history.val_costs
    for key, value in whole.params.items():
        np.testing.assert_array_equal(pieces.params[key], value, err_msg=key)
    assert max(progress) < 1.0
    assert sorted(set(progress)) == [i / pieces._pieces for i in range(pieces._pieces)]


def test_same_sizes_same_chunks_same_bits():
    first, second = big_trainer(keep_prob=0.8), big_trainer(keep_prob=0.8)
    assert first.chunk == second.chunk == training_chunk([2, 256, 256, 1])
    first.step(2)
    second.step(2)
    assert first.history.costs == second.history.costs
    np.testing.assert_array_equal(first.params["W2"], second.params["W2"])


def test_validation_cost_in_chunks_is_the_one_pass_cost():
    trainer = big_trainer()
    trainer._val_chunk = 3  # split the held-out pass too
    params = {key: value.copy() for key, value in trainer.params.items()}
    trainer.step(1)
    expected = compute_cost(forward(trainer.X_val, params)[0], trainer.Y_val)
    assert trainer.history.val_costs[0] == pytest.approx(expected, rel=1e-13)
    assert trainer.history.l2_costs == [0.0]
    assert l2_cost(params, 1.0, 1) > 0


@pytest.mark.parametrize(
    "config",
    [{}, {"batch_size": 1}, {"batch_size": 64, "keep_prob": 0.8}],
    ids=["full-batch", "batch-1", "batch-64-dropout"],
)
def test_the_largest_network_trains_in_bounded_units(config, monkeypatch):
    """No unit passes more than ``chunk`` examples through the network or updates twice."""
    import layerlab.steps as steps

    X, Y, _ = problem([2, 1], 90, seed=4)
    settings = {"optimizer": "adam", "init": "he", "seed": 0, **config}
    trainer = Trainer(
        X[:, 20:], Y[:, 20:], LARGEST, TrainConfig(**settings), X_val=X[:, :20], Y_val=Y[:, :20]
    )
    columns, updates = [], []
    forward_all = steps.forward

    def counting_forward(X, *args, **kwargs):
        columns[-1] += X.shape[1]
        return forward_all(X, *args, **kwargs)

    monkeypatch.setattr(steps, "forward", counting_forward)
    update = trainer._optimizer.update
    trainer._optimizer.update = lambda *args: (
        updates.__setitem__(-1, updates[-1] + 1),
        update(*args),
    )
    while trainer.iteration < 1:
        columns.append(0)
        updates.append(0)
        trainer.run_unit()
    assert max(columns) <= trainer.chunk
    assert max(updates) == 1
    assert len(columns) == trainer._pieces  # one unit per piece
