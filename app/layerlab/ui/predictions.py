"""The predictions box: the decision-boundary map for two features (click it to add or
remove points, as in ConvNetJS's demo), the histogram and confusion matrix otherwise.
"""

import panel as pn
from bokeh import events

from layerlab.ui.binding import html_pane, wrap_row
from layerlab.ui.plots import LabPlots
from layerlab.ui.points import add_point, remove_point
from layerlab.ui.state import LabState
from layerlab.ui.viewstate import ViewState

CLICK_MODES = {"Add 0": 0, "Add 1": 1, "Remove": "remove"}  # what a click on the map does

MAP_LEGEND = (
    '<div class="ll-legend">Background: the network\'s P(y = 1), orange for 0, blue '
    "for 1, white at the decision boundary. ● train, ▲ test, "
    '<span style="color:#d7263d">◯</span> misclassified. Click the map to add a point of the '
    "chosen class (shift-click removes the nearest): the network then starts afresh.</div>"
)
EVALUATION_LEGEND = (
    '<div class="ll-legend">This data has no two-feature plane to draw: the histogram shows '
    "how sure the network is about each true class (orange 0, blue 1; a good model pushes "
    "them to opposite ends) and the matrix counts right (green) and wrong (red) answers.</div>"
)


def on_click(state: LabState, mode: object, x: float, y: float, shift: bool = False) -> None:
    """A click on the map at ``(x, y)``: add a point of class ``mode`` or remove the nearest."""
    if shift or mode == "remove":
        remove_point(state, x, y)
    else:
        add_point(state, x, y, int(mode))


def predictions_panel(state: LabState, plots: LabPlots, views: ViewState, **params) -> pn.Column:
    """The predictions view, switching between map and evaluation as the data changes."""
    show_test = pn.widgets.Toggle(label="Test points ▲", value=True, width=120)
    discrete = pn.widgets.Toggle.from_param(
        views.param.discrete, label="Two classes", width=120, css_classes=["ll-discrete"]
    )
    views.param.watch(lambda event: plots.show_discrete(event.new), "discrete")
    plots.show_discrete(views.discrete)
    show_test.param.watch(lambda e: plots.show_test(e.new), "value")
    mode = pn.widgets.RadioButtonGroup(
        options=CLICK_MODES, value=1, width=190, css_classes=["ll-click-mode"]
    )

    def tapped(event: events.Tap | events.DoubleTap) -> None:
        shift = bool(event.modifiers and event.modifiers.get("shift"))
        on_click(state, mode.value, event.x, event.y, shift)

    # A second click on the same spot soon after the first (add a point, then shift-click
    # it away) reaches Bokeh as a double tap, not a tap: every click counts.
    plots.boundary_figure.on_event(events.Tap, tapped)
    plots.boundary_figure.on_event(events.DoubleTap, tapped)
    planar = pn.Column(
        pn.pane.Bokeh(plots.boundary_figure, sizing_mode="stretch_width"),
        wrap_row(show_test, discrete, mode),
        html_pane(MAP_LEGEND),
        margin=0,
    )
    box = pn.Column(planar, **params)

    def switch(*_) -> None:
        two = state.session.data.n_features == 2
        if not two and len(box) == 1:  # first data without a plane: make its view
            box.append(
                pn.Column(
                    pn.pane.Bokeh(plots.evaluation.histogram_figure),
                    pn.pane.Bokeh(plots.evaluation.confusion_figure),
                    html_pane(EVALUATION_LEGEND),
                    margin=0,
                )
            )
        planar.visible = two
        if len(box) > 1:
            box[1].visible = not two

    state.param.watch(switch, "generation")
    switch()
    return box
