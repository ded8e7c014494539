"""URL state: exact round trips, clamping, presets, hidden controls, a corpus of hostile links."""

import math
import random
import subprocess
import sys
from urllib.parse import parse_qsl

import pytest

from layerlab.layers import MAX_HIDDEN_LAYERS, MAX_UNITS
from layerlab.settings import LINK_SETTINGS as SETTINGS
from layerlab.settings import SETTINGS as DECLARED
from layerlab.ui.link_values import QUOTE_CHARS
from layerlab.ui.state import PRESETS, LabState
from layerlab.ui.urlstate import (
    CONTROL_GROUPS,
    CONTROLS,
    MAX_NOTICES,
    MAX_QUERY_CHARS,
    MAX_VALUE_CHARS,
    format_query,
    parse_query,
    plain_query,
)

DEFAULTS = {name: LabState.param[name].default for name in SETTINGS}


def random_settings(rng: random.Random) -> dict:
    """A random valid state: any choice, any integer and any float within the bounds."""
    settings = {}
    for name in SETTINGS:
        setting = DECLARED[name]
        if setting.kind == "layers":
            sizes = [rng.randint(1, MAX_UNITS) for _ in range(rng.randint(0, MAX_HIDDEN_LAYERS))]
            settings[name] = ", ".join(map(str, sizes)) if sizes else "none"
        elif setting.kind == "choice":
            settings[name] = rng.choice(list(setting.choices))
        elif setting.kind == "set":  # a canonical selection: some choices, in their order
            chosen = rng.sample(list(setting.choices), rng.randint(1, len(setting.choices)))
            settings[name] = tuple(key for key in setting.choices if key in chosen)
        elif setting.kind == "int":
            settings[name] = rng.randint(*setting.bounds)
        else:
            low, high = setting.bounds
            settings[name] = rng.choice([low, high, rng.uniform(low, high), low * (1 + 1e-15)])
    return settings


def bits(settings: dict) -> dict:
    """Settings with floats as their exact bit patterns (so 0.0 != -0.0 and 0.1 != 0.1+ulp)."""
    return {k: v.hex() if isinstance(v, float) else (type(v), v) for k, v in settings.items()}


# -- round trips -----------------------------------------------------------------------------
def test_random_states_round_trip_bit_for_bit():
    rng = random.Random(5)
    for _ in range(300):
        settings = random_settings(rng)
        parsed = parse_query("?" + format_query(settings))
        assert parsed.notices == []
        assert bits(parsed.settings) == bits(settings)


def test_floats_that_print_badly_round_trip():
    for value in (0.1 + 0.2, 1 / 3, 2.0**-9, 9.999999999999999, 1e-05, 0.30000000000000004):
        settings = {**DEFAULTS, "learning_rate": value, "noise": value / 10}
        assert bits(parse_query(format_query(settings)).settings) == bits(settings)


def test_the_canonical_link_is_short_and_readable():
    settings = {**DEFAULTS, "n_points": 300, "noise": 0.2, "test_ratio": 0.3, "data_seed": 0}
    settings |= {"hidden_layers": "8, 8", "lambd": 0.0, "learning_rate": 0.01, "batch_size": 0}
    settings |= {"dataset": "moons", "optimizer": "adam", "init": "he", "keep_prob": 1.0}
    settings |= {"lambd_l1": 0.0, "activation": "relu"}
    settings |= {"iterations": 1500, "weight_seed": 1}
    assert format_query(settings) == (
        "dataset=moons&n_points=300&noise=0.2&test_ratio=0.3&data_seed=0&features=x1,x2"
        "&hidden_layers=8,8&lambd=0&lambd_l1=0&learning_rate=0.01&optimizer=adam&init=he"
        "&activation=relu&batch_size=0&keep_prob=1"
        "&iterations=1500&weight_seed=1"
    )


