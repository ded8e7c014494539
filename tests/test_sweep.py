"""The λ sweep in the core: each point is a separate run with that λ, same seed; the grid's
text is read strictly."""

import math
from dataclasses import replace

import numpy as np
import pytest

from layerlab import TrainConfig, Trainer, compute_cost, fit, forward
from layerlab.datasets import make_dataset
from layerlab.sweep import (
    CSV_COLUMNS,
    MAX_LAMBD,
    MAX_POINTS,
    Sweep,
    check_grid,
    default_grid,
    format_grid,
    parse_grid,
    sweep,
    to_csv,
)


def moons(m: int = 120, seed: int = 0):
    X, Y = make_dataset("moons", m, noise=0.2, seed=seed)
    order = np.random.default_rng(seed).permutation(m)  # both classes in both parts
    X, Y = X[:, order], Y[:, order]
    return X[:, : m * 3 // 4], Y[:, : m * 3 // 4], X[:, m * 3 // 4 :], Y[:, m * 3 // 4 :]


def measured(params, X, Y, activation: str = "relu") -> tuple[float, float]:
    """An independent measurement: cross-entropy and accuracy of ``params`` in one pass."""
    from layerlab.activations import ACTIVATIONS

    AL, _ = forward(X, params, activation=ACTIVATIONS[activation])
    return compute_cost(AL, Y), float(np.mean((np.asarray(AL) > 0.5) == Y))


def test_default_grid_is_zero_then_log_spaced_up_to_the_maximum():
    assert default_grid() == [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
    assert default_grid()[-1] == MAX_LAMBD
    assert default_grid(0.5) == [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5]
    assert parse_grid(format_grid(default_grid())) == default_grid()


@pytest.mark.parametrize(
    ("config", "dims"),
    [
        ({"learning_rate": 0.3, "seed": 3}, [2, 6, 4, 1]),
        ({"learning_rate": 0.05, "seed": 1, "optimizer": "adam", "batch_size": 16}, [2, 5, 1]),
        ({"learning_rate": 0.1, "seed": 2, "activation": "tanh", "keep_prob": 0.8}, [2, 4, 1]),
    ],
    ids=["gd", "adam-minibatch", "tanh-dropout"],
)
def test_each_point_is_a_separate_run_with_that_lambda(config, dims):
    X, Y, X_test, Y_test = moons()
    grid = [0, 0.01, 0.3, 3]
    points = sweep(X, Y, dims, grid, X_test=X_test, Y_test=Y_test, iterations=60, **config)
    assert [point.lambd for point in points] == grid
    for point in points:
        result = fit(X, Y, dims, iterations=60, lambd=point.lambd, **config)
        train_cost, train_accuracy = measured(result.params, X, Y, config.get("activation", "relu"))
        test_cost, test_accuracy = measured(
            result.params, X_test, Y_test, config.get("activation", "relu")
        )
        assert point.train_cost == train_cost  # float64, bit for bit
        assert point.test_cost == test_cost
        assert point.train_accuracy == train_accuracy
        assert point.test_accuracy == test_accuracy
        assert (point.iterations, point.diverged) == (60, False)
    assert len({point.train_cost for point in points}) == len(grid)  # λ made a difference


def test_a_big_network_sweeps_in_pieces_and_still_matches():
    X, Y, X_test, Y_test = moons(200)
    dims = [2, 256, 256, 1]
    config = TrainConfig(learning_rate=0.05, iterations=2, seed=5, init="he")
    run = Sweep(X, Y, dims, config, [0, 1], X_test=X_test, Y_test=Y_test)
    units = 0
    while not run.done:
        run.run_unit()
        units += 1
        assert run.trainer is None or run.trainer.iteration <= 2
    assert units > 2 * 2  # more than an iteration per unit: the iterations went in pieces
    for point in run.points:
        trainer = Trainer(X, Y, dims, replace(config, lambd=point.lambd))
        trainer.step(2)
        assert point.train_cost == pytest.approx(measured(trainer.params, X, Y)[0], rel=1e-12)
        assert point.test_cost == pytest.approx(
            measured(trainer.params, X_test, Y_test)[0], rel=1e-12
        )


def test_points_come_one_by_one_and_progress_grows():
    X, Y, X_test, Y_test = moons()
    config = TrainConfig(learning_rate=0.2, iterations=300, seed=0)
    run = Sweep(X, Y, [2, 3, 1], config, "1, 0, 0.1", X_test=X_test, Y_test=Y_test)
    assert run.grid == [0, 0.1, 1]
    seen, progress = [], []
    while not run.done:
        point = run.run_unit()
        progress.append(run.progress)
        if point is not None:
            seen.append(point)
            assert run.points == seen
    assert [point.lambd for point in seen] == [0, 0.1, 1]
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    assert len(progress) > len(seen) + 3  # several units per λ: a page can stop in between
    assert run.run_unit() is None


def test_without_test_examples_the_test_columns_are_nan_and_the_csv_leaves_them_empty():
    X, Y, _, _ = moons()
    (point,) = sweep(X, Y, [2, 1], [0.5], iterations=10, seed=4)
    assert math.isnan(point.test_cost)
    assert math.isnan(point.test_accuracy)
    lines = to_csv([point]).splitlines()
    assert lines[0] == ",".join(CSV_COLUMNS)
    cells = lines[1].split(",")
    assert cells[0] == "0.5"
    assert float(cells[1]) == point.train_cost  # written exactly
    assert cells[2] == cells[4] == ""
    assert cells[5:] == ["10", "0"]


def test_a_diverging_lambda_is_marked_and_the_sweep_goes_on():
    X, Y, X_test, Y_test = moons()
    points = sweep(
        X * 1e6, Y, [2, 8, 1], [0, 1], X_test=X_test, Y_test=Y_test, iterations=50,
        learning_rate=1.0, init="he", seed=0,
    )  # fmt: skip
    assert [point.diverged for point in points] == [True, True]
    assert all(math.isnan(point.train_cost) for point in points)
    assert points[0].iterations < 50
    assert to_csv(points).splitlines()[1].endswith(",1")


def test_a_sweep_needs_a_seed():
    X, Y, _, _ = moons()
    with pytest.raises(ValueError, match="needs a seed"):
        Sweep(X, Y, [2, 1], TrainConfig(), [0])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the λ grid is empty"),
        (" , ,, ", "the λ grid is empty"),
        ("0, abc", "the λ grid has 'abc', which is not a number"),
        ("0, nan", "'nan', which is not a number"),
        ("1e999", "'1e999', which is not a finite number"),
        ("0x10", "'0x10', which is not a number"),
        ("1_0", "'1_0', which is not a number"),
        ("١", "which is not a number"),
        ("0, -1", "the λ grid has -1, below 0"),
        ("0, 11", "the λ grid has 11, above the maximum 10: lower it"),
        (", ".join(str(i / 10) for i in range(MAX_POINTS + 1)), f"at most {MAX_POINTS}"),
        ("0," * 300, "too long"),
        ("<script>alert(1)</script>", "'<script>alert(1)</scrip…, which is not a number"),
        (None, "must be text"),
        (5, "must be text"),
    ],
    ids=[
        "empty", "commas", "word", "nan", "inf", "hex", "underscore", "arabic", "negative",
        "above-max", "too-many", "too-long", "script", "none", "number",
    ],
)  # fmt: skip
def test_bad_grids_say_what_is_wrong_and_how_to_fix_it(text, words):
    with pytest.raises(ValueError, match="λ grid") as error:
        parse_grid(text)
    assert words in str(error.value)


def test_grids_are_sorted_and_each_value_kept_once():
    assert parse_grid("1, 0.1 0.1,0, -0, 1.0") == [0, 0.1, 1]
    assert parse_grid(", ".join(["0.5"] * 40)) == [0.5]  # duplicates do not count
    assert check_grid([np.float64(0.3), 0]) == [0, 0.3]
    with pytest.raises(ValueError, match="not a finite number"):
        check_grid([math.inf])
    with pytest.raises(ValueError, match="not a number"):
        check_grid(["1"])
    assert format_grid([0, 0.1, 1e-5, 10]) == "0, 0.1, 1e-05, 10"
    assert parse_grid("0, 0.1, 1e-05, 10") == [0, 1e-5, 0.1, 10]
