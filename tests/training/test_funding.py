"""A session's costs, its result per analytic tag and the funder's payment, on the issue's case.

Billing (tests/training/test_billing.py) gives fees 840.00 + 210.00 = 1,050.00 HT on 7124 and INDH's 700.00 on 7161,
both tagged ``training:gestion-2026-11``. Costs: trainer 1,200.00 from the bank, room 300.00 to pay the supplier,
meals 180.50 in cash → 1,680.50. Result = 1,050.00 + 700.00 − 1,680.50 = 69.50. INDH pays 500.00 then 200.00: 34512
goes 700.00 → 200.00 → 0.00; a further 0.01 is refused and changes nothing."""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.analytic import tag_report, tag_reports
from ledger.models import AnalyticLine, Book, Entry
from ledger.selectors import entry_lines
from ledger.services import journal_entry_reverse
from tests.sales.books_view import assert_books_verify, entries
from tests.training.conftest import BILLED_ON, TODAY, D, balance, training  # noqa: F401
from tests.training.test_billing import _issue_case
from training.funding import funder_owes, session_result
from training.models import SubsidyPayment
from training.services import session_bill, session_cost_record, subsidy_payment_record

TAG = "training:gestion-2026-11"


def _costs(t: dict[str, Any]) -> None:
    for kind, amount, paid_from, key in (
        ("trainer", "1200.00", "bank", "c1"),
        ("room", "300.00", "supplier", "c2"),
        ("meals", "180.50", "cash", "c3"),
    ):
        session_cost_record(session=t["session"], kind=kind, amount=D(amount), spent_on=date(2026, 11, 11),
                            paid_from=paid_from, reference=f"F-{key}", idempotency_key=key, acting_user=t["staff"],
                            today=TODAY)  # fmt: skip


def test_a_sessions_result_per_tag_to_the_centime(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _issue_case(t)
    session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    _costs(t)
    _costs(t)  # a replayed form posts nothing
    result = session_result(t["session"])
    by_account = {row.account_code: (row.debit, row.credit) for row in result.accounts}
    assert by_account == {
        "61312": (D("300.00"), D("0.00")),
        "61365": (D("1200.00"), D("0.00")),
        "61436": (D("180.50"), D("0.00")),
        "7124": (D("0.00"), D("1050.00")),
        "7161": (D("0.00"), D("700.00")),
    }
    assert (result.costs, result.revenue, result.result) == (D("1680.50"), D("1750.00"), D("69.50"))
    gie = t["gie"]
    assert balance(gie, "5141") == D("-1200.00")
    assert balance(gie, "4411") == D("-300.00")
    assert balance(gie, "5161") == D("-180.50")
    # the VAT and the receivables carry no tag: only revenue and cost lines do
    book = Book.objects.get(organization=gie)
    assert AnalyticLine.objects.filter(book=book).count() == 2 + 1 + 3  # two invoices' 7124, the subsidy, 3 costs
    assert [r.tag for r in tag_reports(book=book, prefix="training:")] == [TAG]
    assert tag_reports(book=book, prefix="fair:") == []
    assert tag_report(book=book, tag=TAG, end=date(2026, 11, 10)).accounts == ()  # everything is dated 11 or 12 Nov
    assert_books_verify()


def test_reversing_a_tagged_cost_takes_it_out_of_the_result(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    ref = session_cost_record(session=t["session"], kind="trainer", amount=D("1200.00"), spent_on=date(2026, 11, 11),
                              paid_from="bank", reference="", idempotency_key="k", acting_user=t["staff"],
                              today=TODAY)  # fmt: skip
    entry = Entry.objects.get(pk=ref.je_id)
    assert [(line.account_code, line.tag) for line in entry_lines(entry)] == [("61365", TAG), ("5141", "")]
    journal_entry_reverse(entry=entry, reversed_on=date(2026, 11, 12), acting_user=t["staff"], reason="erreur")
    result = session_result(t["session"])
    assert [(r.account_code, r.debit, r.credit) for r in result.accounts] == [("61365", D("1200.00"), D("1200.00"))]
    assert result.costs == D("0.00")
    assert_books_verify()


def test_a_cost_is_refused_to_a_trainer_and_for_odd_input(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    before = Entry.objects.count()
    base = {"session": t["session"], "spent_on": date(2026, 11, 11), "paid_from": "bank", "reference": "",
            "idempotency_key": "x", "today": TODAY}  # fmt: skip
    cases = [
        ({"kind": "trainer", "amount": D("10.00"), "acting_user": t["trainer_user"]}, ErrorCode.PERMISSION_DENIED),
        ({"kind": "yacht", "amount": D("10.00"), "acting_user": t["staff"]}, ErrorCode.TRAINING_BAD_CHOICE),
        ({"kind": "room", "amount": D("0.00"), "acting_user": t["staff"]}, ErrorCode.TRAINING_AMOUNT_NOT_POSITIVE),
        ({"kind": "room", "amount": D("1.005"), "acting_user": t["staff"]}, ErrorCode.TRAINING_AMOUNT_NOT_POSITIVE),
    ]
    for extra, code in cases:
        with pytest.raises(DomainError) as caught:
            session_cost_record(**base, **extra)
        assert caught.value.code == code
        if extra["amount"] == D("0.00"):  # QA: the amount in the user's format, not "0.00"
            assert caught.value.message().endswith(": 0,00.")
    assert Entry.objects.count() == before


def test_the_funders_payment_clears_the_receivable(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _issue_case(t)
    session_bill(session=t["session"], on=BILLED_ON, acting_user=t["staff"], today=TODAY)
    indh, gie = t["indh"], t["gie"]
    assert funder_owes(indh) == D("700.00")
    pay = {"funder": indh, "received_on": date(2026, 11, 20), "method": "bank", "acting_user": t["staff"],
           "today": TODAY}  # fmt: skip
    first = subsidy_payment_record(amount=D("500.00"), idempotency_key="p1", reference="VIR 1", **pay)
    assert subsidy_payment_record(amount=D("500.00"), idempotency_key="p1", **pay).pk == first.pk  # replay
    assert (balance(gie, "34512"), balance(gie, "5141")) == (D("200.00"), D("500.00"))
    subsidy_payment_record(amount=D("200.00"), idempotency_key="p2", **pay)
    assert (balance(gie, "34512"), funder_owes(indh)) == (D("0.00"), D("0.00"))
    with pytest.raises(DomainError) as caught:
        subsidy_payment_record(amount=D("0.01"), idempotency_key="p3", **pay)
    assert caught.value.code == ErrorCode.TRAINING_PAYMENT_TOO_LARGE
    assert "0,00" in caught.value.message()
    assert SubsidyPayment.objects.count() == 2
    payments = {key: lines for key, lines in entries(gie).items() if ":payment:" in key}
    assert payments == {
        f"training:funder:{indh.pk}:payment:p1": ("2026-11-20", ["Cr 34512 500.00", "Dr 5141 500.00"]),
        f"training:funder:{indh.pk}:payment:p2": ("2026-11-20", ["Cr 34512 200.00", "Dr 5141 200.00"]),
    }
    assert_books_verify()
