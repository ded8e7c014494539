// For tests/test_snapshot.py: Python set up as the page's worker sets it up (see
// static/build/node_pyodide.js), then either
//   make     the worker's start-up (node_pyodide.js's startUp), a snapshot of it written
//            to OUT/snapshot (static/snapshot.js), then the app built on in the same
//            interpreter;
//   restore  a fresh interpreter started from OUT/snapshot, then the app built;
// and, either way, OUT/<mode>.json: the app's render and a few NumPy results.
// Usage: node snapshot_check.js make|restore SETUP_JSON APP APP_IMPORTS OUT
"use strict";
const fs = require("fs");
const snapshots = require("../static/snapshot.js");
const { startUp, workerPyodide } = require("../static/build/node_pyodide.js");

const [mode, setupFile, app, appImports, out] = process.argv.slice(2);
const NUMPY_CHECK = `
import json, random, numpy as np
a = np.arange(12.0).reshape(3, 4)
seeded = {"matmul": (a @ a.T).tolist(), "exp": np.exp(a[0]).tolist(),
          "normal": np.random.default_rng(7).normal(size=3).tolist(),
          "legacy": np.random.RandomState(7).rand(2).tolist(),
          "sort": np.sort(np.array([3.0, 1.0, 2.0])).tolist(),
          "inv": np.linalg.inv(np.array([[2.0, 1.0], [1.0, 3.0]])).tolist()}
unseeded = {"numpy": np.random.rand(), "python": random.random()}
json.dumps({"seeded": seeded, "unseeded": unseeded})`;

(async () => {
  const setup = JSON.parse(fs.readFileSync(setupFile, "utf8"));
  setup.env = { ...setup.env, PANEL_CDN_ROOT: "panel/" };
  if (mode === "restore") setup.snapshot = `${out}/snapshot`;
  const pyodide = await workerPyodide(setup); // a restore has re-seeded (after_restore)
  let bridge;
  if (mode === "make") {
    bridge = startUp(pyodide, appImports);
    const parts = snapshots.make(pyodide);
    fs.writeFileSync(`${out}/snapshot`, Buffer.concat(parts.map((part) => Buffer.from(part))));
  } else {
    bridge = pyodide.pyimport("_layerlab_worker");
  }
  const numbers = JSON.parse(pyodide.runPython(NUMPY_CHECK));
  const render = (await bridge.run_app(fs.readFileSync(app, "utf8"), () => {})).toJs();
  const fetched = setup.secondPack.fetched;
  fs.writeFileSync(`${out}/${mode}.json`, JSON.stringify({ render, numbers, fetched }));
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
