"""The built static site in a real headless Chromium: Pyodide in a Web Worker, fully offline.

The site is served from 127.0.0.1 only; every request is routed and anything else is
aborted and recorded (the worker's requests included). Numbers are read from the live
Bokeh document (sources carry stable names) and compared with CPython.
"""

from __future__ import annotations

import gzip
import json
import re
import time

import numpy as np
import pytest
from browser_support import (
    BrowserLog,
    launch_browser,
    new_observed_context,
    wait_for_worker_ready,
    wait_until,
)
from site_files import read_pack

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ROOT_ARTIFACTS = "artifacts"
HIDDEN = "6, 6, 4"
LAMBD = 0.01  # three steps right on the λ slider's ladder 0, 0.001, 0.003, 0.01

# Reads a named source's column from the live (worker-linked) Bokeh document.
COLUMN_JS = """([name, column]) => {
    const doc = window.pyodideWorker.jsdoc;
    const source = doc.get_model_by_name(name);
    return source ? Array.from(source.data[column] ?? [], Number) : null;
}"""
IMAGE_SUM_JS = """() => {
    const source = window.pyodideWorker.jsdoc.get_model_by_name("boundary_source");
    if (!source || !source.data.image.length) return null;
    let total = 0;
    for (const v of source.data.image[0]) total += v;
    return total;
}"""
COUNT_STREAMS_JS = """() => {
    window.__streams = 0;
    const source = window.pyodideWorker.jsdoc.get_model_by_name("cost_source");
    source.streaming.connect(() => { window.__streams += 1; });
}"""


TEMPLATE_FILES_JS = """() => self.pyodide.runPython(
    'import os, _layerlab_worker as w; sorted(os.listdir(w.TEMPLATE_BYTECODE))').toJs()"""
# How the page started: the preview's fate (see head.html) and how many documents it drew.
PREVIEW_JS = "() => [window.layerlabPreview ?? null, Bokeh.documents.length]"


@pytest.fixture
def open_site(site_server, tmp_path):
    """Open the site (optionally with a query) in a fresh browser; yields (page, log)."""
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()

        def open_page(query: str = "", routes: dict | None = None, init: str | None = None):
            context = new_observed_context(browser, log, viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            if init:
                page.add_init_script(init)
            page.on("dialog", lambda dialog: (log.page_errors.append("dialog"), dialog.dismiss()))
            for pattern, handler in (routes or {}).items():
                page.route(pattern, handler)
            page.goto(site_server.url + query)
            wait_for_worker_ready(page, timeout_ms=90_000)
            return page

        try:
            yield open_page, log
        finally:
            browser.close()


def column(page, name: str, key: str) -> list[float]:
    """A column of a named ColumnDataSource in the live document."""
    return page.evaluate(COLUMN_JS, [name, key])


def cpython_costs(iterations: int) -> list[float]:
    """The same session trained in CPython by the same code (LabState -> core Trainer)."""
    from layerlab.ui.state import LabState

    state = LabState(hidden_layers=HIDDEN, lambd=LAMBD)
    state.session.trainer.step(iterations)
    return list(state.session.trainer.history.costs)


def assert_only_site_files_served(site_server) -> None:
    """The server answered every request with a file (no 404s from missing assets)."""
    failed = [(path, code) for path, code in site_server.requests if code >= 400]
    assert not failed, failed


def test_site_trains_offline_and_matches_cpython(open_site, site_server, built_site, request):
    open_page, log = open_site
    page = open_page()
    # The build-time preview was linked to the worker's document: rendered once, not twice.
    assert page.evaluate(PREVIEW_JS) == ["linked", 1]
    # Every Jinja template came from the shipped bytecode: a template compiled here would
    # have added a file (its key holds the template's path, which must match the build's).
    shipped = read_pack(built_site / "packs" / "templates.pack.xz")
    assert page.workers[0].evaluate(TEMPLATE_FILES_JS) == sorted(shipped)
    architecture = page.locator(".ll-arch", has_text="Network:")

    # Layer sizes through the text field, λ through its slider (keyboard).
    layers = page.locator(".ll-hidden-layers input")
    layers.fill(HIDDEN)
    layers.press("Enter")
    wait_until(lambda: "2 → 6 → 6 → 4 → 1" in architecture.inner_text())
    handle = page.locator(".ll-lambd .noUi-handle")
    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    wait_until(lambda: page.locator(".ll-lambd", has_text="λ: 0.01").count() > 0)

    image_before = page.evaluate(IMAGE_SUM_JS)
    assert image_before is not None
    page.evaluate(COUNT_STREAMS_JS)
    page.get_by_role("button", name="Play").click()

    # Points stream into the cost plot and the cost falls; predictions are redrawn.
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 300, 60)
    page.get_by_role("button", name="Pause").click()
    wait_until(lambda: page.get_by_role("button", name="Play").is_visible())
    time.sleep(0.5)
    assert page.evaluate("() => window.__streams") >= 3
    costs = column(page, "cost_source", "train_cost")
    assert costs[-1] < 0.6 * costs[0]
    assert column(page, "cost_source", "iteration")[:3] == [0, 1, 2]
    assert page.evaluate(IMAGE_SUM_JS) != pytest.approx(image_before, rel=1e-6)
    accuracy = page.locator(".ll-train-accuracy").first.inner_text()
    assert accuracy.endswith("%")
    assert float(accuracy[:-1]) > 50

    # Same settings, same seed, same algorithm: CPython gives the same numbers.
    np.testing.assert_allclose(costs, cpython_costs(len(costs)), rtol=1e-9, atol=1e-12)

    # A bad layer string: its message shows and the old network stays.
    layers.fill("8,,x")
    layers.press("Enter")
    message = page.locator(".ll-msg-hidden_layers .ll-msg-text")
    wait_until(lambda: "Layer 2 is empty" in message.inner_text())
    assert "2 → 6 → 6 → 4 → 1" in architecture.inner_text()
    assert column(page, "cost_source", "train_cost") == costs

    artifacts = request.path.parent / ROOT_ARTIFACTS
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "site.png"), full_page=True)
    log.assert_clean()
    assert any("/packs/" in url or "/wheels/" in url for url in log.requests), (
        "the worker's requests were not seen by the route handler"
    )
    assert_only_site_files_served(site_server)


