/* Layer Lab pack unpacker: a helper worker that worker.js starts for the fast build.
 * It fetches the gzipped packs named in its one message (NAME.gz), inflates them and
 * posts their bytes back (transferred, not copied). Inflating ~35 MB on the Python
 * worker's own thread held up Pyodide's boot there; on this thread it overlaps it. */
"use strict";

self.onmessage = async (event) => {
  try {
    const buffers = await Promise.all(event.data.map(fetchInflated));
    self.postMessage({buffers}, buffers);
  } catch (error) {
    self.postMessage({error: error.message});
  }
};

async function fetchInflated(url) {
  const response = await fetch(url + ".gz");
  if (!response.ok) throw new Error(`Could not fetch ${url}.gz: HTTP ${response.status}`);
  return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
}
