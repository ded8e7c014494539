/* Layer Lab downloader: a helper worker that worker.js starts (build.py puts the xz
 * decoder, the npm package xz-decompress, above this file). Its one message names the
 * files to get, in the order Python needs them (the runtime first). For each it:
 *   - takes it from this version's Cache Storage if a visit already kept it, else fetches
 *     it and keeps the download there as it arrives (the offline service worker then finds
 *     it: nothing is downloaded twice);
 *   - inflates it (xz) and checks it against its sha256 before anything unpacks it;
 *   - posts its bytes back (transferred, not copied) as soon as it is ready, with the
 *     bytes received so far on the way.
 * The files come one after another (the link is for the one Python needs first), but
 * the next file's request goes out shortly before the current one has arrived
 * (AHEAD_S), so the link does not sit idle for a request's round trip between them.
 * When worker.js then says "keep" (the app is up: writing ~27 MB to the cache earlier
 * slowed the start), it keeps each inflated file in the cache instead of its download
 * (`decoded/<name>`), and a later visit checks that copy again but inflates nothing.
 * Inflating on the Python worker's own thread would hold up Pyodide's boot there; on this
 * thread it overlaps it. A failure is posted once, with a message for people and whether
 * the file was stale (another version's), and ends the downloads. */
"use strict";
const {XzReadableStream} = self["xz-decompress"];

const AHEAD_S = 0.1;  // request the next file this long before the current one ends
const inflated = [];  // [file, a copy of its inflated bytes] to keep when told to

self.onmessage = async (event) => {
  if (event.data === "keep") {
    await keepInflated();
    return;
  }
  const {files, cacheName, base} = event.data;
  const cache = await caches.open(cacheName).catch(() => null); // none on file:// or private modes
  const progress = reporter(files);
  const sources = {};  // by name: where the file's bytes come from, once asked
  const open = (file) => {
    if (!sources[file.name]) {
      sources[file.name] = source(file, cache, base, progress);
      sources[file.name].catch(() => {});  // an early request's failure is met in turn
    }
    return sources[file.name];
  };
  for (const [index, file] of files.entries()) {
    const next = files[index + 1];
    try {
      const bytes = await fileBytes(file, await open(file), cache, base, progress,
                                    () => next && open(next));
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

/* Where a file's bytes come from: {bytes} of the inflated copy an earlier visit kept, else
 * {response, cached}: the download an earlier visit kept, else the network's. */
async function source(file, cache, base, progress) {
  const bytes = cache && (await kept(file, cache, base, progress));
  if (bytes) return {bytes};
  const response = cache && (await cache.match(file.url));
  if (response) return {response, cached: true};
  let fetched;
  try {
    fetched = await fetch(file.url);
  } catch (error) {
    throw new Error(`The download of ${file.name} failed (${error.message}): are you offline?`);
  }
  if (!fetched.ok) throw new Error(`Could not fetch ${file.url}: HTTP ${fetched.status}`);
  return {response: fetched, cached: false};
}

/* The file's inflated, checked bytes; a download is kept in the cache as it arrives
 * (best effort) and its inflated copy remembered for "keep". `nearlyDone` is called as
 * the download nears its end. */
async function fileBytes(file, {bytes, response, cached}, cache, base, progress, nearlyDone) {
  if (bytes) return bytes;
  const keeping = cache && !cached
    ? cache.put(file.url, response.clone()).catch(() => {})
    : Promise.resolve();
  try {
    const inflatedBytes = await inflateAndCheck(file, response, progress, nearlyDone);
    if (cache) inflated.push({file, bytes: inflatedBytes.slice(), cache, base});
    return inflatedBytes;
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

async function inflateAndCheck(file, response, progress, nearlyDone) {
  const began = performance.now();
  let received = 0;
  const counted = response.body.pipeThrough(new TransformStream({
    transform(chunk, controller) {
      progress(file, chunk.byteLength);
      received += chunk.byteLength;
      // The rate is trusted after AHEAD_S of arrivals: the first chunks come buffered.
      const seconds = (performance.now() - began) / 1000;
      if (seconds > AHEAD_S && file.size - received < received / seconds * AHEAD_S) {
        nearlyDone();
      }
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