@pytest.mark.parametrize(
    "query",
    [
        "?x=" + "9" * 10_000,  # past Python's int-digit limit
        "?x=" + "[" * 20_000,  # deep nesting for a recursive parser
        "?lambd=1e309&hidden_layers=%3Cscript%3Ealert(1)%3C/script%3E#" + "a" * 5000,
    ],
    ids=["huge-int", "deep-nesting", "junk-values"],
)
def test_crafted_links_do_not_break_the_site(open_site, query):
    open_page, log = open_site
    page = open_page(query)
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 1)
    log.assert_clean()


def test_python_reads_the_page_url_at_script_time(open_site):
    open_page, log = open_site
    query = "?hidden_layers=4%2C%204&lambd=0.1#share"
    page = open_page(query)
    name = page.workers[0].evaluate("() => self.pyodide.runPython('import js; js.name')")
    assert name == query
    assert page.evaluate(PREVIEW_JS) == [None, 1]  # a link with settings: no preview
    log.assert_clean()


def stale_preview(route) -> None:
    """The site's preview with one visible difference, as a stale build would serve it."""
    preview = json.loads(gzip.decompress(route.fetch().body()))
    assert '"label": "Copy link"' in preview[0]
    preview[0] = preview[0].replace('"label": "Copy link"', '"label": "Stale link"')
    route.fulfill(body=gzip.compress(json.dumps(preview).encode()))


# Keeps the document JSON the worker sends (it sends one only when the page asks for it).
KEEP_RENDER_JS = """
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", ({data}) => {
      if (data.type === "render" && data.docs_json) window.workerDocsJson = data.docs_json;
    });
  }
};
"""


def comparable(docs_json: str) -> str:
    """A document's JSON without what differs from run to run: the document's random id
    (the outer key) and the Python object ids Panel puts in its CustomJS tags."""
    doc = next(iter(json.loads(docs_json).values()))
    return re.sub(r'"tags": \[\[\d+,', '"tags": [[0,', json.dumps(doc))


