"""Invoicing actions on money: payments recorded and applied to documents (by hand or pro rata), a payer's credit
applied later, cheques cashed, small rests written off. Cash-basis VAT moves from 44551 to 4455 (and a member's from
34554 to 34552) once the money is in. Documents themselves are drafted, validated and credited in
``invoices/services.py``."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode, IdempotencyConflict
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import ZERO, allocate, to_mad
from invoices import postings
from invoices.models import Allocation, Document, DocumentTax, IssuerSettings, Party, Payment, WriteOff
from invoices.totals import vat_settled_by
from ledger.posting import EntryDraft
from ledger.services import journal_entries_post
from members.models import Organization


def _settle(document: Document, amount: Decimal) -> dict[str, str]:
    """Apply ``amount`` to an invoice's balance: the VAT it settles per rate (cash basis), recorded on the taxes."""
    taxes = list(DocumentTax.objects.select_for_update().filter(document=document))
    if document.vat_regime == IssuerSettings.VatRegime.ACCRUAL:
        settled = {tax.vat_rate_id: ZERO for tax in taxes}
    else:
        settled = vat_settled_by(
            paid=amount,
            balance_due=document.balance_due,
            in_transit={tax.vat_rate_id: tax.vat_in_transit for tax in taxes},
        )
    for tax in taxes:
        if settled[tax.vat_rate_id]:
            DocumentTax.objects.filter(pk=tax.pk).update(vat_settled=F("vat_settled") + settled[tax.vat_rate_id])
    Document.objects.filter(pk=document.pk).update(amount_paid=F("amount_paid") + amount)
    return {str(rate_id): str(vat) for rate_id, vat in settled.items() if vat}


def _record_moved(document: Document, vat_by_rate: Mapping[str, str]) -> None:
    """The money is in: the VAT these allocations settled is now on 4455."""
    for rate_id, vat in vat_by_rate.items():
        if Decimal(vat):
            DocumentTax.objects.filter(document=document, vat_rate_id=int(rate_id)).update(
                vat_moved=F("vat_moved") + Decimal(vat)
            )


