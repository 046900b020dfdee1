"""Invoices end to end with figures worked out by hand: lines and VAT, numbering, postings in every book, cash-basis
VAT through payments and cheques, credit notes, documents to members, write-offs."""

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from invoices.models import Document, DocumentSequence, Payment
from invoices.parties import party_for_member
from invoices.payments import payment_allocate, payment_cheque_cash, payment_record
from invoices.services import (
    bundle_create,
    bundle_validate,
    credit_note_create,
    document_delete_draft,
    document_save_draft,
    document_validate,
)
from ledger.models import Entry
from ledger.verify import verify_balances
from tests.invoices.conftest import TODAY, D, balance, line

pytestmark = pytest.mark.django_db


def validated(issuer: Any, customer: Any, lines: list[Any], day: date = date(2026, 10, 5), **kwargs: Any) -> Document:
    draft = document_save_draft(issuer=issuer, customer=customer, issued_on=day, lines=lines, **kwargs)
    return document_validate(document_id=draft.pk, today=TODAY)


def test_mixed_rates_round_half_up_per_line_and_post_in_the_issuers_book(world: dict[str, Any]) -> None:
    # A: 1 × 10.125 = 10.125 → 10.13 half-up (10.12 half-even); VAT 10.13 × 20 % = 2.026 → 2.03
    # B: 2 × 6.125 = 12.25; VAT 12.25 × 10 % = 1.225 → 1.23 half-up (1.22 half-even)
    # C: 3 × 40.00 = 120.00, exempt product (art. 91): no VAT
    assert Decimal("10.125").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("10.12")
    assert Decimal("1.225").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("1.22")
    invoice = validated(
        world["registered"],
        world["hotel"],
        [
            line("Miel de thym", "1", "10.125", "normal-20"),
            line("Pollen", "2", "6.125", "reduit-10"),
            line("Huile d'olive artisanale", "3", "40.00", "exonere-91"),
        ],
    )
    assert [(ln.net, ln.vat) for ln in invoice.lines.order_by("position")] == [
        (D("10.13"), D("2.03")),
        (D("12.25"), D("1.23")),
        (D("120.00"), D("0.00")),
    ]
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("142.38"), D("3.26"), D("145.64"))
    assert {t.vat_rate.code: t.vat for t in invoice.taxes.all()} == {
        "normal-20": D("2.03"),
        "reduit-10": D("1.23"),
        "exonere-91": D("0.00"),
    }
    assert invoice.number == "FA-2026-00001"
    registered = world["registered"]
    assert balance(registered, "3421") == D("145.64")
    assert balance(registered, "7121") == D("-142.38")
    assert balance(registered, "44551") == D("-3.26")  # cash basis: collected VAT waits for the payment
    assert balance(registered, "4455") == D("0.00")
    assert balance(world["gie"], "4463") == D("0.00")  # a mandate invoice posts nothing in the GIE's book
    assert invoice.issuer_snapshot["mandatary_name_fr"] == world["gie"].legal_name_fr


def test_validation_is_idempotent_and_numbers_each_series_apart(world: dict[str, Any]) -> None:
    first = validated(world["gie"], world["hotel"], [line("Conseil", "1", "100.00")])
    again = document_validate(document_id=first.pk, today=TODAY)
    assert again.number == first.number == "FA-2026-00001"
    assert Entry.objects.filter(idempotency_key=f"invoice:{first.pk}:issuer").count() == 1
    second = validated(world["gie"], world["hotel"], [line("Conseil", "1", "50.00")])
    member = validated(world["exempt"], world["hotel"], [line("Huile", "1", "50.00")])
    next_year = validated(world["gie"], world["hotel"], [line("Conseil", "1", "10.00")], day=date(2025, 12, 31))
    assert (second.number, member.number, next_year.number) == ("FA-2026-00002", "FA-2026-00001", "FA-2025-00001")


