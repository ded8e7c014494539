"""LabState without a browser: controls, resets, validation, divergence, and the core oracle."""

import math
import re
import subprocess
import sys

import numpy as np
import param
import pytest

from layerlab import TrainConfig, Trainer, fit
from layerlab.layers import (
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    format_hidden_layers,
    narrower,
    parse_hidden_layers,
    wider,
)
from layerlab.settings import LINK_SETTINGS as SETTINGS
from layerlab.ui.data import make_lab_data
from layerlab.ui.state import PRESET_NOTES, PRESETS, LabState

SMALL = {"n_points": 60, "hidden_layers": "4, 3"}  # quick to train


def run_to_end(state: LabState) -> None:
    state.play()
    while state.running:
        state.tick(budget_s=math.inf)


# -- the state module itself -------------------------------------------------------------------
def test_state_module_does_not_import_panel():
    code = "import sys, layerlab.ui.state; print('panel' in sys.modules, 'bokeh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("name", [*SETTINGS, "steps_per_tick"])
def test_every_setting_has_a_label_a_doc_and_bounds(name):
    parameter = LabState.param[name]
    assert parameter.doc
    assert parameter.label
    if isinstance(parameter, param.Number):
        low, high = parameter.bounds
        assert low is not None
        assert high is not None
    elif isinstance(parameter, param.Selector):
        assert parameter.objects


def test_defaults_describe_a_small_network_ready_to_train():
    state = LabState()
    assert state.session.layer_dims == [2, 8, 8, 1]
    assert state.session.trainer.iteration == 0
    assert state.session.architecture == "2 → 8 → 8 → 1 (105 parameters)"
    assert "Press Play" in state.status
    assert state.session.data.X_train.shape[0] == 2
    assert (
        state.session.data.X_train.shape[1] + state.session.data.X_test.shape[1] == state.n_points
    )


def test_defaults_learn_visibly_within_a_few_hundred_iterations():
    state = LabState()
    state.apply(iterations=300)
    run_to_end(state)
    costs = state.session.trainer.history.costs
    assert costs[0] > 0.6
    assert costs[-1] < 0.2
    assert state.session.latest()["test_accuracy"] > 0.9


