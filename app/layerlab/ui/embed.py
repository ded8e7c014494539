"""Embed: an ``<iframe>`` snippet of the current link, for a course page or a blog post.

The snippet is made in the page, which knows its own address (``LINK_JS``, shared with
"Copy link"): the link as the address bar holds it (with ``only=``/``hide=`` if the link
hides controls). Every attribute value is HTML-escaped, so whatever a link holds stays
inside its ``src="…"``. The snippet goes to the clipboard where the browser allows it and is
shown either way in a read-only, selected text area (to copy by hand when the clipboard is
denied), with a one-line note on what the host page needs (``EMBED_NOTE``).

The page works in a frame from 600×400 up: nothing is wider than the frame, the rest
scrolls. The JavaScript avoids template literals: ``panel convert`` rewrites ``${``.
"""

import json
from html import escape

import panel as pn

from layerlab.ui.binding import html_pane

# The page's current link (``href``): the address bar's canonical query (``share.AddressBar``),
# or the query the page was opened with until that is written. ``copy`` puts text on the
# clipboard where allowed and then calls ``show`` with the title for the box showing it.
LINK_JS = """
var query = address.value || window.location.search.slice(1);
var href = window.location.origin + window.location.pathname + (query ? "?" + query : "");
function copy(text, show, copied, byHand) {
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(
      function () { show(copied); },
      function () { show(byHand); }
    );
  } else {
    show(byHand);
  }
}
"""
EMBED_TITLE = "Layer Lab: train a neural network in your browser"
EMBED_HEIGHT = 600  # px; the frame takes the host column's full width
# The attributes after "src" (the link), in order; "allow" lets the clipboard work in the frame.
EMBED_ATTRIBUTES = {
    "title": EMBED_TITLE,
    "width": "100%",
    "height": str(EMBED_HEIGHT),
    "loading": "lazy",
    "style": "border: 0",
    "allow": "clipboard-write",
}
EMBED_NOTE = (
    "Paste it into your page's HTML. This site's server must let that page frame it (the "
    "same origin always can), and offline use (the service worker) works in a frame only "
    "on the same origin."
)

EMBED_JS = (
    LINK_JS
    + """
function attribute(text) {
  return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")
    .replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
var pairs = [["src", href]].concat(Object.entries(ATTRIBUTES));
var snippet = "<iframe" + pairs.map(function (pair) {
  return " " + pair[0] + '="' + attribute(pair[1]) + '"';
}).join("") + "></iframe>";
function show(title) {
  link.visible = false;
  code.value = snippet;
  code.title = title;
  area.visible = true;
  requestAnimationFrame(function () {
    var view = Bokeh.index.find_one(code);
    var box = view && view.input_el;
    if (!box) return;
    box.readOnly = true;
    box.focus({preventScroll: true});
    box.select();
  });
}
copy(snippet, show, "Embed code copied to the clipboard", "Copy this embed code");
""".replace("ATTRIBUTES", json.dumps(EMBED_ATTRIBUTES))
)


def embed_code(
    address: pn.widgets.TextInput, link: pn.widgets.TextInput
) -> tuple[pn.widgets.Button, pn.Column]:
    """An "Embed" button and the box its snippet appears in (hidden until pressed);
    ``address`` holds the canonical query, ``link`` is Copy link's box (Embed hides it)."""
    code = pn.widgets.TextAreaInput(
        label="Copy this embed code",
        rows=3,
        sizing_mode="stretch_width",
        css_classes=["ll-embed-code"],
    )
    note = html_pane(f'<div class="ll-hint">{escape(EMBED_NOTE)}</div>', margin=(0, 10))
    area = pn.Column(code, note, visible=False, sizing_mode="stretch_width", margin=0)
    button = pn.widgets.Button(label="Embed", width=90, css_classes=["ll-embed"])
    button.js_on_click(
        args={"address": address, "link": link, "code": code, "area": area}, code=EMBED_JS
    )
    return button, area
