"""Bokeh figures of the lab: created once per session, then updated in place.

Costs and accuracies are streamed (``ColumnDataSource.stream`` with a rollover); the
decision-boundary image and the misclassified marks are replaced each refresh. Sources
carry stable ``name``s (``cost_source``, ``boundary_source``, ...) so a browser test can
find them in ``window.Bokeh.documents``.

The boundary image of a big network is computed a slice at a time over several updates
(``MAP_SLICE_S`` each, on a copy of the weights), so that no update takes long; ``busy``
says one is under way.
"""

import time

import numpy as np
from bokeh.models import (
    ColumnDataSource,
    DataRange1d,
    HoverTool,
    LinearColorMapper,
    Range1d,
)
from bokeh.plotting import figure

from layerlab.ui.diagram import NetworkDiagram
from layerlab.ui.evaluation import EvaluationPlots
from layerlab.ui.figure_style import (
    CLASS_COLORS,
    LIGHT,
    SCHEMES,
    Scheme,
    probability_palette,
    style_figure,
)
from layerlab.ui.legends import L2_LINE, TEST_LINE, TRAIN_LINE
from layerlab.ui.pending import Pending
from layerlab.ui.pin_lines import draw_pin_lines, pin_sources, show_pins
from layerlab.ui.state import LabState

_EMPTY_POINTS = {"x": [], "y": [], "color": []}
COST_ROLLOVER = 20_000  # points kept per cost line
ACCURACY_ROLLOVER = 5_000
BOUNDARY_MAC_BUDGET = 2e7  # multiply-adds per boundary refresh, sets the grid resolution
BOUNDARY_MAX_SHARE = 0.15  # at most this share of wall time on boundary refreshes
MAP_SLICE_S = 0.01  # time per update on a boundary image under way (at least one chunk)


def boundary_resolution(n_params: int) -> int:
    """Grid side for the boundary image: fine for small networks, coarser for huge ones."""
    return int(np.clip(np.sqrt(BOUNDARY_MAC_BUDGET / max(n_params, 1)), 32, 120))


