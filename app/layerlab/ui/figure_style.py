"""The look shared by every Bokeh figure of the lab: class colors, font, axes and grid."""

CLASS_COLORS = ("#e8833a", "#2a78b5")  # label 0, label 1
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def style_figure(fig) -> None:
    """Quiet axes, light grid, the page's font; no toolbar (figures are made with few tools)."""
    fig.toolbar_location = None
    fig.outline_line_color = None
    fig.background_fill_color = "#ffffff"
    fig.border_fill_color = "#ffffff"
    fig.min_border_left = 48
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_label_text_font = FONT
        axis.axis_label_text_font_style = "normal"
        axis.axis_label_text_color = "#4a5060"
        axis.major_label_text_font = FONT
        axis.major_label_text_color = "#4a5060"
        axis.axis_line_color = "#c9ced8"
        axis.major_tick_line_color = "#c9ced8"
        axis.minor_tick_line_color = None
    fig.grid.grid_line_color = "#eef0f4"
    fig.title.text_font = FONT
    fig.title.text_font_size = "13px"
    fig.title.text_color = "#1d2433"
