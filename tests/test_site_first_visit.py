"""The fast site as a first visit meets it, in headless Chromium, offline from the world.

* The trimmed site does everything: every feature driven through the page, without a
  console error and without the second pack (so the build's trace is complete).
* What the first pack leaves out still imports: from the second pack, fetched once.
* Play pressed while Python starts (on the preview or on the loading card) starts the
  training the moment the app is ready.
* A repeat visit takes the inflated files kept by the first (nothing fetched, nothing
  inflated) and still trains as CPython does; a kept copy that is not the right file is
  downloaded again.
* A repeat visit starts Python from the snapshot the first visit kept after its imports
  (plain links and links with settings alike); a snapshot that does not fit is dropped,
  Python starts afresh and keeps a good one.
* Broken downloads (truncated, changed behind a cached page, cut off, offline) end in a
  message with a Reload button, never a traceback or a hang.
"""

from __future__ import annotations

import http.server
import json
import lzma
import threading
import time

import numpy as np
import pytest
import test_site_browser
from browser_support import (
    BrowserLog,
    launch_browser,
    new_observed_context,
    wait_for_worker_ready,
    wait_until,
)
from test_site_browser import column
from test_site_sharing import GOOD_CSV, SHARE, arch_text, step

from layerlab.serialization import params_from_json, validate_params
from layerlab.ui.state import LabState

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

open_site = test_site_browser.open_site  # the fixture: a fresh offline, observed browser

SECOND_PACK = "/packs/second.pack.gz"
# Three features (the evaluation view of more than two), a byte-order mark as spreadsheets
# write it (Python's utf_8_sig codec: a module imported only for uploads).
BOM_CSV = "\ufeff".encode() + GOOD_CSV
# No part of the app can be used before Python is ready: a drawn preview stays inert.
INERT_PREVIEW_JS = """() => !document.body.classList.contains("ll-previewing")
    || [...document.querySelectorAll("[data-root-id]")].every((root) => root.inert)"""
# In the worker: import a module no session imports (it is only in the second pack).
IMPORT_UNTRACED_JS = """() => self.pyodide.runPython(
    'import markdown, ftplib; markdown.markdown("*a*") + " " + ftplib.__name__')"""


def select_each(page, first_option: str) -> list[str]:
    """Choose every option, in turn, of the select that offers ``first_option``; step once
    after each. Returns the options' labels."""
    select = page.locator("select", has=page.locator("option", has_text=first_option))
    labels = select.locator("option").all_inner_texts()
    for label in labels:
        select.select_option(label=label)
        time.sleep(0.3)  # the rebuild it causes
        count = len(column(page, "cost_source", "train_cost") or [])
        page.get_by_role("button", name="Step").click()
        wait_until(lambda c=count: len(column(page, "cost_source", "train_cost") or []) > c, 20)
    return labels


