// The quantity of a product sold by weight or volume (kg, litre): a big keypad for up to 3 decimals (0,750 kg),
// the line's amount shown as it is typed, computed exactly as the server does (ticket.lineAmount, the rounding of
// sales.maths.line_amount), and OK. Pieces, boxes and pots never come here: they are counted whole.
import { h, icon, iconButton, money, mount, nameEl, t } from "./dom.js";
import { fromMilli, lineAmount, toMilli } from "./ticket.js";

const MAX_WHOLE_DIGITS = 5; // 99 999,999: the server's largest quantity
const DECIMALS = 3;

/** The quantity typed ("0,75" → 0.75; "" → 0), exact to the thousandth. */
export function typedQuantity(text) {
  const [whole, decimals = ""] = text.split(",");
  return fromMilli(parseInt(whole || "0", 10) * 1000 + parseInt((decimals + "000").slice(0, DECIMALS), 10));
}

/** What a key does to the text typed so far; unchanged when the key would break the format. */
export function pressKey(text, key) {
  if (key === "back") return text.slice(0, -1);
  if (key === ",") return text.includes(",") ? text : `${text || "0"},`;
  const [whole, decimals] = text.split(",");
  if (decimals !== undefined && decimals.length >= DECIMALS) return text;
  if (decimals === undefined && whole.replace(/^0+/, "").length >= MAX_WHOLE_DIGITS) return text;
  return (text === "0" ? key : text + key).replace(/^0+(?=\d)/, "");
}

function initialText(quantity) {
  if (!quantity) return "";
  const milli = toMilli(quantity);
  const decimals = String(milli % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${Math.floor(milli / 1000)}${decimals ? `,${decimals}` : ""}`;
}

/** Open the keypad over the current screen; `onOk(quantity)` with a quantity above zero, `onCancel()` otherwise. */
export function weighSheet(app, product, { initial = 0, onOk, onCancel = () => {} }) {
  const sheet = document.getElementById("sheet");
  const unit = t(`unit_${product.unit}`);
  const price = app.price(product);
  let text = initialText(initial);
  const display = h("output.keypad-display.weigh-display", { "aria-live": "polite", dir: "ltr" });
  const amount = h("strong.weigh-amount", {});
  const ok = h("button.big.primary.ok", { type: "button" }, icon("check"), t("ok"));
  const show = () => {
    const quantity = typedQuantity(text);
    const [whole, decimals = ""] = (text || "0").split(",");
    display.replaceChildren(h("bdi", { dir: "ltr" }, `${whole},${decimals.padEnd(DECIMALS, "0")}`),
      h("small", {}, ` ${unit}`));
    display.classList.toggle("placeholder", !text);
    amount.replaceChildren(money(lineAmount({ quantity, price }), { currency: true }));
    ok.disabled = quantity <= 0;
  };
  const close = (done) => {
    sheet.hidden = true;
    sheet.replaceChildren();
    sheet.onclose = null;
    done();
  };
  ok.onclick = () => {
    const quantity = typedQuantity(text);
    if (quantity > 0) close(() => onOk(quantity));
  };
  const key = (k, label, name) => h("button.key", {
    type: "button",
    "data-key": k,
    "aria-label": name,
    onclick: () => { text = pressKey(text, k); show(); },
  }, label ?? k);
  mount(sheet, h("div.panel.weigh", { role: "dialog", "aria-modal": "true", "aria-label": t("quantity") },
    h("div.panel-head", {}, h("h2", {}, t("quantity")), iconButton("close", t("cancel"), () => close(onCancel))),
    h("div.weigh-product", {}, (product.photo || product.pictogram)
      ? h("img.pic.thumb", { src: product.photo || product.pictogram, alt: "" }) : null,
    h("span", {}, nameEl(product), h("small", {}, money(price), ` / ${unit}`))),
    display,
    h("div.keys", { dir: "ltr" },
      ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((k) => key(k)),
      key(","), key("0"), key("back", icon("keypadBack"), t("erase"))),
    h("div.sum", {}, h("span", {}, t("total")), amount),
    ok));
  sheet.hidden = false;
  sheet.onclose = null;
  show();
}
