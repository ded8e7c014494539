"""One setting's control, made from its declaration (``layerlab.settings``).

``setting_control(state, name)`` picks the widget the declaration asks for (a menu, a
slider, a ladder slider, a number field, a text field or a row of toggles) with the declared
label, range, step and options, binds it to ``state`` (edits go through ``LabState.apply``;
state changes come back) and returns it with its message line.

Numbers are typed into text fields read strictly by ``LabState.apply_text`` (a browser's
number field turns ``1e9`` into ``19`` and silently drops ``abc``): a rejected entry gets a
message and the field shows the last good value again. A ladder slider (the learning rate,
λ) has such a field beside it, for the values between its steps.
"""

from html import escape

import panel as pn

from layerlab.settings import SETTINGS
from layerlab.ui.binding import bind, html_pane, with_messages
from layerlab.ui.state import LabState

# Toggles wrap onto more lines rather than shrink below a finger's width.
TOGGLES_CSS = """
.bk-btn-group { flex-wrap: wrap; gap: 4px; }
.bk-btn-group > .bk-btn { flex: 1 0 auto; min-width: 44px; border-radius: 4px !important; }
"""


def setting_widget(state: LabState, name: str, **params) -> pn.widgets.Widget:
    """The widget for setting ``name``, showing its current value (``params`` override)."""
    setting = SETTINGS[name]
    value = getattr(state, name)
    common = {
        "label": setting.label,
        "value": value,
        "css_classes": [f"ll-{name.replace('_', '-')}"],
    }
    common |= params
    if setting.widget in ("select", "ladder"):
        kind = pn.widgets.Select if setting.widget == "select" else pn.widgets.DiscreteSlider
        return kind(options=setting.options(value), **common)
    if setting.widget == "text":
        return pn.widgets.TextInput(**common)
    if setting.widget == "toggles":  # a set: one toggle per choice, the label above them
        common.pop("label")
        common |= {"value": list(value), "stylesheets": [TOGGLES_CSS]}
        common.setdefault("sizing_mode", "stretch_width")
        return pn.widgets.CheckButtonGroup(options=setting.options(), **common)
    if setting.widget == "number":
        return pn.widgets.TextInput(**{**common, "value": setting.format(value)})
    kind = pn.widgets.IntSlider if setting.kind == "int" else pn.widgets.FloatSlider
    return kind(start=setting.low, end=setting.high, step=setting.step, **common)


def setting_control(state: LabState, name: str, **params) -> pn.Column:
    """The bound widget for setting ``name`` and its message line (see ``binding.bind``)."""
    setting = SETTINGS[name]
    widget = setting_widget(state, name, **params)
    if setting.widget == "number":
        return with_messages(state, name, typed_number(state, name, widget))
    if setting.widget == "toggles":
        title = html_pane(
            f'<div class="ll-toggles-title">{escape(setting.label)}</div>', margin=(4, 10, 0, 10)
        )
        toggles = pn.Column(
            title, toggled(state, name, widget), sizing_mode="stretch_width", margin=0
        )
        return with_messages(state, name, toggles)
    event = "value_throttled" if setting.widget == "slider" else "value"
    options = setting.options if setting.widget in ("select", "ladder") else None
    control = bind(state, name, widget, event=event, options=options)
    if setting.widget == "ladder":  # a field for the values between the steps
        field = pn.widgets.TextInput(
            label="or type",
            value=setting.format(getattr(state, name)),
            width=90,
            align="end",
            css_classes=[f"ll-{name.replace('_', '-')}-typed"],
        )
        widget.sizing_mode = "stretch_width"
        control[0] = pn.Row(
            widget, typed_number(state, name, field), sizing_mode="stretch_width", margin=0
        )
    return control


def typed_number(state: LabState, name: str, field: pn.widgets.TextInput) -> pn.widgets.TextInput:
    """Bind a text ``field`` to the number setting ``name``: typed text goes through
    ``LabState.apply_text``; the field always ends up showing the setting's value."""
    setting = SETTINGS[name]
    echoing = False

    def show(value) -> None:
        nonlocal echoing
        echoing = True
        try:
            field.value = setting.format(value)
        finally:
            echoing = False

    def typed(event) -> None:
        if not echoing:
            state.apply_text(name, event.new)
            show(getattr(state, name))  # the value now, or the last good one back

    field.param.watch(typed, "value")
    state.param.watch(lambda event: show(event.new), name)
    return field


def toggled(
    state: LabState, name: str, toggles: pn.widgets.CheckButtonGroup
) -> pn.widgets.CheckButtonGroup:
    """Bind ``toggles`` to the set setting ``name``: a click goes through ``LabState.apply``
    (none left on is refused with a message); the toggles always end up showing the value."""
    echoing = False

    def show(value) -> None:
        nonlocal echoing
        echoing = True
        try:
            toggles.value = list(value)
        finally:
            echoing = False

    def clicked(event) -> None:
        if not echoing:
            state.apply(**{name: list(event.new)})
            show(getattr(state, name))  # the value now, or the last good one back

    toggles.param.watch(clicked, "value")
    state.param.watch(lambda event: show(event.new), name)
    return toggles
