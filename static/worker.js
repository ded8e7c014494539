/* Layer Lab Web Worker: boots Pyodide, puts the app's packages in place, runs the app
 * and relays Bokeh patches to and from the page. build.py puts pack.js (the pack reader)
 * above this file and replaces the CONFIG placeholder below; the page starts this worker
 * with the page URL's search + hash as its `name`.
 *
 * A repeat visit starts Python from the snapshot the first visit kept of it right after
 * its imports (see snapshot.js, which build.py also puts above this file): the start then
 * skips Pyodide's boot and the imports. A snapshot that cannot be used is dropped, and
 * Python boots as on a first visit.
 *
 * Messages to the page: "phase" (runtime, packages, app), "progress" (bytes downloaded of
 * the total), "runtime-arrived" (the first download: Pyodide compiles it now), "status" (a
 * line for people), "error" (the start failed: a message and whether the cached site is
 * stale), "snapshot" (restored, refused, kept or not kept: for the tests and the
 * benchmarks), then Panel's "render" (without its JSON when the
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

/* A download's bytes (fast site), or the first download failure. */
const arrived = (name) => Promise.race([downloads.files[name], downloads.failed]);

let secondPackFetched = false;  // then Python holds what a restore could not put back

/* What the second pack needs from JS (see second_pack.py): a synchronous download (an
 * import cannot wait), unpacking, and telling the page when it fails. A restored
 * interpreter has the module and its import finder already. */
