// The shift: opened with the cash float (offline too), closed with the counted cash, which gives the Z report —
// the phone's totals per payment method beside the server's when it has them. Closing is refused while tickets
// wait to be sent, unless the seller closes offline on purpose (two confirmations; the Z is then provisional).
import { dateTimeText, h, icon, money, mount, number, t, tn } from "./dom.js";
import { keypad, keypadValue } from "./screens_pay.js";
import { printReceipt } from "./screens_ticket.js";
import * as store from "./store.js";
import { METHODS, shiftTotals, toCentimes } from "./ticket.js";

export function openShiftScreen(app) {
  const main = document.getElementById("screen");
  document.getElementById("footer").hidden = true;
  const state = { text: "" };
  mount(main, h("section.shift-open", {},
    h("div.hero", {}, icon("lock", "icon hero-icon"), h("h1", {}, t("open_till"))),
    h("p.label", {}, t("opening_float")),
    keypad({ state, okLabel: t("open_till"), onOk: (value) => app.openShift(value) })));
}

async function deviceTotals(app) {
  return shiftTotals(await store.ticketsOfShift(app.shift.id));
}

export async function closeShiftScreen(app, step = "count") {
  const drawing = app.renderId;
  const main = document.getElementById("screen");
  document.getElementById("footer").hidden = true;
  const { totals, count } = await deviceTotals(app);
  const waiting = step === "unsynced" ? await unsyncedOfShift(app) : 0;
  if (drawing !== app.renderId) return;
  const state = app.closeState || (app.closeState = { text: "" });
  const float = toCentimes(app.shift.payload.opening_float);
  const head = h("div.screen-head", {},
    h("button.icon-button", {
      type: "button",
      "aria-label": t("back"),
      onclick: () => { app.closeState = null; app.show("sell"); },
    }, icon("back")),
    h("h1", {}, t("close_till")));
  const summary = h("table.totals", {}, h("tbody", {},
    h("tr", {}, h("th", {}, t("tickets")), h("td.num", {}, number(count))),
    h("tr", {}, h("th", {}, t("opening_float")), h("td.num", {}, money(float))),
    METHODS.map((m) => h("tr", {}, h("th", {}, icon(m), " ", t(m)), h("td.num", {}, money(totals[m])))),
    h("tr.strong", {}, h("th", {}, t("expected_cash")), h("td.num", {}, money(float + totals.cash)))));
  let body;
  if (step === "count") {
    body = [h("p.label", {}, t("counted_cash")),
      keypad({ state, okLabel: t("close_till"), onOk: () => tryClose(app, state) })];
  } else if (step === "unsynced") {
    body = h("div.refusal", { role: "alert" },
      h("p", {}, icon("alert"), tn("close_refused", waiting)),
      h("button.big.primary", { type: "button", onclick: () => tryClose(app, state) }, icon("up"), t("send_now")),
      h("button.big.ghost.close-offline", { type: "button", onclick: () => closeShiftScreen(app, "confirm") },
        t("close_offline")));
  } else {
    body = h("div.refusal.confirm", { role: "alertdialog" },
      h("p", {}, icon("alert"), t("close_offline_confirm")),
      h("button.big.warn.close-offline-confirm", { type: "button", onclick: () => finishClose(app, state, true) },
        t("close_offline_yes")),
      h("button.big.ghost", { type: "button", onclick: () => closeShiftScreen(app, "count") }, t("cancel")));
  }
  mount(main, h("section.shift-close", {}, head, summary, body));
}

async function unsyncedOfShift(app) {
  const waiting = await store.outboxAll();
  return waiting.filter((entry) => entry.payload.shift === app.shift.id).length;
}

async function tryClose(app, state) {
  if (!state.text) {
    app.toast(t("type_counted"), "error");
    return;
  }
  if (navigator.onLine) await app.sync.run();
  if (await unsyncedOfShift(app)) {
    closeShiftScreen(app, "unsynced");
    return;
  }
  await finishClose(app, state, false);
}

async function finishClose(app, state, offline) {
  const shift = await app.closeShift(keypadValue(state), offline);
  app.closeState = null;
  app.show("z", shift.id);
}

