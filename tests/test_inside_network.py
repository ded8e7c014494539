"""Issue 14 without a browser: what each unit computes, the weights as edges and their editing,
the two-class map, and one iteration walked step by step.

Oracles: the core's forward and backward run independently on the same weights and data;
one real Step for the walk's end; the decision map for the output unit's picture.
"""

from html import unescape

import numpy as np
import pytest

from layerlab import backward, compute_cost, forward
from layerlab.activations import relu
from layerlab.ui.app import LayerLab, create_app_from_link
from layerlab.ui.diagram import MAX_DRAWN_HIDDEN, drawn_units
from layerlab.ui.network_view import WeightEditor
from layerlab.ui.plots import LabPlots
from layerlab.ui.state import LabState
from layerlab.ui.walk import stages

SMALL = {"n_points": 80, "hidden_layers": "5, 3"}


def drawn(plots: LabPlots, state: LabState) -> LabPlots:
    """``plots`` updated until the decision map and the units' pictures are drawn: they come a
    time slice per update, so how many updates that takes depends on the machine's load."""
    plots.update(state)
    while plots.busy:
        plots.update(state)
    return plots


def matrices(stage) -> dict[str, np.ndarray]:
    return {matrix.name: matrix.values for matrix in stage.matrices}


# -- units ---------------------------------------------------------------------------------------
def test_each_unit_shows_its_activation_over_the_plane():
    state = LabState(**SMALL)
    for _ in range(20):
        state.step()
    session = state.session
    maps = session.unit_maps(12, [5, 3, 1])
    assert [m.shape for m in maps] == [(5, 12, 12), (3, 12, 12), (1, 12, 12)]
    params, grid = session.trainer.params, session.data.grid(12)
    first = relu(params["W1"] @ grid + params["b1"])  # (5, 144): the oracle
    np.testing.assert_allclose(maps[0].reshape(5, -1), first, rtol=1e-12)
    np.testing.assert_allclose(maps[2][0], session.probabilities(12), rtol=1e-12)


@pytest.mark.parametrize(
    ("dims", "drawn"),
    [
        ([2, 8, 8, 1], [2, 8, 8, 1]),
        ([2, 64, 1], [2, 64, 1]),
        ([2, 256, 256, 256, 256, 256, 256, 256, 256, 1], [2, *[8] * 8, 1]),
        ([2, 100, 3, 1], [2, 32, 3, 1]),
    ],
)
def test_big_networks_draw_the_first_units_of_each_layer(dims, drawn):
    assert drawn_units(dims) == drawn
    assert sum(drawn[1:-1]) <= max(MAX_DRAWN_HIDDEN, 4 * (len(dims) - 2))


def test_the_diagram_says_how_many_units_it_does_not_draw():
    plots = drawn(LabPlots(), LabState(hidden_layers="128, 128", n_points=40))
    assert "128 relu, 96 not drawn" in plots.diagram.label_source.data["text"]
    assert len(plots.diagram.unit_source.data["image"]) == 32 + 32 + 1


def test_a_hovered_unit_has_its_bias_and_state():
    state = LabState(learning_rate=10.0, optimizer="adam", dataset="xor", iterations=200)
    state.play()
    while state.running:
        state.tick(budget_s=float("inf"))
    plots = drawn(LabPlots(), state)
    about = plots.diagram.unit_source.data["about"]
    dead = state.session.evaluation().dead_masks
    b1 = state.session.trainer.params["b1"]
    assert about[0] == f"layer 1, unit 1: bias {b1[0, 0]:.4g}, {'dead' if dead[0][0] else 'alive'}"
    assert sum(", dead" in text for text in about) == sum(int(m.sum()) for m in dead)
    assert about[-1].startswith("output: bias")


# -- edges and their weights ---------------------------------------------------------------------
def test_edges_carry_their_weight_and_a_tapped_one_can_be_set():
    lab = LayerLab(LabState(**SMALL))
    lab.state.step()
    diagram = lab.plots.diagram
    edges = diagram.edge_source.data
    W2 = lab.state.session.trainer.params["W2"]
    index = next(
        i
        for i in range(len(edges["x0"]))
        if (edges["layer"][i], edges["row"][i], edges["column"][i]) == (2, 1, 4)
    )
    assert edges["weight"][index] == W2[1, 4]
    editor = WeightEditor(lab.state, lab.plots)
    diagram.edge_source.selected.indices = [index]
    assert diagram.selected_weight() == (2, 1, 4)
    assert editor._layout.visible
    assert "W2[1, 4]" in editor.about.object
    editor.field.value = "abc"
    assert "'abc' is not a number" in unescape(editor.message.object)
    assert W2[1, 4] != 0.5
    editor.field.value = "0.5"
    assert lab.state.session.trainer.params["W2"][1, 4] == 0.5
    assert lab.state.session.changes == [(1, "W2[1,4]", 0.5)]
    assert "changes=w2.1.4@1:0.5" in lab.address.query()
    editor.field.value = "1e6"
    assert "between -100 and 100" in editor.message.object


