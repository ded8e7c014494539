/* Layer Lab Web Worker: boots Pyodide, puts the app's packages in place, runs the app
 * and relays Bokeh patches to and from the page. build.py puts pack.js (the pack reader)
 * above this file and replaces the CONFIG placeholder below; the page starts this worker
 * with the page URL's search + hash as its `name`.
 *
 * Messages to the page: "phase" (runtime, packages, app), "progress" (bytes downloaded of
 * the total), "runtime-arrived" (the first download: Pyodide compiles it now), "status" (a
 * line for people), "error" (the start failed: a message and whether the cached site is
 * stale), then Panel's "render" (without its JSON when the
 * page shows the build's preview of this document; see below), "patch" and "idle". */
"use strict";
const CONFIG = __LAYERLAB_CONFIG__;
const BASE = new URL(".", self.location.href).href;
const T0 = performance.now();
const timings = {};
const mark = (label) => {
  timings[label] = Math.round(performance.now() - T0);
};
const phase = (name, text) => {
  self.postMessage({type: "phase", phase: name});
  status(text);
};

function status(msg) {
  self.postMessage({type: "status", msg});
}

/* A start-up failure people can act on: `stale` when the files do not match each other
 * (a new version was published behind a cached page), so Reload should drop the cache. */
class StartError extends Error {
  constructor(message, stale = false) {
    super(message);
    this.stale = stale;
  }
}

/* The files of CONFIG.downloads (the runtime, the standard library, the packs), fetched,
 * inflated and checked by the helper worker CONFIG.unpacker (see unpack.js) while this
 * thread boots Pyodide: by name, a promise of their bytes. `failed` rejects with the
 * first failure, so that nothing waits for a file that will never come. */
function startDownloads() {
  const helper = new Worker(new URL(CONFIG.unpacker, BASE).href);
  const files = {};
  const settle = {};
  for (const file of CONFIG.downloads) {
    files[file.name] = new Promise((resolve, reject) => { settle[file.name] = {resolve, reject}; });
    files[file.name].catch(() => {}); // reported through `failed`
  }
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  const stop = (error) => {
    helper.terminate();
    for (const {reject} of Object.values(settle)) reject(error);
    fail(error);
  };
  helper.onmessage = ({data}) => {
    if (data.progress) self.postMessage({type: "progress", ...data.progress});
    else if (data.error) stop(new StartError(data.error, data.stale));
    else {
      mark(`got ${data.name}`);
      if (data.name === CONFIG.downloads[0].name) self.postMessage({type: "runtime-arrived"});
      settle[data.name].resolve(data.bytes);
    }
  };
  helper.onerror = (event) => stop(new StartError(`The downloader failed: ${event.message}`));
  const absolute = CONFIG.downloads.map((file) => ({...file, url: new URL(file.url, BASE).href}));
  helper.postMessage({files: absolute, cacheName: CONFIG.cacheName, base: BASE});
  return {files, failed, keep: () => helper.postMessage("keep")};
}

const downloads = CONFIG.downloads.length ? startDownloads() : null;

/* Pyodide fetches its runtime and standard library itself: answer with the helper's bytes. */
const nativeFetch = self.fetch.bind(self);
self.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input), BASE);
  const name = url.pathname.split("/").pop();
  if (!downloads || !(name in downloads.files) || url.origin !== self.location.origin) {
    return nativeFetch(input, init);
  }
  return downloads.files[name].then((bytes) => new Response(bytes, {
    headers: {"Content-Type": name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream"},
  }));
};

/* What the second pack needs from JS (see second_pack.py): a synchronous download (an
 * import cannot wait), unpacking, and telling the page when it fails. */
function provideSecondPack(pyodide) {
  self.layerlabSecondPack = {
    fetch() {
      const request = new XMLHttpRequest();
      request.open("GET", new URL(CONFIG.secondPack.url, BASE).href, false);
      request.responseType = "arraybuffer";
      request.send();
      if (request.status !== 200) throw new Error(`HTTP ${request.status}`);
      return new Uint8Array(request.response);
    },
    write: (bytes) => LayerLabPack.writePack(pyodide.FS, CONFIG.pythonLib, bytes),
    fail: (message) => self.postMessage({type: "error", msg: message, stale: false}),
  };
  pyodide.FS.writeFile("/home/pyodide/_layerlab_second_pack.py", CONFIG.secondPackModule);
  pyodide.pyimport("_layerlab_second_pack").install(
    `${CONFIG.sitePackages}/${CONFIG.secondPack.modules}`, CONFIG.secondPack.sha256,
    CONFIG.pythonLib);
}

