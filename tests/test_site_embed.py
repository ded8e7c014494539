"""Issue 15, item 6 on the built site: the Embed snippet, and the page inside an iframe.

The snippet the page gives is put, as it is, in a host page on the same origin (served by
``page.route`` on 127.0.0.1) that holds the frame at 600×400: the app loads in it, its
service worker becomes active, nothing in it is wider than the frame, and Play (reached by
scrolling the frame) trains. A crafted link's characters stay inside the snippet's
``src="…"``. Every request stays on 127.0.0.1; no console error may appear.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import test_site_screens
from browser_support import BrowserLog, new_observed_context, wait_until
from browser_support import wait_for_worker_ready as wait_until_interactive
from test_site_browser import column

from layerlab.ui.embed import EMBED_ATTRIBUTES
from layerlab.ui.urlstate import parse_query

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).parent / "artifacts"
LINK = "?only=lambd,share&n_points=200&hidden_layers=5,3"
FRAME = {"width": 600, "height": 400}
# The host page: the snippet as the page gave it, the frame sized by the host's style.
HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<style>body {{ margin: 16px; font: 14px sans-serif; }}
iframe {{ width: {width}px; height: {height}px; display: block; }}</style></head>
<body><p>A course page with the lab in it:</p>{snippet}</body></html>"""
# The snippet parsed by the browser itself: its elements and the iframe's attributes.
PARSE_JS = """(snippet) => {
    const body = new DOMParser().parseFromString(snippet, "text/html").body;
    const all = Array.from(body.querySelectorAll("*"), (el) => el.tagName.toLowerCase());
    const frame = body.querySelector("iframe");
    const attributes = frame ? Object.fromEntries(
        Array.from(frame.attributes, (a) => [a.name, a.value])) : null;
    return {all, attributes, text: body.textContent};
}"""
# The Embed box's text area (from the live document's view): value, read-only, selection.
CODE_BOX_JS = """() => {
    const doc = window.pyodideWorker.jsdoc;
    const view = Bokeh.index.query_one((v) => v.model.document === doc
        && (v.model.css_classes ?? []).includes("ll-embed-code"));
    const box = view && view.input_el;
    if (!box || !box.value) return null;
    return {value: box.value, readOnly: box.readOnly, start: box.selectionStart,
            end: box.selectionEnd};
}"""
# Shown buttons, inputs, selects and plots that reach past the right edge of the window.
WIDER_JS = """() => {
    const wide = [];
    const walk = (root) => {
        for (const el of root.querySelectorAll("*")) {
            const box = el.getBoundingClientRect();
            const tags = ["BUTTON", "SELECT", "INPUT", "TEXTAREA", "CANVAS"];
            if (box.width > 0 && tags.includes(el.tagName) && box.right > innerWidth + 0.5) {
                wide.push(el.tagName + " " + el.textContent.trim().slice(0, 30) + " " + box.right);
            }
            if (el.shadowRoot) walk(el.shadowRoot);
        }
    };
    walk(document);
    return wide;
}"""
# The live document's address bar widget: the canonical query the page links to.
SET_ADDRESS_JS = """(query) => {
    const doc = window.pyodideWorker.jsdoc;
    const address = [...doc.all_models].find(
        (m) => (m.css_classes ?? []).includes("ll-address"));
    address.value = query;
}"""
SERVICE_WORKER_JS = (
    "async () => (await navigator.serviceWorker.ready).active?.state === 'activated'"
    " && navigator.serviceWorker.controller !== null"
)


browser = test_site_screens.browser  # the fixture: one headless Chromium


def embed_snippet(page) -> dict:
    """Press Embed and return what its box shows."""
    page.get_by_role("button", name="Embed").click()
    return wait_until(lambda: page.evaluate(CODE_BOX_JS), 20, what="the embed code")


