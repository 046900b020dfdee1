// Selling: the product grid (pictures, big prices), grouped under each member's stand (a big stand number in the
// member's colour, on every tile too, so that two members' look-alike products never mix), a filter per stand, the
// scan field, the cart bar always at the bottom and the cart sheet. A tap on a product sold by the piece adds one;
// a product sold by weight or volume asks its quantity (screens_weigh.js). The grid is drawn once and only its
// counters change afterwards.
import {
  h, icon, iconButton, lang, money, mount, nameEl, nameLang, nameOf, number, quantityText, t, timesText, toast,
} from "./dom.js";
import { scanField } from "./scan.js";
import { weighSheet } from "./screens_weigh.js";
import { fromMilli, isWeighed, lineAmount, linesTotal, toMilli } from "./ticket.js";

// strong colours, white text readable on each, far apart from each other; repeated past 12 (the stand number then
// tells members apart)
const COLOURS = ["#0b6e4f", "#b5522b", "#2f5d9e", "#8a5a00", "#7a3d8f", "#2b7a78", "#a23b5c", "#4b6b1f",
  "#1f4e79", "#9c2f2f", "#5a4b9c", "#6b5b00"];

export function memberColour(app, memberId) {
  const index = app.catalogue.members.findIndex((m) => m.id === memberId);
  return COLOURS[(index < 0 ? 0 : index) % COLOURS.length];
}

/** The member's stand ("A1"), or the first letters of its name when it has none. */
export function standOf(member) {
  if (!member) return "?";
  return member.stand || initials(nameOf(member));
}

/** The member's badge: its stand in big letters, white on the member's colour. */
export function standBadge(app, memberId, cls = "") {
  const member = app.members.get(memberId);
  return h(`bdi.stand${cls}`, {
    dir: "ltr",
    style: `--member:${memberColour(app, memberId)}`,
    title: nameOf(member),
  }, standOf(member));
}

/** The member's badge and name on one line (ticket lines, receipt, cart). */
export function memberTag(app, memberId) {
  const member = app.members.get(memberId);
  if (!member) return null;
  return h("span.member-tag", {}, standBadge(app, memberId, ".small"), " ", nameEl(member));
}

function initials(text) {
  const word = String(text).trim().split(/\s+/)[0] || "?";
  return word.slice(0, 2);
}

export function picture(app, product, cls = "") {
  const src = product.photo || product.pictogram;
  if (src) return h(`img.pic${cls}`, { src, alt: "", loading: "lazy", decoding: "async" });
  const style = `background:${memberColour(app, product.member)}`;
  return h(`span.pic.initials${cls}`, { style }, initials(nameOf(product)));
}

function quantityIn(app, productId) {
  return app.cart.filter((l) => l.product === productId).reduce((sum, l) => sum + toMilli(l.quantity), 0);
}

/** Add `delta` pieces of a product (−1 takes one off; a line at zero goes). */
export function addToCart(app, product, delta = 1) {
  const line = app.cart.find((l) => l.product === product.id);
  if (line) line.quantity += delta;
  else if (delta > 0) app.cart.push({ product: product.id, quantity: delta, price: app.price(product) });
  app.cart = app.cart.filter((l) => l.quantity > 0);
  app.keepCart();
}

/** Add a weighed quantity (exact, in thousandths) to the product's line, or set it (`replace`). */
export function addWeighed(app, product, quantity, replace = false) {
  const line = app.cart.find((l) => l.product === product.id);
  if (line) line.quantity = fromMilli((replace ? 0 : toMilli(line.quantity)) + toMilli(quantity));
  else if (quantity > 0) app.cart.push({ product: product.id, quantity, price: app.price(product) });
  app.cart = app.cart.filter((l) => toMilli(l.quantity) > 0);
  app.keepCart();
}

export function removeLine(app, productId) {
  app.cart = app.cart.filter((l) => l.product !== productId);
  app.keepCart();
}

/** What a tap (or a scan) on a product does: one more piece, or the quantity keypad for a weighed product. */
export function takeProduct(app, product) {
  if (isWeighed(product)) {
    weighSheet(app, product, {
      onOk: (quantity) => { addWeighed(app, product, quantity); afterChange(app, product.id); },
    });
    return;
  }
  addToCart(app, product);
  afterChange(app, product.id);
}

function afterChange(app, productId) {
  if (app.screen === "sell" && app.grid) updateCounters(app, [productId]);
  else renderCartBar(app);
}

/** Show each product's count in the cart on its tile; only the tiles whose count may have changed are touched. */
function updateCounters(app, productIds = null) {
  const grid = app.grid;
  const ids = productIds || new Set([...grid.counted, ...app.cart.map((l) => l.product)]);
  for (const id of ids) {
    const tile = grid.tiles.get(id);
    if (!tile) continue;
    const milli = quantityIn(app, id);
    const badge = tile.querySelector(".qty");
    badge.hidden = !milli;
    badge.textContent = quantityText(fromMilli(milli), app.products.get(id)?.unit, false);
    tile.classList.toggle("in-cart", milli > 0);
    if (milli) grid.counted.add(id);
    else grid.counted.delete(id);
  }
  renderCartBar(app);
}

/** Articles in the cart: pieces counted one by one, a weighed line as one article. */
export function articles(cart, products) {
  return cart.reduce((sum, l) => sum + (isWeighed(products.get(l.product)) ? 1 : l.quantity), 0);
}

