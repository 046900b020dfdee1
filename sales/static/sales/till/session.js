// Who the till's cached pages belong to, on a phone sellers share. A till page carries its seller's name and
// events: it is kept per user (Cache Storage "till-pages-v2", one key per page and user) with a marker of the user
// now logged in ("till-session"); the service worker answers an offline visit only with the marked user's own copy.
// Logging out forgets that user's pages and what shows their work, and never a ticket the server has not
// acknowledged: those belong to the device and are sent with its own credentials by the next till opened here.
import * as store from "./store.js";
import { sendOnce } from "./sync.js";

export const PAGES = "till-pages-v2";
export const SESSION = "till-session";
const OLD_CACHES = ["till-pages"]; // before pages were kept per user: any user's page under its bare path

/** The key of a page kept for a user (the service worker builds the same: sw.js). */
export const pageKey = (path, userId) => `${path}?till-user=${encodeURIComponent(userId)}`;
const markerKey = (scope) => `${scope}__till_user__`;

/** Keep this page for offline use as `userId`'s, and mark `userId` as the phone's current user. */
export async function rememberPage(scope, path, userId, response) {
  if (!("caches" in window)) return;
  await (await caches.open(PAGES)).put(pageKey(path, userId), response);
  await (await caches.open(SESSION)).put(markerKey(scope), new Response(String(userId)));
}

/** Forget every kept till page and the current-user marker (all users': whoever logs in next starts afresh). */
export async function forgetPages(scope) {
  if (!("caches" in window)) return;
  for (const name of [PAGES, ...OLD_CACHES]) await caches.delete(name);
  await (await caches.open(SESSION)).delete(markerKey(scope));
}

/** Send what can be sent now (every device of this phone), then count the tickets still waiting: of `device`, or
 * of every device when null. */
export async function sendAndCount(urls, device = null) {
  if (navigator.onLine) {
    try {
      await sendOnce(urls);
    } catch {
      // counted below as still waiting
    }
  }
  return device ? store.outboxCountOf(device) : store.outboxCount();
}

/** Forget the user's pages and data, then log out on the server (a form posted, as the site's own button does). */
export async function logOut({ scope, logout, csrf }) {
  await forgetPages(scope);
  await store.forgetSent();
  const form = document.createElement("form");
  form.method = "post";
  form.action = logout;
  form.hidden = true;
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = csrf;
  form.append(token);
  document.body.append(form);
  form.submit();
}

/** The CSRF token: the cookie first (it may be newer than the page), else the page's. */
export function csrfToken(fallback) {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : fallback;
}

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** The secret of a masked CSRF token, as Django unmasks it (django.middleware.csrf._unmask_cipher_token). */
export function csrfSecret(token) {
  if (!token || token.length !== 64) return token || "";
  const mask = token.slice(0, 32), cipher = token.slice(32), n = TOKEN_CHARS.length;
  return [...cipher].map((c, i) => TOKEN_CHARS[(TOKEN_CHARS.indexOf(c) - TOKEN_CHARS.indexOf(mask[i]) + n) % n])
    .join("");
}

/** True when someone logged in on this phone since the page was made: Django gives each login a new CSRF secret,
 * so the cookie's no longer matches the page's. A page kept offline then belongs to another session (perhaps
 * another seller, logged in and out elsewhere on the site): it must not open. */
export function sessionChanged(pageToken) {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (!cookie || !pageToken) return false;
  return decodeURIComponent(cookie.slice("csrftoken=".length)) !== csrfSecret(pageToken);
}
