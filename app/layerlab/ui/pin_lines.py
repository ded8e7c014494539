"""The pinned runs' cost curves on the cost figures: one source per place on the board
(``pin_source_0`` .. ``pin_source_4``, named so a browser test finds them), drawn faded under
the current run's curves, each pin in its own colour: train cost dashed, test cost dotted.
"""

from bokeh.models import ColumnDataSource

from layerlab.ui.pins import CURVES, MAX_PINS, Pin

PIN_COLORS = ("#8e44ad", "#2e9e5b", "#b5651d", "#d6337f", "#3b8ea5")  # pin 1 .. 5
PIN_ALPHA = 0.6


def pin_sources() -> list[ColumnDataSource]:
    """One empty source per place on the board."""
    return [
        ColumnDataSource({key: [] for key in CURVES}, name=f"pin_source_{i}")
        for i in range(MAX_PINS)
    ]


def draw_pin_lines(fig, sources: list[ColumnDataSource]) -> None:
    """Add the pins' lines to ``fig``, beneath the lines it has (the current run's)."""
    current = list(fig.renderers)
    for color, source in zip(PIN_COLORS, sources, strict=True):
        for column, dash in (("train_cost", "dashed"), ("test_cost", "dotted")):
            fig.line(
                "iteration",
                column,
                source=source,
                color=color,
                line_width=1.6,
                line_alpha=PIN_ALPHA,
                line_dash=dash,
            )
    fig.renderers = [*fig.renderers[len(current) :], *current]


def show_pins(sources: list[ColumnDataSource], pins: list[Pin]) -> tuple[int, float]:
    """Put each pin's curves in its source (unchanged ones are not sent again); returns the
    longest pin's iterations and its highest early train cost (for the figure's ranges)."""
    end, top = 0, 0.0
    for i, source in enumerate(sources):
        curves = pins[i].curves if i < len(pins) else {key: [] for key in CURVES}
        if len(source.data["iteration"]) != len(curves["iteration"]) or any(
            source.data[key] != curves[key] for key in ("train_cost", "test_cost")
        ):
            source.data = dict(curves)
        end = max(end, len(curves["iteration"]))
        top = max([top, *curves["train_cost"][:50]])
    return end, top
