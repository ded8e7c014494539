"""The network drawn unit by unit: what each unit computes over the input plane, and its weights.

Layer l sits at x = l; its drawn units stack from the top, one slot (y = -slot) each. The
inputs are labelled with what they are (``x1``, ``x1²``, ... or a CSV's column names). Every
hidden unit and the output unit is a small heatmap of its activation A over the same plane as
the decision map (coarser), scaled by the unit's largest |A|: blue where it is active (for
the output: P(y = 1), orange below 1/2). Each edge is one weight ``W[l][j, i]``: blue if
positive, orange if negative, thicker the larger ``|w|`` relative to the largest drawn
weight. Hovering a unit shows it larger with its bias and whether it is dead; hovering an
edge shows its value; tapping an edge selects it for editing (``selected_weight``).

Networks with more than ``MAX_DRAWN_HIDDEN`` hidden units show the first units of each
layer and say how many are not drawn. The figure keeps its aspect as it scales, so the
heatmaps stay square on any screen.
"""

import numpy as np
from bokeh.core.properties import value
from bokeh.models import (
    CDSView,
    ColumnDataSource,
    CustomJS,
    Div,
    HoverTool,
    IndexFilter,
    LabelSet,
    LinearColorMapper,
    Range1d,
    TapTool,
)
from bokeh.plotting import figure

from layerlab.ui.figure_style import FONT, LIGHT, Scheme, probability_palette

MAX_DRAWN_HIDDEN = 64  # hidden units drawn in all; beyond, the first of each layer
MIN_DRAWN_PER_LAYER = 4
LAYER_PX, SLOT_PX, CELL_PX = 120, 30, 24  # the figure's design: square cells at any scale
CELL_W, CELL_H = CELL_PX / LAYER_PX, CELL_PX / SLOT_PX  # a cell in data units
POSITIVE, NEGATIVE = "#2a78b5", "#e8833a"
MAP_RESOLUTION = 20  # pixels per side of a unit's heatmap
EDGE_COLUMNS = ("x0", "y0", "x1", "y1", "color", "width", "alpha", "layer", "row", "column")
EDGE_COLUMNS += ("weight",)
HOVER_HINT = "Hover a unit to see it larger."

# Shows the hovered unit larger, with its numbers (runs in the page: no round trip). The
# larger picture draws the same source, filtered to the hovered unit, and zooms onto its cell.
SHOW_UNIT_JS = """
const index = cb_data.index.indices[0];
if (index === undefined) return;
const units = cb_data.renderer.data_source.data;
shown.indices = [index];
x_range.setv({start: units.x[index], end: units.x[index] + units.dw[index]});
y_range.setv({start: units.y[index], end: units.y[index] + units.dh[index]});
text.text = units.about[index];
"""


