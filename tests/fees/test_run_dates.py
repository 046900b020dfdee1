"""The dates a run's invoices and its undo's credit notes carry (user pass 2 of issue 14).

Pools: ``compta`` 300.00 a month and ``locaux`` 600.00 a month, equally among olive, miel and tapis: 100.00 + 20.00
VAT = 120.00 each, and 200.00 + 40.00 = 240.00 each. A member's payment terms are 30 days (the party's default), so
an invoice of 31/01/2026 is due on 02/03/2026 and one of 05/03/2026 on 04/04/2026."""

from datetime import date
from typing import Any

from gie_erp.fees.models import Key, Run
from gie_erp.fees.services import run_issue_date, run_post, run_undo, undo_date
from invoices.models import Document
from ledger.models import Book, PeriodLock
from tests.fees.conftest import JAN_1, JAN_31, TODAY, D, balance, pool
from tests.sales.books_view import assert_books_verify

FEB_1, FEB_28 = date(2026, 2, 1), date(2026, 2, 28)
MAR_5 = date(2026, 3, 5)


def _invoices(run: Run) -> list[Document]:
    return list(Document.objects.filter(fee_share__run=run).order_by("number"))


def test_a_late_run_keeps_the_periods_last_day_when_nothing_of_the_gies_series_is_dated_after_it(
    fees: dict[str, Any],
) -> None:
    premises = pool("locaux", key=Key.EQUAL, fixed_monthly=D("600.00"))
    run = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=fees["staff"], today=MAR_5)
    invoices = _invoices(run)
    assert [(d.issued_on, d.due_on, d.total_gross) for d in invoices] == [(JAN_31, date(2026, 3, 2), D("240.00"))] * 3
    assert run.issued_on == JAN_31


def test_a_late_run_after_later_invoices_of_the_gie_is_dated_the_day_of_posting(fees: dict[str, Any]) -> None:
    """Regression (user pass 2): January billed on 5 March after February's invoices (28/02) were numbered got
    earlier dates than smaller numbers. Now: dated 05/03/2026, due 04/04/2026, numbered after February's."""
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    premises = pool("locaux", key=Key.EQUAL, fixed_monthly=D("600.00"))
    february = run_post(pool=accounting, starts_on=FEB_1, ends_on=FEB_28, acting_user=f["staff"], today=MAR_5)
    assert [d.issued_on for d in _invoices(february)] == [FEB_28] * 3
    billed = [f["exempt"].pk, f["registered"].pk, f["tapis"].pk]
    issue = run_issue_date(ends_on=JAN_31, organization_ids=billed, today=MAR_5)
    assert (issue.day, issue.reason) == (MAR_5, "later_invoices")
    january = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=MAR_5)
    invoices = _invoices(january)
    assert [(d.issued_on, d.due_on, d.total_gross) for d in invoices] == [(MAR_5, date(2026, 4, 4), D("240.00"))] * 3
    assert january.issued_on == MAR_5
    # the invoice still says the period it bills
    assert all("01/01/2026 – 31/01/2026" in d.lines.get().description for d in invoices)
    # numbers follow dates: February's three (28/02) come before January's (05/03)
    series = list(
        Document.objects.filter(kind=Document.Kind.INVOICE).order_by("sequence").values_list("issued_on", flat=True)
    )
    assert series == [FEB_28] * 3 + [MAR_5] * 3
    assert balance(f["gie"], "7124") == D("-900.00")  # 300.00 + 600.00
    assert_books_verify()


def test_a_run_whose_last_month_is_locked_is_dated_the_day_of_posting(fees: dict[str, Any]) -> None:
    PeriodLock.objects.create(book=Book.objects.get(organization=fees["gie"]), year=2026, month=1)
    premises = pool("locaux", key=Key.EQUAL, fixed_monthly=D("600.00"))
    run = run_post(pool=premises, starts_on=JAN_1, ends_on=JAN_31, acting_user=fees["staff"], today=TODAY)
    assert run.issued_on == TODAY
    assert {d.issued_on for d in _invoices(run)} == {TODAY}


def test_undoing_a_past_run_dates_the_credit_notes_the_day_of_the_undo(fees: dict[str, Any]) -> None:
    """Regression (user pass 2): undoing January's run on 10 April dated the credit notes 31/01, after the first
    quarter's VAT was returned and paid. Now 10/04/2026: each takes back its 120.00, the GIE's 7124 is back to 0."""
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    april_10 = date(2026, 4, 10)
    assert undo_date(run=run, today=april_10).day == april_10
    run_undo(run=run, reason="clé revue", acting_user=f["staff"], today=april_10)
    notes = Document.objects.filter(kind=Document.Kind.CREDIT_NOTE)
    assert sorted((n.issued_on, n.total_gross) for n in notes) == [(april_10, D("120.00"))] * 3
    assert balance(f["gie"], "7124") == D("0.00")
    assert_books_verify()


def test_an_undo_in_a_month_locked_in_a_book_takes_the_first_open_day(fees: dict[str, Any]) -> None:
    f = fees
    accounting = pool("compta", key=Key.EQUAL, fixed_monthly=D("300.00"))
    run = run_post(pool=accounting, starts_on=JAN_1, ends_on=JAN_31, acting_user=f["staff"], today=TODAY)
    PeriodLock.objects.create(book=Book.objects.get(organization=f["exempt"]), year=2026, month=4)
    on = undo_date(run=run, today=date(2026, 4, 10))
    assert (on.day, on.reason) == (date(2026, 5, 1), "first_open")
