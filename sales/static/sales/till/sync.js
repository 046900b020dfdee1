// Sending the outbox: batches to POST /sales/api/sync/, one tab at a time (a Web Lock), retried with exponential
// backoff when the network comes back, when the till is looked at again, and on a timer. Never Background Sync.
// A ticket leaves the outbox only when the server answers stored, duplicate or held for it (store.applyAcks).
import * as store from "./store.js";

const BATCH = 200; // tickets per request (the API takes 500 and 2 MB: a 3-line ticket is about 400 bytes)
const SHIFTS_PER_REQUEST = 50;
const BASE_DELAY = 2000;
const MAX_DELAY = 5 * 60 * 1000;
const IDLE_CHECK = 60 * 1000;
const TIMEOUT = 30 * 1000;
const LOCK = "gie-till-sync";
const DEFERRAL = 1500; // while a payment is being taken, try again this much later…
const MAX_DEFERRAL = 30 * 1000; // …but never hold the outbox back longer than this

export const auth = (device) => ({ Authorization: `Device ${device.id}:${device.token}` });

/** Run `work` holding the lock named `name` across every tab of this origin (immediately if the browser has no
 * Web Locks: the IndexedDB transactions still keep each write whole). `ifAvailable`: skip when another holds it. */
export function withLock(name, work, ifAvailable = false) {
  if (!navigator.locks) return work(true);
  return navigator.locks.request(name, ifAvailable ? { ifAvailable: true } : {}, (lock) => work(Boolean(lock)));
}

async function fetchJson(url, options) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT);
  try {
    const response = await fetch(url, { ...options, cache: "no-store", signal: controller.signal });
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    return { status: response.status, ok: response.ok, body };
  } finally {
    clearTimeout(timer);
  }
}

export class Sync {
  /** `urls`: {sync, z (with "00000000-0000-0000-0000-000000000000" for the shift id)}; `onChange()` after any
   * change of what is pending; `onStatus(status)` with {state, pending, error}. */
  constructor({ urls, onChange, onStatus, busy }) {
    this.urls = urls;
    this.busy = busy || (() => false); // true while the seller takes a payment: sending waits a little
    this.deferredSince = 0;
    this.onChange = onChange || (() => {});
    this.onStatus = onStatus || (() => {});
    this.failures = 0;
    this.timer = null;
    this.running = null;
    this.refused = new Set();
  }

  start() {
    const soon = () => this.kick();
    window.addEventListener("online", soon);
    window.addEventListener("focus", soon);
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") soon(); });
    this.kick();
  }

  /** Try now (debounced), whatever the backoff says: something happened that makes success likely. */
  kick() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), 300);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async pending() {
    return (await store.outboxCount()) + (await store.allPendingShifts()).length;
  }

  /** One sync pass; resolves to "done", "busy" (another tab holds the lock), "deferred" (a payment is being
   * taken here: the phone's CPU goes to the seller first), "offline" or "failed". */
  run() {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  async pass() {
    const now = Date.now();
    if (this.busy() && (!this.deferredSince || now - this.deferredSince < MAX_DEFERRAL)) {
      this.deferredSince ||= now;
      this.schedule(DEFERRAL);
      return "deferred";
    }
    this.deferredSince = 0;
    if (!navigator.onLine) {
      this.onStatus({ state: "offline", pending: await this.pending() });
      this.schedule(IDLE_CHECK);
      return "offline";
    }
    this.onStatus({ state: "syncing", pending: await this.pending() });
    try {
      const result = await withLock(LOCK, (held) => (held ? this.drain() : "busy"), true);
      const pending = await this.pending();
      this.failures = 0;
      this.onStatus({ state: pending && this.refused.size ? "error" : "idle", pending, result });
      this.schedule(result === "busy" ? BASE_DELAY * 2 : pending ? BASE_DELAY * 15 : IDLE_CHECK);
      return result;
    } catch (error) {
      this.failures += 1;
      const delay = Math.min(MAX_DELAY, BASE_DELAY * 2 ** (this.failures - 1)) * (0.75 + Math.random() / 2);
      this.onStatus({ state: navigator.onLine ? "error" : "offline", pending: await this.pending(), error });
      this.schedule(delay);
      return "failed";
    }
  }

  async drain() {
    let failure = null;
    for (const device of await store.devices()) {
      try {
        await this.drainDevice(device);
        await this.refreshZ(device);
      } catch (error) {
        failure = failure || error;
      }
    }
    if (failure) throw failure;
    return "done";
  }

  async drainDevice(device) {
    let size = BATCH;
    for (;;) {
      const tickets = await store.outboxBatch(device.id, size);
      const shifts = (await store.pendingShifts(device.id)).slice(0, SHIFTS_PER_REQUEST);
      if (!tickets.length && !shifts.length) return;
      const answer = await fetchJson(this.urls.sync, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...auth(device) },
        body: JSON.stringify({ shifts: shifts.map((s) => s.payload), tickets: tickets.map((t) => t.payload) }),
      });
      if (answer.status === 413 && size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      if (answer.status === 401) this.refused.add(device.id);
      if (!answer.ok || !answer.body) throw new Error((answer.body && answer.body.error) || `HTTP ${answer.status}`);
      this.refused.delete(device.id);
      const progress = await store.applyAcks(answer.body);
      this.onChange();
      if (!progress) return; // everything was refused as unreadable: kept, shown, not re-sent in a loop
    }
  }

  /** Fetch the server's Z of closed shifts that have none yet or whose Z is still provisional (two days at most). */
  async refreshZ(device) {
    const shifts = await store.pendingZ(device.id, 2);
    for (const shift of shifts) {
      const answer = await fetchJson(this.urls.z.replace("00000000-0000-0000-0000-000000000000", shift.id), {
        headers: auth(device),
      });
      if (answer.ok && answer.body) {
        await store.putShift({ ...(await store.getShift(shift.id)), z: answer.body });
        this.onChange();
      }
    }
  }
}

/** One pass over every device's outbox (waiting for another tab's pass to end first), with no retry scheduled:
 * what logging out does before counting what is still waiting. */
export function sendOnce(urls) {
  const sync = new Sync({ urls });
  return withLock(LOCK, () => sync.drain());
}
