/* Layer Lab downloader: a helper worker that worker.js starts (build.py puts the xz
 * decoder, the npm package xz-decompress, above this file). Its one message names the
 * files to get, in the order Python needs them (the runtime first). For each it:
 *   - takes it from this version's Cache Storage if a visit already kept it, else fetches
 *     it and keeps the download there as it arrives (the offline service worker then finds
 *     it: nothing is downloaded twice);
 *   - inflates it (xz) and checks it against its sha256 before anything unpacks it;
 *   - posts its bytes back (transferred, not copied) as soon as it is ready, with the
 *     bytes received so far on the way.
 * When worker.js then says "keep" (the app is up: writing ~27 MB to the cache earlier
 * slowed the start), it keeps each inflated file in the cache instead of its download
 * (`decoded/<name>`), and a later visit checks that copy again but inflates nothing.
 * Inflating on the Python worker's own thread would hold up Pyodide's boot there; on this
 * thread it overlaps it. A failure is posted once, with a message for people and whether
 * the file was stale (another version's), and ends the downloads. */
"use strict";
const {XzReadableStream} = self["xz-decompress"];

const inflated = [];  // [file, a copy of its inflated bytes] to keep when told to

self.onmessage = async (event) => {
  if (event.data === "keep") {
    await keepInflated();
    return;
  }
  const {files, cacheName, base} = event.data;
  const cache = await caches.open(cacheName).catch(() => null); // none on file:// or private modes
  const progress = reporter(files);
  for (const file of files) {
    try {
      let bytes = cache && (await kept(file, cache, base, progress));
      if (!bytes) {
        bytes = await download(file, cache, progress);
        if (cache) inflated.push({file, bytes: bytes.slice(), cache, base});
      }
      self.postMessage({name: file.name, bytes}, [bytes.buffer]);
    } catch (error) {
      self.postMessage({error: error.message, stale: Boolean(error.stale)});
      return;
    }
  }
};

/* Counts bytes as they arrive and posts {received, total, phase} at most every 100 ms. */
function reporter(files) {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  let received = 0;
  let last = 0;
  return (file, count) => {
    received += count;
    const now = performance.now();
    if (now - last > 100 || received === total) {
      last = now;
      self.postMessage({progress: {received, total, phase: file.phase}});
    }
  };
}

/* The inflated file an earlier visit kept, if it is still the right one. */
async function kept(file, cache, base, progress) {
  const response = await cache.match(`${base}decoded/${file.name}`);
  if (!response) return null;
  const bytes = new Uint8Array(await response.arrayBuffer());
  if ((await sha256(bytes)) !== file.sha256) return null;
  progress(file, file.size);
  return bytes;
}

async function download(file, cache, progress) {
  let response = cache && (await cache.match(file.url));
  let keeping = Promise.resolve();
  if (!response) {
    try {
      response = await fetch(file.url);
    } catch (error) {
      throw new Error(`The download of ${file.name} failed (${error.message}): are you offline?`);
    }
    if (!response.ok) throw new Error(`Could not fetch ${file.url}: HTTP ${response.status}`);
    if (cache) keeping = cache.put(file.url, response.clone()).catch(() => {}); // best effort
  }
  try {
    return await inflateAndCheck(file, response, progress);
  } catch (error) {
    await keeping;
    if (cache) await cache.delete(file.url); // never keep a bad copy
    throw error;
  }
}

/* The inflated files of this visit, each kept in place of its download (best effort). */
async function keepInflated() {
  for (const {file, bytes, cache, base} of inflated.splice(0)) {
    try {
      await cache.put(`${base}decoded/${file.name}`, new Response(bytes));
      await cache.delete(file.url);
    } catch {
      // no room, or the cache is gone: the next visit inflates the download again
    }
  }
}

async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function inflateAndCheck(file, response, progress) {
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      progress(file, chunk.byteLength);
      controller.enqueue(chunk);
    },
  }));
  let bytes;
  try {
    bytes = new Uint8Array(await new Response(new XzReadableStream(counted)).arrayBuffer());
  } catch (error) {
    throw new Error(`${file.name} arrived incomplete or damaged (${error.message || error}): ` +
                    "the connection may have dropped");
  }
  if ((await sha256(bytes)) !== file.sha256) {
    const error = new Error(`${file.name} is not the file this version of Layer Lab expects ` +
                            "(a newer version was published since this page was cached)");
    error.stale = true;
    throw error;
  }
  return bytes;
}
