"""The link is the experiment: read it at startup, keep the address bar in sync, copy it.

* ``startup_query`` finds the page's query while the app script runs: in the Pyodide worker
  build the page starts the worker with ``name = location.search + location.hash`` (Python
  reads ``js.name``; ``pn.state.location`` is still empty then); under ``panel serve`` the
  HTTP request's arguments are there.
* ``install_plain_query`` swaps Panel's type-guessing query parser (a crafted link can crash
  it) for ``urlstate.plain_query``, before Panel parses any location.
* ``AddressBar`` writes the canonical query with ``history.replaceState`` from the page,
  debounced: never ``pushState``, so a slider drag does not fill the Back history. The page
  defines no ``#fragment``, so the canonical link drops whatever one a link arrived with
  (a visitor's junk must not spread with every copy).
* ``notice_area`` shows what the link asked for that could not be used (escaped), and
  ``copy_link`` copies ``location.href`` (or shows it in a box when the clipboard is denied),
  saying what the link cannot carry (``link_caveat``: uploaded data, drawn points, weights
  from a file); "Embed" beside it gives the link as an ``<iframe>`` snippet (``embed``).

The JavaScript below avoids template literals: ``panel convert`` rewrites ``${``.
"""

import sys
from html import escape
from urllib.parse import urlencode

import panel as pn
import panel.io.location

from layerlab.settings import LINK_SETTINGS
from layerlab.ui.binding import html_pane, wrap_row
from layerlab.ui.custom import DATA_FILE_NAME
from layerlab.ui.embed import LINK_JS, embed_code
from layerlab.ui.pin_links import MAX_PIN_CHARS, pin_text
from layerlab.ui.pins import PinBoard
from layerlab.ui.state import LabState
from layerlab.ui.urlstate import VIEWS, format_query, plain_query
from layerlab.ui.viewstate import ViewState

DEBOUNCE_MS = 300  # the address bar is written once the controls stand still this long

REPLACE_STATE_JS = """
clearTimeout(window.__layerlabUrlTimer);
window.__layerlabUrlTimer = setTimeout(function () {
  var query = cb_obj.value;
  var url = window.location.pathname + (query ? "?" + query : "");
  window.history.replaceState(window.history.state, "", url);
}, DEBOUNCE);
""".replace("DEBOUNCE", str(DEBOUNCE_MS))

COPY_LINK_JS = (
    LINK_JS
    + """
function show(title) {
  embed.visible = false;
  box.value = href;
  box.title = title;
  box.visible = true;
}
copy(href, show, "Link copied to the clipboard", "Copy this link");
"""
)


def install_plain_query() -> None:
    """Make Panel parse ``location.search`` with the flat, bounded ``plain_query``."""
    panel.io.location.parse_query = plain_query


def startup_query() -> str:
    """The page's query (``?a=1&b=2``, maybe empty) while the app script runs."""
    if sys.platform == "emscripten":  # the Pyodide worker build
        import js  # only exists in Pyodide

        return str(getattr(js, "name", "") or "")
    args = pn.state.session_args or {}
    pairs = [
        (key, value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value))
        for key, values in args.items()
        for value in values
    ]
    return "?" + urlencode(pairs) if pairs else ""


class AddressBar:
    """Keeps the address bar's query equal to the canonical link of the current settings.

    It starts empty and is filled once the page has loaded, so the first write replaces
    whatever the opened link said (a partial, clamped or hostile query) with the full,
    canonical one.
    """

    def __init__(
        self,
        state: LabState,
        hidden: set[str] | None = None,
        views: ViewState | None = None,
        pins: PinBoard | None = None,
    ) -> None:
        self._state, self._hidden = state, set(hidden or ())
        self._views = views if views is not None else ViewState()
        self._pins = pins if pins is not None else PinBoard()
        self.widget = pn.widgets.TextInput(value="", visible=False, css_classes=["ll-address"])
        self.widget.jscallback(value=REPLACE_STATE_JS)
        # "version": a weight set by hand is a change of the run, too.
        state.param.watch(self._sync, [*LINK_SETTINGS, "generation", "version"])
        self._views.param.watch(self._sync, [*VIEWS, "sweep_grid"])
        self._pins.param.watch(self._sync, "pins")
        # Not pn.state.onload: in the worker build that runs at once, before the first render.
        document = pn.state.curdoc
        if document is not None:
            document.on_event("document_ready", self._sync)

    def query(self) -> str:
        """The canonical query of the current run: every setting as the run started, the
        changes made since (``changes=``), the pinned runs a link can replay (``pin=``),
        the open views (``view=``), the λ sweep's grid (``sweep=``) and the hidden controls
        (``hide=``)."""
        state, views = self._state, self._views.open_views()
        return format_query(
            state.settings(),
            hidden=self._hidden,
            changes=state.session.changes,
            views=views,
            pins=self._pins.recipes(),
            sweep=self._views.link_grid(),
        )

    def _sync(self, *_) -> None:
        self.widget.value = self.query()


