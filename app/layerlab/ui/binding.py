"""Glue between widgets and ``LabState``: edits go through ``apply``, changes come back.

User- or URL-derived text is escaped with ``html.escape`` before it reaches an HTML pane.
"""

import math
import time
from collections.abc import Callable, Iterable
from html import escape
from weakref import WeakKeyDictionary

import panel as pn
from bokeh.document import Document
from bokeh.models import InlineStyleSheet

from layerlab.ui.state import LabState
from layerlab.ui.theme import CARD_CSS, CONTENT_CSS

# One content stylesheet model per document, referenced by every HTML pane in it: Bokeh
# serializes a shared model once (a CSS string per pane cost ~3 KB of page JSON each).
_CONTENT_SHEETS: WeakKeyDictionary[Document, InlineStyleSheet] = WeakKeyDictionary()


def content_stylesheet(doc: Document | None) -> InlineStyleSheet:
    """The ``CONTENT_CSS`` stylesheet shared by the HTML panes of ``doc``."""
    if doc is None:  # not rendered into a document yet: nothing to share with
        return InlineStyleSheet(css=CONTENT_CSS)
    if doc not in _CONTENT_SHEETS:
        _CONTENT_SHEETS[doc] = InlineStyleSheet(css=CONTENT_CSS)
    return _CONTENT_SHEETS[doc]


class ContentHTML(pn.pane.HTML):
    """An HTML pane that gets the lab's content stylesheet by reference."""

    def _get_properties(self, doc: Document | None) -> dict:
        properties = super()._get_properties(doc)
        if "stylesheets" in properties:
            properties["stylesheets"] = [*properties["stylesheets"], content_stylesheet(doc)]
        return properties


# Panel gives a row the sum of its items' minimum widths as its own: that would keep it from
# wrapping and make the page wider than a phone.
WRAP_CSS = ":host { flex-wrap: wrap; align-items: center; min-width: 0 !important; }"


def wrap_row(*objects, stylesheets: tuple = (), **params) -> pn.Row:
    """A row whose items wrap onto new lines when the screen is too narrow for them.

    (Panel's ``FlexBox`` would do, but its model sanitizes HTML with ``nh3``, which the
    browser's Python does not have.)
    """
    params.setdefault("sizing_mode", "stretch_width")
    params.setdefault("margin", 0)
    return pn.Row(*objects, stylesheets=[WRAP_CSS, *stylesheets], **params)


def html_pane(text: str = "", **params) -> pn.pane.HTML:
    """An HTML pane styled with the lab's content stylesheet."""
    params.setdefault("sizing_mode", "stretch_width")
    return ContentHTML(text, **params)


PROGRESS_INTERVAL_S = 0.25  # numbers and tables refresh at most this often while playing

# Per state, the views that show progress: refreshed together, so that every number on the
# page belongs to the same iteration.
_PROGRESS_VIEWS: WeakKeyDictionary[LabState, list[Callable[[], None]]] = WeakKeyDictionary()


def watch_progress(state: LabState, show: Callable[[], None]) -> None:
    """Call ``show`` when training progresses, at most every ``PROGRESS_INTERVAL_S`` while
    playing, in the same refresh as every other progress view of ``state``.

    Numbers and tables need not change 20 times a second, and every HTML update costs the
    browser a re-layout; paused, stepped or finished, ``show`` always gets the last word.
    """
    if state not in _PROGRESS_VIEWS:
        _PROGRESS_VIEWS[state] = []
        last = -math.inf

        def refresh(*_) -> None:
            nonlocal last
            now = time.monotonic()
            if state.running and now - last < PROGRESS_INTERVAL_S:
                return
            last = now
            for view in _PROGRESS_VIEWS[state]:
                view()

        state.param.watch(refresh, ["version", "running", "iterations"])
    _PROGRESS_VIEWS[state].append(show)
    show()


