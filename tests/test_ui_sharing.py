"""Issue 5 without a browser: links, uploads, downloads and the exported script, through the
app and its state.

Oracles: the core itself (a ``Trainer`` built from ``make_lab_data`` / ``load_csv`` with the
same settings), the exact ``serialization`` round trip, and the exported script run by
CPython in a subprocess.
"""

import io
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import panel as pn
import pytest

from layerlab import ACTIVATIONS, TrainConfig, Trainer, compute_cost, forward
from layerlab.csvdata import load_csv
from layerlab.serialization import params_from_json, params_from_npz_bytes
from layerlab.ui.app import create_app, create_app_from_link
from layerlab.ui.custom import DATA_FILE_NAME
from layerlab.ui.data import lab_data_from_arrays, make_lab_data
from layerlab.ui.model_io import SCRIPT_FILE_NAME, params_file, script_text, use_params_file
from layerlab.ui.predictions import on_click
from layerlab.ui.state import LabState
from layerlab.ui.upload import MAX_CSV_BYTES, DataUpload, peek_csv, use_csv
from layerlab.ui.urlstate import CONTROLS, format_query, parse_query

SMALL = {"n_points": 80, "hidden_layers": "4", "iterations": 30}
SHARED = {
    "dataset": "circles",
    "n_points": 120,
    "noise": 0.15,
    "test_ratio": 0.25,
    "data_seed": 3,
    "features": ("x1", "x2", "x1x2"),
    "hidden_layers": "4, 4",
    "lambd": 0.05,
    "lambd_l1": 0.02,
    "learning_rate": 0.03,
    "optimizer": "momentum",
    "init": "xavier",
    "activation": "tanh",
    "batch_size": 16,
    "keep_prob": 0.9,
    "iterations": 50,
    "weight_seed": 7,
}


def core_costs(settings: dict, k: int) -> list[float]:
    """The first ``k`` costs of the core trained as the settings say (the oracle)."""
    data = make_lab_data(
        settings["dataset"],
        settings["n_points"],
        settings["noise"],
        settings["test_ratio"],
        settings["data_seed"],
        settings["features"],
    )
    config = TrainConfig(
        learning_rate=settings["learning_rate"],
        lambd=settings["lambd"],
        lambd_l1=settings["lambd_l1"],
        optimizer=settings["optimizer"],
        init=settings["init"],
        activation=settings["activation"],
        batch_size=settings["batch_size"] or None,
        keep_prob=settings["keep_prob"],
        seed=settings["weight_seed"],
    )
    sizes = [int(n) for n in settings["hidden_layers"].split(",")]
    n_x = len(settings["features"])
    trainer = Trainer(data.X_train, data.Y_train, [n_x, *sizes, 1], config)
    return trainer.step(k)


def csv_text(rows: int = 40, features: int = 3, labels=("no", "yes"), seed: int = 0) -> str:
    """A separable CSV with a header, ``features`` columns and a text label last."""
    rng = np.random.default_rng(seed)
    lines = [",".join([*(f"f{j}" for j in range(features)), "answer"])]
    for i in range(rows):
        label = i % 2
        values = rng.normal(size=features) + (1.5 if label else -1.5)
        lines.append(",".join([*(repr(float(v)) for v in values), labels[label]]))
    return "\n".join(lines) + "\n"


# -- the link is the experiment --------------------------------------------------------------
def test_a_link_restores_every_setting_and_the_same_costs():
    lab = create_app_from_link("?" + format_query(SHARED))
    assert lab.state.settings() == SHARED
    assert not lab.notices.visible
    for _ in range(3):
        lab.state.step()
    assert lab.state.session.trainer.history.costs == core_costs(SHARED, 3)


def test_the_address_bar_query_follows_the_settings():
    lab = create_app_from_link("?dataset=xor&hide=presets")
    lab.state.apply(lambd=0.3, hidden_layers="6, 2")
    parsed = parse_query(lab.address.widget.value)
    assert parsed.settings == lab.state.settings()
    assert parsed.settings["lambd"] == 0.3
    assert parsed.hidden == {"presets"}
    (callback,) = lab.address.widget.get_root().js_property_callbacks["change:value"]
    assert "history.replaceState" in callback.code
    assert "pushState" not in callback.code
    assert "${" not in callback.code  # panel convert would rewrite it


