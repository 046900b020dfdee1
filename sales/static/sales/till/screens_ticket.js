// Tickets once paid: the receipt (on screen, and printed on a 58 mm thermal printer through the browser's print
// dialog, with its QR code), today's list, and refunds (a new ticket naming the original: never an edit).
import {
  changeBox, dateTimeText, h, icon, iconButton, lang, money, mount, nameEl, nameLang, number, quantityText, t, timesText,
  tn,
} from "./dom.js";
import { qrSvg } from "./qr.js";
import { methodButton } from "./screens_pay.js";
import { memberTag, step } from "./screens_sell.js";
import * as store from "./store.js";
import {
  fromCentimes, fromMilli, isWeighed, lineAmount, linesTotal, refundable, toCentimes, toMilli, vatByRate,
} from "./ticket.js";

const STATUS = {
  pending: ["clock", "status_pending"],
  stored: ["check", "status_sent"],
  duplicate: ["check", "status_sent"],
  held: ["alert", "status_held"],
  rejected: ["alert", "status_rejected"],
};

/** The short text of the receipt's QR code: event, device sequence, ticket UUID, total. */
export function qrText(record) {
  return `GIE-TICKET;${record.event};${record.seq};${record.id};${fromCentimes(record.total)}`;
}

/** The receipt as a block of markup: the same on screen and on paper. */
export function receiptView(app, record) {
  const label = (id) => record.labels?.[id] || app.products.get(id) || {};
  const lines = record.payload.lines.map((l) => ({
    product: l.product,
    quantity: fromMilli(toMilli(l.quantity)),
    price: toCentimes(l.unit_price),
  }));
  const total = linesTotal(lines);
  const vat = vatByRate(lines, (id) => label(id).vat_rate);
  const original = record.refundOfSeq;
  const event = app.ctx.event;
  return h("article.receipt", { "data-ticket": record.id },
    h("header", {},
      h("strong", {}, lang() === "ar" ? event.name_ar : event.name_fr),
      event.place ? h("small", {}, event.place) : null,
      h("div.receipt-no", {}, h("span", {}, record.refundOf ? t("refund") : t("ticket")), " ", t("number_short"), " ",
        number(record.seq)),
      h("small.receipt-when", {}, h("bdi", { dir: "ltr" }, dateTimeText(record.payload.sold_at))),
      original ? h("small", {}, t("refund_of", { n: original })) : null),
    h("table.receipt-lines", {}, h("tbody", {}, lines.map((l) => {
      const item = label(l.product);
      const unit = item.unit || app.products.get(l.product)?.unit;
      return h("tr", { "data-product": l.product },
        h("td", {}, h("div.receipt-name", { dir: nameLang(item).dir }, nameEl(item)),
          h("small.receipt-qty", {}, timesText(l.quantity, unit, l.price)),
          h("small.receipt-member", {}, memberTag(app, item.member))),
        h("td.num", {}, money(lineAmount(l))));
    }))),
    h("div.receipt-total", {}, h("span", {}, t("total")), h("strong", {}, money(total, { currency: true }))),
    h("ul.receipt-payments", {}, record.payload.payments.map((p) => h("li", {},
      h("span", {}, t(p.method)), money(toCentimes(p.amount)),
      p.tendered && toCentimes(p.tendered) > toCentimes(p.amount)
        ? h("small", {}, t("tendered"), " ", money(toCentimes(p.tendered)), " · ", t("change"), " ",
          money(toCentimes(p.tendered) - toCentimes(p.amount)))
        : null))),
    vat.length ? h("ul.receipt-vat", {}, vat.map((v) => h("li", {},
      t("vat_included", { rate: `${Math.round(Number(v.rate) * 1000) / 10}` }), " ", money(v.vat)))) : null,
    h("p.receipt-mandate", {}, t("mandate")),
    h("div.qr", { html: qrSvg(qrText(record), t("qr_label")) }),
    h("small.receipt-id", { dir: "ltr" }, record.id),
    h("p.receipt-thanks", {}, t("thanks")));
}

/** Print the receipt on the thermal printer: only #print is shown in print media (till.css). The stylesheet says
 * `@page { size: 58mm auto }`; browsers that want a definite height get one page exactly as long as the receipt. */
export function printReceipt(node) {
  const target = document.getElementById("print");
  target.replaceChildren(node.cloneNode(true));
  target.classList.add("measuring");
  const millimetres = Math.ceil((target.getBoundingClientRect().height * 25.4) / 96) + 4;
  target.classList.remove("measuring");
  let rule = document.getElementById("page-size");
  if (!rule) {
    rule = h("style#page-size");
    document.head.append(rule);
  }
  rule.textContent = `@page { size: 58mm ${millimetres}mm; margin: 0; }`;
  window.print();
}

export async function receiptScreen(app, id, { fresh = false, change = 0 } = {}) {
  const drawing = app.renderId;
  const record = await store.getTicket(id);
  const main = document.getElementById("screen");
  document.getElementById("footer").hidden = true;
  if (!record) { app.show("sell"); return; }
  const view = receiptView(app, record);
  const [statusIcon, statusKey] = STATUS[record.status] || STATUS.pending;
  const refunds = record.refundOf ? [] : await store.refundsOf(record.id);
  const left = record.refundOf ? [] : refundable(record, refunds).filter((l) => l.quantity > 0);
  if (drawing !== app.renderId) return;
  mount(main,
    fresh && change > 0
      ? changeBox(change, ".big-change")
      : null,
    fresh ? h("p.saved", { role: "status" }, icon("check"), t("saved")) : null,
    h("div.paper", {}, view),
    h("p.sync-state", { "data-status": record.status }, icon(statusIcon), t(statusKey),
      record.message ? h("small", {}, ` — ${record.message}`) : null),
    h("div.actions", {},
      h("button.big.ghost", { type: "button", onclick: () => printReceipt(view) }, icon("print"), t("print")),
      fresh
        ? h("button.big.primary.new-sale", { type: "button", onclick: () => app.show("sell") }, t("new_sale"))
        : h("button.big.ghost", { type: "button", onclick: () => app.show("history") }, icon("back"), t("back")),
      !fresh && left.length && app.shift
        ? h("button.big.warn", { type: "button", onclick: () => app.show("refund", record.id) }, icon("refund"),
          t("refund_action"))
        : null));
}

