// Paying: the total in big digits, a button per payment method (pictogram and word), an on-screen keypad for the
// cash handed over (with the usual banknotes one tap away) or the amount of a split payment, the change in very
// big digits, and one button that saves the paid ticket. A paid ticket is final: nothing here edits it afterwards.
import { changeBox, h, icon, money, mount, t } from "./dom.js";
import { cashPayment, linesTotal, paid, quickCash } from "./ticket.js";

/** An on-screen keypad for an amount in dirhams (two decimals at most). `state.text` holds what was typed. */
export function keypad({ state, onChange, onOk, okLabel, placeholder = 0 }) {
  const display = h("output.keypad-display", { "aria-live": "polite" });
  const show = () => {
    const value = keypadValue(state);
    display.replaceChildren(state.text ? money(value) : h("span.placeholder", {}, money(placeholder)));
    onChange?.(value);
  };
  const press = (key) => {
    let text = state.text;
    if (key === "back") text = text.slice(0, -1);
    else if (key === ",") text = text.includes(",") ? text : `${text || "0"},`;
    else if (/,\d\d$/.test(text)) return;
    else if (text.replace(",", "").length >= 9) return;
    else text = text === "0" && key !== "," ? key : text + key;
    state.text = text.replace(/^0+(?=\d)/, "");
    show();
  };
  const key = (k, label, name) => h("button.key", {
    type: "button", "data-key": k, "aria-label": name, onclick: () => press(k),
  }, label ?? k);
  const keys = h("div.keys", { dir: "ltr" },
    ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((k) => key(k)),
    key(","), key("0"), key("back", icon("keypadBack"), t("erase"))); // a pictogram only: its name said aloud
  show();
  return h("div.keypad", {}, display, keys,
    onOk
      ? h("button.big.primary.ok", { type: "button", onclick: () => onOk(keypadValue(state)) }, okLabel || t("ok"))
      : null);
}

/** Centimes typed on the keypad ("" is 0). */
export function keypadValue(state) {
  const [units, decimals = ""] = state.text.split(",");
  return parseInt(units || "0", 10) * 100 + parseInt((decimals + "00").slice(0, 2), 10);
}

const METHOD_LABEL = { cash: "cash", card: "card", mobile: "mobile", cheque: "cheque" };

export function methodButton(method, attrs, extra = null) {
  return h(`button.method.m-${method}`, { type: "button", ...attrs }, icon(method, "icon big-icon"),
    h("span", {}, t(METHOD_LABEL[method])), extra);
}

export function payScreen(app) {
  const main = document.getElementById("screen");
  document.getElementById("footer").hidden = true;
  const total = linesTotal(app.cart);
  if (!app.cart.length) { app.show("sell"); return; }
  const remaining = total - paid(app.payments);
  const change = app.payments.reduce((sum, p) => sum + (p.change || 0), 0);
  const entry = app.entry;
  const render = () => payScreen(app);

  const payments = app.payments.length
    ? h("ul.payments", {}, app.payments.map((p, i) => h("li", {},
      icon(p.method), h("span.grow", {}, t(METHOD_LABEL[p.method])),
      p.method === "cash" && p.tendered > p.amount ? h("small", {}, t("tendered"), " ", money(p.tendered)) : null,
      h("strong", {}, money(p.amount)),
      h("button.icon-button", {
        type: "button",
        "aria-label": t("remove"),
        onclick: () => { app.payments.splice(i, 1); app.entry = null; render(); },
      }, icon("close")))))
    : null;

  let body;
  if (remaining > 0 && !entry) {
    body = h("div.methods", {}, app.methods().map((m) => methodButton(m, {
      onclick: () => { app.entry = { method: m, text: "" }; render(); },
    })));
  } else if (remaining > 0 && entry) {
    const suggestions = entry.method === "cash"
      ? h("div.quick", { dir: "ltr" },
        h("button.quick-cash.exact", { type: "button", onclick: () => addPayment(app, entry.method, remaining) },
          money(remaining)),
        quickCash(remaining).map((c) =>
          h("button.quick-cash", { type: "button", onclick: () => addPayment(app, entry.method, c) }, money(c))))
      : null;
    body = h("div.entry", {},
      h("div.entry-head", {}, icon(entry.method),
        h("span", {}, entry.method === "cash" ? t("cash_given") : t(METHOD_LABEL[entry.method])),
        h("button.link", { type: "button", onclick: () => { app.entry = null; render(); } }, t("other_method"))),
      suggestions,
      keypad({
        state: entry,
        placeholder: remaining,
        okLabel: t("ok"),
        onOk: (value) => addPayment(app, entry.method, value || remaining),
      }));
  } else {
    body = h("div.done", {},
      change > 0 ? changeBox(change) : null,
      h("button.big.primary.validate", {
        type: "button",
        onclick: (e) => { e.currentTarget.disabled = true; app.saveSale(); },
      }, icon("check"), t("validate")));
  }

  mount(main, h("section.pay", {},
    h("div.pay-head", {},
      h("button.icon-button", {
        type: "button",
        "aria-label": t("back"),
        onclick: () => { app.payments = []; app.entry = null; app.show("sell"); },
      }, icon("back")),
      h("div.pay-total", {}, h("span", {}, t("total")), h("strong.huge", {}, money(total, { currency: true })))),
    payments,
    remaining > 0 && app.payments.length
      ? h("div.remaining", {}, h("span", {}, t("remaining")), h("strong", {}, money(remaining, { currency: true })))
      : null,
    body));
}

function addPayment(app, method, value) {
  const total = linesTotal(app.cart);
  const remaining = total - paid(app.payments);
  if (value <= 0) return;
  if (method === "cash") {
    app.payments.push(cashPayment(remaining, value));
  } else {
    if (value > remaining) {
      app.entry = { method, text: "" };
      app.toast(t("too_much"), "error");
      payScreen(app);
      return;
    }
    app.payments.push({ method, amount: value });
  }
  app.entry = null;
  payScreen(app);
}
