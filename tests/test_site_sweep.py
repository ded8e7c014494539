"""Issue 15's λ sweep on the built site: a ``view=sweep&sweep=...`` link opens it, Run sweep
brings the points one by one (the same numbers CPython's lab computes, in the plot, the table
and the CSV), Cancel stops a sweep in the middle, and the phone page stays as wide as the
screen. Offline, observed. Screenshots land in tests/artifacts/ (look at them).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

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

from layerlab.ui.app import create_app_from_link

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

open_site = test_site_browser.open_site
ARTIFACTS = Path(__file__).parent / "artifacts"
LINK = "?view=sweep&sweep=0,1&n_points=80&hidden_layers=5&iterations=40&learning_rate=0.05"
# A sweep long enough to cancel: a bigger network, many iterations per λ.
LONG = "?view=sweep&sweep=0,0.01,0.1,1,3&n_points=400&hidden_layers=32,32&iterations=3000"
FIELDS = ("lambd", "train_cost", "test_cost", "train_accuracy", "test_accuracy")


def cpython_points(link: str) -> list:
    """The same link's sweep run in CPython by the same code: the oracle."""
    lab = create_app_from_link(link)
    state = lab.state
    state.sweep.start()
    while state.busy:
        state.tick()
    return state.sweep.points


def shown_points(page) -> int:
    return len(column(page, "sweep_source", "lambd") or [])


def status(page) -> str:
    return page.locator(".ll-sweep-status .ll-status").first.inner_text()


def test_a_sweep_link_runs_to_the_numbers_cpython_gets(open_site):
    open_page, log = open_site
    page = open_page(LINK)
    assert page.locator(".ll-sweep-grid input").input_value() == "0, 1"
    assert shown_points(page) == 0
    page.get_by_role("button", name="Run sweep").click()
    wait_until(lambda: shown_points(page) == 2, 120, what="both points")
    wait_until(lambda: "Done: 2 values of λ" in status(page), 30, what="the summary")
    expected = cpython_points(LINK)
    for field in FIELDS:
        shown = column(page, "sweep_source", field)
        assert shown == pytest.approx([getattr(p, field) for p in expected], abs=1e-9), field
        if field != "lambd":
            cells = page.locator(f".ll-sweep-{field.replace('_', '-')}").all()
            values = [float(cell.get_attribute("data-v")) for cell in cells]
            assert values == pytest.approx([getattr(p, field) for p in expected], abs=1e-9)
    assert column(page, "sweep_source", "x") == pytest.approx([0.1, 1.0])  # λ = 0: a decade left
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "lambda_sweep.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 2
    for row, point in zip(rows, expected, strict=True):
        for field in FIELDS:
            assert float(row[field]) == pytest.approx(getattr(point, field), abs=1e-9)
    search = page.evaluate("() => location.search")
    assert "view=sweep" in search
    assert "sweep=0,1" in search

    # A bad grid is said and changes nothing; a good one goes into the link.
    grid = page.locator(".ll-sweep-grid input")
    grid.fill("0, -1")
    grid.press("Enter")
    message = page.locator(".ll-sweep-msg .ll-msg-text")
    wait_until(lambda: "below 0" in message.inner_text(), 30, what="the grid's message")
    assert "kept 0, 1" in message.inner_text()
    grid.fill("0, 0.5")
    grid.press("Enter")
    wait_until(lambda: "sweep=0,0.5" in page.evaluate("() => location.search"), 30)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site_sweep.png"), full_page=True)
    log.assert_clean()


def test_cancel_stops_a_sweep_in_the_middle(open_site):
    open_page, log = open_site
    page = open_page(LONG)
    page.get_by_role("button", name="Run sweep").click()
    wait_until(lambda: shown_points(page) >= 1, 240, what="a first point")
    page.get_by_role("button", name="Cancel").click()
    wait_until(lambda: "Cancelled" in status(page), 60, what="the cancel")
    done = shown_points(page)
    assert 1 <= done < 5
    assert f"after {done} of 5 values of λ" in status(page)
    page.wait_for_timeout(1500)  # cancelled: no more points come
    assert shown_points(page) == done
    # The page answered all along: a Step meanwhile trains the page's own network.
    page.get_by_role("button", name="Step").click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost")) == 1, 60)
    log.assert_clean()


@pytest.mark.parametrize(("width", "height"), [(390, 844)], ids=["phone"])
def test_the_sweep_fits_a_phone(site_server, width, height):
    log = BrowserLog()
    with playwright.sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            context = new_observed_context(
                browser, log, viewport={"width": width, "height": height}, is_mobile=True
            )
            page = context.new_page()
            page.goto(site_server.url + LINK)
            wait_for_worker_ready(page, timeout_ms=90_000)
            page.get_by_role("button", name="Run sweep").click()
            wait_until(lambda: shown_points(page) == 2, 120, what="both points")
            page.wait_for_timeout(500)
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator(".ll-sweep").first.screenshot(path=str(ARTIFACTS / "site_sweep_390.png"))
            page.screenshot(path=str(ARTIFACTS / "site_sweep_390_full.png"), full_page=True)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width
            log.assert_clean()
        finally:
            browser.close()