/** "30/11/2026 09:00 → 18:00", or with both dates when the shift closed another day; as people write it, in
 * both languages (never the ISO form the phone keeps). */
export function zPeriod(openedAt, closedAt) {
  const opened = dateTimeText(openedAt);
  if (!closedAt) return opened;
  const sameDay = openedAt.slice(0, 10) === closedAt.slice(0, 10);
  return `${opened} → ${dateTimeText(closedAt, { date: !sameDay })}`;
}

/** The Z report of a closed shift: per method the phone's total, the server's and the difference. */
export function zView(app, shift) {
  const p = shift.payload;
  const z = shift.z;
  const device = Object.fromEntries(METHODS.map((m) => [m, toCentimes(p.device_totals?.[m] ?? "0")]));
  const server = z ? Object.fromEntries(METHODS.map((m) => [m, toCentimes(z.server?.[m] ?? "0")])) : null;
  const float = toCentimes(p.opening_float);
  const counted = toCentimes(p.counted_cash ?? "0");
  const expected = z?.expected_cash !== undefined ? toCentimes(z.expected_cash) : float + device.cash;
  const provisional = !z || z.provisional;
  const cell = (value) => h("td.num", {}, value === null ? "—" : money(value));
  return h("article.receipt.z", { "data-shift": shift.id },
    h("header", {},
      h("strong", {}, t("z_title"), z?.number ? [" ", t("number_short"), " ", number(z.number)] : null),
      h("small", {}, app.eventName()),
      h("small.z-when", {}, h("bdi", { dir: "ltr" }, zPeriod(p.opened_at, p.closed_at)))),
    provisional ? h("p.provisional", { role: "status" }, icon("alert"), t("z_provisional")) : null,
    h("table.z-table", {},
      h("thead", {}, h("tr", {}, h("th.num", {}, t("phone")), h("th.num", {}, t("server")),
        h("th.num", {}, t("difference")))),
      h("tbody", {}, METHODS.map((m) => [
        h("tr.method-row", {}, h("th", { colspan: "3" }, t(m))),
        h("tr", { "data-method": m }, cell(device[m]), cell(server ? server[m] : null),
          cell(server ? device[m] - server[m] : null)),
      ]),
      h("tr.method-row", {}, h("th", { colspan: "3" }, t("tickets"))),
      h("tr", { "data-row": "tickets" }, h("td.num", {}, number(p.device_ticket_count ?? 0)),
        h("td.num", {}, z ? number(z.tickets?.server ?? 0) : "—"),
        h("td.num", {}, z ? number((p.device_ticket_count ?? 0) - (z.tickets?.server ?? 0)) : "—")))),
    h("table.totals", {}, h("tbody", {},
      h("tr", {}, h("th", {}, t("opening_float")), cell(float)),
      h("tr", {}, h("th", {}, t("expected_cash")), cell(expected)),
      h("tr", {}, h("th", {}, t("counted_cash")), cell(counted)),
      h("tr.strong", { "data-row": "cash-difference" }, h("th", {}, t("cash_difference")), cell(counted - expected)))));
}

export async function zScreen(app, id) {
  const drawing = app.renderId;
  const main = document.getElementById("screen");
  document.getElementById("footer").hidden = true;
  const shift = await store.getShift(id);
  if (drawing !== app.renderId) return;
  if (!shift) { app.show("sell"); return; }
  const view = zView(app, shift);
  const zPage = app.ctx.urls.z_page.replace("00000000-0000-0000-0000-000000000000", shift.id);
  mount(main, h("section.z-screen", {},
    h("div.paper", {}, view),
    h("div.actions", {},
      h("button.big.ghost", { type: "button", onclick: () => printReceipt(view) }, icon("print"), t("print")),
      shift.acked === "closed" && navigator.onLine
        ? h("a.big.ghost", { href: zPage, target: "_blank", rel: "noopener" }, t("z_server_page")) : null,
      app.shift
        ? null
        : h("button.big.primary", { type: "button", onclick: () => app.show("open") }, t("open_new_till")))));
}
