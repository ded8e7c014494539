"""Compare runs (issue 15, part 4) without a browser: the pin board, what differs in words,
the replay of a recipe and the ``pin=`` link key.

Oracles: the run itself, trained through the state's verbs (Play/Step, λ changed while it
trains): a replay of its recipe must give the same costs bit for bit; the settings'
declarations for the words; ``parse_query`` for the link written by ``format_query``.
"""

import html
import math

import numpy as np
import pytest

from layerlab.ui.app import LayerLab, create_app_from_link
from layerlab.ui.pin_links import pin_text
from layerlab.ui.pins import (
    MAX_PINS,
    PinBoard,
    PinRecipe,
    Replay,
    defaults,
    difference,
    difference_text,
    recipe_of,
)
from layerlab.ui.points import add_point
from layerlab.ui.share import link_caveat
from layerlab.ui.state import LabState
from layerlab.ui.urlstate import format_query, parse_query

SMALL = {"n_points": 80, "hidden_layers": "4", "iterations": 400}


def trained(steps: int = 12, **settings) -> LabState:
    state = LabState(**{**SMALL, **settings})
    for _ in range(steps):
        state.step()
    return state


def recipe(**settings) -> PinRecipe:
    return PinRecipe({**defaults(), **settings}, 10)


def replayed(recipe: PinRecipe) -> dict[str, list]:
    replay = Replay(recipe)
    while not replay.done:
        replay.run(0.01)
    return replay.curves()


# -- the board ---------------------------------------------------------------------------------
def test_nothing_to_pin_before_training_and_a_sixth_pin_is_refused_saying_so():
    board, state = PinBoard(), LabState(**SMALL)
    assert not board.pin(state)
    assert "train first" in board.message
    state.step()
    for number in range(1, MAX_PINS + 1):
        assert board.pin(state)
        assert f"Pinned run {number}" in board.message
    assert not board.pin(state)
    assert board.message == "At most 5 pinned runs: unpin one (×) to pin this run."
    assert len(board.pins) == MAX_PINS


def test_a_pin_keeps_the_runs_curves_and_recipe_and_unpinning_removes_the_right_one():
    board, state = PinBoard(), trained(5)
    board.pin(state)
    curves = state.session.cost_history()
    assert board.pins[0].curves["train_cost"] == curves["train_cost"]
    assert board.pins[0].curves["test_cost"] == curves["test_cost"]
    assert board.pins[0].recipe.iterations == 5
    state.apply(lambd=0.5)  # a new session: the pin stays as it was
    state.reset()
    state.step()
    board.pin(state)
    assert [pin.recipe.settings["lambd"] for pin in board.pins] == [0.0, 0.5]
    board.unpin(0)
    assert [pin.recipe.settings["lambd"] for pin in board.pins] == [0.5]
    assert board.message == "Unpinned run 1."
    board.unpin(7)  # no such pin: nothing happens
    assert len(board.pins) == 1
    board.unpin_all()
    assert board.pins == []


# -- what differs ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "words"),
    [
        ({}, {}, []),
        ({"lambd": 0.0}, {"lambd": 0.7}, ["L2 λ 0 → 0.7"]),
        ({"hidden_layers": "8, 8"}, {"hidden_layers": "16"}, ["Hidden layers 8,8 → 16"]),
        ({"hidden_layers": "8, 8"}, {"hidden_layers": "8,8"}, []),  # the same layers
        ({"batch_size": 0}, {"batch_size": 16}, ["Batch size full batch → 16"]),
        ({"optimizer": "adam"}, {"optimizer": "gd"}, ["Optimizer Adam → Gradient descent"]),
        (
            {"features": ("x1", "x2")},
            {"features": ("x1", "x2", "x1sq")},
            ["Input features x1+x2 → x1+x2+x1²"],
        ),
        (
            {"lambd": 0.1, "weight_seed": 1},
            {"lambd": 0.1000001, "weight_seed": 2},
            ["L2 λ 0.1 → 0.1000001", "Weight seed 1 → 2"],
        ),
    ],
)
def test_difference_names_each_setting_that_differs_by_its_label(a, b, words):
    assert difference(recipe(**a), recipe(**b)) == words
    assert difference_text(recipe(**a), recipe(**b)) == (", ".join(words) or "same settings")


