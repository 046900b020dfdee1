// The till's service worker (served by sales:till_sw, which writes the version, the file list, the scope and the
// offline page in).
// - the till's code, styles and icons: cached at install, served from the cache (a new release = a new cache);
// - the till's pages: from the network when it answers within a few seconds, else the copy kept for the user now
//   logged in on this phone (a page carries its seller's name and events: copies are kept per user, keyed with the
//   X-Till-User header the server sets, and the current user is marked in "till-session"; session.js uses the same
//   keys). A visit offline gets that user's copy or a page saying to connect: never another user's page;
// - the event's catalogue (GET): from the network, else the copy kept;
// - product pictures: from the cache, fetched once.
// Nothing else is touched: the sync API and the Z go straight to the network (the page keeps its own outbox).
// No Background Sync: the page retries by itself when it is open.
const VERSION = "__VERSION__";
const ASSETS = ["__ASSETS__"];
const SCOPE = "__SCOPE__";
const OFFLINE_PAGE = "__OFFLINE_PAGE__";
const STATIC = `till-static-${VERSION}`;
const PAGES = "till-pages-v2";
const SESSION = "till-session";
const OLD_CACHES = ["till-pages"]; // pages kept under their bare path, whoever they belonged to
const DATA = "till-data";
const MEDIA = "till-media";
const PAGE_TIMEOUT = 4000;
const USER_HEADER = "X-Till-User";

const pageKey = (path, userId) => `${path}?till-user=${encodeURIComponent(userId)}`;
const markerKey = `${SCOPE}__till_user__`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if ((name.startsWith("till-static-") && name !== STATIC) || OLD_CACHES.includes(name)) await caches.delete(name);
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

async function currentUser() {
  const marker = await (await caches.open(SESSION)).match(markerKey);
  return marker ? (await marker.text()) || null : null;
}

async function markUser(userId) {
  const session = await caches.open(SESSION);
  if (userId) await session.put(markerKey, new Response(String(userId)));
  else await session.delete(markerKey);
}

function offlinePage() {
  return new Response(OFFLINE_PAGE, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/** A till page: the network's (kept as its user's copy) when it answers in time; else the copy of the user now
 * logged in here, or the page saying to connect. A redirect (to the login page) means nobody is logged in. */
async function tillPage(request, path) {
  const pages = await caches.open(PAGES);
  const network = fetch(request).then(async (response) => {
    const user = response.headers.get(USER_HEADER);
    if (response.ok && !response.redirected && user) {
      await pages.put(pageKey(path, user), response.clone());
      await markUser(user);
    } else if (response.type === "opaqueredirect" || response.redirected || response.status === 401) {
      await markUser(null);
    }
    return response;
  });
  network.catch(() => {});
  const timer = new Promise((resolve) => setTimeout(resolve, PAGE_TIMEOUT, null));
  try {
    const first = await Promise.race([network, timer]);
    if (first) return first;
  } catch {
    // offline: the user's copy below
  }
  const user = await currentUser();
  const copy = user ? await pages.match(pageKey(path, user), { ignoreVary: true }) : null;
  if (copy) return copy;
  try {
    return await network;
  } catch {
    return offlinePage();
  }
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
    event.respondWith(tillPage(request, path));
  } else if (/\/api\/events\/[^/]+\/catalogue\/$/.test(path)) {
    event.respondWith(networkFirst(DATA, request, 8000, path));
  } else if (request.destination === "image") {
    event.respondWith(fromCache(MEDIA, request, true).catch(() => fetch(request)));
  }
});