def test_a_hostile_link_is_clamped_with_escaped_notices_and_the_app_works():
    lab = create_app_from_link(
        "?lambd=99&n_points=5&hidden_layers=<img src=x onerror=alert(1)>"
        "&optimizer=<script>alert(1)</script>&learning_rate=" + "9" * 300
    )
    assert lab.state.lambd == 10.0
    assert lab.state.n_points == 20
    assert lab.state.hidden_layers == "8, 8"  # the default: the value was rejected
    html = lab.notices.objects[0].object
    assert lab.notices.visible
    assert "<img" not in html
    assert "<script" not in html
    assert "above the maximum" in html
    assert "too long" in html
    lab.state.step()
    assert lab.state.session.trainer.iteration == 1


def test_a_link_can_show_only_some_controls_and_pick_a_preset():
    lab = create_app_from_link("?preset=overfitting&only=lambd,play")
    shown = {name for name, part in lab.controls.components.items() if part.visible}
    assert shown == {"lambd", "play"}
    assert set(lab.controls.components) == set(CONTROLS)
    assert lab.state.status  # the preset says what to watch
    assert parse_query("?preset=overfitting").settings.items() <= lab.state.settings().items()


# -- bring your own data ---------------------------------------------------------------------
def test_a_csv_with_text_labels_needs_a_mapping_and_then_trains_with_three_features():
    state = LabState(**SMALL)
    before = state.session.data
    raw = csv_text().encode()
    with pytest.raises(ValueError, match="label_map"):
        use_csv(state, raw, "answers.csv")
    assert state.session.data is before
    assert state.session.custom is None
    assert peek_csv(raw).label_maps(3) == [{"no": 0, "yes": 1}, {"yes": 0, "no": 1}]
    text = use_csv(state, raw, "answers.csv", label_map={"no": 0, "yes": 1})
    assert "answers.csv: 40 examples, 3 features" in text
    assert state.session.layer_dims == [3, 4, 1]
    assert state.session.custom.name == "answers.csv"
    csv_data = load_csv(raw, label_map={"no": 0, "yes": 1})
    expected = lab_data_from_arrays(csv_data.X, csv_data.Y, state.test_ratio, state.data_seed)
    np.testing.assert_array_equal(state.session.data.X_train, expected.X_train)


def test_more_than_two_features_fill_the_histogram_and_the_confusion_matrix():
    lab = create_app(**SMALL)
    use_csv(
        lab.state, csv_text(rows=60, features=4).encode(), "f.csv", label_map={"no": 0, "yes": 1}
    )
    for _ in range(5):
        lab.state.step()
    m_test = lab.state.session.data.X_test.shape[1]
    histogram = lab.plots.evaluation.histogram_source.data
    assert sum(histogram["class0"]) + sum(histogram["class1"]) == m_test
    confusion = lab.plots.evaluation.confusion_source.data
    assert sum(confusion["count"]) == m_test
    p = forward(lab.state.session.data.X_test, lab.state.session.trainer.params)[0][0]
    y = lab.state.session.data.Y_test[0]
    assert confusion["count"][3] == int(np.sum((p > 0.5) & (y == 1)))  # true 1, predicted 1
    assert lab.plots.train_source.data["x"] == []  # no plane to draw the points on


