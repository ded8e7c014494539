"""A hostile tester's corpus, through the app's real entry points: typed values, files, links
and fragments. Every refusal says what was wrong, and loses nothing: the session (data,
network, progress) and the plots stay exactly as they were.
"""

import html
import math

import numpy as np
import panel as pn
import pytest

from layerlab.serialization import params_to_json
from layerlab.settings import SETTINGS as DECLARED
from layerlab.sweep import default_grid
from layerlab.ui.app import LayerLab, create_app_from_link
from layerlab.ui.model_io import ParamsUpload, use_params_file
from layerlab.ui.state import LabState
from layerlab.ui.upload import DataUpload, use_csv
from layerlab.ui.urlstate import parse_query

SMALL = {"n_points": 60, "hidden_layers": "4, 3"}
SETTING_LABELS = {name: setting.label for name, setting in DECLARED.items()}

TYPED = [
    ("n_points", "1e9"),
    ("n_points", "abc"),
    ("n_points", "-5"),
    ("noise", "nan"),
    ("noise", "inf"),
    ("noise", "1e999"),
    ("iterations", "0x10"),
    ("iterations", "1_000"),
    ("iterations", "2.5"),
    ("data_seed", "9" * 300),
    ("weight_seed", ""),
    ("weight_seed", "<script>"),
    ("learning_rate", "0"),
    ("learning_rate", "-1"),
    ("lambd", "١"),
    ("lambd_l1", "-1"),
    ("lambd_l1", "nan"),
    ("lambd_l1", "1e999"),
    ("lambd_l1", "11"),
]
SETTINGS = [
    ("hidden_layers", "8,,x"),
    ("hidden_layers", "1 " * 100),
    ("hidden_layers", "300"),
    ("hidden_layers", 8),
    ("optimizer", "__import__('os')"),
    ("dataset", None),
    ("keep_prob", 0.0),
    ("batch_size", 10**400),
    ("lambd", float("nan")),
    ("lambd_l1", float("inf")),
    ("lambd_l1", -0.5),
    ("activation", "RELU"),
    ("activation", "<script>"),
    ("activation", None),
    ("features", ["x1", "x9"]),
    ("features", []),
    ("features", "x1,x2"),
    ("features", ["<script>alert(1)</script>"]),
    ("features", [["x1"]]),
]
CSVS = [
    b"",
    b"\xff\xfe\x00garbage",
    b"a,b\n",
    b"a,b,label\n1,2,3\n4,5,6\n",
    b"a,b,label\n" + b"1,2,0\n" * 3,
    b"x" * 1_000_001,
    ("a,b,label\n" + "1,nan,0\n2,3,1\n" * 10).encode(),
    b"a;b\tc,label\n1;2\t3,0\n",
]
WEIGHTS = [
    (b"", "w.npz"),
    (b"", "w.json"),
    (b"[" * 100_000, "w.json"),
    (b'{"W1": ' * 5_000, "w.json"),
    (b"PK\x03\x04 not a zip", "w.npz"),
    (b'{"W1": [[1e999]], "b1": [[0]]}', "w.json"),
    (b'{"W1": [[1, 2]], "b1": [[0]], "W2": [[1]], "b2": [[0]]}', "w.json"),
    (b"x" * 20_000_001, "w.json"),
]


@pytest.fixture
def lab():
    """A lab that has trained a few iterations, with its plots drawn."""
    lab = LayerLab(LabState(**SMALL))
    for _ in range(3):
        lab.state.step()
    return lab


def snapshot(lab: LayerLab) -> tuple:
    session = lab.state.session
    return (
        session,
        session.data,
        session.iteration,
        {key: value.copy() for key, value in session.trainer.params.items()},
        list(lab.plots.cost_source.data["train_cost"]),
        dict(lab.state.settings()),
    )


