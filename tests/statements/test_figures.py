"""The statement's figures, worked out by hand; its rows are the detail grouped by row, and its balances equal the
trial balance's to the centime."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from gie_erp.core.money import from_centimes
from gie_erp.statements.layout import DetailKind, detail_effect
from gie_erp.statements.services import statement_build, statement_context
from ledger.models import Journal
from ledger.selectors import trial_balance
from tests.ledger.conftest import cr, dr, post

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def figures_in_mad(statement):
    f = statement.figures
    return {
        "opening": from_centimes(f.opening),
        "closing": from_centimes(f.closing),
        "received": from_centimes(f.received),
        "paid_or_owed": from_centimes(f.paid_or_owed),
        "other": from_centimes(f.other),
        **{r.row.key: from_centimes(r.centimes) for r in f.rows},
    }


def test_march_figures_worked_out_by_hand(books, coop_a):
    figures = figures_in_mad(statement_build(organization=coop_a, year=2026, month=3))
    # opening = bank 20 000 + cash 1 500 + GIE owes 3 000 (February fair) - owed to the GIE 450 (February fee)
    assert figures["opening"] == Decimal("24050.00")
    # sales paid at once: 2 450,50 in cash + 6 000 at the fair via the GIE; the 4 800 sold on credit on 12 March
    # are not paid yet, so they are in no row (and in no detail line) until the customer pays
    assert figures["sales"] == Decimal("8450.50")
    assert figures["customer_payments"] == Decimal("0.00")
    assert figures["grants"] == Decimal("15000.00")
    assert figures["other_income"] == Decimal("0.00")
    assert figures["gie_fees"] == Decimal("-720.00")  # fair commission
    assert figures["training"] == Decimal("-600.00")  # invoiced by the GIE on 61365, still owed
    assert figures["purchases"] == Decimal("0.00")  # the 3 200 of raw materials were bought on credit...
    assert figures["supplier_payments"] == Decimal("-3200.00")  # ...and the supplier was paid on 20 March
    assert figures["wages"] == Decimal("-2100.00")
    assert figures["other_expenses"] == Decimal("-25.00")
    assert figures["other_movements"] == Decimal("0.00")
    assert figures["received"] == Decimal("23450.50")  # 8 450,50 + 15 000
    assert figures["paid_or_owed"] == Decimal("6645.00")  # 720 + 600 + 3 200 + 2 100 + 25
    # bank 36 505 + cash 3 950,50 + GIE owes 1 000 - owed to the GIE 600
    assert figures["closing"] == Decimal("40855.50")
    assert figures["opening"] + figures["received"] - figures["paid_or_owed"] + figures["other"] == figures["closing"]


def test_a_customer_paying_an_earlier_invoice_is_not_a_sale_of_the_month(books, coop_a):
    """April: the customer pays March's 4 800 invoice, 1 000 of cash sales, and a new sale on credit of 2 000."""
    a = books["a"]
    post(a, date(2026, 4, 8), "p1", dr("5141", "4800.00"), cr("3421", "4800.00"), journal=Journal.BANK)
    post(a, date(2026, 4, 10), "p2", dr("5161", "1000.00"), cr("7121", "1000.00"), journal=Journal.CASH)
    post(a, date(2026, 4, 12), "p3", dr("3421", "2000.00"), cr("7121", "2000.00"), journal=Journal.SALES)
    statement = statement_build(organization=coop_a, year=2026, month=4)
    figures = figures_in_mad(statement)
    assert figures["sales"] == Decimal("1000.00")  # only the cash sale
    assert figures["customer_payments"] == Decimal("4800.00")  # what the customer owed since March
    assert figures["received"] == Decimal("5800.00")
    assert figures["paid_or_owed"] == Decimal("0.00")
    assert figures["other"] == Decimal("0.00")
    assert figures["opening"] == Decimal("40855.50")
    assert figures["closing"] == Decimal("46655.50")  # 40 855,50 + 4 800 + 1 000

    context = statement_context(statement, printed_on=date(2026, 5, 2))
    summary = {row["label_fr"]: row for row in context["rows"]}
    assert summary["Ventes au comptant"]["label_ar"] == "المبيعات نقدا"
    assert summary["Règlements clients"]["label_ar"] == "تسديدات الزبناء"
    assert "invoice-paid.png" in summary["Règlements clients"]["icon"]
    assert "arrow-in.png" in summary["Règlements clients"]["arrow"]  # money in
    payment = next(d for d in context["details"] if d["description"] == "test p1")
    assert payment["category_ar"] == summary["Règlements clients"]["label_ar"]  # the detail names it the same way
    assert "arrow-in.png" in payment["arrow"]


def test_each_row_is_the_detail_grouped_by_row_and_the_money_agrees_with_the_trial_balance(books, coop_a, gie):
    statement = statement_build(organization=coop_a, year=2026, month=3, detail_limit=100)
    grouped: defaultdict[str, int] = defaultdict(int)
    for line in statement.details:
        if line.kind != DetailKind.TRANSFER:
            assert line.row is not None
            grouped[line.row.key] += line.centimes
    assert {f.row.key: f.centimes for f in statement.figures.rows if f.centimes} == dict(grouped)

    figures = figures_in_mad(statement)
    month = trial_balance(book_ids=[books["a"].pk], start=MARCH[0], end=MARCH[1])
    net: defaultdict[str, Decimal] = defaultdict(Decimal)  # credit - debit per account over March
    for row in month:
        net[row.account_code] += row.credit - row.debit
    # accounts whose every March entry moved the money equal the trial balance
    assert figures["grants"] == net["7161"]
    assert figures["wages"] == net["6171"]
    assert figures["other_expenses"] == net["6147"]
    assert figures["gie_fees"] == net["6136"]
    assert figures["training"] == net["61365"]
    assert figures["sales"] == net["7121"] - Decimal("4800.00")  # less the sale on credit, not paid in March

    def money(end):
        rows = trial_balance(book_ids=[books["a"].pk], start=None, end=end)
        return sum((r.debit - r.credit for r in rows if r.account_code in {"5141", "5161", "3488", "4488"}), Decimal(0))

    assert figures["opening"] == money(date(2026, 2, 28))
    assert figures["closing"] == money(MARCH[1])
    change = money(MARCH[1]) - money(date(2026, 2, 28))
    assert figures["received"] - figures["paid_or_owed"] + figures["other"] == change


def test_detail_lines_tell_the_same_change(books, coop_a):
    statement = statement_build(organization=coop_a, year=2026, month=3, detail_limit=9)
    kinds = [d.kind for d in statement.details]
    assert len(statement.details) == 9  # 8 biggest + one summary line
    assert kinds[-1] == DetailKind.REST
    assert statement.details[-1].count == 2  # the 450 transfer to the GIE and the 25 bank fee
    assert from_centimes(statement.details[-1].centimes) == Decimal("-25.00")
    assert kinds.count(DetailKind.TRANSFER) == 1  # the GIE's 7 280 settlement: money it held, now in the bank
    change = statement.figures.closing - statement.figures.opening
    assert detail_effect(statement.details) == change == 1680550


def test_a_month_without_entries_keeps_the_balance(books, coop_a):
    statement = statement_build(organization=coop_a, year=2026, month=4)
    assert statement.figures.opening == statement.figures.closing == 4085550
    assert statement.details == ()
    assert [r.row.key for r in statement.figures.shown_rows()] == ["sales", "gie_fees"]  # always shown
