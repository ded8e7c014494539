"""The sidebar: experiments, data, network and training controls.

Every setting's control comes from its declaration (``widgets.setting_control``); this module
only lays the cards out and adds what is not a setting (presets, "New sample", the per-layer
+/- rows and the architecture line).
"""

from html import escape

import panel as pn

from layerlab.layers import MAX_HIDDEN_LAYERS
from layerlab.settings import group_members
from layerlab.ui.binding import Controls, html_pane
from layerlab.ui.state import PRESET_NOTES, LabState
from layerlab.ui.widgets import setting_control

PRESET_TITLES = {
    "recommended": "Recommended",
    "article": "As in the article",
    "overfitting": "Overfitting",
    "depth": "Depth (spiral)",
}


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
    """The data settings, and "New sample" beside the data seed."""
    parts = {name: setting_control(state, name) for name in group_members("data")}
    regenerate = pn.widgets.Button(label="New sample", align="end", width=110)
    regenerate.on_click(lambda _: state.regenerate())
    parts["data_seed"] = pn.Row(
        setting_control(state, "data_seed", width=120), regenerate, sizing_mode="stretch_width"
    )
    parts["features"] = feature_toggles(state)
    return controls.card("Data", parts)


def feature_toggles(state: LabState) -> pn.Column:
    """The input features' toggles, shown only for two-column data (others have none to
    choose; a link hides the outer column, the data the inner one)."""
    toggles = setting_control(state, "features", css_classes=["ll-features"])

    def show(*_) -> None:
        toggles.visible = state.session.data.planar

    state.param.watch(show, "generation")
    show()
    return pn.Column(toggles, sizing_mode="stretch_width", margin=0)


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
        self._sizes = None  # the layers the rows show
        state.param.watch(self._redraw, "generation")
        self._redraw()

    def _redraw(self, *_) -> None:
        state = self._state
        sizes = state.session.layer_sizes
        if sizes == self._sizes:  # a reset or new data: the same rows (new ones cost ~0.3 s)
            return
        self._sizes = list(sizes)
        rows = []
        for index, units in enumerate(sizes):
            size = {"width": 44, "margin": (2, 4)}
            narrow = pn.widgets.Button(label="−", css_classes=["ll-narrow"], **size)
            widen = pn.widgets.Button(label="+", css_classes=["ll-widen"], **size)
            narrow.on_click(lambda _, i=index: state.narrow(i))
            widen.on_click(lambda _, i=index: state.widen(i))
            label = html_pane(
                f'<div class="ll-layer-label">Layer {index + 1} <span>·</span> '
                f"<b>{units}</b> units</div>",
                width=150,
                sizing_mode=None,
                margin=(8, 10),
                css_classes=["ll-layer-name"],
            )
            rows.append(pn.Row(label, narrow, widen, margin=0, css_classes=["ll-layer-row"]))
        if not rows:
            rows.append(
                html_pane('<div class="ll-hint">No hidden layer: logistic regression.</div>')
            )
        self._rows.objects = rows
        self._buttons[0].disabled = len(sizes) >= MAX_HIDDEN_LAYERS
        self._buttons[1].disabled = not sizes

    def __panel__(self) -> pn.Column:
        return self._layout


def network_controls(state: LabState, controls: Controls) -> pn.Card:
    """Hidden layers (as text and as +/- rows, with the architecture), and the rest."""
    layers = setting_control(
        state, "hidden_layers", label="Hidden layers (press Enter)", placeholder="e.g. 8, 8, 4"
    )
    layers[0].param.watch(lambda e: state.preview("hidden_layers", e.new), "value_input")
    architecture = html_pane(name="architecture", css_classes=["ll-architecture"], margin=(4, 10))

    def show_architecture(*_) -> None:
        architecture.object = (
            f'<div class="ll-arch">Network: <b>{escape(state.session.architecture)}</b></div>'
        )

    state.param.watch(show_architecture, "generation")
    show_architecture()
    parts = {name: setting_control(state, name) for name in group_members("network")}
    parts["hidden_layers"] = pn.Column(
        layers, LayerEditor(state), architecture, sizing_mode="stretch_width", margin=0
    )
    return controls.card("Network", parts)


def training_controls(state: LabState, controls: Controls) -> pn.Card:
    """The training settings (the speed sits with Play, in the transport row)."""
    names = [name for name in group_members("training") if name != "steps_per_tick"]
    parts = {name: setting_control(state, name) for name in names}
    parts["iterations"] = setting_control(state, "iterations", label="Iterations (budget)")
    hint = html_pane(
        '<div class="ll-hint">α, λ and λ₁ act at once, even while training. '
        "The other settings start a fresh network.</div>"
    )
    return controls.card("Training", parts, hint=hint)
