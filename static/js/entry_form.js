// Entry form: running totals in integer centimes (no float drift) with the server's amount grammar; posting is
// enabled only when the entry balances, and the form says why when it is not. Accounts are searched as you type.
import { parseAmount, showCentimes } from "./amounts.js";

const form = document.getElementById("entry-form");
if (form) {
  const body = form.querySelector("#lines tbody");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  const why = form.querySelector("#post-why");
  const text = JSON.parse(document.getElementById("entry-form-messages").textContent);
  const say = (key, values = {}) => (text[key] || key).replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");

  function recompute() {
    let debit = 0, credit = 0, problem = "", lineNo = 0;
    body.querySelectorAll("tr.line").forEach((row) => {
      lineNo += 1;
      for (const [side, label] of [["debit", text.debit], ["credit", text.credit]]) {
        const input = row.querySelector("." + side);
        const value = input.value.trim();
        if (!value) { input.removeAttribute("aria-invalid"); continue; }
        const parsed = parseAmount(value);
        if (parsed.error) {
          input.setAttribute("aria-invalid", "true");
          if (!problem) problem = say("line", { line: lineNo, side: label }) + " " + say(parsed.error, { value, plain: parsed.plain });
          continue;
        }
        input.removeAttribute("aria-invalid");
        if (side === "debit") debit += parsed.centimes; else credit += parsed.centimes;
      }
    });
    form.querySelector("#total-debit").textContent = showCentimes(debit);
    form.querySelector("#total-credit").textContent = showCentimes(credit);
    const diff = form.querySelector("#difference");
    if (!problem && debit === 0 && credit === 0) problem = text.empty;
    if (!problem && debit !== credit) problem = say("unbalanced", { difference: showCentimes(debit - credit) });
    const balanced = !problem;
    diff.textContent = showCentimes(debit - credit);
    diff.classList.toggle("ok", balanced);
    diff.classList.toggle("ko", !balanced);
    form.querySelector("#post").disabled = !balanced;
    form.querySelector("#post-new").disabled = !balanced;
    why.textContent = balanced ? "" : problem;
    return balanced;
  }

  // accounts: the datalist holds the matches of what is being typed (the server searches codes and names)
  const datalist = document.getElementById("accounts");
  const searchUrl = form.dataset.accountSearch;
  let timer = null, lastQuery = null;
  function searchAccounts(input) {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      const response = await fetch(searchUrl + "?q=" + encodeURIComponent(query), { headers: { "HX-Request": "true" } });
      if (response.ok && query === input.value.trim()) datalist.innerHTML = await response.text();
    }, 120);
  }
  form.addEventListener("input", (event) => {
    if (event.target.classList.contains("account")) searchAccounts(event.target);
    recompute();
  });
  form.addEventListener("focusin", (event) => {
    if (event.target.classList.contains("account")) searchAccounts(event.target);
  });

  function addLine() {
    const index = parseInt(total.value, 10);
    const html = document.getElementById("line-template").innerHTML.replaceAll("__i__", String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const account = body.lastElementChild.querySelector(".account");
    account.focus();
    return account;
  }
  form.querySelector("#add-line").addEventListener("click", addLine);
  form.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "l" || event.key === "L")) { event.preventDefault(); addLine(); }
    if (event.ctrlKey && event.key === "Enter") {
      event.preventDefault();
      if (recompute()) form.requestSubmit(form.querySelector("#post"));
    }
  });
  recompute();
}
