// Small DOM helpers shared by the screens: element building, the UI strings, amounts with Western digits kept
// left-to-right inside Arabic text, and the pictograms that stand in for words.
import { showCentimes } from "../../js/amounts.js";

let strings = {};
let language = "fr";

export function setLanguage(all, code) {
  language = code === "ar" ? "ar" : "fr";
  strings = all[language] || {};
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
}

export const lang = () => language;

/** The UI string `key` in the current language, with {name} placeholders filled. */
export function t(key, values = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

/** h("button#id.big.primary", {onclick}, child…): an element with an id, classes, attributes or properties, and
 * children. */
export function h(spec, attrs = {}, ...children) {
  const [head, ...classes] = spec.split(".");
  const [tag, id] = head.split("#");
  const el = document.createElement(tag || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "html") el.innerHTML = value;
    else if (key in el && key !== "list" && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** An amount in big Western digits, isolated so that Arabic text around it never reorders it: "1 250,50". */
export function money(centimes, { currency = false, signed = false } = {}) {
  let text = showCentimes(Math.abs(centimes));
  if (centimes < 0) text = `-${text}`;
  else if (signed && centimes > 0) text = `+${text}`;
  const digits = h("bdi.amount", { dir: "ltr" }, text);
  // the currency follows the number in reading order: to its right in French, to its left in Arabic
  return currency ? h("span.money", {}, digits, " ", h("small.currency", {}, t("currency"))) : digits;
}

export function number(n) {
  return h("bdi.num", { dir: "ltr" }, String(n));
}

const SVG = (body, view = "0 0 24 24") =>
  `<svg viewBox="${view}" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" ` +
  `stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

export const ICONS = {
  cash: SVG('<rect x="2" y="6" width="20" height="12" rx="2"/><circle cx="12" cy="12" r="3"/>' +
    '<path d="M6 9v.01M18 15v.01"/>'),
  card: SVG('<rect x="2" y="5" width="20" height="14" rx="2"/><path d="M2 10h20M6 15h4"/>'),
  mobile: SVG('<rect x="6" y="2" width="12" height="20" rx="2"/><path d="M11 18h2"/>'),
  cheque: SVG('<path d="M3 7h18v10H3z"/><path d="M6 14c2-3 3 1 5-2M14 14h4"/>'),
  cart: SVG('<circle cx="9" cy="20" r="1.5"/><circle cx="18" cy="20" r="1.5"/><path d="M2 3h3l3 12h11l2-8H6.5"/>'),
  menu: SVG('<path d="M4 6h16M4 12h16M4 18h16"/>'),
  cloud: SVG('<path d="M7 18a5 5 0 1 1 1-9.9A6 6 0 0 1 19.5 11 3.5 3.5 0 0 1 18 18z"/>'),
  cloudOff: SVG('<path d="M7 18a5 5 0 1 1 1-9.9A6 6 0 0 1 19.5 11 3.5 3.5 0 0 1 18 18z"/><path d="M3 3l18 18"/>'),
  up: SVG('<path d="M12 19V7M6 12l6-6 6 6"/>'),
  check: SVG('<path d="M4 12l5 5L20 6"/>'),
  clock: SVG('<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>'),
  alert: SVG('<path d="M12 3l10 18H2z"/><path d="M12 10v4M12 17v.01"/>'),
  back: SVG('<path d="M15 5l-7 7 7 7"/>'),
  close: SVG('<path d="M6 6l12 12M18 6L6 18"/>'),
  print: SVG('<path d="M6 9V3h12v6M6 17H4v-6h16v6h-2"/><rect x="6" y="14" width="12" height="7"/>'),
  list: SVG('<path d="M9 6h11M9 12h11M9 18h11M4 6v.01M4 12v.01M4 18v.01"/>'),
  lock: SVG('<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>'),
  refund: SVG('<path d="M9 14L4 9l5-5"/><path d="M4 9h11a5 5 0 0 1 0 10h-3"/>'),
  download: SVG('<path d="M12 3v12M6 10l6 6 6-6M4 21h16"/>'),
  plus: SVG('<path d="M12 5v14M5 12h14"/>'),
  minus: SVG('<path d="M5 12h14"/>'),
  trash: SVG('<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13"/>'),
  globe: SVG('<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18"/>'),
  home: SVG('<path d="M3 11l9-8 9 8M5 10v10h14V10"/>'),
  keypadBack: SVG('<path d="M21 5H9l-6 7 6 7h12z"/><path d="M17 9l-6 6M11 9l6 6"/>'),
};

/** A square button showing only a pictogram; `label` is read out by screen readers. */
export function iconButton(name, label, onclick) {
  return h("button.icon-button", { type: "button", "aria-label": label, onclick }, icon(name));
}

/** The change to hand back, in very big digits. */
export function changeBox(centimes, cls = "") {
  return h(`div.change${cls}`, { role: "status" }, h("span", {}, t("change")),
    h("strong", {}, money(centimes, { currency: true })));
}

export function icon(name, cls = "icon") {
  return h(`span.${cls.split(" ").join(".")}`, { html: ICONS[name] || "", "data-icon": name });
}

/** Replace the children of `parent`; a new screen starts at the top of the page. */
export function mount(parent, ...children) {
  parent.replaceChildren(...children.flat(Infinity).filter(Boolean));
  if (parent.id === "screen") window.scrollTo(0, 0);
}

/** A product's name in the current language. */
export function nameOf(item) {
  if (!item) return "";
  return (language === "ar" && item.name_ar) || item.name_fr || item.name_ar || "";
}

/** A short on-screen message that goes away by itself. */
export function toast(text, kind = "info") {
  const box = document.getElementById("toast");
  if (!box) return;
  box.className = `toast ${kind}`;
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3500);
}
