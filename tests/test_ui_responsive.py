"""No stalls, whatever the controls allow: the lab works in bounded units, in CPython.

Every assertion counts work, never time: with a zero time budget each tick does exactly one
unit (a piece of an iteration, one chunk of predictions), so the number of ticks a thing
takes is the number of units it is made of.
"""

import asyncio
import math

import numpy as np
import panel as pn
import pytest

import layerlab.chunks
import layerlab.steps
import layerlab.ui.health as health
import layerlab.ui.plots as plots_module
import layerlab.ui.session as session_module
from layerlab.chunks import forward_chunk, training_chunk
from layerlab.ui.app import LayerLab
from layerlab.ui.binding import Controls
from layerlab.ui.diagram import MAP_RESOLUTION
from layerlab.ui.plots import LabPlots, boundary_resolution
from layerlab.ui.speed import SpeedMeter, speed_words
from layerlab.ui.state import LabState
from layerlab.ui.views import transport

LARGEST = ", ".join(["256"] * 8)  # the widest and deepest network the controls allow
# The largest network on few points, so that a whole iteration stays quick in a test.
BIG = {"hidden_layers": LARGEST, "n_points": 60, "test_ratio": 0.5, "iterations": 50}


def tick(state: LabState, times: int = 1) -> None:
    """``times`` ticks of one unit each (a zero time budget)."""
    for _ in range(times):
        state.tick(budget_s=0.0)


def units_until(state: LabState, done) -> int:
    """Ticks of one unit each until ``done()``."""
    count = 0
    while not done():
        tick(state)
        count += 1
        assert count < 10_000, "no end in sight"
    return count


def count_columns(monkeypatch, *modules) -> list[int]:
    """Examples per forward pass ``modules`` make from now on."""
    columns = []
    for module in modules:
        original = module.forward

        def counting(X, *args, original=original, **kwargs):
            columns.append(X.shape[1])
            return original(X, *args, **kwargs)

        monkeypatch.setattr(module, "forward", counting)
    return columns


@pytest.fixture
def counted_columns(monkeypatch):
    """Examples per forward pass of the views' predictions (accuracies, picture)."""
    return count_columns(monkeypatch, layerlab.chunks, health, session_module)


def test_a_big_network_starts_without_a_long_call(counted_columns):
    state = LabState(**BIG)
    chunk = forward_chunk(state.session.layer_dims)
    assert chunk < 60  # the predictions of all 60 examples take several chunks
    assert counted_columns == [chunk]  # a session begins with one chunk of predictions
    assert state.session.busy
    assert state.session.latest()["train_accuracy"] is None
    ticks = units_until(state, lambda: not state.session.busy)
    assert ticks == math.ceil(60 / chunk) - 1
    assert max(counted_columns) <= chunk
    assert state.session.accuracy_history()["iteration"] == [0]
    wrong_train, _ = state.session.mistakes()
    assert state.session.latest()["train_accuracy"] == 1.0 - wrong_train.mean()


@pytest.mark.parametrize("batch_size", [0, 1, 8])
def test_pause_stops_a_big_iteration_at_once_and_step_finishes_it(batch_size):
    state = LabState(**BIG, batch_size=batch_size)
    session = state.session
    state.play()
    tick(state, 3)
    assert session.iteration == 0
    assert 0 < session.progress < 1
    state.pause()
    progress = session.progress
    tick(state, 20)  # paused: the views may finish their work, training does not move
    assert session.progress == progress
    assert session.iteration == 0
    state.step()  # the iteration in progress, one unit per tick
    ticks = units_until(state, lambda: session.iteration == 1)
    assert not state.running
    assert ticks == round((1 - progress) * session.trainer._pieces) - 1  # step() ran one
    tick(state, 5)
    assert session.iteration == 1  # a Step is one iteration


def test_no_unit_of_the_largest_network_passes_more_than_a_chunk(counted_columns, monkeypatch):
    training = count_columns(monkeypatch, layerlab.steps)
    state = LabState(**{**BIG, "n_points": 200, "test_ratio": 0.1})
    dims = state.session.layer_dims
    state.play()
    tick(state, 40)
    plots = LabPlots()
    for _ in range(40):
        plots.update(state)
    assert max(training) == training_chunk(dims) < 180  # full batch of 180: in chunks
    assert max(counted_columns) == forward_chunk(dims)  # the predictions and the picture