def assert_unchanged(lab: LayerLab, before: tuple) -> None:
    after = snapshot(lab)
    assert after[0] is before[0]
    assert after[1] is before[1]
    assert after[2] == before[2]
    for key, value in before[3].items():
        np.testing.assert_array_equal(after[3][key], value)
    assert after[4] == before[4]
    assert after[5] == before[5]


@pytest.mark.parametrize(("name", "text"), TYPED, ids=lambda value: repr(value)[:20])
def test_typed_values(lab, name, text):
    before = snapshot(lab)
    message = lab.state.apply_text(name, text)[name]
    assert SETTING_LABELS[name] in message  # it names the setting
    assert_unchanged(lab, before)


@pytest.mark.parametrize(("name", "value"), SETTINGS, ids=lambda value: repr(value)[:20])
def test_set_values(lab, name, value):
    before = snapshot(lab)
    assert name in lab.state.apply(**{name: value})
    assert_unchanged(lab, before)


@pytest.mark.parametrize("raw", CSVS, ids=lambda raw: repr(raw[:16]))
def test_csv_files(lab, raw):
    before = snapshot(lab)
    upload = DataUpload(lab.state)
    upload.file.param.update(value=raw, filename="hostile.csv")
    assert "ll-msg-text" in upload.message.object  # said why
    assert_unchanged(lab, before)
    with pytest.raises(ValueError, match=r"\w"):
        use_csv(lab.state, raw, "hostile.csv")
    assert_unchanged(lab, before)


@pytest.mark.parametrize(("raw", "name"), WEIGHTS, ids=lambda value: repr(value)[:16])
def test_weights_files(lab, raw, name):
    before = snapshot(lab)
    upload = ParamsUpload(lab.state)
    upload.file.param.update(value=raw, filename=name)
    assert "Not loaded" in upload.message.object
    assert_unchanged(lab, before)
    with pytest.raises((ValueError, TypeError)):
        use_params_file(lab.state, raw, name)
    assert_unchanged(lab, before)


def test_weights_that_fit_after_junk_still_load(lab):
    good = params_to_json(lab.state.session.weights()).encode()
    upload = ParamsUpload(lab.state)
    upload.file.param.update(value=b"[" * 100_000, filename="w.json")
    upload.file.param.update(value=good, filename="good.json")
    assert "Loaded weights" in upload.message.object


@pytest.mark.parametrize(
    "query",
    [
        "?n_points=100#<img src=x onerror=alert(1)>",
        "?changes=" + ",".join(f"lambd@{i}:1e309" for i in range(1, 30)),
        "?changes=lambd@1:0.1&changes=" + "%" * 3000,
        "?hidden_layers=256,256,256,256,256,256,256,256&n_points=2000&batch_size=1",
        "?only=" + ",".join(["lambd"] * 300) + "&hide=play",
        "?lambd=-0&learning_rate=1e-400&noise=1e400",
    ],
    ids=["fragment", "bad-changes", "repeated-junk", "largest-network", "only-flood", "extremes"],
)
def test_links_build_a_working_lab(query):
    lab = create_app_from_link(query)
    state = lab.state
    assert state.settings()  # a complete, valid set of settings
    assert all(
        math.isfinite(value) for value in state.settings().values() if isinstance(value, float)
    )
    state.step()
    while state.busy:  # a big iteration goes on over ticks
        state.tick(budget_s=math.inf)
    assert state.session.iteration == 1


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?activation=<script>alert(1)</script>", "is not one of relu, leaky_relu, tanh, sigmoid"),
        ("?activation=RELU", "activation='RELU' is not one of relu, leaky_relu, tanh, sigmoid"),
        ("?activation=", "activation is empty in the link"),
        ("?lambd_l1=-1", "lambd_l1='-1' is below the minimum: used 0."),
        ("?lambd_l1=nan", "lambd_l1='nan' is not a number"),
        ("?lambd_l1=1e999", "lambd_l1='1e999' is not a finite number"),
        ("?lambd_l1=" + "9" * 40, "is above the maximum: used 10."),
        ("?changes=lambd_l1@3:-1", "lambd_l1='-1' is below the minimum: used 0."),
        ("?changes=activation@3:tanh", "write learning_rate, lambd or lambd_l1@iteration:value"),
    ],
    ids=["script", "upper-case", "empty", "negative", "nan", "inf", "huge", "bad-change", "change"],
)
def test_bad_activation_and_l1_links_say_so_and_the_lab_works(query, words):
    """Each bad value gets a notice naming it (and what is allowed or kept); the lab starts
    with the default (ReLU, no L1) or the value clamped into the range, and trains."""
    lab = create_app_from_link(query)
    state = lab.state
    shown = lab.notices.objects[0].object
    assert lab.notices.visible
    assert words in html.unescape(shown), shown
    assert "<script>" not in shown  # shown as text, never as HTML
    assert state.activation in ("relu", "leaky_relu", "tanh", "sigmoid")
    assert 0.0 <= state.lambd_l1 <= DECLARED["lambd_l1"].high
    state.step()
    assert state.session.iteration == 1
    assert all(math.isfinite(cost) for cost in state.session.trainer.history.costs)