async function installWheels(pyodide) {
  await pyodide.loadPackage(CONFIG.lockPackages, {errorCallback: (m) => console.error(m)});
  // Wheel files (relative or absolute URLs) or pinned "name==version" requirements.
  const wheels = CONFIG.wheels.map((w) => (w.endsWith(".whl") ? new URL(w, BASE).href : w));
  pyodide.globals.set("_ll_wheels", pyodide.toPy(wheels));
  await pyodide.runPythonAsync(
    "import micropip\nawait micropip.install(_ll_wheels, deps=False)\ndel _ll_wheels");
}

/* Each pack written into site-packages as soon as it has arrived, and what comes `then`
 * (import numpy, numpy.random) run while the next one downloads; then the Jinja bytecode
 * compiled at build time (see worker_bootstrap.py) and the second pack's import finder. */
async function writePacks(pyodide) {
  const arrived = (name) => Promise.race([downloads.files[name], downloads.failed]);
  for (const pack of CONFIG.packs) {
    LayerLabPack.writePack(pyodide.FS, CONFIG.sitePackages, await arrived(pack.name));
    // Python may have listed site-packages already: drop that listing. (Not
    // importlib.invalidate_caches(): that re-reads the stdlib zip's index, ~0.1 s.)
    pyodide.runPython(
      `import sys; sys.path_importer_cache.pop(${JSON.stringify(CONFIG.sitePackages)}, None)`);
    if (pack.then) {
      pyodide.runPython(pack.then);
      mark(pack.then);
    }
  }
  LayerLabPack.writePack(pyodide.FS, CONFIG.templateBytecode, await arrived(CONFIG.templates));
  provideSecondPack(pyodide);
}

async function boot() {
  phase("runtime", "Loading the Python runtime (Pyodide)");
  importScripts(new URL(CONFIG.indexURL + "pyodide.js", BASE).href);
  const options = {
    indexURL: new URL(CONFIG.indexURL, BASE).href,
    // PANEL_CDN_ROOT as given (relative for a local site): build.py renders the preview
    // with the same value, and the document's stylesheet links resolve against the page
    // either way. The fast site's Python runs as `python -OO` (see build.py's PYTHON_ENV).
    env: CONFIG.env,
  };
  if (CONFIG.stdlib) options.stdLibURL = new URL(CONFIG.stdlib, BASE).href;
  const loading = loadPyodide(options);
  const pyodide = await (downloads ? Promise.race([loading, downloads.failed]) : loading);
  mark("pyodide");
  phase("packages", "Unpacking packages");
  if (CONFIG.packs.length) {
    await writePacks(pyodide);
  } else {
    await installWheels(pyodide);
  }
  pyodide.FS.writeFile("/home/pyodide/_layerlab_worker.py", CONFIG.bootstrap);
  mark("packages");
  return pyodide;
}

async function startApplication() {
  try {
    const pyodide = self.pyodide = await boot();
    phase("app", "Starting the app");
    const bridge = pyodide.pyimport("_layerlab_worker");
    bridge.install();
    // Imported here only to time them apart from the app (which imports them anyway).
    pyodide.runPython("import numpy");
    pyodide.runPython("import bokeh.plotting, panel");
    mark("imports");
    // A link without settings builds the document the page already shows (build.py's
    // preview, checked against its sha256): the page links it without the JSON, and
    // asks for it ("render-json") only if it has no preview drawn after all.
    const previewed = Boolean(CONFIG.preview) && !self.name;
    const sendPatch = (patch, buffers) => self.postMessage({type: "patch", patch, buffers});
    const rendered = await bridge.run_app.callKwargs(CONFIG.app, sendPatch,
                                                     {serialize: !previewed});
    mark("render");
    self.bridge = bridge;
    if (previewed) self.postMessage({type: "render", preview: true});
    else sendRender(rendered);
    const fetched = performance.getEntriesByType("resource")
      .filter((entry) => entry.responseStatus === 200).map((entry) => entry.name);
    self.postMessage({type: "timing", timings, fetched});
    downloads?.keep();  // the inflated files, for the next visit (see unpack.js)
  } catch (error) {
    const lines = String(error).trim().split("\n");  // a Python error: its last line
    const msg = `Could not start: ${lines[lines.length - 1]}`;
    self.postMessage({type: "error", msg, stale: Boolean(error.stale)});
    throw error;
  }
}

function sendRender(rendered) {
  const [docsJson, renderItems, rootIds] = rendered.toJs();
  self.postMessage({type: "render", docs_json: docsJson, render_items: renderItems,
                    root_ids: rootIds});
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "render-json") {
    sendRender(self.bridge.render_json());
  } else if (msg.type === "rendered") {
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