def test_defaults_may_be_left_out():
    settings = {**DEFAULTS, "lambd": 0.1, "hidden_layers": "20,7, 5"}
    query = format_query(settings, DEFAULTS)
    assert query == "hidden_layers=20,7,5&lambd=0.1"
    assert parse_query(query).settings == {"hidden_layers": "20, 7, 5", "lambd": 0.1}


def test_a_restored_link_replays_the_same_cost_curve():
    settings = {
        **DEFAULTS,
        "dataset": "spiral",
        "n_points": 137,
        "noise": 0.123456789012345,
        "data_seed": 42,
        "hidden_layers": "7, 3",
        "learning_rate": 0.0123456789,
        "lambd": 0.0317,
        "batch_size": 32,
        "keep_prob": 0.85,
        "weight_seed": 2024,
    }
    original = LabState(**settings)
    restored = LabState(**parse_query(format_query(settings)).settings)
    original.session.trainer.step(30)
    restored.session.trainer.step(30)
    assert restored.session.trainer.history.costs == original.session.trainer.history.costs


# -- clamping and rejection ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "key", "value", "notice"),
    [
        ("n_points=5", "n_points", 20, "n_points='5' is below the minimum: used 20."),
        ("noise=7.5", "noise", 1.0, "noise='7.5' is above the maximum: used 1."),
        ("learning_rate=1e-9", "learning_rate", 1e-05, "used 1e-05"),
        ("learning_rate=1e-400", "learning_rate", 1e-05, "used 1e-05"),
        ("data_seed=-3", "data_seed", 0, "data_seed='-3' is below the minimum: used 0."),
        ("iterations=1e300", "iterations", 100_000, "used 100000"),
        ("batch_size=" + "9" * 150, "batch_size", 2000, "'" + "9" * QUOTE_CHARS + "'…"),
    ],
)
def test_out_of_range_numbers_are_clamped_with_a_notice(query, key, value, notice):
    parsed = parse_query(query)
    assert parsed.settings == {key: value}
    assert len(parsed.notices) == 1
    assert notice in parsed.notices[0]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("optimizer=sgd", "is not one of gd, momentum, adam"),
        ("dataset=MOONS", "is not one of moons, circles"),
        ("init=", "init is empty"),
        ("lambd=abc", "is not a number"),
        ("lambd=1e309", "is not a finite number"),
        ("lambd=-1e309", "is not a finite number"),
        ("n_points=2.5", "is not a whole number"),
        ("hidden_layers=8,,x", "Layer 2 is empty"),
        ("hidden_layers=8,x", "Layer 2 is 'x'"),
        ("hidden_layers=1000", "use between 1 and 256 units"),
        ("hidden_layers=1,2,3,4,5,6,7,8,9", "too many"),
    ],
)
def test_unusable_values_are_ignored_with_a_notice(query, words):
    parsed = parse_query(query)
    assert parsed.settings == {}
    assert len(parsed.notices) == 1
    assert words in parsed.notices[0]
    assert "kept the default" in parsed.notices[0].lower()


@pytest.mark.parametrize(
    ("text", "value"), [("1e3", 1000), ("+40", 40), ("040", 40), (" 50 ", 50), ("60.0", 60)]
)
def test_integers_in_plain_decimal_forms(text, value):
    assert parse_query(f"n_points={text}").settings == {"n_points": value}


@pytest.mark.parametrize(("text", "value"), [(".5", 0.5), ("5.", 1.0), ("+0.25", 0.25)])
def test_reals_in_plain_decimal_forms(text, value):
    assert parse_query(f"noise={text}").settings == {"noise": value}


def test_negative_zero_becomes_zero():
    settings = parse_query("lambd=-0&data_seed=-0&noise=-0.0").settings
    assert settings == {"lambd": 0.0, "data_seed": 0, "noise": 0.0}
    assert math.copysign(1.0, settings["lambd"]) == 1.0
    assert math.copysign(1.0, settings["noise"]) == 1.0


