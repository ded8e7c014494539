"""The "λ sweep" view: the grid of λ values, Run sweep / Cancel, the final train and test
cost and accuracy against λ as the points finish, a table of them and their CSV.

It reads a ``SweepRun`` (``ui/sweep_run.py``) and computes nothing. λ runs along a log
axis; λ = 0 has no place on one, so it is drawn a decade left of the smallest positive λ,
its tick labelled 0, with a dotted line marking the break.
"""

import io
import math
from html import escape

import numpy as np
import panel as pn
from bokeh.models import (
    ColumnDataSource,
    CustomJSTickFormatter,
    DataRange1d,
    FixedTicker,
    HoverTool,
    Range1d,
    Span,
)
from bokeh.plotting import figure

from layerlab.sweep import MAX_POINTS, format_grid, parse_grid
from layerlab.ui.binding import html_pane, wrap_row
from layerlab.ui.figure_style import LIGHT, Scheme, style_figure
from layerlab.ui.legends import TEST_LINE, TRAIN_LINE, TRAIN_TEST_LEGEND
from layerlab.ui.numbers import number, percent
from layerlab.ui.state import LabState
from layerlab.ui.sweep_run import SweepRun
from layerlab.ui.viewstate import ViewState

COLUMNS = ("lambd", "x", "train_cost", "test_cost", "train_accuracy", "test_accuracy")
# A tick at λ = 0's place reads "0"; the others as plain decimals (no template literals:
# ``panel convert`` rewrites them).
TICK_JS = (
    "if (Math.abs(tick - zero) <= zero * 1e-9) { return '0'; }"
    " return String(Number(tick.toPrecision(6)));"
)


def zero_place(grid: list[float]) -> float:
    """Where λ = 0 is drawn on the log axis: a decade left of the smallest positive λ."""
    positive = [value for value in grid if value > 0]
    return (min(positive) if positive else 1.0) / 10


def ticks(grid: list[float]) -> list[float]:
    """The axis ticks: λ = 0's place and the powers of ten the positive λ span."""
    zero = zero_place(grid)
    low, high = math.floor(math.log10(zero * 10)), math.ceil(math.log10(max(grid) or 1.0))
    return [zero, *(10.0**exponent for exponent in range(low, high + 1))]


class SweepPlots:
    """The cost and accuracy figures of a sweep; their source gets each point once."""

    def __init__(self, scheme: Scheme = LIGHT) -> None:
        self.source = ColumnDataSource({name: [] for name in COLUMNS}, name="sweep_source")
        self.ticker = FixedTicker(ticks=[])
        self.formatter = CustomJSTickFormatter(args={"zero": 0.1}, code=TICK_JS)
        self.breaks: list[Span] = []
        self.cost_figure = self._figure("Final cost (cross-entropy) against λ", 220, scheme)
        self.accuracy_figure = self._figure(
            "Final accuracy against λ", 170, scheme, x_range=self.cost_figure.x_range
        )
        self.accuracy_figure.y_range = Range1d(0, 1.02)
        self._points = None  # the run's list of points the source shows
        self._shown = 0  # how many of them

    def _figure(self, title: str, height: int, scheme: Scheme, **ranges):
        fig = figure(
            height=height,
            sizing_mode="stretch_width",
            x_axis_type="log",
            x_axis_label="λ (L2)",
            title=title,
            tools="",
            **{"x_range": DataRange1d(), "y_range": DataRange1d(), **ranges},
        )
        kind = "cost" if "cost" in title else "accuracy"
        lines = []
        for color, column in ((TRAIN_LINE, f"train_{kind}"), (TEST_LINE, f"test_{kind}")):
            lines.append(fig.line("x", column, source=self.source, color=color, line_width=2))
            fig.scatter("x", column, source=self.source, color=color, size=7)
        fig.xaxis.ticker, fig.xaxis.formatter = self.ticker, self.formatter
        rest = "{0.0000}" if kind == "cost" else "{0.0%}"
        fig.add_tools(
            HoverTool(
                renderers=lines[:1],
                mode="vline",
                tooltips=[
                    ("λ", "@lambd"),
                    ("train", f"@train_{kind}{rest}"),
                    ("test", f"@test_{kind}{rest}"),
                ],
            )
        )
        span = Span(location=0.3, dimension="height", line_dash="dotted")
        span.line_color = scheme.axis_line
        self.breaks.append(span)
        fig.add_layout(span)
        style_figure(fig, scheme)
        return fig

    def update(self, run: SweepRun) -> None:
        """Show ``run``'s points: a new sweep starts the figures over (call in a hold)."""
        if run.points is not self._points:
            self._points, self._shown = run.points, 0
            self.source.data = {name: [] for name in COLUMNS}
            grid = run.grid or [0.0, 1.0]
            zero = zero_place(grid)
            self.ticker.ticks = ticks(grid)
            self.formatter.args = {"zero": zero}
            for span in self.breaks:
                span.location = zero * math.sqrt(10)  # halfway to the first positive λ
        new = run.points[self._shown :]
        if new:
            zero = zero_place(run.grid)
            rows = {name: [] for name in COLUMNS}
            for point in new:
                rows["x"].append(point.lambd or zero)
                for name in COLUMNS:
                    if name != "x":
                        rows[name].append(getattr(point, name))
            arrays = {name: np.array(values, dtype=float) for name, values in rows.items()}
            self.source.stream(arrays, rollover=MAX_POINTS)  # arrays: NaN travels as NaN
            self._shown = len(run.points)


