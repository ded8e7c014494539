"""Which codec for the big files a first visit downloads: bytes on the wire against the
time to decode them in the browser.

    .venv/bin/python bench/codecs.py [--repeats 5]      # after `python build.py`

For each file the fast site's downloader fetches (the runtime, the standard library and
the first pack, uncompressed from the build's cache), prints its size compressed with
gzip -9 (decoded by the browser's own ``DecompressionStream``), xz -9e (decoded by the
npm ``xz-decompress`` the site ships) and zstd -19 (decoded by the npm ``fzstd``, fetched
here for the comparison; needs the ``zstd`` command), and the median time headless
Chromium takes to decode each, on this machine's two cores. At 20 Mbit/s a megabyte
saved is 0.4 s of download; decoding runs on the downloader's thread while the bytes
arrive.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import build  # noqa: E402
from browser_support import launch_browser  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

FZSTD = ("fzstd", "0.1.1", "5ed2ee2d3439067be211d0093292c708a831045372342c897437e5a4997c45c5")
DECODE_JS = """async ([codec, b64, repeats]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const decode = {
        gzip: () => new Response(new Blob([bytes]).stream()
            .pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
        xz: () => new Response(new self["xz-decompress"].XzReadableStream(
            new Blob([bytes]).stream())).arrayBuffer(),
        zstd: async () => fzstd.decompress(bytes),
    }[codec];
    const times = [];
    for (let i = 0; i < repeats; i++) {
        const start = performance.now();
        await decode();
        times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
}"""


def compressed(data: bytes, codec: str) -> bytes | None:
    """``data`` compressed with ``codec`` at the setting the comparison uses."""
    if codec == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    if codec == "xz":
        return build.xz_compress(data)
    if shutil.which("zstd") is None:
        return None
    return subprocess.run(["zstd", "-19", "-q", "-c"], input=data, capture_output=True).stdout


def decoders(cache: Path) -> str:
    """The decoders' scripts, for the page: the site's xz decoder and fzstd."""
    name, version, digest = FZSTD
    with tarfile.open(build.npm_tarball(cache, name, version, digest)) as tar:
        fzstd = tar.extractfile("package/umd/index.js").read().decode()
    return build.fetch_xz_decoder(cache).read_text() + "\n" + fzstd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    inputs = build.gather_inputs(build.CACHE, None)
    python = build.ship_python(inputs, build.APP, build.CACHE)
    files = {
        "pyodide.asm.wasm": inputs.pyodide_dir / "pyodide.asm.wasm",
        "python_stdlib.zip": python / "python_stdlib.zip",
        build.EARLY_PACK[0]: python / build.EARLY_PACK[0],
        "site-packages.pack": python / "site-packages.pack",
    }
    codecs = ("gzip", "xz", "zstd")
    rows = []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        browser = launch_browser(pw)
        page = browser.new_page()
        (Path(tmp) / "decoders.js").write_text(decoders(build.CACHE))
        page.add_script_tag(path=str(Path(tmp) / "decoders.js"))
        for name, path in files.items():
            data = path.read_bytes()
            row = [name, len(data)]
            for codec in codecs:
                packed = compressed(data, codec)
                if packed is None:
                    row += [None, None]
                    continue
                b64 = base64.b64encode(packed).decode()
                row += [len(packed), page.evaluate(DECODE_JS, [codec, b64, args.repeats])]
            rows.append(row)
        browser.close()
    header = ["file", "raw MB"] + [f"{c} {unit}" for c in codecs for unit in ("MB", "ms")]
    print("| " + " | ".join(header) + " |\n" + "|---" * len(header) + "|")
    totals = [0.0] * (len(header) - 1)
    for row in [*rows, None]:
        if row is None:
            row = ["total", *totals]
        else:
            totals = [t + (v or 0) for t, v in zip(totals, row[1:], strict=True)]
        cells = [row[0], f"{row[1] / 1e6:.2f}"]
        for size, ms in zip(row[2::2], row[3::2], strict=True):
            cells += ["–", "–"] if size is None else [f"{size / 1e6:.2f}", f"{ms:.0f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
