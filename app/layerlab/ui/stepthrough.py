"""The "Step through" view: one iteration of the current network walked stage by stage.

Each stage (``walk.stages``) shows its equation and its matrices as small heatmaps titled
with their shapes; Next and Back move through them. The numbers are the trainer's own next
update, worked out on a copy; finishing the walk makes that update (``LabState.step``), so
the network ends exactly as after one Step. If the network changes meanwhile (training, a
new setting), the walk says so and starts again from the new network.

Imported when the view is first opened: a visit that never opens it does not load it.
"""

from html import escape

import numpy as np
import panel as pn
from bokeh.models import ColumnDataSource, HoverTool, LinearColorMapper, Range1d
from bokeh.plotting import figure

from layerlab.ui.binding import html_pane, wrap_row
from layerlab.ui.figure_style import Scheme, probability_palette, style_figure
from layerlab.ui.state import LabState
from layerlab.ui.walk import Matrix, Stage, stages

SLOTS = 5  # matrices a stage shows at most
MAX_ROWS, MAX_COLUMNS = 40, 60  # a bigger matrix shows its first rows and columns


class MatrixView:
    """One small heatmap: a matrix's values (hover one to read it), titled with its shape."""

    def __init__(self, scheme: Scheme) -> None:
        self.source = ColumnDataSource({"image": [], "x": [], "y": [], "dw": [], "dh": []})
        self.mapper = LinearColorMapper(palette=probability_palette(scheme=scheme), low=-1, high=1)
        fig = figure(
            width=190,
            height=170,
            x_range=Range1d(0, 1),
            y_range=Range1d(1, 0),  # row 0 at the top, as the matrix is written
            tools="",
            title="",
        )
        renderer = fig.image(
            "image", x="x", y="y", dw="dw", dh="dh", source=self.source, color_mapper=self.mapper
        )
        fig.add_tools(HoverTool(renderers=[renderer], tooltips=[("value", "@image{0.0000}")]))
        style_figure(fig, scheme)
        fig.axis.visible = False
        fig.grid.visible = False
        fig.min_border_left = fig.min_border_right = 4
        self.figure = fig
        self.pane = pn.pane.Bokeh(fig, margin=(0, 6))

    def show(self, matrix: Matrix | None) -> None:
        """Draw ``matrix`` (its first rows and columns if big), or hide the view."""
        self.pane.visible = matrix is not None
        if matrix is None:
            return
        values = np.asarray(matrix.values, dtype=np.float64)
        shown = values[:MAX_ROWS, :MAX_COLUMNS]
        self.figure.title.text = matrix.label
        scale = max(float(np.abs(shown).max(initial=0.0)), 1e-12)
        self.mapper.update(low=-scale, high=scale)
        self.figure.x_range.update(start=0, end=shown.shape[1])
        self.figure.y_range.update(start=shown.shape[0], end=0)
        self.source.data = {  # row 0 at y = 0: the top, as the y axis runs downwards
            "image": [shown.astype(np.float32)],
            "x": [0],
            "y": [0],
            "dw": [shown.shape[1]],
            "dh": [shown.shape[0]],
        }


class StepThrough(pn.viewable.Viewer):
    """One iteration, stage by stage, with Next and Back."""

    def __init__(self, state: LabState, scheme: Scheme) -> None:
        super().__init__()
        self._state = state
        self._stages: list[Stage] = []
        self._index = 0
        self._key = None  # (generation, iteration) the walk was worked out for
        self._finishing = False
        self.heading = html_pane(css_classes=["ll-walk-heading"])
        self.equation = html_pane(css_classes=["ll-walk-equation"])
        self.note = html_pane(css_classes=["ll-walk-note"])
        self.views = [MatrixView(scheme) for _ in range(SLOTS)]
        self.back = pn.widgets.Button(label="◀ Back", width=100, css_classes=["ll-walk-back"])
        self.next = pn.widgets.Button(
            label="Next ▶", width=220, color="primary", css_classes=["ll-walk-next"]
        )
        self.back.on_click(lambda _: self._move(-1))
        self.next.on_click(lambda _: self._move(+1))
        self._layout = pn.Column(
            self.heading,
            self.equation,
            wrap_row(*(view.pane for view in self.views)),
            self.note,
            wrap_row(self.back, self.next),
            sizing_mode="stretch_width",
            css_classes=["ll-walk"],
            margin=0,
        )
        state.param.watch(self._network_changed, "version")
        self.restart()

    def __panel__(self) -> pn.Column:
        return self._layout

    def restart(self) -> None:
        """Work out the next update of the current network and show its first stage."""
        session = self._state.session
        self._key = (self._state.generation, session.iteration)
        self._index = 0
        if session.in_pieces:  # one pass would keep the page from answering for seconds
            self._stages = []
            self.heading.object = (
                f'<div class="ll-arch">{escape(session.architecture)} on '
                f"{session.data.X_train.shape[1]} examples is too big to walk through here: "
                "its iterations run in pieces so that the page keeps answering. Walk a "
                "smaller network (fewer or narrower layers, or fewer points).</div>"
            )
            self.equation.object = self.note.object = ""
            for view in self.views:
                view.show(None)
            self.back.disabled = self.next.disabled = True
            return
        self._stages = stages(session.preview_update(), self._state.optimizer)
        self.next.disabled = False
        self._show()

    def _show(self) -> None:
        stage = self._stages[self._index]
        count = len(self._stages)
        iteration = self._key[1]
        self.heading.object = (
            f'<div class="ll-arch">Iteration {iteration}, step {self._index + 1} of {count}: '
            f"<b>{escape(stage.title)}</b></div>"
        )
        self.equation.object = f'<div class="ll-equation">{escape(stage.equation)}</div>'
        self.note.object = f'<div class="ll-hint">{escape(stage.note)}</div>' if stage.note else ""
        for slot, view in enumerate(self.views):
            view.show(stage.matrices[slot] if slot < len(stage.matrices) else None)
        self.back.disabled = self._index == 0
        last = self._index == count - 1
        self.next.label = "Finish: make this update" if last else "Next ▶"

    def _move(self, step: int) -> None:
        if not self._stages or self._key != (self._state.generation, self._state.session.iteration):
            self.restart()  # the network changed since: walk the new one
            return
        if step > 0 and self._index == len(self._stages) - 1:
            self._finishing = True
            try:
                self._state.step()
            finally:
                self._finishing = False
            self.restart()
            self.note.object = (
                '<div class="ll-ok-text" role="status">Done: the network made exactly that '
                "update. Here is the next iteration.</div>"
            )
            return
        self._index = min(max(self._index + step, 0), len(self._stages) - 1)
        self._show()

    def _network_changed(self, *_) -> None:
        if self._finishing or self._key is None:
            return
        if not self._stages or self._key != (self._state.generation, self._state.session.iteration):
            self.heading.object = (
                '<div class="ll-arch">The network changed since this walk began: Next walks '
                "the new one.</div>"
            )