def notice_area(notices: list[str]) -> pn.Row:
    """The link's notices (HTML-escaped) with a dismiss button; hidden when there are none."""
    items = "".join(f"<li>{escape(notice)}</li>" for notice in notices)
    text = html_pane(
        '<div class="ll-notice" role="status"><b>Some of the link\'s settings could not be '
        f"used.</b><ul>{items}</ul></div>",
        css_classes=["ll-notice-pane"],
    )
    dismiss = pn.widgets.Button(label="Dismiss", width=90, align="start", margin=(10, 10))
    area = pn.Row(
        text,
        dismiss,
        visible=bool(notices),
        sizing_mode="stretch_width",
        css_classes=["ll-notices"],
        margin=(0, 24, 12, 24),
    )
    dismiss.on_click(lambda _: setattr(area, "visible", False))
    return area


def link_caveat(state: LabState, pins: PinBoard | None = None) -> str:
    """What a copied link does not carry of the current run and the pinned runs ("" when it
    carries it all)."""
    left_out = pins.recipes(linkable=False) if pins is not None else []
    too_long = [r for r in pins.recipes() if len(pin_text(r)) > MAX_PIN_CHARS] if pins else []
    pinned = []
    if left_out:
        runs = "run" if len(left_out) == 1 else f"{len(left_out)} runs"
        stay = "stays" if len(left_out) == 1 else "stay"
        pinned.append(
            f"The pinned {runs} on your own data or loaded weights {stay} on this page only: "
            "the link cannot replay them."
        )
    if too_long:
        runs = "run differs" if len(too_long) == 1 else f"{len(too_long)} runs differ"
        pinned.append(
            f"The pinned {runs} from the defaults in too much to fit a link (over "
            f"{MAX_PIN_CHARS} characters): unpin it, or pin a run with fewer changes."
        )
    return " ".join([_run_caveat(state), *pinned]).strip()


def _run_caveat(state: LabState) -> str:
    session = state.session
    missing = []
    if session.custom is not None:
        if session.custom.csv.file_name == DATA_FILE_NAME:
            missing.append("the points you added or removed")
        else:
            missing.append(f"your data ({session.custom.name})")
    if session.params_file is not None:
        missing.append(f"the weights loaded from {session.params_file}")
    if not missing:
        return ""
    return (
        f"The link does not hold {' or '.join(missing)}: whoever opens it starts from the "
        f"generated {state.dataset} data and fresh weights. Share the files with it."
    )


def copy_link(
    state: LabState, address: AddressBar, pins: PinBoard | None = None
) -> tuple[pn.Row, pn.Column]:
    """The "Copy link" and "Embed" buttons (``embed``; a link hides or shows the pair: the
    "share" control), and under the header the boxes they fill: the link or the snippet (the
    clipboard's fallback), and a note of what the link leaves out (of the run and of the
    ``pins``), if anything."""
    box = pn.widgets.TextInput(
        label="Copy this link", visible=False, sizing_mode="stretch_width", css_classes=["ll-link"]
    )
    button = pn.widgets.Button(label="Copy link", width=110, css_classes=["ll-copy-link"])
    embed, embed_area = embed_code(address.widget, box)
    button.js_on_click(
        args={"box": box, "address": address.widget, "embed": embed_area}, code=COPY_LINK_JS
    )
    note = html_pane(css_classes=["ll-link-caveat"], visible=False, margin=(0, 10))

    def show_caveat(_) -> None:
        text = link_caveat(state, pins)
        note.object = f'<div class="ll-hint" role="status">{escape(text)}</div>' if text else ""
        note.visible = bool(text)

    button.on_click(show_caveat)
    embed.on_click(show_caveat)
    state.param.watch(lambda _: setattr(note, "visible", False), "generation")
    # The buttons wrap (a 600 px frame has no room beside the title for both side by side).
    buttons = wrap_row(button, embed, sizing_mode=None, css_classes=["ll-share"])
    boxes = pn.Column(box, embed_area, note, sizing_mode="stretch_width", margin=(0, 6))
    return buttons, boxes
