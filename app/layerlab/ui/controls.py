"""The sidebar: experiments, data, network and training controls.

Every control is bound to one ``LabState`` setting (see ``binding.bind``); the option lists
below are the ladders the sliders and menus offer (a link may add any other valid value).
"""

from html import escape

import panel as pn

from layerlab.ui.binding import Controls, bind, html_pane, labelled
from layerlab.ui.layers import MAX_HIDDEN_LAYERS
from layerlab.ui.state import PRESET_NOTES, LabState

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 0.0075, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
LAMBDAS = (0.0, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCH_SIZES = (0, 1, 8, 16, 32, 64, 128)
INIT_LABELS = {
    "small": "randn · 0.01 (the article's)",
    "he": "He: randn · √(2 / n_prev)",
    "xavier": "Xavier: randn · √(2 / (n_prev + n))",
    "sqrt": "randn / √n_prev",
}
PRESET_TITLES = {
    "recommended": "Recommended",
    "article": "As in the article",
    "overfitting": "Overfitting",
    "depth": "Depth (spiral)",
}
OPTIMIZER_LABELS = {
    "gd": "Gradient descent (the article's)",
    "momentum": "Momentum (β = 0.9)",
    "adam": "Adam (β₁ = 0.9, β₂ = 0.999)",
}


def _number(value: float) -> str:
    return f"{value:g}"


def preset_controls(state: LabState, controls: Controls) -> pn.Card:
    """One button per ready-made experiment, and what to watch in the chosen one."""
    note = html_pane(css_classes=["ll-preset-note"])

    def choose(name: str) -> None:
        state.apply_preset(name)
        note.object = f'<div class="ll-hint">{escape(PRESET_NOTES[name])}</div>'

    buttons = []
    for name, title in PRESET_TITLES.items():
        button = pn.widgets.Button(
            label=title, color="primary", variant="outline", sizing_mode="stretch_width"
        )
        button.on_click(lambda _, name=name: choose(name))
        buttons.append(button)
    note.object = (
        '<div class="ll-hint">Each sets up a run and says what to watch. "As in the article" '
        "is the seed's exact setup: layers 20, 7, 5, randn·0.01, gradient descent, "
        "α = 0.0075, full batch.</div>"
    )
    grid = pn.GridBox(*buttons, ncols=2, sizing_mode="stretch_width")
    return controls.card("Experiments", {"presets": pn.Column(grid, note, margin=0)})


def data_controls(state: LabState, controls: Controls) -> pn.Card:
    """Dataset, number of points, noise, test share, data seed and "New sample"."""
    p = state.param
    dataset = pn.widgets.Select(
        label=p.dataset.label,
        options={name.capitalize(): name for name in p.dataset.objects},
        value=state.dataset,
    )
    n_points = pn.widgets.IntSlider(
        label=p.n_points.label,
        start=p.n_points.bounds[0],
        end=p.n_points.bounds[1],
        step=10,
        value=state.n_points,
    )
    noise = pn.widgets.FloatSlider(
        label=p.noise.label, start=0.0, end=1.0, step=0.05, value=state.noise
    )
    test_ratio = pn.widgets.FloatSlider(
        label=p.test_ratio.label, start=0.1, end=0.5, step=0.05, value=state.test_ratio
    )
    seed = pn.widgets.IntInput(label=p.data_seed.label, value=state.data_seed, width=120)
    regenerate = pn.widgets.Button(label="New sample", align="end", width=110)
    regenerate.on_click(lambda _: state.regenerate())
    return controls.card(
        "Data",
        {
            "dataset": bind(state, "dataset", dataset),
            "n_points": bind(state, "n_points", n_points, event="value_throttled"),
            "noise": bind(state, "noise", noise, event="value_throttled"),
            "test_ratio": bind(state, "test_ratio", test_ratio, event="value_throttled"),
            "data_seed": pn.Row(
                bind(state, "data_seed", seed), regenerate, sizing_mode="stretch_width"
            ),
        },
    )


class LayerEditor(pn.viewable.Viewer):
    """One row per hidden layer with − / + width buttons, and add / remove layer buttons."""

    def __init__(self, state: LabState, **params) -> None:
        super().__init__(**params)
        self._state = state
        self._rows = pn.Column(sizing_mode="stretch_width", margin=0)
        add = pn.widgets.Button(label="+ layer", width=90)
        remove = pn.widgets.Button(label="− layer", width=90)
        add.on_click(lambda _: state.add_layer())
        remove.on_click(lambda _: state.remove_layer())
        self._buttons = pn.Row(add, remove)
        self._layout = pn.Column(self._rows, self._buttons, sizing_mode="stretch_width", margin=0)
        state.param.watch(self._redraw, "generation")
        self._redraw()

    def _redraw(self, *_) -> None:
        state = self._state
        rows = []
        for index, units in enumerate(state.layer_sizes):
            narrow = pn.widgets.Button(label="−", width=36, margin=(2, 4))
            widen = pn.widgets.Button(label="+", width=36, margin=(2, 4))
            narrow.on_click(lambda _, i=index: state.narrow(i))
            widen.on_click(lambda _, i=index: state.widen(i))
            label = html_pane(
                f'<div class="ll-layer-label">Layer {index + 1} <span>·</span> '
                f"<b>{units}</b> units</div>",
                width=150,
                sizing_mode=None,
                margin=(8, 10),
            )
            rows.append(pn.Row(label, narrow, widen, margin=0))
        if not rows:
            rows.append(
                html_pane('<div class="ll-hint">No hidden layer: logistic regression.</div>')
            )
        self._rows.objects = rows
        self._buttons[0].disabled = len(state.layer_sizes) >= MAX_HIDDEN_LAYERS
        self._buttons[1].disabled = not state.layer_sizes

    def __panel__(self) -> pn.Column:
        return self._layout


def network_controls(state: LabState, controls: Controls) -> pn.Card:
    """Hidden layers (as text and as +/- rows), initialization and weight seed."""
    p = state.param
    layers = pn.widgets.TextInput(
        label=f"{p.hidden_layers.label} (press Enter)",
        value=state.hidden_layers,
        placeholder="e.g. 8, 8, 4",
        css_classes=["ll-hidden-layers"],
    )
    layers.param.watch(lambda e: state.preview("hidden_layers", e.new), "value_input")
    architecture = html_pane(name="architecture", css_classes=["ll-architecture"], margin=(4, 10))

    def show_architecture(*_) -> None:
        architecture.object = (
            f'<div class="ll-arch">Network: <b>{escape(state.architecture)}</b></div>'
        )

    state.param.watch(show_architecture, "generation")
    show_architecture()
    init = pn.widgets.Select(
        label=p.init.label,
        options={INIT_LABELS.get(key, key): key for key in p.init.objects},
        value=state.init,
    )
    seed = pn.widgets.IntInput(label=p.weight_seed.label, value=state.weight_seed)
    return controls.card(
        "Network",
        {
            "hidden_layers": pn.Column(
                bind(state, "hidden_layers", layers),
                LayerEditor(state),
                architecture,
                sizing_mode="stretch_width",
                margin=0,
            ),
            "init": bind(state, "init", init),
            "weight_seed": bind(state, "weight_seed", seed),
        },
    )


def training_controls(state: LabState, controls: Controls) -> pn.Card:
    """Learning rate, λ, optimizer, batch size, dropout keep-prob and iteration budget."""
    p = state.param

    def rates(value):
        return labelled(LEARNING_RATES, value, _number)

    def lambdas(value):
        return labelled(LAMBDAS, value, _number)

    def batches(value):
        return labelled(BATCH_SIZES, value, lambda b: "full batch" if b == 0 else str(b))

    learning_rate = pn.widgets.DiscreteSlider(
        label=p.learning_rate.label, options=rates(state.learning_rate), value=state.learning_rate
    )
    lambd = pn.widgets.DiscreteSlider(
        label=p.lambd.label,
        options=lambdas(state.lambd),
        value=state.lambd,
        css_classes=["ll-lambd"],
    )
    optimizer = pn.widgets.Select(
        label=p.optimizer.label,
        options={OPTIMIZER_LABELS.get(key, key): key for key in p.optimizer.objects},
        value=state.optimizer,
    )
    batch = pn.widgets.Select(
        label=p.batch_size.label, options=batches(state.batch_size), value=state.batch_size
    )
    keep_prob = pn.widgets.FloatSlider(
        label=p.keep_prob.label,
        start=p.keep_prob.bounds[0],
        end=1.0,
        step=0.05,
        value=state.keep_prob,
    )
    iterations = pn.widgets.IntInput(
        label=f"{p.iterations.label} (budget)", value=state.iterations, step=500
    )
    hint = html_pane(
        '<div class="ll-hint">α and λ act at once, even while training. '
        "The other settings start a fresh network.</div>"
    )
    return controls.card(
        "Training",
        {
            "learning_rate": bind(state, "learning_rate", learning_rate, options=rates),
            "lambd": bind(state, "lambd", lambd, options=lambdas),
            "optimizer": bind(state, "optimizer", optimizer),
            "batch_size": bind(state, "batch_size", batch, options=batches),
            "keep_prob": bind(state, "keep_prob", keep_prob, event="value_throttled"),
            "iterations": bind(state, "iterations", iterations),
        },
        hint=hint,
    )
