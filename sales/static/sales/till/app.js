// The phone till: boot (service worker, persistent storage, the device's registration, the catalogue), the
// screens, and the two writes that matter — a paid ticket and a refund — each saved under the device's Web Lock
// with its sequence number in one IndexedDB transaction, then sent by sync.js. Everything works offline once the
// first load has registered the phone and fetched the catalogue.
import { keepBasket, keptBasket } from "./basket.js";
import {
  chosenLanguage, h, icon, iconButton, lang, mount, rememberLanguage, setLanguage, t, tn, toast,
} from "./dom.js";
import { listenForScanner } from "./scan.js";
import { closeSheet, renderCartBar, sellScreen, takeProduct } from "./screens_sell.js";
import { payScreen } from "./screens_pay.js";
import { closeShiftScreen, openShiftScreen, zScreen } from "./screens_shift.js";
import { historyScreen, receiptScreen, refundScreen } from "./screens_ticket.js";
import {
  csrfToken as sessionCsrf, forgetPages, logOut, rememberPage, sendAndCount, sessionChanged,
} from "./session.js";
import * as store from "./store.js";
import { Sync, auth, withLock } from "./sync.js";
import {
  METHODS, fromCentimes, isoLocal, linesTotal, localDay, shiftTotals, ticketPayload, toCentimes, uuid,
} from "./ticket.js";

const ctx = JSON.parse(document.getElementById("till-context").textContent);
const slug = ctx.event.slug;
const channel = "BroadcastChannel" in window ? new BroadcastChannel("gie-till") : null;
const metrics = { ready: false, cached: false, saves: [], persisted: null };
window.__till = metrics; // read by the browser test and the bench

class NoShift extends Error {}

const csrfToken = () => sessionCsrf(ctx.csrf);