export async function historyScreen(app) {
  const drawing = app.renderId;
  const main = document.getElementById("screen");
  document.getElementById("footer").hidden = true;
  // this phone's till for this user only (a shared phone keeps other sellers' tickets until they are sent)
  const records = (await store.ticketsOfDay(app.ctx.event.slug, app.today()))
    .filter((r) => r.device === app.device.id)
    .sort((a, b) => b.created.localeCompare(a.created));
  const sum = records.reduce((s, r) => s + r.total, 0);
  if (drawing !== app.renderId) return;
  mount(main, h("section.history", {},
    h("div.screen-head", {},
      iconButton("back", t("back"), () => app.show("sell")),
      h("h1", {}, t("today_tickets"))),
    h("div.day-sum", {}, h("span", {}, tn("tickets_count", records.length)), money(sum, { currency: true })),
    records.length ? null : h("p.empty", {}, t("no_tickets")),
    h("ul.ticket-list", {}, records.map((r) => {
      const [statusIcon, statusKey] = STATUS[r.status] || STATUS.pending;
      return h("li", {}, h("button.ticket-row", {
        type: "button",
        "data-status": r.status,
        "data-ticket": r.id,
        "data-seq": String(r.seq),
        onclick: () => app.show("receipt", r.id),
      },
      h("span.no", {}, t("number_short"), " ", number(r.seq)),
      h("span.time", { dir: "ltr" }, dateTimeText(r.payload.sold_at, { date: false })),
      r.refundOf ? h("span.tag", {}, icon("refund")) : null,
      h("span.amount-cell", {}, money(r.total)),
      h("span.state", { title: t(statusKey), "aria-label": t(statusKey) }, icon(statusIcon))));
    }))));
}

/** A refund of (part of) a sale of today: pick quantities and how the money goes back, then save a new ticket. */
export async function refundScreen(app, id) {
  const drawing = app.renderId;
  const original = await store.getTicket(id);
  const main = document.getElementById("screen");
  if (!original) { app.show("history"); return; }
  const left = refundable(original, await store.refundsOf(id)).filter((l) => l.quantity > 0);
  if (drawing !== app.renderId) return;
  const state = app.refundState?.id === id ? app.refundState : {
    id,
    quantities: Object.fromEntries(left.map((l) => [l.product, l.quantity])),
    method: original.payload.payments[0]?.method || "cash",
  };
  app.refundState = state;
  const lines = left.map((l) => ({ ...l, quantity: state.quantities[l.product] || 0 }));
  const total = linesTotal(lines);
  const label = (pid) => original.labels?.[pid] || app.products.get(pid) || {};
  const unitOf = (pid) => label(pid).unit || app.products.get(pid)?.unit;
  const render = () => refundScreen(app, id);
  // pieces one by one; a weighed line is given back whole or not at all (the scale is not at hand)
  const change = (line, delta) => {
    const weighed = isWeighed({ unit: unitOf(line.product) });
    const next = weighed ? (delta > 0 ? line.quantity : 0) : (state.quantities[line.product] || 0) + delta;
    state.quantities[line.product] = Math.min(line.quantity, Math.max(0, next));
  };
  mount(main, h("section.refund", {},
    h("div.screen-head", {},
      iconButton("back", t("back"), () => app.show("receipt", id)),
      h("h1", {}, t("refund_title", { n: original.seq }))),
    h("ul.lines", {}, left.map((l) => h("li.line", { "data-product": l.product },
      h("span.line-name", {}, h("span.line-text", {}, nameEl(label(l.product)),
        h("small", {}, memberTag(app, label(l.product).member), " · ",
          timesText(state.quantities[l.product] || 0, unitOf(l.product), l.price)))),
      h("span.stepper", {},
        step("minus", t("less"), () => { change(l, -1); render(); }),
        h("span.step-qty", {}, h("bdi", { dir: "ltr" }, quantityText(state.quantities[l.product] || 0,
          unitOf(l.product)))),
        step("plus", t("more"), () => { change(l, 1); render(); })),
      h("span.line-amount", {}, money(lineAmount({ quantity: state.quantities[l.product] || 0, price: l.price })))))),
    h("p.label", {}, t("refund_how")),
    h("div.methods", {}, app.methods().map((m) => methodButton(m, {
      "aria-pressed": String(state.method === m),
      onclick: () => { state.method = m; render(); },
    }))),
    h("div.sum", {}, h("span", {}, t("to_give_back")), h("strong.big-amount", {}, money(total, { currency: true }))),
    h("div.actions", {}, h("button.big.warn.confirm-refund", {
      type: "button",
      disabled: total <= 0,
      onclick: (e) => {
        e.currentTarget.disabled = true;
        app.saveRefund(original, lines.filter((l) => l.quantity > 0), state.method);
      },
    }, icon("refund"), t("refund_confirm")))));
}
