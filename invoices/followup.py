"""Customer follow-up: a party's statement of account, the ageing of receivables and the overdue documents a
reminder lists. Reads only.

A party's balance is what it owes the group (+) or what the group owes it (−, a credit): validated invoices add,
credit notes, payments and write-offs take off. A payment counts on the day it is received: the part applied to
documents that day, and the rest as the party's credit (held by the organization that collected it). Applying that
credit to a document later moves nothing in the total; seen from one issuer (the issuer filter), it is a payment of
that issuer's document and a use of the collector's credit. So the ageing of a party on a day always totals the
closing balance of its statement on that day, with or without the same issuer filter.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext

from gie_erp.core.money import ZERO
from invoices.models import Allocation, Document, Party, Payment, WriteOff
from members.models import Organization

#: the order of movements of one day: what is billed first, then what pays it
KIND_ORDER = {
    "invoice": 0,
    "credit_note": 1,
    "payment": 2,
    "unallocated": 3,
    "credit_applied": 4,
    "write_off": 5,
}
#: ageing buckets by days past due: (key, first day, last day); None: open-ended
BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("not_due", None, -1),
    ("days_0_30", 0, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("over_90", 91, None),
)
BUCKET_KEYS = tuple(key for key, _first, _last in BUCKETS)


# --- pure ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Movement:
    """One change of a party's balance (``debit`` it owes more, ``credit`` it owes less); both zero for a line that
    only says what happened (a credit applied to a document of the same organization)."""

    on: date
    kind: str
    issuer_id: int
    reference: str
    label: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    tie: int = 0  # the row's pk: a stable order within a day

    @property
    def signed(self) -> Decimal:
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class StatementLine:
    on: date
    kind: str
    issuer_id: int
    reference: str
    label: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running, opening included


def movement_sort_key(movement: Movement) -> tuple[date, int, int, str, int]:
    return (movement.on, KIND_ORDER.get(movement.kind, 9), movement.issuer_id, movement.reference, movement.tie)


def statement_lines(
    movements: Iterable[Movement], *, start: date, end: date
) -> tuple[Decimal, list[StatementLine], Decimal]:
    """(opening, lines of [start, end] with a running balance, closing): the opening sums what came before
    ``start``; what comes after ``end`` is left out."""
    ordered = sorted(movements, key=movement_sort_key)
    opening = sum((m.signed for m in ordered if m.on < start), ZERO)
    running = opening
    lines = []
    for m in ordered:
        if start <= m.on <= end:
            running += m.signed
            lines.append(StatementLine(m.on, m.kind, m.issuer_id, m.reference, m.label, m.debit, m.credit, running))
    return opening, lines, running


def bucket_of(days_past_due: int) -> str:
    """The ageing bucket of a balance ``days_past_due`` days after its due date (negative: not yet due; the due
    date itself is day 0, in 0–30)."""
    for key, first, last in BUCKETS:
        if (first is None or days_past_due >= first) and (last is None or days_past_due <= last):
            return key
    raise AssertionError(days_past_due)  # the buckets cover every integer


# --- statement of account -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    party: Party
    start: date
    end: date
    issuer: Organization | None
    opening: Decimal
    lines: tuple[StatementLine, ...]
    closing: Decimal
    issuers: dict[int, Organization]  # every organization named by a line (the issuer column)

    @property
    def debit_total(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit_total(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def shows_issuer(self) -> bool:
        """A column of issuers when the party is billed by more than one organization (mandate invoices)."""
        return self.issuer is None and len(self.issuers) > 1


def _document_label(document: Document) -> str:
    if document.kind == Document.Kind.CREDIT_NOTE:
        corrected = document.corrects.number if document.corrects else ""
        return gettext("Avoir %(number)s sur la facture %(invoice)s") % {
            "number": document.number,
            "invoice": corrected,
        }
    return gettext("Facture %(number)s") % {"number": document.number}


def _payment_text(payment: Payment) -> str:
    text = payment.get_method_display()
    return f"{text} {payment.reference}".strip()


def party_movements(*, party: Party, end: date, issuer_id: int | None = None) -> list[Movement]:
    """Every movement of a party's balance up to ``end``; with ``issuer_id``, only those of that organization
    (its documents, payments of them, and the credit it holds as collector)."""
    documents = (
        Document.objects.filter(customer=party, status=Document.Status.VALIDATED, issued_on__lte=end)
        .select_related("corrects")
        .order_by("pk")
    )
    if issuer_id is not None:
        documents = documents.filter(issuer_id=issuer_id)
    out: list[Movement] = []
    for document in documents:
        is_invoice = document.kind == Document.Kind.INVOICE
        out.append(
            Movement(
                on=document.issued_on,
                kind=str(document.kind),
                issuer_id=document.issuer_id,
                reference=document.number,
                label=_document_label(document),
                debit=document.total_gross if is_invoice else ZERO,
                credit=ZERO if is_invoice else document.total_gross,
                tie=document.pk,
            )
        )
    payments = Payment.objects.filter(payer=party, received_on__lte=end).order_by("pk")
    allocations: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in (
        Allocation.objects.filter(payment__in=payments, allocated_on__lte=end).select_related("document").order_by("pk")
    ):
        allocations[allocation.payment_id].append(allocation)
    for payment in payments:
        out += _payment_movements(payment, allocations[payment.pk], issuer_id)
    write_offs = WriteOff.objects.filter(document__customer=party, written_on__lte=end).select_related("document")
    if issuer_id is not None:
        write_offs = write_offs.filter(document__issuer_id=issuer_id)
    for write_off in write_offs.order_by("pk"):
        out.append(
            Movement(
                on=write_off.written_on,
                kind="write_off",
                issuer_id=write_off.document.issuer_id,
                reference=write_off.document.number,
                label=gettext("Écart de règlement passé en perte sur %(number)s")
                % {"number": write_off.document.number},
                credit=write_off.amount,
                tie=write_off.pk,
            )
        )
    return out


def _payment_movements(payment: Payment, allocations: Sequence[Allocation], issuer_id: int | None) -> list[Movement]:
    """A payment: the parts applied on the day it was received, the rest as the collector's credit; a later use of
    that credit is a payment for the document's issuer and a debit of the collector's credit (one line saying so
    when both are the same, or when every issuer is shown)."""
    collector = payment.collected_by_id
    text = _payment_text(payment)
    reference = payment.reference or f"PAY-{payment.pk}"
    out: list[Movement] = []
    at_receipt = [a for a in allocations if a.allocated_on == payment.received_on]
    for allocation in at_receipt:
        if issuer_id in (None, allocation.document.issuer_id):
            out.append(
                Movement(
                    on=payment.received_on,
                    kind="payment",
                    issuer_id=allocation.document.issuer_id,
                    reference=reference,
                    label=gettext("Règlement %(payment)s : %(number)s")
                    % {"payment": text, "number": allocation.document.number},
                    credit=allocation.amount,
                    tie=allocation.pk,
                )
            )
    rest = payment.amount - sum((a.amount for a in at_receipt), ZERO)
    if rest and issuer_id in (None, collector):
        out.append(
            Movement(
                on=payment.received_on,
                kind="unallocated",
                issuer_id=collector,
                reference=reference,
                label=gettext("Règlement %(payment)s non affecté (avoir du client)") % {"payment": text},
                credit=rest,
                tie=payment.pk,
            )
        )
    for allocation in allocations:
        if allocation.allocated_on == payment.received_on:
            continue
        owner = allocation.document.issuer_id
        if issuer_id is None or issuer_id == owner == collector:
            side, debit, credit = owner, ZERO, ZERO  # the credit meets a document of its holder: nothing moves
        elif issuer_id == owner:
            side, debit, credit = owner, ZERO, allocation.amount
        elif issuer_id == collector:
            side, debit, credit = collector, allocation.amount, ZERO
        else:
            continue
        out.append(
            Movement(
                on=allocation.allocated_on,
                kind="credit_applied",
                issuer_id=side,
                reference=reference,
                label=gettext("Avoir du client affecté à %(number)s") % {"number": allocation.document.number},
                debit=debit,
                credit=credit,
                tie=allocation.pk,
            )
        )
    return out


def statement_of_account(*, party: Party, start: date, end: date, issuer: Organization | None = None) -> Statement:
    """A party's statement over [start, end]: the opening balance, every movement in date order with a running
    balance, the closing balance; every issuer, or one (``issuer``)."""
    movements = party_movements(party=party, end=end, issuer_id=issuer.pk if issuer is not None else None)
    opening, lines, closing = statement_lines(movements, start=start, end=end)
    named = {line.issuer_id for line in lines} | ({issuer.pk} if issuer is not None else set())
    issuers = Organization.objects.in_bulk(named)
    return Statement(party, start, end, issuer, opening, tuple(lines), closing, issuers)


def party_issuers(*, party: Party) -> list[Organization]:
    """The organizations that billed this party or collected its money (the choices of the issuer filter)."""
    ids = set(
        Document.objects.filter(customer=party, status=Document.Status.VALIDATED).values_list("issuer_id", flat=True)
    )
    ids |= set(Payment.objects.filter(payer=party).values_list("collected_by_id", flat=True))
    return list(Organization.objects.filter(pk__in=ids).order_by("kind", "legal_name_fr"))


# --- ageing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice and what was still due on it on a day."""

    document: Document
    balance: Decimal
    due_on: date
    days_past_due: int


