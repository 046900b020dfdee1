// Invoicing pages: the customer searched as typed (every page with a party field), the draft form's live totals
// (per line, per VAT rate, per document) and keys, and the payment form's pro rata button.
// Money is never a binary float here: quantities, prices, discounts and rates are read as exact integers (BigInt)
// and rounded once per line, half-up, like invoices/totals.py: net = quantity × price × (1 − discount) to the
// centime, VAT = net × rate to the centime; the totals are sums of rounded lines. Amounts keep the grammar of
// static/js/amounts.js (gie_erp/core/amounts.py), a unit price may carry 4 decimals.
import { parseAmount, showCentimes } from "./amounts.js";

const MAX_CENTIMES = 99999999999n; // 999 999 999,99: gie_erp.core.money.MAX_AMOUNT

// --- numbers ------------------------------------------------------------------------------------------------
function plain(text) {
  let body = String(text || "").trim().replace(/[\u00a0\u202f\u2009]/g, " ");
  if (/^\d{1,3}( \d{3})+([.,]\d+)?$/.test(body)) body = body.replace(/ /g, "");
  return body;
}

// quantity in thousandths: "2", "2,5", "1.250" (no thousands mark), 3 decimals at most, at least 0,001
export function parseQuantity(text) {
  const body = plain(text);
  const match = /^(\d{1,9})(?:[.,](\d{1,3}))?$/.exec(body);
  if (!match) return { error: "quantity" };
  const value = BigInt(match[1]) * 1000n + BigInt((match[2] || "").padEnd(3, "0") || "0");
  if (value < 1n) return { error: "quantity" };
  return { value };
}

// unit price in ten-thousandths of a dirham: the amount grammar, or up to 4 decimals written plainly (10,1250)
export function parsePrice(text) {
  const parsed = parseAmount(text);
  if (!parsed.error) return { value: BigInt(parsed.centimes) * 100n };
  if (parsed.error === "amount_decimals") {
    const match = /^\+?(\d{1,9})[.,](\d{3,4})$/.exec(plain(text));
    if (match) return { value: BigInt(match[1]) * 10000n + BigInt(match[2].padEnd(4, "0")) };
  }
  return parsed;
}

// discount typed in percent (0 to 100, 2 decimals), as the fraction in ten-thousandths (12,5 % → 1250)
export function parsePercent(text) {
  const body = plain(text).replace(/%$/, "").trim();
  if (!body) return { value: 0n };
  const match = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(body);
  if (!match) return { error: "percent" };
  const value = BigInt(match[1]) * 100n + BigInt((match[2] || "").padEnd(2, "0") || "0");
  if (value > 10000n) return { error: "percent" };
  return { value };
}

// "0.2000" → 2000n (ten-thousandths)
function rateValue(text) {
  const [units, decimals = ""] = String(text).split(".");
  return BigInt(units) * 10000n + BigInt(decimals.padEnd(4, "0").slice(0, 4));
}

function halfUp(numerator, denominator) {
  return (numerator + denominator / 2n) / denominator; // non-negative only: every input here is
}

// net and VAT of a line in centimes: quantity (1e-3) × price (1e-4) × (1 − discount) (1e-4) = 1e-11 MAD
export function lineCentimes(quantity, price, discount, rate) {
  const net = halfUp(quantity * price * (10000n - discount), 1000000000n);
  const vat = halfUp(net * rate, 10000n);
  return { net, vat };
}

function show(centimes) {
  return centimes > BigInt(Number.MAX_SAFE_INTEGER) ? String(centimes) : showCentimes(Number(centimes));
}

function typed(centimes) {
  // an amount as a person types it back: 1234,56
  return `${centimes / 100n},${String(centimes % 100n).padStart(2, "0")}`;
}