# -- two classes ---------------------------------------------------------------------------------
def test_the_map_shows_two_classes_on_request_and_the_link_keeps_it():
    lab = create_app_from_link("?view=discrete")
    palette = lab.plots._mapper.palette
    assert len(set(palette)) == 2
    assert palette[:128] == [palette[0]] * 128
    assert "view=discrete" in lab.address.query()
    lab.views.discrete = False
    assert len(set(lab.plots._mapper.palette)) > 100
    assert "view=" not in lab.address.query()


def test_an_unknown_view_is_named():
    lab = create_app_from_link("?view=steps,xray")
    assert lab.views.steps
    assert "unknown view 'xray'" in unescape(lab.notices.objects[0].object)


# -- one iteration, step by step -----------------------------------------------------------------
@pytest.mark.parametrize("settings", [{}, {"lambd": 0.3, "optimizer": "gd", "keep_prob": 0.8}])
def test_the_walk_shows_the_trainers_own_numbers_and_ends_as_one_step(settings):
    state = LabState(**SMALL, **settings)
    for _ in range(3):
        state.step()
    preview = state.session.preview_update()
    walk = stages(preview, state.optimizer)
    assert [stage.title for stage in walk] == [
        "The data",
        "Forward, layer 1",
        "Forward, layer 2",
        "Forward, layer 3",
        "The cost",
        "Backward, layer 3",
        "Backward, layer 2",
        "Backward, layer 1",
        "The update",
    ]
    params = {key: value.copy() for key, value in state.session.trainer.params.items()}
    data = state.session.data
    # The oracle: the core's forward and backward on the same weights, data and masks.
    AL, caches = forward(data.X_train, params, masks=preview.masks)
    trace = {}
    grads = backward(AL, data.Y_train, caches, state.lambd, trace=trace)
    for l in (1, 2, 3):
        shown = matrices(walk[l])
        np.testing.assert_array_equal(shown[f"Z{l}"], caches[l - 1].Z)
        np.testing.assert_array_equal(shown[f"W{l}"], params[f"W{l}"])
        back = matrices(walk[8 - l])
        np.testing.assert_array_equal(back[f"dW{l}"], grads[f"dW{l}"])
        np.testing.assert_array_equal(back[f"db{l}"], grads[f"db{l}"])
        np.testing.assert_array_equal(back[f"dZ{l}"], trace[f"dZ{l}"])
    assert f"= {compute_cost(AL, data.Y_train, params, state.lambd):.6g}" in walk[4].equation
    assert [m.label for m in walk[1].matrices] == [
        "W1 (5, 2)",
        "A0 (2, m)",
        "b1 (5, 1)",
        "Z1 (5, m)",
        "A1 (5, m)",
    ]
    after = matrices(walk[-1])
    state.step()  # what finishing the walk does
    for l in (1, 2, 3):
        np.testing.assert_array_equal(after[f"W{l}"], state.session.trainer.params[f"W{l}"])


def test_the_walk_with_mini_batches_shows_the_first_batch_and_finishes_the_epoch():
    state = LabState(**SMALL, batch_size=16)
    preview = state.session.preview_update()
    assert preview.X.shape[1] == 16
    assert preview.batches == -(-state.session.data.X_train.shape[1] // 16)
    assert "mini-batches" in stages(preview, state.optimizer)[0].note


def test_the_step_through_view_walks_and_finishes():
    from layerlab.ui.figure_style import LIGHT
    from layerlab.ui.stepthrough import StepThrough

    state = LabState(**SMALL)
    view = StepThrough(state, LIGHT)
    assert "step 1 of 9" in view.heading.object
    assert view.back.disabled
    for _ in range(8):
        view.next.clicks += 1
    assert "step 9 of 9" in view.heading.object
    assert view.next.label.startswith("Finish")
    before = state.session.iteration
    view.next.clicks += 1
    assert state.session.iteration == before + 1
    assert "step 1 of 9" in view.heading.object
    assert "made exactly that update" in view.note.object
    state.step()  # the network changes under the walk
    assert "changed" in view.heading.object
    view.next.clicks += 1
    assert f"Iteration {before + 2}, step 1" in view.heading.object
