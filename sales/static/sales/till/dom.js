// Small DOM helpers shared by the screens: element building, the UI strings, amounts with Western digits kept
// left-to-right inside Arabic text, and the pictograms that stand in for words.
import { showCentimes } from "../../js/amounts.js";

let strings = {};
let plurals = {};
let language = "fr";
export const MINUS = "\u2212"; // a real minus sign: a hyphen reads as a dash, and bidi treats it as a separator

export function setLanguage(all, code, allPlurals = {}) {
  language = code === "ar" ? "ar" : "fr";
  strings = all[language] || {};
  plurals = allPlurals[language] || {};
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
}

export const lang = () => language;

/** The language the phone was last set to: the server's language cookie (set at login, by the portal's language
 * button, or by the till's: rememberLanguage), read here rather than from the page, which may be an older copy the
 * service worker kept; `fallback` (the language the page was made in) without one. */
export function chosenLanguage(cookie, fallback) {
  const found = cookie && document.cookie.split("; ").find((c) => c.startsWith(`${cookie.name}=`));
  if (!found) return fallback;
  return decodeURIComponent(found.slice(cookie.name.length + 1)) === "ar" ? "ar" : "fr";
}

/** Make `code` the phone's language for every page of the site (the same cookie as the portal's language button):
 * the next page, online or kept offline, opens in it. */
export function rememberLanguage(cookie, code) {
  if (!cookie) return;
  const age = cookie.age ? `; max-age=${cookie.age}` : ""; // none: until the browser closes, as Django sets it
  const secure = cookie.secure ? "; Secure" : "";
  const domain = cookie.domain ? `; domain=${cookie.domain}` : "";
  document.cookie = `${cookie.name}=${encodeURIComponent(code)}; path=${cookie.path}${domain}${age}; ` +
    `SameSite=${cookie.samesite}${secure}`;
}

/** A value put into a sentence, isolated (Unicode isolates) so that Arabic text around it never reorders it:
 * numbers left-to-right (LRI … PDI), words by their own first letter (FSI … PDI). */
function isolate(value) {
  if (typeof value === "number") return `\u2066${String(value).replace("-", MINUS)}\u2069`;
  return `\u2068${value}\u2069`;
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? isolate(values[name]) : `{${name}}`));
}

/** The UI string `key` in the current language, with {name} placeholders filled. */
export function t(key, values = {}) {
  return fill(strings[key] ?? key, values);
}

/** The plural category of `n` as the language's catalogue counts (its gettext Plural-Forms): Arabic has six (zero,
 * one, two, few 3–10, many 11–99, other), French two (one for 0 and 1, other). */
export function pluralCategory(n, code = language) {
  if (code === "ar") {
    const r = n % 100;
    if (n === 0) return "zero";
    if (n === 1) return "one";
    if (n === 2) return "two";
    if (r >= 3 && r <= 10) return "few";
    if (r >= 11 && r <= 99) return "many";
    return "other";
  }
  return n > 1 ? "other" : "one";
}

/** The plural UI string `key` for the count `n` ({n} filled, isolated). */
export function tn(key, n, values = {}) {
  const forms = plurals[key] || {};
  const text = forms[pluralCategory(n)] ?? forms.other ?? strings[key] ?? key;
  return fill(text, { ...values, n });
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

/** An amount's text: "1 250,50", "−80,00" (a real minus sign), "+5,00" when `signed`. */
export function moneyText(centimes, signed = false) {
  const text = showCentimes(Math.abs(centimes));
  if (centimes < 0) return `${MINUS}${text}`;
  return signed && centimes > 0 ? `+${text}` : text;
}

/** An amount in big Western digits, isolated so that Arabic text around it never reorders it: "1 250,50". Its
 * length is given to the style sheet (--chars), which shrinks a long amount to fit its box (till.css). */
export function money(centimes, { currency = false, signed = false } = {}) {
  const text = moneyText(centimes, signed);
  // the currency's word takes about three digits' room beside the number
  const digits = h("bdi.amount", { dir: "ltr", style: `--chars:${text.length + (currency ? 3 : 0)}` }, text);
  // the currency follows the number in reading order: to its right in French, to its left in Arabic
  return currency ? h("span.money", {}, digits, " ", h("small.currency", {}, t("currency"))) : digits;
}

export function number(n) {
  return h("bdi.num", { dir: "ltr" }, String(n).replace("-", MINUS));
}

/** A quantity as the seller reads it: whole pieces "2", a weight or volume with its 3 decimals and unit "0,750 kg"
 * (the unit word in the current language). A refund's quantity carries a real minus sign. */
export function quantityText(quantity, unit = null, withUnit = true) {
  const milli = Math.round(Number(quantity) * 1000), abs = Math.abs(milli);
  const sign = milli < 0 ? MINUS : "";
  if (unit !== "kg" && unit !== "l") return `${sign}${Math.round(abs / 1000)}`;
  const digits = `${sign}${Math.floor(abs / 1000)},${String(abs % 1000).padStart(3, "0")}`;
  return withUnit ? `${digits} ${t(`unit_${unit}`)}` : digits;
}

/** "2 × 80,00" or "0,750 kg × 80,00": one left-to-right run, isolated, that Arabic around it never reorders. */
export function timesText(quantity, unit, centimes) {
  return h("bdi.times", { dir: "ltr" }, `${quantityText(quantity, unit)} × ${moneyText(centimes)}`);
}

/** "30/11/2026 18:00" from an ISO moment "2026-11-30T18:00:00.000+01:00" (the phone's local time, as written). */
export function dateTimeText(iso, { date = true } = {}) {
  if (!iso) return "";
  const day = `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  const time = iso.slice(11, 16);
  return date ? `${day} ${time}` : time;
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
  logout: SVG('<path d="M10 4H5v16h5M15 8l4 4-4 4M19 12H9"/>'),
  barcode: SVG('<path d="M4 5v14M7 5v14M10 5v14M14 5v14M17 5v14M20 5v14M12 5v14"/>'),
  camera: SVG('<path d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle cx="12" cy="13" r="3.5"/>'),
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

/** A product's (or member's) name in the current language; the French name when it has no Arabic one. */
export function nameOf(item) {
  if (!item) return "";
  return (language === "ar" && item.name_ar) || item.name_fr || item.name_ar || "";
}

/** The language and direction of the name shown for `item` (nameOf): those of the field it came from, never
 * guessed from its text: a French name that starts with punctuation or digits ("=HYPERLINK(1;2)", "12 pots") has
 * no strong letter first, and dir="auto" would lay it out right to left inside Arabic text. */
export function nameLang(item) {
  const arabic = item && ((language === "ar" && item.name_ar) || (!item.name_fr && item.name_ar));
  return arabic ? { lang: "ar", dir: "rtl" } : { lang: "fr", dir: "ltr" };
}

/** The name as an element, isolated (<bdi>) with its own language and direction (nameLang), so that a French name
 * in the Arabic till (all there is for a product without an Arabic name) reads left to right and never garbles the
 * line around it. */
export function nameEl(item, cls = "") {
  const { lang: code, dir } = nameLang(item);
  return h(`bdi.name-text${cls}`, { dir, lang: code === language ? null : code }, nameOf(item));
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