def open_invoices(*, as_of: date, issuer: Organization | None = None, party: Party | None = None) -> list[OpenInvoice]:
    """Validated invoices dated up to ``as_of`` with a balance other than zero on that day: their total less the
    credit notes, allocations and write-offs dated up to ``as_of`` (what is dated later did not exist yet)."""
    invoices = Document.objects.filter(
        kind=Document.Kind.INVOICE, status=Document.Status.VALIDATED, issued_on__lte=as_of
    ).select_related("customer", "issuer")
    if issuer is not None:
        invoices = invoices.filter(issuer=issuer)
    if party is not None:
        invoices = invoices.filter(customer=party)
    credited = _sums(
        Document.objects.filter(
            kind=Document.Kind.CREDIT_NOTE,
            status=Document.Status.VALIDATED,
            issued_on__lte=as_of,
            corrects__in=invoices,
        ),
        "corrects_id",
        "total_gross",
    )
    paid = _sums(Allocation.objects.filter(document__in=invoices, allocated_on__lte=as_of), "document_id", "amount")
    written = _sums(WriteOff.objects.filter(document__in=invoices, written_on__lte=as_of), "document_id", "amount")
    out = []
    for invoice in invoices.order_by("due_on", "issued_on", "pk"):
        pk = invoice.pk
        balance = invoice.total_gross - credited.get(pk, ZERO) - paid.get(pk, ZERO) - written.get(pk, ZERO)
        if balance:
            due_on = invoice.due_on or invoice.issued_on
            out.append(OpenInvoice(invoice, balance, due_on, (as_of - due_on).days))
    return out


