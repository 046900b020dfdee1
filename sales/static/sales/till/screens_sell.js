// Selling: the product grid (pictures, big prices), a filter per stand, the cart bar always at the bottom and the
// cart sheet. A tap on a product adds one; the grid is drawn once and only its counters change afterwards.
import { h, icon, iconButton, lang, money, mount, nameOf, number, t } from "./dom.js";
import { linesTotal } from "./ticket.js";

const COLOURS = ["#0b6e4f", "#b5522b", "#2f5d9e", "#8a5a00", "#7a3d8f", "#2b7a78", "#a23b5c", "#4b6b1f"];

export function memberColour(app, memberId) {
  const index = app.catalogue.members.findIndex((m) => m.id === memberId);
  return COLOURS[(index < 0 ? 0 : index) % COLOURS.length];
}

function initials(text) {
  const word = String(text).trim().split(/\s+/)[0] || "?";
  return word.slice(0, 2);
}

function picture(app, product) {
  const src = product.photo || product.pictogram;
  if (src) return h("img.pic", { src, alt: "", loading: "lazy", decoding: "async" });
  const style = `background:${memberColour(app, product.member)}`;
  return h("span.pic.initials", { style }, initials(nameOf(product)));
}

function quantityIn(app, productId) {
  return app.cart.filter((l) => l.product === productId).reduce((sum, l) => sum + l.quantity, 0);
}

export function addToCart(app, product, delta = 1) {
  const line = app.cart.find((l) => l.product === product.id);
  if (line) line.quantity += delta;
  else if (delta > 0) app.cart.push({ product: product.id, quantity: delta, price: app.price(product) });
  app.cart = app.cart.filter((l) => l.quantity > 0);
}

/** Show each product's count in the cart on its tile; only the tiles whose count may have changed are touched. */
function updateCounters(app, productIds = null) {
  const grid = app.grid;
  const ids = productIds || new Set([...grid.counted, ...app.cart.map((l) => l.product)]);
  for (const id of ids) {
    const tile = grid.tiles.get(id);
    if (!tile) continue;
    const n = quantityIn(app, id);
    const badge = tile.lastChild;
    badge.hidden = !n;
    badge.textContent = String(n);
    tile.classList.toggle("in-cart", n > 0);
    if (n) grid.counted.add(id);
    else grid.counted.delete(id);
  }
  renderCartBar(app);
}

/** The bottom bar: how many articles, the total, and the pay button. Always visible while selling. */
export function renderCartBar(app) {
  const footer = document.getElementById("footer");
  const count = app.cart.reduce((sum, l) => sum + l.quantity, 0);
  footer.hidden = false;
  mount(
    footer,
    h("button.cartbar", { type: "button", onclick: () => openCart(app), "aria-label": t("cart"), disabled: !count },
      icon("cart"), h("span.count", {}, number(count)), h("span.total", {}, money(linesTotal(app.cart)))),
    h("button.big.primary.pay", { type: "button", disabled: !count, onclick: () => app.show("pay") }, t("pay")),
  );
}

/** The grid of products, built once per language and stand filter and kept: coming back to sell after a ticket
 * costs no rebuilding (a fair has hundreds of products). */
function productGrid(app) {
  const key = `${lang()}|${app.memberFilter || ""}`;
  if (app.grid?.key === key) return app.grid;
  const visible = app.catalogue.products.filter((p) => !app.memberFilter || p.member === app.memberFilter);
  const tiles = new Map();
  const element = h("div.grid", { role: "list" }, visible.map((p) => {
    const item = h("button.tile", {
      type: "button",
      role: "listitem",
      "data-product": p.id,
      style: `--member:${memberColour(app, p.member)}`,
      onclick: () => { addToCart(app, p); updateCounters(app, [p.id]); },
    },
    picture(app, p),
    h("span.name", {}, nameOf(p)),
    h("span.price", {}, money(app.price(p))),
    h("span.qty", { hidden: true }, "0"));
    tiles.set(p.id, item);
    return item;
  }));
  app.grid = { key, element, tiles, counted: new Set(), empty: !visible.length };
  return app.grid;
}

export function sellScreen(app) {
  const main = document.getElementById("screen");
  const members = app.catalogue.members;
  const grid = productGrid(app);
  const chips = members.length > 1
    ? h("nav.chips", { "aria-label": t("stands") },
      h("button.chip", {
        type: "button",
        "aria-pressed": String(!app.memberFilter),
        onclick: () => { app.memberFilter = null; app.show("sell"); },
      }, t("all")),
      members.map((m) => h("button.chip", {
        type: "button",
        "aria-pressed": String(app.memberFilter === m.id),
        style: `--member:${memberColour(app, m.id)}`,
        onclick: () => { app.memberFilter = m.id; app.show("sell"); },
      }, m.stand ? h("b", {}, m.stand) : null, " ", nameOf(m))))
    : null;
  mount(main, chips, grid.element, grid.empty ? h("p.empty", {}, t("no_products")) : null);
  updateCounters(app);
}

/** The cart: each line with − and +, its amount, and a way to empty it all. */
export function openCart(app) {
  const sheet = document.getElementById("sheet");
  const render = () => {
    if (!app.cart.length) { closeSheet(); app.show("sell"); return; }
    mount(sheet, h("div.panel", { role: "dialog", "aria-modal": "true", "aria-label": t("cart") },
      h("div.panel-head", {}, h("h2", {}, t("cart")),
        iconButton("close", t("close"), () => { closeSheet(); app.show("sell"); })),
      h("ul.lines", {}, app.cart.map((line) => {
        const product = app.products.get(line.product);
        return h("li.line", {},
          h("span.line-name", {}, nameOf(product)),
          h("span.stepper", {},
            step(line.quantity > 1 ? "minus" : "trash", t("less"), () => { addToCart(app, product, -1); render(); }),
            h("span.step-qty", {}, number(line.quantity)),
            step("plus", t("more"), () => { addToCart(app, product, 1); render(); })),
          h("span.line-amount", {}, money(line.quantity * line.price)));
      })),
      h("div.sum", {}, h("span", {}, t("total")),
        h("strong.big-amount", {}, money(linesTotal(app.cart), { currency: true }))),
      h("div.actions", {},
        h("button.big.ghost", { type: "button", onclick: () => { app.cart = []; closeSheet(); app.show("sell"); } },
          icon("trash"), t("empty_cart")),
        h("button.big.primary", { type: "button", onclick: () => { closeSheet(); app.show("pay"); } }, t("pay")))));
    sheet.hidden = false;
  };
  render();
}

/** A − or + button of a quantity stepper. */
export function step(name, label, onclick) {
  return h("button.step", { type: "button", "aria-label": label, onclick }, icon(name));
}

export function closeSheet() {
  const sheet = document.getElementById("sheet");
  sheet.hidden = true;
  sheet.replaceChildren();
}
