"""The input features in the app: the data, the network, the maps, the link, the controls,
the weights files and the gradient check all follow the chosen features."""

import numpy as np
import pytest

from layerlab import forward
from layerlab.features import expand
from layerlab.serialization import params_to_json, validate_params
from layerlab.ui.app import create_app, create_app_from_link
from layerlab.ui.data import make_lab_data
from layerlab.ui.state import LabState
from layerlab.ui.upload import use_csv
from layerlab.ui.walk import stages

SMALL = {"n_points": 80, "hidden_layers": "8", "iterations": 50}
SQUARES = ("x1", "x2", "x1sq", "x2sq")


def test_features_are_made_of_the_standardized_coordinates_everywhere():
    state = LabState(**SMALL, features=SQUARES)
    data = state.session.data
    plain = make_lab_data("moons", 80, 0.2, 0.3, 0)
    np.testing.assert_array_equal(data.raw_train, plain.raw_train)  # the same examples
    np.testing.assert_array_equal(data.X_train, expand(plain.X_train, SQUARES))
    np.testing.assert_array_equal(data.X_test, expand(plain.X_test, SQUARES))
    np.testing.assert_array_equal(data.grid(7), expand(plain.grid(7), SQUARES))
    assert data.grid(7).shape == (4, 49)
    assert state.session.layer_dims == [4, 8, 1]
    image = state.session.probabilities(7)
    expected = forward(expand(plain.grid(7), SQUARES), state.session.weights())[0]
    np.testing.assert_array_equal(image, expected.reshape(7, 7))
    maps = state.session.unit_maps(5, [8, 1])
    np.testing.assert_array_equal(maps[-1][0], state.session.probabilities(5))


def test_a_change_of_features_is_a_fresh_network_on_the_same_data():
    state = LabState(**SMALL)
    state.step()
    raw = state.session.data.raw_train
    assert state.apply(features=["x1x2", "x1"]) == {}
    assert state.features == ("x1", "x1x2")
    assert state.session.iteration == 0
    assert state.session.data.raw_train is raw
    assert state.session.trainer.params["W1"].shape == (8, 2)
    assert "Input features changed: fresh network 2 → 8 → 1" in state.status
    plain = make_lab_data("moons", 80, 0.2, 0.3, 0).X_train
    np.testing.assert_array_equal(state.session.data.X_train, [plain[0], plain[0] * plain[1]])
    assert "features" in state.apply(features=[])  # none: refused, the network stays
    assert state.features == ("x1", "x1x2")


def test_the_link_carries_the_features_and_replays_the_costs():
    lab = create_app_from_link("?features=x2sq,x1,x1sq,x2&hidden_layers=8&n_points=80")
    state = lab.state
    assert state.features == SQUARES
    assert "features=x1,x2,x1sq,x2sq&" in lab.address.query()
    for _ in range(3):
        state.step()
    oracle = LabState(**SMALL, features=SQUARES)
    for _ in range(3):
        oracle.step()
    assert state.session.trainer.history.costs == oracle.session.trainer.history.costs


def test_the_shapes_table_the_diagram_and_the_walk_follow_the_features():
    lab = create_app(**SMALL, features=SQUARES)
    state = lab.state
    rows = state.session.layer_table(0)
    assert rows[0]["W"] == (8, 4)
    diagram = lab.plots.diagram
    assert diagram.input_source.data["name"] == ["x1", "x2", "x1²", "x2²"]
    walk = stages(state.session.preview_update(), state.optimizer)
    labels = [matrix.label for stage in walk for matrix in stage.matrices]
    assert "W1 (8, 4)" in labels
    assert "X (4, m)" in labels or "A0 (4, m)" in labels
    state.apply(features=["sinx1"])
    assert diagram.input_source.data["name"] == ["sin x1"]


def test_weights_for_another_number_of_inputs_are_refused_naming_the_features():
    state = LabState(**SMALL)
    four = LabState(**SMALL, features=SQUARES).session.weights()
    with pytest.raises(
        ValueError,
        match=r"take 4 inputs but the network takes 2 \(the input "
        r"features x1, x2\): choose the 4 input features",
    ):
        state.load_params({key: np.array(value) for key, value in four.items()})
    state.apply(features=list(SQUARES))
    state.load_params({key: np.array(value) for key, value in four.items()})
    assert validate_params(state.session.weights())[0] == 4
    assert params_to_json(state.session.weights())  # and back out again


def test_the_gradient_check_passes_on_a_feature_network():
    state = LabState(**SMALL, features=("x1", "x2", "x1x2", "sinx1", "sinx2"), lambd=0.1)
    for _ in range(5):
        state.step()
    state.run_gradient_check()
    assert state.gradcheck["verdict"] == "pass", state.gradcheck
    assert state.gradcheck["difference"] < 1e-7


def csv_text(columns: int, rows: int = 40) -> str:
    rng = np.random.default_rng(0)
    lines = [",".join([*(f"c{j}" for j in range(columns)), "label"])]
    for i in range(rows):
        values = rng.normal(size=columns) + (1.5 if i % 2 else -1.5)
        lines.append(",".join([*(repr(float(v)) for v in values), str(i % 2)]))
    return "\n".join(lines) + "\n"


def test_data_with_other_than_two_columns_ignores_and_hides_the_features():
    lab = create_app(**SMALL, features=SQUARES)
    state = lab.state
    toggles = lab.controls.components["features"][0]
    assert toggles.visible
    use_csv(state, csv_text(3).encode(), "three.csv")
    assert state.session.layer_dims == [3, 8, 1]
    assert not toggles.visible
    assert "features" not in state.settings()
    assert "features=" not in lab.address.query()
    assert lab.plots.diagram.input_source.data["name"] == ["c0", "c1", "c2"]
    use_csv(state, csv_text(2).encode(), "two.csv")  # two columns: features apply
    assert state.session.layer_dims == [4, 8, 1]
    assert toggles.visible
    assert "features=x1,x2,x1sq,x2sq" in lab.address.query()
