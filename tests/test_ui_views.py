"""Plots and views without a browser: what reaches Bokeh, and that user text is escaped."""

import asyncio
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from layerlab.ui import plots as plots_module
from layerlab.ui.app import LayerLab
from layerlab.ui.binding import Controls, message_pane
from layerlab.ui.numbers import number
from layerlab.ui.plots import LabPlots, boundary_resolution, probability_palette
from layerlab.ui.state import LabState
from layerlab.ui.urlstate import CONTROLS
from layerlab.ui.views import readout, shapes_table, transport

SMALL = {"n_points": 60, "hidden_layers": "4, 3"}


def trained(steps: int, **settings) -> LabState:
    state = LabState(**{**SMALL, **settings})
    for _ in range(steps):
        state.step()
    return state


def test_sources_have_the_stable_names_tests_look_for():
    plots = LabPlots()
    names = {plots.cost_source.name, plots.boundary_source.name, plots.accuracy_source.name}
    assert names == {"cost_source", "boundary_source", "accuracy_source"}


def test_update_streams_every_iteration_once():
    state = trained(7)
    plots = LabPlots()
    plots.update(state)
    plots.update(state)  # nothing new: nothing streamed twice
    history = state.session.trainer.history
    assert list(plots.cost_source.data["iteration"]) == list(range(7))
    assert list(plots.cost_source.data["train_cost"]) == history.costs
    assert list(plots.cost_source.data["test_cost"]) == history.val_costs
    assert list(plots.accuracy_source.data["iteration"]) == list(range(8))
    state.step()
    plots.update(state)
    assert len(plots.cost_source.data["train_cost"]) == 8


def test_streams_roll_over(monkeypatch):
    monkeypatch.setattr(plots_module, "COST_ROLLOVER", 5)
    state = trained(9)
    plots = LabPlots()
    plots.update(state)
    assert list(plots.cost_source.data["iteration"]) == [4, 5, 6, 7, 8]


def test_a_rebuild_restarts_the_curves_and_redraws_the_points():
    state = trained(5)
    plots = LabPlots()
    plots.update(state)
    state.apply(n_points=40)
    plots.update(state)
    assert len(plots.cost_source.data["train_cost"]) == 0
    assert len(plots.train_source.data["x"]) == state.session.data.raw_train.shape[1]
    assert len(plots.test_source.data["x"]) + len(plots.train_source.data["x"]) == 40


def test_boundary_image_covers_the_data_extent():
    state = trained(3)
    plots = LabPlots()
    plots.update(state)
    data = plots.boundary_source.data
    resolution = boundary_resolution(state.session.n_params)
    assert data["image"][0].shape == (resolution, resolution)
    x0, x1, y0, y1 = state.session.data.extent
    assert (data["x"][0], data["y"][0], data["dw"][0], data["dh"][0]) == (x0, y0, x1 - x0, y1 - y0)
    np.testing.assert_allclose(data["image"][0], state.session.probabilities(resolution), atol=1e-6)
    assert plots.boundary_figure.x_range.start == x0


def test_mistake_marks_are_the_misclassified_points():
    state = trained(2)
    plots = LabPlots()
    plots.update(state)
    wrong_train, wrong_test = state.session.mistakes()
    assert len(plots.train_mistakes.data["x"]) == wrong_train.sum()
    assert len(plots.test_mistakes.data["x"]) == wrong_test.sum()


def test_show_test_and_l2_visibility():
    state = trained(1)
    plots = LabPlots()
    plots.update(state)
    assert len(plots.l2_renderers) == 1  # the log plot is made when first shown
    assert not any(renderer.visible for renderer in plots.l2_renderers)
    state.apply(lambd=0.1)
    plots.update(state)
    assert plots.cost_figure.visible
    assert not plots.log_cost_figure.visible
    assert len(plots.l2_renderers) == 2  # linear and log cost plots
    assert all(renderer.visible for renderer in plots.l2_renderers)  # made late, still in step
    plots.show_log_scale(True)
    assert plots.log_cost_figure.visible
    assert not plots.cost_figure.visible
    plots.show_test(False)
    assert not plots.test_renderer.visible
    assert not plots.test_mistake_renderer.visible


def test_palette_runs_from_class_0_through_white_to_class_1():
    palette = probability_palette(5)
    assert palette[2] == "#ffffff"
    assert palette[0] != palette[4]
    assert boundary_resolution(10) == 120
    assert boundary_resolution(10**7) == 32