def test_the_snippet_embeds_a_working_lab_at_600_by_400(browser, site_server):
    log = BrowserLog()
    context = new_observed_context(browser, log, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_server.url + LINK)
    wait_until_interactive(page, timeout_ms=90_000)
    wait_until(lambda: "only=" in page.evaluate("location.search"), 20, what="the address")
    shown = embed_snippet(page)
    assert shown["readOnly"]
    assert (shown["start"], shown["end"]) == (0, len(shown["value"]))  # selected
    assert page.evaluate("navigator.clipboard.readText()") == shown["value"]
    assert page.get_by_text("Embed code copied to the clipboard").count() == 1
    assert page.get_by_text("offline use (the service worker)").count() == 1
    parsed = page.evaluate(PARSE_JS, shown["value"])
    assert parsed["all"] == ["iframe"]
    assert parsed["attributes"] == {"src": page.url, **EMBED_ATTRIBUTES}
    assert parse_query(page.url.partition("?")[2]).hidden == parse_query(LINK).hidden
    context.close()

    # A fresh visitor opens the host page: the frame loads the lab and its service worker.
    host = new_observed_context(
        browser, log, service_workers="allow", viewport={"width": 900, "height": 700}
    ).new_page()
    host_url = site_server.url + "embed-host.html"
    html = HOST.format(snippet=shown["value"], **FRAME)
    host.route(host_url, lambda route: route.fulfill(body=html, content_type="text/html"))
    host.goto(host_url)
    frame = wait_until(lambda: next(iter(host.frames[1:]), None), 30, what="the frame")
    wait_until_interactive(frame, timeout_ms=90_000)
    assert frame.url == page.url
    frame.wait_for_function(SERVICE_WORKER_JS, timeout=60_000)
    size = frame.evaluate("() => [innerWidth, innerHeight]")
    assert size == [FRAME["width"], FRAME["height"]]

    # Nothing wider than the frame; what is below its bottom is reached by scrolling.
    assert frame.evaluate("() => document.documentElement.scrollWidth") <= FRAME["width"]
    assert frame.evaluate(WIDER_JS) == []
    assert frame.evaluate("() => document.documentElement.scrollHeight") > FRAME["height"]
    assert frame.get_by_role("button", name="Embed").count() == 1  # only=…,share shows it
    assert frame.locator(".ll-lambd").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    host.screenshot(path=str(ARTIFACTS / "embed_600x400.png"))
    frame.get_by_role("button", name="Play").click()
    wait_until(lambda: len(column(frame, "cost_source", "train_cost") or []) >= 20, 60)
    frame.get_by_role("button", name="Pause").click()
    costs = column(frame, "cost_source", "train_cost")
    assert costs[-1] < costs[0]
    frame.locator(".ll-lambd").first.scroll_into_view_if_needed()
    host.screenshot(path=str(ARTIFACTS / "embed_600x400_scrolled.png"))
    log.assert_clean()
    assert not log.blocked


def test_a_crafted_link_stays_inside_the_snippets_src(browser, site_server):
    log = BrowserLog()
    page = new_observed_context(browser, log, viewport={"width": 1280, "height": 900}).new_page()
    page.goto(site_server.url)
    wait_until_interactive(page, timeout_ms=90_000)
    wait_until(lambda: "dataset=" in page.evaluate("location.search"), 20, what="the address")
    crafted = "x=\"><script>alert(1)</script><b title='&amp;&lt;'>"
    page.evaluate(SET_ADDRESS_JS, crafted)  # as if the canonical link held all of that
    shown = embed_snippet(page)
    parsed = page.evaluate(PARSE_JS, shown["value"])
    assert parsed["all"] == ["iframe"]  # no <script>, no <b>: one element
    assert parsed["text"] == ""
    origin_path = page.evaluate("location.origin + location.pathname")
    assert parsed["attributes"]["src"] == origin_path + "?" + crafted
    assert "<script" not in shown["value"]
    log.assert_clean()
