"""The longest the page's worker is busy at a stretch while training, and how long Pause takes.

    .venv/bin/python bench/worst_tick.py [--seconds 8] [--repeats 3] [--site site]
                                         [--only "largest, batch 1"]

For each network (a link's settings, up to the largest the controls allow: 8 hidden layers
of 256 units on 2,000 points), a fresh page of the built site is opened in headless
Chromium, Play is pressed, training runs for ``--seconds``, then Pause is pressed.

* **ticks**: every call of the periodic callback (``LayerLab.tick``: a training slice, the
  plots' update and the document patch it sends) is timed inside the worker
  (``tests/worker_ticks.py``, installed a second after the page is ready, before Play). The
  table gives the worst tick, the 95th percentile and the median, and how many ran. A Pause
  click waits for the tick in progress: the worst tick is the worst wait.
* **pause**: seconds from the Pause click (Playwright) until the page shows Play again,
  which needs the worker to have taken the click in and sent the new label back.
* **iterations**: how far the run got (whole iterations, from the cost plot's source).

With ``--repeats`` each network gets that many fresh pages, one after the other; the table
pools their ticks (worst of all, percentiles of all) and gives the median pause and
iteration count. On a machine shared with other jobs single ticks are stretched by the
operating system: the percentiles say more than the worst.

The timer works on any build of the app (it only needs ``LayerLab.tick``), so the same
script measures a build before and after a change (``--site``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import build  # noqa: E402
from browser_support import (  # noqa: E402
    BrowserLog,
    launch_browser,
    new_observed_context,
    wait_for_worker_ready,
    wait_until,
)
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from worker_ticks import install, ticks  # noqa: E402

Prepare = Callable[[Page], Callable[[], dict]]

LARGEST = "256,256,256,256,256,256,256,256"
ITERATIONS = "&iterations=100000"  # the budget never ends a measurement
NETWORKS = {  # name -> the link's query (with ITERATIONS appended)
    "default": "?",
    "8x64, 2000 points": f"?hidden_layers={'64,' * 7}64&n_points=2000&test_ratio=0.1",
    "largest, full batch": f"?hidden_layers={LARGEST}&n_points=2000&test_ratio=0.1",
    "largest, batch 1": f"?hidden_layers={LARGEST}&n_points=2000&test_ratio=0.1&batch_size=1",
    "largest, batch 64, dropout": (
        f"?hidden_layers={LARGEST}&n_points=2000&test_ratio=0.5&batch_size=64&keep_prob=0.8"
    ),
}

COUNT_JS = """() => {
    const source = window.pyodideWorker.jsdoc.get_model_by_name("cost_source");
    return source ? source.data.iteration.length : 0;
}"""


def measure(pw, url: str, seconds: float, prepare: Prepare | None = None) -> dict:
    """Open ``url``, play for ``seconds``, pause; the worker's tick times and the pause wait.

    ``prepare(page)``, if given, runs once the ticks are timed, before Play; what the
    function it returns gives after Pause is added to the result (``bench/heatmaps.py``).
    """
    browser = launch_browser(pw)
    log = BrowserLog()
    page = new_observed_context(browser, log, viewport={"width": 1440, "height": 1000}).new_page()
    page.goto(url)
    wait_for_worker_ready(page, timeout_ms=120_000)
    time.sleep(1)  # let the first render and any work it started settle
    install(page.workers[0])
    read = prepare(page) if prepare is not None else dict
    page.get_by_role("button", name="Play").click()
    time.sleep(seconds)
    pause = page.get_by_role("button", name="Pause")
    pause.wait_for(timeout=120_000)  # shown once the worker took Play in
    clicked = time.monotonic()
    pause.click()
    wait_until(lambda: page.get_by_role("button", name="Play").count(), 120, 0.01, what="Play")
    paused = time.monotonic() - clicked
    iterations = page.evaluate(COUNT_JS)
    timed = [seconds for seconds, _, _ in ticks(page.workers[0])]
    extra = read()
    log.assert_clean()
    browser.close()
    return {"ticks": timed, "pause": paused, "iterations": iterations, **extra}


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="training time per network")
    parser.add_argument("--repeats", type=int, default=1, help="fresh pages per network")
    parser.add_argument("--site", type=Path, default=build.SITE, help="a built site")
    parser.add_argument("--only", choices=list(NETWORKS), action="append", help="these only")
    args = parser.parse_args()
    if args.site == build.SITE:
        build.ensure_built("fast")
    results: dict[str, list[dict]] = {name: [] for name in args.only or NETWORKS}
    with build.serving_in_background(args.site) as url, sync_playwright() as pw:
        for _ in range(args.repeats):
            for name, runs in results.items():
                runs.append(measure(pw, url + NETWORKS[name] + ITERATIONS, args.seconds))
                print(f"{name}: done", file=sys.stderr, flush=True)
    print(f"{args.seconds:g} s of training per network, then Pause; {args.repeats} page(s) each")
    print(
        f"{'network':<28} | {'worst tick ms':>13} | {'p95 ms':>6} | {'median ms':>9} | "
        f"{'ticks':>5} | {'iterations':>10} | {'pause s':>7}"
    )
    for name, runs in results.items():
        ticks = [1000 * tick for run in runs for tick in run["ticks"]] or [float("nan")]
        print(
            f"{name:<28} | {max(ticks):13.0f} | {percentile(ticks, 0.95):6.0f} | "
            f"{statistics.median(ticks):9.1f} | {len(ticks):5d} | "
            f"{statistics.median(run['iterations'] for run in runs):10g} | "
            f"{statistics.median(run['pause'] for run in runs):7.2f}"
        )


if __name__ == "__main__":
    main()
