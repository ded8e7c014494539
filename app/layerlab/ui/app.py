"""The whole page: controls on the left, training and its pictures on the right.

``LayerLab`` owns one session's ``LabState`` and ``LabPlots`` and the periodic callback that
trains in slices while Play is on (no threads, no blocking loop: the page stays responsive
in the browser's Pyodide worker too). It also ticks while a Step's big iteration or the
views' slices of work (predictions, the boundary image) are under way, and only then.

``create_app_from_link`` is the entry point of the served page: the link's query sets the
starting settings, hides controls and leaves notices; the address bar then follows the
settings.
"""

import asyncio
from collections.abc import Iterable

import panel as pn

from layerlab.ui.binding import Controls, html_pane
from layerlab.ui.controls import (
    data_controls,
    network_controls,
    preset_controls,
    training_controls,
)
from layerlab.ui.model_io import model_card
from layerlab.ui.plots import ACCURACY_LEGEND, COST_LEGEND, LabPlots
from layerlab.ui.predictions import predictions_panel
from layerlab.ui.presets import PRESET_NOTES
from layerlab.ui.share import AddressBar, copy_link, notice_area
from layerlab.ui.state import LabState
from layerlab.ui.theme import PAGE_CSS
from layerlab.ui.upload import DataUpload
from layerlab.ui.urlstate import parse_query
from layerlab.ui.views import gradient_check_panel, readout, shapes_table, transport

TICK_MS = 50  # one training slice and one plot refresh per tick: up to 20 updates/s

HEADER = (
    '<div class="ll-header"><h1>Layer Lab</h1>'
    "<p>An L-layer neural network for binary classification, trained with pure NumPy "
    "right here in your browser. Change the layers and λ, press Play, and watch it learn.</p>"
    "</div>"
)


def _panel(*objects, **params) -> pn.Column:
    """A white rounded box."""
    params.setdefault("sizing_mode", "stretch_width")
    return pn.Column(
        *objects, css_classes=["ll-panel"], stylesheets=[PAGE_CSS], margin=(0, 0, 12, 0), **params
    )


class LayerLab(pn.viewable.Viewer):
    """One session of the lab."""

    def __init__(
        self,
        state: LabState | None = None,
        *,
        hidden: Iterable[str] = (),
        notices: Iterable[str] = (),
        **params,
    ) -> None:
        super().__init__(**params)
        hidden = set(hidden)  # controls a link hides (``urlstate.CONTROLS`` names)
        self.state = state if state is not None else LabState()
        self.plots = LabPlots()
        self.controls = Controls()  # by name: ``self.controls.hide(names)`` hides some
        self.address = AddressBar(self.state, hidden)  # the address bar follows the settings
        self.notices = notice_area(list(notices))
        self._callback = None
        self.state.param.watch(self._refresh, "version")
        self.state.param.watch(self._schedule, "running")
        self.plots.update(self.state)
        self._layout = self._build()
        self.controls.hide(hidden)
        # A big network's first predictions and picture take ticks: once the page is there.
        document = pn.state.curdoc
        if document is not None:
            document.on_event("document_ready", self._schedule)

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

    def _schedule(self, *_) -> None:
        """Tick while there is work (training, or slices the views wait for), and only then."""
        if self.state.busy or self.plots.busy:
            if self._callback is None:
                self._callback = pn.state.add_periodic_callback(self.tick, period=TICK_MS)
            elif not self._callback.running:
                self._callback.start()
        elif self._callback is not None and self._callback.running:
            self._callback.stop()

    def _build(self) -> pn.viewable.Viewable:
        state, plots = self.state, self.plots
        predictions = _panel(predictions_panel(state, plots), width=462, sizing_mode=None)
        log_scale = pn.widgets.Checkbox(label="log scale", value=False, margin=(0, 10, 6, 10))
        costs = _panel(
            pn.pane.Bokeh(plots.cost_figure, sizing_mode="stretch_width"),
            pn.Row(html_pane(COST_LEGEND), log_scale, sizing_mode="stretch_width"),
        )

        def show_log_scale(event) -> None:
            plots.show_log_scale(event.new)
            if event.new and len(costs) == 2:  # the log plot is made when first asked for
                costs.insert(1, pn.pane.Bokeh(plots.log_cost_figure, sizing_mode="stretch_width"))

        log_scale.param.watch(show_log_scale, "value")
        curves = pn.Column(
            costs,
            _panel(
                pn.pane.Bokeh(plots.accuracy_figure, sizing_mode="stretch_width"),
                html_pane(ACCURACY_LEGEND),
            ),
            sizing_mode="stretch_width",
            margin=(0, 0, 0, 12),
        )
        sidebar = pn.Column(
            preset_controls(state, self.controls),
            data_controls(state, self.controls),
            network_controls(state, self.controls),
            training_controls(state, self.controls),
            self.controls.card("Your data", {"upload": DataUpload(state)}),
            model_card(state, self.controls),
            width=340,
            sizing_mode=None,
            margin=(0, 16, 0, 0),
        )
        main = pn.Column(
            _panel(transport(state, self.controls), readout(state)),
            pn.Row(predictions, curves, sizing_mode="stretch_width"),
            _panel(
                html_pane(
                    '<div class="ll-arch"><b>The network, layer by layer</b> — edges are '
                    "weights (blue positive, orange negative, thicker is larger). The table is "
                    "the article's debugging advice made visible: check the shapes, and watch "
                    "‖dW‖ for vanishing or exploding gradients.</div>"
                ),
                pn.pane.Bokeh(plots.diagram.figure, sizing_mode="stretch_width"),
                shapes_table(state),
                gradient_check_panel(state, self.controls),
            ),
            sizing_mode="stretch_width",
        )
        header = pn.Row(
            html_pane(HEADER),
            self.controls.add("share", copy_link(self.state)),
            self.address.widget,
            sizing_mode="stretch_width",
            margin=(16, 24, 8, 24),
        )
        return pn.Column(
            header,
            self.notices,
            pn.Row(sidebar, main, sizing_mode="stretch_width", margin=(0, 24, 24, 24)),
            css_classes=["ll-page"],
            stylesheets=[PAGE_CSS],
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return self._layout


def create_app(**settings) -> LayerLab:
    """A fresh lab session; ``settings`` are ``LabState`` parameters (e.g. ``lambd=0.1``)."""
    return LayerLab(LabState(**settings))


def create_app_from_link(query: str) -> LayerLab:
    """The lab a link describes (``?dataset=circles&lambd=0.05&hide=presets``, or "").

    Never raises for a bad link: what cannot be used is left out and named in a notice.
    """
    parsed = parse_query(query)
    notices = list(parsed.notices)
    try:
        state = LabState(**parsed.settings, changes=parsed.changes)
    except (TypeError, ValueError) as error:  # each value is valid alone, but not together
        notices.append(f"The link's settings do not fit together ({error}): used the defaults.")
        state = LabState()
    if parsed.preset:
        state.param.update(status=PRESET_NOTES[parsed.preset], status_level="info")
    return LayerLab(state, hidden=parsed.hidden, notices=notices)
