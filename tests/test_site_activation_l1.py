"""Issue 15 on the built site: a link with another hidden activation and an L1 penalty trains
exactly as the CPython lab does, and the page shows the choice. Offline, observed."""

from __future__ import annotations

import re
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
DIAGRAM_LABELS_JS = """() =>
    window.pyodideWorker.jsdoc.get_model_by_name("diagram_labels").data.text"""


def test_a_tanh_link_with_l1_trains_as_the_lab_does(open_site):
    open_page, log = open_site
    page = open_page("?activation=tanh&lambd_l1=0.01")
    for count in (1, 2, 3):
        page.get_by_role("button", name="Step").click()
        wait_until(lambda n=count: len(column(page, "cost_source", "train_cost")) == n, 20)
    oracle = LabState(activation="tanh", lambd_l1=0.01)
    for _ in range(3):
        oracle.step()
    costs = oracle.session.trainer.history.costs
    assert column(page, "cost_source", "train_cost") == costs
    assert column(page, "cost_source", "l2_cost") == oracle.session.trainer.history.l2_costs
    assert min(column(page, "cost_source", "l2_cost")) > 0  # the L1 part
    assert costs != LabState().session.trainer.step(3)  # the link's settings mattered
    assert page.evaluate(DIAGRAM_LABELS_JS)[1].startswith("8 tanh")
    assert "tanh" in page.locator(".ll-shapes").inner_text()
    search = page.evaluate("() => location.search")
    assert "activation=tanh" in search
    assert "lambd_l1=0.01" in search

    # The controls: the activation just below Initialization, L1 just below L2.
    def top(label: str) -> float:  # a label's first line, which may go on with a value
        return page.get_by_text(re.compile("^" + re.escape(label))).first.bounding_box()["y"]

    assert top("Initialization") < top("Hidden activation") < top("Weight seed")
    assert top("L2 λ") < top("L1 λ₁") < top("Learning rate")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site_activation_l1.png"), full_page=True)
    log.assert_clean()
