"""A first visit as a visitor meets it: a home connection, not loopback.

    .venv/bin/python bench/first_visit.py [--runs 5] [--site site] [--before site.before]
                                          [--mbit 20] [--latency-ms 40] [--query "?..."]
                                          [--cache-control "max-age=600"]

Each site is served by a throttled server of this script's own, shaped like a home
connection behind a common static host: one token bucket shared by all responses
(``--mbit``, 20 Mbit/s), ``--latency-ms`` (40 ms) before each response's first byte, text
files (HTML, JS, CSS, JSON, SVG) gzipped on the fly as GitHub Pages or Netlify do, with
their caching headers (``--cache-control``: GitHub Pages' ``max-age=600`` by default,
Netlify's is ``max-age=0, must-revalidate``; an ETag, 304 on a match).

Each run opens the site in a fresh headless Chromium with an empty profile of its own
(a real profile: an HTTP cache on disk, service workers on) and records what crossed the
wire until the visit is complete: the app interactive and the offline cache in place (the
service worker active, and the snapshot of Python kept when the site makes one). Then it
opens the site again in the same browser: the repeat visit, with the service worker warm.
With ``--before``, runs of the two sites alternate (the same conditions for both) and the
table shows them side by side.

Printed: medians over the runs of the bytes on the wire and responses of a first visit,
the time to the preview (the build-time drawing of the app, when the link has none of its
own settings) and to interactive, the repeat visit's time to interactive and bytes; then
the median bytes on the wire per file. Requests off the site's origin are counted (the
site makes none: a run that makes one fails).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import http.server
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import build  # noqa: E402
from browser_support import CHROMIUM, LAUNCH_ARGS, is_local  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

TEXT_TYPES = (".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt")
CHUNK = 16 * 1024
INTERACTIVE_JS = """() => {
    const w = window.pyodideWorker;
    return Boolean(w && w.jsdoc && w.jsdoc.is_idle
                   && !document.body.classList.contains('pn-loading'));
}"""
OFFLINE_READY_JS = """async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return registration?.active?.state === "activated";
}"""
# The first visit's snapshot of Python (static/snapshot.js) is in the cache, if it took one.
SNAPSHOT_SETTLED_JS = """() => !("snapshot" in (window.layerlabTimings ?? {}))
    || window.layerlabSnapshot !== undefined"""


class TokenBucket:
    """One link shared by every response: chunks go out one after another at ``rate``."""

    def __init__(self, bytes_per_s: float) -> None:
        self.rate = bytes_per_s
        self.lock = threading.Lock()
        self.free_at = 0.0  # when the link has sent everything queued so far

    def send(self, size: int) -> None:
        """Wait until ``size`` bytes have had their turn on the link."""
        with self.lock:
            start = max(time.monotonic(), self.free_at)
            self.free_at = start + size / self.rate
            done = self.free_at
        time.sleep(max(0.0, done - time.monotonic()))


class ThrottledHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD of a site's files through the shared bucket, as a static host sends them."""

    protocol_version = "HTTP/1.1"
    site: ClassVar[Path]
    bucket: ClassVar[TokenBucket]
    latency_s: ClassVar[float]
    cache_control: ClassVar[str]
    log: ClassVar[list]  # (path, bytes on the wire, status)
    gzipped: ClassVar[dict[Path, bytes]] = {}

    def do_GET(self) -> None:
        self.respond(body=True)

    def do_HEAD(self) -> None:
        self.respond(body=False)

    def respond(self, *, body: bool) -> None:
        path = urllib.parse.unquote(self.path.split("?")[0].split("#")[0])
        file = self.site / (path.lstrip("/") or "index.html")
        if file.is_dir():
            file = file / "index.html"
        time.sleep(self.latency_s)
        if not file.is_file() or not file.resolve().is_relative_to(self.site.resolve()):
            self.send_plain(404, b"not found", path)
            return
        data = file.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_plain(304, b"", path, etag=etag)
            return
        encoding = None
        if file.suffix in TEXT_TYPES and "gzip" in self.headers.get("Accept-Encoding", ""):
            if file not in self.gzipped:
                self.gzipped[file] = gzip.compress(data, compresslevel=6)
            data, encoding = self.gzipped[file], "gzip"
        self.send_response(200)
        mime = build.MIME_TYPES.get(file.suffix, "application/octet-stream")
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", self.cache_control)
        self.send_header("ETag", etag)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        sent = 0
        if body:
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                self.bucket.send(len(chunk))
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(chunk)
                sent += len(chunk)
        self.log.append((path, sent, 200))

    def send_plain(self, status: int, data: bytes, path: str, etag: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)
        self.log.append((path, len(data), status))

    def log_message(self, *args) -> None:
        """Quiet."""


@contextlib.contextmanager
def throttled_server(
    site: Path, mbit: float, latency_ms: float, cache_control: str
) -> Iterator[tuple[str, list]]:
    """Serve ``site`` on 127.0.0.1 through its own throttled link; yields (URL, log)."""
    log: list = []
    attributes = {"site": site, "log": log, "latency_s": latency_ms / 1000}
    attributes["cache_control"] = cache_control
    attributes |= {"bucket": TokenBucket(mbit * 1e6 / 8), "gzipped": {}}
    handler = type("Handler", (ThrottledHandler,), attributes)
    server = build.SiteServer(("127.0.0.1", 0), handler)  # quiet about dropped connections
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", log
    finally:
        server.shutdown()
        server.server_close()


