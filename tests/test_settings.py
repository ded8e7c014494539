"""The settings contract: each setting declared once, and every reader agrees with it.

For every declaration: the widget spans the declared range, a link clamps into the same
range, the core (``TrainConfig`` or the data generator) accepts both ends of it, and the
range lies inside the core's domain, whose edges the core rejects with its own message.
"""

import math
import subprocess
import sys
from pathlib import Path

import panel as pn
import pytest

from layerlab import ACTIVATIONS, TrainConfig
from layerlab.datasets import DATASETS
from layerlab.initializers import INITIALIZERS
from layerlab.optimizers import OPTIMIZERS
from layerlab.settings import CONFIG_SETTINGS, LINK_SETTINGS, SETTINGS, UI_SETTINGS
from layerlab.ui.data import make_lab_data
from layerlab.ui.state import LabState
from layerlab.ui.urlstate import CONTROL_GROUPS, CONTROLS, parse_query
from layerlab.ui.widgets import setting_control, setting_widget

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = [name for name, s in SETTINGS.items() if s.kind in ("int", "float")]
UI_NUMBERS = [name for name in NUMBERS if name in UI_SETTINGS]
DATA_DEFAULTS = {name: SETTINGS[name].default for name in LINK_SETTINGS}


def test_choices_are_the_core_registries():
    assert list(SETTINGS["dataset"].choices) == list(DATASETS)
    assert list(SETTINGS["init"].choices) == list(INITIALIZERS)
    assert list(SETTINGS["optimizer"].choices) == list(OPTIMIZERS)
    assert list(SETTINGS["activation"].choices) == list(ACTIVATIONS)


def test_every_trainconfig_field_is_declared():
    fields = set(TrainConfig.__dataclass_fields__)
    assert set(CONFIG_SETTINGS) == fields


@pytest.mark.parametrize("name", list(SETTINGS))
def test_the_default_is_valid_everywhere(name):
    setting = SETTINGS[name]
    if setting.group:
        assert setting.check(setting.default) == setting.default
    if setting.config_field:
        setting.check_domain(setting.config_value(setting.default))


@pytest.mark.parametrize("name", NUMBERS)
def test_the_range_lies_inside_the_core_domain(name):
    setting, domain = SETTINGS[name], SETTINGS[name].domain
    lowest = setting.low if setting.none_below is None else setting.none_below  # below: None
    assert domain.low <= lowest
    assert setting.high <= domain.high
    for value in (setting.low, setting.high):
        setting.check_domain(setting.config_value(value))
    below = domain.low - (1 if setting.kind == "int" else 1e-9 * max(1, abs(domain.low)))
    with pytest.raises(ValueError, match=setting.config_field or name):
        setting.check_domain(below if not domain.low_open else domain.low)


@pytest.mark.parametrize("name", UI_NUMBERS)
def test_widget_link_and_core_agree_on_the_range(name):
    setting = SETTINGS[name]
    state = LabState()
    widget = setting_widget(state, name)
    if setting.widget == "slider":
        assert (widget.start, widget.end) == (setting.low, setting.high)
    elif setting.widget == "number":  # a typed field: the ends go in, and nothing beyond
        field = setting_control(state, name)[0]
        for value in (setting.low, setting.high):
            field.value = setting.format(value)
            assert getattr(state, name) == value
        field.value = setting.format(setting.high + 1)
        assert getattr(state, name) == setting.high
        assert field.value == setting.format(setting.high)
        assert name in state.messages
    else:  # a menu or ladder: every value it offers is in the range
        assert all(setting.low <= value <= setting.high for value in widget.options.values())
    assert LabState.param[name].bounds == setting.bounds
    if setting.in_link:
        huge, tiny = parse_query(f"{name}=1e300"), parse_query(f"{name}=-1e300")
        assert huge.settings[name] == setting.high
        assert tiny.settings[name] == setting.low
    for value in (setting.low, setting.high):  # the app accepts the ends of the range ...
        assert state.apply(**{name: value}) == {}
    outside = setting.high + (1 if setting.kind == "int" else setting.high * 1e-6 + 1e-9)
    assert name in state.apply(**{name: outside})  # ... and nothing beyond
    if setting.config_field:  # ... and so does the core
        for value in (setting.low, setting.high):
            TrainConfig(**{setting.config_field: setting.config_value(value)})
    elif setting.group == "data":
        for value in (setting.low, setting.high):
            data = {**DATA_DEFAULTS, "n_points": 40, name: value}
            keys = ("dataset", "n_points", "noise", "test_ratio", "data_seed")
            make_lab_data(*(data[key] for key in keys))