def _sums(qs: QuerySet[Any], key: str, field: str) -> dict[int, Decimal]:
    """``field`` summed per ``key`` in one grouped query."""
    rows = qs.values(key).annotate(total=Sum(field)).order_by().values_list(key, "total")
    return {pk: total or ZERO for pk, total in rows}


def unallocated_credit(
    *, as_of: date, issuer: Organization | None = None, party: Party | None = None
) -> dict[int, Decimal]:
    """Per payer (party id): what its payments received up to ``as_of`` left unapplied on that day (held by the
    organization that collected them; ``issuer`` keeps that collector's only)."""
    payments = Payment.objects.filter(received_on__lte=as_of)
    if issuer is not None:
        payments = payments.filter(collected_by=issuer)
    if party is not None:
        payments = payments.filter(payer=party)
    received = _sums(payments, "payer_id", "amount")
    applied = _sums(
        Allocation.objects.filter(payment__in=payments, allocated_on__lte=as_of), "payment__payer_id", "amount"
    )
    return {pk: amount - applied.get(pk, ZERO) for pk, amount in received.items() if amount != applied.get(pk, ZERO)}


@dataclass(frozen=True, slots=True)
class AgeingRow:
    """One customer's open balance by days past due; ``credit`` (negative) is what it is owed: unapplied payments
    and invoices credited beyond their balance."""

    party: Party | None  # None: the totals row
    not_due: Decimal = ZERO
    days_0_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def buckets(self) -> tuple[Decimal, ...]:
        return (self.not_due, self.days_0_30, self.days_31_60, self.days_61_90, self.over_90)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO) + self.credit


