"""Issue 14 on the built site: the units' pictures change as it trains, hovering a unit or an
edge reads it, tapping an edge sets its weight (and the link replays it), the two-class map,
and one iteration walked step by step to the same update as Step. Offline, observed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import test_site_browser
from browser_support import wait_until
from test_site_browser import column

from layerlab.ui.state import LabState

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

open_site = test_site_browser.open_site
ARTIFACTS = Path(__file__).parent / "artifacts"

# Screen coordinates of a point (x, y) in the diagram's data space.
DIAGRAM_POINT_JS = """([x, y]) => {
    const doc = window.pyodideWorker.jsdoc;
    const fig = [...doc.all_models].find(
        (m) => m.css_classes && m.css_classes.includes("ll-diagram"));
    let found = null;
    const walk = (view) => {
        if (found) return;
        if (view.model === fig) { found = view; return; }
        for (const child of view.child_views ?? []) walk(child);
    };
    for (const root of Bokeh.index.roots) walk(root);
    const box = found.el.getBoundingClientRect();
    return [box.x + found.frame.x_scale.compute(x), box.y + found.frame.y_scale.compute(y)];
}"""
UNIT_PICTURES_JS = """() => {
    const source = window.pyodideWorker.jsdoc.get_model_by_name("diagram_units");
    return source.data.image.map((image) => Array.from(image).reduce((a, b) => a + b, 0));
}"""
EDGE_JS = """([layer, row, col]) => {
    const data = window.pyodideWorker.jsdoc.get_model_by_name("diagram_edges").data;
    for (let i = 0; i < data.x0.length; i++) {
        if (data.layer[i] == layer && data.row[i] == row && data.column[i] == col) {
            const t = 0.3;  // near its start: away from where edges cross
            return [data.x0[i] + t * (data.x1[i] - data.x0[i]),
                    data.y0[i] + t * (data.y1[i] - data.y0[i])];
        }
    }
    return null;
}"""
# Whether some visible element, in any shadow root, shows ``text`` (a hover tooltip, say).
SHOWS_TEXT_JS = """(text) => {
    const walk = (root) => {
        for (const el of root.querySelectorAll("*")) {
            if (el.textContent.includes(text) && el.checkVisibility()) return true;
            if (el.shadowRoot && walk(el.shadowRoot)) return true;
        }
        return false;
    };
    return walk(document);
}"""
PALETTE_JS = """() => new Set(
    window.pyodideWorker.jsdoc.get_model_by_name("map_colors").palette).size"""


def point(page, x: float, y: float) -> tuple[float, float]:
    page.locator(".ll-weight-editor, .ll-unit-side").first.scroll_into_view_if_needed()
    return tuple(page.evaluate(DIAGRAM_POINT_JS, [x, y]))


def test_the_units_pictures_follow_training_and_a_hovered_unit_is_read(open_site, request):
    open_page, log = open_site
    page = open_page()
    # The units' pictures follow the decision map, a slice per tick once the page is up.
    wait_until(lambda: len(page.evaluate(UNIT_PICTURES_JS)) == 8 + 8 + 1, 20, what="the units")
    before = page.evaluate(UNIT_PICTURES_JS)
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 200, 60)
    page.get_by_role("button", name="Pause").click()
    wait_until(lambda: page.evaluate(UNIT_PICTURES_JS) != before, 10)
    x, y = point(page, 1, 0)  # layer 1, unit 1
    page.mouse.move(x, y)
    about = page.get_by_text("layer 1, unit 1: bias")
    wait_until(lambda: about.count() == 1, 10)
    assert about.inner_text().endswith(("alive", "dead"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site_inside_units.png"), full_page=True)
    log.assert_clean()


def test_an_edge_is_read_on_hover_and_set_by_tapping_and_the_link_replays_it(open_site):
    open_page, log = open_site
    page = open_page("?hidden_layers=4,4")
    x, y = point(page, *page.evaluate(EDGE_JS, [2, 1, 0]))
    page.mouse.move(x, y)
    weight = page.evaluate(
        """() => window.pyodideWorker.jsdoc.get_model_by_name("diagram_edges").data.weight"""
    )
    assert weight  # the edges carry their weights
    wait_until(lambda: page.evaluate(SHOWS_TEXT_JS, "W2[1, 0] ="), 10, what="the tooltip")
    page.mouse.click(x, y)
    wait_until(lambda: page.evaluate(SHOWS_TEXT_JS, "to unit 2 of layer 2"), 10, what="the editor")
    field = page.locator(".ll-weight-field input")
    field.fill("1e6")
    field.press("Enter")
    wait_until(lambda: page.evaluate(SHOWS_TEXT_JS, "between -100 and 100"), 10)
    field.fill("0.5")
    field.press("Enter")
    wait_until(lambda: "w2.1.0@0:0.5" in page.evaluate("() => location.search"), 10)
    for count in (1, 2, 3):
        page.get_by_role("button", name="Step").click()
        wait_until(lambda n=count: len(column(page, "cost_source", "train_cost")) == n)
    oracle = LabState(hidden_layers="4, 4")
    oracle.session.set_weight(2, 1, 0, 0.5)
    for _ in range(3):
        oracle.step()
    assert column(page, "cost_source", "train_cost") == oracle.session.trainer.history.costs
    again = open_page(page.evaluate("() => location.search"))
    for count in (1, 2, 3):
        again.get_by_role("button", name="Step").click()
        wait_until(lambda n=count: len(column(again, "cost_source", "train_cost")) == n)
    assert column(again, "cost_source", "train_cost") == oracle.session.trainer.history.costs
    log.assert_clean()


def test_the_map_can_show_two_classes_and_the_link_keeps_it(open_site):
    open_page, log = open_site
    page = open_page()
    assert page.evaluate(PALETTE_JS) > 100
    page.get_by_role("button", name="Two classes").click()
    wait_until(lambda: page.evaluate(PALETTE_JS) == 2, 10)
    wait_until(lambda: "view=discrete" in page.evaluate("() => location.search"), 10)
    again = open_page("?view=discrete")
    assert again.evaluate(PALETTE_JS) == 2
    log.assert_clean()


def test_one_iteration_walked_step_by_step_is_one_step(open_site, request):
    open_page, log = open_site
    page = open_page("?view=steps")
    heading = page.locator(".ll-walk-heading .ll-arch")
    wait_until(lambda: "step 1 of 9" in heading.inner_text(), 20)
    assert page.get_by_role("button", name="Back").is_disabled()
    next_button = page.locator(".ll-walk-next button")
    for stage in range(2, 10):
        next_button.click()
        wait_until(lambda s=stage: f"step {s} of 9" in heading.inner_text(), 10)
        if stage == 2:
            assert page.evaluate(SHOWS_TEXT_JS, "W1 (8, 2)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site_inside_walk.png"), full_page=True)
    assert "Finish" in next_button.inner_text()
    next_button.click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost")) == 1, 20)
    oracle = LabState()
    oracle.step()
    assert column(page, "cost_source", "train_cost") == oracle.session.trainer.history.costs
    wait_until(lambda: "Iteration 1, step 1 of 9" in heading.inner_text(), 10)
    log.assert_clean()


def test_a_link_with_input_features_trains_them_and_shows_w1_of_four_columns(open_site):
    """``?features=x1,x2,x1sq,x2sq``: the toggles show the four, three Steps give the costs
    of LabState's oracle, and the diagram and the shapes table show W1 (8, 4)."""
    open_page, log = open_site
    page = open_page("?features=x1,x2,x1sq,x2sq")
    toggles = page.locator(".ll-features .bk-btn-group")
    wait_until(lambda: toggles.get_attribute("aria-label") == "Input features", 20)
    pressed = toggles.locator("button[aria-pressed=true]")
    wait_until(lambda: pressed.all_inner_texts() == ["x1", "x2", "x1²", "x2²"], 10)
    for count in (1, 2, 3):
        page.get_by_role("button", name="Step").click()
        wait_until(lambda n=count: len(column(page, "cost_source", "train_cost")) == n)
    oracle = LabState(features=("x1", "x2", "x1sq", "x2sq"))
    for _ in range(3):
        oracle.step()
    assert column(page, "cost_source", "train_cost") == oracle.session.trainer.history.costs
    names = page.evaluate(
        """() => Array.from(
            window.pyodideWorker.jsdoc.get_model_by_name("diagram_inputs").data.name)"""
    )
    assert names == ["x1", "x2", "x1²", "x2²"]
    layers = column(page, "diagram_edges", "layer")
    inputs = column(page, "diagram_edges", "column")
    first = {i for layer, i in zip(layers, inputs, strict=True) if layer == 1}
    assert first == {0, 1, 2, 3}  # W1 (8, 4): edges from each of the four inputs
    assert page.evaluate(SHOWS_TEXT_JS, "W1 (8, 4)")
    assert page.evaluate(SHOWS_TEXT_JS, "A⁰ = X (4, ")
    log.assert_clean()