BAD_FILES = [
    pytest.param("a,b,label\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n", r"row 3, column 2 \('b'\)", id="text"),
    pytest.param("a,b,label\n1,2,0\n3,,1\n5,6,0\n7,8,1\n", "row 3.*missing value", id="missing"),
    pytest.param("a,b,label\n1,2,0\n3,4,1\n5,6,2\n7,8,1\n", "more than two classes", id="3-class"),
    pytest.param("a,b,label\n1,2,0\n3,4,1\n", "at least 4", id="too-few-rows"),
    pytest.param("a,b,label\n1,2,0\n3,4\n5,6,0\n7,8,1\n", "row 3 has 2 cells", id="ragged"),
    pytest.param("a,b,label\n1,2,0\n3,nan,1\n5,6,0\n7,8,1\n", "not a finite", id="nan"),
    pytest.param("a,label\n" + "1.0,0\n" * (MAX_CSV_BYTES // 6), "over the limit", id="too-big"),
    pytest.param("", "empty", id="empty"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_a_bad_csv_is_rejected_naming_the_problem_and_the_data_stays(text, message):
    state = LabState(**SMALL)
    state.step()
    data, trainer = state.session.data, state.session.trainer
    with pytest.raises(ValueError, match=message):
        use_csv(state, text.encode(), "bad.csv")
    assert state.session.data is data
    assert state.session.trainer is trainer
    assert state.session.custom is None


def test_the_upload_widget_offers_the_mapping_and_keeps_the_data_on_rejection():
    state = LabState(**SMALL)
    upload = DataUpload(state)
    before = state.session.data
    upload.file.param.update(filename="answers.csv", value=csv_text().encode())  # as the page
    assert state.session.data is before
    assert upload.mapping.visible
    assert "was not used" in upload.message.object
    assert "The previous data stays" in upload.message.object
    upload.mapping.value = {"no": 0, "yes": 1}
    assert state.session.custom.name == "answers.csv"
    assert "Using answers.csv" in upload.message.object
    assert upload.back.visible
    upload.label.value = 0  # a numeric column as the label: rejected, data kept
    assert state.session.custom.name == "answers.csv"
    assert "was not used" in upload.message.object


def test_a_file_name_with_html_is_escaped_in_the_message():
    upload = DataUpload(LabState(**SMALL))
    upload.file.param.update(
        filename="<img src=x onerror=alert(1)>.csv", value=b"a,b,label\n1,x,0\n"
    )
    assert "<img" not in upload.message.object
    assert "&lt;img" in upload.message.object


def test_clicks_add_and_remove_points_and_the_network_starts_afresh():
    state = LabState(**SMALL)
    m = state.session.data.X_all.shape[1]
    state.step()
    on_click(state, 1, 0.25, -0.5)
    assert state.session.data.X_all.shape[1] == m + 1
    np.testing.assert_array_equal(state.session.data.X_all[:, -1], [0.25, -0.5])
    assert state.session.data.Y_all[0, -1] == 1.0
    assert state.session.trainer.iteration == 0
    assert "Added a point of class 1" in state.status
    assert state.session.custom.csv.file_name == DATA_FILE_NAME
    on_click(state, 1, 0.25, -0.5, shift=True)  # removes the point just added
    assert state.session.data.X_all.shape[1] == m
    assert not np.any(np.all(state.session.data.X_all == [[0.25], [-0.5]], axis=0))
    state.apply(dataset="xor")  # a generator setting: back to generated data
    assert state.session.custom is None


# -- take your model away --------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["npz", "json"])
def test_weights_download_and_upload_round_trip_exactly(kind):
    source = LabState(**SMALL)
    for _ in range(7):
        source.step()
    raw = params_file(source, kind)
    loaded = params_from_npz_bytes(raw) if kind == "npz" else params_from_json(raw)
    for key, value in source.session.trainer.params.items():
        np.testing.assert_array_equal(loaded[key], value)
    target = LabState(**SMALL, weight_seed=99)
    use_params_file(target, raw, f"w.{kind}")
    for key, value in source.session.trainer.params.items():
        np.testing.assert_array_equal(target.session.trainer.params[key], value)
    assert target.session.latest()["train_accuracy"] == source.session.latest()["train_accuracy"]
    target.step()  # and training continues from them
    assert target.session.trainer.history.costs[0] == compute_cost(
        forward(target.session.data.X_train, source.session.trainer.params)[0],
        target.session.data.Y_train,
    )


def test_weights_for_other_layers_need_an_architecture_switch():
    source = LabState(**{**SMALL, "hidden_layers": "3, 2"})
    raw = params_file(source, "npz")
    target = LabState(**SMALL)
    with pytest.raises(ValueError, match="switch to the file's layers"):
        use_params_file(target, raw, "w.npz")
    assert target.hidden_layers == "4"
    use_params_file(target, raw, "w.npz", switch_architecture=True)
    assert target.session.layer_sizes == [3, 2]
    np.testing.assert_array_equal(
        target.session.trainer.params["W2"], source.session.trainer.params["W2"]
    )
    use_csv(target, csv_text().encode(), "f.csv", label_map={"no": 0, "yes": 1})
    with pytest.raises(ValueError, match="inputs"):
        use_params_file(target, raw, "w.npz")


def test_a_corrupt_weights_file_is_refused():
    state = LabState(**SMALL)
    with pytest.raises(ValueError, match=r"not a valid \.npz"):
        use_params_file(state, b"not a zip", "w.npz")


def run_script(script: str, directory, files: dict | None = None) -> float:
    """Run the exported script with CPython; its printed final train cost."""
    for name, text in (files or {}).items():
        (directory / name).write_text(text)
    (directory / SCRIPT_FILE_NAME).write_text(script)
    result = subprocess.run(
        [sys.executable, "-I", SCRIPT_FILE_NAME], cwd=directory, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("Final train cost: "))
    return float(line.removeprefix("Final train cost: "))


def app_final_cost(state: LabState) -> float:
    """The app's train cost after the whole budget, as the script prints it."""
    while not state.done:
        state.step()
    params = state.session.trainer.params
    g = ACTIVATIONS[state.activation]
    return compute_cost(
        forward(state.session.data.X_train, params, activation=g)[0],
        state.session.data.Y_train,
        params,
        state.lambd,
        lambd_l1=state.lambd_l1,
    )


def test_the_script_download_reproduces_the_final_cost(tmp_path):
    state = LabState(**SHARED)
    assert run_script(script_text(state), tmp_path) == app_final_cost(state)


def test_the_script_reproduces_a_run_on_an_uploaded_csv(tmp_path):
    state = LabState(**SMALL)
    text = csv_text(features=3)
    use_csv(state, text.encode(), "answers.csv", label_column=3, label_map={"no": 0, "yes": 1})
    script = script_text(state)
    assert "answers.csv" in script
    assert run_script(script, tmp_path, {"answers.csv": text}) == app_final_cost(state)


def test_the_script_reproduces_a_run_on_clicked_points(tmp_path):
    lab = create_app(**SMALL)
    on_click(lab.state, 0, 1.5, 1.5)
    data_file = lab.controls.components["upload"].download
    assert data_file.visible
    text = data_file.callback().getvalue().decode()
    assert isinstance(data_file.callback(), io.BytesIO)
    assert run_script(script_text(lab.state), tmp_path, {DATA_FILE_NAME: text}) == app_final_cost(
        lab.state
    )


@pytest.mark.parametrize("kind", ["npz", "json"])
def test_the_script_starts_from_loaded_weights_until_they_are_replaced(kind, tmp_path):
    source = LabState(**SHARED)
    for _ in range(5):
        source.step()
    raw = params_file(source, kind)
    state = LabState(**{**SHARED, "weight_seed": 8})
    name = f"my weights.{kind}"
    use_params_file(state, raw, name)
    assert state.session.params_file == name
    assert f'INITIAL_PARAMS = "{name}"' in script_text(state)
    (tmp_path / name).write_bytes(raw)
    assert run_script(script_text(state), tmp_path) == app_final_cost(state)
    state.reset()  # fresh weights from the seed: the file is no longer where the run starts
    assert state.session.params_file is None
    assert "INITIAL_PARAMS" not in script_text(state)
    for change in ({"weight_seed": 9}, {"init": "he"}, {"hidden_layers": "3"}, {"data_seed": 4}):
        state.load_params(
            source.session.trainer.params, switch_architecture=True, file_name="w.npz"
        )
        assert "INITIAL_PARAMS" in script_text(state)
        state.apply(**change)
        assert "INITIAL_PARAMS" not in script_text(state), change
    state.load_params(source.session.trainer.params, file_name="w.npz")
    state.apply(learning_rate=0.05)  # acts on the running network: it still started from w.npz
    assert 'INITIAL_PARAMS = "w.npz"' in script_text(state)


def test_the_model_card_says_the_script_needs_the_weights_file():
    lab = create_app(**SMALL)
    downloads = lab.controls.components["model"][0]
    script, note = downloads[1], downloads[2]
    assert "INITIAL_PARAMS" not in script.callback().getvalue().decode()
    assert note.object == ""
    raw = params_file(lab.state, "json")
    use_params_file(lab.state, raw, "<b>w</b>.json")
    assert 'INITIAL_PARAMS = "<b>w</b>.json"' in script.callback().getvalue().decode()
    assert "&lt;b&gt;w&lt;/b&gt;.json: put that file next to it" in note.object
    lab.state.reset()
    assert note.object == ""
    assert "INITIAL_PARAMS" not in script.callback().getvalue().decode()


def test_panel_parses_locations_with_the_plain_parser_once_installed(monkeypatch):
    import panel.io.location as location_module

    from layerlab.ui.share import install_plain_query, startup_query

    monkeypatch.setattr(location_module, "parse_query", location_module.parse_query)
    install_plain_query()
    location = location_module.Location(search="?x=[[[1]]]&y=32&z=true")
    assert location.query_params == {"x": "[[[1]]]", "y": "32", "z": "true"}  # no guessing
    location = location_module.Location(search="?x=" + "[" * 20_000 + "&y=" + "9" * 10_000)
    assert location.query_params == {}  # far too long for a link: ignored, no crash
    assert startup_query() == ""  # no session, not in Pyodide: an empty link


def test_the_switch_is_offered_for_other_layers_only():
    from layerlab.ui.loaded_weights import ArchitectureMismatch
    from layerlab.ui.model_io import ParamsUpload

    source = LabState(**{**SMALL, "hidden_layers": "3, 2"})
    target = LabState(**SMALL)
    with pytest.raises(ArchitectureMismatch):
        target.load_params(source.session.trainer.params)
    upload = ParamsUpload(target)
    upload.file.param.update(value=params_file(source, "npz"), filename="w.npz")
    assert upload.switch.visible
    three = LabState(**SMALL)
    use_csv(three, csv_text().encode(), "f.csv", label_map={"no": 0, "yes": 1})
    upload = ParamsUpload(three)  # 2 inputs for 3 features: no switch can help
    upload.file.param.update(value=params_file(source, "npz"), filename="w.npz")
    assert not upload.switch.visible
    assert "inputs" in upload.message.object


def test_every_html_pane_of_the_page_is_well_formed():
    void = {"br", "img", "input", "hr", "meta", "link", "col", "wbr"}

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []

        def handle_starttag(self, tag, attrs) -> None:
            if tag not in void:
                self.open.append(tag)

        def handle_endtag(self, tag) -> None:
            assert self.open, tag
            assert self.open[-1] == tag, (tag, self.open)
            self.open.pop()

    lab = create_app_from_link("?n_points=40")
    lab.state.step()
    panes = lab.__panel__().select(pn.pane.HTML)
    assert len(panes) > 10
    for pane in panes:
        checker = Balance()
        checker.feed(pane.object or "")
        checker.close()
        assert checker.open == [], pane.object


def test_copy_link_says_what_the_link_leaves_out():
    from layerlab.ui.share import link_caveat

    state = LabState(**SMALL)
    assert link_caveat(state) == ""
    use_csv(state, csv_text().encode(), "answers.csv", label_map={"no": 0, "yes": 1})
    assert "your data (answers.csv)" in link_caveat(state)
    state.use_generated()
    on_click(state, 1, 0.1, 0.2)
    assert "the points you added or removed" in link_caveat(state)
    state.use_generated()
    state.load_params(LabState(**SMALL).session.trainer.params, file_name="w.npz")
    assert "the weights loaded from w.npz" in link_caveat(state)
    state.reset()
    assert link_caveat(state) == ""


def test_empty_files_get_a_message_and_change_nothing():
    from layerlab.ui.model_io import ParamsUpload

    state = LabState(**SMALL)
    session = state.session
    upload = DataUpload(state)
    upload.file.param.update(value=b"", filename="empty.csv")
    assert "empty.csv is empty (0 bytes)" in upload.message.object
    weights = ParamsUpload(state)
    weights.file.param.update(value=b"", filename="w.json")
    assert "w.json is empty (0 bytes)" in weights.message.object
    deep = ParamsUpload(state)
    deep.file.param.update(value=b"[" * 100_000, filename="deep.json")
    assert "nested more than 16 levels" in deep.message.object
    assert state.session is session


def test_a_hidden_play_starts_the_run_by_itself():
    lab = create_app_from_link("?only=lambd&hide=play&n_points=40")
    assert "It trains by itself" in lab.state.status
    assert not lab.controls.components["play"].visible


# -- embed -----------------------------------------------------------------------------------
def share_buttons(lab) -> list[str]:
    return [button.label for button in lab.controls.components["share"].select(pn.widgets.Button)]


def test_embed_sits_beside_copy_link_and_a_link_hides_or_shows_the_pair():
    lab = create_app_from_link("?only=lambd&n_points=40")
    assert share_buttons(lab) == ["Copy link", "Embed"]
    assert not lab.controls.components["share"].visible
    shown = create_app_from_link("?only=lambd,share&n_points=40")
    assert shown.controls.components["share"].visible
    query = shown.address.query()  # what Embed puts in the frame: the same controls
    assert query.endswith("&only=lambd,share")
    assert parse_query(query).hidden == parse_query("?only=lambd,share").hidden


# The page's address as a crafted link may make it: every character HTML gives a meaning.
CRAFTED_PATH = "/lab\"'<b>&amp;/"
CRAFTED_QUERY = "x=\"><script>alert(1)</script>&y='&amp;&lt;"
EMBED_RUN_JS = """
const address = {value: QUERY}, link = {visible: true}, code = {}, area = {visible: false};
const window = {location: {origin: "http://127.0.0.1:8000", pathname: PATH, search: ""},
                isSecureContext: false};
const navigator = {}, requestAnimationFrame = () => {};
CODE
console.log(JSON.stringify({snippet: code.value, title: code.title, link: link.visible,
                            area: area.visible}));
"""


class StartTags(HTMLParser):
    """The start tags of an HTML snippet with their (unescaped) attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_embed_snippet_escapes_every_attribute_value():
    from layerlab.ui.embed import EMBED_ATTRIBUTES, EMBED_JS

    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: bash .ci/setup installs it")
    script = (
        EMBED_RUN_JS.replace("QUERY", json.dumps(CRAFTED_QUERY))
        .replace("PATH", json.dumps(CRAFTED_PATH))
        .replace("CODE", EMBED_JS)
    )
    run = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    shown = json.loads(run.stdout)
    assert shown["area"] is True
    assert shown["link"] is False  # Copy link's box makes way
    assert shown["title"] == "Copy this embed code"  # no clipboard here: copy it by hand
    parser = StartTags()
    parser.feed(shown["snippet"])
    parser.close()
    href = f"http://127.0.0.1:8000{CRAFTED_PATH}?{CRAFTED_QUERY}"
    assert parser.tags == [("iframe", {"src": href, **EMBED_ATTRIBUTES})]
    assert shown["snippet"].endswith("></iframe>")
    assert EMBED_ATTRIBUTES["loading"] == "lazy"
    assert EMBED_ATTRIBUTES["title"]


def test_the_share_callbacks_avoid_template_literals():
    lab = create_app_from_link("?n_points=40")
    for button in lab.controls.components["share"].select(pn.widgets.Button):
        (callback,) = button.get_root().js_event_callbacks["button_click"]
        assert "${" not in callback.code  # panel convert would rewrite it
