"""Compare runs on the page: "Pin this run", "Unpin all", and the pinned runs' legend.

Each pinned run has a line in the legend: its colour (train cost dashed, test dotted, as
``pin_lines`` draws them), the iterations it reached, and what differs from the current run
("L2 λ 0 → 0.7", or "same settings"), with a "× Unpin" button. The words follow the current
run as its settings change. Nothing here computes: ``PinBoard`` (``pins``) does.
"""

from html import escape

import panel as pn

from layerlab.ui.binding import html_pane, wrap_row
from layerlab.ui.pin_lines import PIN_COLORS
from layerlab.ui.pins import MAX_PINS, Pin, PinBoard, difference_text, recipe_of
from layerlab.ui.state import LabState

HINT = "Pinned runs are drawn faded: train cost dashed, test cost dotted."


def _swatch(color: str, dash: str) -> str:
    return (
        f'<span style="display:inline-block;width:14px;border-top:2px {dash} {color};'
        'vertical-align:middle;margin-right:3px"></span>'
    )


def pin_legend(number: int, pin: Pin, current) -> str:
    """One pinned run's legend line as HTML (its words escaped)."""
    color = PIN_COLORS[number - 1]
    recipe = pin.recipe
    reached = f"{recipe.iterations} iterations"
    if pin.replay is not None:
        reached = f"{len(pin.curves['iteration'])} of {recipe.iterations} iterations (replaying)"
    return (
        f'<div class="ll-pin">{_swatch(color, "dashed")}{_swatch(color, "dotted")}'
        f"<b>Pin {number}</b> · {reached} · {escape(difference_text(recipe, current))}</div>"
    )


class PinView:
    """The buttons and the pinned runs' legend for ``board``, compared with ``state``'s run."""

    def __init__(self, state: LabState, board: PinBoard) -> None:
        self._state, self._board = state, board
        self.pin_button = pn.widgets.Button(
            label="Pin this run", width=120, css_classes=["ll-pin-run"]
        )
        self.unpin_all = pn.widgets.Button(label="Unpin all", width=100, visible=False)
        self.pin_button.on_click(lambda _: board.pin(state))
        self.unpin_all.on_click(lambda _: board.unpin_all())
        self.message = html_pane(css_classes=["ll-pin-message"], visible=False)
        self.hint = html_pane(f'<div class="ll-hint">{HINT}</div>', visible=False)
        self.lines, self.rows = [], []
        for index in range(MAX_PINS):
            line = html_pane(css_classes=[f"ll-pin-{index}"], sizing_mode="stretch_width")
            unpin = pn.widgets.Button(label="× Unpin", width=80, css_classes=["ll-unpin"])
            unpin.on_click(lambda _, index=index: board.unpin(index))
            self.lines.append(line)
            self.rows.append(wrap_row(line, unpin, visible=False))
        self._shown: list[str] = [""] * (MAX_PINS + 1)  # the lines, then the message
        board.param.watch(self._refresh, ["pins", "version", "message"])
        state.param.watch(self._refresh, ["generation", "version"])
        # What the last pin or unpin did is old news once a fresh run starts (Reset, settings).
        state.param.watch(lambda _: setattr(board, "message", ""), "generation")
        self._refresh()

    def _refresh(self, *_) -> None:
        """The legend lines (only those whose words changed) and the buttons."""
        pins = self._board.pins
        current = recipe_of(self._state, ahead=True)
        for index, (line, row) in enumerate(zip(self.lines, self.rows, strict=True)):
            text = pin_legend(index + 1, pins[index], current) if index < len(pins) else ""
            if text != self._shown[index]:
                line.object, self._shown[index] = text, text
                row.visible = bool(text)
        self.unpin_all.visible = self.hint.visible = bool(pins)
        message = self._board.message
        if message != self._shown[-1]:
            self.message.object = f'<div class="ll-hint" role="status">{escape(message)}</div>'
            self.message.visible, self._shown[-1] = bool(message), message

    def __panel__(self) -> pn.Column:
        buttons = wrap_row(self.pin_button, self.unpin_all, self.message)
        return pn.Column(buttons, *self.rows, self.hint, sizing_mode="stretch_width", margin=0)
