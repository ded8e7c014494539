"""Cold start of the built site: fresh browser per run, load to interactive, with a breakdown.

    .venv/bin/python bench/coldstart.py [--runs 10] [--site site] [--query "?lambd=0.1"]

Each run launches a new headless Chromium (empty caches, no service worker), opens
the site served from 127.0.0.1 and waits until the app is interactive (the signal
in tests/browser_support.wait_for_worker_ready). The worker reports when Pyodide
was up, numpy imported (as soon as its pack is in place), the other packages in place,
bokeh/panel imported and the app rendered
(milliseconds since the worker started, which is a few ms after navigation).
Transfer is the bytes the server sent (the site is served uncompressed).
"preview" is when the page had drawn the build-time preview of the app (seconds since
navigation; a link with settings has none, nor does a --plain or --cdn build).
"""

from __future__ import annotations

import argparse
import math
import statistics
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

PHASES = ("pyodide", "import numpy", "packages", "imports", "render")


def one_run(pw, url: str, served: list, site: Path) -> dict:
    """Open the site in a fresh browser; return the run's figures."""
    browser = launch_browser(pw)
    try:
        log = BrowserLog()
        page = new_observed_context(browser, log).new_page()
        served.clear()
        start = time.perf_counter()
        page.goto(url, wait_until="load")
        loaded = time.perf_counter() - start
        wait_for_worker_ready(page, timeout_ms=120_000)
        interactive = time.perf_counter() - start
        timings = page.evaluate("() => window.layerlabTimings || {}")
        preview = page.evaluate("() => window.layerlabPreviewDrawn ?? null")
        log.assert_clean()
    finally:
        browser.close()
    paths = [path.split("?")[0].lstrip("/") or "index.html" for path, _ in served]
    transfer = sum((site / p).stat().st_size for p in paths if (site / p).is_file())
    return {
        "load": loaded,
        "preview": math.nan if preview is None else preview / 1000,
        "interactive": interactive,
        "files": len(paths),
        "transfer": transfer,
        **{k: phase_s(timings, k) for k in PHASES},
    }


def phase_s(timings: dict, phase: str) -> float:
    """The worker's mark for ``phase`` in seconds: the first whose name starts with it (the
    early pack's mark is named after its imports: "import numpy, numpy.random"), or 0."""
    return next((ms for name, ms in timings.items() if name.startswith(phase)), 0) / 1000


def print_table(runs: list[dict], size: int, count: int) -> None:
    """Per-run rows, then the median."""
    header = ["run", "load event", "preview", *PHASES, "interactive", "files", "MB sent"]
    print(" | ".join(f"{h:>11}" for h in header))

    def row(label, r):
        cells = [
            label,
            f"{r['load']:.2f}",
            f"{r['preview']:.2f}",
            *(f"{r[k]:.2f}" for k in PHASES),
            f"{r['interactive']:.2f}",
            str(r["files"]),
            f"{r['transfer'] / 1e6:.1f}",
        ]
        print(" | ".join(f"{c:>11}" for c in cells))

    for i, r in enumerate(runs, 1):
        row(str(i), r)
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    median["files"] = int(median["files"])
    row("median", median)
    print(
        f"\nphases are cumulative seconds since the worker started; site on disk: "
        f"{size / 1e6:.1f} MB in {count} files"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--site", type=Path, default=build.SITE)
    parser.add_argument("--query", default="", help="open this link query (default: none)")
    args = parser.parse_args()
    if not (args.site / "index.html").exists():
        sys.exit(f"{args.site} has no index.html: run `python build.py` first")
    served: list = []
    with (
        build.serving_in_background(args.site, request_log=served) as url,
        sync_playwright() as pw,
    ):
        runs = [one_run(pw, url + args.query, served, args.site) for _ in range(args.runs)]
    print_table(runs, *build.site_size(args.site))


if __name__ == "__main__":
    main()
