"""Reusable helpers for browser tests: an offline, observed headless Chromium.

Everything here is generic (no knowledge of the built site or of ``panel serve``),
so any browser test can use it::

    from playwright.sync_api import sync_playwright
    from browser_support import BrowserLog, launch_browser, new_observed_context

    with sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()
        context = new_observed_context(browser, log)   # routes EVERY request
        page = context.new_page()
        page.goto("http://127.0.0.1:5006/main")
        wait_for_panel_server_ready(page)              # or wait_for_worker_ready(page)
        ...
        log.assert_clean()     # no off-localhost request, no console/page error

What "observed" means:

* ``context.route("**/*")`` sees every request of the pages *and* of their
  dedicated Web Workers (Chromium routes worker fetches through the context).
  Anything whose host is not in ``allowed_hosts`` is aborted and recorded in
  ``log.blocked``; every URL requested is in ``log.requests``.
  Service workers are blocked by default (``service_workers="block"``) because
  their fetches are not reliably routed; pass ``service_workers="allow"`` only
  for a test that checks the service worker itself, and then also check the
  local server's own request log.
* Console messages of type ``error`` (pages and workers) go to
  ``log.console_errors``; uncaught page exceptions to ``log.page_errors``.

The browser is Debian's ``chromium-headless-shell``: unlike full Chromium it makes
no request of its own. Never run ``playwright install``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, Route

CHROMIUM = "/usr/lib/chromium/chromium-headless-shell"
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--metrics-recording-only",
)
LOCAL_HOSTS = ("127.0.0.1",)
# Local schemes that never touch the network.
_LOCAL_SCHEMES = ("data", "blob", "about", "chrome", "devtools")


@dataclass
class BrowserLog:
    """What a browser context did: requests made, requests blocked, errors logged."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """Fail with a readable message if anything left localhost or errored."""
        problems = {
            "requests off localhost (aborted)": self.blocked,
            "console errors": self.console_errors,
            "uncaught page errors": self.page_errors,
        }
        found = {name: items for name, items in problems.items() if items}
        assert not found, json.dumps(found, indent=2)[:8000]


def launch_browser(playwright: Playwright, **kwargs) -> Browser:
    """Launch the Debian headless shell with flags that keep it quiet and offline."""
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: install it with `apt-get install chromium-headless-shell`"
        )
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=list(LAUNCH_ARGS), headless=True, **kwargs
    )


def is_local(url: str, allowed_hosts: tuple[str, ...] = LOCAL_HOSTS) -> bool:
    """True for URLs that stay on an allowed host or never touch the network."""
    parts = urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in allowed_hosts


def new_observed_context(
    browser: Browser,
    log: BrowserLog,
    *,
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS,
    service_workers: str = "block",
    **context_kwargs,
) -> BrowserContext:
    """A fresh context whose every request is recorded and non-local ones aborted.

    Console errors and page errors of every page (and its workers) go into ``log``.
    """
    context = browser.new_context(service_workers=service_workers, **context_kwargs)

    def route(route: Route) -> None:
        url = route.request.url
        log.requests.append(url)
        if is_local(url, allowed_hosts):
            route.continue_()
        else:
            log.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    context.on("page", lambda page: _observe_page(page, log))
    return context


def _observe_page(page: Page, log: BrowserLog) -> None:
    """Record console errors of the page and its workers, and uncaught exceptions."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            log.console_errors.append(f"{message.text} @ {message.location.get('url', '')}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("worker", lambda worker: worker.on("console", on_console))


def wait_for_worker_ready(page: Page, timeout_ms: float = 60_000) -> None:
    """Wait until a ``panel convert --to pyodide-worker`` page is interactive.

    Panel's worker template sets ``pyodideWorker.jsdoc``, removes ``pn-loading``
    from ``<body>`` and links the document to Python in one block; once the
    document is idle, events sent to it are applied. (The load event and the
    prerendered ``Bokeh.documents[0]`` come far earlier and ignore clicks.)
    """
    page.wait_for_function(
        """() => {
            const w = window.pyodideWorker;
            return Boolean(w && w.jsdoc && w.jsdoc.is_idle
                           && !document.body.classList.contains('pn-loading'));
        }""",
        timeout=timeout_ms,
    )


def wait_for_panel_server_ready(page: Page, timeout_ms: float = 30_000) -> None:
    """Wait until a ``panel serve`` page has a document with roots that is idle."""
    page.wait_for_function(
        """() => {
            const docs = (window.Bokeh && window.Bokeh.documents) || [];
            return docs.some(d => d.roots().length > 0 && d.is_idle);
        }""",
        timeout=timeout_ms,
    )


def wait_until(predicate, timeout_s: float = 30.0, interval_s: float = 0.1, *, what: str = ""):
    """Poll ``predicate`` until it is truthy and return its value; fail after ``timeout_s``,
    naming ``what`` was awaited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"waited {timeout_s} s for {what or 'the condition'}")