def test_a_refused_validation_leaves_no_hole_in_the_series(world: dict[str, Any]) -> None:
    first = validated(world["gie"], world["hotel"], [line("Conseil", "1", "100.00")])
    # a document dated in a locked month: numbered, then the posting is refused, and the whole transaction rolls back
    from ledger.models import Book, PeriodLock

    PeriodLock.objects.create(book=Book.objects.get(organization=world["gie"]), year=2026, month=1)
    refused = document_save_draft(
        issuer=world["gie"], customer=world["hotel"], issued_on=date(2026, 1, 15), lines=[line("Conseil", "1", "5")]
    )
    with pytest.raises(DomainError) as error:
        document_validate(document_id=refused.pk, today=TODAY)
    assert error.value.code == ErrorCode.PERIOD_LOCKED
    refused.refresh_from_db()
    assert (refused.status, refused.number) == (Document.Status.DRAFT, "")
    assert DocumentSequence.objects.get(issuer=world["gie"], kind="invoice", year=2026).last_number == 1
    after = validated(world["gie"], world["hotel"], [line("Conseil", "1", "100.00")])
    assert (first.number, after.number) == ("FA-2026-00001", "FA-2026-00002")


def test_a_missing_mention_is_refused_by_name(world: dict[str, Any]) -> None:
    from members.models import Organization

    Organization.objects.filter(pk=world["exempt"].pk).update(tp_number="")
    world["exempt"].refresh_from_db()
    draft = document_save_draft(
        issuer=world["exempt"], customer=world["hotel"], issued_on=date(2026, 10, 5), lines=[line("Huile", "1", "9")]
    )
    with pytest.raises(DomainError) as error:
        document_validate(document_id=draft.pk, today=TODAY)
    assert error.value.code == ErrorCode.MISSING_MENTION
    assert "taxe professionnelle de l'émetteur" in str(error.value)
    # a business customer without an ICE, a consumer without one is fine
    world["hotel"].ice = ""
    world["hotel"].save()
    Organization.objects.filter(pk=world["exempt"].pk).update(tp_number="51111111")
    with pytest.raises(DomainError, match="ICE du client"):
        document_validate(document_id=draft.pk, today=TODAY)
    consumer = validated(world["exempt"], world["consumer"], [line("Huile", "1", "9")])
    assert consumer.number == "FA-2026-00001"


def test_an_exempt_issuer_cannot_charge_vat(world: dict[str, Any]) -> None:
    draft = document_save_draft(
        issuer=world["exempt"],
        customer=world["hotel"],
        issued_on=date(2026, 10, 5),
        lines=[line("Huile", "1", "9", "normal-20")],
    )
    with pytest.raises(DomainError) as error:
        document_validate(document_id=draft.pk, today=TODAY)
    assert error.value.code == ErrorCode.EXEMPT_ISSUER_VAT


def test_old_rates_serve_back_dated_documents_only(world: dict[str, Any]) -> None:
    old = validated(
        world["registered"], world["hotel"], [line("Miel", "1", "100.00", "reduit-14")], day=date(2025, 6, 1)
    )
    assert old.total_vat == D("14.00")
    with pytest.raises(DomainError) as error:
        document_save_draft(
            issuer=world["registered"],
            customer=world["hotel"],
            issued_on=date(2026, 6, 1),
            lines=[line("Miel", "1", "100.00", "reduit-14")],
        )
    assert error.value.code == ErrorCode.VAT_RATE_NOT_VALID