// --- the party search list ------------------------------------------------------------------------------------
function partySearch(input, url, onKnown) {
  const datalist = document.getElementById(input.getAttribute("list"));
  if (!datalist || !url) return;
  const known = new Map();
  let timer = null, last = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    if (onKnown) onKnown(known.get(input.value.trim()));
    timer = setTimeout(async () => {
      const query = input.value.trim();
      if (query === last || query.length < 1) return;
      last = query;
      const response = await fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } });
      if (!response.ok || query !== input.value.trim()) return;
      const { results } = await response.json();
      datalist.replaceChildren(...results.map((party) => {
        known.set(party.code, party);
        const option = document.createElement("option");
        option.value = party.code;
        option.label = party.name + (party.ice ? " · ICE " + party.ice : "");
        option.textContent = option.label;
        return option;
      }));
      if (onKnown) onKnown(known.get(input.value.trim()));
    }, 150);
  });
}

document.querySelectorAll("[data-party-search]").forEach((element) => {
  const url = element.dataset.partySearch;
  if (element.matches("input")) partySearch(element, url, null);
});

// --- the draft form ------------------------------------------------------------------------------------------
const form = document.getElementById("document-form");
const data = document.getElementById("invoice-form-data");
if (form && data) {
  const settings = JSON.parse(data.textContent);
  const text = settings.messages;
  const say = (key, values = {}) => (text[key] || key).replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
  const body = form.querySelector("#lines tbody");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  const issuer = form.querySelector("[name='issuer']");
  const issuedOn = form.querySelector("[name='issued_on']");
  const why = form.querySelector("#form-why");
  const exempt = new Set(settings.exempt.map(String));

  const customer = form.querySelector("[name='customer']");
  const customerName = form.querySelector("#customer-name");
  if (customer) {
    partySearch(customer, form.dataset.partySearch, (party) => {
      if (!customerName) return;
      if (party) customerName.textContent = party.name + (party.ice ? " · ICE " + party.ice : "");
    });
  }

  function rateOn(code, day) {
    const versions = settings.rates.filter((r) => r.code === code);
    const valid = versions.filter((r) => (!day || r.from <= day) && (!day || !r.to || r.to >= day));
    return valid.length ? valid[valid.length - 1] : null;
  }

  function allowed(code) {
    if (issuer && exempt.has(issuer.value)) return code === settings.exempt_code && rateOn(code, issuedOn.value);
    return Boolean(rateOn(code, issuedOn && issuedOn.value));
  }

  // a change of issuer between exempt and VAT-registered changes every line's rate to that issuer's default; one
  // between the GIE (services) and a cooperative (products) changes every line's nature to that issuer's default
  const kinds = settings.kinds || {};
  let wasExempt = issuer ? exempt.has(issuer.value) : false;
  let wasKind = issuer ? kinds[issuer.value] : undefined;
  function issuerChanged() {
    const isExempt = exempt.has(issuer.value);
    if (isExempt !== wasExempt) {
      const code = isExempt ? settings.exempt_code : settings.standard_code;
      body.querySelectorAll("select.line-vat_code").forEach((select) => { select.value = code; });
    }
    wasExempt = isExempt;
    const kind = kinds[issuer.value];
    if (kind && wasKind && kind !== wasKind) {
      body.querySelectorAll("select.line-kind").forEach((select) => { select.value = kind; });
    }
    wasKind = kind || wasKind;
  }

  // only the rates in force on the date (an exempt issuer: the art. 91 exemption only)
  function limitRates() {
    body.querySelectorAll("select.line-vat_code").forEach((select) => {
      for (const option of select.options) {
        const ok = allowed(option.value);
        option.disabled = !ok;
        option.hidden = !ok;
      }
      if (select.selectedOptions.length && !select.selectedOptions[0].disabled) return;
      const preferred = issuer && exempt.has(issuer.value) ? settings.exempt_code : settings.standard_code;
      const first = [...select.options].find((o) => o.value === preferred && !o.disabled) ||
        [...select.options].find((o) => !o.disabled);
      if (first) select.value = first.value;
    });
  }

  function recompute() {
    let problem = "", lineNo = 0, net = 0n, vat = 0n;
    const byRate = new Map();
    body.querySelectorAll("tr.line").forEach((row) => {
      lineNo += 1;
      const cell = (name) => row.querySelector(".line-" + name);
      const outputs = ["net", "vat", "gross"].map((name) => row.querySelector("output.line-" + name));
      outputs.forEach((o) => { o.textContent = ""; });
      const quantityText = cell("quantity").value.trim(), priceText = cell("unit_price").value.trim();
      const empty = !quantityText && !priceText && !cell("description").value.trim();
      if (empty) { // a blank line is skipped, here as on the server
        row.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
        return;
      }
      const parsed = {
        quantity: quantityText ? parseQuantity(quantityText) : { error: "quantity" },
        unit_price: priceText ? parsePrice(priceText) : { error: "amount_not_a_number" },
        discount: parsePercent(cell("discount").value),
      };
      let bad = false;
      for (const [name, result] of Object.entries(parsed)) {
        const input = cell(name);
        if (result.error) {
          input.setAttribute("aria-invalid", "true");
          bad = true;
          if (!problem) problem = say("line", { line: lineNo }) + " " + say(result.error, { value: input.value.trim(), plain: result.plain });
        } else input.removeAttribute("aria-invalid");
      }
      const code = cell("vat_code").value;
      const rate = rateOn(code, issuedOn.value);
      if (bad || !rate) return;
      const amounts = lineCentimes(parsed.quantity.value, parsed.unit_price.value, parsed.discount.value, rateValue(rate.rate));
      if (amounts.net + amounts.vat > MAX_CENTIMES && !problem) problem = say("line", { line: lineNo }) + " " + text.too_large;
      outputs[0].textContent = show(amounts.net);
      outputs[1].textContent = show(amounts.vat);
      outputs[2].textContent = show(amounts.net + amounts.vat);
      net += amounts.net;
      vat += amounts.vat;
      const label = cell("vat_code").selectedOptions[0]?.textContent || code;
      const seen = byRate.get(code) || { label, net: 0n, vat: 0n };
      byRate.set(code, { label, net: seen.net + amounts.net, vat: seen.vat + amounts.vat });
    });
    if (!problem && net + vat > MAX_CENTIMES) problem = text.too_large;
    form.querySelector("#total-net").textContent = show(net);
    form.querySelector("#total-vat").textContent = show(vat);
    form.querySelector("#total-gross").textContent = show(net + vat);
    const summary = form.querySelector("#vat-summary tbody");
    summary.replaceChildren(...[...byRate.values()].map((rate) => {
      const tr = document.createElement("tr");
      for (const [value, numeric] of [[rate.label, false], [show(rate.net), true], [show(rate.vat), true]]) {
        const td = document.createElement("td");
        if (numeric) { td.className = "num"; td.dir = "ltr"; }
        td.textContent = value;
        tr.append(td);
      }
      return tr;
    }));
    why.textContent = problem;
  }

  function addLine() {
    const index = parseInt(total.value, 10);
    const html = document.getElementById("line-template").innerHTML.replaceAll("__prefix__", String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    const previous = row.previousElementSibling;
    if (previous) { // a new line takes the nature and rate of the one before: typing goes on at the same pace
      row.querySelector(".line-kind").value = previous.querySelector(".line-kind").value;
      row.querySelector(".line-vat_code").value = previous.querySelector(".line-vat_code").value;
    }
    limitRates();
    const first = row.querySelector(".line-description");
    first.focus();
    return first;
  }

  form.querySelector("#add-line").addEventListener("click", addLine);
  form.addEventListener("input", recompute);
  form.addEventListener("change", (event) => {
    if (event.target === issuer) issuerChanged();
    if (event.target === issuer || event.target === issuedOn) limitRates();
    recompute();
  });
  form.addEventListener("keydown", (event) => {
    if (event.altKey && (event.code === "KeyN" || event.key === "n" || event.key === "N")) {
      event.preventDefault();
      addLine();
      return;
    }
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      form.requestSubmit(form.querySelector("#save"));
      return;
    }
    const target = event.target;
    if (event.key !== "Enter" || target.matches("button, textarea, [type=submit]")) return;
    event.preventDefault(); // Enter never sends a half-typed invoice: Ctrl+S or the button does
    const row = target.closest("tr.line");
    if (!row) return;
    if (row === body.lastElementChild) { addLine(); return; }
    const column = [...row.querySelectorAll("input, select")].indexOf(target);
    const next = row.nextElementSibling.querySelectorAll("input, select")[column];
    if (next) next.focus();
  });
  limitRates();
  recompute();
}

