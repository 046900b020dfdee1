// The till's arithmetic, pure (no DOM, no storage): money in integer centimes, the ticket payload of the sync
// contract, cash change, a shift's totals, the VAT inside a price, quantities by weight (exact, in thousandths). The
// same rules as sales/maths.py.
export const METHODS = ["cash", "card", "mobile", "cheque"];

/** A random (version 4) UUID: the ticket's identity, chosen on the phone so that it can be sent again safely. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // older phones' browsers
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** "80.00" → 8000; "-12.5" → -1250. Exact: never through a float. */
export function toCentimes(text) {
  const match = /^(-?)(\d+)(?:[.,](\d{1,2}))?$/.exec(String(text).trim());
  if (!match) throw new RangeError(`not an amount: ${text}`);
  const value = parseInt(match[2], 10) * 100 + parseInt(((match[3] || "") + "00").slice(0, 2), 10);
  return match[1] ? -value : value;
}

/** 8000 → "80.00"; -1250 → "-12.50" (the contract's spelling). */
export function fromCentimes(c) {
  const abs = Math.abs(c);
  return `${c < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Integer division rounded half away from zero, like Decimal's ROUND_HALF_UP. */
function divHalfUp(n, d) {
  const sign = (n < 0n) !== (d < 0n) ? -1n : 1n;
  const a = n < 0n ? -n : n, b = d < 0n ? -d : d;
  return sign * ((2n * a + b) / (2n * b));
}

/** The VAT inside an amount TTC at a rate such as "0.2000": TTC − round(TTC / (1 + rate)), signed. */
export function vatInside(amount, rate) {
  const bp = Math.round(Number(rate || 0) * 10000); // basis points: "0.2000" → 2000, exact for 4 places
  if (!bp) return 0;
  return amount - Number(divHalfUp(BigInt(amount) * 10000n, BigInt(10000 + bp)));
}

/** Units sold by weight or volume: their quantity is typed (3 decimals at most, e.g. 0,750 kg); the others count
 * whole pieces. */
export const WEIGHED_UNITS = new Set(["kg", "l"]);
export const isWeighed = (product) => WEIGHED_UNITS.has(product?.unit);

/** A quantity in thousandths, exact: 0.75 → 750, -1 → -1000 (quantities carry 3 decimals at most). */
export const toMilli = (quantity) => Math.round(Number(quantity) * 1000);
export const fromMilli = (milli) => milli / 1000;

/** A quantity as the sync contract spells it: "1", "0.75", "-2.5". */
export function quantityText(quantity) {
  const milli = toMilli(quantity), abs = Math.abs(milli);
  const decimals = String(abs % 1000).padStart(3, "0").replace(/0+$/, "");
  return `${milli < 0 ? "-" : ""}${Math.floor(abs / 1000)}${decimals ? `.${decimals}` : ""}`;
}

/** Quantity × unit price in centimes, rounded half-up (away from zero) to the centime: sales.maths.line_amount. */
export function lineAmount(line) {
  return Number(divHalfUp(BigInt(toMilli(line.quantity)) * BigInt(line.price), 1000n));
}

export const linesTotal = (lines) => lines.reduce((sum, line) => sum + lineAmount(line), 0);
export const paid = (payments) => payments.reduce((sum, p) => sum + p.amount, 0);

/** A cash payment of what the customer hands over: the part applied to the ticket and the change. */
export function cashPayment(remaining, tendered) {
  const amount = Math.min(tendered, remaining);
  return { method: "cash", amount, tendered, change: tendered - amount };
}

/** Banknote amounts a customer is likely to hand over for `total` (at most `count`, above the total). */
export function quickCash(total, count = 4) {
  const found = new Set();
  for (const step of [1000, 2000, 5000, 10000, 20000, 50000]) {
    const next = Math.ceil(total / step) * step;
    if (next > total) found.add(next);
  }
  return [...found].sort((a, b) => a - b).slice(0, count);
}

function pad(n, width = 2) {
  return String(n).padStart(width, "0");
}

/** ISO 8601 with the phone's offset: "2026-11-21T11:00:00.000+01:00". */
export function isoLocal(date) {
  const offset = -date.getTimezoneOffset(), sign = offset >= 0 ? "+" : "-", abs = Math.abs(offset);
  return `${localDay(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.` +
    `${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function localDay(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function clock(iso) {
  return iso.slice(11, 16);
}

/** The ticket as the sync API takes it. `lines`: [{product, quantity, price}], `payments`: [{method, amount,
 * tendered?}] in centimes; a refund has negative quantities and amounts and names the original. */
export function ticketPayload({ id, event, sequence, shift, soldAt, refundOf = null, lines, payments }) {
  return {
    id,
    event,
    sequence,
    shift,
    sold_at: soldAt,
    refund_of: refundOf,
    lines: lines.map((l) => ({
      product: l.product, quantity: quantityText(l.quantity), unit_price: fromCentimes(l.price),
    })),
    payments: payments.map((p) => {
      const out = { method: p.method, amount: fromCentimes(p.amount) };
      if (p.method === "cash" && p.tendered !== undefined && p.tendered !== null && p.amount > 0) {
        out.tendered = fromCentimes(p.tendered);
      }
      return out;
    }),
  };
}

/** What a payment list lacks before it pays `total`; refuses a list that pays more, or a sign mismatch. */
export function remainingToPay(total, payments) {
  const left = total - paid(payments);
  if ((total >= 0 && left < 0) || (total < 0 && left > 0)) throw new RangeError("payments exceed the total");
  return left;
}

/** A shift's device totals per method (centimes) and ticket count, from its ticket records. */
export function shiftTotals(records) {
  const totals = Object.fromEntries(METHODS.map((m) => [m, 0]));
  for (const record of records) {
    for (const p of record.payload.payments) totals[p.method] += toCentimes(p.amount);
  }
  return { totals, count: records.length };
}

/** What is left to refund of each line of `original`, given the refund records already made for it. */
export function refundable(original, refunds) {
  const left = original.payload.lines.map((l) => ({
    product: l.product,
    price: toCentimes(l.unit_price),
    milli: toMilli(l.quantity),
  }));
  for (const refund of refunds) {
    for (const l of refund.payload.lines) {
      const line = left.find((x) => x.product === l.product && x.milli > 0);
      if (line) line.milli = Math.max(0, line.milli + toMilli(l.quantity));
    }
  }
  return left.map(({ milli, ...l }) => ({ ...l, quantity: fromMilli(milli) }));
}

/** VAT contained in a ticket, per rate: [{rate, vat}] for the rates that carry VAT. */
export function vatByRate(lines, rateOf) {
  const by = new Map();
  for (const line of lines) {
    const rate = rateOf(line.product) || "0";
    if (!Number(rate)) continue;
    by.set(rate, (by.get(rate) || 0) + vatInside(lineAmount(line), rate));
  }
  return [...by.entries()].map(([rate, vat]) => ({ rate, vat }));
}