# -- the oracle: stepping the state's trainer is the core's fit --------------------------------
@pytest.mark.parametrize(
    "settings",
    [
        {},  # defaults: Adam, He
        PRESETS["article"] | {"iterations": 200},
        {"optimizer": "momentum", "lambd": 0.1, "batch_size": 32, "keep_prob": 0.8},
        {"init": "xavier", "hidden_layers": "none", "learning_rate": 0.3, "optimizer": "gd"},
    ],
)
def test_stepping_matches_core_fit(settings):
    state = LabState(**{"iterations": 150, **settings})
    run_to_end(state)
    data = make_lab_data(state.dataset, state.n_points, state.noise, state.test_ratio, 0)
    result = fit(
        data.X_train,
        data.Y_train,
        state.session.layer_dims,
        learning_rate=state.learning_rate,
        iterations=state.iterations,
        lambd=state.lambd,
        init=state.init,
        seed=state.weight_seed,
        optimizer=state.optimizer,
        batch_size=state.batch_size or None,
        keep_prob=state.keep_prob,
        X_val=data.X_test,
        Y_val=data.Y_test,
    )
    history = state.session.trainer.history
    assert len(history.costs) == state.iterations
    np.testing.assert_allclose(history.costs, result.history.costs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(history.val_costs, result.history.val_costs, rtol=0, atol=1e-12)
    for key, value in result.params.items():
        np.testing.assert_allclose(state.session.trainer.params[key], value, rtol=0, atol=1e-12)


def test_live_learning_rate_and_lambda_match_a_trainer_changed_at_the_same_point():
    state = LabState(**SMALL)
    config = TrainConfig(
        learning_rate=state.learning_rate,
        iterations=1000,
        optimizer=state.optimizer,
        init=state.init,
        seed=state.weight_seed,
    )
    data = state.session.data
    oracle = Trainer(data.X_train, data.Y_train, state.session.layer_dims, config)
    for _ in range(20):
        state.step()
    oracle.step(20)
    state.apply(learning_rate=0.03, lambd=0.3)
    oracle.learning_rate, oracle.lambd = 0.03, 0.3
    for _ in range(20):
        state.step()
    oracle.step(20)
    assert state.session.trainer.iteration == 40
    np.testing.assert_allclose(
        state.session.trainer.history.costs, oracle.history.costs, atol=1e-12
    )
    assert state.session.trainer.history.l2_costs[-1] > 0


# -- transport: play, pause, step, tick, budget ------------------------------------------------
def test_tick_does_nothing_while_paused_and_steps_per_tick_when_playing():
    state = LabState(**SMALL, steps_per_tick=7)
    assert state.tick() == 0
    state.play()
    assert state.running
    assert state.tick(budget_s=math.inf) == 7
    assert state.session.trainer.iteration == 7
    state.pause()
    assert not state.running
    assert "Paused at iteration 7" in state.status
    assert state.tick() == 0


def test_tick_stops_early_when_its_time_budget_is_spent():
    state = LabState(**SMALL, steps_per_tick=200)
    state.play()
    assert state.tick(budget_s=0.0) == 1


def test_step_pauses_and_advances_one_iteration():
    state = LabState(**SMALL)
    state.play()
    state.step()
    assert not state.running
    assert state.session.trainer.iteration == 1
    assert len(state.session.trainer.history.costs) == 1


def test_training_stops_at_the_budget_and_can_be_extended():
    state = LabState(**SMALL, iterations=30, steps_per_tick=8)
    run_to_end(state)
    assert state.session.trainer.iteration == 30
    assert state.status_level == "success"
    assert "Done: 30 iterations" in state.status
    state.play()
    assert not state.running
    assert state.status_level == "warning"
    assert "raise Iterations" in state.status
    generation = state.generation
    state.apply(iterations=50)
    assert state.generation == generation  # a budget change keeps the network
    run_to_end(state)
    assert state.session.trainer.iteration == 50


def test_lowering_the_budget_below_the_iteration_pauses():
    state = LabState(**SMALL)
    state.play()
    state.tick(budget_s=math.inf)
    state.apply(iterations=2)
    assert not state.running
    assert "Budget lowered" in state.status


def test_metrics_record_accuracy_once_per_iteration():
    state = LabState(**SMALL, steps_per_tick=5)
    state.play()
    state.tick(budget_s=math.inf)
    state.tick(budget_s=math.inf)
    assert state.session.accuracy_history()["iteration"] == [0, 5, 10]
    wrong_train, _ = state.session.mistakes()
    assert state.session.accuracy_history()["train_accuracy"][-1] == pytest.approx(
        1 - wrong_train.mean()
    )


# -- resets ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value", "new_data"),
    [
        ("dataset", "circles", True),
        ("n_points", 80, True),
        ("noise", 0.3, True),
        ("test_ratio", 0.4, True),
        ("data_seed", 5, True),
        ("hidden_layers", "5", False),
        ("init", "xavier", False),
        ("optimizer", "gd", False),
        ("batch_size", 16, False),
        ("keep_prob", 0.9, False),
        ("weight_seed", 9, False),
    ],
)
def test_structural_changes_reset_the_network_and_say_so(name, value, new_data):
    state = LabState(**SMALL)
    for _ in range(3):
        state.step()
    data, generation = state.session.data, state.generation
    assert state.apply(**{name: value}) == {}
    assert getattr(state, name) == value
    assert state.generation == generation + 1
    assert state.session.trainer.iteration == 0
    assert state.session.trainer.history.costs == []
    assert (state.session.data is not data) == new_data
    assert f"{LabState.param[name].label} changed: fresh network" in state.status


