"""Issue 13 on the built site, as a visitor meets it: the map follows the data, the status tells
the truth, typed values and files are read strictly, links carry no junk, and the README's
teacher links teach. Headless Chromium, fully offline; nothing that was there is lost after a
refusal.
"""

from __future__ import annotations

import re

import pytest
import test_site_browser
from browser_support import wait_until
from test_site_browser import column

from layerlab.settings import SETTINGS

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

open_site = test_site_browser.open_site  # the fixture: a fresh offline, observed browser

RANGE_JS = """(name) => {
    const range = window.pyodideWorker.jsdoc.get_model_by_name(name);
    return [range.start, range.end, range.reset_start, range.reset_end];
}"""
HAS_RESET_TOOL_JS = """() => [...window.pyodideWorker.jsdoc.all_models]
    .some((model) => model.type === "ResetTool" || model.constructor.name === "ResetTool")"""


def status(page):
    return page.locator(".ll-status")


def readout_values(page) -> dict[str, str]:
    pane = page.locator(".ll-readout").first
    keys = ("iteration", "train-cost", "test-cost", "train-accuracy", "test-accuracy")
    return {key: pane.locator(f".ll-{key}").inner_text() for key in keys}


def play_until(page, condition, timeout_s: float = 60) -> None:
    page.get_by_role("button", name="Play").click()
    wait_until(condition, timeout_s)
    pause = page.get_by_role("button", name="Pause")
    if pause.count():
        pause.click()


def type_into(page, selector: str, text: str) -> None:
    field = page.locator(f"{selector} input").first
    field.fill(text)
    field.press("Enter")


def points_extent(page) -> tuple[float, float, float, float]:
    xs = column(page, "train_points", "x") + column(page, "test_points", "x")
    ys = column(page, "train_points", "y") + column(page, "test_points", "y")
    return min(xs), max(xs), min(ys), max(ys)


# -- 2. the map follows the data ---------------------------------------------------------------
def test_the_map_fits_each_dataset_and_has_a_reset_tool(open_site):
    open_page, log = open_site
    page = open_page()
    assert page.evaluate(HAS_RESET_TOOL_JS)
    for label in ("Flower", "Gaussians", "Circles", "Moons"):
        page.locator(".ll-dataset select").select_option(label=label)

        def fits() -> bool:
            x0, x1, y0, y1 = points_extent(page)
            xs, ys = page.evaluate(RANGE_JS, "map_x_range"), page.evaluate(RANGE_JS, "map_y_range")
            inside = xs[0] < x0 and x1 < xs[1] and ys[0] < y0 and y1 < ys[1]
            snug = xs[1] - xs[0] < 1.5 * (x1 - x0) and ys[1] - ys[0] < 1.5 * (y1 - y0)
            return inside and snug and xs[:2] == xs[2:] and ys[:2] == ys[2:]

        wait_until(fits, 20, what=f"the map to fit the {label} data")
    log.assert_clean()


# -- 4. honest status ---------------------------------------------------------------------------
def test_a_diverged_run_says_so_in_short_numbers(open_site):
    open_page, log = open_site
    page = open_page("?learning_rate=10&optimizer=gd&hidden_layers=64,64,64")
    play_until(page, lambda: "diverged" in status(page).inner_text())
    assert "error" in status(page).get_attribute("class")
    text = status(page).inner_text()
    assert max(len(word) for word in text.split()) < 20, text
    for key, value in readout_values(page).items():
        assert len(value) <= 18, (key, value)
    log.assert_clean()


def test_a_collapsed_network_is_a_warning_with_dead_units_counted(open_site):
    open_page, log = open_site
    page = open_page("?learning_rate=10&optimizer=adam&dataset=xor&iterations=300")
    play_until(page, lambda: "collapsed" in status(page).inner_text(), 90)
    assert "warning" in status(page).get_attribute("class")
    assert "success" not in status(page).get_attribute("class")
    assert "are dead" in status(page).inner_text()
    cells = page.locator(".ll-shapes td.ll-dead").all_inner_texts()
    assert cells
    assert all(re.fullmatch(r"(\d+) / \1", cell) for cell in cells)
    log.assert_clean()


def test_mini_batches_count_epochs_and_both_counters_agree(open_site):
    open_page, log = open_site
    page = open_page("?batch_size=16&iterations=60")
    play_until(page, lambda: "Done" in status(page).inner_text())
    assert "Done: 60 epochs" in status(page).inner_text()
    counter = page.locator(".ll-counter .ll-arch").inner_text()
    assert counter.startswith("Epoch 60")
    assert readout_values(page)["iteration"] == "60"
    assert page.locator(".ll-readout .k", has_text="Epoch").count() == 1
    log.assert_clean()