def download(page, label: str, tmp_path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def test_every_feature_works_without_the_second_pack(open_site, tmp_path):
    open_page, log = open_site
    page = open_page()
    assert len(select_each(page, "Moons")) == 6  # every dataset
    assert len(select_each(page, "Adam")) == 3  # every optimizer
    page.get_by_role("button", name="Check gradients").click()
    badge = page.locator(".ll-gradcheck .ll-badge")
    wait_until(lambda: badge.count() and badge.inner_text() in ("pass", "warn", "fail"), 30)

    upload = page.locator(".ll-csv-upload input[type=file]")
    upload.set_input_files(files=[{"name": "bom.csv", "mimeType": "text/csv", "buffer": BOM_CSV}])
    message = page.locator(".ll-upload-msg [role]")
    wait_until(lambda: "label_map" in message.inner_text(), 20)
    page.locator(".ll-label-map select").select_option(label="'no' → 0, 'yes' → 1")
    wait_until(lambda: "Using bom.csv" in message.inner_text(), 20)
    step(page, 2)
    assert sum(column(page, "confusion_source", "count")) > 0  # more than two features

    weights = download(page, "Weights .json", tmp_path)
    assert validate_params(params_from_json(weights)) == [3, 8, 8, 1]
    assert download(page, "Weights .npz", tmp_path).startswith(b"PK")
    script = download(page, "Python script", tmp_path).decode()
    assert "import numpy as np" in script
    page.locator(".ll-params-upload input[type=file]").set_input_files(
        files=[{"name": "w.json", "mimeType": "application/json", "buffer": weights}]
    )
    wait_until(lambda: "Loaded weights" in page.locator(".ll-params-msg [role]").inner_text(), 20)

    linked = open_page(SHARE)  # a link with settings
    wait_until(lambda: "2 → 4 → 4 → 1" in arch_text(linked), 20)
    step(linked, 1)
    log.assert_clean()
    assert not [url for url in log.requests if url.endswith(SECOND_PACK)], "the trace missed some"


def test_a_module_the_trace_never_saw_comes_from_the_second_pack_once(open_site):
    open_page, log = open_site
    page = open_page()
    assert page.workers[0].evaluate(IMPORT_UNTRACED_JS) == "<p><em>a</em></p> ftplib"
    assert len([url for url in log.requests if url.endswith(SECOND_PACK)]) == 1
    log.assert_clean()


def test_a_module_left_out_of_the_first_pack_is_found_in_the_second(build_module, tmp_path):
    """Python's utf_8_sig codec, needed only to read an uploaded CSV, deliberately left to
    the second pack: the upload still works (a submodule of the stdlib zip's package
    ``encodings`` that arrives in a folder)."""
    site = build_module.build(site=tmp_path / "site", leave_out=("encodings.utf_8_sig",))
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
        assert not [path for path, _ in requests if path == SECOND_PACK]
        page.locator(".ll-csv-upload input[type=file]").set_input_files(
            files=[{"name": "bom.csv", "mimeType": "text/csv", "buffer": BOM_CSV}]
        )
        message = page.locator(".ll-upload-msg [role]")
        wait_until(lambda: "label_map" in message.inner_text(), 30)
        browser.close()
    assert [path for path, _ in requests if path == SECOND_PACK] == [SECOND_PACK]
    log.assert_clean()


@pytest.fixture
def fresh_page(site_server):
    """A function making a fresh observed page in one browser; yields (it, log, site URL)."""
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()
        try:
            yield (lambda: new_observed_context(browser, log).new_page()), log, site_server.url
        finally:
            browser.close()


class HeldDownload:
    """Holds back the requests of one file until ``release()`` (to act while Python waits)."""

    def __init__(self) -> None:
        self.held = []
        self.released = False

    def __call__(self, route) -> None:
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def wait(self, page) -> None:
        """Until the page has asked for the file (Playwright hands routes over in its calls)."""
        wait_until(lambda: page.evaluate("1") and self.held, 60, what="the held download")

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()


def test_the_preview_is_drawn_while_the_runtime_still_downloads(fresh_page):
    new_page, log, url = fresh_page
    held = HeldDownload()
    page = new_page()
    page.route("**/pyodide.asm.wasm.xz", held)
    page.goto(url)
    held.wait(page)
    # Nothing of Python has arrived, and the page already shows the app as it will be.
    page.wait_for_function("() => window.layerlabPreviewDrawn", timeout=30_000)
    assert page.locator(".ll-overlay-play").is_visible()
    assert "Python runtime" in page.inner_text("#ll-status")
    held.release()
    wait_for_worker_ready(page, timeout_ms=90_000)
    assert page.evaluate("() => window.layerlabPreview") == "linked"
    log.assert_clean()


def test_play_pressed_on_the_preview_starts_training_once_python_is_ready(fresh_page):
    new_page, log, url = fresh_page
    page = new_page()
    page.goto(url)
    # The preview is drawn while the runtime downloads (on loopback: once Pyodide has
    # booted), while Python imports and builds the app: its Play is a page button over the
    # inert app's.
    play = page.locator(".ll-overlay-play")
    play.click(timeout=60_000)
    assert page.get_by_role("button", name="Starting…").is_disabled()
    assert "Starting…" in page.inner_text("#ll-status")
    assert "Ready" not in page.inner_text("#ll-loading")
    page.wait_for_function("() => window.layerlabQueuedPlay === 'pressed'", timeout=90_000)
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 20, 30)
    assert page.evaluate("() => window.layerlabPreview") == "linked"
    assert page.get_by_role("button", name="Pause").is_visible()
    assert play.count() == 0
    log.assert_clean()


def test_play_pressed_on_the_loading_card_of_a_link_starts_training(fresh_page):
    new_page, log, url = fresh_page
    held = HeldDownload()
    page = new_page()
    page.route("**/site-packages.pack.xz", held)
    page.goto(url + SHARE)
    card = page.locator("#ll-loading")
    held.wait(page)
    assert " of " in page.inner_text("#ll-status")  # "Downloading the packages · 4.7 of 6.3 MB"
    assert "MB once" in card.inner_text()  # the real download size
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: "Starting…" in page.inner_text("#ll-status"), 10)
    held.release()
    page.wait_for_function("() => window.layerlabQueuedPlay === 'pressed'", timeout=90_000)
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) >= 20, 30)
    assert page.get_by_role("button", name="Pause").is_visible()
    log.assert_clean()


