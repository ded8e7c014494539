"""The whole page: controls on the left, training and its pictures on the right.

``LayerLab`` owns one session's ``LabState``, ``LabPlots`` and ``PinBoard`` (the pinned
runs: they outlive resets) and the periodic callback that trains in slices while Play is on
(no threads, no blocking loop: the page stays responsive in the browser's Pyodide worker
too). It also ticks while a Step's big iteration, the views' slices of work (predictions,
the boundary image) or a pinned run's replay are under way, and only then.

``create_app_from_link`` is the entry point of the served page: the link's query sets the
starting settings, hides controls and leaves notices; the address bar then follows the
settings.
"""

import asyncio
from collections.abc import Iterable

import panel as pn

from layerlab.edits import check_change
from layerlab.layers import parse_hidden_layers
from layerlab.settings import SETTINGS
from layerlab.ui import page_scripts
from layerlab.ui.binding import Controls, html_pane, optional_view, wrap_row
from layerlab.ui.controls import (
    data_controls,
    network_controls,
    preset_controls,
    training_controls,
)
from layerlab.ui.legends import COST_LEGEND, TRAIN_TEST_LEGEND
from layerlab.ui.link_values import change_text
from layerlab.ui.model_io import model_card
from layerlab.ui.network_view import network_panel
from layerlab.ui.pin_view import PinView
from layerlab.ui.pins import PinBoard
from layerlab.ui.plots import LabPlots
from layerlab.ui.predictions import predictions_panel
from layerlab.ui.presets import PRESET_NOTES
from layerlab.ui.share import AddressBar, copy_link, notice_area
from layerlab.ui.state import LabState
from layerlab.ui.theme import LAYOUT_CSS, PAGE_CSS
from layerlab.ui.upload import DataUpload
from layerlab.ui.urlstate import ParsedQuery, parse_query
from layerlab.ui.views import readout, transport
from layerlab.ui.viewstate import ViewState

TICK_MS = 50  # one training slice and one plot refresh per tick: up to 20 updates/s

HEADER = (
    '<div class="ll-header"><h1>Layer Lab</h1>'
    "<p>An L-layer neural network for binary classification, trained with pure NumPy "
    "right here in your browser. Change the layers and λ, press Play, and watch it learn.</p>"
    "</div>"
)


def _panel(*objects, css_classes: tuple = (), **params) -> pn.Column:
    """A white rounded box."""
    params.setdefault("sizing_mode", "stretch_width")
    return pn.Column(
        *objects,
        css_classes=["ll-panel", *css_classes],
        stylesheets=[PAGE_CSS],
        margin=(0, 0, 12, 0),
        **params,
    )


def _flex(*objects, css_classes: list[str]) -> pn.Row:
    """A box whose items wrap onto new lines as the screen narrows (see ``LAYOUT_CSS``)."""
    return wrap_row(*objects, css_classes=css_classes, stylesheets=[LAYOUT_CSS])


