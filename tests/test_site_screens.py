"""Issue 13 on the built site: phone and tablet layouts, the keyboard alone, axe-core, and the
dark color scheme. Screenshots of each viewport land in tests/artifacts/ (look at them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import BrowserLog, launch_browser, new_observed_context, wait_for_worker_ready

from layerlab.ui.figure_style import DARK

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Every element of the page, shadow roots included, with what a layout test needs.
ELEMENTS_JS = """() => {
    const found = [];
    const walk = (root) => {
        for (const el of root.querySelectorAll("*")) {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            const shown = box.width > 0 && box.height > 0 && style.visibility !== "hidden";
            if (shown && ["BUTTON", "SELECT", "INPUT", "CANVAS"].includes(el.tagName)) {
                found.push({tag: el.tagName, type: el.type || "", width: box.width,
                            height: box.height, top: box.top, text: el.textContent.trim()});
            }
            if (el.shadowRoot) walk(el.shadowRoot);
        }
    };
    walk(document);
    return found;
}"""
# What has the keyboard focus, however deep in shadow roots, and its focus ring.
FOCUSED_JS = """() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const style = getComputedStyle(el);
    return {tag: el.tagName, text: el.textContent.trim(), outline: style.outlineWidth,
            outlineStyle: style.outlineStyle};
}"""


def serious_violations(page) -> list:
    """axe-core's serious and critical WCAG 2.1 AA violations on ``page``: each rule, its
    impact and the first few elements it names."""
    results = Axe().run(page, options=WCAG).response
    return [
        (v["id"], v["impact"], [node["target"][-1] for node in v["nodes"][:5]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def small_targets(elements: list[dict]) -> list[dict]:
    """The controls of ``ELEMENTS_JS``'s list (not canvases, not file inputs) smaller than a
    44 px touch target in either direction."""
    targets = [e for e in elements if e["tag"] != "CANVAS" and e["type"] != "file"]
    return [e for e in targets if e["height"] < 44 or e["width"] < 44]


@pytest.fixture
def browser():
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            yield browser
        finally:
            browser.close()


def open_app(browser, url: str, log: BrowserLog, **context):
    page = new_observed_context(browser, log, **context).new_page()
    page.goto(url)
    wait_for_worker_ready(page, timeout_ms=90_000)
    page.wait_for_timeout(500)  # the page scripts run once the document is ready
    return page


@pytest.mark.parametrize(("width", "height"), [(390, 844), (768, 1024)], ids=["phone", "tablet"])
def test_phone_and_tablet_layouts(browser, site_server, width, height):
    log = BrowserLog()
    page = open_app(
        browser,
        site_server.url,
        log,
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"screen_{width}.png"))
    page.screenshot(path=str(ARTIFACTS / f"screen_{width}_full.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    play = page.get_by_role("button", name="Play").bounding_box()
    assert play["y"] + play["height"] <= height  # in the first screen
    elements = page.evaluate(ELEMENTS_JS)
    # The plots (not the 150 px picture of the hovered unit, nor the walk's small matrices).
    plots = [e for e in elements if e["tag"] == "CANVAS" and e["height"] > 160]
    assert len(plots) >= 4  # the map, the cost, the accuracy and the network
    assert min(e["width"] for e in plots) >= 300
    assert small_targets(elements) == []
    log.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1440, 390])
def test_axe_finds_nothing_serious(browser, site_server, scheme, width):
    log = BrowserLog()
    page = open_app(
        browser, site_server.url, log, viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    assert serious_violations(page) == []
    log.assert_clean()


def test_the_keyboard_reaches_play_early_and_sees_where_it_is(browser, site_server):
    log = BrowserLog()
    page = open_app(browser, site_server.url, log, viewport={"width": 1440, "height": 900})
    stops = []
    while len(stops) < 5 and not (stops and "Play" in stops[-1]["text"]):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED_JS) or {"text": ""})
    play = stops[-1]
    assert "Play" in play["text"], stops  # one of the first five tab stops
    assert play["outlineStyle"] != "none"
    assert float(play["outline"].removesuffix("px")) >= 2
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Pause").wait_for(timeout=20_000)  # it started
    log.assert_clean()


def test_the_dark_scheme_reaches_the_page_and_the_figures(browser, site_server):
    log = BrowserLog()
    page = open_app(
        browser, site_server.url, log, viewport={"width": 1440, "height": 900}, color_scheme="dark"
    )
    figure_backgrounds = """() => [...window.pyodideWorker.jsdoc.all_models]
        .filter((model) => model.type === "Figure" || model.constructor.name === "Figure")
        .map((model) => model.background_fill_color)"""
    page.wait_for_function(
        f"() => ({figure_backgrounds})().every((color) => color === {DARK.background!r})",
        timeout=20_000,
    )
    page_color = page.evaluate(
        """() => { const page = document.querySelector(".ll-page");
                   return getComputedStyle(page).backgroundColor; }"""
    )
    red, green, blue = (int(part) for part in page_color[4:-1].split(",")[:3])
    assert max(red, green, blue) < 60  # dark
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen_dark.png"))
    log.assert_clean()


EVERY_VIEW = "?view=discrete,steps,sweep&sweep=0,1&iterations=20&pin=20;lambd:0.1"


@pytest.mark.parametrize(("width", "scheme"), [(1440, "light"), (390, "dark")])
def test_every_optional_view_and_a_pin_pass_axe_and_fit_the_screen(
    browser, site_server, width, scheme
):
    """The walk, the λ sweep (run to its end), the two-class map and a pinned run from the
    link: axe finds nothing serious, nothing is wider than the screen, and on a phone every
    control is a 44 px target."""
    log = BrowserLog()
    page = open_app(
        browser,
        site_server.url + EVERY_VIEW,
        log,
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
        is_mobile=width < 500,
        has_touch=width < 500,
    )
    page.get_by_role("button", name="Run sweep").click()
    page.get_by_text("Done: 2 values of λ").wait_for(timeout=60_000)
    page.get_by_text("Pin 1").first.wait_for(timeout=30_000)  # the link's pin, replayed
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"every_view_{width}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []
    if width < 500:
        assert small_targets(page.evaluate(ELEMENTS_JS)) == []
    log.assert_clean()
