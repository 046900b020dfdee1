// Entry form: running totals in integer centimes (no float drift), posting enabled only when balanced.
(function () {
  const form = document.getElementById("entry-form");
  if (!form) return;
  const body = form.querySelector("#lines tbody");
  const total = form.querySelector("input[name='lines-TOTAL_FORMS']");
  const toCentimes = (text) => {
    const clean = (text || "").replace(/[\s\u202f\u00a0]/g, "").replace(",", ".");
    if (!clean) return 0;
    if (!/^\d+(\.\d{1,2})?$/.test(clean)) return NaN;
    const [units, decimals = ""] = clean.split(".");
    return parseInt(units, 10) * 100 + parseInt((decimals + "00").slice(0, 2), 10);
  };
  const show = (c) => {
    const sign = c < 0 ? "-" : "";
    const abs = Math.abs(c);
    const units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return sign + units + "," + String(abs % 100).padStart(2, "0");
  };
  function recompute() {
    let debit = 0, credit = 0, bad = false;
    body.querySelectorAll("tr.line").forEach((row) => {
      const d = toCentimes(row.querySelector(".debit").value);
      const c = toCentimes(row.querySelector(".credit").value);
      if (Number.isNaN(d) || Number.isNaN(c)) { bad = true; return; }
      debit += d; credit += c;
    });
    form.querySelector("#total-debit").textContent = show(debit);
    form.querySelector("#total-credit").textContent = show(credit);
    const diff = form.querySelector("#difference");
    const balanced = !bad && debit > 0 && debit === credit;
    diff.textContent = bad ? "?" : show(debit - credit);
    diff.classList.toggle("ok", balanced);
    diff.classList.toggle("ko", !balanced);
    form.querySelector("#post").disabled = !balanced;
    form.querySelector("#post-new").disabled = !balanced;
    return balanced;
  }
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
  form.addEventListener("input", recompute);
  form.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "l" || event.key === "L")) { event.preventDefault(); addLine(); }
    if (event.ctrlKey && event.key === "Enter") {
      event.preventDefault();
      if (recompute()) form.requestSubmit(form.querySelector("#post"));
    }
  });
  recompute();
})();