def test_a_change_during_a_big_iteration_acts_from_the_next_and_replays():
    state = LabState(**BIG, batch_size=4)
    state.play()
    tick(state, 5)
    assert state.session.trainer.in_progress
    state.apply(learning_rate=0.003)
    assert state.session.changes == [(1, "learning_rate", 0.003)]
    units_until(state, lambda: state.session.iteration == 3)
    costs = state.session.cost_history()["train_cost"]
    replay = LabState(**BIG, batch_size=4, changes=state.session.changes)
    replay.play()
    units_until(replay, lambda: replay.session.iteration == 3)
    assert replay.session.cost_history()["train_cost"] == costs
    for key, value in state.session.weights().items():
        np.testing.assert_array_equal(replay.session.weights()[key], value)


def test_reset_of_a_big_network_is_one_chunk_and_the_rest_in_ticks(counted_columns):
    state = LabState(**BIG)
    units_until(state, lambda: not state.session.busy)
    state.play()
    tick(state, 4)
    counted_columns.clear()
    state.reset()
    assert state.running  # Reset keeps playing, from a fresh network
    assert state.session.iteration == 0
    assert state.session.progress == 0
    assert counted_columns == [forward_chunk(state.session.layer_dims)]


def test_the_picture_of_a_big_network_comes_in_slices(monkeypatch):
    monkeypatch.setattr(plots_module, "MAP_SLICE_S", 0.0)  # one chunk per update
    state = LabState(**BIG)
    plots = LabPlots()
    plots.update(state)
    assert plots.busy
    assert plots.boundary_source.data["image"] == []
    resolution = boundary_resolution(state.session.n_params)
    chunk = forward_chunk(state.session.layer_dims)
    updates = 1
    while plots.busy:
        plots.update(state)
        updates += 1
    # the image's chunks, then the diagram's units' (on their coarser grid)
    assert updates == math.ceil(resolution**2 / chunk) + math.ceil(MAP_RESOLUTION**2 / chunk)
    image = plots.boundary_source.data["image"][0]
    np.testing.assert_allclose(image, state.session.probabilities(resolution), atol=1e-6)


def test_the_app_ticks_for_pending_work_and_then_stops():
    app = LayerLab(LabState(**BIG))
    app._schedule()
    assert app._callback is not None
    assert app._callback.running
    count = 0
    while app.state.busy or app.plots.busy:
        asyncio.run(app.tick())
        count += 1
        assert count < 1000
    assert not app._callback.running
    assert app.state.session.iteration == 0  # nothing trained: it was only the pictures


# -- the measured speed -------------------------------------------------------------------------
def test_speed_is_measured_over_the_last_seconds_and_restarts_after_a_pause():
    meter = SpeedMeter()
    meter.record(0.0, 0.0)
    meter.record(0.3, 0.1)
    assert meter.rate is None  # too short to tell
    meter.record(0.6, 0.2)
    assert meter.rate == pytest.approx(1 / 3)
    meter.record(10.0, 0.2)  # after a pause: a new measurement
    meter.record(10.4, 0.3)
    assert meter.rate == pytest.approx(1 / 3)  # the last one stands until a new one
    meter.record(11.0, 0.5)
    assert meter.rate == pytest.approx(0.3 / 1.0)


@pytest.mark.parametrize(
    ("rate", "progress", "words"),
    [
        (None, 0.0, ""),
        (1 / 6.25, 0.41, "≈ 6.2 s per iteration on this device · the next is 41% done"),
        (1 / 42.0, 0.0, "≈ 42 s per iteration on this device"),
        (1 / 200.0, 0.5, "≈ 3 min 20 s per iteration on this device · the next is 50% done"),
        (1 / 7500.0, 0.0, "≈ 2 h 5 min per iteration on this device"),
        (3.456, 0.2, "≈ 3.5 iterations/s on this device"),
        (1234.5, 0.0, "≈ 1,234 iterations/s on this device"),
    ],
)
def test_speed_words_are_for_people(rate, progress, words):
    assert speed_words(rate, progress) == words


def test_the_counter_shows_the_speed_once_measured():
    state = LabState(**BIG)
    panes = transport(state, Controls()).select(pn.pane.HTML)
    (counter,) = [pane for pane in panes if "ll-counter" in pane.css_classes]
    assert "ll-speed" not in counter.object
    state.session._speed.rate = 0.05
    state.play()
    tick(state)  # a unit: a piece of the first iteration
    state.pause()  # (while playing, the counter is redrawn at most 4 times a second)
    assert "≈ 20 s per iteration on this device · the next is" in counter.object