def _documents_for_update(ids: Sequence[int]) -> list[Document]:
    return list(
        Document.objects.select_for_update(of=("self",))
        .select_related("issuer", "customer", "customer__organization")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def _plan(
    payment: Payment, documents: list[Document], amounts: Mapping[int, Decimal] | None, available: Decimal
) -> list[tuple[Document, Decimal]]:
    """Check and complete an allocation: by hand (``amounts``), or pro rata of what each document still owes by
    largest remainder, up to what is available."""
    for document in documents:
        if document.kind != Document.Kind.INVOICE or document.is_draft:
            raise DomainError(ErrorCode.DOCUMENT_NOT_VALIDATED, number=str(document))
        if document.customer_id != payment.payer_id:
            raise DomainError(ErrorCode.ALLOCATION_WRONG_PARTY, number=document.number)
        if payment.collected_by_id not in {document.issuer_id, _gie_id()}:
            raise DomainError(ErrorCode.PAYMENT_COLLECTOR, number=document.number)
    if amounts is None:
        due = {document.pk: document.balance_due for document in documents if document.balance_due > 0}
        target = min(available, sum(due.values(), ZERO))
        amounts = allocate(target, due) if target > 0 else {}
    plan = []
    for document in documents:
        amount = to_mad(amounts.get(document.pk, ZERO))
        if amount <= 0:
            continue
        if amount > document.balance_due:
            raise DomainError(
                ErrorCode.ALLOCATION_TOO_LARGE,
                amount=format_amount(amount),
                number=document.number,
                left=format_amount(document.balance_due),
            )
        plan.append((document, amount))
    allocated = sum((amount for _doc, amount in plan), ZERO)
    if allocated > available:
        raise DomainError(
            ErrorCode.ALLOCATION_EXCEEDS_PAYMENT, allocated=format_amount(allocated), amount=format_amount(available)
        )
    return plan


def _gie_id() -> int | None:
    return Organization.objects.filter(kind=Organization.Kind.GIE).values_list("pk", flat=True).first()


def _apply(
    payment: Payment, plan: list[tuple[Document, Decimal]], on: date
) -> tuple[list[Allocation], list[EntryDraft]]:
    """Record the allocations and, when the money is in, the VAT they move (cash basis)."""
    allocations = []
    vat_drafts: list[EntryDraft] = []
    organizations = {payment.collected_by_id} | ({payment.payer.organization_id} - {None})
    organizations |= {document.issuer_id for document, _amount in plan}
    organizations |= {document.customer.organization_id for document, _amount in plan} - {None}
    books = postings.books_of(organizations)
    for document, amount in plan:
        settled = _settle(document, amount)
        allocation = Allocation.objects.create(
            payment=payment, document=document, amount=amount, allocated_on=on, vat_by_rate=settled
        )
        allocations.append(allocation)
        if payment.is_cash_in:
            _record_moved(document, settled)
            vat = sum((Decimal(v) for v in settled.values()), ZERO)
            vat_drafts += postings.vat_move_drafts(
                document,
                vat,
                books,
                key=f"payment:{payment.pk}:{allocation.pk}",
                posted_on=on,
                ref=payment.reference or f"PAY-{payment.pk}",
            )
    return allocations, vat_drafts


def allocated_total(payment: Payment) -> Decimal:
    return sum(payment.allocations.values_list("amount", flat=True), ZERO)


def _check_lengths(**texts: str) -> None:
    """A text longer than its column: refused in words before any write (PostgreSQL would refuse it mid-way)."""
    for name, text in texts.items():
        column = Payment._meta.get_field(name)
        assert isinstance(column, models.CharField)
        limit = column.max_length
        if limit is not None and len(text) > limit:
            raise DomainError(ErrorCode.TEXT_TOO_LONG, field=column.verbose_name, length=len(text), limit=limit)


@transaction.atomic
def payment_record(
    *,
    payer: Party,
    collected_by: Organization,
    received_on: date,
    method: str,
    amount: Decimal,
    idempotency_key: str,
    documents: Sequence[Document] = (),
    amounts: Mapping[int, Decimal] | None = None,
    reference: str = "",
    note: str = "",
    acting_user: Any = None,
    today: date | None = None,
) -> Payment:
    """Record money received and apply it to documents (by hand, or pro rata of what each still owes); what is
    left is the payer's credit. Posted in every book it touches; once per (collector, key)."""
    _check_lengths(reference=reference, note=note)
    existing = Payment.objects.filter(collected_by=collected_by, idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replayed(existing, payer=payer, received_on=received_on, method=method, amount=amount)
    try:
        with transaction.atomic():  # a concurrent twin with the same key: answered as a replay below
            payment = Payment.objects.create(
                payer=payer,
                collected_by=collected_by,
                received_on=received_on,
                method=method,
                amount=amount,
                reference=reference,
                note=note,
                idempotency_key=idempotency_key,
                created_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
    except IntegrityError:
        winner = Payment.objects.get(collected_by=collected_by, idempotency_key=idempotency_key)
        return _replayed(winner, payer=payer, received_on=received_on, method=method, amount=amount)
    ids = [document.pk for document in documents] or list((amounts or {}).keys())
    plan = _plan(payment, _documents_for_update(ids), amounts, amount)
    unallocated = amount - sum((a for _d, a in plan), ZERO)
    if method == Payment.Method.OFFSET:
        _check_offset(payer, collected_by, unallocated)
    _allocations, vat_drafts = _apply(payment, plan, received_on)
    organizations = {collected_by.pk} | ({payer.organization_id} - {None}) | {d.issuer_id for d, _a in plan}
    books = postings.books_of(organizations)
    drafts = postings.settlement_drafts(
        payment, plan, books, key=f"payment:{payment.pk}:receipt", posted_on=received_on, unallocated=unallocated
    )
    journal_entries_post(drafts=drafts + vat_drafts, acting_user=acting_user, today=today)
    audit_record(
        actor=acting_user,
        event="invoices.payment_recorded",
        target=payment,
        tenant_id=collected_by.pk,
        data={"amount": str(amount), "documents": [d.number for d, _a in plan], "method": method},
    )
    return payment


def _check_offset(payer: Party, collected_by: Organization, unallocated: Decimal) -> None:
    """A compensation nets what the GIE owes a member against that member's invoices, and nothing else: no money
    moves, so nothing may be left over as a credit."""
    if payer.organization_id is None or not collected_by.is_gie:
        raise DomainError(ErrorCode.OFFSET_NOT_MEMBER)
    if unallocated:
        raise DomainError(ErrorCode.OFFSET_NOT_ALLOCATED, amount=format_amount(unallocated))


def _replayed(payment: Payment, *, payer: Party, received_on: date, method: str, amount: Decimal) -> Payment:
    """The first payment recorded under a key, if the replay says the same thing; else the key is refused."""
    same = (payment.payer_id, payment.received_on, payment.method, payment.amount) == (
        payer.pk,
        received_on,
        method,
        amount,
    )
    if not same:
        raise IdempotencyConflict(payment.idempotency_key)
    return payment


@transaction.atomic
def payment_allocate(
    *,
    payment: Payment,
    documents: Sequence[Document] = (),
    amounts: Mapping[int, Decimal] | None = None,
    allocated_on: date,
    acting_user: Any = None,
    today: date | None = None,
) -> list[Allocation]:
    """Apply a payer's credit (the unallocated rest of a payment) to documents issued since."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("payer", "collected_by").get(pk=payment.pk)
    available = payment.amount - allocated_total(payment)
    ids = [document.pk for document in documents] or list((amounts or {}).keys())
    plan = _plan(payment, _documents_for_update(ids), amounts, available)
    if not plan:
        return []
    allocations, vat_drafts = _apply(payment, plan, allocated_on)
    organizations = {payment.collected_by_id} | {d.issuer_id for d, _a in plan}
    books = postings.books_of(organizations)
    key = f"payment:{payment.pk}:alloc:{allocations[0].pk}"
    drafts = postings.settlement_drafts(
        payment, plan, books, key=key, posted_on=allocated_on, source=postings.credit_account(payment)
    )
    journal_entries_post(drafts=drafts + vat_drafts, acting_user=acting_user, today=today)
    audit_record(
        actor=acting_user,
        event="invoices.payment_allocated",
        target=payment,
        tenant_id=payment.collected_by_id,
        data={"documents": [d.number for d, _a in plan], "amount": str(sum((a for _d, a in plan), ZERO))},
    )
    return allocations


@transaction.atomic
def payment_cheque_cash(
    *, payment: Payment, cashed_on: date, acting_user: Any = None, today: date | None = None
) -> Payment:
    """A cheque is cashed: 5111 → bank, and the VAT its allocations settle becomes due (cash basis)."""
    payment = Payment.objects.select_for_update(of=("self",)).select_related("payer", "collected_by").get(pk=payment.pk)
    if payment.method != Payment.Method.CHEQUE or payment.cashed_on is not None:
        raise DomainError(ErrorCode.CHEQUE_NOT_PENDING)
    if cashed_on < payment.received_on:
        raise DomainError(ErrorCode.CHEQUE_CASHED_BEFORE, date=payment.received_on.isoformat())
    payment.cashed_on = cashed_on
    payment.save(update_fields=["cashed_on"])
    allocations = list(payment.allocations.select_related("document", "document__customer", "document__issuer"))
    books = postings.books_of(
        [payment.collected_by_id]
        + [a.document.issuer_id for a in allocations]
        + [a.document.customer.organization_id for a in allocations]
    )
    drafts = [postings.cheque_cashed_draft(payment, books, posted_on=cashed_on)]
    for allocation in allocations:
        _record_moved(allocation.document, allocation.vat_by_rate)
        vat = sum((Decimal(v) for v in allocation.vat_by_rate.values()), ZERO)
        drafts += postings.vat_move_drafts(
            allocation.document,
            vat,
            books,
            key=f"payment:{payment.pk}:{allocation.pk}",
            posted_on=cashed_on,
            ref=payment.reference or f"PAY-{payment.pk}",
        )
    journal_entries_post(drafts=drafts, acting_user=acting_user, today=today)
    audit_record(
        actor=acting_user,
        event="invoices.cheque_cashed",
        target=payment,
        tenant_id=payment.collected_by_id,
        data={"amount": str(payment.amount), "reference": payment.reference},
    )
    return payment


def write_off_tolerance() -> Decimal:
    return to_mad(str(settings.GIE_INVOICE_WRITE_OFF_TOLERANCE))


@transaction.atomic
def document_write_off(
    *, document: Document, written_on: date, reason: str = "", acting_user: Any = None, today: date | None = None
) -> WriteOff:
    """Close an outside customer's invoice whose small rest (within the tolerance) will not be paid."""
    (document,) = _documents_for_update([document.pk])
    if document.kind != Document.Kind.INVOICE or document.is_draft:
        raise DomainError(ErrorCode.DOCUMENT_NOT_VALIDATED, number=str(document))
    if document.customer.organization_id is not None:
        raise DomainError(ErrorCode.WRITE_OFF_MEMBER)
    amount = document.balance_due
    if amount <= 0 or amount > write_off_tolerance():
        raise DomainError(
            ErrorCode.WRITE_OFF_TOO_LARGE, amount=format_amount(amount), tolerance=format_amount(write_off_tolerance())
        )
    taxes = list(DocumentTax.objects.select_for_update().filter(document=document))
    cash = document.vat_regime != IssuerSettings.VatRegime.ACCRUAL
    in_transit = {tax.vat_rate_id: tax.vat_in_transit for tax in taxes}
    if cash:
        reduced = vat_settled_by(paid=amount, balance_due=amount, in_transit=in_transit)
    else:  # débits: the VAT of the unpaid part, pro rata of the document's VAT
        reduced = (
            dict(
                zip(
                    in_transit,
                    allocate(
                        to_mad(amount * document.total_vat / document.total_gross),
                        {tax.vat_rate_id: tax.vat for tax in taxes},
                    ).values(),
                    strict=True,
                )
            )
            if document.total_vat
            else {}
        )
    for tax in taxes:
        if cash and reduced.get(tax.vat_rate_id):
            DocumentTax.objects.filter(pk=tax.pk).update(vat_reduced=F("vat_reduced") + reduced[tax.vat_rate_id])
    Document.objects.filter(pk=document.pk).update(amount_written_off=F("amount_written_off") + amount)
    write_off = WriteOff.objects.create(
        document=document,
        amount=amount,
        written_on=written_on,
        reason=reason,
        vat_by_rate={str(k): str(v) for k, v in reduced.items() if v},
    )
    vat = sum(reduced.values(), ZERO)
    draft = postings.write_off_draft(
        document,
        amount,
        vat,
        postings.books_of({document.issuer_id}),
        key=f"invoice:{document.pk}:writeoff:{write_off.pk}",
        posted_on=written_on,
        loss_account=postings.accounts.PAYMENT_DIFFERENCES,
    )
    journal_entries_post(drafts=[draft], acting_user=acting_user, today=today)
    audit_record(
        actor=acting_user,
        event="invoices.written_off",
        target=document,
        tenant_id=document.issuer_id,
        data={"amount": str(amount), "reason": reason},
    )
    return write_off
