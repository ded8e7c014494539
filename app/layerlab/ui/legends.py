"""The figures' legends, drawn as HTML beside them, and the colors of the train, test and
regularization lines."""

TRAIN_LINE, TEST_LINE, L2_LINE = "#2a78b5", "#e8833a", "#7a7f8c"


def legend_html(items: list[tuple[str, str, str]]) -> str:
    """A legend as HTML, for the page next to a figure: ``(color, dash, label)`` items.

    (Bokeh's own ``Legend`` redraws its items on every stream, which costs the browser more
    than drawing the curves; these legends never change.)
    """
    spans = (
        f'<span><span style="display:inline-block;width:18px;'  # a long label wraps
        f'border-top:2px {dash} {color};vertical-align:middle;margin-right:4px"></span>'
        f"{label}</span>"
        for color, dash, label in items
    )
    return (
        '<div class="ll-legend" style="display:flex;gap:14px;flex-wrap:wrap">'
        + "".join(spans)
        + "</div>"
    )


COST_LEGEND = legend_html(
    [
        (TRAIN_LINE, "solid", "train J (cross-entropy + L2 + L1)"),
        (TEST_LINE, "solid", "test cross-entropy"),
        (L2_LINE, "dashed", "regularization part λ/2m·Σ‖W‖² + λ₁/m·Σ|W| (when λ or λ₁ > 0)"),
    ]
)
TRAIN_TEST_LEGEND = legend_html([(TRAIN_LINE, "solid", "train"), (TEST_LINE, "solid", "test")])