@pytest.mark.parametrize(("name", "value"), [("learning_rate", 0.3), ("lambd", 0.01)])
def test_live_settings_do_not_reset(name, value):
    state = LabState(**SMALL)
    state.step()
    generation = state.generation
    state.apply(**{name: value})
    assert state.generation == generation
    assert state.session.trainer.iteration == 1
    assert getattr(state.session.trainer, name) == value


def test_several_settings_at_once_rebuild_once():
    state = LabState(**SMALL)
    generation = state.generation
    state.apply(dataset="xor", hidden_layers="6, 6", init="sqrt", learning_rate=0.05)
    assert state.generation == generation + 1
    assert state.session.layer_dims == [2, 6, 6, 1]
    assert state.session.trainer.learning_rate == 0.05


def test_reset_replays_the_same_run():
    state = LabState(**SMALL)
    for _ in range(5):
        state.step()
    first = list(state.session.trainer.history.costs)
    state.reset()
    assert state.session.trainer.iteration == 0
    assert "Reset: fresh network" in state.status
    for _ in range(5):
        state.step()
    assert state.session.trainer.history.costs == first


def test_regenerate_draws_the_next_sample():
    state = LabState(**SMALL)
    before = state.session.data.raw_train.copy()
    state.regenerate()
    assert state.data_seed == 1
    assert not np.array_equal(before, state.session.data.raw_train)


def test_reformatting_the_same_layers_keeps_the_network():
    state = LabState(**SMALL)
    state.step()
    generation = state.generation
    state.apply(hidden_layers="4,3")
    assert state.generation == generation
    assert state.session.trainer.iteration == 1


def test_article_preset_is_the_seed_configuration():
    state = LabState(**SMALL, activation="tanh", lambd_l1=0.1)
    state.apply_preset("article")
    assert (state.init, state.optimizer, state.learning_rate) == ("small", "gd", 0.0075)
    assert (state.lambd, state.batch_size, state.keep_prob) == (0.0, 0, 1.0)
    assert (state.activation, state.lambd_l1) == ("relu", 0.0)
    assert state.session.activation == "relu"
    assert state.session.layer_dims == [2, 20, 7, 5, 1]
    assert state.iterations == 3000
    assert state.session.trainer.config.init == "small"
    assert state.session.trainer.config.batch_size is None


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_valid_and_says_what_to_watch(name):
    state = LabState(**SMALL)
    state.step()
    state.apply_preset(name)
    assert state.messages == {}
    assert {key: getattr(state, key) for key in PRESETS[name]} == PRESETS[name]
    assert state.session.trainer.iteration == 0
    assert state.status == PRESET_NOTES[name]
    generation = state.generation
    state.step()
    state.apply_preset(name)  # the same settings again: still a fresh start
    assert state.session.trainer.iteration == 0
    assert state.generation == generation + 1


def test_article_preset_shows_vanishing_gradients_on_2d_data():
    state = LabState()
    state.apply_preset("article")
    state.apply(iterations=300)
    run_to_end(state)
    assert min(state.session.trainer.history.costs) > 0.69
    assert max(row["norm_dW"] for row in state.session.layer_table(state.batch_size)) < 1e-4
    state.apply(init="he")
    run_to_end(state)
    assert state.session.trainer.history.costs[-1] < 0.6


def test_overfitting_preset_overfits_and_lambda_helps():
    def final_test_cost(lambd: float) -> float:
        state = LabState()
        state.apply_preset("overfitting")
        state.apply(iterations=1500, lambd=lambd)
        run_to_end(state)
        return state.session.trainer.history.val_costs[-1]

    unregularized = final_test_cost(0.0)
    assert unregularized > 2.0
    assert final_test_cost(1.0) < unregularized / 2


