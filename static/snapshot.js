/* Layer Lab interpreter snapshots: a repeat visit starts Python where the first visit's
 * imports left it (NumPy, Bokeh, Panel and the bootstrap's fixes in place) instead of
 * booting and importing again.
 *
 * Pyodide 0.27.7 copies the interpreter's linear memory (`makeMemorySnapshot`) and starts
 * from such a copy (`loadPyodide`'s `_loadSnapshot`), but it does not re-create the shared
 * libraries loaded after its boot: NumPy's extension modules are wasm instances of their
 * own, whose code, function-table slots and global offset table (GOT) live outside that
 * memory. So `make` also records each library (its path and its handle: the C struct, in
 * the memory, that holds where the library's data and table slots were placed), the GOT's
 * values and a digest of the function table; and `restore` loads each library again at
 * its recorded handle (Emscripten then reuses those places), copies the snapshot's memory
 * back over whatever loading wrote (data segments, constructors), sets the GOT to the
 * recorded values and checks the table against the digest. A snapshot that does not fit
 * throws, and the caller boots as usual.
 *
 * The JS objects Python holds at that point are kept by name (`keep`): the global object
 * and its properties (JSON, XMLHttpRequest) by their global name, and functions Python
 * made with `run_js` (Panel's dict converter) by their source: `run_js` evaluates in the
 * global scope, so the source is the whole function.
 *
 * A kept snapshot is one file: [u32 little-endian header length][header JSON, padded to a
 * multiple of 16 bytes][Pyodide's snapshot]. build.py bundles this file into the worker
 * (app.js); tests/snapshot_check.js require()s it under Node. */
"use strict";
(function (exports) {
  const ALIGN = 16;  // Pyodide reads its snapshot as 32-bit words

  /* The interpreter as it is now, with what a restore needs besides its memory: the
   * snapshot's parts (a Blob or a Uint8Array can be made of them). Only between
   * statements: nothing may run in Python meanwhile. */
  function make(pyodide) {
    const module = pyodide._module;
    const handles = new Map(Object.entries(module.LDSO.loadedLibsByHandle)
      .map(([handle, library]) => [library, Number(handle)]));
    const libraries = Object.values(module.LDSO.loadedLibsByName)
      .filter((library) => handles.get(library))  // not the main program (handle 0)
      .map((library) => ({path: library.name, global: library.global,
                          handle: handles.get(library)}));
    const got = Object.entries(module.GOT).map(([symbol, entry]) => [symbol, entry.value]);
    const header = {libraries, got, table: tableDigest(module.wasmTable)};
    const config = pyodide._api.config;
    config._makeSnapshot = true;  // Pyodide's gate; set at boot it would proxy every global
    let memory;
    try {
      memory = pyodide.makeMemorySnapshot({serializer: keep});
    } finally {
      config._makeSnapshot = false;
    }
    header.size = memory.byteLength;
    const text = new TextEncoder().encode(JSON.stringify(header));
    const padded = Math.ceil((4 + text.length) / ALIGN) * ALIGN;
    const head = new Uint8Array(padded).fill(0x20);
    new DataView(head.buffer).setUint32(0, padded - 4, true);
    head.set(text, 4);
    return [head, memory];
  }

  /* loadPyodide(options) started from `snapshot` (a kept file's bytes). `libraryBytes`
   * gives a library's file (path -> Uint8Array, or undefined) from the packs: they are
   * not in Pyodide's file system yet. Needs pyodide.asm.js loaded (it defines
   * `_createPyodideModule`, which this wraps for the one call). */
  async function restore(loadPyodide, options, snapshot, libraryBytes) {
    const {header, memory} = parse(snapshot);
    const create = globalThis._createPyodideModule;
    if (typeof create !== "function") throw new Error("pyodide.asm.js is not loaded");
    let relinked = false;
    globalThis._createPyodideModule = async (settings) => {
      const module = await create(settings);
      const restoreMemory = settings.API.restoreSnapshot;
      settings.API.restoreSnapshot = (bytes) => {
        const state = restoreMemory(bytes);
        relink(module, header, bytes, libraryBytes);
        relinked = true;
        return state;
      };
      return module;
    };
    try {
      const pyodide = await loadPyodide(
        {...options, _loadSnapshot: memory, _snapshotDeserializer: unkeep});
      if (!relinked) throw new Error("the snapshot was not restored");
      return pyodide;
    } finally {
      globalThis._createPyodideModule = create;
    }
  }

  /* A kept file's header and Pyodide's snapshot (a view of the same bytes). */
  function parse(snapshot) {
    if (snapshot.byteLength < 4 || snapshot.byteOffset % ALIGN) {
      throw new Error("not a snapshot");
    }
    const length = new DataView(snapshot.buffer, snapshot.byteOffset).getUint32(0, true);
    if ((4 + length) % ALIGN || 4 + length > snapshot.byteLength) {
      throw new Error("not a snapshot");
    }
    const header = JSON.parse(new TextDecoder().decode(snapshot.subarray(4, 4 + length)));
    const memory = snapshot.subarray(4 + length);
    if (memory.byteLength !== header.size) {
      throw new Error(`a snapshot of ${memory.byteLength} bytes whose header says ${header.size}`);
    }
    return {header, memory};
  }

  /* Put the libraries back where the snapshot had them (see the top of this file). Runs
   * right after Pyodide copied the memory back, before any Python runs. */
  function relink(module, header, pyodideSnapshot, libraryBytes) {
    const files = {
      findObject: (path) => Boolean(libraryBytes(path)),
      readFile: (path) => libraryBytes(path),
    };
    for (const {path, global, handle} of header.libraries) {
      if (!libraryBytes(path)) throw new Error(`${path} is not in the packs`);
      const flags = {global, nodelete: true, loadAsync: false, allowUndefined: true, fs: files};
      module.loadDynamicLibrary(path, flags, global ? null : {}, handle);
    }
    const words = new Uint32Array(pyodideSnapshot.buffer, pyodideSnapshot.byteOffset, 2);
    module.HEAP8.set(pyodideSnapshot.subarray(words[1]));  // Pyodide's header length
    for (const [symbol, value] of header.got) {
      module.GOT[symbol] ||= new WebAssembly.Global({value: "i32", mutable: true});
      module.GOT[symbol].value = value;
    }
    if (tableDigest(module.wasmTable) !== header.table) {
      throw new Error("the function table differs from the snapshot's");
    }
  }

  /* FNV-1a over the table's length and each slot's function (its index in its module). */
  function tableDigest(table) {
    let hash = 0x811c9dc5;
    const add = (text) => {
      for (let i = 0; i < text.length; i++) {
        hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
      }
    };
    add(String(table.length));
    for (let slot = 0; slot < table.length; slot++) add(`,${table.get(slot)?.name ?? ""}`);
    return hash.toString(16);
  }

  /* How to find a JS object Python holds again in another worker (see the top). */
  function keep(value) {
    if (value === globalThis) return {global: ""};
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
      if (descriptor && "value" in descriptor && descriptor.value === value) {
        return {global: name};
      }
    }
    const source = typeof value === "function" ? String(value) : "";
    if (source && !source.includes("[native code]")) return {source};
    throw new Error(`Python holds a JS object a snapshot cannot keep: ${source || value}`);
  }

  function unkeep(kept) {
    if ("source" in kept) return (0, eval)(`(${kept.source})`);
    return kept.global ? globalThis[kept.global] : globalThis;
  }

  exports.make = make;
  exports.restore = restore;
})(typeof module === "object" && module.exports ? module.exports : (self.LayerLabSnapshot = {}));
