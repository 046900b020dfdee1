"""Settlements: once per (event, member, date), the commission computed once on the settled total (TTC or HT),
netted with the commission invoice and — only with the member's agreement — its other open invoices, the rest paid.
A commission larger than the takings is netted up to them and the rest stays open."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from gie_erp.core.errors import DomainError, ErrorCode
from invoices.models import Document, Payment
from invoices.parties import party_for_member
from invoices.payment_forms import PaymentForm
from invoices.payments import payment_record
from invoices.services import document_save_draft, document_validate
from ledger.models import Entry
from sales.models import Channel, CommissionBase, SalesTerms, Settlement, Summary
from sales.settlements import due_for, settle, settle_event, settlement_preview
from sales.summaries import summarize
from tests.invoices.conftest import balance, line
from tests.sales.books_view import assert_books_verify, ingest
from tests.sales.conftest import TODAY, D, at, ticket

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 30)


def sell(fair: dict[str, Any], product: str, price: str, day: int, seq: int, qty: str = "1") -> dict[str, Any]:
    amount = str((Decimal(qty) * Decimal(price)).quantize(Decimal("0.01")))
    payload = ticket(fair["event"], [(fair["products"][product], qty, price)], [("cash", amount)],
                     sold_at=at(day, 10 + seq % 8), sequence=seq)  # fmt: skip
    ingest(fair, [payload])
    return payload


def test_settling_twice_returns_the_first_settlement(fair: dict[str, Any]) -> None:
    olive, event = fair["exempt"], fair["event"]
    sell(fair, "huile", "80.00", 21, 1)
    summarize(event, today=TODAY)
    first = settle(event, olive, on=ON, today=TODAY)
    entries_before = Entry.objects.count()
    # a ticket synced later for the same date waits for the next settlement date
    sell(fair, "huile", "80.00", 22, 2)
    summarize(event, today=TODAY)
    assert settle(event, olive, on=ON, today=TODAY) == first
    assert settle_event(event, on=ON, today=TODAY) == [first]
    assert Entry.objects.count() == entries_before + 2  # only the complement's two summary entries
    assert due_for(event, olive) == D("80.00")
    # 80.00 → commission 8.00 + 1.60 = 9.60; net 70.40
    assert first.commission is not None
    assert (first.takings, first.net_paid, first.commission.total_gross) == (D("80.00"), D("70.40"), D("9.60"))
    assert Document.objects.filter(origin=Document.Origin.FAIR_COMMISSION).count() == 1
    assert Payment.objects.filter(method=Payment.Method.OFFSET).count() == 1
    assert_books_verify()


def test_a_settlement_covers_the_summaries_posted_up_to_its_date(fair: dict[str, Any]) -> None:
    olive, event = fair["exempt"], fair["event"]
    sell(fair, "huile", "80.00", 21, 1)
    sell(fair, "huile", "80.00", 23, 2, qty="2")
    summarize(event, today=TODAY)
    first = settle(event, olive, on=date(2026, 11, 22), today=TODAY)
    second = settle(event, olive, on=ON, today=TODAY)
    # 80.00 then 160.00, each its own commission: 8.00 + 1.60 = 9.60, 16.00 + 3.20 = 19.20
    assert [(s.takings, s.net_paid) for s in (first, second)] == [(D("80.00"), D("70.40")), (D("160.00"), D("140.80"))]
    assert {s.day: s.settlement_id for s in Summary.objects.all()} == {
        date(2026, 11, 21): first.pk,
        date(2026, 11, 23): second.pk,
    }
    assert balance(fair["gie"], "4463", olive) == D("0.00")
    assert balance(olive, "3488", fair["gie"]) == D("0.00")


def test_the_commission_on_the_ht_rounds_half_up_once_on_the_total(fair: dict[str, Any]) -> None:
    miel, event = fair["registered"], fair["event"]
    Channel.objects.filter(pk=event.channel_id).update(commission_base=CommissionBase.HT)
    sell(fair, "miel", "115.00", 21, 1)  # VAT 115 − round(115 / 1.2 = 95.833…) = 19.17, HT 95.83
    sell(fair, "miel", "115.00", 22, 2)
    summarize(event, today=TODAY)
    plan = settlement_preview(event, miel, on=ON)
    # base HT 191.66 (230.00 − 38.34); 10 % = 19.166 → 19.17 (once on the total: per day it would be 9.58 + 9.58)
    # VAT 20 % of 19.17 = 3.834 → 3.83; TTC 23.00; net 230.00 − 23.00 = 207.00
    assert (plan.takings, plan.takings_vat, plan.base) == (D("230.00"), D("38.34"), D("191.66"))
    assert (plan.commission_ht, plan.commission_vat, plan.commission_ttc, plan.net) == (
        D("19.17"), D("3.83"), D("23.00"), D("207.00"),
    )  # fmt: skip
    settlement = settle(event, miel, on=ON, today=TODAY)
    assert (settlement.commission_base, settlement.commission_rate) == (D("191.66"), D("0.1000"))
    assert balance(fair["gie"], "71272", miel) == D("-19.17")
    assert balance(miel, "4455") == D("-38.34")  # its sales' VAT, straight to 4455
    assert (balance(miel, "34552"), balance(miel, "34554")) == (D("3.83"), D("0.00"))  # netting counts as payment


def test_a_commission_larger_than_the_takings_is_netted_up_to_them(fair: dict[str, Any]) -> None:
    olive, gie, event = fair["exempt"], fair["gie"], fair["event"]
    event.commission_rate = Decimal("0.9000")
    event.save()
    sell(fair, "huile", "80.00", 21, 1)
    summarize(event, today=TODAY)
    settlement = settle(event, olive, on=ON, today=TODAY)
    # 90 % of 80.00 = 72.00 + 14.40 VAT = 86.40 > 80.00: 80.00 netted, nothing paid, 6.40 left open
    assert (settlement.net_paid, settlement.offsets) == (D("0.00"), D("0.00"))
    invoice = settlement.commission
    assert invoice is not None
    invoice.refresh_from_db()
    assert (invoice.total_gross, invoice.balance_due) == (D("86.40"), D("6.40"))
    assert (balance(gie, "4463", olive), balance(gie, "3463", olive)) == (D("0.00"), D("6.40"))
    # VAT due on what was netted, pro rata: 14.40 × 80.00 / 86.40 = 13.333… → 13.33
    assert (balance(gie, "4455"), balance(gie, "44551")) == (D("-13.33"), D("-1.07"))
    assert not Entry.objects.filter(idempotency_key__contains=":net:").exists()
    assert_books_verify()


def test_other_invoices_are_netted_with_agreement_up_to_what_is_left(fair: dict[str, Any]) -> None:
    miel, gie, event = fair["registered"], fair["gie"], fair["event"]
    SalesTerms.objects.create(organization=miel, offset_other_invoices=True)
    older = document_save_draft(issuer=gie, customer=party_for_member(organization=miel), issued_on=date(2026, 10, 1),
                                lines=[line("Tenue comptable", "1", "100.00")])  # fmt: skip
    older = document_validate(document_id=older.pk, today=TODAY)  # 120.00
    later = document_save_draft(issuer=gie, customer=party_for_member(organization=miel), issued_on=date(2026, 12, 1),
                                lines=[line("Formation", "1", "10.00")])  # fmt: skip
    sell(fair, "amlou", "55.00", 21, 1)
    summarize(event, today=TODAY)
    plan = settlement_preview(event, miel, on=ON)
    # 55.00 → commission 5.50 + 1.10 = 6.60; 48.40 left, all of it on the older invoice (120.00); nothing paid.
    # The draft dated after the settlement is not an open invoice.
    assert [(d.pk, amount) for d, amount in plan.offsets] == [(older.pk, D("48.40"))]
    assert plan.net == D("0.00")
    settlement = settle(event, miel, on=ON, today=TODAY)
    assert (settlement.offsets, settlement.net_paid) == (D("48.40"), D("0.00"))
    older.refresh_from_db()
    assert older.balance_due == D("71.60")
    assert later.is_draft
    # 4463·miel: −55.00 + 6.60 + 48.40 = 0.00; 3463·miel: 120.00 − 48.40 = 71.60
    assert (balance(gie, "4463", miel), balance(gie, "3463", miel)) == (D("0.00"), D("71.60"))
    assert_books_verify()


def test_refusals(fair: dict[str, Any]) -> None:
    olive, miel, event = fair["exempt"], fair["registered"], fair["event"]
    with pytest.raises(DomainError) as nothing:
        settle(event, olive, on=ON, today=TODAY)
    assert nothing.value.code == ErrorCode.SALES_NOTHING_TO_SETTLE
    with pytest.raises(DomainError) as outsider:
        settlement_preview(event, fair["gie"], on=ON)
    assert outsider.value.code == ErrorCode.SALES_NOT_PARTICIPANT
    assert settle_event(event, on=ON, today=TODAY) == []
    # a member whose only activity since its last settlement is a refund is skipped by settle_event
    sale = sell(fair, "miel", "120.00", 21, 1)
    summarize(event, today=TODAY)
    settle(event, miel, on=date(2026, 11, 21), today=TODAY)
    refund = ticket(event, [(fair["products"]["miel"], "-1", "120.00")], [("cash", "-120.00")],
                    sold_at=at(22, 9), sequence=2, refund_of=sale["id"])  # fmt: skip
    ingest(fair, [refund])
    summarize(event, today=TODAY)
    assert settle_event(event, on=ON, today=TODAY) == []
    assert due_for(event, miel) == D("-120.00")  # the GIE paid it out: the member's next sales make it up
    assert Settlement.objects.count() == 1


def test_a_compensation_is_only_between_the_gie_and_a_member_and_fully_allocated(fair: dict[str, Any]) -> None:
    gie, miel = fair["gie"], fair["registered"]
    invoice = document_save_draft(issuer=gie, customer=party_for_member(organization=miel), issued_on=date(2026, 11, 5),
                                  lines=[line("Tenue comptable", "1", "100.00")])  # fmt: skip
    invoice = document_validate(document_id=invoice.pk, today=TODAY)
    common = {"collected_by": gie, "received_on": ON, "method": Payment.Method.OFFSET, "today": TODAY}
    with pytest.raises(DomainError) as outsider:
        payment_record(payer=fair["hotel"], amount=D("10.00"), idempotency_key="o1", **common)
    assert outsider.value.code == ErrorCode.OFFSET_NOT_MEMBER
    with pytest.raises(DomainError) as left_over:
        payment_record(payer=invoice.customer, amount=D("130.00"), documents=[invoice], idempotency_key="o2", **common)
    assert left_over.value.code == ErrorCode.OFFSET_NOT_ALLOCATED
    assert not Payment.objects.exists()
    # nobody types a compensation in the payment form
    assert Payment.Method.OFFSET not in dict(PaymentForm().fields["method"].choices)  # type: ignore[attr-defined]


def test_the_command_previews_then_settles(fair: dict[str, Any]) -> None:
    event = fair["event"]
    sell(fair, "tapis", "450.00", 21, 1)
    summarize(event, today=TODAY)
    out = io.StringIO()
    call_command("sales_settle", event=event.slug, on="2026-11-30", preview=True, stdout=out)
    # 450.00 → 45.00 + 9.00 = 54.00, net 396.00
    assert out.getvalue().splitlines()[1].split() == ["coop-tapis", "450.00", "54.00", "0.00", "396.00"]
    assert not Settlement.objects.exists()
    from members.models import Organization

    Organization.objects.filter(pk=fair["tapis"].pk).update(address="Douar Zarbia, Ouezzane")
    out = io.StringIO()
    call_command("sales_settle", event=event.slug, on="2026-11-30", stdout=out)
    assert out.getvalue().splitlines()[1].split() == ["coop-tapis", "450.00", "54.00", "0.00", "396.00"]
    with pytest.raises(Exception, match="bad date"):
        call_command("sales_settle", event=event.slug, on="30/11/2026")