def drawn_units(layer_dims: list[int]) -> list[int]:
    """How many units of each layer the diagram draws (inputs and output: all)."""
    hidden = layer_dims[1:-1]
    if sum(hidden) <= MAX_DRAWN_HIDDEN:
        return list(layer_dims)
    per_layer = max(MIN_DRAWN_PER_LAYER, MAX_DRAWN_HIDDEN // max(len(hidden), 1))
    return [layer_dims[0], *(min(n, per_layer) for n in hidden), layer_dims[-1]]


class NetworkDiagram:
    """The Bokeh figures of the network: the diagram, and the hovered unit shown larger."""

    def __init__(self) -> None:
        self.scheme: Scheme = LIGHT
        self.edge_source = ColumnDataSource(
            {key: [] for key in EDGE_COLUMNS},
            name="diagram_edges",
        )
        self.unit_source = ColumnDataSource(
            {key: [] for key in ("image", "x", "y", "dw", "dh", "cx", "cy", "about")},
            name="diagram_units",
        )
        self.input_source = ColumnDataSource({"x": [], "y": [], "name": []}, name="diagram_inputs")
        self.label_source = ColumnDataSource({"x": [], "y": [], "text": []}, name="diagram_labels")
        self.detail_text = Div(text=HOVER_HINT, css_classes=["ll-unit-about"])
        self._mapper = LinearColorMapper(palette=probability_palette(), low=-1.0, high=1.0)
        self._shown_unit = IndexFilter(indices=[])
        self.detail_figure = self._detail_figure()
        self.figure = self._figure()
        self._edges: list[tuple[int, np.ndarray, np.ndarray]] = []  # (layer, rows j, cols i)
        self._drawn: list[int] = []

    # -- figures ------------------------------------------------------------------------------
    def _figure(self):
        fig = figure(
            height=200,
            width=600,
            sizing_mode="scale_width",
            x_range=Range1d(-0.4, 1.4),
            y_range=Range1d(-1.5, 0.5),
            toolbar_location=None,
            tools="",
            css_classes=["ll-diagram"],  # how it flows beside the unit's picture: LAYOUT_CSS
        )
        edges = fig.segment(
            "x0",
            "y0",
            "x1",
            "y1",
            source=self.edge_source,
            line_color="color",
            line_width="width",
            line_alpha="alpha",
            selection_line_color="#d7263d",
            selection_line_alpha=1.0,
            nonselection_line_alpha="alpha",
        )
        fig.image(
            "image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=self.unit_source,
            color_mapper=self._mapper,
        )
        self._unit_frames = fig.rect(
            "cx",
            "cy",
            width=CELL_W,
            height=CELL_H,
            source=self.unit_source,
            fill_alpha=0.0,
            line_color=self.scheme.test_outline,
            line_width=1,
        )
        self._inputs = fig.scatter(
            "x",
            "y",
            source=self.input_source,
            size=12,
            fill_color=self.scheme.input_node,
            line_color=self.scheme.test_outline,
        )
        self._labels = LabelSet(
            x="x",
            y="y",
            text="text",
            source=self.label_source,
            text_align="center",
            text_font=value(FONT),
            text_font_size="11px",
            text_color=self.scheme.axis_text,
        )
        fig.add_layout(self._labels)
        self._input_labels = LabelSet(  # what each input is: x1, x2, x1², ...
            x="x",
            y="y",
            text="name",
            source=self.input_source,
            x_offset=-10,
            text_align="right",
            text_baseline="middle",
            text_font=value(FONT),
            text_font_size="11px",
            text_color=self.scheme.axis_text,
        )
        fig.add_layout(self._input_labels)
        fig.add_tools(
            HoverTool(
                renderers=[edges],
                tooltips="W@layer[@row, @column] = @weight{0.0000}",
                line_policy="interp",
            ),
            HoverTool(
                renderers=[self._unit_frames],
                tooltips=None,
                callback=CustomJS(
                    args={
                        "shown": self._shown_unit,
                        "x_range": self.detail_figure.x_range,
                        "y_range": self.detail_figure.y_range,
                        "text": self.detail_text,
                    },
                    code=SHOW_UNIT_JS,
                ),
            ),
            TapTool(renderers=[edges]),
        )
        fig.axis.visible = False
        fig.grid.visible = False
        fig.outline_line_color = None
        fig.background_fill_color = fig.border_fill_color = self.scheme.background
        return fig

    def _detail_figure(self):
        fig = figure(
            width=150,
            height=150,
            x_range=Range1d(0, 1),
            y_range=Range1d(0, 1),
            toolbar_location=None,
            tools="",
        )
        fig.image(
            "image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=self.unit_source,
            view=CDSView(filter=self._shown_unit),
            color_mapper=self._mapper,
        )
        fig.axis.visible = False
        fig.grid.visible = False
        fig.outline_line_color = self.scheme.axis_line
        fig.background_fill_color = fig.border_fill_color = self.scheme.background
        return fig

    def use_scheme(self, scheme: Scheme) -> None:
        """Restyle for a light or dark page."""
        self.scheme = scheme
        for fig in (self.figure, self.detail_figure):
            fig.background_fill_color = fig.border_fill_color = scheme.background
        self._mapper.palette = probability_palette(scheme=scheme)
        self._unit_frames.glyph.line_color = scheme.test_outline
        self._inputs.glyph.update(fill_color=scheme.input_node, line_color=scheme.test_outline)
        self._labels.text_color = scheme.axis_text
        self._input_labels.text_color = scheme.axis_text

    # -- layout and updates -------------------------------------------------------------------
    def rebuild(self, session) -> None:
        """A new network: lay out the units and the edges between the drawn units."""
        dims = session.layer_dims
        drawn = self._drawn = drawn_units(dims)
        slots = max(drawn)
        label_x, label_y, texts = [], [], []
        for l, (units, shown) in enumerate(zip(dims, drawn, strict=True)):
            kind = "input" if l == 0 else ("sigmoid" if l == len(dims) - 1 else session.activation)
            hidden = f", {units - shown} not drawn" if shown < units else ""
            label_x.append(l)
            label_y.append(-slots - 0.2)
            texts.append(f"{units} {kind}{hidden}")
        self.label_source.data = {"x": label_x, "y": label_y, "text": texts}
        self.input_source.data = {
            "x": [0] * drawn[0],
            "y": [-slot for slot in range(drawn[0])],
            "name": list(session.input_names),
        }
        self.figure.x_range.update(start=-0.5, end=len(dims) - 0.5)
        self.figure.y_range.update(start=-slots - 0.6, end=0.7)
        self.figure.width = int(LAYER_PX * len(dims))
        self.figure.height = int(SLOT_PX * (slots + 1.3))
        self.figure.max_width = int(1.4 * self.figure.width)
        x0, y0, x1, y1 = [], [], [], []
        self._edges = []
        for l in range(1, len(dims)):
            rows, cols = np.meshgrid(np.arange(drawn[l]), np.arange(drawn[l - 1]), indexing="ij")
            self._edges.append((l, rows.ravel(), cols.ravel()))
            x0 += [l - 1 + (CELL_W / 2 if l > 1 else 0)] * rows.size
            x1 += [l - CELL_W / 2] * rows.size
            y0 += list(-cols.ravel().astype(float))
            y1 += list(-rows.ravel().astype(float))
        self.edge_source.selected.indices = []
        self._shown_unit.indices = []  # the units are laid out anew
        self.detail_text.text = HOVER_HINT
        positions = {
            "layer": np.concatenate([np.full(rows.size, l) for l, rows, _ in self._edges]),
            "row": np.concatenate([rows for _, rows, _ in self._edges]),
            "column": np.concatenate([cols for _, _, cols in self._edges]),
        }
        self.edge_source.data = {
            "x0": x0,
            "y0": y0,
            "x1": x1,
            "y1": y1,
            **positions,
            **self._edge_styles(session),
        }

    def update(self, session) -> None:
        """Same network, new weights: restyle the edges."""
        self.edge_source.data.update(self._edge_styles(session))

    def unit_maps_steps(self, session):
        """The drawn units' heatmaps of the current weights, a chunk of the grid at a time
        (``TrainingSession.unit_maps_steps``): per layer ``(n, res, res)``."""
        return session.unit_maps_steps(MAP_RESOLUTION, self._drawn[1:])

    def update_units(self, session, maps: list[np.ndarray] | None) -> None:
        """Redraw every drawn unit's heatmap: ``maps`` from ``unit_maps_steps``, or None
        where there is no plane to draw over (neutral cells, the numbers on hover)."""
        if maps is None:
            maps = [
                np.full((n, 1, 1), 0.5 if l == len(self._drawn) - 1 else 0.0)
                for l, n in enumerate(self._drawn[1:], start=1)
            ]
        evaluation = session.evaluation()
        dead = None if evaluation is None else evaluation.dead_masks  # per hidden layer (n_l,)
        params = session.weights()
        columns = {key: [] for key in self.unit_source.data}
        for l, layer_maps in enumerate(maps, start=1):
            output = l == len(maps)
            for j, image in enumerate(layer_maps):
                if output:
                    shown = 2.0 * image - 1.0  # P(y = 1) in [-1, 1]: the map's colors
                else:
                    shown = image / max(float(np.abs(image).max()), 1e-12)
                bias = float(params[f"b{l}"][j, 0])
                state = ""
                if not output and dead is not None:
                    state = ", dead" if dead[l - 1][j] else ", alive"
                columns["image"].append(shown.astype(np.float32))
                columns["x"].append(l - CELL_W / 2)
                columns["y"].append(-j - CELL_H / 2)
                columns["dw"].append(CELL_W)
                columns["dh"].append(CELL_H)
                columns["cx"].append(l)
                columns["cy"].append(-j)
                name = "output" if output else f"layer {l}, unit {j + 1}"
                columns["about"].append(f"{name}: bias {bias:.4g}{state}")
        self.unit_source.data = columns

    def _edge_styles(self, session) -> dict[str, list]:
        params = session.weights()
        weights = np.concatenate(
            [params[f"W{l}"][rows, cols] for l, rows, cols in self._edges] or [np.zeros(0)]
        )
        scale = max(float(np.abs(weights).max(initial=0.0)), 1e-12)
        strength = np.abs(weights) / scale  # in [0, 1]
        return {
            "color": np.where(weights >= 0, POSITIVE, NEGATIVE),
            "width": 0.4 + 3.6 * strength,
            "alpha": 0.25 + 0.75 * strength,
            "weight": weights,
        }

    def selected_weight(self) -> tuple[int, int, int] | None:
        """``(layer, row, column)`` of the edge tapped last, or None."""
        indices = self.edge_source.selected.indices
        if not indices:
            return None
        index = indices[0]
        for l, rows, cols in self._edges:
            if index < rows.size:
                return l, int(rows[index]), int(cols[index])
            index -= rows.size
        return None