def points_table(run: SweepRun) -> str:
    """The points as an HTML table; each number cell carries its exact value (``data-v``)."""
    if not run.points:
        return ""

    def cell(key: str, value: float, write) -> str:
        shown = "–" if math.isnan(value) else write(value)  # no test examples, or diverged
        return f'<td class="ll-sweep-{key}" data-v="{value!r}">{shown}</td>'

    rows = "".join(
        "<tr>"
        + cell("lambd", point.lambd, "{:g}".format)
        + cell("train-cost", point.train_cost, number)
        + cell("test-cost", point.test_cost, number)
        + cell("train-accuracy", point.train_accuracy, percent)
        + cell("test-accuracy", point.test_accuracy, percent)
        + "</tr>"
        for point in run.points
    )
    return (
        '<div class="ll-table-scroll" tabindex="0" role="region" aria-label="Sweep points">'
        '<table class="ll-shapes ll-sweep-table"><thead><tr><th>λ</th><th>train cost</th>'
        "<th>test cost</th><th>train acc.</th><th>test acc.</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


class SweepView(pn.viewable.Viewer):
    """The grid box, Run sweep, Cancel, Download CSV, the status, the figures, the table."""

    def __init__(self, state: LabState, views: ViewState, scheme: Scheme = LIGHT) -> None:
        super().__init__()
        self._state, self._views = state, views
        self.run = SweepRun(state, views)
        self.plots = SweepPlots(scheme)
        self.intro = html_pane(css_classes=["ll-sweep-intro"])
        self.grid = pn.widgets.TextInput(
            label="λ values (commas between)",
            value=format_grid(views.sweep_grid),
            sizing_mode="stretch_width",
            min_width=200,
            css_classes=["ll-sweep-grid"],
        )
        self.message = html_pane(css_classes=["ll-sweep-msg"])
        self.start = pn.widgets.Button(
            label="Run sweep", color="primary", width=110, align="end", css_classes=["ll-sweep-run"]
        )
        self.cancel = pn.widgets.Button(
            label="Cancel", width=90, align="end", css_classes=["ll-sweep-cancel"]
        )
        self.download = pn.widgets.FileDownload(
            callback=lambda: io.BytesIO(self.run.csv().encode("utf-8")),
            filename="lambda_sweep.csv",
            label="Download CSV",
            width=140,
            align="end",
            css_classes=["ll-sweep-csv"],
        )
        self.progress = pn.indicators.Progress(
            value=0, max=100, bar_color="primary", width=160, height=12, align="center"
        )
        self.status = html_pane(css_classes=["ll-sweep-status", "ll-live"])
        self.table = html_pane(css_classes=["ll-sweep-table-pane"])
        self.grid.param.watch(lambda event: self.set_grid(event.new), "value")
        self.start.on_click(lambda _: self.start_sweep())
        self.cancel.on_click(lambda _: self.run.cancel())
        self.run.param.watch(self._show, ["version", "status"])
        state.param.watch(self._show_intro, "iterations")
        self._layout = pn.Column(
            self.intro,
            wrap_row(self.grid, self.start, self.cancel, self.download),
            self.message,
            wrap_row(self.progress, self.status),
            pn.pane.Bokeh(self.plots.cost_figure, sizing_mode="stretch_width"),
            pn.pane.Bokeh(self.plots.accuracy_figure, sizing_mode="stretch_width"),
            html_pane(TRAIN_TEST_LEGEND),
            self.table,
            sizing_mode="stretch_width",
            css_classes=["ll-sweep"],
            margin=0,
        )
        self._show_intro()
        self._show()

    def __panel__(self) -> pn.Column:
        return self._layout

    def set_grid(self, text: str) -> bool:
        """Use the grid written in ``text`` (the link follows); say what is wrong if it is
        bad (the grid stays as it was). True when it was used."""
        try:
            grid = parse_grid(text)
        except ValueError as error:
            message = f"{error}; kept {format_grid(self._views.sweep_grid)}."
            self.message.object = f'<div class="ll-msg-text" role="alert">{escape(message)}</div>'
            return False
        self.message.object = ""
        self._views.sweep_grid = grid
        return True

    def start_sweep(self) -> None:
        """Run sweep: the grid in the box (if it reads), with the current settings."""
        if self.set_grid(self.grid.value):
            self.run.start()

    def _show_intro(self, *_) -> None:
        self.intro.object = (
            '<div class="ll-arch"><b>λ sweep</b> — the network trained once per λ, each from '
            f"the same initial weights (the weight seed) for {self._state.iterations} "
            "iterations (the Iterations setting), and where each ends: cross-entropy "
            "(without the penalty) and accuracy on the training and the test examples. A "
            "small λ can fit the training set and lose on the test set (overfitting); a "
            "large one fits neither (underfitting).</div>"
        )

    def _show(self, *_) -> None:
        run = self.run
        with pn.io.hold():
            self.plots.update(run)
        self.progress.value = round(100 * run.progress) if run.running or run.points else 0
        self.cancel.disabled = not run.running
        self.download.disabled = not run.points
        self.status.object = f'<div class="ll-status {run.status_level}">{escape(run.status)}</div>'
        self.table.object = points_table(run)