@pytest.mark.parametrize(
    ("query", "features", "notice"),
    [
        ("?features=x1,x9", ("x1", "x2"), "features='x1,x9' has 'x9', not one of x1, x2"),
        ("?features=", ("x1", "x2"), "features is empty in the link: kept the default."),
        ("?features=,,", ("x1", "x2"), "features=',,' names none of x1, x2"),
        ("?features=" + ",".join(["x1sq"] * 500), ("x1", "x2"), "features is too long"),
        ("?features=" + ",".join(["x1sq"] * 30), ("x1sq",), "names a feature more than once"),
        ("?features=<script>alert(1)</script>", ("x1", "x2"), "has '‹script›alert(1)‹/scrip…"),
    ],
    ids=["unknown", "empty", "commas", "500-repeated", "30-repeated", "script"],
)
def test_feature_links_say_what_was_wrong_and_build_a_working_lab(query, features, notice):
    lab = create_app_from_link(query)
    state = lab.state
    assert state.features == features
    notices = parse_query(query).notices
    assert any(notice in text for text in notices), notices
    assert not any("<" in text for text in notices)
    assert lab.notices.visible
    state.step()
    assert state.session.layer_dims[0] == len(features)
    assert state.session.iteration == 1


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?sweep=-1", "the λ grid has -1, below 0"),
        ("?sweep=0,11", "the λ grid has 11, above the maximum 10"),
        ("?sweep=", "the λ grid is empty"),
        ("?sweep=,,,", "the λ grid is empty"),
        ("?sweep=nan", "'nan', which is not a number"),
        ("?sweep=1e999", "'1e999', which is not a finite number"),
        ("?sweep=0x1", "'0x1', which is not a number"),
        ("?sweep=" + ",".join(str(i / 100) for i in range(25)), "25 values, at most 20"),
        ("?sweep=" + "0," * 1000, "too long"),
        ("?sweep=<script>alert(1)</script>", "'‹script›alert(1)‹/scrip…, which is not a number"),
        ("?sweep=0,1&sweep=abc", "'abc', which is not a number"),
    ],
    ids=[
        "negative", "above-max", "empty", "commas", "nan", "inf", "hex", "too-many", "too-long",
        "script", "repeated",
    ],
)  # fmt: skip
def test_bad_sweep_grids_in_a_link_say_so_and_the_lab_works(query, words):
    """A bad ``sweep=`` grid gets a notice naming it and the fix; the sweep keeps its default
    grid, and the lab (and the sweep) work."""
    lab = create_app_from_link(query + "&view=sweep&n_points=60&hidden_layers=3&iterations=2")
    shown = html.unescape(lab.notices.objects[0].object)
    assert lab.notices.visible
    assert words in shown, shown
    assert "Kept the default grid" in shown
    assert "<script>" not in lab.notices.objects[0].object
    assert lab.views.sweep_grid == default_grid()
    state = lab.state
    state.sweep.start()
    while state.busy:
        state.tick(budget_s=math.inf)
    assert [point.lambd for point in state.sweep.points] == default_grid()


