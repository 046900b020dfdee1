// The till's service worker (served by sales:till_sw, which writes the version, the file list and the scope in).
// - the till's code, styles and icons: cached at install, served from the cache (a new release = a new cache);
// - the till's pages: from the network when it answers within a few seconds, else the copy kept;
// - the event's catalogue (GET): from the network, else the copy kept;
// - product pictures: from the cache, fetched once.
// Nothing else is touched: the sync API and the Z go straight to the network (the page keeps its own outbox).
// No Background Sync: the page retries by itself when it is open.
const VERSION = "__VERSION__";
const ASSETS = ["__ASSETS__"];
const SCOPE = "__SCOPE__";
const STATIC = `till-static-${VERSION}`;
const PAGES = "till-pages";
const DATA = "till-data";
const MEDIA = "till-media";
const PAGE_TIMEOUT = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("till-static-") && name !== STATIC) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function fromCache(cacheName, request, fetchIfMissing) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request, { ignoreVary: true });
  if (hit || !fetchIfMissing) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** The network's answer if it comes in time (and is the page itself, not a login redirect), else the copy. */
async function networkFirst(cacheName, request, timeout, key = request) {
  const cache = await caches.open(cacheName);
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected) await cache.put(key, response.clone());
    return response;
  });
  network.catch(() => {}); // answered from the copy: a late failure is no error
  const timer = new Promise((resolve) => setTimeout(resolve, timeout, null));
  try {
    const first = await Promise.race([network, timer]);
    if (first) return first;
  } catch {
    // offline: fall through to the copy
  }
  const copy = await cache.match(key, { ignoreSearch: true, ignoreVary: true });
  return copy || network;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (ASSETS.includes(path)) {
    event.respondWith(fromCache(STATIC, path, true));
  } else if (request.mode === "navigate" && path.startsWith(SCOPE) && !path.includes("/shifts/")) {
    event.respondWith(networkFirst(PAGES, request, PAGE_TIMEOUT, path));
  } else if (/\/api\/events\/[^/]+\/catalogue\/$/.test(path)) {
    event.respondWith(networkFirst(DATA, request, 8000, path));
  } else if (request.destination === "image") {
    event.respondWith(fromCache(MEDIA, request, true).catch(() => fetch(request)));
  }
});