class LayerLab(pn.viewable.Viewer):
    """One session of the lab."""

    def __init__(
        self,
        state: LabState | None = None,
        *,
        hidden: Iterable[str] = (),
        notices: Iterable[str] = (),
        views: ViewState | None = None,
        pins: PinBoard | None = None,
        **params,
    ) -> None:
        super().__init__(**params)
        hidden = set(hidden)  # controls a link hides (``urlstate.CONTROLS`` names)
        self.state = state if state is not None else LabState()
        self.plots = LabPlots()
        self.controls = Controls()  # by name: ``self.controls.hide(names)`` hides some
        self.views = views if views is not None else ViewState()  # the optional views open
        self.pins = pins if pins is not None else PinBoard()  # runs to compare with
        self.address = AddressBar(self.state, hidden, self.views, self.pins)  # follows the run
        self.notices = notice_area(list(notices))
        self.scheme = page_scripts.ColorScheme(self.plots)  # the figures follow the page
        self._callback = None
        self.state.param.watch(self._refresh, "version")
        self.state.param.watch(self._schedule, "running")
        self.pins.param.watch(self._show_pins, ["pins", "version"])
        self.plots.show_pins(self.pins.pins)
        self.plots.update(self.state, picture_work=False)  # the same start on every machine
        self._layout = self._build()
        self.controls.hide(hidden)
        page_scripts.install(pn.state.curdoc)
        if "play" in hidden:  # no Play to press: the run starts once the page is ready
            self.state.status = self.state.status.replace("Press Play.", "It trains by itself.")
        # A big network's first predictions and picture take ticks: once the page is there.
        document = pn.state.curdoc
        if document is not None:
            document.on_event("document_ready", self._schedule)
            if "play" in hidden:
                document.on_event("document_ready", lambda _: self.state.play())

    async def tick(self) -> None:
        """One periodic-callback tick: a slice of training or of the views' pending work;
        the plots follow via ``version``.

        No tick does much work, whatever the network (``LabState.tick``: ``TICK_BUDGET_S``
        of training, then slices of at most a chunk for the predictions and the picture).
        In the Pyodide worker, Panel runs periodic callbacks back to back when one overruns
        its period; yielding at the end lets the page's events (Pause!) in between ticks.
        """
        with pn.io.hold():
            version = self.state.version
            self.state.tick()
            if self.pins.busy:
                self.pins.work()  # a slice of a link's pinned run, replayed
            if self.state.version == version and self.plots.busy:
                self.plots.update(self.state)  # only the picture is left to draw
        self._schedule()
        await asyncio.sleep(0)

    def _refresh(self, *_) -> None:
        # Bokeh models may only change under the document's lock: hold() takes care of it,
        # also when the change comes from a widget callback rather than the periodic tick.
        with pn.io.hold():
            self.plots.update(self.state)
        self._schedule()

    def _show_pins(self, *_) -> None:
        with pn.io.hold():
            self.plots.show_pins(self.pins.pins)
            self.plots.update(self.state)
        self._schedule()

    def _schedule(self, *_) -> None:
        """Tick while there is work (training, slices the views wait for, replays), and only
        then."""
        if self.state.busy or self.plots.busy or self.pins.busy:
            if self._callback is None:
                self._callback = pn.state.add_periodic_callback(self.tick, period=TICK_MS)
            elif not self._callback.running:
                self._callback.start()
        elif self._callback is not None and self._callback.running:
            self._callback.stop()

    def _build(self) -> pn.viewable.Viewable:
        """The page: a header, the link's notices, then the training views and the controls.

        The views come first in the page's order (Play is one of the first tab stops, and on
        a phone the first screen); on a wide screen the controls sit to their left
        (``LAYOUT_CSS``). Every box wraps: nothing is wider than the screen.
        """
        state, plots = self.state, self.plots
        predictions = _panel(
            predictions_panel(state, plots, self.views), css_classes=["ll-predictions"]
        )
        self.pin_view = PinView(state, self.pins)  # Pin this run, the pinned runs' legend
        log_scale = pn.widgets.Toggle(label="Log scale", width=100, margin=(0, 10, 6, 10))
        costs = _panel(
            pn.pane.Bokeh(plots.cost_figure, sizing_mode="stretch_width"),
            wrap_row(html_pane(COST_LEGEND), log_scale),
            self.pin_view,
        )

        def show_log_scale(event) -> None:
            plots.show_log_scale(event.new)
            if event.new and len(costs) == 3:  # the log plot is made when first asked for
                costs.insert(1, pn.pane.Bokeh(plots.log_cost_figure, sizing_mode="stretch_width"))

        log_scale.param.watch(show_log_scale, "value")
        curves = pn.Column(
            costs,
            _panel(
                pn.pane.Bokeh(plots.accuracy_figure, sizing_mode="stretch_width"),
                html_pane(TRAIN_TEST_LEGEND),
            ),
            css_classes=["ll-curves"],
            margin=0,
        )
        main = pn.Column(
            _panel(transport(state, self.controls), readout(state)),
            _flex(predictions, curves, css_classes=["ll-views"]),
            _panel(*network_panel(state, plots, self.controls, self.views)),
            _panel(lambda_sweep(state, plots, self.views)),
            css_classes=["ll-main"],
            margin=0,
        )
        controls = _flex(
            preset_controls(state, self.controls),
            data_controls(state, self.controls),
            network_controls(state, self.controls),
            training_controls(state, self.controls),
            self.controls.card("Your data", {"upload": DataUpload(state)}),
            model_card(state, self.controls),
            css_classes=["ll-sidebar"],
        )
        share, shared = copy_link(self.state, self.address, self.pins)  # buttons, their boxes
        header = _flex(
            html_pane(HEADER, css_classes=["ll-title"]),
            self.controls.add("share", share),
            self.address.widget,
            self.scheme.widget,
            css_classes=["ll-header-row"],
        )
        return pn.Column(
            header,
            shared,
            self.notices,
            _flex(main, controls, css_classes=["ll-body"]),
            css_classes=["ll-page"],
            stylesheets=[PAGE_CSS],
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def lambda_sweep(state: LabState, plots: LabPlots, views: ViewState) -> pn.Column:
    """The "λ sweep" switch and, while it is on, the sweep's view (``ui/sweep_view.py``,
    imported the first time it is opened)."""
    switch = pn.widgets.Toggle.from_param(
        views.param.sweep, label="λ sweep: over- and under-fitting", width=260
    )
    switch.css_classes = ["ll-sweep-switch"]

    def make() -> pn.viewable.Viewable:
        from layerlab.ui.sweep_view import SweepView

        return SweepView(state, views, plots.scheme)

    return optional_view(views, "sweep", switch, make)


def _fitting_changes(parsed: ParsedQuery, notices: list[str]) -> list:
    """The link's changes that fit its network (a weight it has); a notice for the others."""
    layers = parsed.settings.get("hidden_layers", SETTINGS["hidden_layers"].default)
    dims = [2, *parse_hidden_layers(layers), 1]  # a link's data is generated: two features
    fitting = []
    for change in parsed.changes:
        try:
            fitting.append(check_change(*change, layer_dims=dims))
        except ValueError as error:
            notices.append(f"The link's change {change_text(change)} is left out: {error}.")
    return fitting


def create_app(**settings) -> LayerLab:
    """A fresh lab session; ``settings`` are ``LabState`` parameters (e.g. ``lambd=0.1``)."""
    return LayerLab(LabState(**settings))


def create_app_from_link(query: str) -> LayerLab:
    """The lab a link describes (``?dataset=circles&lambd=0.05&hide=presets``, or "").

    Never raises for a bad link: what cannot be used is left out and named in a notice.
    """
    parsed = parse_query(query)
    notices = list(parsed.notices)
    changes = _fitting_changes(parsed, notices)
    try:
        state = LabState(**parsed.settings, changes=changes)
    except (TypeError, ValueError) as error:  # each value is valid alone, but not together
        notices.append(f"The link's settings do not fit together ({error}): used the defaults.")
        state = LabState()
    if parsed.preset:
        state.param.update(status=PRESET_NOTES[parsed.preset], status_level="info")
    views = ViewState(**dict.fromkeys(parsed.views, True))
    if parsed.sweep is not None:
        views.sweep_grid = list(parsed.sweep)
    pins = PinBoard()
    notices += pins.replay(list(parsed.pins))  # their curves are recomputed over the ticks
    return LayerLab(state, hidden=parsed.hidden, notices=notices, views=views, pins=pins)