def test_user_text_is_escaped_in_messages_and_status():
    state = LabState(**SMALL)
    pane = message_pane(state, "hidden_layers")
    assert not pane.visible
    state.apply(hidden_layers="<script>alert(1)</script>")
    assert pane.visible
    assert "<script>" not in pane.object
    assert "&lt;script" in pane.object
    state.status = "<b>bold</b>"
    status = transport(state, Controls())[1]
    assert "&lt;b&gt;bold" in status.object


def test_readout_and_shapes_follow_the_state():
    state = LabState(**SMALL)
    numbers = readout(state)
    table = shapes_table(state)
    assert 'class="v  ll-iteration">0<' in numbers.object
    state.step()
    assert 'class="v  ll-iteration">1<' in numbers.object
    assert "W2 (3, 4)" in table.object
    assert "‖dW‖" in table.object


def test_app_ticks_only_while_playing_and_updates_the_plots():
    app = LayerLab(LabState(**SMALL, steps_per_tick=3))
    asyncio.run(app.tick())
    assert app.state.session.trainer.iteration == 0
    app.state.play()
    assert app._callback is not None
    asyncio.run(app.tick())
    assert app.state.session.trainer.iteration == 3
    assert len(app.plots.cost_source.data["train_cost"]) == 3
    app.state.pause()
    assert not app._callback.running


@pytest.mark.parametrize("slice_s", [0.0, 60.0])
def test_the_start_draws_no_picture_however_fast_the_machine(monkeypatch, slice_s):
    """The page's preview is the start's document built ahead of time on another machine:
    a slice of the picture's work must not land in it on a fast one only."""
    monkeypatch.setattr(plots_module, "MAP_SLICE_S", slice_s)
    app = LayerLab(LabState(**SMALL))
    assert app.plots.boundary_source.data["image"] == []
    assert app.plots.busy  # begun: the ticks draw it
    for _ in range(100):
        if not app.plots.busy:
            break
        asyncio.run(app.tick())
    assert len(app.plots.boundary_source.data["image"]) == 1


@pytest.mark.parametrize("budget", [0.0, math.inf])
def test_tick_budget_is_respected(budget):
    state = LabState(**SMALL, steps_per_tick=50)
    state.play()
    done = state.tick(budget_s=budget)
    assert done == (1 if budget == 0 else 50)


def test_every_control_can_be_hidden_by_name_and_empty_cards_go_too():
    app = LayerLab(LabState(**SMALL))
    names = set(CONTROLS)  # every name a link can hide
    assert set(app.controls.components) == names
    app.controls.hide(names - {"lambd", "play"})
    shown = {name for name, part in app.controls.components.items() if part.visible}
    assert shown == {"lambd", "play"}
    cards = {card.title: card.visible for card, _ in app.controls._cards}
    assert cards == {
        "Experiments": False,
        "Data": False,
        "Network": False,
        "Training": True,
        "Your data": False,
        "Your model": False,
    }
    app.controls.hide([])
    assert all(part.visible for part in app.controls.components.values())


@pytest.mark.parametrize(
    ("layers", "edges"),
    [("none", 2), ("4, 3", 8 + 12 + 3), ("64", 128 + 64), ("128, 128", 64 + 32 * 32 + 32)],
)
def test_diagram_draws_one_edge_per_drawn_weight_with_its_sign(layers, edges):
    state = trained(2, hidden_layers=layers)
    plots = LabPlots()
    plots.update(state)
    data = plots.diagram.edge_source.data
    assert len(data["x0"]) == edges
    W1 = state.session.trainer.params["W1"]
    first = "#2a78b5" if W1[0, 0] >= 0 else "#e8833a"  # edge from input 1 to unit 1
    assert data["color"][0] == first
    assert max(data["width"]) == pytest.approx(4.0)


# -- honest status -------------------------------------------------------------------------------
def counter_of(view):
    """The "Iteration 3 / 2000" pane of the transport view."""
    import panel as pn

    return next(pane for pane in view.select(pn.pane.HTML) if "ll-counter" in pane.css_classes)


def play_to_the_end(state: LabState) -> None:
    state.play()
    while state.running:
        state.tick(budget_s=math.inf)


def test_numbers_are_written_for_people():
    from layerlab.ui.numbers import duration, number, percent

    assert number(7.712088019505018e255) == "7.71209e+255"
    assert number(0.398471234) == "0.398471"
    assert number(float("nan")) == "nan (not a number)"
    assert (number(float("inf")), number(float("-inf")), number(None)) == ("inf", "-inf", "–")
    assert (percent(0.9333), percent(None)) == ("93.3%", "–")
    assert (duration(0.045), duration(6.2), duration(45), duration(600)) == (
        "45 ms",
        "6.2 s",
        "45 s",
        "10 min",
    )