# -- per-layer controls ------------------------------------------------------------------------
def test_layer_buttons_edit_the_architecture():
    state = LabState(hidden_layers="8, 8")
    state.add_layer()
    assert state.hidden_layers == "8, 8, 8"
    state.widen(0)
    state.narrow(2)
    assert state.session.layer_sizes == [10, 8, 6]
    assert state.session.layer_dims == [2, 10, 8, 6, 1]
    state.remove_layer()
    state.remove_layer()
    state.remove_layer()
    assert state.hidden_layers == "none"
    assert state.session.layer_dims == [2, 1]  # logistic regression
    state.remove_layer()
    assert state.session.layer_dims == [2, 1]
    state.add_layer()
    assert state.session.layer_sizes == [4]


def test_layer_buttons_stop_at_the_limits():
    state = LabState(hidden_layers=", ".join(["1"] * MAX_HIDDEN_LAYERS))
    state.add_layer()
    assert len(state.session.layer_sizes) == MAX_HIDDEN_LAYERS
    assert "At most 8 hidden layers" in state.messages["hidden_layers"]
    state.narrow(0)
    assert state.session.layer_sizes[0] == 1
    state.apply(hidden_layers="256")
    state.widen(0)
    assert state.session.layer_sizes == [MAX_UNITS]


def test_width_ladder():
    assert [wider(n) for n in (1, 7, 8, 200, 256)] == [2, 8, 10, 256, 256]
    assert [narrower(n) for n in (1, 2, 7, 256)] == [1, 1, 6, 192]


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("8, 8, 4", [8, 8, 4]), ("8,8", [8, 8]), (" 3  5 ", [3, 5]), ("NONE", []), ("256", [256])],
)
def test_parse_hidden_layers(text, expected):
    assert parse_hidden_layers(text) == expected
    assert parse_hidden_layers(format_hidden_layers(expected)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("8,,x", "Layer 2 is empty"),
        ("8, x", "Layer 2 is 'x': use whole numbers"),
        ("", "Enter hidden layer sizes"),
        ("   ", "Enter hidden layer sizes"),
        ("0", "use between 1 and 256 units"),
        ("300", "Layer 1 has 300 units"),
        ("-4", "Layer 1 is '-4'"),
        ("2.5", "Layer 1 is '2.5'"),
        ("8,", "Layer 2 is empty"),
        ("1 2 3 4 5 6 7 8 9", "9 layers is too many"),
        ("x" * 500, "too long"),
    ],
)
def test_bad_layer_text_shows_a_message_and_keeps_the_network(text, message):
    state = LabState(**SMALL)
    state.step()
    params, generation = state.session.trainer.params, state.generation
    assert set(state.apply(hidden_layers=text)) == {"hidden_layers"}
    assert message in state.messages["hidden_layers"]
    assert state.hidden_layers == SMALL["hidden_layers"]
    assert state.session.trainer.params is params
    assert state.generation == generation
    assert state.session.trainer.iteration == 1


def test_bad_layer_text_set_directly_is_caught_by_the_watcher():
    state = LabState(**SMALL)
    state.hidden_layers = "8,,x"
    assert "Layer 2 is empty" in state.messages["hidden_layers"]
    assert state.session.layer_sizes == [4, 3]
    state.hidden_layers = "5"
    assert "hidden_layers" not in state.messages
    assert state.session.layer_sizes == [5]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("n_points", 5, "Points must be between 20 and 2000 (got 5); kept 60."),
        ("n_points", 10**400, "Points must be between 20 and 2000"),
        ("n_points", 2.5, "Points must be a whole number"),
        ("noise", -0.1, "Noise must be between 0 and 1"),
        ("test_ratio", 0.95, "Test share must be between 0.1 and 0.5"),
        ("data_seed", -1, "Data seed must be between 0 and"),
        ("learning_rate", 0.0, "Learning rate must be between 1e-05 and 10"),
        ("learning_rate", float("nan"), "Learning rate must be a finite number"),
        ("lambd", float("inf"), "L2 λ must be a finite number"),
        ("lambd", -1, "L2 λ must be between 0 and 10"),
        ("keep_prob", 0.0, "Keep-prob must be between 0.1 and 1"),
        ("batch_size", -1, "Batch size must be between 0 and 2000"),
        ("iterations", 0, "Iterations must be between 1 and 100000"),
        ("iterations", "many", "Iterations must be a number"),
        ("iterations", True, "Iterations must be a number"),
        ("weight_seed", None, "Weight seed must be a number"),
        ("optimizer", "sgd", "Optimizer must be one of gd, momentum, adam"),
        ("init", "zeros", "Initialization must be one of small, he, xavier, sqrt"),
        ("dataset", "<b>cats</b>", "Dataset must be one of"),
        ("hidden_layers", 8, "Hidden layers must be text"),
        ("colour", "red", "Unknown setting 'colour'"),
    ],
)
def test_bad_values_show_a_message_and_change_nothing(name, value, message):
    state = LabState(**SMALL)
    state.step()
    before = {key: getattr(state, key) for key in SETTINGS}
    trainer, data = state.session.trainer, state.session.data
    rejected = state.apply(**{name: value})
    assert message in rejected[name]
    assert state.messages[name] == rejected[name]
    assert {key: getattr(state, key) for key in SETTINGS} == before
    assert state.session.trainer is trainer
    assert state.session.data is data