def test_difference_names_changes_own_data_and_loaded_weights():
    plain = recipe()
    changed = PinRecipe(plain.settings, 10, ((5, "lambd", 0.7), (6, "W1[0,0]", 0.5)))
    assert difference(plain, changed) == [
        "changes during the run: none → L2 λ 0.7 from 5; W1[0,0] = 0.5 at 6"
    ]
    own = PinRecipe(plain.settings, 10, data="data.csv", weights="w.npz")
    assert difference(own, plain) == ["data data.csv → generated", "weights w.npz → from the seed"]


# -- the replay --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"lambd": 0.3, "optimizer": "momentum", "activation": "tanh"},
        {"batch_size": 16, "keep_prob": 0.8, "features": ("x1", "x2", "x1x2"), "lambd_l1": 0.01},
    ],
    ids=["default", "momentum-tanh", "minibatch-dropout-features"],
)
def test_a_replay_gives_the_pinned_curves_to_the_last_digit(settings):
    state = trained(6, **settings)
    state.apply(lambd=0.2, learning_rate=0.05)  # changes during the run, recorded
    state.play()
    while state.session.iteration < 20:
        state.tick(budget_s=0.001)
    state.pause()
    board = PinBoard()
    board.pin(state)
    pin = board.pins[0]
    assert pin.recipe.changes  # the run's turns are part of its recipe
    assert replayed(pin.recipe) == pin.curves  # exact equality, float for float


def test_a_replay_runs_in_slices_and_the_board_reports_progress():
    state = trained(30)
    source = PinBoard()
    source.pin(state)
    board = PinBoard()
    assert board.replay([source.pins[0].recipe]) == []
    assert board.busy
    versions = board.version
    board.work(budget_s=0.0)  # one unit of work at least, not the whole run
    assert 0 < len(board.pins[0].curves["iteration"]) < 30
    assert board.version == versions + 1
    while board.busy:
        board.work()
    assert board.pins[0].curves == source.pins[0].curves


def test_a_diverging_replay_stops_with_a_message():
    board = PinBoard()
    wild = {"learning_rate": 10.0, "optimizer": "gd", "init": "sqrt", "hidden_layers": "64,64,64"}
    board.replay([PinRecipe({**defaults(), **wild}, 3000)])
    while board.busy:
        board.work(budget_s=math.inf)
    assert "stopped early" in board.message
    assert 0 < len(board.pins[0].curves["iteration"]) < 3000


# -- the link ----------------------------------------------------------------------------------
def test_a_pin_is_written_with_its_settings_off_the_defaults_and_its_changes():
    state = trained(4, hidden_layers="16", lambd=0.7)
    state.apply(learning_rate=0.03)
    state.step()
    assert pin_text(recipe_of(state)) == (
        "5;n_points:80;hidden_layers:16;lambd:0.7;changes:learning_rate@4:0.03"
    )
    assert pin_text(PinRecipe(defaults(), 300)) == "300"


def test_the_link_round_trip_replays_the_pins_equal_to_the_originals():
    board = PinBoard()
    first = trained(8, lambd=0.0)
    board.pin(first)
    second = trained(5, hidden_layers="6, 3", lambd=0.7, features=("x1", "x2", "sinx1"))
    second.apply(lambd=0.01)
    second.step()
    board.pin(second)
    query = format_query(second.settings(), pins=board.recipes())
    assert query.count("&pin=") == 2
    parsed = parse_query(query)
    assert parsed.notices == []
    assert [pin_text(r) for r in parsed.pins] == [pin_text(r) for r in board.recipes()]
    for original, recipe in zip(board.pins, parsed.pins, strict=True):
        assert replayed(recipe) == original.curves


def test_opening_a_link_replays_its_pins_onto_the_plots():
    state = trained(10, lambd=0.1)
    board = PinBoard()
    board.pin(state)
    lab = create_app_from_link("?" + format_query({"lambd": 0.7}, pins=board.recipes()))
    assert lab.pins.busy
    while lab.pins.busy:
        lab.pins.work()  # what each tick does while a replay is under way
    assert lab.plots.pin_sources[0].data["train_cost"] == board.pins[0].curves["train_cost"]
    assert lab.plots.pin_sources[0].data["test_cost"] == board.pins[0].curves["test_cost"]
    assert lab.plots.pin_sources[1].data["iteration"] == []
    assert "L2 λ 0.1 → 0.7" in html.unescape(lab.pin_view.lines[0].object)