@pytest.mark.parametrize(
    "text", ["-1", "abc", "", "1e999", "0," * 300, "<script>alert(1)</script>", "١", "11"]
)
def test_bad_grids_typed_into_the_sweep_lose_nothing(lab, text):
    lab.views.sweep = True
    before, grid = snapshot(lab), list(lab.views.sweep_grid)
    (box,) = [
        w for w in lab.__panel__().select(pn.widgets.TextInput) if "ll-sweep-grid" in w.css_classes
    ]
    (message,) = [
        p for p in lab.__panel__().select(pn.pane.HTML) if "ll-sweep-msg" in p.css_classes
    ]
    box.value = text
    assert "the λ grid" in html.unescape(message.object)
    assert "<script>" not in message.object
    assert lab.views.sweep_grid == grid
    assert_unchanged(lab, before)


@pytest.mark.parametrize(
    ("query", "words", "pins"),
    [
        ("?pin=0", "starts with '0', not the iterations it reached (1 to 100,000)", 0),
        ("?pin=abc;lambd:0.7", "starts with 'abc', not the iterations", 0),
        ("?pin=1e3", "starts with '1e3', not the iterations", 0),
        ("?pin=100001", "starts with '100001', not the iterations", 0),
        ("?pin=50;rm:-rf", "'rm' is not a setting a pinned run has", 0),
        ("?pin=50;iterations:10", "'iterations' is not a setting a pinned run has", 0),
        ("?pin=50;lambd:nan", "lambd:'nan' is not a number", 0),
        ("?pin=50;lambd:11", "lambd:'11': L2 λ must be between 0 and 10 (got 11.0)", 0),
        ("?pin=50;activation:<script>", "activation:'‹script›' is not one of relu", 0),
        ("?pin=50;hidden_layers:8,,x", "is left out: hidden_layers:'8,,x'", 0),
        ("?pin=50;lambd:0.1;lambd:0.2", "'lambd' is given twice", 0),
        ("?pin=50;lambd", "'lambd' is not key:value", 0),
        ("?pin=50;changes:lambd@0:0.1", "the iteration is out of range", 0),
        ("?pin=50;lambd:0.1&pin=20", "", 2),  # two good pins: no notice
        ("?" + "&".join(f"pin={n}" for n in range(1, 8)), "7 pinned runs (pin=), at most 5", 5),
        ("?pin=50;noise:" + "1" * 700, "it is too long (709 characters, at most 600)", 0),
        ("?pin=3;n_points:2000;hidden_layers:256,256,256&pin=2;lambd:0.1", "", 2),
    ],
    ids=[
        "zero",
        "letters",
        "exponent",
        "too-many-iterations",
        "unknown-key",
        "pacing-key",
        "nan",
        "out-of-range",
        "script",
        "bad-layers",
        "twice",
        "no-colon",
        "bad-change",
        "two-good",
        "seven-pins",
        "over-long",
        "big-network",
    ],
)
def test_pin_links_say_what_was_wrong_and_build_a_working_lab(query, words, pins):
    """A bad pin is left out with a notice quoting the value (escaped); the good ones are
    replayed a slice at a time while the lab trains."""
    lab = create_app_from_link(query)
    notices = parse_query(query).notices
    if words:
        assert any(words in text for text in notices), notices
        assert words in html.unescape(lab.notices.objects[0].object)
        assert lab.notices.visible
    else:
        assert notices == []
    assert not any("<" in text for text in notices)
    assert len(lab.pins.pins) == pins
    lab.state.step()
    for _ in range(3):  # a few slices of the first replay (a unit each); the lab goes on
        lab.pins.work(budget_s=0.0)
    assert all(pin.replay or pin.curves["iteration"] for pin in lab.pins.pins)
    assert lab.state.session.iteration >= 1