/** The bottom bar: how many articles, the total, and the pay button. Always visible while selling. */
export function renderCartBar(app) {
  const footer = document.getElementById("footer");
  const count = articles(app.cart, app.products);
  footer.hidden = false;
  mount(
    footer,
    h("button.cartbar", { type: "button", onclick: () => openCart(app), "aria-label": t("cart"), disabled: !count },
      icon("cart"), h("span.count", {}, number(count)), h("span.total", {}, money(linesTotal(app.cart)))),
    h("button.big.primary.pay", { type: "button", disabled: !count, onclick: () => app.show("pay") }, t("pay")),
  );
}

function productTile(app, p) {
  const name = nameOf(p);
  const member = app.members.get(p.member);
  const label = `${name} · ${nameOf(member)}${member?.stand ? ` (${member.stand})` : ""}`;
  return h("button.tile", {
    type: "button",
    role: "listitem",
    "data-product": p.id,
    "data-member": p.member,
    "data-unit": p.unit || "piece",
    title: label, // the full name, however long; a long press shows it too
    "aria-label": label,
    style: `--member:${memberColour(app, p.member)}`,
    onclick: () => takeProduct(app, p),
    oncontextmenu: (event) => { event.preventDefault(); toast(label); },
  },
  picture(app, p),
  standBadge(app, p.member, ".on-tile"),
  // the block takes the name's direction too: its lines, and the ellipsis of a name cut at two lines, fall on the
  // name's own side (a French name in the Arabic till: left to right, cut on the right)
  h("span.name", { dir: nameLang(p).dir }, nameEl(p)),
  h("span.price", {}, money(app.price(p)), isWeighed(p) ? h("bdi.per-unit", {}, ` /${t(`unit_${p.unit}`)}`) : null),
  h("span.qty", { hidden: true }, "0"));
}

/** The grid of products, built once per language and stand filter and kept: coming back to sell after a ticket
 * costs no rebuilding (a fair has hundreds of products). With every stand shown, the products come grouped under
 * their member's header. */
function productGrid(app) {
  const key = `${lang()}|${app.memberFilter || ""}`;
  if (app.grid?.key === key) return app.grid;
  const tiles = new Map();
  const visible = app.catalogue.products.filter((p) => !app.memberFilter || p.member === app.memberFilter);
  const tileOf = (p) => {
    const tile = productTile(app, p);
    tiles.set(p.id, tile);
    return tile;
  };
  let element;
  if (app.memberFilter || app.catalogue.members.length < 2) {
    element = h("div.grid", { role: "list" }, visible.map(tileOf));
  } else {
    const byMember = new Map(app.catalogue.members.map((m) => [m.id, []]));
    for (const p of visible) (byMember.get(p.member) || byMember.set(p.member, []).get(p.member)).push(p);
    element = h("div.groups", {}, [...byMember].filter(([, products]) => products.length).map(([id, products]) =>
      h("section.member-group", { "data-member": id, style: `--member:${memberColour(app, id)}` },
        h("h2.member-head", {}, standBadge(app, id), nameEl(app.members.get(id) || { name_fr: "" })),
        h("div.grid", { role: "list" }, products.map(tileOf)))));
  }
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
        "data-member": m.id,
        style: `--member:${memberColour(app, m.id)}`,
        onclick: () => { app.memberFilter = m.id; app.show("sell"); },
      }, standBadge(app, m.id, ".small"), " ", nameEl(m))))
    : null;
  mount(main, scanField(app), chips, grid.element, grid.empty ? h("p.empty", {}, t("no_products")) : null);
  updateCounters(app);
}

/** The cart: each line with its picture and member, − and + (a weighed line: its quantity, tapped to change it),
 * its amount, and a way to empty it all. */
export function openCart(app) {
  const sheet = document.getElementById("sheet");
  const render = () => {
    if (!app.cart.length) { closeSheet(); app.show("sell"); return; }
    mount(sheet, h("div.panel", { role: "dialog", "aria-modal": "true", "aria-label": t("cart") },
      h("div.panel-head", {}, h("h2", {}, t("cart")),
        iconButton("close", t("close"), () => { closeSheet(); app.show("sell"); })),
      h("ul.lines", {}, app.cart.map((line) => {
        const product = app.products.get(line.product);
        const weighed = isWeighed(product);
        const stepper = weighed
          ? h("span.stepper", {},
            step("trash", t("remove"), () => { removeLine(app, product.id); render(); }),
            h("button.step-qty.weighed", {
              type: "button",
              "aria-label": t("quantity"),
              onclick: () => weighSheet(app, product, {
                initial: line.quantity,
                onOk: (quantity) => { addWeighed(app, product, quantity, true); openCart(app); },
                onCancel: () => openCart(app),
              }),
            }, h("bdi", { dir: "ltr" }, quantityText(line.quantity, product.unit))))
          : h("span.stepper", {},
            step(line.quantity > 1 ? "minus" : "trash", t("less"), () => { addToCart(app, product, -1); render(); }),
            h("span.step-qty", {}, number(line.quantity)),
            step("plus", t("more"), () => { addToCart(app, product, 1); render(); }));
        return h("li.line", { "data-product": line.product },
          h("span.line-name", {}, picture(app, product, ".thumb"), h("span.line-text", {}, nameEl(product),
            h("small", {}, memberTag(app, product.member), " · ", timesText(line.quantity, product.unit, line.price)))),
          stepper,
          h("span.line-amount", {}, money(lineAmount(line))));
      })),
      h("div.sum", {}, h("span", {}, t("total")),
        h("strong.big-amount", {}, money(linesTotal(app.cart), { currency: true }))),
      h("div.actions", {},
        h("button.big.ghost", {
          type: "button",
          onclick: () => { app.cart = []; app.keepCart(); closeSheet(); app.show("sell"); },
        }, icon("trash"), t("empty_cart")),
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
  sheet.onclose?.();
  sheet.onclose = null;
}
