// Used by bench/snapshot_size.py: imports what the worker imports, stage by stage, then
// builds the app as it does, in Pyodide under Node set up as the worker is (see
// static/build/node_pyodide.js); writes OUT_DIR/<n>.gz, a gzipped memory snapshot after
// each stage, and OUT_DIR/heap.json (the wasm memory size at each stage).
// Usage: node snapshot_size.js SETUP_JSON APP OUT_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { workerPyodide } = require(path.join(__dirname, "..", "static", "build", "node_pyodide.js"));

const [setupFile, app, out] = process.argv.slice(2);
const heap = [];

function snapshot(pyodide) {
  // Only the size matters here: the JS objects Python holds are not kept (see
  // static/snapshot.js for a snapshot that can be restored).
  const bytes = pyodide.makeMemorySnapshot({ serializer: () => ({}) });
  fs.writeFileSync(`${out}/${heap.length}.gz`, zlib.gzipSync(bytes, { level: 9 }));
  heap.push(pyodide._module.HEAP8.length);
}

(async () => {
  const setup = JSON.parse(fs.readFileSync(setupFile, "utf8"));
  setup.env = { ...setup.env, PANEL_CDN_ROOT: "panel/" };
  setup.options = { _makeSnapshot: true };
  const pyodide = await workerPyodide(setup);
  snapshot(pyodide);
  const bridge = pyodide.pyimport("_layerlab_worker");
  bridge.install();
  pyodide.runPython("import numpy");
  snapshot(pyodide);
  pyodide.runPython("import bokeh.plotting, panel");
  snapshot(pyodide);
  await bridge.run_app(fs.readFileSync(app, "utf8"), () => {});
  snapshot(pyodide);
  fs.writeFileSync(`${out}/heap.json`, JSON.stringify(heap));
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
