"""What a Pyodide memory snapshot of the worker would weigh, against the site's size budget.

    .venv/bin/python bench/snapshot_size.py        # after `python build.py` (uses its cache)

A memory snapshot (Pyodide's experimental ``makeMemorySnapshot`` / ``_loadSnapshot``)
is the one known way to skip most of the cold start: the page would restore the
interpreter's memory as it was after the imports instead of running them. This runs
the worker's imports and app under Node with the fast build's inputs (Pyodide, stdlib
and site-packages bytecode, the bootstrap, the app) and snapshots the wasm memory
after each stage, gzipped as the site would ship it.

The last line bounds a snapshot site from below: today's site without its two packs
(the stdlib and site-packages bytecode the snapshot would stand in for), plus numpy's
compiled libraries (a restored snapshot must instantiate them again), plus the snapshot.
A real snapshot site also needs the modules imported after start-up and a way to
relink those libraries; PYODIDE_NOTES measured 41-44 MB for such sites.
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
from test_site_build import SIZE_LIMIT  # noqa: E402

# Run after build.NODE_WORKER_PYODIDE (in one script).
NODE_SNAPSHOTS = r"""
// Usage: node snapshots.js PYODIDE_DIR STDLIB_ZIP PACK_GZ BOOTSTRAP APP OUT_DIR
// Imports what the worker imports, stage by stage, then builds the app as it does; writes
// OUT_DIR/<n>.gz, a gzipped memory snapshot after each stage, and OUT_DIR/heap.json
// (the wasm memory size at each stage).
const [pyodideDir, stdlib, pack, bootstrap, app, out] = process.argv.slice(2);
const heap = [];
function snapshot(pyodide) {
  // Panel keeps one JS function from its import; a restore would need a deserializer
  // for it, the size does not depend on it.
  const bytes = pyodide.makeMemorySnapshot({serializer: () => ({})});
  fs.writeFileSync(`${out}/${heap.length}.gz`, zlib.gzipSync(bytes, {level: 9}));
  heap.push(pyodide._module.HEAP8.length);
}
(async () => {
  const pyodide = await workerPyodide(
    pyodideDir, stdlib, pack, bootstrap, {env: {PANEL_CDN_ROOT: "panel/"}, _makeSnapshot: true});
  snapshot(pyodide);
  const bridge = pyodide.pyimport("_layerlab_worker");
  pyodide.runPython("import numpy");
  snapshot(pyodide);
  pyodide.runPython("import bokeh.plotting, panel");
  snapshot(pyodide);
  await bridge.run_app(fs.readFileSync(app, "utf8"), () => {});
  snapshot(pyodide);
  fs.writeFileSync(`${out}/heap.json`, JSON.stringify(heap));
})().catch((error) => { console.error(error); process.exit(1); });
"""

STAGES = ("Pyodide booted", "+ bootstrap, numpy", "+ bokeh, panel imported", "+ app built")


def numpy_libraries_gzipped(work: Path) -> int:
    """Bytes of numpy's compiled extension modules, each gzipped as the site ships files."""
    libraries = sorted((work / "site-packages" / "numpy").rglob("*.so"))
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in libraries)


def main() -> None:
    site = build.SITE
    if not (site / "packs" / "site-packages.pack.gz").exists():
        sys.exit(f"{site} is not a fast build: run `python build.py` first")
    inputs = build.gather_inputs(build.CACHE, None)
    work = build.packed_site_packages(inputs, build.APP, build.CACHE)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "snapshots.js"
        script.write_text(build.NODE_WORKER_PYODIDE + NODE_SNAPSHOTS)
        args = [inputs.pyodide_dir, work / "python_stdlib_pyc.zip"]
        args += [work / "site-packages.pack.gz", build.STATIC / "worker_bootstrap.py"]
        subprocess.run(["node", script, *args, build.APP, tmp], check=True)
        heap = json.loads((Path(tmp) / "heap.json").read_text())
        snapshots = [(Path(tmp) / f"{i}.gz").stat().st_size for i in range(len(STAGES))]
    print(f"{'stage':<26} | {'wasm memory MB':>14} | {'snapshot, gzipped MB':>20}")
    for stage, memory, size in zip(STAGES, heap, snapshots, strict=True):
        print(f"{stage:<26} | {memory / 1e6:>14.1f} | {size / 1e6:>20.1f}")
    total, _ = build.site_size(site)
    packs = sum(path.stat().st_size for path in (site / "packs").iterdir())
    libraries = numpy_libraries_gzipped(work)
    bound = total - packs + libraries + snapshots[-1]
    print(
        f"\nsite today {total / 1e6:.1f} MB; without its packs ({packs / 1e6:.1f} MB), "
        f"with numpy's libraries ({libraries / 1e6:.1f} MB) and the last snapshot: "
        f">= {bound / 1e6:.1f} MB (budget {SIZE_LIMIT / 1e6:.0f} MB)"
    )


if __name__ == "__main__":
    main()