def truncated(route) -> None:
    body = route.fetch().body()
    route.fulfill(body=body[: len(body) // 2], content_type="application/x-xz")


def another_version(route) -> None:
    """A well-formed pack that is not this build's (as a newer deploy would serve it)."""
    pack = lzma.decompress(route.fetch().body())
    route.fulfill(body=lzma.compress(pack + b"\0"), content_type="application/x-xz")


def offline_now(route) -> None:
    route.abort("internetdisconnected")


@pytest.mark.parametrize(
    ("serve_pack", "message", "stale"),
    [
        (truncated, "site-packages.pack arrived incomplete or damaged", False),
        (another_version, "site-packages.pack is not the file this version", True),
        (offline_now, "The download of site-packages.pack failed", False),
    ],
    ids=["truncated", "another-version", "offline"],
)
def test_a_broken_download_ends_in_a_message_with_a_reload_button(
    fresh_page, serve_pack, message, stale
):
    new_page, log, url = fresh_page
    page = new_page()
    page.route("**/site-packages.pack.xz", serve_pack)
    page.goto(url)
    page.locator("#ll-loading.ll-failed").wait_for(timeout=60_000)
    text = page.inner_text("#ll-status")
    assert message in text
    assert "Traceback" not in text
    reload = page.get_by_role("button", name="Reload")
    assert reload.is_visible()
    assert page.locator(".ll-queued-play:visible").count() == 0  # no Play to queue
    assert page.evaluate(INERT_PREVIEW_JS)  # the preview behind the card, if drawn
    assert page.evaluate("() => document.getElementById('ll-loading').dataset.stale") == (
        "yes" if stale else "no"
    )
    page.unroute("**/site-packages.pack.xz")
    reload.click()  # the reload loads the site as it is now
    wait_for_worker_ready(page, timeout_ms=90_000)
    reported = log.console_errors + log.page_errors  # the worker logs it and rethrows it
    assert reported
    assert all("site-packages.pack" in error for error in reported)
    log.console_errors.clear()
    log.page_errors.clear()
    log.assert_clean()


# The cache holding the inflated copies unpack.js keeps of `names`, once all are there.
DECODED_JS = """async (names) => {
    for (const key of await caches.keys()) {
        const cache = await caches.open(key);
        const kept = (await cache.keys()).map((request) => request.url)
            .filter((url) => url.includes("/decoded/"));
        if (names.every((name) => kept.some((url) => url.endsWith("/decoded/" + name)))) {
            return key;
        }
    }
    return null;
}"""
SPOIL_JS = """async ([key, name]) => {
    const cache = await caches.open(key);
    const url = (await cache.keys()).map((r) => r.url).find((u) => u.endsWith("/decoded/" + name));
    await cache.put(url, new Response(new Uint8Array([1, 2, 3])));
}"""
KEPT_SIZE_JS = """async ([key, name]) => {
    const cache = await caches.open(key);
    const url = (await cache.keys()).map((r) => r.url).find((u) => u.endsWith("/decoded/" + name));
    return (await (await cache.match(url)).arrayBuffer()).byteLength;
}"""


def test_a_repeat_visit_inflates_nothing_and_a_spoilt_copy_is_fetched_again(
    fresh_page,
):
    new_page, log, url = fresh_page
    page = new_page()
    page.goto(url)
    wait_for_worker_ready(page, timeout_ms=90_000)
    names = ["pyodide.asm.wasm", "python_stdlib.zip", "numpy.pack", "site-packages.pack"]
    key = wait_until(lambda: page.evaluate(DECODED_JS, names), 30, what="decoded files")
    assert key.startswith("layerlab-")  # this version's cache

    # The same browser again: every file from the inflated copies, no .xz fetched.
    asked = len(log.requests)
    page.reload()
    wait_for_worker_ready(page, timeout_ms=90_000)
    assert [u for u in log.requests[asked:] if u.endswith(".xz")] == []
    assert_trains_as_cpython(page, 2)

    # A copy that is not the right file any more is never used: downloaded again, replaced.
    page.evaluate(SPOIL_JS, [key, "site-packages.pack"])
    assert page.evaluate(KEPT_SIZE_JS, [key, "site-packages.pack"]) == 3
    asked = len(log.requests)
    page.reload()
    wait_for_worker_ready(page, timeout_ms=90_000)
    assert [u.rsplit("/", 1)[1] for u in log.requests[asked:] if u.endswith(".xz")] == [
        "site-packages.pack.xz"
    ]
    step(page, 1)
    spoilt = [key, "site-packages.pack"]
    wait_until(lambda: page.evaluate(KEPT_SIZE_JS, spoilt) > 3, 30, what="a good copy kept")
    log.assert_clean()


SNAPSHOT_STATE_JS = "() => window.layerlabSnapshot ?? null"
TIMINGS_JS = "() => window.layerlabTimings"
# Another function table in the kept snapshot's header (same length, re-padded): Pyodide
# starts restoring it, and the table check then refuses it.
SPOIL_SNAPSHOT_JS = """async () => {
    const cache = await caches.open((await caches.keys()).find((k) => k.startsWith("layerlab-")));
    const url = (await cache.keys()).map((r) => r.url)
        .find((u) => u.endsWith("/interpreter.snapshot"));
    const bytes = new Uint8Array(await (await cache.match(url)).arrayBuffer());
    const length = new DataView(bytes.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
    header.table = "0";
    const head = new Uint8Array(4 + length).fill(0x20);
    new DataView(head.buffer).setUint32(0, length, true);
    head.set(new TextEncoder().encode(JSON.stringify(header)), 4);
    await cache.put(url, new Response(new Blob([head, bytes.subarray(4 + length)])));
}"""


def assert_trains_as_cpython(page, steps: int) -> None:
    step(page, steps)
    oracle = LabState()  # the default settings, trained by the same code in CPython
    oracle.session.trainer.step(steps)
    np.testing.assert_allclose(
        column(page, "cost_source", "train_cost"),
        oracle.session.trainer.history.costs,
        rtol=1e-9,
        atol=1e-12,
    )


def first_visit_kept_a_snapshot(new_page, url: str):
    """A first visit in a fresh page, until its snapshot of Python is kept; the page."""
    page = new_page()
    page.goto(url)
    wait_for_worker_ready(page, timeout_ms=90_000)
    wait_until(lambda: page.evaluate(SNAPSHOT_STATE_JS) == "kept", 30, what="a kept snapshot")
    return page


def test_a_repeat_visit_starts_python_from_the_snapshot_the_first_kept(fresh_page):
    new_page, log, url = fresh_page
    page = first_visit_kept_a_snapshot(new_page, url)

    page.reload()
    wait_for_worker_ready(page, timeout_ms=90_000)
    assert page.evaluate(SNAPSHOT_STATE_JS) == "restored"
    assert "pyodide restored" in page.evaluate(TIMINGS_JS)
    assert "imports" not in page.evaluate(TIMINGS_JS)  # they are in the snapshot
    assert_trains_as_cpython(page, 2)

    page.goto(url + SHARE)  # a link with settings starts from the same snapshot
    wait_for_worker_ready(page, timeout_ms=90_000)
    assert page.evaluate(SNAPSHOT_STATE_JS) == "restored"
    wait_until(lambda: "2 → 4 → 4 → 1" in arch_text(page), 20)
    step(page, 1)
    log.assert_clean()


def test_a_snapshot_that_does_not_fit_is_dropped_and_python_starts_afresh(fresh_page):
    new_page, log, url = fresh_page
    page = first_visit_kept_a_snapshot(new_page, url)
    page.evaluate(SPOIL_SNAPSHOT_JS)

    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.reload()
    wait_for_worker_ready(page, timeout_ms=90_000)
    timings = page.evaluate(TIMINGS_JS)
    assert "imports" in timings  # booted afresh
    assert "pyodide restored" not in timings
    assert any("the function table differs" in w for w in warnings), warnings
    assert_trains_as_cpython(page, 2)
    # The fresh start kept a good snapshot in its place: the next visit starts from it.
    wait_until(lambda: page.evaluate(SNAPSHOT_STATE_JS) == "kept", 30, what="a new snapshot")
    page.reload()
    wait_for_worker_ready(page, timeout_ms=90_000)
    assert page.evaluate(SNAPSHOT_STATE_JS) == "restored"
    log.assert_clean()


class CutOffHandler(http.server.SimpleHTTPRequestHandler):
    """Sends half of the first pack and drops the connection, as a lost network does."""

    def do_GET(self) -> None:
        if not self.path.endswith("site-packages.pack.xz"):
            super().do_GET()
            return
        data = (self.server.site / "packs" / "site-packages.pack.xz").read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.connection.close()

    def log_message(self, *args) -> None:
        """Quiet."""


def test_a_download_cut_off_midway_ends_in_a_message_not_a_hang(built_site, build_module):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CutOffHandler)
    server.site = built_site
    CutOffHandler.extensions_map = {**CutOffHandler.extensions_map, **build_module.MIME_TYPES}
    handler = CutOffHandler
    server.RequestHandlerClass = lambda *a, **k: handler(*a, directory=str(built_site), **k)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with playwright.sync_playwright() as pw:
            browser = launch_browser(pw)
            log = BrowserLog()
            page = new_observed_context(browser, log).new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            page.locator("#ll-loading.ll-failed").wait_for(timeout=60_000)
            text = page.inner_text("#ll-status")
            assert page.get_by_role("button", name="Reload").is_visible()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert "site-packages.pack" in text
    assert "Traceback" not in text
    assert json.dumps(log.blocked) == "[]"