def test_pins_of_own_data_or_loaded_weights_stay_off_the_link_and_copy_link_says_so():
    lab = LayerLab(LabState(**SMALL))
    state = lab.state
    state.step()
    lab.pins.pin(state)
    add_point(state, 0.1, 0.2, 1)
    state.step()
    lab.pins.pin(state)
    assert lab.pins.pins[1].recipe.data == "your points"
    assert lab.address.query().count("pin=") == 1
    caveat = link_caveat(state, lab.pins)
    assert "The pinned run on your own data or loaded weights stays on this page only" in caveat
    assert "the points you added or removed" in caveat  # the current run's own caveat too


def test_pins_survive_reset_and_settings_and_the_pin_buttons_work():
    lab = LayerLab(LabState(**SMALL))
    view, state = lab.pin_view, lab.state
    view.pin_button.clicks += 1
    assert "train first" in view.message.object
    for _ in range(5):
        state.step()
    view.pin_button.clicks += 1
    state.apply(lambd=0.7)
    state.reset()
    state.apply(dataset="circles")
    state.step()
    assert len(lab.pins.pins) == 1
    assert view.rows[0].visible
    assert not view.rows[1].visible
    shown = html.unescape(view.lines[0].object)
    assert "Pin 1" in shown
    assert "5 iterations" in shown
    assert "Dataset Moons → Circles, L2 λ 0 → 0.7" in shown
    np.testing.assert_array_equal(
        lab.plots.pin_sources[0].data["train_cost"], lab.pins.pins[0].curves["train_cost"]
    )
    assert lab.plots.cost_figure.x_range.end >= 5
    view.unpin_all.clicks += 1
    assert not view.rows[0].visible
    assert lab.plots.pin_sources[0].data["iteration"] == []


def test_a_sixth_pin_on_the_page_says_so_and_each_unpin_button_removes_its_own():
    lab = LayerLab(LabState(**SMALL))
    view, state = lab.pin_view, lab.state
    for lambd in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
        state.apply(lambd=lambd)
        state.reset()
        state.step()
        view.pin_button.clicks += 1
    assert "At most 5 pinned runs" in view.message.object
    assert all(row.visible for row in view.rows)
    assert "L2 λ 0.4 → 0.5" in html.unescape(view.lines[4].object)
    view.rows[1].objects[-1].clicks += 1  # Pin 2's "× Unpin"
    assert [pin.recipe.settings["lambd"] for pin in lab.pins.pins] == [0.0, 0.2, 0.3, 0.4]
    assert not view.rows[4].visible
    assert "L2 λ 0.2 → 0.5" in html.unescape(view.lines[1].object)
    assert lab.plots.pin_sources[4].data["iteration"] == []
    assert lab.plots.pin_sources[1].data["train_cost"] == lab.pins.pins[1].curves["train_cost"]


def test_a_pin_too_long_for_a_link_stays_off_it_and_copy_link_says_so():
    changes = [(i, "lambd", 0.123456789 + i * 1e-9) for i in range(1, 41)]  # 40 changes
    lab = LayerLab(LabState(changes=changes, **SMALL))
    for _ in range(45):
        lab.state.step()
    lab.pins.pin(lab.state)
    assert len(pin_text(lab.pins.recipes()[0])) > 600
    assert "pin=" not in lab.address.query()
    caveat = link_caveat(lab.state, lab.pins)
    assert "The pinned run differs from the defaults in too much to fit a link" in caveat


def test_the_pin_lines_are_made_at_the_first_pin_and_drawn_beneath_the_run():
    lab = LayerLab(LabState(**SMALL))
    plots = lab.plots

    def pin_lines(fig) -> list[int]:  # positions of the renderers drawing a pin's source
        names = [renderer.data_source.name for renderer in fig.renderers]
        return [i for i, name in enumerate(names) if name.startswith("pin_source_")]

    assert pin_lines(plots.cost_figure) == []  # a page without pins does not build them
    lab.state.step()
    lab.pins.pin(lab.state)
    assert pin_lines(plots.cost_figure) == list(range(10))  # 5 places x train, test: first
    assert pin_lines(plots.log_cost_figure) == list(range(10))  # made later, drawn alike


def test_the_pin_message_is_cleared_when_a_fresh_run_starts():
    lab = LayerLab(LabState(**SMALL))
    lab.state.step()
    lab.pin_view.pin_button.clicks += 1
    assert lab.pin_view.message.visible
    assert "Pinned run 1" in lab.pin_view.message.object
    lab.state.reset()
    assert not lab.pin_view.message.visible
    assert lab.pins.pins  # the pin itself stays