# -- 5. inputs ----------------------------------------------------------------------------------
def test_typed_numbers_are_read_strictly_and_the_last_good_value_comes_back(open_site):
    open_page, log = open_site
    page = open_page()
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost")) == 1)
    costs = column(page, "cost_source", "train_cost")
    seed = page.locator(".ll-data-seed input").first

    type_into(page, ".ll-data-seed", "1e9")
    wait_until(lambda: seed.input_value() == "1000000000", 10)
    type_into(page, ".ll-data-seed", "abc")
    message = page.locator(".ll-msg-data_seed .ll-msg-text")
    wait_until(lambda: "'abc' is not a number; kept 1000000000" in message.inner_text(), 10)
    wait_until(lambda: seed.input_value() == "1000000000", 10)

    type_into(page, ".ll-iterations", "1e9")
    iterations = page.locator(".ll-msg-iterations .ll-msg-text")
    wait_until(lambda: "must be between 1 and 100000" in iterations.inner_text(), 10)
    assert page.locator(".ll-iterations input").first.input_value() == "2000"

    type_into(page, ".ll-learning-rate-typed", "0.005")  # between the slider's steps
    wait_until(lambda: page.locator(".ll-learning-rate", has_text="0.005").count() > 0, 10)
    wait_until(lambda: "learning_rate=0.005" in page.evaluate("() => location.search"), 10)
    assert column(page, "cost_source", "train_cost") == []  # the seed change: a new network
    assert costs  # and before it, a run that was not lost to the junk typed
    log.assert_clean()


def test_empty_and_hostile_files_are_refused_and_the_worker_lives(open_site):
    open_page, log = open_site
    page = open_page()
    page.locator(".ll-csv-upload input[type=file]").set_input_files(
        files=[{"name": "empty.csv", "mimeType": "text/csv", "buffer": b""}]
    )
    upload = page.locator(".ll-upload-msg [role]")
    wait_until(lambda: "empty.csv is empty (0 bytes)" in upload.inner_text(), 20)
    weights = page.locator(".ll-params-upload input[type=file]")
    weights.set_input_files(
        files=[{"name": "w.json", "mimeType": "application/json", "buffer": b""}]
    )
    message = page.locator(".ll-params-msg [role]")
    wait_until(lambda: "w.json is empty (0 bytes)" in message.inner_text(), 20)
    weights.set_input_files(
        files=[{"name": "deep.json", "mimeType": "application/json", "buffer": b"[" * 100_000}]
    )
    wait_until(lambda: "nested more than 16 levels" in message.inner_text(), 20)
    page.get_by_role("button", name="Step").click()  # the worker is alive, the data unchanged
    wait_until(lambda: len(column(page, "cost_source", "train_cost")) == 1, 20)
    assert "2 → 8 → 8 → 1" in page.locator(".ll-arch", has_text="Network:").inner_text()
    log.assert_clean()


# -- 6. links -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fragment",
    ["#<img src=x onerror=alert(1)>", "#" + "a" * 200_000, "#lambd=0.5"],
    ids=["markup", "200kB", "looks-like-a-setting"],
)
def test_a_links_fragment_is_not_spread(open_site, fragment):
    open_page, log = open_site
    page = open_page("?n_points=100" + fragment)
    wait_until(lambda: "n_points=100&" in page.evaluate("() => location.search"), 10)
    assert page.evaluate("() => location.hash") == ""
    page.get_by_role("button", name="Copy link").click()
    box = page.locator(".ll-link input")
    wait_until(lambda: box.is_visible() and "n_points=100" in box.input_value(), 10)
    assert "#" not in box.input_value()
    assert page.locator("img[src=x]").count() == 0
    log.assert_clean()


def test_copy_link_says_the_uploaded_data_is_not_in_it(open_site):
    open_page, log = open_site
    page = open_page()
    csv = b"a,b,label\n" + b"".join(f"{i},{i % 5},{i % 2}\n".encode() for i in range(40))
    page.locator(".ll-csv-upload input[type=file]").set_input_files(
        files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    wait_until(lambda: "Using mine.csv" in page.locator(".ll-upload-msg [role]").inner_text(), 20)
    page.get_by_role("button", name="Copy link").click()
    caveat = page.locator(".ll-link-caveat [role]")
    wait_until(lambda: "does not hold your data (mine.csv)" in caveat.inner_text(), 10)
    log.assert_clean()


# -- 8. the README's teacher links ---------------------------------------------------------------
def visible_settings(page) -> set[str]:
    names = ("dataset", "hidden-layers", "learning-rate", "lambd", "init", "optimizer", "noise")
    return {name for name in names if page.locator(f".ll-{name}").first.is_visible()}


def test_the_article_link_teaches_initialization(open_site):
    open_page, log = open_site
    page = open_page("?preset=article&only=init")
    assert visible_settings(page) == {"init"}
    assert page.get_by_role("button", name="Play").is_visible()
    play_until(page, lambda: "stuck at ln 2" in status(page).inner_text(), 90)
    assert "He initialization" in status(page).inner_text()
    page.locator(".ll-init select").select_option(label=SETTINGS["init"].choices["he"])
    wait_until(lambda: column(page, "cost_source", "train_cost") == [], 10)
    play_until(page, lambda: float(readout_values(page)["train-cost"]) < 0.5, 90)
    log.assert_clean()


def test_the_overfitting_link_teaches_lambda(open_site):
    open_page, log = open_site
    page = open_page("?preset=overfitting&only=lambd&iterations=1500")
    assert visible_settings(page) == {"lambd"}

    def final_test_cost() -> float:
        play_until(page, lambda: "Done" in status(page).inner_text(), 120)
        return float(readout_values(page)["test-cost"])

    unregularized = final_test_cost()
    type_into(page, ".ll-lambd-typed", "1")
    wait_until(lambda: page.locator(".ll-lambd", has_text="λ: 1").count() > 0, 10)
    page.get_by_role("button", name="Reset").click()
    wait_until(lambda: column(page, "cost_source", "train_cost") == [], 10)
    wait_until(lambda: "lambd=1&" in page.evaluate("() => location.search"), 10)
    assert final_test_cost() < unregularized / 2
    log.assert_clean()