def test_a_good_value_clears_the_message_and_others_stay():
    state = LabState(**SMALL)
    state.apply(n_points=5, noise=9.0)
    assert set(state.messages) == {"n_points", "noise"}
    state.apply(n_points=100)
    assert set(state.messages) == {"noise"}
    assert state.n_points == 100


def test_integral_floats_are_accepted_for_whole_numbers():
    state = LabState(**SMALL)
    assert state.apply(iterations=200.0) == {}
    assert state.iterations == 200
    assert isinstance(state.iterations, int)


def test_preview_validates_without_applying():
    state = LabState(**SMALL)
    state.preview("hidden_layers", "8,,")
    assert "Layer 2 is empty" in state.messages["hidden_layers"]
    assert state.hidden_layers == SMALL["hidden_layers"]
    state.preview("hidden_layers", "8, 8")
    assert "hidden_layers" not in state.messages
    assert state.hidden_layers == SMALL["hidden_layers"]


def test_batch_size_larger_than_the_data_is_full_batch():
    state = LabState(**SMALL)
    state.apply(batch_size=2000)
    state.step()
    assert (
        state.session.layer_table(state.batch_size)[0]["Z"][1]
        == state.session.data.X_train.shape[1]
    )


# -- divergence --------------------------------------------------------------------------------
def test_divergence_pauses_and_says_what_to_try():
    state = LabState(hidden_layers="64, 64, 64", optimizer="gd", learning_rate=10.0)
    run_to_end(state)
    assert not state.running
    assert state.status_level == "error"
    assert "diverged" in state.status
    assert "Lower the learning rate" in state.status
    assert 0 < state.session.trainer.iteration < state.iterations
    assert all(np.isfinite(value).all() for value in state.session.trainer.params.values())
    assert all(np.isfinite(state.session.trainer.history.costs))
    # Stepping again reports the same problem instead of training through it.
    stuck_at = state.session.trainer.iteration
    state.step()
    assert state.session.trainer.iteration == stuck_at
    assert state.status_level == "error"
    # A lower learning rate and a reset train normally again.
    state.apply(learning_rate=1e-3)
    state.reset()
    state.step()
    assert state.session.trainer.iteration == 1
    assert state.status_level == "info"


# -- what the views read -----------------------------------------------------------------------
def test_layer_table_shapes_and_norms():
    state = LabState(**SMALL, batch_size=16)
    rows = state.session.layer_table(state.batch_size)
    assert [row["W"] for row in rows] == [(4, 2), (3, 4), (1, 3)]
    assert [row["b"] for row in rows] == [(4, 1), (3, 1), (1, 1)]
    assert [row["Z"] for row in rows] == [(4, 16), (3, 16), (1, 16)]
    assert [row["activation"] for row in rows] == ["relu", "relu", "sigmoid"]
    assert sum(row["params"] for row in rows) == state.session.n_params == 12 + 15 + 4
    assert rows[0]["norm_dW"] is None
    state.step()
    rows = state.session.layer_table(state.batch_size)
    W1 = state.session.trainer.params["W1"]
    assert rows[0]["norm_W"] == pytest.approx(np.sqrt((W1**2).sum()))
    assert rows[0]["norm_dW"] > 0


