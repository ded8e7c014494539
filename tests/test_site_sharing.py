"""Issue 5 on the built self-contained site, in headless Chromium, fully offline.

A share link restores its settings and replays the same costs as CPython; a hostile link
only leaves notices; a CSV (good and bad) goes through the upload; weights come out as a
download that ``layerlab.serialization`` reads, and go back in. Every request is routed:
none may leave 127.0.0.1, and no console error may appear.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import test_site_browser
from browser_support import wait_until
from test_site_browser import column

from layerlab.serialization import params_from_npz_bytes, validate_params
from layerlab.ui.state import LabState
from layerlab.ui.urlstate import parse_query

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

open_site = test_site_browser.open_site  # the fixture: a fresh offline, observed browser

SHARE = "?dataset=circles&hidden_layers=4,4&lambd=0.05&weight_seed=7"
STEPS = 3
GOOD_CSV = (
    "f1,f2,f3,answer\n"
    + "".join(
        f"{0.1 * i:.1f},{(-1) ** i * 0.5:.1f},{i % 3}.5,{'yes' if i % 2 else 'no'}\n"
        for i in range(30)
    )
).encode()
BAD_CSV = b"a,b,label\n1,2,0\n3,x,1\n5,6,0\n7,8,1\n"


def cpython_state(query: str, steps: int) -> LabState:
    """The session a link describes, stepped in CPython (the oracle)."""
    state = LabState(**parse_query(query).settings)
    for _ in range(steps):
        state.step()
    return state


def step(page, times: int) -> None:
    """Click Step ``times`` times, waiting for each cost to arrive."""
    for i in range(times):
        page.get_by_role("button", name="Step").click()
        wait_until(lambda i=i: len(column(page, "cost_source", "train_cost") or []) >= i + 1)


def arch_text(page) -> str:
    return page.locator(".ll-arch", has_text="Network:").inner_text()


def test_a_share_link_restores_the_controls_and_the_costs(open_site, request):
    open_page, log = open_site
    page = open_page(SHARE)
    assert page.locator(".ll-hidden-layers input").input_value() == "4, 4"
    wait_until(lambda: "2 → 4 → 4 → 1" in arch_text(page), 20)
    assert page.locator(".ll-lambd", has_text="λ: 0.05").count() >= 1
    selects = page.locator("select").evaluate_all("els => els.map(e => e.value)")
    assert "Circles" in selects
    inputs = page.locator("input").evaluate_all("els => els.map(e => e.value)")
    assert "7" in inputs  # the weight seed
    step(page, STEPS)
    costs = column(page, "cost_source", "train_cost")
    expected = cpython_state(SHARE, STEPS).session.trainer.history.costs
    np.testing.assert_allclose(costs, expected, rtol=1e-12, atol=0)

    # The address bar follows the controls (replaceState: no new history entry). Back at
    # iteration 0, a new λ is the run's starting value (mid-run changes: see below).
    page.get_by_role("button", name="Reset").click()
    wait_until(lambda: column(page, "cost_source", "train_cost") == [])
    history_length = page.evaluate("() => history.length")
    handle = page.locator(".ll-lambd .noUi-handle")
    handle.focus()
    handle.press("ArrowRight")  # 0.05 -> 0.1 on the ladder
    wait_until(lambda: "lambd=0.1&" in page.evaluate("() => location.search"), 10)
    assert page.evaluate("() => history.length") == history_length
    search = page.evaluate("() => location.search")
    assert parse_query(search).settings["hidden_layers"] == "4, 4"

    # Copy link: the clipboard, and the link shown in a box either way.
    page.get_by_role("button", name="Copy link").click()
    box = page.locator(".ll-link input")
    wait_until(lambda: box.is_visible() and box.input_value() == page.url, 10)

    again = open_page(search)  # the copied link reopens the same experiment
    assert again.locator(".ll-lambd", has_text="λ: 0.1").count() >= 1
    wait_until(lambda: "2 → 4 → 4 → 1" in arch_text(again), 20)
    artifacts = request.path.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "site_share_link.png"), full_page=True)
    log.assert_clean()
    assert log.requests
    assert not log.blocked


def test_a_hostile_link_shows_a_notice_and_the_app_still_works(open_site):
    open_page, log = open_site
    page = open_page(
        "?lambd=99&hidden_layers=%3Cscript%3Ealert(1)%3C/script%3E"
        "&optimizer=%3Cimg%20src=x%20onerror=alert(1)%3E&nonsense=1"
    )
    notice = page.locator(".ll-notice")
    notice.wait_for(state="visible", timeout=10_000)  # drawn with the page, maybe a frame late
    text = notice.inner_text()
    assert "lambd='99' is above the maximum: used 10" in text
    assert "Unknown setting 'nonsense'" in text
    assert page.locator("img[src=x]").count() == 0
    # The address bar now holds the canonical link: clamped λ, no script, no unknown key.
    wait_until(lambda: "lambd=10" in page.evaluate("location.search"), 10)
    search = page.evaluate("decodeURIComponent(location.search)")
    assert "script" not in search
    assert "nonsense" not in search
    assert "img" not in search
    step(page, 1)
    page.get_by_role("button", name="Dismiss").click()
    wait_until(lambda: not notice.is_visible(), 10)
    log.assert_clean()  # also: no alert() dialog was opened (the fixture records dialogs)
    assert not log.blocked


def test_csv_upload_good_and_bad_and_weights_download_and_upload(open_site, request, tmp_path):
    open_page, log = open_site
    page = open_page()
    upload = page.locator(".ll-csv-upload input[type=file]")
    upload.set_input_files(
        files=[{"name": "answers.csv", "mimeType": "text/csv", "buffer": GOOD_CSV}]
    )
    message = page.locator(".ll-upload-msg [role]")  # the text, inside the pane's shadow root
    wait_until(lambda: "was not used" in message.inner_text(), 20)
    assert "label_map" in message.inner_text()
    page.locator(".ll-label-map select").select_option(label="'no' → 0, 'yes' → 1")
    wait_until(lambda: "Using answers.csv" in message.inner_text(), 20)
    wait_until(lambda: "3 → 8 → 8 → 1" in arch_text(page), 20)
    step(page, 2)
    histogram = column(page, "histogram_source", "class0")
    confusion = column(page, "confusion_source", "count")
    assert histogram
    assert sum(confusion) > 0

    upload.set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_CSV}])
    wait_until(lambda: "bad.csv was not used" in message.inner_text(), 20)
    assert "row 3, column 2 ('b')" in message.inner_text()
    wait_until(lambda: "3 → 8 → 8 → 1" in arch_text(page), 20)  # the previous data stays

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Weights .npz").click()
    download = download_info.value
    assert download.suggested_filename == "layerlab_params.npz"
    download.save_as(tmp_path / "w.npz")
    params = params_from_npz_bytes((tmp_path / "w.npz").read_bytes())
    assert validate_params(params) == [3, 8, 8, 1]

    page.locator(".ll-params-upload input[type=file]").set_input_files(str(tmp_path / "w.npz"))
    params_message = page.locator(".ll-params-msg [role]")
    wait_until(lambda: "Loaded weights" in params_message.inner_text(), 20)
    time.sleep(0.3)
    artifacts = request.path.parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "site_sharing_csv.png"), full_page=True)
    log.assert_clean()
    assert not log.blocked


def test_clicking_the_map_adds_and_shift_click_removes_a_point(open_site):
    open_page, log = open_site
    page = open_page("?n_points=100")

    def points() -> int:
        return len(column(page, "train_points", "x")) + len(column(page, "test_points", "x"))

    assert points() == 100
    boxes = [c.bounding_box() for c in page.locator("canvas").all()]
    box = next(b for b in boxes if b and abs(b["height"] - 430) < 40 and b["width"] < 480)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    wait_until(lambda: points() == 101, 20)
    status = page.locator(".ll-status")
    wait_until(lambda: "Added a point of class 1" in status.inner_text(), 10)
    page.keyboard.down("Shift")
    page.mouse.click(x, y)
    page.keyboard.up("Shift")
    wait_until(lambda: points() == 100, 20)
    assert "Removed a point of class 1" in status.inner_text()
    log.assert_clean()
    assert not log.blocked


def test_a_link_copied_after_a_mid_run_change_replays_the_run(open_site):
    open_page, log = open_site
    page = open_page(SHARE)
    step(page, 4)
    handle = page.locator(".ll-lambd .noUi-handle")
    handle.focus()
    handle.press("ArrowRight")  # λ 0.05 -> 0.1 before iteration 4
    wait_until(lambda: "changes=lambd@4:0.1" in page.evaluate("() => location.search"), 10)
    for count in range(5, 9):
        page.get_by_role("button", name="Step").click()
        wait_until(lambda n=count: len(column(page, "cost_source", "train_cost") or []) >= n)
    costs = column(page, "cost_source", "train_cost")
    assert parse_query(page.evaluate("() => location.search")).settings["lambd"] == 0.05
    page.get_by_role("button", name="Copy link").click()
    box = page.locator(".ll-link input")
    wait_until(lambda: box.is_visible() and box.input_value() == page.url, 10)

    again = open_page("?" + box.input_value().partition("?")[2])
    assert again.locator(".ll-lambd", has_text="λ: 0.05").count() >= 1  # as the run began
    for count in range(1, 9):
        again.get_by_role("button", name="Step").click()
        wait_until(lambda n=count: len(column(again, "cost_source", "train_cost") or []) >= n)
    assert column(again, "cost_source", "train_cost") == costs  # to the last digit
    wait_until(lambda: again.locator(".ll-lambd", has_text="λ: 0.1").count() >= 1, 10)
    log.assert_clean()