@dataclass(frozen=True, slots=True)
class Ageing:
    as_of: date
    rows: tuple[AgeingRow, ...]
    totals: AgeingRow


def ageing_row(party: Party | None, invoices: Iterable[OpenInvoice], credit: Decimal = ZERO) -> AgeingRow:
    """A customer's balances by bucket: each open invoice in its bucket; a negative one joins the credit column."""
    sums: dict[str, Decimal] = dict.fromkeys(BUCKET_KEYS, ZERO)
    for item in invoices:
        if item.balance < 0:
            credit += item.balance
        else:
            sums[bucket_of(item.days_past_due)] += item.balance
    return AgeingRow(party, credit=credit, **sums)


def ageing_totals(rows: Sequence[AgeingRow]) -> AgeingRow:
    """The totals row: each column is the sum of the rows above it."""
    sums = {key: sum((getattr(row, key) for row in rows), ZERO) for key in (*BUCKET_KEYS, "credit")}
    return AgeingRow(None, **sums)


def ageing(*, as_of: date, issuer: Organization | None = None, party: Party | None = None) -> Ageing:
    """Per customer, the open balance on ``as_of`` split by days past each invoice's due date (not yet due, 0–30,
    31–60, 61–90, over 90), with its unapplied credit; documents and allocations dated after ``as_of`` are left out.
    The totals are the sums of the rows; a customer's total is its statement's balance on that day."""
    by_party: dict[int, list[OpenInvoice]] = defaultdict(list)
    parties: dict[int, Party] = {}
    for item in open_invoices(as_of=as_of, issuer=issuer, party=party):
        by_party[item.document.customer_id].append(item)
        parties[item.document.customer_id] = item.document.customer
    credits = unallocated_credit(as_of=as_of, issuer=issuer, party=party)
    parties.update(Party.objects.in_bulk(set(credits) - set(parties)))
    rows = [ageing_row(parties[pk], by_party.get(pk, []), -credits.get(pk, ZERO)) for pk in parties]
    rows = [row for row in rows if any(row.buckets) or row.credit]
    rows.sort(key=lambda row: (row.party.legal_name_fr.casefold(), row.party.pk) if row.party else ("", 0))
    return Ageing(as_of, tuple(rows), ageing_totals(rows))


# --- reminders ----------------------------------------------------------------------------------------------------


def overdue_invoices(*, party: Party, as_of: date) -> list[OpenInvoice]:
    """A party's invoices still owed on ``as_of`` whose due date has passed (due before ``as_of``), oldest first."""
    return [item for item in open_invoices(as_of=as_of, party=party) if item.balance > 0 and item.due_on < as_of]


def overdue_documents(*, party: Party, as_of: date) -> list[Document]:
    """The documents a reminder letter lists: :func:`overdue_invoices`, as documents."""
    return [item.document for item in overdue_invoices(party=party, as_of=as_of)]
