"""What a Pyodide memory snapshot of the worker would weigh, against the site's size budget.

    .venv/bin/python bench/snapshot_size.py        # after `python build.py` (uses its cache)

A memory snapshot of the interpreter after the imports skips most of a start. The site
does not ship one: a first visit makes its own on the visitor's device and a repeat
visit starts from it (``static/snapshot.js``). This measures what shipping one instead
would cost a first visit, which is why it is not shipped. It runs the worker's imports
and app under Node with the fast build's inputs (Pyodide, stdlib and site-packages
bytecode, the bootstrap, the app) and snapshots the wasm memory after each stage,
gzipped as the site would ship it.

The last line bounds a snapshot site from below: today's site without the packs a first
visit downloads (the stdlib and site-packages bytecode the snapshot would stand in for),
plus numpy's compiled libraries (a restored snapshot must instantiate them again), plus
the snapshot. The Node side is ``bench/snapshot_size.js``.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import build  # noqa: E402
from site_files import read_pack  # noqa: E402
from test_site_build import SIZE_LIMIT  # noqa: E402

STAGES = ("Pyodide booted", "+ bootstrap, numpy", "+ bokeh, panel imported", "+ app built")


def numpy_libraries_gzipped(python: Path) -> int:
    """Bytes of numpy's compiled extension modules, each gzipped as the site ships files."""
    numpy = read_pack(python / build.EARLY_PACK[0])
    libraries = [data for name, data in numpy.items() if name.endswith(".so")]
    return sum(len(gzip.compress(data, compresslevel=9)) for data in libraries)


def main() -> None:
    site = build.SITE
    if not (site / "packs" / "site-packages.pack.xz").exists():
        sys.exit(f"{site} is not a fast build: run `python build.py` first")
    inputs = build.gather_inputs(build.CACHE, None)
    python = build.ship_python(inputs, build.APP, build.CACHE)
    packs = [python / build.EARLY_PACK[0], python / "site-packages.pack"]
    setup = build.node_setup(inputs, python / "python_stdlib.zip", packs, second=python)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "setup.json").write_text(json.dumps(setup))
        script = ROOT / "bench" / "snapshot_size.js"
        subprocess.run(["node", script, Path(tmp) / "setup.json", build.APP, tmp], check=True)
        heap = json.loads((Path(tmp) / "heap.json").read_text())
        snapshots = [(Path(tmp) / f"{i}.gz").stat().st_size for i in range(len(STAGES))]
    print(f"{'stage':<26} | {'wasm memory MB':>14} | {'snapshot, gzipped MB':>20}")
    for stage, memory, size in zip(STAGES, heap, snapshots, strict=True):
        print(f"{stage:<26} | {memory / 1e6:>14.1f} | {size / 1e6:>20.1f}")
    total, _ = build.site_size(site)
    packed = sum(path.stat().st_size for path in (site / "packs").glob("*.xz"))
    libraries = numpy_libraries_gzipped(python)
    bound = total - packed + libraries + snapshots[-1]
    print(
        f"\nsite today {total / 1e6:.1f} MB; without its first packs ({packed / 1e6:.1f} MB), "
        f"with numpy's libraries ({libraries / 1e6:.1f} MB) and the last snapshot: "
        f">= {bound / 1e6:.1f} MB (budget {SIZE_LIMIT / 1e6:.0f} MB)"
    )


if __name__ == "__main__":
    main()
