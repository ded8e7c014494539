// Pyodide under Node, set up as the page's worker sets it up (worker.js's boot()): the
// same runtime, standard library, packs, bootstrap module and second-pack finder. Used by
// the build's Node programs (trace.js, preview.js), bench/snapshot_size.js and
// tests/snapshot_check.js.
"use strict";
const fs = require("fs");
const path = require("path");
const { packFiles, writePack } = require("../pack.js");
const snapshots = require("../snapshot.js");

globalThis.XMLHttpRequest = class {}; // panel.io.pyodide imports it; never called here

/**
 * A Pyodide ready to import the app, as in the worker. `setup`:
 *   pyodideDir  the Pyodide distribution folder
 *   stdlib      the standard-library zip to boot with
 *   packs       [[file, folder], ...]: uncompressed packs and where to unpack each
 *   bootstrap   static/worker_bootstrap.py, written as the module _layerlab_worker
 *   secondPack  {file, modules, sha256, root} or null: the gzipped second pack, the file
 *               listing its modules (in the Pyodide file system) and where it unpacks;
 *               secondPack.fetched lists the imports that needed it
 *   env         environment variables of the Python process
 *   options     more loadPyodide options
 *   snapshot    optional: a snapshot file (static/snapshot.js) to start from, as a repeat
 *               visit does; its bootstrap and second-pack finder are in place already,
 *               and its random generators are re-seeded (the bootstrap's after_restore)
 */
async function workerPyodide(setup) {
  const { loadPyodide } = require(path.resolve(setup.pyodideDir, "pyodide.js"));
  const options = {
    indexURL: path.resolve(setup.pyodideDir) + "/",
    stdLibURL: setup.stdlib,
    env: setup.env,
    ...setup.options,
  };
  const packs = setup.packs.map(([file, folder]) => [new Uint8Array(fs.readFileSync(file)), folder]);
  let pyodide;
  if (setup.snapshot) {
    require(path.resolve(setup.pyodideDir, "pyodide.asm.js")); // restore() wraps what it defines
    const libraries = new Map(packs.flatMap(([pack, folder]) => [...packFiles(pack, folder, ".so")]));
    const snapshot = new Uint8Array(fs.readFileSync(setup.snapshot));
    pyodide = await snapshots.restore(loadPyodide, options, snapshot, (p) => libraries.get(p));
    pyodide.pyimport("_layerlab_worker").after_restore(); // as worker.js's restoredPyodide
  } else {
    pyodide = await loadPyodide(options);
  }
  for (const [pack, folder] of packs) {
    writePack(pyodide.FS, folder, pack);
  }
  // Python may have listed these folders while starting: drop those listings.
  const folders = JSON.stringify(setup.packs.map(([, folder]) => folder));
  pyodide.runPython(`import sys\nfor f in ${folders}: sys.path_importer_cache.pop(f, None)`);
  pyodide.FS.writeFile("/home/pyodide/_layerlab_worker.py", fs.readFileSync(setup.bootstrap));
  const second = setup.secondPack;
  if (second) {
    second.fetched = [];
    globalThis.layerlabSecondPack = {
      fetch(name) {
        second.fetched.push(name);
        return new Uint8Array(fs.readFileSync(second.file));
      },
      write: (bytes) => writePack(pyodide.FS, second.root, bytes),
      fail: (message) => console.error(message),
    };
    const source = fs.readFileSync(path.join(__dirname, "..", "second_pack.py"));
    pyodide.FS.writeFile("/home/pyodide/_layerlab_second_pack.py", source);
    if (!setup.snapshot) {
      pyodide.pyimport("_layerlab_second_pack").install(second.modules, second.sha256, second.root);
    }
  }
  return pyodide;
}

/**
 * What worker.js runs between setting Python up and building the app (on a first visit,
 * before its snapshot): the bootstrap's fixes, the imports, then the app's own imports
 * (`appImports`, build.py's app_imports). Returns the bootstrap module.
 */
function startUp(pyodide, appImports) {
  const bridge = pyodide.pyimport("_layerlab_worker");
  bridge.install();
  pyodide.runPython("import numpy, numpy.random"); // worker.js: the early pack's "then"
  pyodide.runPython("import bokeh.plotting, panel");
  pyodide.runPython(appImports);
  return bridge;
}

module.exports = { startUp, workerPyodide };
