"""The network box: the diagram of units and weights, the hovered unit shown larger, a weight
editor for the tapped edge, the shapes table and the gradient check.
"""

from html import escape

import panel as pn

from layerlab.ui.binding import Controls, html_pane, optional_view, wrap_row
from layerlab.ui.plots import LabPlots
from layerlab.ui.state import LabState
from layerlab.ui.theme import LAYOUT_CSS
from layerlab.ui.views import gradient_check_panel, shapes_table
from layerlab.ui.viewstate import ViewState

INTRO = (
    '<div class="ll-arch"><b>The network, unit by unit</b> — each square is what a unit '
    "computes over the plane of the data (blue: active; the output: P(y = 1)); edges are "
    "weights (blue positive, orange negative, thicker is larger). Hover a unit or an edge to "
    "read it; tap an edge to set its weight by hand. The table is the article's debugging "
    "advice made visible: check the shapes, and watch ‖dW‖ for vanishing or exploding "
    "gradients.</div>"
)


class WeightEditor(pn.viewable.Viewer):
    """Set the weight of the edge tapped in the diagram: its value now, a field, Set."""

    def __init__(self, state: LabState, plots: LabPlots) -> None:
        super().__init__()
        self._state, self._diagram = state, plots.diagram
        self._position: tuple[int, int, int] | None = None
        self.about = html_pane(css_classes=["ll-weight-about"])
        self.field = pn.widgets.TextInput(
            label="New weight", width=120, css_classes=["ll-weight-field"]
        )
        self.button = pn.widgets.Button(label="Set weight", width=110, align="end")
        self.message = html_pane(css_classes=["ll-weight-msg"])
        self.field.param.watch(lambda _: self._set(), "value")
        self.button.on_click(lambda _: self._set())
        self._layout = pn.Column(
            self.about,
            wrap_row(self.field, self.button),
            self.message,
            visible=False,
            margin=0,
            css_classes=["ll-weight-editor"],
        )
        self._diagram.edge_source.selected.on_change("indices", lambda attr, old, new: self._show())
        state.param.watch(self._hide, "generation")

    def __panel__(self) -> pn.Column:
        return self._layout

    def _show(self) -> None:
        self._position = self._diagram.selected_weight()
        if self._position is None:
            self._layout.visible = False
            return
        layer, row, column = self._position
        now = float(self._state.session.weights()[f"W{layer}"][row, column])
        self.about.object = (
            f'<div class="ll-arch">Weight <b>W{layer}[{row}, {column}]</b> = {now:.6g}: from '
            f"unit {column + 1} of layer {layer - 1} to unit {row + 1} of layer {layer}.</div>"
        )
        self.message.object = ""
        self._layout.visible = True

    def _set(self) -> None:
        if self._position is None or not self.field.value.strip():
            return
        problem = self._state.set_weight(*self._position, self.field.value)
        if problem:
            self.message.object = f'<div class="ll-msg-text" role="alert">{escape(problem)}</div>'
        else:
            self._show()
            self.message.object = '<div class="ll-ok-text" role="status">Set.</div>'

    def _hide(self, *_) -> None:
        self._position = None
        self._layout.visible = False


def step_through(state: LabState, plots: LabPlots, views: ViewState) -> pn.Column:
    """The "Walk through one iteration" switch, and the walk below it when it is on (its
    code is imported the first time it is opened)."""
    switch = pn.widgets.Toggle.from_param(
        views.param.steps,
        label="Walk through one iteration",
        width=230,
        css_classes=["ll-step-through"],
    )

    def make() -> pn.viewable.Viewable:
        from layerlab.ui.stepthrough import StepThrough

        return StepThrough(state, plots.scheme)

    return optional_view(views, "steps", switch, make, reopen=lambda walk: walk.restart())


def network_panel(state: LabState, plots: LabPlots, controls: Controls, views: ViewState) -> list:
    """The network box's parts, top to bottom."""
    diagram = plots.diagram
    side = pn.Column(
        pn.pane.Bokeh(diagram.detail_figure),
        pn.pane.Bokeh(diagram.detail_text, sizing_mode="stretch_width"),
        WeightEditor(state, plots),
        width=240,
        margin=0,
        css_classes=["ll-unit-side"],
    )
    return [
        html_pane(INTRO),
        wrap_row(
            pn.pane.Bokeh(diagram.figure, sizing_mode="stretch_width"),
            side,
            stylesheets=[LAYOUT_CSS],
        ),
        step_through(state, plots, views),
        shapes_table(state),
        gradient_check_panel(state, controls),
    ]