def test_cash_basis_vat_follows_payments_and_the_cheque(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    # 833.33 HT + 20 % = 166.666 → 166.67 VAT; 1,000.00 TTC
    invoice = validated(gie, hotel, [line("Accompagnement commercial", "1", "833.33", kind="service")])
    assert (invoice.total_vat, invoice.total_gross) == (D("166.67"), D("1000.00"))
    pay = {"payer": hotel, "collected_by": gie, "documents": [invoice], "today": TODAY}
    # 1) 333.33 by transfer: 166.67 × 333.33 / 1,000.00 = 55.5561… → 55.56 moves to 4455
    payment_record(received_on=date(2026, 10, 10), method="transfer", amount=D("333.33"), idempotency_key="p1", **pay)
    assert (balance(gie, "44551"), balance(gie, "4455")) == (D("-111.11"), D("-55.56"))
    # 2) a cheque of 333.33: settles 111.11 × 333.33 / 666.67 = 55.5544… → 55.55, due only once cashed
    cheque = payment_record(
        received_on=date(2026, 10, 20),
        method="cheque",
        amount=D("333.33"),
        reference="CHQ 0042",
        idempotency_key="p2",
        **pay,
    )
    assert (balance(gie, "44551"), balance(gie, "4455"), balance(gie, "5111")) == (
        D("-111.11"),
        D("-55.56"),
        D("333.33"),
    )
    payment_cheque_cash(payment=cheque, cashed_on=date(2026, 10, 24), today=TODAY)
    assert (balance(gie, "44551"), balance(gie, "4455"), balance(gie, "5111")) == (D("-55.56"), D("-111.11"), D("0.00"))
    # 3) the last 333.34 in cash clears the transit account to exactly 0.00
    payment_record(received_on=date(2026, 11, 2), method="cash", amount=D("333.34"), idempotency_key="p3", **pay)
    invoice.refresh_from_db()
    assert (balance(gie, "44551"), balance(gie, "4455")) == (D("0.00"), D("-166.67"))
    assert (invoice.amount_paid, invoice.balance_due, invoice.payment_state) == (D("1000.00"), D("0.00"), "paid")
    assert (balance(gie, "3421"), balance(gie, "5141"), balance(gie, "5161")) == (D("0.00"), D("666.66"), D("333.34"))
    # replaying a payment posts nothing more
    payment_record(received_on=date(2026, 11, 2), method="cash", amount=D("333.34"), idempotency_key="p3", **pay)
    assert balance(gie, "5161") == D("333.34")


def test_credit_note_on_a_partly_paid_invoice_takes_vat_from_transit_first(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Stand", "10", "100.00", kind="service")])  # 1,000 + 200 = 1,200
    payment_record(
        payer=hotel,
        collected_by=gie,
        documents=[invoice],
        received_on=date(2026, 10, 6),
        method="transfer",
        amount=D("600.00"),
        idempotency_key="half",
        today=TODAY,
    )  # settles 200 × 600 / 1,200 = 100.00 of VAT; 100.00 stays in 44551
    credit = credit_note_create(
        invoice=invoice, issued_on=date(2026, 10, 7), lines=[line("Stand", "6", "100.00", kind="service")]
    )
    credit = document_validate(document_id=credit.pk, today=TODAY)
    assert (credit.number, credit.total_gross) == ("AV-2026-00001", D("720.00"))
    # 120 of VAT: 100.00 from 44551 (all that is not yet paid), 20.00 from 4455
    assert (balance(gie, "44551"), balance(gie, "4455")) == (D("0.00"), D("-80.00"))
    assert balance(gie, "7124") == D("-400.00")
    invoice.refresh_from_db()
    assert (invoice.amount_credited, invoice.balance_due) == (D("720.00"), D("-120.00"))  # the customer is owed 120
    assert balance(gie, "3421") == D("-120.00")
    # never more than what is left to credit (480.00), paid or not
    too_much = credit_note_create(invoice=invoice, issued_on=date(2026, 10, 8), lines=[line("Stand", "5", "100.00")])
    with pytest.raises(DomainError) as error:
        document_validate(document_id=too_much.pk, today=TODAY)
    assert error.value.code == ErrorCode.CREDIT_TOO_LARGE
    assert "480,00" in str(error.value)


def test_mandate_invoice_collected_by_the_gie_posts_in_both_books(world: dict[str, Any]) -> None:
    gie, exempt, hotel = world["gie"], world["exempt"], world["hotel"]
    invoice = validated(exempt, hotel, [line("Huile d'olive 5 l", "4", "125.00")])
    assert (invoice.total_vat, invoice.total_gross, invoice.number) == (D("0.00"), D("500.00"), "FA-2026-00001")
    payment_record(
        payer=hotel,
        collected_by=gie,
        documents=[invoice],
        received_on=date(2026, 10, 9),
        method="transfer",
        amount=D("500.00"),
        idempotency_key="hotel-1",
        today=TODAY,
    )
    assert (balance(gie, "5141"), balance(gie, "4463", exempt)) == (D("500.00"), D("-500.00"))
    assert (balance(exempt, "3488", gie), balance(exempt, "3421"), balance(exempt, "7121")) == (
        D("500.00"),
        D("0.00"),
        D("-500.00"),
    )


def test_document_to_members_posts_the_elimination_pair(world: dict[str, Any]) -> None:
    gie, exempt, registered = world["gie"], world["exempt"], world["registered"]
    to_registered = validated(gie, party_for_member(organization=registered), [line("Tenue comptable", "1", "100.00")])
    to_exempt = validated(gie, party_for_member(organization=exempt), [line("Tenue comptable", "1", "100.00")])
    assert to_registered.total_gross == to_exempt.total_gross == D("120.00")
    # GIE: Dr 3463·member 120 / Cr 7124·member 100 / Cr 44551 20, for each
    assert balance(gie, "3463", registered) == balance(gie, "3463", exempt) == D("120.00")
    assert balance(gie, "7124", registered) == D("-100.00")
    assert balance(gie, "44551") == D("-40.00")
    # registered member: Dr 6136·GIE 100, Dr 34554 20 / Cr 4488·GIE 120
    assert (balance(registered, "6136", gie), balance(registered, "34554")) == (D("100.00"), D("20.00"))
    assert balance(registered, "4488", gie) == D("-120.00")
    # exempt member: the VAT is a cost on its own line without a partner, so the pair matches the HT exactly
    assert (balance(exempt, "6136", gie), balance(exempt, "6136")) == (D("100.00"), D("120.00"))
    assert balance(exempt, "4488", gie) == -balance(gie, "3463", exempt)
    assert balance(exempt, "6136", gie) == -balance(gie, "7124", exempt)
    # the member pays by transfer: its VAT becomes deductible (34554 → 34552), the GIE's due (44551 → 4455)
    payment_record(
        payer=party_for_member(organization=registered),
        collected_by=gie,
        documents=[to_registered],
        received_on=date(2026, 10, 12),
        method="transfer",
        amount=D("120.00"),
        idempotency_key="m1",
        today=TODAY,
    )
    assert (balance(registered, "34554"), balance(registered, "34552")) == (D("0.00"), D("20.00"))
    assert (balance(registered, "4488", gie), balance(registered, "5141")) == (D("0.00"), D("-120.00"))
    assert (balance(gie, "3463", registered), balance(gie, "4455")) == (D("0.00"), D("-20.00"))


def test_one_payment_over_a_bundle_is_split_pro_rata_by_largest_remainder(world: dict[str, Any]) -> None:
    gie, exempt, registered, hotel = world["gie"], world["exempt"], world["registered"], world["hotel"]
    bundle = bundle_create(
        customer=hotel,
        issued_on=date(2026, 10, 15),
        reference="BC-HOTEL-7",
        parts=[
            (exempt, [line("Huile d'olive", "1", "100.00")]),  # 100.00
            (registered, [line("Miel", "1", "100.00", "normal-20")]),  # 120.00
            (gie, [line("Livraison", "1", "80.00", kind="service")]),  # 96.00
        ],
    )
    documents = bundle_validate(bundle=bundle, today=TODAY)
    assert [d.total_gross for d in documents] == [D("100.00"), D("120.00"), D("96.00")]  # cover total 316.00
    # 100.00 paid on 316.00: exact shares 31.6456…, 37.9746…, 30.3797… → floors 31.64, 37.97, 30.37 (99.98);
    # the two centimes left go to the largest remainders: 0.0097 (GIE → 30.38) and 0.0056 (olive → 31.65)
    payment = payment_record(
        payer=hotel,
        collected_by=gie,
        documents=documents,
        received_on=date(2026, 10, 20),
        method="transfer",
        amount=D("100.00"),
        idempotency_key="bundle-1",
        today=TODAY,
    )
    assert {a.document.issuer_id: a.amount for a in payment.allocations.all()} == {
        exempt.pk: D("31.65"),
        registered.pk: D("37.97"),
        gie.pk: D("30.38"),
    }
    assert balance(gie, "4463", exempt) == D("-31.65")
    assert balance(registered, "3421") == D("82.03")
    # the registered member's VAT settled: 20.00 × 37.97 / 120.00 = 6.328… → 6.33
    assert balance(registered, "4455") == D("-6.33")


def test_overpayment_is_the_customers_credit_and_can_be_applied_later(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    first = validated(gie, hotel, [line("Conseil", "1", "100.00", kind="service")])  # 120.00
    payment = payment_record(
        payer=hotel,
        collected_by=gie,
        documents=[first],
        received_on=date(2026, 10, 6),
        method="cash",
        amount=D("200.00"),
        idempotency_key="over",
        today=TODAY,
    )
    assert balance(gie, "3421") == D("-80.00")  # 80.00 of credit
    second = validated(gie, hotel, [line("Conseil", "1", "50.00", kind="service")])  # 60.00
    payment_allocate(payment=payment, documents=[second], allocated_on=date(2026, 10, 8), today=TODAY)
    second.refresh_from_db()
    assert (second.balance_due, balance(gie, "3421"), balance(gie, "44551")) == (D("0.00"), D("-20.00"), D("0.00"))


def test_a_draft_can_be_deleted_a_validated_document_cannot(world: dict[str, Any]) -> None:
    draft = document_save_draft(
        issuer=world["gie"], customer=world["hotel"], issued_on=date(2026, 10, 5), lines=[line("X", "1", "1")]
    )
    document_delete_draft(document=draft, acting_user=None)
    assert not Document.objects.filter(pk=draft.pk).exists()
    done = validated(world["gie"], world["hotel"], [line("X", "1", "1")])
    with pytest.raises(DomainError) as error:
        document_delete_draft(document=done, acting_user=None)
    assert error.value.code == ErrorCode.DOCUMENT_NOT_DRAFT


def test_books_verify_after_the_flows(world: dict[str, Any]) -> None:
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Conseil", "3", "33.33", kind="service")])
    payment_record(
        payer=hotel,
        collected_by=gie,
        documents=[invoice],
        received_on=date(2026, 10, 6),
        method="cheque",
        amount=D("50.00"),
        idempotency_key="v",
        today=TODAY,
    )
    payment_cheque_cash(payment=Payment.objects.get(idempotency_key="v"), cashed_on=date(2026, 10, 9), today=TODAY)
    differences, bypassed = verify_balances()
    assert differences == []
    assert not any(bypassed.values())


def test_a_credit_note_while_a_cheque_waits_takes_its_vat_off_the_cheque(world: dict[str, Any]) -> None:
    """Regression: the cheque's VAT was counted as settled, so the credit note took it from 4455, and the books
    showed 4455 in debit (a VAT credit) until the cheque was cashed."""
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Conseil", "1", "100.00")])  # 100 + 20 = 120
    cheque = payment_record(
        payer=hotel,
        collected_by=gie,
        documents=[invoice],
        received_on=date(2026, 10, 6),
        method="cheque",
        amount=D("120.00"),
        reference="CHQ 7",
        idempotency_key="chq",
        today=TODAY,
    )
    credit = credit_note_create(invoice=invoice, issued_on=date(2026, 10, 7))
    document_validate(document_id=credit.pk, today=TODAY)
    assert (balance(gie, "44551"), balance(gie, "4455")) == (D("0.00"), D("0.00"))
    payment_cheque_cash(payment=cheque, cashed_on=date(2026, 10, 9), today=TODAY)
    assert (balance(gie, "44551"), balance(gie, "4455")) == (D("0.00"), D("0.00"))
    assert (balance(gie, "5141"), balance(gie, "3421")) == (D("120.00"), D("-120.00"))  # the customer is owed 120


def test_replays_return_the_first_result_and_a_changed_replay_is_refused(world: dict[str, Any]) -> None:
    from gie_erp.core.errors import IdempotencyConflict
    from invoices.models import Bundle

    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Conseil", "1", "100.00")])
    first = credit_note_create(invoice=invoice, issued_on=date(2026, 10, 7), idempotency_key="cn-1")
    document_validate(document_id=first.pk, today=TODAY)
    assert credit_note_create(invoice=invoice, issued_on=date(2026, 10, 7), idempotency_key="cn-1").pk == first.pk
    other = validated(gie, hotel, [line("Conseil", "1", "50.00")])
    pay = {"payer": hotel, "collected_by": gie, "documents": [other], "received_on": date(2026, 10, 8)}
    one = payment_record(method="cash", amount=D("10.00"), idempotency_key="k", today=TODAY, **pay)
    assert payment_record(method="cash", amount=D("10.00"), idempotency_key="k", today=TODAY, **pay).pk == one.pk
    with pytest.raises(IdempotencyConflict):
        payment_record(method="cash", amount=D("11.00"), idempotency_key="k", today=TODAY, **pay)
    parts = [(world["exempt"], [line("Huile", "1", "10")])]
    bundle = bundle_create(customer=hotel, issued_on=date(2026, 10, 9), parts=parts, idempotency_key="order-1")
    again = bundle_create(customer=hotel, issued_on=date(2026, 10, 9), parts=parts, idempotency_key="order-1")
    assert again.pk == bundle.pk
    assert Bundle.objects.count() == 1


def test_a_batch_validates_all_or_none_and_numbers_in_date_order(world: dict[str, Any]) -> None:
    from invoices.services import documents_validate

    gie, hotel = world["gie"], world["hotel"]
    days = [date(2026, 10, 20), date(2026, 10, 3), date(2026, 10, 11)]
    drafts = [
        document_save_draft(issuer=gie, customer=hotel, issued_on=day, lines=[line("Conseil", "1", "10.00")])
        for day in days
    ]
    member = document_save_draft(
        issuer=world["exempt"], customer=hotel, issued_on=date(2026, 10, 5), lines=[line("Huile", "2", "7.50")]
    )
    broken = document_save_draft(
        issuer=world["exempt"],
        customer=hotel,
        issued_on=date(2026, 10, 6),
        lines=[line("Huile", "1", "1", "normal-20")],
    )
    ids = [d.pk for d in drafts] + [member.pk, broken.pk]
    with pytest.raises(DomainError) as error:
        documents_validate(document_ids=ids, today=TODAY)
    assert error.value.code == ErrorCode.EXEMPT_ISSUER_VAT
    assert Document.objects.filter(pk__in=ids, status=Document.Status.VALIDATED).count() == 0
    assert not DocumentSequence.objects.exists()
    done = documents_validate(document_ids=ids[:4], today=TODAY)
    # numbers follow the dates within the batch: 3 Oct → 00001, 11 Oct → 00002, 20 Oct → 00003
    assert [d.number for d in done] == ["FA-2026-00003", "FA-2026-00001", "FA-2026-00002", "FA-2026-00001"]
    assert balance(gie, "3421") == D("36.00")  # 3 × (10.00 + 2.00)
    assert balance(world["exempt"], "3421") == D("15.00")
    again = documents_validate(document_ids=ids[:4], today=TODAY)
    assert [d.number for d in again] == [d.number for d in done]
    assert Entry.objects.filter(idempotency_key__startswith="invoice:").count() == 4


def test_a_reference_longer_than_its_column_is_refused_in_words_and_records_nothing(world: dict[str, Any]) -> None:
    # regression: a script passing a 106-character reference reached PostgreSQL (varchar 80), which refused it mid-way
    gie, hotel = world["gie"], world["hotel"]
    invoice = validated(gie, hotel, [line("Stand", "1", "100.00", kind="service")])
    with pytest.raises(DomainError) as caught:
        payment_record(
            payer=hotel, collected_by=gie, documents=[invoice], received_on=date(2026, 10, 6), method="transfer",
            amount=D("120.00"), idempotency_key="long", reference="R" * 81, today=TODAY,
        )  # fmt: skip
    assert caught.value.code == ErrorCode.TEXT_TOO_LONG
    assert caught.value.message("fr") == "Texte trop long (référence) : 81 caractères, 80 au plus."
    assert Payment.objects.count() == 0
    assert balance(gie, "3421") == D("120.00")
