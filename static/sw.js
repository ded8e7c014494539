/* Layer Lab service worker: after the first visit the site works offline.
 *
 * It downloads nothing by itself: the page registers it only after putting the files its
 * visit fetched into this version's cache (see head.html), so no byte comes twice. It
 * answers from that cache first; anything else it fetches and keeps (a file first needed
 * later, such as the second pack). A new build has a new version (build.py stamps a
 * digest of the site's content) and so a new cache; older ones are deleted. */
"use strict";
const CACHE = "layerlab-__LAYERLAB_VERSION__";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("layerlab-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(event.request, {ignoreSearch: true});
    if (hit) return hit;
    const response = await fetch(event.request);
    if (response.ok) event.waitUntil(cache.put(event.request, response.clone()));
    return response;
  })());
});