def test_probabilities_cover_the_grid_and_follow_the_data_orientation():
    state = LabState(dataset="gaussians", noise=0.0)
    state.apply(iterations=200)
    run_to_end(state)
    grid = state.session.probabilities(20)
    assert grid.shape == (20, 20)
    assert ((grid >= 0) & (grid <= 1)).all()
    # Class 1 sits at (1, 1): the top-right pixel (last row = highest y) is class 1.
    assert grid[-1, -1] > 0.9
    assert grid[0, 0] < 0.1


def test_latest_numbers():
    state = LabState(**SMALL)
    assert state.session.latest()["train_cost"] is None
    state.step()
    latest = state.session.latest()
    assert latest["iteration"] == 1
    assert latest["train_cost"] == state.session.trainer.history.costs[0]
    assert latest["test_cost"] == state.session.trainer.history.val_costs[0]


# -- gradient check ----------------------------------------------------------------------------
@pytest.mark.parametrize("lambd", [0.0, 0.5])
def test_gradient_check_passes_on_the_current_network(lambd):
    state = LabState(**SMALL, lambd=lambd, init="xavier")
    for _ in range(3):
        state.step()
    state.run_gradient_check()
    assert state.gradcheck["verdict"] == "pass"
    assert state.gradcheck["difference"] < 1e-6
    assert "at iteration 3" in state.gradcheck["note"]


def test_gradient_check_skips_huge_networks_and_is_cleared_by_a_reset():
    state = LabState(hidden_layers="64, 64")
    state.run_gradient_check()
    assert state.gradcheck["verdict"] == "skipped"
    assert "too many" in state.gradcheck["note"]
    state.reset()
    assert state.gradcheck is None


# -- changes during a run: recorded, replayed ---------------------------------------------------
def test_live_changes_are_recorded_with_their_iteration():
    state = LabState(**SMALL, lambd=0.01)
    state.apply(lambd=0.03)  # before any iteration: the run's starting value
    assert state.session.changes == []
    assert state.session.initial["lambd"] == 0.03
    for _ in range(3):
        state.step()
    state.apply(lambd=0.1, learning_rate=0.05)
    state.step()
    state.apply(lambd=0.2)
    assert state.session.changes == [
        (3, "lambd", 0.1),
        (3, "learning_rate", 0.05),
        (4, "lambd", 0.2),
    ]
    assert state.settings()["lambd"] == 0.03  # a link holds the starting value


def test_a_session_made_with_the_changes_replays_the_run_exactly():
    state = LabState(**SMALL)
    for _ in range(3):
        state.step()
    state.apply(lambd=0.5)
    for _ in range(2):
        state.step()
    state.apply(learning_rate=0.03)
    for _ in range(4):
        state.step()
    replay = LabState(**state.settings(), changes=state.session.changes)
    for _ in range(9):
        replay.step()
    assert replay.session.trainer.history.costs == state.session.trainer.history.costs
    assert (replay.lambd, replay.learning_rate) == (0.5, 0.03)  # the controls followed


def test_a_change_drops_later_planned_changes_of_that_setting():
    state = LabState(
        **SMALL, changes=[(2, "lambd", 0.1), (4, "lambd", 0.2), (5, "learning_rate", 0.1)]
    )
    state.step()
    state.apply(lambd=0.05)
    assert state.session.changes == [(1, "lambd", 0.05), (5, "learning_rate", 0.1)]


