"""The app in a real headless Chromium under ``panel serve``: train, watch, break, stay offline.

Widgets sit in Bokeh's shadow roots: Playwright's CSS, role and text locators pierce them.
Numbers come from the page's Bokeh document, whose sources have stable names.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import (
    BrowserLog,
    launch_browser,
    new_observed_context,
    wait_for_panel_server_ready,
    wait_until,
)

playwright = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"

# Reads a named source's column from whichever Bokeh document holds it.
COLUMN_JS = """([name, column]) => {
    for (const doc of window.Bokeh.documents) {
        const source = doc.get_model_by_name(name);
        if (source) return Array.from(source.data[column] ?? [], Number);
    }
    return null;
}"""
IMAGE_SUM_JS = """() => {
    for (const doc of window.Bokeh.documents) {
        const source = doc.get_model_by_name("boundary_source");
        if (source && source.data.image.length) {
            let total = 0;
            for (const v of source.data.image[0]) total += v;
            return total;
        }
    }
    return null;
}"""
COUNT_STREAMS_JS = """() => {
    window.__streams = 0;
    for (const doc of window.Bokeh.documents) {
        const source = doc.get_model_by_name("cost_source");
        if (source) source.streaming.connect(() => { window.__streams += 1; });
    }
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    log_path: Path

    def errors(self) -> str:
        """The server's log from the first Python traceback on ('' if there is none)."""
        text = self.log_path.read_text(errors="replace")
        return text[text.find("Traceback") :] if "Traceback" in text else ""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """``panel serve app/main.py`` on a free local port, for this module's tests."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "panel",
        "serve",
        str(ROOT / "app" / "main.py"),
        "--address",
        "127.0.0.1",
        "--port",
        str(port),
        f"--allow-websocket-origin=127.0.0.1:{port}",
        "--static-dirs",
        f"assets={ROOT / 'static'}",  # components.css, as the built site serves it
    ]
    log_path = tmp_path_factory.mktemp("serve") / "panel-serve.log"
    with log_path.open("wb") as server_log:
        server = subprocess.Popen(command, stdout=server_log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/main"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = log_path.read_text(errors="replace")
                    pytest.fail(f"panel serve did not start:\n{output[-4000:]}")
                time.sleep(0.3)
        yield Server(url, log_path)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def page_and_log(app_server):
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()
        context = new_observed_context(browser, log, viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(app_server.url)
        wait_for_panel_server_ready(page)
        try:
            yield page, log, dialogs
        finally:
            browser.close()


def column(page, name: str, key: str) -> list[float]:
    return page.evaluate(COLUMN_JS, [name, key])


@pytest.mark.browser
def test_train_watch_and_break_the_app_offline(page_and_log, app_server):
    page, log, dialogs = page_and_log
    architecture = page.locator(".ll-arch", has_text="Network:")

    # Layer sizes through the text field.
    layers = page.locator(".ll-hidden-layers input")
    layers.fill("6, 6, 4")
    layers.press("Enter")
    wait_until(
        lambda: "2 → 6 → 6 → 4 → 1" in architecture.inner_text(), what="the new architecture"
    )
    third = page.locator(".ll-layer-label", has_text="Layer 3")
    wait_until(
        lambda: third.count() == 1 and "4 units" in third.inner_text(), what="a third layer row"
    )

    # λ through its slider: three steps right on the ladder 0, 0.001, 0.003, 0.01, ...
    # (A key press that lands while the server's echo re-renders the slider can be lost:
    # press until the handle is on the third step.)
    handle = page.locator(".ll-lambd .noUi-handle")

    def lambda_step() -> int:
        return round(float(handle.get_attribute("aria-valuenow")))

    for _ in range(10):
        if lambda_step() >= 3:
            break
        handle.press("ArrowRight")
        time.sleep(0.3)
    assert lambda_step() == 3
    label = page.locator(".bk-Div.ll-lambd div")
    wait_until(lambda: label.inner_text() == "L2 λ: 0.01", what="the λ label")

    image_before = page.evaluate(IMAGE_SUM_JS)
    assert image_before is not None
    page.evaluate(COUNT_STREAMS_JS)
    page.get_by_role("button", name="Play").click()
    started = time.monotonic()

    # The cost source grows and the cost falls; the L2 part is there since λ > 0.
    wait_until(
        lambda: len(column(page, "cost_source", "train_cost") or []) >= 300, what="300 costs"
    )
    elapsed = time.monotonic() - started
    streams = page.evaluate("() => window.__streams")
    costs = column(page, "cost_source", "train_cost")
    assert costs[-1] < 0.6 * costs[0]
    assert min(column(page, "cost_source", "l2_cost")[1:]) > 0
    assert column(page, "cost_source", "iteration")[:3] == [0, 1, 2]
    assert page.evaluate(IMAGE_SUM_JS) != pytest.approx(image_before, rel=1e-6)
    # The readout is refreshed at most every 0.25 s while playing (binding.watch_progress),
    # so it may trail the cost source by a tick: wait for it rather than read the first frame.
    readout = page.locator(".ll-iteration").first
    wait_until(lambda: int(readout.inner_text()) >= 300, what="the iteration readout")
    iteration = int(readout.inner_text())
    print(f"\nbrowser: {streams / elapsed:.1f} cost-plot updates/s, {iteration / elapsed:.0f} it/s")
    assert streams / elapsed >= 5  # the bench measures the ≥ 10/s figure without a browser

    page.get_by_role("button", name="Pause").click()
    wait_until(lambda: page.get_by_role("button", name="Play").is_visible(), what="Play again")
    time.sleep(0.3)
    frozen = len(column(page, "cost_source", "train_cost"))

    # A bad layer string: its message shows, the network, data and curves stay.
    layers.fill("8,,x")
    layers.press("Enter")
    message = page.locator(".ll-msg-hidden_layers .ll-msg-text")
    wait_until(lambda: "Layer 2 is empty" in message.inner_text(), what="the message")
    assert "2 → 6 → 6 → 4 → 1" in architecture.inner_text()
    assert len(column(page, "cost_source", "train_cost")) == frozen
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)

    # Text that looks like HTML is shown as text, never run.
    layers.fill("<img src=x onerror=alert(1)>")
    layers.press("Enter")
    wait_until(lambda: "Layer 1 is '<img'" in message.inner_text(), what="the escaped text")
    assert dialogs == []

    # Put back a good value: the message goes away.
    layers.fill("6, 6, 4")
    layers.press("Enter")
    wait_until(lambda: message.count() == 0, what="no message")

    # The other buttons: gradient check, Step, Reset, a layer wider, an experiment.
    page.get_by_role("button", name="Check gradients").click()
    badge = page.locator(".ll-badge")
    wait_until(lambda: badge.count() == 1, what="a gradient-check badge")
    assert badge.inner_text() == "pass"
    counter = page.locator(".ll-counter .ll-iteration")
    before = int(counter.inner_text())
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: int(counter.inner_text()) == before + 1, what="one step")
    page.get_by_role("button", name="Reset").click()
    wait_until(lambda: counter.inner_text() == "0", what="a reset")
    wait_until(lambda: column(page, "cost_source", "train_cost") == [], what="empty curves")
    page.get_by_role("button", name="More units in Layer 1").click()
    wait_until(lambda: "2 → 8 → 6 → 4 → 1" in architecture.inner_text(), what="a wider layer 1")
    page.get_by_role("button", name="As in the article").click()
    wait_until(lambda: "2 → 20 → 7 → 5 → 1" in architecture.inner_text(), what="the article's net")
    note = page.get_by_text("the gradients vanish")
    wait_until(lambda: note.count() >= 1, what="the experiment's note")

    log.assert_clean()
    assert app_server.errors() == ""
    assert log.requests, "the route handler saw no request at all"


def test_panel_serve_reads_the_link_and_keeps_the_address_bar_in_sync(page_and_log, app_server):
    page, log, dialogs = page_and_log
    page.goto(app_server.url + "?dataset=xor&hidden_layers=3&lambd=0.03&lambd=%3Cb%3E")
    wait_for_panel_server_ready(page)
    architecture = page.locator(".ll-arch", has_text="Network:")
    wait_until(lambda: "2 → 3 → 1" in architecture.inner_text(), what="the link's layers")
    assert page.locator(".ll-notice", has_text="given more than once").count() >= 1
    page.locator(".ll-hidden-layers input").fill("5")
    page.locator(".ll-hidden-layers input").press("Enter")
    wait_until(
        lambda: "hidden_layers=5&" in page.evaluate("() => location.search"),
        what="the address bar",
    )
    assert "dataset=xor" in page.evaluate("() => location.search")
    assert not dialogs
    log.assert_clean()
