"""The look shared by every Bokeh figure of the lab, in a light and a dark color scheme.

The page follows the visitor's system setting (``prefers-color-scheme``): ``scheme.py`` tells
Python which one, and ``LabPlots.use_scheme`` restyles the figures with ``style_figure``.
"""

from dataclasses import dataclass

import numpy as np

CLASS_COLORS = ("#e8833a", "#2a78b5")  # label 0, label 1
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Scheme:
    """The colors of a figure that are not data: background, text, axes, outlines."""

    name: str
    background: str
    title: str  # titles and the network's layer labels
    axis_text: str
    axis_line: str
    grid: str
    point_outline: str  # around the training points: the background's color
    test_outline: str  # around the test triangles: strong against the map
    mistake: str  # the ring around a misclassified point
    node: str  # a unit of the network diagram
    input_node: str
    midpoint: str  # the decision map's color where P(y = 1) = 0.5


LIGHT = Scheme(
    name="light",
    background="#ffffff",
    title="#1d2433",
    axis_text="#4a5060",
    axis_line="#c9ced8",
    grid="#eef0f4",
    point_outline="#ffffff",
    test_outline="#1d2433",
    mistake="#d7263d",
    node="#ffffff",
    input_node="#eef0f4",
    midpoint="#ffffff",
)
DARK = Scheme(
    name="dark",
    background="#1e232b",
    title="#e6e9ef",
    axis_text="#b8bfcc",
    axis_line="#4a5260",
    grid="#2c333d",
    point_outline="#1e232b",
    test_outline="#e6e9ef",
    mistake="#ff6b6b",
    node="#2c333d",
    input_node="#3a424e",
    midpoint="#1e232b",
)
SCHEMES = {scheme.name: scheme for scheme in (LIGHT, DARK)}


def style_figure(fig, scheme: Scheme = LIGHT) -> None:
    """Quiet axes, light grid, the page's font; no toolbar (figures are made with few tools)."""
    fig.toolbar_location = None
    fig.outline_line_color = None
    fig.background_fill_color = scheme.background
    fig.border_fill_color = scheme.background
    fig.min_border_left = 48
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_label_text_font = FONT
        axis.axis_label_text_font_style = "normal"
        axis.axis_label_text_color = scheme.axis_text
        axis.major_label_text_font = FONT
        axis.major_label_text_color = scheme.axis_text
        axis.axis_line_color = scheme.axis_line
        axis.major_tick_line_color = scheme.axis_line
        axis.minor_tick_line_color = None
    fig.grid.grid_line_color = scheme.grid
    fig.title.text_font = FONT
    fig.title.text_font_size = "13px"
    fig.title.text_color = scheme.title


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def probability_palette(n: int = 256, scheme: Scheme = LIGHT) -> list[str]:
    """Pale class-0 color at P=0, the scheme's midpoint at P=0.5, pale class-1 color at P=1."""
    middle = _rgb(scheme.midpoint)
    colors = []
    for p in np.linspace(0.0, 1.0, n):
        side, weight = (CLASS_COLORS[0], 1 - 2 * p) if p < 0.5 else (CLASS_COLORS[1], 2 * p - 1)
        r, g, b = (round(c) for c in middle + 0.55 * weight**0.8 * (_rgb(side) - middle))
        colors.append(f"#{r:02x}{g:02x}{b:02x}")
    return colors