class LabPlots:
    """The cost, accuracy, predictions and network figures of one session, and their sources."""

    def __init__(self, show_test: bool = True) -> None:
        self.scheme: Scheme = LIGHT  # figures made later (on first use) follow it
        self._discrete = False  # the decision map as two classes
        self.cost_source = ColumnDataSource(
            {"iteration": [], "train_cost": [], "test_cost": [], "l2_cost": []},
            name="cost_source",
        )
        self.accuracy_source = ColumnDataSource(
            {"iteration": [], "train_accuracy": [], "test_accuracy": []},
            name="accuracy_source",
        )
        self.boundary_source = ColumnDataSource(
            {"image": [], "x": [], "y": [], "dw": [], "dh": []}, name="boundary_source"
        )
        self.train_source = ColumnDataSource({"x": [], "y": [], "color": []}, name="train_points")
        self.test_source = ColumnDataSource({"x": [], "y": [], "color": []}, name="test_points")
        self.train_mistakes = ColumnDataSource({"x": [], "y": []}, name="train_mistakes")
        self.test_mistakes = ColumnDataSource({"x": [], "y": []}, name="test_mistakes")
        self.pin_sources = pin_sources()  # the pinned runs' costs (``show_pins``)
        self._pin_extent = (0, 0.0)  # the longest pin's iterations, its highest early cost
        self._pin_lines = False  # whether the figures have them (drawn at the first pin)
        self.l2_renderers = []
        self.cost_figure = self._cost_figure(log=False)
        self._log_cost_figure = None  # same curves on a log axis: made when first shown
        self.accuracy_figure = self._accuracy_figure()
        self.boundary_figure = self._boundary_figure(show_test)
        self.diagram = NetworkDiagram()
        self.evaluation = EvaluationPlots()  # the predictions view without two features
        self._generation = -1
        self._streamed = 0  # history entries already in cost_source
        self._accuracy_streamed = 0
        self._boundary_due = 0.0  # perf_counter time of the next boundary refresh
        self._boundary_key = None  # (generation, iteration) the image shows
        self._map: Pending | None = None  # the next image, under way
        self._map_key = None  # (generation, iteration) it will show

    # -- figures ---------------------------------------------------------------------------
    @property
    def log_cost_figure(self):
        """The cost curves on a log y axis, created (hidden) on first use."""
        if self._log_cost_figure is None:
            fig = self._cost_figure(log=True)
            self.l2_renderers[-1].visible = self.l2_renderers[0].visible  # in step with linear
            if self._pin_lines:
                draw_pin_lines(fig, self.pin_sources)
            fig.visible = False
            self._log_cost_figure = fig
        return self._log_cost_figure

    def _cost_figure(self, log: bool):
        """The cost curves on a linear y axis (its range set by ``_fit_ranges``) or a log one."""
        fig = figure(
            height=250,
            sizing_mode="stretch_width",
            x_range=self.cost_figure.x_range if log else Range1d(0, 1),
            y_range=DataRange1d() if log else Range1d(0, 1),
            y_axis_type="log" if log else "linear",
            title="Cost J per iteration" + (" (log scale)" if log else ""),
            x_axis_label="iteration",
            tools="",  # hover only (added below): the ranges follow training
        )
        source = self.cost_source
        train = fig.line("iteration", "train_cost", source=source, color=TRAIN_LINE, line_width=2)
        fig.line("iteration", "test_cost", source=source, color=TEST_LINE, line_width=2)
        l2 = fig.line(
            "iteration", "l2_cost", source=source, color=L2_LINE, line_width=2, line_dash="dashed"
        )
        self.l2_renderers.append(l2)
        fig.add_tools(
            HoverTool(
                renderers=[train],
                mode="vline",
                tooltips=[
                    ("iteration", "@iteration"),
                    ("train J", "@train_cost{0.0000}"),
                    ("test", "@test_cost{0.0000}"),
                    ("L2 + L1 part", "@l2_cost{0.0000}"),
                ],
            )
        )
        style_figure(fig, self.scheme)
        return fig

    def _accuracy_figure(self):
        fig = figure(
            height=170,
            sizing_mode="stretch_width",
            x_range=self.cost_figure.x_range,
            y_range=Range1d(0, 1.02),
            title="Accuracy",
            x_axis_label="iteration",
            tools="",
        )
        source = self.accuracy_source
        fig.line("iteration", "train_accuracy", source=source, color=TRAIN_LINE, line_width=2)
        fig.line("iteration", "test_accuracy", source=source, color=TEST_LINE, line_width=2)
        fig.yaxis.formatter.use_scientific = False
        style_figure(fig, self.scheme)
        return fig

    def _boundary_figure(self, show_test: bool):
        fig = figure(
            height=430,
            width=430,
            sizing_mode="scale_width",  # square, as wide as its box (at most 460 px)
            max_width=460,
            match_aspect=False,
            title="Predictions: P(y = 1) and the data",
            x_axis_label="x₁",
            y_axis_label="x₂",
            x_range=Range1d(0, 1, name="map_x_range"),  # the data's extent, set per dataset
            y_range=Range1d(0, 1, name="map_y_range"),
            # Drag to look around, a box to zoom, and back to the data's extent (clicks add
            # points: a Tap event, no tool).
            tools="pan,box_zoom,reset",
        )
        self._mapper = LinearColorMapper(
            palette=probability_palette(), low=0.0, high=1.0, name="map_colors"
        )
        fig.image(
            "image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=self.boundary_source,
            color_mapper=self._mapper,
        )
        self._train_renderer = fig.scatter(
            "x", "y", source=self.train_source, size=7, fill_color="color", line_color="white"
        )
        self.test_renderer = fig.scatter(
            "x",
            "y",
            source=self.test_source,
            marker="triangle",
            size=9,
            fill_color="color",
            line_color=LIGHT.test_outline,
            line_width=1.2,
        )
        mistake_style = {
            "marker": "circle",
            "size": 14,
            "fill_color": None,
            "line_color": LIGHT.mistake,
            "line_width": 1.8,
        }
        self._train_mistake_renderer = fig.scatter(
            "x", "y", source=self.train_mistakes, **mistake_style
        )
        self.test_mistake_renderer = fig.scatter(
            "x", "y", source=self.test_mistakes, **mistake_style
        )
        style_figure(fig, self.scheme)
        fig.toolbar_location = "right"  # the reset tool must be reachable
        fig.toolbar.autohide = True
        self.show_test(show_test)
        return fig

    @property
    def busy(self) -> bool:
        """Whether a boundary image is under way (``update`` works on it a slice at a time)."""
        return self._map is not None

    # -- updates ---------------------------------------------------------------------------
    def show_discrete(self, discrete: bool) -> None:
        """Draw the decision map as two classes (P > 0.5 or not) or as probabilities."""
        self._discrete = discrete
        self._mapper.palette = self._map_palette()

    def _map_palette(self) -> list[str]:
        if not self._discrete:
            return probability_palette(scheme=self.scheme)
        class0, class1 = probability_palette(2, self.scheme)
        return [class0] * 128 + [class1] * 128  # the colors of P = 0 and P = 1

    def use_scheme(self, name: str) -> None:
        """Restyle every figure for the ``"light"`` or ``"dark"`` color scheme."""
        scheme = SCHEMES.get(name, LIGHT)
        self.scheme = scheme
        figures = [self.cost_figure, self.accuracy_figure, self.boundary_figure]
        figures += [self._log_cost_figure] if self._log_cost_figure is not None else []
        for fig in figures:
            style_figure(fig, scheme)
        self.boundary_figure.toolbar_location = "right"
        self._mapper.palette = self._map_palette()
        self._train_renderer.glyph.line_color = scheme.point_outline
        self.test_renderer.glyph.line_color = scheme.test_outline
        for renderer in (self._train_mistake_renderer, self.test_mistake_renderer):
            renderer.glyph.line_color = scheme.mistake
        self.diagram.use_scheme(scheme)
        self.evaluation.use_scheme(scheme)

    def show_log_scale(self, log: bool) -> None:
        """Show the cost curves on a log y axis (or back on the linear one)."""
        self.cost_figure.visible = not log
        if log or self._log_cost_figure is not None:
            self.log_cost_figure.visible = log

    def show_pins(self, pins: list) -> None:
        """Draw the pinned runs' curves (``PinBoard.pins``) over which this run trains (their
        lines are made at the first pin: a page without pins does not build them)."""
        if pins and not self._pin_lines:
            figures = [self.cost_figure, self._log_cost_figure]
            for fig in filter(None, figures):
                draw_pin_lines(fig, self.pin_sources)
            self._pin_lines = True
        self._pin_extent = show_pins(self.pin_sources, pins)

    def show_test(self, visible: bool) -> None:
        """Show or hide the test points and their mistake marks."""
        self.test_renderer.visible = visible
        self.test_mistake_renderer.visible = visible

    def update(self, state: LabState, *, picture_work: bool = True) -> None:
        """Bring every figure up to date with ``state`` (call inside ``pn.io.hold()``).

        The picture (probability image, the diagram's units) is computed a slice of
        ``MAP_SLICE_S`` at a time, so how much of it one call draws depends on the machine.
        ``picture_work=False`` only starts it (``busy``): the app's start does that, so the
        document it builds is the same on every machine (the page's preview is that
        document, built ahead of time) and the picture follows in the first ticks.
        """
        if state.generation != self._generation:
            self._restart(state)
        self._stream_costs(state)
        self._stream_accuracy(state)
        session = state.session
        l2_visible = state.lambd > 0 or state.lambd_l1 > 0 or bool(session.latest()["l2_cost"])
        for renderer in self.l2_renderers:
            renderer.visible = l2_visible
        self._fit_ranges(state)
        key = (state.generation, session.iteration)
        if (
            self._map is None
            and key != self._boundary_key
            and (time.perf_counter() >= self._boundary_due or not state.running)
        ):
            self._start_snapshot(state, key)
        deadline = time.perf_counter() + MAP_SLICE_S
        if picture_work and self._map is not None and self._map.run(deadline):
            self._draw_snapshot(state, *self._map.result)
            self._boundary_key = self._map_key
            # The next one when this one's time is BOUNDARY_MAX_SHARE of the time since.
            seconds = self._map.seconds
            self._boundary_due = time.perf_counter() + seconds / BOUNDARY_MAX_SHARE - seconds
            self._map = None

    def _restart(self, state: LabState) -> None:
        """New data or network: empty the streams, redraw the points."""
        self._streamed = self._accuracy_streamed = 0
        self.cost_source.data = {key: [] for key in self.cost_source.data}
        self.accuracy_source.data = {key: [] for key in self.accuracy_source.data}
        data = state.session.data
        planar = data.n_features == 2
        for source, X, Y in (
            (self.train_source, data.raw_train, data.Y_train),
            (self.test_source, data.raw_test, data.Y_test),
        ):
            colors = np.asarray(CLASS_COLORS)[Y[0].astype(int)] if planar else []
            source.data = {"x": X[0], "y": X[1], "color": colors} if planar else _EMPTY_POINTS
        x0, x1, y0, y1 = data.extent  # the reset tool returns here too
        self.boundary_figure.x_range.update(start=x0, end=x1, reset_start=x0, reset_end=x1)
        self.boundary_figure.y_range.update(start=y0, end=y1, reset_start=y0, reset_end=y1)
        self.diagram.rebuild(state.session)
        self._boundary_key = self._map = None
        self._generation = state.generation  # last: a failed restart is retried next time

    def _stream_costs(self, state: LabState) -> None:
        new = state.session.cost_history(self._streamed)
        if not new["iteration"]:
            return
        self.cost_source.stream(new, rollover=COST_ROLLOVER)
        self._streamed += len(new["iteration"])

    def _stream_accuracy(self, state: LabState) -> None:
        new = state.session.accuracy_history(self._accuracy_streamed)
        if not new["iteration"]:
            return
        self.accuracy_source.stream(new, rollover=ACCURACY_ROLLOVER)
        self._accuracy_streamed += len(new["iteration"])

    def _fit_ranges(self, state: LabState) -> None:
        """x spans the whole budget (progress shows as the curve filling it); y spans the costs."""
        end = max(state.iterations, state.session.iteration, self._pin_extent[0], 1)
        if self.cost_figure.x_range.end != end:
            self.cost_figure.x_range.end = end
        session = state.session
        first = session.cost_history(0, 50)
        recent = session.cost_history(max(session.iteration - 200, 0))
        top = max([*first["train_cost"][:50], *recent["test_cost"], self._pin_extent[1], 0.1])
        top = 1.05 * min(top, 10.0)
        if abs(self.cost_figure.y_range.end - top) > 0.02 * top:
            self.cost_figure.y_range.end = top

    def _start_snapshot(self, state: LabState, key: tuple[int, int]) -> None:
        """Begin the pictures of the weights as they are now: the probability image (none
        without two features: the evaluation plots take its place) and the diagram's units."""
        self._map, self._map_key = Pending(self._snapshot_steps(state.session)), key

    def _snapshot_steps(self, session):
        """A generator of the snapshot's work, a chunk at a time; returns the image
        ``(res, res)`` (or None) and the diagram's unit maps (or None)."""
        image = unit_maps = None
        if session.data.n_features == 2:
            image = yield from session.probabilities_steps(boundary_resolution(session.n_params))
            yield  # between the image and the units
            unit_maps = yield from self.diagram.unit_maps_steps(session)
        return image, unit_maps

    def _draw_snapshot(self, state: LabState, image, unit_maps) -> None:
        """Probability image ``(res, res)``, misclassified marks (of the latest evaluated
        weights), network weights and units.

        Data with other than two features has no plane to color: the histogram and the
        confusion matrix of ``evaluation`` take the image's place.
        """
        session = state.session
        if image is None:
            self.evaluation.update(state)
            self.diagram.update(session)
            self.diagram.update_units(session, unit_maps)
            return
        x0, x1, y0, y1 = session.data.extent
        self.boundary_source.data = {
            "image": [image.astype(np.float32)],
            "x": [x0],
            "y": [y0],
            "dw": [x1 - x0],
            "dh": [y1 - y0],
        }
        wrong_train, wrong_test = session.mistakes()
        for source, X, wrong in (
            (self.train_mistakes, session.data.raw_train, wrong_train),
            (self.test_mistakes, session.data.raw_test, wrong_test),
        ):
            if len(source.data["x"]) != wrong.sum() or not np.array_equal(
                source.data["x"], X[0, wrong]
            ):  # unchanged marks are not sent again
                source.data = {"x": X[0, wrong], "y": X[1, wrong]}
        self.diagram.update(session)
        self.diagram.update_units(session, unit_maps)
