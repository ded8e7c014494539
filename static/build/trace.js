// Trace what a session of the app needs: run trace.py (and through it session.py) in
// Pyodide under Node, set up as the worker is (node_pyodide.js) but with every file of
// site-packages and of the standard library in place.
// Usage: node trace.js SETUP_JSON APP WORK (writes WORK/trace.json)
"use strict";
const fs = require("fs");
const path = require("path");
const { workerPyodide } = require("./node_pyodide.js");

const [setupFile, app, work] = process.argv.slice(2);

(async () => {
  const setup = JSON.parse(fs.readFileSync(setupFile, "utf8"));
  setup.env = { ...setup.env, PANEL_CDN_ROOT: "panel/" };
  const pyodide = await workerPyodide(setup);
  pyodide.FS.mkdirTree("/work");
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
  for (const [name, module] of [["session.py", "_layerlab_session"], ["trace.py", "_layerlab_trace"]]) {
    pyodide.FS.writeFile(`/home/pyodide/${module}.py`, fs.readFileSync(path.join(__dirname, name)));
  }
  const trace = pyodide.pyimport("_layerlab_trace");
  trace.record();
  await trace.main(fs.readFileSync(app, "utf8"));
  process.exit(0); // the app's periodic callbacks would keep Node running
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
