// The amount grammar of gie_erp/core/amounts.py, in the browser: the same accepted spellings, the same refusals.
// parseAmount(text) -> {centimes} or {error: code, plain?}; codes are ErrorCode values ("amount_ambiguous"…).
const MAX_CENTIMES = 99999999999; // 999 999 999,99: gie_erp.core.money.MAX_AMOUNT

function groupsOk(groups) {
  return groups.every((g) => /^\d+$/.test(g)) && groups[0].length >= 1 && groups[0].length <= 3 &&
    groups.slice(1).every((g) => g.length === 3);
}

export function parseAmount(text) {
  let body = String(text || "").trim().replace(/[\u00a0\u202f\u2009]/g, " ");
  let negative = false;
  if (body.startsWith("-") || body.startsWith("\u2212")) { negative = true; body = body.slice(1).trimStart(); }
  else if (body.startsWith("+")) body = body.slice(1).trimStart();
  if (/^[\d.,\s]*\d[eE][+-]?\d+$/.test(body)) return { error: "amount_exponent" };
  if (!body || !/^[\d., ]+$/.test(body) || !/\d/.test(body)) return { error: "amount_not_a_number" };
  const hasSpace = body.includes(" ");
  const dots = (body.match(/\./g) || []).length, commas = (body.match(/,/g) || []).length;
  let integer = body, decimals = "";
  if (dots && commas) {
    const decimalMark = body.lastIndexOf(".") > body.lastIndexOf(",") ? "." : ",";
    const groupMark = decimalMark === "." ? "," : ".";
    if (body.split(decimalMark).length > 2 || hasSpace) return { error: "amount_grouping" };
    const at = body.lastIndexOf(decimalMark);
    integer = body.slice(0, at); decimals = body.slice(at + 1);
    if (decimals.includes(groupMark) || !groupsOk(integer.split(groupMark))) return { error: "amount_grouping" };
    integer = integer.split(groupMark).join("");
  } else if (dots + commas > 1) {
    const mark = dots ? "." : ",";
    if (hasSpace || !groupsOk(body.split(mark))) return { error: "amount_grouping" };
    integer = body.split(mark).join("");
  } else if (dots + commas === 1) {
    [integer, decimals] = body.split(dots ? "." : ",");
    if (!hasSpace && decimals.length === 3 && integer.length >= 1 && integer.length <= 3 && /[1-9]/.test(integer)) {
      return { error: "amount_ambiguous", plain: integer + decimals };
    }
  }
  if (hasSpace) {
    const groups = integer.split(" ");
    if (!groupsOk(groups)) return { error: "amount_grouping" };
    integer = groups.join("");
  }
  if (!integer) integer = "0";
  if (!/^\d+$/.test(integer) || (decimals && !/^\d+$/.test(decimals))) return { error: "amount_not_a_number" };
  if (dots + commas === 1 && !decimals) return { error: "amount_not_a_number" };
  if (decimals.length > 2) return { error: "amount_decimals" };
  if (integer.replace(/^0+/, "").length > 9) return { error: "amount_too_large" };
  const centimes = parseInt(integer, 10) * 100 + parseInt((decimals + "00").slice(0, 2), 10);
  if (centimes > MAX_CENTIMES) return { error: "amount_too_large" };
  if (negative && centimes) return { error: "amount_negative" };
  return { centimes };
}

export function showCentimes(c) {
  const sign = c < 0 ? "-" : "";
  const abs = Math.abs(c);
  const units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return sign + units + "," + String(abs % 100).padStart(2, "0");
}
