"""Compare runs (issue 15, part 4) on the built site, in headless Chromium, fully offline.

Run, pin, change λ, run again: both runs' costs are drawn and the pin's legend says what
differs. The copied link carries the pin (``pin=``); opened in a new page, the pinned run is
replayed there and its costs equal the original's (and CPython's replay of the same recipe).
Unpin removes it. Screenshots at desktop and phone size land in tests/artifacts/; nothing is
wider than the viewport.
"""

from __future__ import annotations

from urllib.parse import unquote

import numpy as np
import pytest
import test_site_browser
from browser_support import wait_until
from test_site_browser import column

from layerlab.ui.pins import Replay
from layerlab.ui.urlstate import parse_query

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

open_site = test_site_browser.open_site  # the fixture: a fresh offline, observed browser

BUDGET = 60  # iterations per run: Play trains to it


def pin_line(page, index: int):
    return page.locator(f".ll-pin-{index} .ll-pin")


def cpython_replay(search: str) -> dict[str, list]:
    """The link's first pin replayed by CPython (the oracle of the page's replay)."""
    replay = Replay(parse_query(search).pins[0])
    while not replay.done:
        replay.run(1.0)
    return replay.curves()


def play_to_the_budget(page) -> None:
    page.get_by_role("button", name="Play").click()
    wait_until(lambda: len(column(page, "cost_source", "train_cost") or []) == BUDGET, 30)
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)  # done: Pause is Play


def no_wider_than(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_pin_a_run_compare_share_the_link_and_unpin(open_site, request):
    open_page, log = open_site
    artifacts = request.path.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page = open_page(f"?iterations={BUDGET}")
    play_to_the_budget(page)
    first = column(page, "cost_source", "train_cost")
    first_test = column(page, "cost_source", "test_cost")

    page.get_by_role("button", name="Pin this run").click()
    wait_until(lambda: len(column(page, "pin_source_0", "train_cost") or []) == BUDGET, 10)
    assert column(page, "pin_source_0", "train_cost") == first
    assert column(page, "pin_source_0", "test_cost") == first_test

    # Change λ and run again: the pinned curves stay, the new run draws over them.
    handle = page.locator(".ll-lambd .noUi-handle")
    handle.focus()
    handle.press("ArrowRight")  # 0 -> 0.001 on the ladder
    page.get_by_role("button", name="Reset").click()
    wait_until(lambda: column(page, "cost_source", "train_cost") == [], 10)
    play_to_the_budget(page)
    assert column(page, "cost_source", "train_cost") != first
    assert column(page, "pin_source_0", "train_cost") == first
    wait_until(lambda: "L2 λ 0 → 0.001" in pin_line(page, 0).inner_text(), 10)
    assert f"Pin 1 · {BUDGET} iterations" in pin_line(page, 0).inner_text()
    page.screenshot(path=str(artifacts / "site_pins_desktop.png"), full_page=True)
    no_wider_than(page, 1440)

    # The copied link carries the pin; a new page replays it to the same numbers.
    page.get_by_role("button", name="Copy link").click()
    box = page.locator(".ll-link input")
    wait_until(lambda: box.is_visible() and "pin=" in box.input_value(), 10)
    search = "?" + box.input_value().partition("?")[2]
    assert f"pin={BUDGET}" in unquote(search)
    again = open_page(search)
    wait_until(lambda: len(column(again, "pin_source_0", "train_cost") or []) == BUDGET, 30)
    np.testing.assert_allclose(
        column(again, "pin_source_0", "train_cost"), first, rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(
        column(again, "pin_source_0", "test_cost"), first_test, rtol=1e-12, atol=0
    )
    oracle = cpython_replay(search)
    np.testing.assert_allclose(oracle["train_cost"], first, rtol=1e-12, atol=0)
    wait_until(lambda: "L2 λ 0 → 0.001" in pin_line(again, 0).inner_text(), 10)
    assert again.locator(".ll-notice").count() == 0 or not again.locator(".ll-notice").is_visible()

    # At phone size: nothing wider than the screen.
    again.set_viewport_size({"width": 390, "height": 844})
    again.wait_for_timeout(500)
    no_wider_than(again, 390)
    again.screenshot(path=str(artifacts / "site_pins_390.png"), full_page=True)

    # Unpin: the curve and its legend line go.
    again.get_by_role("button", name="× Unpin").click()
    wait_until(lambda: column(again, "pin_source_0", "train_cost") == [], 10)
    wait_until(lambda: not pin_line(again, 0).is_visible(), 10)
    wait_until(lambda: "pin=" not in again.evaluate("() => location.search"), 10)
    log.assert_clean()
    assert not log.blocked
