"""Scripts that run in the page once its document is ready (static site and ``panel serve``).

* ``accessibility.js``: names, roles and live regions Bokeh's widgets lack. Components take
  part by their CSS classes: ``ll-live`` (a polite live region), ``ll-layer-row`` with
  ``ll-layer-name``, ``ll-narrow`` and ``ll-widen`` (the per-layer width buttons).
* ``scheme.js``: tells Python the visitor's color scheme (``prefers-color-scheme``), and
  again when it changes, through the hidden text field marked ``ll-color-scheme`` (see
  ``ColorScheme``).
"""

from importlib.resources import files

import panel as pn
from bokeh.document import Document
from bokeh.models import CustomJS

from layerlab.ui.plots import LabPlots

SCRIPTS = ("accessibility.js", "scheme.js")


def install(document: Document | None) -> None:
    """Run the page scripts when ``document`` is ready (no document: nothing to run them)."""
    if document is None:
        return
    for name in SCRIPTS:
        code = files("layerlab.ui").joinpath(name).read_text(encoding="utf-8")
        document.js_on_event("document_ready", CustomJS(code=code))


class ColorScheme:
    """A hidden field the page writes its color scheme into; the figures follow it."""

    def __init__(self, plots: LabPlots) -> None:
        self.widget = pn.widgets.TextInput(value="", visible=False, css_classes=["ll-color-scheme"])
        self.widget.param.watch(lambda event: plots.use_scheme(event.new), "value")