def test_link_keys_controls_and_groups_come_from_the_declarations():
    assert set(LINK_SETTINGS) <= set(UI_SETTINGS)
    assert "steps_per_tick" not in LINK_SETTINGS
    assert set(UI_SETTINGS) <= set(CONTROLS)
    grouped = [name for members in CONTROL_GROUPS.values() for name in members]
    assert sorted(grouped) == sorted(UI_SETTINGS)


def test_every_setting_has_a_widget():
    state = LabState()
    for name in UI_SETTINGS:
        assert isinstance(setting_widget(state, name), pn.widgets.Widget), name


def test_parse_and_format_round_trip_every_value_a_control_offers():
    for name in LINK_SETTINGS:
        setting = SETTINGS[name]
        values = setting.ladder or list(setting.choices) or [setting.default]
        if setting.kind == "set":  # a selection: the default, each choice alone, all of them
            values = [setting.default, *((key,) for key in setting.choices), tuple(values)]
        for value in values:
            parsed = setting.parse(setting.format(value))
            assert parsed == value
            assert type(parsed) is type(value) or isinstance(value, int | float)


def test_messages_name_the_setting_and_the_range():
    setting = SETTINGS["lambd"]
    with pytest.raises(ValueError, match=r"^L2 λ must be between 0 and 10 \(got 11\); kept 0\.$"):
        setting.check(11, current=0.0)
    with pytest.raises(ValueError, match=r"lambd = -1.0 is out of range; use a value in \[0, ∞\)"):
        TrainConfig(lambd=-1)
    assert math.isinf(setting.domain.high)


def test_views_read_the_session_api_and_never_the_trainer():
    ui = ROOT / "app" / "layerlab" / "ui"
    session_parts = ("session.py", "evaluations.py")  # the session, and its predictions' part
    readers = [path for path in ui.glob("*.py") if path.name not in session_parts]
    offenders = [path.name for path in readers if ".trainer" in path.read_text()]
    assert offenders == []


def test_a_new_declaration_is_all_a_new_setting_needs(tmp_path):
    """Declare one more setting (here: the core-only decay rate, given a place on the page
    and in links) and every reader picks it up: a widget, a link key that round-trips,
    the URL clamp, the state's check, TrainConfig and the exported script."""
    code = """
import dataclasses
import layerlab.settings as declared

decay = dataclasses.replace(declared.SETTINGS["decay_rate"], group="training", in_link=True)
declared.SETTINGS["decay_rate"] = decay
declared.UI_SETTINGS += ("decay_rate",)
declared.LINK_SETTINGS += ("decay_rate",)

from layerlab.ui import create_app_from_link
from layerlab.ui.model_io import script_text
from layerlab.ui.widgets import setting_control, setting_widget

lab = create_app_from_link("?decay_rate=50&iterations=5")
state = lab.state
assert state.decay_rate == 10.0, state.decay_rate  # clamped into the declared range
assert "decay_rate" in lab.controls.components
assert setting_widget(state, "decay_rate").value == "10"
assert "Decay must be between 0 and 10" in state.apply(decay_rate=11)["decay_rate"]
state.apply(decay_rate=0.5)
assert state.session.trainer.config.decay_rate == 0.5
assert "decay_rate=0.5" in lab.address.query()
assert "DECAY_RATE = 0.5" in script_text(state)
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize("name", [name for name, s in SETTINGS.items() if s.kind == "set"])
def test_toggles_link_and_data_agree_on_a_selection(name):
    """A selection (the input features): the toggles offer exactly the choices, a link and
    the toggles take any order and refuse none or unknown names, and the data accepts
    every choice alone and all together (and refuses what the link refuses)."""
    setting = SETTINGS[name]
    state = LabState()
    widget = setting_widget(state, name)
    assert list(widget.options.values()) == list(setting.choices)
    assert list(widget.options) == list(setting.choices.values())
    assert widget.value == list(setting.default)
    everything = tuple(setting.choices)
    parsed = parse_query(f"{name}=" + ",".join(reversed(everything)))
    assert (parsed.settings[name], parsed.notices) == (everything, [])
    for bad in ("nope", ",", "", "x1,nope"):
        assert name not in parse_query(f"{name}={bad}").settings, bad
    toggles = setting_control(state, name)[0][1]
    toggles.value = list(reversed(everything))
    assert getattr(state, name) == everything
    toggles.value = []  # none left on: refused, and the toggles show the last good value
    assert getattr(state, name) == everything
    assert name in state.messages
    assert toggles.value == list(everything)
    for value in [*((key,) for key in setting.choices), everything]:
        assert make_lab_data("moons", 40, 0.1, 0.25, 0, value).X_train.shape[0] == len(value)
    for bad, message in ((("nope",), "unknown features 'nope'"), ((), "no features")):
        with pytest.raises(ValueError, match=message):
            make_lab_data("moons", 40, 0.1, 0.25, 0, bad)