def test_layers_are_stored_in_canonical_form():
    assert parse_query("hidden_layers=8+8,%204").settings == {"hidden_layers": "8, 8, 4"}
    assert parse_query("hidden_layers=NONE").settings == {"hidden_layers": "none"}


# -- keys ------------------------------------------------------------------------------------
def test_unknown_keys_are_ignored_with_a_notice_and_the_rest_applies():
    parsed = parse_query("?foo=1&lambd=0.5&__class__=x")
    assert parsed.settings == {"lambd": 0.5}
    assert parsed.notices == [
        "Unknown setting 'foo' in the link: ignored.",
        "Unknown setting '__class__' in the link: ignored.",
    ]


def test_a_repeated_key_takes_the_last_value():
    parsed = parse_query("lambd=0.1&noise=0.3&lambd=0.2")
    assert parsed.settings == {"lambd": 0.2, "noise": 0.3}
    assert parsed.notices == ["'lambd' is given more than once: used the last."]


def test_the_hash_and_a_leading_question_mark_are_ignored():
    assert parse_query("?lambd=0.5#noise=0.9").settings == {"lambd": 0.5}
    assert parse_query("") == parse_query("?")
    assert parse_query("").settings == {}


# -- presets ---------------------------------------------------------------------------------
def test_a_preset_applies_first_and_explicit_keys_override_it():
    parsed = parse_query("lambd=0.5&preset=article")
    assert parsed.preset == "article"
    assert parsed.settings == {**PRESETS["article"], "lambd": 0.5}
    assert parsed.notices == []


def test_an_invalid_explicit_key_keeps_the_preset_value():
    parsed = parse_query("preset=article&hidden_layers=8,,x")
    assert parsed.settings["hidden_layers"] == PRESETS["article"]["hidden_layers"]
    assert len(parsed.notices) == 1


def test_an_unknown_preset_is_named_with_the_choices():
    parsed = parse_query("preset=best")
    assert parsed.preset is None
    assert parsed.settings == {}
    assert parsed.notices == [f"Unknown preset 'best': use one of {', '.join(PRESETS)}."]


# -- hidden controls -------------------------------------------------------------------------
def test_control_groups_name_controls():
    for members in CONTROL_GROUPS.values():
        assert set(members) <= set(CONTROLS)
    assert set(SETTINGS) <= set(CONTROLS)


def test_hide_names_controls_and_groups():
    parsed = parse_query("hide=lambd, play,network")
    assert parsed.hidden == {"lambd", "play", *CONTROL_GROUPS["network"]}
    assert parsed.notices == []


def test_only_shows_just_these():
    parsed = parse_query("only=lambd,play")
    assert parsed.hidden == set(CONTROLS) - {"lambd", "play"}


def test_only_and_hide_combine():
    parsed = parse_query("only=training,play&hide=steps_per_tick")
    assert parsed.hidden == set(CONTROLS) - {*CONTROL_GROUPS["training"], "play"} | {
        "steps_per_tick"
    }


def test_only_with_no_known_name_hides_nothing():
    parsed = parse_query("only=lamda")
    assert parsed.hidden == set()
    assert "unknown control 'lamda'" in parsed.notices[0]
    assert "showing every control" in parsed.notices[1]


def test_hidden_controls_survive_the_written_link():
    query = format_query(DEFAULTS, hidden={"play", "lambd", "presets"})
    assert query.endswith("&hide=lambd,presets,play")
    assert parse_query(query).hidden == {"play", "lambd", "presets"}


def hidden_sets() -> list[set[str]]:
    """Sets of hidden controls: none, each alone, all but each, each group and its
    complement, all of them, with and without Play, and random ones."""
    everything = set(CONTROLS)
    sets = [set(), everything, everything - {"play"}]
    for name in CONTROLS:
        sets += [{name}, everything - {name}, everything - {name, "play"}]
    for members in CONTROL_GROUPS.values():
        sets += [set(members), everything - set(members), everything - set(members) - {"play"}]
    rng = random.Random(15)
    sets += [{name for name in CONTROLS if rng.random() < rng.random()} for _ in range(2_000)]
    return [hidden | extra for hidden in sets for extra in (set(), {"play"})]


