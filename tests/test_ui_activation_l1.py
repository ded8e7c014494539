"""The hidden activation and the L1 penalty in the app (no browser): every forward pass the
views read uses the chosen activation, L1 acts at once and is recorded like λ, and the dead
units and the diagnosis speak of ReLU only for ReLU."""

import numpy as np
import pytest

from layerlab import ACTIVATIONS, TrainConfig, Trainer, compute_cost, forward
from layerlab.steps import run_steps
from layerlab.ui.app import LayerLab, create_app_from_link
from layerlab.ui.data import make_lab_data
from layerlab.ui.health import diagnosis, evaluation_steps
from layerlab.ui.state import LabState
from layerlab.ui.urlstate import format_query, parse_query
from layerlab.ui.walk import stages

SMALL = {"n_points": 60, "hidden_layers": "4, 3"}
OTHERS = ["leaky_relu", "tanh", "sigmoid"]


def oracle(state: LabState) -> Trainer:
    """The core's trainer for the state's settings, on the same data."""
    data = state.session.data
    config = TrainConfig.from_settings(
        {name: getattr(state, name) for name in state.settings()}, iterations=1000
    )
    return Trainer(
        data.X_train,
        data.Y_train,
        state.session.layer_dims,
        config,
        X_val=data.X_test,
        Y_val=data.Y_test,
    )


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_the_session_trains_and_predicts_with_the_chosen_activation(activation):
    state = LabState(**SMALL, activation=activation, lambd_l1=0.05)
    for _ in range(4):
        state.step()
    expected = oracle(state)
    expected.step(4)
    assert state.session.trainer.history.costs == expected.history.costs
    g, params, data = ACTIVATIONS[activation], state.session.trainer.params, state.session.data
    grid = data.grid(12)
    AL = forward(grid, params, activation=g)[0]
    np.testing.assert_array_equal(state.session.probabilities(12).ravel(), np.asarray(AL)[0])
    image = run_steps(state.session.probabilities_steps(12))
    np.testing.assert_array_equal(image.ravel(), np.asarray(AL)[0])
    maps = state.session.unit_maps(12, [4, 3, 1])
    _, caches = forward(grid, params, activation=g)
    np.testing.assert_array_equal(maps[0].reshape(4, -1), caches[1].A_prev)
    evaluation = state.session.evaluation()
    AL_train = forward(data.X_train, params, activation=g)[0]
    assert evaluation.train_cost == compute_cost(AL_train, data.Y_train, params, lambd_l1=0.05)
    rows = state.session.layer_table(0)
    assert [row["activation"] for row in rows] == [activation, activation, "sigmoid"]
    labels = LayerLab(state).plots.diagram
    labels.rebuild(state.session)
    assert labels.label_source.data["text"][1].startswith(f"4 {activation}")
    if activation != "relu":  # their units never die: no count, and no ReLU words
        assert [row["dead"] for row in rows] == [None, None, None]
        assert evaluation.dead_masks is None


def test_the_activation_makes_a_difference_the_tests_can_see():
    relu, tanh = LabState(**SMALL), LabState(**SMALL, activation="tanh")
    relu.step()
    tanh.step()
    assert relu.session.trainer.history.costs != tanh.session.trainer.history.costs


@pytest.mark.parametrize("activation", OTHERS)
def test_only_relu_units_are_called_dead(activation):
    """Weights that kill every ReLU of layer 2 are a ReLU collapse; with another activation
    the same weights are no ReLU death (those units still pass gradients)."""
    data = make_lab_data("moons", 90, 0.2, 0.3, 0)
    state = LabState(n_points=90, hidden_layers="6, 5")
    params = {key: value.copy() for key, value in state.session.trainer.params.items()}
    params["b2"][:] = -50.0

    def evaluate(name):
        g = ACTIVATIONS[name]
        steps = evaluation_steps(data, params, 0.0, 10_000, (0, 0.0, 0.0, 0), activation=g)
        return run_steps(steps)

    assert "ReLU units of layer 2 are dead" in diagnosis(
        evaluate("relu"), data.Y_train[0], [6, 5], 0.1
    )
    other = evaluate(activation)
    assert other.dead_masks is None
    assert other.dead_units is None
    assert "ReLU" not in diagnosis(other, data.Y_train[0], [6, 5], 0.1)


def test_l1_acts_at_once_is_recorded_and_replayed_from_the_link():
    state = LabState(**SMALL, activation="leaky_relu")
    expected = oracle(state)
    for _ in range(5):
        state.step()
    expected.step(5)
    state.apply(lambd_l1=0.3)
    expected.lambd_l1 = 0.3
    for _ in range(5):
        state.step()
    expected.step(5)
    history = state.session.trainer.history
    assert history.costs == expected.history.costs
    assert state.session.changes == [(5, "lambd_l1", 0.3)]
    assert history.l2_costs[4] == 0.0 < history.l2_costs[5]  # the regularization part
    link = format_query(state.settings(), changes=state.session.changes)
    assert "lambd_l1=0" in link
    assert "changes=lambd_l1@5:0.3" in link
    parsed = parse_query(link)
    assert parsed.settings["lambd_l1"] == 0.0
    replay = create_app_from_link("?" + link).state
    for _ in range(10):
        replay.step()
    assert replay.session.trainer.history.costs == history.costs


def test_the_walk_writes_the_activation_and_both_penalties():
    state = LabState(**SMALL, activation="tanh", lambd=0.1, lambd_l1=0.2)
    walk = stages(state.session.preview_update(), state.optimizer)
    equations = " ".join(stage.equation for stage in walk)
    assert "A[1] = tanh(Z[1])" in equations
    assert "tanh′(Z[1])" in equations
    assert "relu" not in equations
    assert "(λ₁/m) Σ|W[l]| (λ₁ = 0.2)" in equations
    assert "(λ₁/m) sign(W[1])" in equations
    preview = state.session.preview_update()
    state.step()
    assert state.session.trainer.history.costs == [preview.cost]


def test_the_gradient_check_uses_the_activation_and_l1():
    state = LabState(**SMALL, activation="sigmoid", lambd_l1=0.1)
    state.step()
    state.run_gradient_check()
    assert state.gradcheck["verdict"] == "pass"
    assert "sigmoid" in state.gradcheck["note"]
    assert "λ₁ = 0.1" in state.gradcheck["note"]


def test_the_regularization_line_shows_for_l1_alone():
    lab = LayerLab(LabState(**SMALL, lambd_l1=0.1))
    lab.state.step()
    lab.plots.update(lab.state)
    assert all(renderer.visible for renderer in lab.plots.l2_renderers)
    assert min(lab.plots.cost_source.data["l2_cost"]) > 0
