"""Training speed of the default network: in the browser's Pyodide worker vs CPython.

    .venv/bin/python bench/browser_training.py [--iterations 500] [--repeats 5] [--site site]

The same code runs in both: a fresh ``LabState()`` (the page's defaults: the
default dataset and network, optimizer and seeds) trained with
``trainer.step(n)``. In the browser it runs inside the built site's worker,
after the app is interactive, so it measures exactly the runtime visitors get.
Best of ``--repeats`` in each runtime.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import build  # noqa: E402
from browser_support import (  # noqa: E402
    BrowserLog,
    launch_browser,
    new_observed_context,
    wait_for_worker_ready,
)
from playwright.sync_api import sync_playwright  # noqa: E402

# Runs in both runtimes; leaves the best wall time (s) and the network in `result`.
TIMING_CODE = """
import time
from layerlab.ui.state import LabState

best = float("inf")
for _ in range({repeats}):
    state = LabState()
    start = time.perf_counter()
    state.session.trainer.step({iterations})
    best = min(best, time.perf_counter() - start)
result = (best, state.session.architecture, state.session.trainer.history.costs[-1])
"""


def cpython_seconds(iterations: int, repeats: int) -> tuple[float, str, float]:
    """Best time for ``iterations`` steps in this CPython."""
    namespace: dict = {}
    exec(TIMING_CODE.format(iterations=iterations, repeats=repeats), namespace)
    return namespace["result"]


def browser_seconds(iterations: int, repeats: int, site: Path) -> tuple[float, str, float]:
    """Best time for ``iterations`` steps inside the built site's Pyodide worker."""
    with build.serving_in_background(site) as url, sync_playwright() as pw:
        browser = launch_browser(pw)
        log = BrowserLog()
        page = new_observed_context(browser, log).new_page()
        page.goto(url)
        wait_for_worker_ready(page, timeout_ms=120_000)
        time.sleep(1)  # let the first render settle
        code = TIMING_CODE.format(iterations=iterations, repeats=repeats)
        result = page.workers[0].evaluate(
            """(code) => {
                const ns = self.pyodide.toPy({});
                self.pyodide.runPython(code, {globals: ns});
                return ns.get("result").toJs();
            }""",
            code,
        )
        log.assert_clean()
        browser.close()
    return tuple(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--site", type=Path, default=build.SITE, help="a built site")
    args = parser.parse_args()
    if args.site == build.SITE:
        build.ensure_built("fast")
    py_s, arch, py_cost = cpython_seconds(args.iterations, args.repeats)
    web_s, _, web_cost = browser_seconds(args.iterations, args.repeats, args.site)
    n = args.iterations
    print(f"network {arch}, {n} iterations, best of {args.repeats}")
    print(f"{'runtime':>10} | {'seconds':>8} | {'it/s':>8} | final cost")
    print(f"{'CPython':>10} | {py_s:8.3f} | {n / py_s:8.0f} | {py_cost:.12f}")
    print(f"{'browser':>10} | {web_s:8.3f} | {n / web_s:8.0f} | {web_cost:.12f}")
    print(f"browser / CPython time: {web_s / py_s:.2f}x")


if __name__ == "__main__":
    main()