def test_every_set_of_hidden_controls_round_trips_within_the_value_limit():
    for hidden in hidden_sets():
        query = format_query(DEFAULTS, hidden=hidden)
        parsed = parse_query(query)
        assert parsed.hidden == hidden, query
        assert parsed.notices == [], query
        assert parse_query(format_query(DEFAULTS, hidden=parsed.hidden)) == parsed
        values = [value for key, value in parse_qsl(query) if key in ("only", "hide")]
        assert all(len(value) <= MAX_VALUE_CHARS for value in values), query


def test_the_shorter_of_only_and_hide_fits_for_any_set_of_controls():
    # hide= names the hidden controls, only= the others (or "play"): together they name
    # each control at most once, so the shorter one is at most half of all the names.
    longest = (len(",".join(CONTROLS)) + len(",play")) // 2
    assert longest <= MAX_VALUE_CHARS
    assert len(",".join(CONTROLS)) > MAX_VALUE_CHARS  # hide= alone would not always fit


def test_a_link_showing_few_controls_writes_only():
    shown = parse_query("only=lambd,lambd_l1").hidden
    assert format_query(DEFAULTS, hidden=shown).endswith("&only=lambd,lambd_l1")
    play_too = parse_query("only=lambd&hide=play").hidden
    assert format_query(DEFAULTS, hidden=play_too).endswith("&only=lambd&hide=play")
    nothing = parse_query("only=play&hide=play").hidden
    assert nothing == set(CONTROLS)
    assert format_query(DEFAULTS, hidden=nothing).endswith("&only=play&hide=play")
    assert format_query(DEFAULTS, hidden={"lambd"}).endswith("&hide=lambd")


# -- hostile links ---------------------------------------------------------------------------
MARKER = "Q" * 50  # longer than any quote may be
HOSTILE = [
    "x=" + "9" * 10_000,
    "n_points=" + "9" * 10_000,
    "n_points=" + "9" * 3_000,
    "lambd=" + "[" * 8_000,
    "lambd=" + "[" * 3_000,
    "lambd=" + "%5B" * 1_300,
    "lambd=1e309&noise=nan&test_ratio=NaN&keep_prob=inf&learning_rate=-inf",
    "lambd=-0&n_points=-0",
    "n_points=%D9%A1%D9%A2%D9%A3&noise=%EF%BC%91&data_seed=%E0%A5%AA",  # ١٢٣, fullwidth 1, ४
    "hidden_layers=<script>alert(1)</script>",
    "hidden_layers=%3Cscript%3Ealert(1)%3C/script%3E",
    "dataset=<img src=x onerror=alert(1)>&<b>=1&preset=<i>&hide=<svg>",
    "hidden_layers=8,,x&optimizer=__import__('os')",
    "lambd=0x10&noise=1_000&n_points=1,000&data_seed=1.5e3.2",
    "lambd=%00&noise=%FF%FE&dataset=%E2%80%AEsnoom",
    f"{MARKER}=1&dataset={MARKER}&hidden_layers={MARKER}&hide={MARKER}&only={MARKER}",
    "&".join(f"k{i}=1" for i in range(1_000)),
    "&".join(f"k{i}=1" for i in range(40)),
    "lambd[]=1&lambd[0]=2&a=b=c&=&&&==",
    "hide=" + ",".join(["lambd"] * 500),
    "preset=article&preset=recommended&preset=%3Cx%3E",
    "%",
    "?&#?",
    "changes=lambd@1:1e309,learning_rate@2:-0,lambd@3:%3Cscript%3E,lambd@@:1",
    "changes=" + ",".join(["lambd@1:0.1"] * 30) + "&changes=" + "[" * 3000,
]


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: q[:30])
def test_hostile_links_are_handled(query):
    parsed = parse_query(query)
    assert len(parsed.notices) <= MAX_NOTICES
    for notice in parsed.notices:
        assert "<" not in notice
        assert ">" not in notice
        assert MARKER not in notice
        assert len(notice) < 700
    assert set(parsed.hidden) <= set(CONTROLS)
    state = LabState(changes=parsed.changes)
    assert state.apply(**parsed.settings) == {}  # whatever got through is a valid setting


