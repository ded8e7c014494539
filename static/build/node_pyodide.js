// Pyodide under Node, set up as the page's worker sets it up (worker.js's boot()): the
// same runtime, standard library, packs, bootstrap module and second-pack finder. Used by
// the build's Node programs (trace.js, preview.js) and bench/snapshot_size.js.
"use strict";
const fs = require("fs");
const path = require("path");
const { writePack } = require("../pack.js");

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
 *   options     more loadPyodide options (_makeSnapshot, ...)
 */
async function workerPyodide(setup) {
  const { loadPyodide } = require(path.resolve(setup.pyodideDir, "pyodide.js"));
  const pyodide = await loadPyodide({
    indexURL: path.resolve(setup.pyodideDir) + "/",
    stdLibURL: setup.stdlib,
    env: setup.env,
    ...setup.options,
  });
  for (const [file, folder] of setup.packs) {
    writePack(pyodide.FS, folder, fs.readFileSync(file));
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
    pyodide.pyimport("_layerlab_second_pack").install(second.modules, second.sha256, second.root);
  }
  return pyodide;
}

module.exports = { workerPyodide };
