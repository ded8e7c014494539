/* Layer Lab Web Worker: boots Pyodide, installs the app's packages, runs the app
 * and relays Bokeh patches to and from the page. build.py replaces the CONFIG
 * placeholder below; the page starts this worker with the page URL's search +
 * hash as its `name`. */
"use strict";
const CONFIG = __LAYERLAB_CONFIG__;
const BASE = new URL(".", self.location.href).href;
const T0 = performance.now();
const timings = {};
const mark = (label) => {
  timings[label] = Math.round(performance.now() - T0);
  self.postMessage({type: "phase", phase: label});
};

/* Files listed in CONFIG.gzipped are stored as NAME.gz: fetch those and inflate
 * them here, so any static host works without Content-Encoding support. */
const nativeFetch = self.fetch.bind(self);
self.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input), BASE);
  const name = url.pathname.split("/").pop();
  if (!CONFIG.gzipped.includes(name) || url.origin !== self.location.origin) {
    return nativeFetch(input, init);
  }
  return fetchInflated(url.href).then((body) => new Response(body, {
    headers: {"Content-Type": name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream"},
  }));
};

async function fetchInflated(url) {
  const response = await nativeFetch(url + ".gz");
  if (!response.ok) throw new Error(`Could not fetch ${url}.gz: HTTP ${response.status}`);
  return response.body.pipeThrough(new DecompressionStream("gzip"));
}

/* The packs' bytes, fetched and inflated by the helper worker CONFIG.unpacker (see
 * unpack.js) while this thread boots Pyodide. */
function unpackInHelper(names) {
  const helper = new Worker(new URL(CONFIG.unpacker, BASE).href);
  const unpacked = new Promise((resolve, reject) => {
    helper.onmessage = (event) => {
      helper.terminate();
      if (event.data.error) reject(new Error(event.data.error));
      else resolve(event.data.buffers.map((buffer) => new Uint8Array(buffer)));
    };
    helper.onerror = (event) => {
      helper.terminate();
      reject(new Error(`The pack unpacker failed: ${event.message}`));
    };
  });
  helper.postMessage(names.map((name) => new URL(name, BASE).href));
  return unpacked;
}

function status(msg) {
  self.postMessage({type: "status", msg});
}

/* A pack: [u32 little-endian header length][JSON [[path, size], ...]][bytes]. */
function writePack(FS, root, pack) {
  const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
  const headerLength = view.getUint32(0, true);
  const index = JSON.parse(new TextDecoder().decode(pack.subarray(4, 4 + headerLength)));
  const made = new Set();
  let offset = 4 + headerLength;
  for (const [path, size] of index) {
    const dir = root + "/" + path.split("/").slice(0, -1).join("/");
    if (!made.has(dir)) { FS.mkdirTree(dir); made.add(dir); }
    FS.writeFile(root + "/" + path, pack.subarray(offset, offset + size), {canOwn: true});
    offset += size;
  }
}

async function installWheels(pyodide) {
  status("Installing packages");
  await pyodide.loadPackage(CONFIG.lockPackages, {errorCallback: (m) => console.error(m)});
  // Wheel files (relative or absolute URLs) or pinned "name==version" requirements.
  const wheels = CONFIG.wheels.map((w) => (w.endsWith(".whl") ? new URL(w, BASE).href : w));
  pyodide.globals.set("_ll_wheels", pyodide.toPy(wheels));
  await pyodide.runPythonAsync(
    "import micropip\nawait micropip.install(_ll_wheels, deps=False)\ndel _ll_wheels");
}

async function boot() {
  importScripts(new URL(CONFIG.indexURL + "pyodide.js", BASE).href);
  const packs = CONFIG.pack ? unpackInHelper([CONFIG.pack, CONFIG.templates]) : null;
  const options = {
    indexURL: new URL(CONFIG.indexURL, BASE).href,
    // As given (relative for a local site): build.py renders the preview with the same
    // value, and the document's stylesheet links resolve against the page either way.
    env: {PANEL_CDN_ROOT: CONFIG.panelRoot},
  };
  if (CONFIG.stdlib) options.stdLibURL = new URL(CONFIG.stdlib, BASE).href;
  status("Loading the Python runtime (Pyodide)");
  const pyodide = await loadPyodide(options);
  mark("pyodide");
  if (packs) {
    status("Unpacking packages");
    const [sitePackages, templates] = await packs;
    const site = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
    writePack(pyodide.FS, site, sitePackages);
    // Python may have listed site-packages while starting: drop that listing. (Not
    // importlib.invalidate_caches(): that re-reads the stdlib zip's index once per
    // zipimporter, ~0.1 s.)
    pyodide.runPython(`import sys; sys.path_importer_cache.pop(${JSON.stringify(site)}, None)`);
    // Jinja bytecode compiled at build time (see worker_bootstrap.py)
    writePack(pyodide.FS, CONFIG.templateBytecode, templates);
  } else {
    await installWheels(pyodide);
  }
  pyodide.FS.writeFile("/home/pyodide/_layerlab_worker.py", CONFIG.bootstrap);
  mark("packages");
  return pyodide;
}

async function startApplication() {
  let pyodide;
  try {
    pyodide = self.pyodide = await boot();
    status("Starting the app");
    const bridge = pyodide.pyimport("_layerlab_worker");
    // Imported here only to time them apart from the app (which imports them anyway).
    pyodide.runPython("import numpy");
    mark("numpy");
    pyodide.runPython("import bokeh.plotting, panel");
    mark("imports");
    const [docsJson, renderItems, rootIds] = (await bridge.run_app(
      CONFIG.app, (patch, buffers) => self.postMessage({type: "patch", patch, buffers}),
    )).toJs();
    mark("render");
    self.bridge = bridge;
    self.postMessage({type: "render", docs_json: docsJson, render_items: renderItems,
                      root_ids: rootIds});
    self.postMessage({type: "timing", timings});
  } catch (error) {
    const lines = String(error).trim().split("\n");
    self.postMessage({type: "error", msg: `Layer Lab could not start: ${lines[lines.length - 1]}`});
    status(`Could not start: ${lines[lines.length - 1]}`);
    throw error;
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "rendered") {
    self.bridge.link_document();
  } else if (msg.type === "patch") {
    try {
      self.bridge.apply_patch(msg.patch);
    } finally {
      self.postMessage({type: "idle"});
    }
  } else if (msg.type === "location") {
    self.bridge.update_location(msg.location);
  }
};

startApplication();
