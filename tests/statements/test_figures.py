"""The statement's figures, worked out by hand, equal the trial balance of the same month to the centime."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from gie_erp.core.money import from_centimes
from gie_erp.statements.layout import DetailKind, detail_effect
from gie_erp.statements.services import statement_build
from ledger.selectors import trial_balance

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
    assert figures["sales"] == Decimal("13250.50")  # 2 450,50 cash + 4 800 on credit + 6 000 fair via the GIE
    assert figures["grants"] == Decimal("15000.00")
    assert figures["other_income"] == Decimal("0.00")
    assert figures["gie_fees"] == Decimal("-720.00")  # fair commission
    assert figures["training"] == Decimal("-600.00")  # invoiced by the GIE on 61365, still owed
    assert figures["purchases"] == Decimal("-3200.00")
    assert figures["wages"] == Decimal("-2100.00")
    assert figures["other_expenses"] == Decimal("-25.00")
    assert figures["other_movements"] == Decimal("-4800.00")  # the customer has not paid yet
    assert figures["received"] == Decimal("28250.50")
    assert figures["paid_or_owed"] == Decimal("6645.00")
    # bank 36 505 + cash 3 950,50 + GIE owes 1 000 - owed to the GIE 600
    assert figures["closing"] == Decimal("40855.50")
    assert figures["opening"] + figures["received"] - figures["paid_or_owed"] + figures["other"] == figures["closing"]


def test_figures_equal_the_trial_balance_of_the_month(books, coop_a, gie):
    figures = figures_in_mad(statement_build(organization=coop_a, year=2026, month=3))
    month = trial_balance(book_ids=[books["a"].pk], start=MARCH[0], end=MARCH[1])
    net: defaultdict[str, Decimal] = defaultdict(Decimal)  # credit - debit per account over March
    for row in month:
        net[row.account_code] += row.credit - row.debit
    assert figures["sales"] == net["7121"]
    assert figures["grants"] == net["7161"]
    assert figures["wages"] == net["6171"]
    assert figures["purchases"] == net["6121"]
    assert figures["other_expenses"] == net["6147"]
    assert figures["gie_fees"] == net["6136"]
    assert figures["training"] == net["61365"]
    assert figures["other_movements"] == net["3421"] + net["4411"]

    def money(end):
        rows = trial_balance(book_ids=[books["a"].pk], start=None, end=end)
        return sum((r.debit - r.credit for r in rows if r.account_code in {"5141", "5161", "3488", "4488"}), Decimal(0))

    assert figures["opening"] == money(date(2026, 2, 28))
    assert figures["closing"] == money(MARCH[1])


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
