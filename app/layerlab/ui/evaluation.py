"""The predictions view for data with other than two features: no plane to color, so show
how the network scores each class (a histogram of P(y = 1) per true class) and what it gets
right (a confusion matrix), on the test examples.

Figures and sources are created once and updated in place, like every other figure; the
figures only when first shown (two-feature data, the default, never needs them).
"""

import numpy as np
from bokeh.models import ColumnDataSource, FactorRange, Range1d
from bokeh.plotting import figure

from layerlab.ui.figure_style import CLASS_COLORS, LIGHT, Scheme, style_figure
from layerlab.ui.state import LabState

BINS = 20  # histogram bins over [0, 1]
EDGES = np.linspace(0.0, 1.0, BINS + 1)
CELLS = [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")]  # (true, predicted)


def histogram(p: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Counts per bin of ``p (m,)`` for the examples of class 0 and of class 1 (``y (m,)``)."""
    counts = [np.histogram(p[y == label], bins=EDGES)[0] for label in (0, 1)]
    return {"left": EDGES[:-1], "right": EDGES[1:], "class0": counts[0], "class1": counts[1]}


def confusion(p: np.ndarray, y: np.ndarray) -> dict[str, list]:
    """The 2 x 2 confusion counts (prediction: ``p > 0.5``), one row per (true, predicted)."""
    predicted = (p > 0.5).astype(int)
    counts = [int(np.sum((y == int(t)) & (predicted == int(q)))) for t, q in CELLS]
    total = max(sum(counts), 1)
    return {
        "true": [t for t, _ in CELLS],
        "predicted": [q for _, q in CELLS],
        "count": counts,
        "label": [str(c) for c in counts],
        "alpha": [0.15 + 0.75 * c / total for c in counts],
        "color": ["#1d6b35" if t == q else "#b3261e" for t, q in CELLS],
    }


class EvaluationPlots:
    """Probability histogram per class and confusion matrix of one session."""

    def __init__(self) -> None:
        self.histogram_source = ColumnDataSource(
            {"left": [], "right": [], "class0": [], "class1": []}, name="histogram_source"
        )
        self.confusion_source = ColumnDataSource(
            {key: [] for key in ("true", "predicted", "count", "label", "alpha", "color")},
            name="confusion_source",
        )
        self._histogram_figure = self._confusion_figure = None
        self.scheme: Scheme = LIGHT
        self._counts = None  # the confusion matrix's numbers (their color follows the scheme)

    def use_scheme(self, scheme: Scheme) -> None:
        """Restyle the figures made so far for a light or dark page (later ones follow)."""
        self.scheme = scheme
        for fig in (self._histogram_figure, self._confusion_figure):
            if fig is not None:
                style_figure(fig, scheme)
                fig.grid.grid_line_color = None if fig is self._confusion_figure else scheme.grid
        if self._counts is not None:
            self._counts.glyph.text_color = scheme.title

    @property
    def histogram_figure(self):
        """The histogram of P(y = 1) per true class, created on first use."""
        if self._histogram_figure is None:
            self._histogram_figure = self._make_histogram_figure()
        return self._histogram_figure

    @property
    def confusion_figure(self):
        """The confusion matrix, created on first use."""
        if self._confusion_figure is None:
            self._confusion_figure = self._make_confusion_figure()
        return self._confusion_figure

    def _make_histogram_figure(self):
        fig = figure(
            height=240,
            sizing_mode="stretch_width",
            x_range=Range1d(0, 1),
            title="Test examples by predicted P(y = 1), per true class",
            x_axis_label="P(y = 1)",
            y_axis_label="examples",
            tools="",
        )
        for column, color in zip(("class0", "class1"), CLASS_COLORS, strict=True):
            fig.quad(
                left="left",
                right="right",
                bottom=0,
                top=column,
                source=self.histogram_source,
                fill_color=color,
                fill_alpha=0.55,
                line_color=color,
            )
        style_figure(fig, self.scheme)
        return fig

    def _make_confusion_figure(self):
        fig = figure(
            height=190,
            sizing_mode="stretch_width",
            x_range=FactorRange("0", "1"),
            y_range=FactorRange("1", "0"),
            title="Confusion matrix (test examples)",
            x_axis_label="predicted class",
            y_axis_label="true class",
            tools="",
        )
        source = self.confusion_source
        fig.rect(
            "predicted",
            "true",
            width=0.96,
            height=0.92,
            source=source,
            fill_color="color",
            fill_alpha="alpha",
            line_color=None,
        )
        self._counts = fig.text(
            "predicted",
            "true",
            text="label",
            source=source,
            text_align="center",
            text_baseline="middle",
            text_font_size="16px",
            text_color=self.scheme.title,
        )
        style_figure(fig, self.scheme)
        fig.grid.grid_line_color = None
        return fig

    def update(self, state: LabState) -> None:
        """Refill both sources from the latest evaluated weights (call inside
        ``pn.io.hold()``); nothing to show before the first evaluation."""
        p, y = state.session.test_probabilities(), state.session.test_labels()
        if p is None:
            return
        self.histogram_source.data = histogram(p, y)
        self.confusion_source.data = confusion(p, y)