@pytest.mark.parametrize(
    ("serve_preview", "fate", "browser_errors"),
    [
        (stale_preview, "failed", 0),  # its sha256 is not this build's: never drawn
        (lambda route: route.fulfill(status=404), "failed", 1),  # the browser reports a 404
        (lambda route: None, "abandoned", 0),  # never answered: Python must not wait for it
    ],
    ids=["stale", "missing", "stalled"],
)
def test_a_stale_missing_or_stalled_preview_is_not_drawn_and_the_worker_sends_its_document(
    open_site, built_site, serve_preview, fate, browser_errors
):
    open_page, log = open_site
    page = open_page(routes={"**/preview.json.gz": serve_preview}, init=KEEP_RENDER_JS)
    assert page.evaluate(PREVIEW_JS)[0] == fate
    assert page.evaluate("() => window.layerlabPreviewDrawn ?? null") is None
    # What the worker sent when asked is the document the build's preview holds: what
    # the page links, unsent, when the preview is drawn.
    built = json.loads(gzip.decompress((built_site / "preview.json.gz").read_bytes()))
    assert comparable(page.evaluate("() => window.workerDocsJson")) == comparable(built[0])
    page.get_by_role("button", name="Copy link").wait_for(state="visible", timeout=10_000)
    assert page.get_by_role("button", name="Stale link").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[inert]').length") == 0
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 1)
    assert len(log.console_errors) == browser_errors
    assert all("404" in error for error in log.console_errors)
    log.console_errors.clear()
    log.assert_clean()


def test_a_pack_that_cannot_be_fetched_stops_the_start_with_a_message_naming_it(site_server):
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()
        page = new_observed_context(browser, log).new_page()
        # Fetched by the pack unpacker, a worker started by the worker.
        page.route("**/site-packages.pack.xz", lambda route: route.fulfill(status=404))
        page.goto(site_server.url)
        page.locator("#ll-loading.ll-failed").wait_for(timeout=90_000)
        status = page.inner_text("#ll-status")
        browser.close()
    assert status.startswith("Could not start: Error: Could not fetch")
    assert status.endswith("/packs/site-packages.pack.xz: HTTP 404")
    reported = log.console_errors + log.page_errors  # the worker logs it and rethrows it
    assert reported, "the worker reports why it stopped"
    assert all("site-packages.pack.xz" in error for error in reported)
    log.console_errors.clear()
    log.page_errors.clear()
    log.assert_clean()


def test_service_worker_makes_a_visited_site_work_offline(site_server):
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()
        context = new_observed_context(browser, log, service_workers="allow")
        page = context.new_page()
        page.goto(site_server.url)
        wait_for_worker_ready(page, timeout_ms=90_000)
        # Registered once the app is interactive; active once every file is cached.
        page.wait_for_function(
            "async () => (await navigator.serviceWorker.ready).active?.state === 'activated'",
            timeout=60_000,
        )
        context.set_offline(True)
        served_online = len(site_server.requests)
        page.reload()
        wait_for_worker_ready(page, timeout_ms=90_000)
        page.get_by_role("button", name="Step").click()
        wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 1)
        browser.close()
    # Only the browser's own update check of sw.js may still reach the server.
    after = [path for path, _ in site_server.requests[served_online:] if path != "/sw.js"]
    assert after == [], "the offline reload fetched files from the server"
    log.assert_clean()
    assert_only_site_files_served(site_server)


def test_plain_build_without_the_fast_start_pack_works_too(build_module, tmp_path):
    site = build_module.build(mode="plain", site=tmp_path / "site")
    requests: list = []
    with (
        build_module.serving_in_background(site, request_log=requests) as url,
        playwright.sync_playwright() as pw,
    ):
        browser = launch_browser(pw)
        log = BrowserLog()
        page = new_observed_context(browser, log).new_page()
        page.goto(url)
        wait_for_worker_ready(page, timeout_ms=120_000)
        assert page.evaluate(PREVIEW_JS) == [None, 1]  # only the fast build has one
        page.get_by_role("button", name="Step").click()
        wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 1)
        browser.close()
    log.assert_clean()
    assert any(path.startswith("/wheels/") for path, _ in requests)
    assert [path for path, code in requests if code >= 400] == []
