"""``LabSettings``: the page's settings as ``param`` parameters, made from their declarations.

Each declaration in ``layerlab.settings`` with a place on the page (``UI_SETTINGS``) becomes
one parameter, with the declaration's default, range, choices, label and help. Nothing here
states a fact about a setting: to add one, declare it in ``layerlab.settings``.
"""

import param

from layerlab.setting import Setting
from layerlab.settings import SETTINGS, UI_SETTINGS


def parameter(setting: Setting) -> param.Parameter:
    """The ``param`` parameter for ``setting`` (its range as hard bounds)."""
    common = {"default": setting.default, "label": setting.label, "doc": setting.help}
    if setting.kind == "choice":
        return param.Selector(objects=list(setting.choices), **common)
    if setting.kind == "layers":
        return param.String(**common)
    if setting.kind == "set":  # a tuple of choices, checked by the declaration
        return param.Parameter(**common)
    if setting.kind == "int":
        return param.Integer(bounds=setting.bounds, **common)
    return param.Number(bounds=setting.bounds, **common)


class LabSettings(param.Parameterized):
    """Every setting the page offers, by name (declared in ``layerlab.settings``)."""


for _name in UI_SETTINGS:
    LabSettings.param.add_parameter(_name, parameter(SETTINGS[_name]))