def test_a_new_network_starts_from_the_settings_as_they_are():
    state = LabState(**SMALL)
    state.step()
    state.apply(lambd=0.3)
    state.step()
    assert state.session.changes == [(1, "lambd", 0.3)]
    state.reset()
    assert state.lambd == 0.3
    assert state.session.changes == []
    assert state.session.initial["lambd"] == 0.3
    state.step()
    state.apply(lambd=0.1)
    state.apply(weight_seed=5)
    assert state.session.changes == []
    assert state.session.initial["lambd"] == 0.1


def test_loading_weights_of_other_layers_builds_one_session():
    source = LabState(**{**SMALL, "hidden_layers": "5"})
    state = LabState(**SMALL)
    generation = state.generation
    state.load_params(source.session.trainer.params, switch_architecture=True, file_name="w.npz")
    assert state.generation == generation + 1
    assert state.hidden_layers == "5"
    assert state.session.params_file == "w.npz"


# -- typed numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "text", "value"),
    [("data_seed", "1e9", 1_000_000_000), ("iterations", " 1e3 ", 1000), ("noise", ".25", 0.25)],
)
def test_typed_numbers_are_read_as_written(name, text, value):
    state = LabState(**SMALL)
    assert state.apply_text(name, text) == {}
    assert getattr(state, name) == value


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        (
            "iterations",
            "1e9",
            "Iterations must be between 1 and 100000 (got 1000000000); kept 2000.",
        ),
        ("data_seed", "abc", "Data seed: 'abc' is not a number; kept 0."),
        ("data_seed", "1_000", "is not a number"),
        ("data_seed", "0x10", "is not a number"),
        ("noise", "nan", "is not a number"),
        ("noise", "1e999", "is not a finite number"),
        ("iterations", "2.5", "is not a whole number"),
        ("weight_seed", "", "is not a number"),
        ("data_seed", "١٢", "is not a number"),
    ],
)
def test_typed_junk_is_named_and_the_value_kept(name, text, words):
    state = LabState(**SMALL)
    state.step()
    before, trainer = getattr(state, name), state.session.trainer
    assert words in state.apply_text(name, text)[name]
    assert words in state.messages[name]
    assert getattr(state, name) == before
    assert state.session.trainer is trainer


# -- weights set by hand ---------------------------------------------------------------------------
def test_a_weight_set_by_hand_is_recorded_and_replayed():
    from layerlab.ui.app import create_app_from_link
    from layerlab.ui.urlstate import format_query

    state = LabState(**SMALL)
    state.session.set_weight(1, 0, 1, 0.75)  # before the first update
    for _ in range(3):
        state.step()
    state.session.set_weight(2, 2, 3, -1.25)
    for _ in range(3):
        state.step()
    assert state.session.changes == [(0, "W1[0,1]", 0.75), (3, "W2[2,3]", -1.25)]
    query = format_query(state.settings(), changes=state.session.changes)
    assert "changes=w1.0.1@0:0.75,w2.2.3@3:-1.25" in query
    replay = create_app_from_link("?" + query).state
    for _ in range(6):
        replay.step()
    assert replay.session.trainer.history.costs == state.session.trainer.history.costs


@pytest.mark.parametrize(
    ("position", "value", "words"),
    [
        ((1, 9, 0), 1.0, "no weight W1[9, 0]"),
        ((4, 0, 0), 1.0, "no weight W4[0, 0]"),
        ((1, 0, 0), float("nan"), "between -100 and 100"),
        ((1, 0, 0), 1e3, "between -100 and 100"),
        ((1, 0, 0), "1", "must be a number"),
    ],
)
def test_a_bad_weight_changes_nothing(position, value, words):
    state = LabState(**SMALL)
    state.step()
    before = {key: array.copy() for key, array in state.session.trainer.params.items()}
    with pytest.raises(ValueError, match=re.escape(words)):
        state.session.set_weight(*position, value)
    for key, array in before.items():
        np.testing.assert_array_equal(state.session.trainer.params[key], array)
    assert state.session.changes == []
