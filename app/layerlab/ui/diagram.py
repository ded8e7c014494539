"""The network drawn as nodes and weighted edges, redrawn in place while it trains.

Layer l sits at x = l; its units are spread over y in [-1, 1]. Each edge is one weight
``W[l][j, i]``: blue if positive, orange if negative, thicker the larger ``|w|`` relative to
the largest weight in the network. Wide layers show their first ``MAX_DRAWN_UNITS`` units.
"""

import numpy as np
from bokeh.core.properties import value
from bokeh.models import ColumnDataSource, LabelSet, Range1d
from bokeh.plotting import figure

from layerlab.ui.figure_style import LIGHT, Scheme
from layerlab.ui.state import LabState

MAX_DRAWN_UNITS = 10
POSITIVE, NEGATIVE = "#2a78b5", "#e8833a"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _unit_positions(units: int) -> np.ndarray:
    """y of the drawn units of a layer with ``units`` units, top to bottom."""
    drawn = min(units, MAX_DRAWN_UNITS)
    return np.linspace(0.8, -0.8, drawn) if drawn > 1 else np.zeros(1)


class NetworkDiagram:
    """A Bokeh figure of the current network's architecture and weights."""

    def __init__(self) -> None:
        self.edge_source = ColumnDataSource(
            {"x0": [], "y0": [], "x1": [], "y1": [], "color": [], "width": [], "alpha": []},
            name="diagram_edges",
        )
        self.node_source = ColumnDataSource({"x": [], "y": [], "color": []}, name="diagram_nodes")
        self.label_source = ColumnDataSource({"x": [], "y": [], "text": []})
        self.scheme = LIGHT
        self.figure = self._figure()
        self._edges: list[tuple[int, np.ndarray, np.ndarray]] = []  # (layer, rows j, cols i)

    def _figure(self):
        fig = figure(
            height=200,
            sizing_mode="stretch_width",
            x_range=Range1d(-0.4, 1.4),
            y_range=Range1d(-1.25, 1.0),
            toolbar_location=None,
            tools="",
        )
        fig.segment(
            "x0",
            "y0",
            "x1",
            "y1",
            source=self.edge_source,
            line_color="color",
            line_width="width",
            line_alpha="alpha",
        )
        self._nodes = fig.scatter(
            "x",
            "y",
            source=self.node_source,
            size=13,
            fill_color="color",
            line_color=self.scheme.test_outline,
            line_width=1,
        )
        self._labels = labels = LabelSet(
            x="x",
            y="y",
            text="text",
            source=self.label_source,
            text_align="center",
            text_font=value(FONT),
            text_font_size="11px",
            text_color=self.scheme.axis_text,
        )
        fig.add_layout(labels)
        fig.axis.visible = False
        fig.grid.visible = False
        fig.outline_line_color = None
        return fig

    def use_scheme(self, scheme: Scheme) -> None:
        """Restyle for a light or dark page (the nodes' colors follow at the next rebuild)."""
        self.scheme = scheme
        self.figure.background_fill_color = self.figure.border_fill_color = scheme.background
        self._nodes.glyph.line_color = scheme.test_outline
        self._labels.text_color = scheme.axis_text
        data = self.node_source.data
        if data["x"]:
            data["color"] = [scheme.input_node if x == 0 else scheme.node for x in data["x"]]
            self.node_source.data = dict(data)

    def rebuild(self, state: LabState) -> None:
        """New architecture: lay the nodes out and remember which weights the edges show."""
        dims = state.session.layer_dims
        xs, ys, colors, label_x, label_y, texts = [], [], [], [], [], []
        for l, units in enumerate(dims):
            positions = _unit_positions(units)
            xs += [l] * len(positions)
            ys += list(positions)
            node = self.scheme.input_node if l == 0 else self.scheme.node
            colors += [node] * len(positions)
            label_x.append(l)
            label_y.append(-1.2)
            kind = "input" if l == 0 else ("sigmoid" if l == len(dims) - 1 else "relu")
            shown = "" if units <= MAX_DRAWN_UNITS else f" (first {MAX_DRAWN_UNITS})"
            texts.append(f"{units} {kind}{shown}")
        self.node_source.data = {"x": xs, "y": ys, "color": colors}
        self.label_source.data = {"x": label_x, "y": label_y, "text": texts}
        self.figure.x_range.update(start=-0.4, end=len(dims) - 0.6)
        x0, y0, x1, y1 = [], [], [], []
        self._edges = []
        for l in range(1, len(dims)):
            below, above = _unit_positions(dims[l - 1]), _unit_positions(dims[l])
            rows, cols = np.meshgrid(np.arange(len(above)), np.arange(len(below)), indexing="ij")
            self._edges.append((l, rows.ravel(), cols.ravel()))
            x0 += [l - 1] * rows.size
            x1 += [l] * rows.size
            y0 += list(below[cols.ravel()])
            y1 += list(above[rows.ravel()])
        self.edge_source.data = {
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            **self._styles(state),
        }

    def update(self, state: LabState) -> None:
        """Same architecture, new weights: restyle the edges."""
        self.edge_source.data.update(self._styles(state))

    def _styles(self, state: LabState) -> dict[str, np.ndarray]:
        params = state.session.weights()
        weights = np.concatenate(
            [params[f"W{l}"][rows, cols] for l, rows, cols in self._edges] or [np.zeros(0)]
        )
        scale = max(float(np.abs(weights).max(initial=0.0)), 1e-12)
        strength = np.abs(weights) / scale  # in [0, 1]
        return {
            "color": np.where(weights >= 0, POSITIVE, NEGATIVE),
            "width": 0.4 + 3.6 * strength,
            "alpha": 0.25 + 0.75 * strength,
        }