def visit(page, url: str, *, preview: bool) -> dict:
    """Open ``url`` and time it to interactive (and to the preview, if asked)."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(INTERACTIVE_JS, timeout=180_000, polling=50)
    interactive = time.perf_counter() - start
    drawn = page.evaluate("() => window.layerlabPreviewDrawn ?? null") if preview else None
    phases = page.evaluate("() => window.layerlabTimings ?? {}")
    return {
        "interactive": interactive,
        "preview": None if drawn is None else drawn / 1000,
        "phases": {name: ms / 1000 for name, ms in phases.items()},
    }


def one_run(pw, url: str, log: list, query: str) -> dict:
    """A first visit until the offline cache is in place, then a repeat visit."""
    off_origin: list[str] = []
    with tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=list(LAUNCH_ARGS), headless=True,
            service_workers="allow", viewport={"width": 1440, "height": 1000},
        )  # fmt: skip
        context.on("request", lambda r: None if is_local(r.url) else off_origin.append(r.url))
        try:
            log.clear()
            page = context.pages[0] if context.pages else context.new_page()
            first = visit(page, url + query, preview=not query)
            page.wait_for_function(OFFLINE_READY_JS, timeout=120_000, polling=200)
            page.wait_for_function(SNAPSHOT_SETTLED_JS, timeout=120_000, polling=200)
            time.sleep(1.0)  # what the service worker's start still fetches
            first_log = list(log)
            log.clear()
            again = context.new_page()
            repeat = visit(again, url + query, preview=False)
            time.sleep(0.5)
            repeat_log = list(log)
        finally:
            context.close()
    if off_origin:
        raise SystemExit(f"requests off the site's origin: {off_origin[:5]}")
    return {
        **first,
        "bytes": sum(size for _, size, _ in first_log),
        "responses": len(first_log),
        "files": first_log,
        "repeat": repeat["interactive"],
        "repeat_bytes": sum(size for _, size, _ in repeat_log),
    }


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def print_tables(results: dict[str, list[dict]]) -> None:
    """Medians per site side by side, then the median bytes per file."""
    rows = [
        ("first visit: MB on the wire", lambda r: r["bytes"] / 1e6, "{:.2f}"),
        ("first visit: responses", lambda r: r["responses"], "{:.0f}"),
        ("time to preview (s)", lambda r: r["preview"], "{:.2f}"),
        ("time to interactive (s)", lambda r: r["interactive"], "{:.2f}"),
        ("repeat visit: interactive (s)", lambda r: r["repeat"], "{:.2f}"),
        ("repeat visit: MB on the wire", lambda r: r["repeat_bytes"] / 1e6, "{:.3f}"),
    ]
    phases = {name for runs in results.values() for r in runs for name in r["phases"]}
    rows += [  # the worker's own clock: seconds since it started, a few ms after navigation
        (f"worker: {name} (s)", lambda r, name=name: r["phases"].get(name), "{:.2f}")
        for name in sorted(
            phases, key=lambda n: median(r["phases"].get(n) for rs in results.values() for r in rs)
        )
    ]
    names = list(results)
    print(f"| median of {len(next(iter(results.values())))} runs | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for label, value, fmt in rows:
        cells = []
        for name in names:
            m = median(value(r) for r in results[name])
            cells.append("–" if m is None else fmt.format(m))
        print(f"| {label} | " + " | ".join(cells) + " |")
    for name in names:
        per_file: dict[str, list[int]] = defaultdict(list)
        for run in results[name]:
            totals: dict[str, int] = defaultdict(int)
            counts: dict[str, int] = defaultdict(int)
            for path, size, _ in run["files"]:
                totals[path] += size
                counts[path] += 1
            for path in totals:
                per_file[f"{path} ×{counts[path]}" if counts[path] > 1 else path].append(
                    totals[path]
                )
        print(f"\nbytes on the wire per file, first visit, {name} (median; ×n: fetched n times)")
        print("| file | KB |\n|---|---|")
        for path, sizes in sorted(per_file.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"| {path} | {statistics.median(sizes) / 1e3:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, default=build.SITE)
    parser.add_argument("--before", type=Path, help="the previous build's site, for comparison")
    parser.add_argument("--mbit", type=float, default=20.0)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--query", default="", help="open this link query (default: none)")
    parser.add_argument("--cache-control", default="max-age=600", help="the host's header")
    args = parser.parse_args()
    sites = (
        {"before": args.before, "this build": args.site}
        if args.before
        else {"this build": args.site}
    )
    for site in sites.values():
        if not (site / "index.html").exists():
            sys.exit(f"{site} has no index.html: build it first")
    results: dict[str, list[dict]] = {name: [] for name in sites}
    with contextlib.ExitStack() as stack, sync_playwright() as pw:
        servers = {
            name: stack.enter_context(
                throttled_server(site, args.mbit, args.latency_ms, args.cache_control)
            )
            for name, site in sites.items()
        }
        for run in range(args.runs):
            for name, (url, log) in servers.items():
                result = one_run(pw, url, log, args.query)
                results[name].append(result)
                print(
                    f"run {run + 1} {name}: {result['bytes'] / 1e6:.2f} MB, "
                    f"interactive {result['interactive']:.2f} s, repeat {result['repeat']:.2f} s",
                    flush=True,
                )
    print(
        f"\n{args.mbit:g} Mbit/s, {args.latency_ms:g} ms per response, text gzipped, "
        f"Cache-Control: {args.cache_control}\n"
    )
    print_tables(results)


if __name__ == "__main__":
    main()
