/* Layer Lab packs: many files in one download, written into Pyodide's file system.
 *
 *   [u32 little-endian header length][header: JSON [[path, size], ...]][the files' bytes, in order]
 *
 * Paths are relative to the folder the pack is written into. build.py's write_pack is the
 * one writer of the format; this file is the one reader: build.py bundles it into the
 * worker (app.js), and the build's Node programs (static/build/) require() it. */
"use strict";
(function (exports) {
  /* The files of a pack: [[path, offset, size], ...] (offsets into the pack's bytes). */
  function packIndex(pack) {
    const view = new DataView(pack.buffer, pack.byteOffset, pack.byteLength);
    const headerLength = view.getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(pack.subarray(4, 4 + headerLength)));
    let offset = 4 + headerLength;
    const files = header.map(([path, size]) => {
      const entry = [path, offset, size];
      offset += size;
      return entry;
    });
    if (offset !== pack.byteLength) {
      throw new Error(`a pack of ${pack.byteLength} bytes whose index lists ${offset}`);
    }
    return files;
  }

  /* Write every file of `pack` under the folder `root` of the Emscripten file system `FS`. */
  function writePack(FS, root, pack) {
    const made = new Set();
    for (const [path, offset, size] of packIndex(pack)) {
      const dir = root + "/" + path.split("/").slice(0, -1).join("/");
      if (!made.has(dir)) {
        FS.mkdirTree(dir);
        made.add(dir);
      }
      FS.writeFile(root + "/" + path, pack.subarray(offset, offset + size), {canOwn: true});
    }
  }

  /* The files of `pack` whose names end with `suffix`, by their path under `root`
   * (views of the pack's bytes). */
  function packFiles(pack, root, suffix) {
    const files = new Map();
    for (const [path, offset, size] of packIndex(pack)) {
      if (path.endsWith(suffix)) files.set(root + "/" + path, pack.subarray(offset, offset + size));
    }
    return files;
  }

  exports.packIndex = packIndex;
  exports.packFiles = packFiles;
  exports.writePack = writePack;
})(typeof module === "object" && module.exports ? module.exports : (self.LayerLabPack = {}));