def test_an_over_long_link_is_ignored_whole():
    parsed = parse_query("lambd=0.5&x=" + "a" * MAX_QUERY_CHARS)
    assert parsed.settings == {}
    assert "too long" in parsed.notices[0]


def test_many_problems_are_summarised():
    parsed = parse_query("&".join(f"k{i}=1" for i in range(40)))
    assert len(parsed.notices) == MAX_NOTICES
    assert parsed.notices[-1] == f"… and {40 - MAX_NOTICES + 1} more problems in the link."


@pytest.mark.parametrize("query", [None, b"lambd=1", 42])
def test_a_query_that_is_not_text_is_ignored(query):
    parsed = parse_query(query)
    assert parsed.settings == {}
    assert parsed.notices == ["The link's settings are not text: ignored them."]


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: q[:30])
def test_the_plain_parser_for_panel_survives_hostile_links(query):
    pairs = plain_query("?" + query)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in pairs.items())


def test_the_plain_parser_keeps_text_and_the_last_value():
    assert plain_query("?n_points=32&layers=[8,8]&x=true&n_points=40") == {
        "n_points": "40",
        "layers": "[8,8]",
        "x": "true",
    }


def test_importing_urlstate_does_not_import_panel():
    code = "import sys, layerlab.ui.urlstate; assert 'panel' not in sys.modules, 'panel'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# -- changes during the run ------------------------------------------------------------------
def test_changes_round_trip_in_order():
    changes = [(3, "lambd", 0.1), (3, "learning_rate", 0.0123456789), (40, "lambd", 1 / 3)]
    query = format_query(DEFAULTS, changes=changes)
    assert "changes=lambd@3:0.1,learning_rate@3:0.0123456789,lambd@40:0.3333333333333333" in query
    parsed = parse_query(query)
    assert parsed.notices == []
    assert list(parsed.changes) == sorted(changes)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("lambd@3:abc", "is not a number"),
        ("optimizer@3:gd", "write learning_rate, lambd or lambd_l1@iteration:value"),
        ("lambd@0:0.1", "the iteration is out of range"),
        ("lambd@9999999:0.1", "write learning_rate, lambd or lambd_l1"),
        ("lambd:0.1", "write learning_rate, lambd or lambd_l1"),
        ("<b>@1:1", "write learning_rate, lambd or lambd_l1"),
    ],
)
def test_bad_changes_are_left_out_with_a_notice(text, words):
    parsed = parse_query("changes=" + text + ",lambd@5:0.2")
    assert parsed.changes == ((5, "lambd", 0.2),)
    assert len(parsed.notices) == 1
    assert words in parsed.notices[0]
    assert "<" not in parsed.notices[0]


def test_a_change_out_of_range_is_clamped_like_its_setting():
    parsed = parse_query("changes=lambd@5:99")
    assert parsed.changes == ((5, "lambd", 10.0),)
    assert "above the maximum: used 10" in parsed.notices[0]


def test_too_many_changes_are_ignored_whole():
    parsed = parse_query("changes=" + ",".join(f"lambd@{i}:0.1" for i in range(1, 60)))
    assert parsed.changes == ()
    assert "at most" in parsed.notices[0]


def test_only_keeps_play_and_hide_play_is_explicit():
    assert "play" not in parse_query("only=lambd").hidden
    assert "play" in parse_query("only=lambd&hide=play").hidden