def message_pane(state: LabState, name: str) -> pn.pane.HTML:
    """The friendly message for setting ``name``, shown right under its control."""
    pane = html_pane(name=f"msg-{name}", css_classes=["ll-msg", f"ll-msg-{name}"], margin=(0, 10))

    def show(*_) -> None:
        text = state.messages.get(name, "")
        pane.object = f'<div class="ll-msg-text" role="alert">{escape(text)}</div>' if text else ""
        pane.visible = bool(text)

    state.param.watch(show, "messages")
    show()
    return pane


def bind(
    state: LabState,
    name: str,
    widget: pn.widgets.Widget,
    *,
    event: str = "value",
    options: Callable | None = None,
) -> pn.Column:
    """Route ``widget`` edits through ``state.apply``; mirror state changes into the widget.

    ``options(value)`` rebuilds the widget's options so that any valid value can be shown.
    Returns the widget with its message line (made when the first message comes: most
    settings never get one).
    """
    widget.param.watch(lambda e: state.apply(**{name: e.new}), event)

    def to_widget(e) -> None:
        if options is not None and options(e.new) != widget.options:
            widget.options = options(e.new)  # only when needed: a re-render drops focus
        widget.value = e.new

    state.param.watch(to_widget, name)
    return with_messages(state, name, widget)


def with_messages(state: LabState, name: str, control: pn.viewable.Viewable) -> pn.Column:
    """``control`` with the message line of setting ``name`` under it, made when the first
    message comes (most settings never get one)."""
    fixed = getattr(control, "width", None) is not None and control.sizing_mode in (None, "fixed")
    column = pn.Column(control, sizing_mode=None if fixed else "stretch_width", margin=0)

    def first_message(*_) -> None:
        if len(column) == 1 and state.messages.get(name):
            column.append(message_pane(state, name))  # it follows the messages from now on

    state.param.watch(first_message, "messages")
    first_message()
    return column


def optional_view(
    views,
    name: str,
    switch: pn.widgets.Widget,
    make: Callable[[], pn.viewable.Viewable],
    reopen: Callable[[pn.viewable.Viewable], None] | None = None,
) -> pn.Column:
    """``switch`` (bound to the ``ViewState`` switch ``name``) and, below it while it is on,
    the view ``make()`` builds the first time it is opened: ``make`` imports its code then,
    so that a page that never opens the view never loads it. ``reopen(view)`` runs each
    time it is opened again."""
    box = pn.Column(switch, sizing_mode="stretch_width", margin=0)
    made = []  # the view, once made (the box holds its layout, not the view itself)

    def show(*_) -> None:
        opened = getattr(views, name)
        if opened and not made:
            made.append(make())
            box.append(made[0])
        elif opened and reopen is not None:
            reopen(made[0])
        if made:
            box[1].visible = opened

    views.param.watch(show, name)
    show()
    return box


class Controls:
    """Every control of the page by name, so that a link can hide any of them.

    Names are the settings plus ``steps_per_tick``, ``presets``, ``play`` and ``gradcheck``
    (the URL state's ``CONTROLS``). A card disappears when all of its controls are hidden.
    """

    def __init__(self) -> None:
        self.components: dict[str, pn.viewable.Viewable] = {}
        self._cards: list[tuple[pn.Card, tuple[str, ...]]] = []

    def add(self, name: str, component: pn.viewable.Viewable) -> pn.viewable.Viewable:
        """Register ``component`` under ``name``; returns it (to use inline in a layout)."""
        self.components[name] = component
        return component

    def card(self, title: str, parts: dict[str, pn.viewable.Viewable], *, hint=None) -> pn.Card:
        """A sidebar card of named ``parts`` (an optional unnamed ``hint`` on top)."""
        for name, component in parts.items():
            self.add(name, component)
        card = pn.Card(
            *([hint] if hint is not None else []),
            *parts.values(),
            title=title,
            collapsible=False,
            sizing_mode="stretch_width",
            stylesheets=[CARD_CSS],
            margin=(0, 0, 12, 0),
        )
        self._cards.append((card, tuple(parts)))
        return card

    def hide(self, names: Iterable[str]) -> None:
        """Hide the named controls and show all the others."""
        hidden = set(names)
        for name, component in self.components.items():
            component.visible = name not in hidden
        for card, members in self._cards:
            card.visible = not hidden.issuperset(members)
