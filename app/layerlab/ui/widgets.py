"""One setting's control, made from its declaration (``layerlab.settings``).

``setting_control(state, name)`` picks the widget the declaration asks for (a menu, a
slider, a ladder slider, a number field or a text field) with the declared label, range,
step and options, binds it to ``state`` (edits go through ``LabState.apply``; state changes
come back) and returns it with its message line.
"""

import panel as pn

from layerlab.settings import SETTINGS
from layerlab.ui.binding import bind
from layerlab.ui.state import LabState


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
    bounds = {"start": setting.low, "end": setting.high, "step": setting.step}
    if setting.widget == "slider":
        kind = pn.widgets.IntSlider if setting.kind == "int" else pn.widgets.FloatSlider
    else:
        kind = pn.widgets.IntInput if setting.kind == "int" else pn.widgets.FloatInput
        bounds = {key: value for key, value in bounds.items() if value is not None}
    return kind(**bounds, **common)


def setting_control(state: LabState, name: str, **params) -> pn.Column:
    """The bound widget for setting ``name`` and its message line (see ``binding.bind``)."""
    setting = SETTINGS[name]
    widget = setting_widget(state, name, **params)
    event = "value_throttled" if setting.widget == "slider" else "value"
    options = setting.options if setting.widget in ("select", "ladder") else None
    return bind(state, name, widget, event=event, options=options)