// --- the payment form: allocations pro rata of what each invoice still owes (largest remainder, like the server)
const payment = document.getElementById("payment-form");
if (payment) {
  const amountInput = payment.querySelector("[name='amount']");
  const rows = [...payment.querySelectorAll("tr.open-document")];
  const status = payment.querySelector("#allocation-status");

  function allocatedNow() {
    let sum = 0n;
    for (const row of rows) {
      const parsed = parseAmount(row.querySelector("input").value);
      if (row.querySelector("input").value.trim() && !parsed.error) sum += BigInt(parsed.centimes);
    }
    return sum;
  }

  function typedAmount() {
    const parsed = parseAmount(amountInput.value);
    return parsed.error || !amountInput.value.trim() ? 0n : BigInt(parsed.centimes);
  }

  function describe() {
    if (!status) return;
    const amount = typedAmount();
    const allocated = allocatedNow();
    const over = allocated > amount && status.dataset.over;
    status.classList.toggle("bad", Boolean(over));
    status.textContent = (over ? status.dataset.over : status.dataset.template)
      .replace("%(allocated)s", show(allocated))
      .replace("%(amount)s", show(amount))
      .replace("%(left)s", show(amount > allocated ? amount - allocated : 0n));
  }

  // an allocation the page filled in (the invoice the payment was opened from) follows the amount, at most what
  // that invoice owes, until the person types in it: lowering the amount for a part payment needs no second edit
  const following = new Set(rows.map((row) => row.querySelector("input"))
    .filter((input) => input.value.trim() && input.value.trim() === amountInput.value.trim()));
  following.forEach((input) => input.addEventListener("input", () => following.delete(input), { once: true }));
  amountInput.addEventListener("input", () => {
    const amount = typedAmount();
    following.forEach((input) => {
      const left = BigInt(input.closest("tr.open-document").dataset.left);
      const share = amount < left ? amount : left;
      input.value = share ? typed(share) : "";
    });
  });

  const button = payment.querySelector("#pro-rata");
  if (button) {
    button.addEventListener("click", () => {
      const parsed = parseAmount(amountInput.value);
      if (parsed.error || !parsed.centimes) { amountInput.focus(); return; }
      const owed = rows.map((row) => ({ row, id: BigInt(row.dataset.id), left: BigInt(row.dataset.left) }));
      const sum = owed.reduce((acc, o) => acc + o.left, 0n);
      if (!sum) return;
      const target = BigInt(parsed.centimes) < sum ? BigInt(parsed.centimes) : sum;
      let given = 0n;
      for (const o of owed) { o.share = (target * o.left) / sum; o.rest = (target * o.left) % sum; given += o.share; }
      const order = [...owed].sort((a, b) => (b.rest > a.rest ? 1 : b.rest < a.rest ? -1 : a.id < b.id ? -1 : 1));
      for (let i = 0n; i < target - given; i += 1n) order[Number(i)].share += 1n;
      for (const o of owed) o.row.querySelector("input").value = o.share ? typed(o.share) : "";
      describe();
    });
  }
  payment.addEventListener("input", describe);
  describe();
}