const app = {
  ctx,
  device: null,
  catalogue: null,
  products: new Map(),
  members: new Map(),
  shift: null,
  cart: [],
  payments: [],
  entry: null,
  memberFilter: null,
  screen: null,
  status: { state: "idle", pending: 0 },
  toast,

  price: (product) => toCentimes(product.price),
  takeProduct(product) { takeProduct(this, product); },
  /** Keep the basket not yet paid across a reload (basket.js); after every change of `cart`. */
  keepCart() { keepBasket(slug, ctx.user.id, this.cart); },
  today: () => localDay(new Date()),
  eventName: () => (lang() === "ar" ? ctx.event.name_ar : ctx.event.name_fr),
  methods() {
    const offered = (this.catalogue.methods || []).map((m) => m.code).filter((m) => METHODS.includes(m));
    return offered.length ? offered : METHODS;
  },

  show(name, arg, options) {
    closeSheet();
    this.screen = name;
    this.renderId = (this.renderId || 0) + 1; // an async screen drawn late must not cover a newer one
    this.screenArg = arg;
    this.screenOptions = options;
    document.body.dataset.screen = name;
    if (name !== "pay") this.entry = null;
    if (name !== "refund") this.refundState = null;
    const screens = {
      open: () => openShiftScreen(this),
      sell: () => (this.shift ? (sellScreen(this), renderCartBar(this)) : this.show("open")),
      pay: () => payScreen(this),
      receipt: () => receiptScreen(this, arg, options),
      history: () => historyScreen(this),
      refund: () => refundScreen(this, arg),
      close: () => closeShiftScreen(this),
      z: () => zScreen(this, arg),
    };
    if (name !== "sell") document.getElementById("footer").hidden = true;
    screens[name]();
  },

  /** Labels kept with the ticket so that its receipt reads the same after the catalogue changes. */
  labelsFor(lines) {
    return Object.fromEntries(lines.map((l) => {
      const p = this.products.get(l.product) || {};
      return [l.product, { name_fr: p.name_fr, name_ar: p.name_ar, member: p.member, vat_rate: p.vat_rate,
        unit: p.unit }];
    }));
  },

  /** Save a ticket under the device's lock: its sequence, the ticket and its outbox entry in one transaction. */
  persist({ lines, payments, refundOf = null, refundOfSeq = null, labels }) {
    const device = this.device.id;
    const build = (sequence, shift) => {
      if (!shift) throw new NoShift();
      const now = new Date();
      const id = uuid();
      const soldAt = isoLocal(now);
      const payload = ticketPayload({ id, event: slug, sequence, shift, soldAt, refundOf, lines, payments });
      return {
        id, device, event: slug, day: localDay(now), shift, refundOf, refundOfSeq, seq: sequence,
        total: linesTotal(lines), created: now.toISOString(), labels, payload,
      };
    };
    return withLock(`gie-till-seq:${device}`, () => store.saveTicket(device, `shift:${slug}:${device}`, build));
  },

  async saveSale() {
    const started = performance.now();
    const lines = this.cart.map((l) => ({ ...l }));
    const payments = this.payments.map((p) => ({ ...p }));
    const change = payments.reduce((sum, p) => sum + (p.change || 0), 0);
    let record;
    try {
      record = await this.persist({ lines, payments, labels: this.labelsFor(lines) });
    } catch (error) {
      this.failed(error);
      return;
    }
    metrics.saves.push(performance.now() - started);
    this.cart = [];
    this.keepCart();
    this.payments = [];
    this.changed();
    this.show("receipt", record.id, { fresh: true, change });
  },

  async saveRefund(original, lines, method) {
    const back = lines.map((l) => ({ product: l.product, quantity: -l.quantity, price: l.price }));
    const total = linesTotal(back);
    let record;
    try {
      record = await this.persist({
        lines: back,
        payments: [{ method, amount: total }],
        refundOf: original.id,
        refundOfSeq: original.seq,
        labels: original.labels || this.labelsFor(back),
      });
    } catch (error) {
      this.failed(error);
      return;
    }
    this.changed();
    this.show("receipt", record.id, { fresh: true });
  },

  failed(error) {
    if (error instanceof NoShift) {
      this.shift = null;
      toast(t("shift_closed_elsewhere"), "error");
      this.show("open");
      return;
    }
    toast(`${t("not_saved")} ${error.message || error}`, "error");
    this.show(this.screen);
  },

  async openShift(float) {
    const device = this.device.id;
    const key = `shift:${slug}:${device}`;
    this.shift = await withLock(`gie-till-shift:${key}`, async () => {
      const current = await store.getMeta(key);
      if (current) return store.getShift(current); // another tab opened it meanwhile
      const id = uuid();
      return store.openShift({
        id, device, event: slug, acked: null, z: null, status: "", message: "",
        payload: {
          id, event: slug, opened_at: isoLocal(new Date()), opening_float: fromCentimes(float), closed_at: null,
          counted_cash: null, device_totals: null, device_ticket_count: null, closed_offline: false,
        },
      });
    });
    this.changed("shift");
    this.show("sell");
  },

  /** Close the shift with the counted cash; its totals are counted under the device's lock, so that no ticket of
   * another tab slips in between the count and the close. */
  async closeShift(counted, offline) {
    const closed = await withLock(`gie-till-seq:${this.device.id}`, async () => {
      const shift = await store.getShift(this.shift.id);
      const { totals, count } = shiftTotals(await store.ticketsOfShift(shift.id));
      const now = new Date();
      return store.closeShift({
        ...shift,
        closedAtUtc: now.toISOString(),
        payload: {
          ...shift.payload,
          closed_at: isoLocal(now),
          counted_cash: fromCentimes(counted),
          device_totals: Object.fromEntries(METHODS.map((m) => [m, fromCentimes(totals[m])])),
          device_ticket_count: count,
          closed_offline: offline,
        },
      });
    });
    this.shift = null;
    this.changed("shift");
    return closed;
  },

  /** Something pending changed here: tell the other tabs, update the counter, try to send. */
  changed(type = "changed") {
    channel?.postMessage({ type });
    this.refreshBadge();
    this.sync?.kick();
  },

  async onBroadcast(message) {
    this.refreshBadge();
    if (message.type === "shift") {
      const id = await store.getMeta(`shift:${slug}:${this.device.id}`);
      this.shift = id ? await store.getShift(id) : null;
      if (!this.shift && ["sell", "pay"].includes(this.screen)) this.show("open");
      else if (this.shift && this.screen === "open") this.show("sell");
    } else {
      this.refreshScreen();
    }
  },

  /** Redraw a screen that shows sync states (today's list, a receipt, the Z) after the server answered. */
  refreshScreen() {
    if (this.screen === "history") this.show("history");
    else if (["z", "receipt"].includes(this.screen)) this.show(this.screen, this.screenArg, this.screenOptions);
  },

  async refreshBadge() {
    const pending = await store.outboxCount();
    const badge = document.getElementById("sync-badge");
    if (!badge) return;
    const state = !navigator.onLine ? "offline" : pending ? this.status.state : "idle";
    badge.dataset.state = state;
    badge.dataset.pending = String(pending);
    badge.setAttribute("aria-label", pending ? tn("unsynced", pending) : t("all_sent"));
    badge.replaceChildren(icon(state === "offline" ? "cloudOff" : pending ? "up" : "check"),
      h("span.badge-count", { dir: "ltr" }, String(pending)));
  },

  setStatus(status) {
    this.status = status;
    this.refreshBadge();
  },

  renderBar() {
    const bar = document.getElementById("bar");
    mount(bar,
      iconButton("menu", t("menu"), () => this.openMenu()),
      h("div.title", {}, h("strong", {}, this.eventName()), h("small", {}, ctx.user.name)),
      h("button.lang", { type: "button", onclick: () => this.switchLanguage(), lang: lang() === "ar" ? "fr" : "ar" },
        lang() === "ar" ? "Fr" : "ع"),
      h("button#sync-badge.badge", { type: "button", onclick: () => this.openMenu() }));
    this.refreshBadge();
  },

  switchLanguage() {
    const next = lang() === "ar" ? "fr" : "ar";
    rememberLanguage(ctx.lang_cookie, next);
    setLanguage(ctx.strings, next, ctx.plurals);
    this.renderBar();
    this.renderNotice();
    if (this.screen) this.show(this.screen === "pay" || this.screen === "refund" ? "sell" : this.screen);
  },

  renderNotice(extra = null) {
    const notice = document.getElementById("notice");
    const messages = [];
    if (!ctx.is_seller) messages.push(t("not_seller"));
    const today = this.today();
    const day = (iso, delta) => localDay(new Date(new Date(`${iso}T12:00:00`).getTime() + delta * 86400000));
    if (today < day(ctx.event.starts_on, -1) || (ctx.event.ends_on && today > day(ctx.event.ends_on, 1))) {
      messages.push(t("outside_dates"));
    }
    if (extra) messages.push(extra);
    notice.hidden = !messages.length;
    mount(notice, messages.map((m) => h("p", {}, icon("alert"), m)));
  },

  async openMenu() {
    const sheet = document.getElementById("sheet");
    const pending = await store.outboxCount();
    const item = (name, label, onclick, cls = "") =>
      h(`button.menu-item${cls}`, { type: "button", onclick }, icon(name), h("span", {}, label));
    mount(sheet, h("div.panel", { role: "dialog", "aria-modal": "true", "aria-label": t("menu") },
      h("div.panel-head", {}, h("h2", {}, t("menu")),
        iconButton("close", t("close"), () => closeSheet())),
      h("p.menu-status", { "data-pending": String(pending) }, icon(pending ? "up" : "check"),
        pending ? tn("unsynced", pending) : t("all_sent"),
        navigator.onLine ? null : h("small", {}, ` · ${t("offline")}`)),
      item("up", t("send_now"), async () => { closeSheet(); await this.sync.run(); this.refreshBadge(); }, ".send-now"),
      item("list", t("today_tickets"), () => this.show("history"), ".history"),
      this.shift ? item("lock", t("close_till"), () => this.show("close"), ".close-till") : null,
      item("download", t("export_pending"), () => this.exportPending(), ".export"),
      item("globe", lang() === "ar" ? "Français" : "العربية", () => { closeSheet(); this.switchLanguage(); }),
      h("a.menu-item", { href: ctx.urls.home }, icon("home"), h("span", {}, t("change_event"))),
      item("logout", t("logout"), () => this.logout(), ".logout"),
      h("small.menu-foot", { dir: "ltr" }, `${this.device.id.slice(0, 8)} · v${ctx.version.slice(0, 6)}` +
        (metrics.persisted ? " · ✓" : ""))));
    sheet.hidden = false;
  },

  /** Leave a shared phone: send first; with tickets of this phone still waiting, say so and offer to stay or to
   * keep them for the device (they are sent by the next till opened here); then forget this user's pages and data
   * and log out on the server. Logging out needs the network: offline, the session could not end. */
  async logout() {
    closeSheet();
    if (!navigator.onLine) {
      toast(t("logout_offline"), "error");
      return;
    }
    const waiting = await sendAndCount(ctx.urls, this.device.id);
    this.refreshBadge();
    const leave = () => logOut({ scope: ctx.urls.scope, logout: ctx.urls.logout, csrf: csrfToken() });
    if (!waiting) {
      await leave();
      return;
    }
    const sheet = document.getElementById("sheet");
    mount(sheet, h("div.panel.logout-warning", { role: "alertdialog", "aria-modal": "true", "aria-label": t("logout") },
      h("p.refusal", {}, icon("alert"), h("span", {}, tn("logout_pending", waiting))),
      h("div.actions", {},
        h("button.big.primary.logout-stay", { type: "button", onclick: () => closeSheet() }, t("logout_stay")),
        h("button.big.warn.logout-keep", { type: "button", onclick: () => leave() }, icon("logout"),
          t("logout_keep")))));
    sheet.hidden = false;
  },

  /** The last resort: every ticket and shift not yet acknowledged, as a JSON file the GIE can import by hand. */
  async exportPending() {
    const outbox = await store.outboxAll();
    const shifts = await store.allPendingShifts();
    const now = new Date();
    const data = {
      exported_at: isoLocal(now),
      event: slug,
      user: ctx.user.username,
      shifts: shifts.map((s) => ({ device: s.device, ...s.payload })),
      tickets: outbox.map((o) => ({ device: o.device, message: o.message, ...o.payload })),
    };
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 1)], { type: "application/json" }));
    const link = h("a", { href: url, download: `caisse-${slug}-${localDay(now)}-${now.getTime()}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    closeSheet();
  },
};

async function ensureDevice() {
  const key = `device:${ctx.user.id}`;
  const known = await store.getMeta(key);
  if (known) return known;
  return withLock("gie-till-register", async () => {
    const again = await store.getMeta(key);
    if (again) return again; // another tab registered the phone while this one waited
    const response = await fetch(ctx.urls.register, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ name: `${ctx.user.username} · ${navigator.platform || "web"}`.slice(0, 80) }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    const device = { id: body.device, token: body.token, user: ctx.user.id, registered: new Date().toISOString() };
    await store.setMeta(key, device);
    return device;
  });
}

async function loadCatalogue(device) {
  try {
    const response = await fetch(ctx.urls.catalogue, { headers: auth(device), cache: "no-store" });
    if (response.ok) {
      const data = await response.json();
      await store.putCatalogue(slug, data);
      return { data };
    }
    if (response.status === 401) return { refused: true };
  } catch {
    // offline: the copy saved at the last load
  }
  const saved = await store.getCatalogue(slug);
  return saved ? { data: saved.data } : {};
}

/** Keep this page (as this user's: session.js) and the product pictures for offline use (the service worker
 * caches them too once active). */
async function cacheForOffline(catalogue) {
  if (!("caches" in window) || !navigator.onLine) return;
  try {
    const response = await fetch(location.pathname, { credentials: "same-origin" });
    const user = response.headers.get("X-Till-User");
    if (response.ok && !response.redirected && user === String(ctx.user.id)) {
      await rememberPage(ctx.urls.scope, location.pathname, ctx.user.id, response);
    }
    const media = await caches.open("till-media");
    const urls = [...new Set(catalogue.products.flatMap((p) => [p.photo, p.pictogram]).filter(Boolean))];
    for (const url of urls) if (!(await media.match(url))) await media.add(url).catch(() => {});
  } catch {
    // a full disk or a private window: the till still works while this page stays open
  }
}

function fatal(message) {
  mount(document.getElementById("screen"), h("div.fatal", { role: "alert" }, icon("cloudOff", "icon hero-icon"),
    h("p", {}, message), h("button.big.primary", { type: "button", onclick: () => location.reload() }, t("retry"))));
}

async function boot() {
  localStorage.removeItem("till-lang"); // the phone-wide choice of earlier releases: it beat the user's own
  setLanguage(ctx.strings, chosenLanguage(ctx.lang_cookie, ctx.lang), ctx.plurals);
  if (sessionChanged(ctx.csrf)) {
    // a copy kept for an earlier session: online, the server gives this session's page; offline, nothing opens
    await forgetPages(ctx.urls.scope).catch(() => {});
    if (navigator.onLine && !sessionStorage.getItem("till-reloaded")) {
      sessionStorage.setItem("till-reloaded", "1");
      location.reload();
      return;
    }
    fatal(t("session_changed"));
    return;
  }
  sessionStorage.removeItem("till-reloaded");
  app.renderBar();
  app.renderNotice();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(ctx.urls.sw, { scope: ctx.urls.scope, updateViaCache: "none" }).catch(() => {});
  }
  navigator.storage?.persist?.().then((ok) => { metrics.persisted = ok; }).catch(() => {});
  try {
    app.device = await ensureDevice();
  } catch (error) {
    fatal(navigator.onLine && !/^HTTP|fetch/i.test(error.message) ? error.message : t("first_load_online"));
    return;
  }
  let loaded = await loadCatalogue(app.device);
  if (loaded.refused && !(await store.outboxBatch(app.device.id, 1)).length) {
    await store.deleteMeta(`device:${ctx.user.id}`); // unknown to this server (revoked, or a new database)
    try { app.device = await ensureDevice(); loaded = await loadCatalogue(app.device); } catch { loaded = {}; }
  }
  if (!loaded.data) {
    fatal(loaded.refused ? t("device_refused") : t("first_load_online"));
    return;
  }
  app.catalogue = loaded.data;
  app.catalogue.products.forEach((p) => app.products.set(p.id, p));
  app.catalogue.members.forEach((m) => app.members.set(m.id, m));
  app.cart = keptBasket(slug, ctx.user.id, app.products); // a reload in the middle of a sale
  const current = await store.getMeta(`shift:${slug}:${app.device.id}`);
  app.shift = current ? await store.getShift(current) : null;
  app.sync = new Sync({
    urls: ctx.urls,
    onChange: () => {
      channel?.postMessage({ type: "changed" });
      app.refreshBadge();
      app.refreshScreen();
    },
    onStatus: (status) => app.setStatus(status),
    busy: () => app.screen === "pay" || app.screen === "refund",
  });
  app.sync.start();
  if (channel) channel.onmessage = (event) => app.onBroadcast(event.data);
  listenForScanner(app);
  window.addEventListener("online", () => app.refreshBadge());
  window.addEventListener("offline", () => app.refreshBadge());
  app.show(app.shift ? "sell" : "open");
  metrics.ready = true;
  metrics.app = app;
  store.pruneHistory(14).catch(() => {});
  await cacheForOffline(app.catalogue);
  metrics.cached = true;
}

boot();
