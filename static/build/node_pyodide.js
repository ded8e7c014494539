// Pyodide under Node, set up as the page's worker sets it up (worker.js's boot()): the
// same runtime, standard library, packs, bootstrap module and second-pack finder. Used by
// the build's Node programs (trace.js, preview.js) and bench/snapshot_size.js.
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
 *               visit does; its bootstrap and second-pack finder are in place already
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

module.exports = { workerPyodide };