function provideSecondPack(pyodide, restored) {
  self.layerlabSecondPack = {
    fetch() {
      secondPackFetched = true;
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
  if (restored) return;
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
 * (import numpy, numpy.random) run while the next one downloads (a restored interpreter
 * has run it); then the Jinja bytecode compiled at build time (see worker_bootstrap.py)
 * and the second pack's import finder. */
async function writePacks(pyodide, restored) {
  for (const pack of CONFIG.packs) {
    LayerLabPack.writePack(pyodide.FS, CONFIG.sitePackages, await arrived(pack.name));
    // Python may have listed site-packages already: drop that listing. (Not
    // importlib.invalidate_caches(): that re-reads the stdlib zip's index, ~0.1 s.)
    pyodide.runPython(
      `import sys; sys.path_importer_cache.pop(${JSON.stringify(CONFIG.sitePackages)}, None)`);
    if (pack.then && !restored) {
      pyodide.runPython(pack.then);
      mark(pack.then);
    }
  }
  LayerLabPack.writePack(pyodide.FS, CONFIG.templateBytecode, await arrived(CONFIG.templates));
  provideSecondPack(pyodide, restored);
}

/* The interpreter snapshot a visit keeps (see snapshot.js), in this version's cache. */
const SNAPSHOT_URL = `${BASE}kept/interpreter.snapshot`;

async function keptSnapshot() {
  try {
    const response = await (await caches.open(CONFIG.cacheName)).match(SNAPSHOT_URL);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;  // no Cache Storage here (file://, some private modes)
  }
}

// Read from the cache while the downloads start and Pyodide's script loads.
const keptSnapshotBytes = CONFIG.snapshot ? keptSnapshot() : Promise.resolve(null);

async function keepSnapshot(parts) {
  try {
    await (await caches.open(CONFIG.cacheName)).put(SNAPSHOT_URL, new Response(new Blob(parts)));
    self.postMessage({type: "snapshot", state: "kept"});
  } catch (error) {
    console.warn(`Layer Lab keeps no snapshot of Python: ${error.message}`);
    self.postMessage({type: "snapshot", state: "not kept"});
  }
}

async function forgetSnapshot() {
  try {
    await (await caches.open(CONFIG.cacheName)).delete(SNAPSHOT_URL);
  } catch {
    // nothing kept, or no Cache Storage
  }
}

/* Python as the kept snapshot left it, or null when there is none or it does not fit
 * (then it is dropped). Waits for the packs: NumPy's libraries are loaded again from them. */
async function restoredPyodide(options) {
  const snapshot = await keptSnapshotBytes;
  if (!snapshot) return null;
  try {
    const packs = await Promise.all(CONFIG.packs.map((pack) => arrived(pack.name)));
    const libraries = new Map(packs.flatMap(
      (pack) => [...LayerLabPack.packFiles(pack, CONFIG.sitePackages, ".so")]));
    importScripts(new URL(CONFIG.indexURL + "pyodide.asm.js", BASE).href);
    const restoring = LayerLabSnapshot.restore(loadPyodide, options, snapshot,
                                               (path) => libraries.get(path));
    const pyodide = await Promise.race([restoring, downloads.failed]);
    pyodide.pyimport("_layerlab_worker").after_restore();  // NumPy's compiled code runs
    self.postMessage({type: "snapshot", state: "restored"});
    return pyodide;
  } catch (error) {
    if (error instanceof StartError) throw error;  // a download failed: no start either way
    await refuseSnapshot(error);
    return null;
  }
}

async function refuseSnapshot(error) {
  console.warn(`Layer Lab could not use its snapshot of Python, so it starts afresh: ${error}`);
  self.postMessage({type: "snapshot", state: "refused"});
  await forgetSnapshot();
}

async function boot(useSnapshot) {
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
  let pyodide = useSnapshot ? await restoredPyodide(options) : null;
  const restored = Boolean(pyodide);
  if (!restored) {
    const loading = loadPyodide(options);
    pyodide = await (downloads ? Promise.race([loading, downloads.failed]) : loading);
  }
  mark(restored ? "pyodide restored" : "pyodide");
  phase("packages", "Unpacking packages");
  if (CONFIG.packs.length) {
    await writePacks(pyodide, restored);
  } else {
    await installWheels(pyodide);
  }
  pyodide.FS.writeFile("/home/pyodide/_layerlab_worker.py", CONFIG.bootstrap);
  mark("packages");
  return {pyodide, restored};
}

/* A snapshot of Python after the imports, to keep once the app is up, or null. */
function takeSnapshot(pyodide) {
  if (secondPackFetched) {
    console.warn("Layer Lab keeps no snapshot of Python: its start needed the second pack");
    return null;
  }
  try {
    const parts = LayerLabSnapshot.make(pyodide);
    mark("snapshot");
    return parts;
  } catch (error) {
    console.warn(`Layer Lab keeps no snapshot of Python: ${error.message}`);
    return null;
  }
}

let snapshotToKeep = null;  // the parts of a snapshot taken by this visit's start

/* Start Python (from the kept snapshot if `useSnapshot` and there is one) and the app. A
 * start from a snapshot that fails is tried once more without it. */
async function startApplication(useSnapshot = CONFIG.snapshot) {
  let restored = false;
  try {
    const started = await boot(useSnapshot);
    const pyodide = self.pyodide = started.pyodide;
    restored = started.restored;
    phase("app", "Starting the app");
    const bridge = pyodide.pyimport("_layerlab_worker");
    let snapshot = null;
    if (!restored) {
      bridge.install();
      // Imported here only to time them apart from the app (which imports them anyway).
      pyodide.runPython("import numpy");
      pyodide.runPython("import bokeh.plotting, panel");
      mark("imports");
      if (CONFIG.snapshot) {
        pyodide.runPython(CONFIG.appImports);  // the app's modules, for the snapshot too
        mark("app imports");
        snapshot = takeSnapshot(pyodide);
      }
    }
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
    snapshotToKeep = snapshot;  // once the page has linked the document (see onmessage)
  } catch (error) {
    if (restored) {
      await refuseSnapshot(error);
      return startApplication(false);
    }
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
    // Copying ~53 MB into a Blob holds this thread for a while: only now, and after the
    // messages already waiting (a Play pressed during the start).
    if (snapshotToKeep) setTimeout(keepSnapshot, 0, snapshotToKeep);
    snapshotToKeep = null;
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