def test_a_diverged_run_is_told_in_short_numbers():
    state = LabState(hidden_layers="64, 64, 64", optimizer="gd", learning_rate=10.0)
    numbers = readout(state)
    play_to_the_end(state)
    assert state.status_level == "error"
    assert "diverged" in state.status
    assert re.search(r"the cost became (inf|nan|[0-9.]+e\+[0-9]+)\.", state.status)
    assert max(len(token) for token in state.status.split()) < 20
    for value in re.findall(r'll-[a-z-]+">([^<]*)<', numbers.object):
        assert len(value) <= 18, value


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"learning_rate": 10.0, "optimizer": "adam", "dataset": "xor"}, "are dead"),
        ({"learning_rate": 10.0, "optimizer": "adam"}, "ReLU units are dead"),
        (
            {
                "hidden_layers": "20, 7, 5",
                "init": "small",
                "optimizer": "gd",
                "learning_rate": 0.0075,
                "dataset": "flower",
                "iterations": 300,
            },
            "stuck at ln 2",
        ),
    ],
    ids=["a-dead-layer", "mostly-dead", "vanishing-gradients"],
)
def test_a_collapsed_network_is_not_a_green_done(settings, words):
    state = LabState(**{"iterations": 500, **settings})
    play_to_the_end(state)
    assert state.status_level == "warning"
    assert state.status.startswith("Done: ")
    assert "but the network collapsed" in state.status
    assert words in state.status
    assert "Reset" in state.status


def test_a_collapse_is_reported_while_it_trains_and_on_pause():
    state = LabState(learning_rate=10.0, optimizer="adam", dataset="xor")
    state.play()
    while state.session.iteration < 150:
        state.tick(budget_s=math.inf)
    assert state.running
    assert state.status_level == "warning"
    assert state.status.startswith("At iteration ")
    state.pause()
    assert state.status.startswith("Paused at iteration ")
    assert state.status_level == "warning"


def test_dead_units_are_counted_per_layer():
    state = LabState(learning_rate=10.0, optimizer="adam", dataset="xor", iterations=300)
    table = shapes_table(state)
    play_to_the_end(state)
    rows = state.session.layer_table(0)
    dead = [row["dead"] for row in rows]
    assert dead[-1] is None  # the output layer has no ReLU units
    assert dead[:-1] == state.session.evaluation().dead_units
    X = state.session.data.X_train
    W1, b1 = state.session.trainer.params["W1"], state.session.trainer.params["b1"]
    assert dead[0] == int(np.sum(np.all(W1 @ X + b1 <= 0, axis=1)))  # the oracle
    assert f"{dead[1]} / 8</td>" in table.object


def test_a_healthy_run_is_done_in_green():
    state = LabState(iterations=400)
    play_to_the_end(state)
    assert state.status_level == "success"


def test_epochs_are_called_epochs():
    state = LabState(**SMALL, batch_size=8)
    numbers = readout(state)
    counter = counter_of(transport(state, Controls()))
    state.step()
    assert ">Epoch<" in numbers.object
    assert "Epoch <b" in counter.object
    play_to_the_end(state)
    assert state.status.startswith(f"Done: {state.iterations} epochs")


def test_the_readout_and_the_counter_show_the_same_iteration():
    state = LabState(**SMALL, steps_per_tick=3)
    numbers = readout(state)
    counter = counter_of(transport(state, Controls()))
    state.play()
    for _ in range(20):
        state.tick(budget_s=math.inf)
        shown = re.search(r'll-iteration">(\d+)<', numbers.object)[1]
        assert f'll-iteration">{shown}</b>' in counter.object


def test_the_scripts_final_costs_are_the_readouts(tmp_path):
    from layerlab.ui.model_io import script_text

    state = LabState(**SMALL, batch_size=16, keep_prob=0.8, lambd=0.1, iterations=40)
    numbers = readout(state)
    play_to_the_end(state)
    (tmp_path / "run.py").write_text(script_text(state))
    out = subprocess.run(
        [sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    printed = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    shown = dict(re.findall(r'll-(train-cost|test-cost)">([^<]*)<', numbers.object))
    assert number(float(printed["Final train cost"])) == shown["train-cost"]
    assert number(float(printed["Test cost"])) == shown["test-cost"]
