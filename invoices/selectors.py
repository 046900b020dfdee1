"""Reads of invoices and payments, always scoped to what the acting user may see. A miss is a 404, never a 403.

GIE staff and the auditor read every document; a cooperative's representative reads the documents issued in its
name (mandate) and those addressed to it; nobody else reads any."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Round
from django.http import Http404

from gie_erp.core.money import ZERO, to_mad
from gie_erp.core.roles import Role, sees_all_books
from invoices.models import Bundle, Document, Party, Payment
from ledger.models import Entry
from members.selectors import search_pattern

PAYMENT_STATES = ("paid", "partly_paid", "unpaid")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or sees_all_books(user.role))


def _representative_of(user: Any) -> int | None:
    """The organization a representative acts for, or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.COOP_REPRESENTATIVE:
        return None
    organization_id: int | None = user.organization_id
    return organization_id


def _with_left(qs: QuerySet[Document]) -> QuerySet[Document]:
    """``left``: what the customer still owes on a validated invoice (``Document.balance_due`` in SQL), else 0."""
    owed = Round(  # SQLite computes decimals in floating point: 5230.06 − 5230.00 − 0.06 is not 0 there
        ExpressionWrapper(
            F("total_gross") - F("amount_credited") - F("amount_paid") - F("amount_written_off"), output_field=_MONEY
        ),
        2,
        output_field=_MONEY,
    )
    return qs.annotate(
        left=Case(
            When(kind=Document.Kind.INVOICE, status=Document.Status.VALIDATED, then=owed),
            default=Value(ZERO),
            output_field=_MONEY,
        )
    )


def document_qs_visible(*, user: Any) -> QuerySet[Document]:
    """Every document for the GIE's staff and auditor; a representative's mandate invoices and those addressed to
    its cooperative; none for anyone else."""
    qs = Document.objects.select_related("issuer", "customer", "customer__organization")
    if _is_staff(user):
        return qs
    organization_id = _representative_of(user)
    if organization_id is None:
        return qs.none()
    return qs.filter(Q(issuer_id=organization_id) | Q(customer__organization_id=organization_id))


def document_get(*, user: Any, document_id: int) -> Document:
    try:
        return document_qs_visible(user=user).get(pk=document_id)
    except Document.DoesNotExist:
        raise Http404 from None


def document_search(
    *,
    user: Any,
    issuer: int | None = None,
    customer: int | None = None,
    kind: str = "",
    status: str = "",
    payment_state: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    overdue: bool = False,
    query: str = "",
    today: date | None = None,
) -> QuerySet[Document]:
    """The documents ``user`` may read, newest first, annotated with ``left`` (left to pay). ``payment_state`` is
    paid, partly_paid or unpaid (validated invoices only); ``overdue`` keeps invoices still owed after their due
    date (``today``); ``query`` looks in the number, the customer's names, code and ICE, and the note. Unknown
    values filter nothing."""
    qs = _with_left(document_qs_visible(user=user))
    if issuer is not None:
        qs = qs.filter(issuer_id=issuer)
    if customer is not None:
        qs = qs.filter(customer_id=customer)
    if kind in Document.Kind.values:
        qs = qs.filter(kind=kind)
    if status in Document.Status.values:
        qs = qs.filter(status=status)
    if date_from is not None:
        qs = qs.filter(issued_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(issued_on__lte=date_to)
    invoices = Q(kind=Document.Kind.INVOICE, status=Document.Status.VALIDATED)
    if payment_state == "paid":
        qs = qs.filter(invoices, Q(left__lte=0))
    elif payment_state == "partly_paid":
        qs = qs.filter(invoices, Q(left__gt=0)).filter(Q(amount_paid__gt=0) | Q(amount_credited__gt=0))
    elif payment_state == "unpaid":
        qs = qs.filter(invoices, Q(left__gt=0), amount_paid=0, amount_credited=0)
    if overdue and today is not None:
        qs = qs.filter(invoices, Q(left__gt=0), due_on__lt=today)
    if query:
        pattern = search_pattern(query)
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(customer__legal_name_fr__iregex=pattern)
            | Q(customer__legal_name_ar__iregex=pattern)
            | Q(customer__code__icontains=query)
            | Q(customer__ice__startswith=query)
            | Q(note__icontains=query)
        )
    return qs.order_by("-issued_on", "-pk")


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    """The sums of a list of documents; a credit note counts negative (it takes off what an invoice added)."""

    count: int
    net: Decimal
    vat: Decimal
    gross: Decimal
    paid: Decimal
    left: Decimal


def document_totals(documents: QuerySet[Document]) -> DocumentTotals:
    """One query over the filtered list (``document_search``), whatever its length."""

    def signed(field: str) -> Any:
        return Coalesce(
            Sum(
                Case(
                    When(kind=Document.Kind.CREDIT_NOTE, then=-F(field)),
                    default=F(field),
                    output_field=_MONEY,
                )
            ),
            Value(ZERO),
            output_field=_MONEY,
        )

    sums = documents.order_by().aggregate(  # names of their own: an aggregate named like an annotation replaces it
        sum_net=signed("total_net"),
        sum_vat=signed("total_vat"),
        sum_gross=signed("total_gross"),
        sum_paid=Coalesce(Sum("amount_paid"), Value(ZERO), output_field=_MONEY),
        sum_left=Coalesce(Sum("left"), Value(ZERO), output_field=_MONEY),
    )
    return DocumentTotals(
        count=documents.count(),
        net=to_mad(sums["sum_net"]),
        vat=to_mad(sums["sum_vat"]),
        gross=to_mad(sums["sum_gross"]),
        paid=to_mad(sums["sum_paid"]),
        left=to_mad(sums["sum_left"]),
    )


def document_list_open(*, user: Any, customer: Party) -> list[Document]:
    """The validated invoices ``customer`` still owes something on, oldest first (the payment form's list)."""
    qs = _with_left(document_qs_visible(user=user)).filter(
        Q(left__gt=0), customer=customer, kind=Document.Kind.INVOICE, status=Document.Status.VALIDATED
    )
    return list(qs.order_by("issued_on", "pk"))


def document_entries(document: Document) -> list[Entry]:
    """The ledger entries a document posted (its own, its buyer's, write-offs) and those of the payments allocated
    to it, in every book they touch, by date."""
    prefix = "credit_note" if document.kind == Document.Kind.CREDIT_NOTE else "invoice"
    keys = Q(idempotency_key__startswith=f"{prefix}:{document.pk}:")
    for payment_id, allocation_id in document.allocations.values_list("payment_id", "pk"):
        keys |= Q(idempotency_key__startswith=f"payment:{payment_id}:{allocation_id}:")
    organizations = [org for org in (document.issuer_id, document.customer.organization_id) if org is not None]
    return list(
        Entry.objects.select_related("book__organization")
        .filter(keys, book__organization_id__in=organizations)
        .order_by("posted_on", "number")
    )


def party_documents(party: Party) -> QuerySet[Document]:
    """Every document addressed to a party, newest first, with ``left`` (the party's file in the register)."""
    return _with_left(Document.objects.select_related("issuer", "customer").filter(customer=party)).order_by(
        "-issued_on", "-pk"
    )


def bundle_get(*, user: Any, bundle_id: int) -> Bundle:
    """A bundle, for the GIE's staff only (it spans several cooperatives)."""
    if not _is_staff(user):
        raise Http404
    try:
        return Bundle.objects.select_related("customer").get(pk=bundle_id)
    except Bundle.DoesNotExist:
        raise Http404 from None


# Payments ----------------------------------------------------------------------------------------------------------


def payment_qs_visible(*, user: Any) -> QuerySet[Payment]:
    """Every payment for the GIE's staff and auditor; a representative's: those allocated to documents it may see;
    none for anyone else."""
    qs = Payment.objects.select_related("payer", "collected_by")
    if _is_staff(user):
        return qs
    if _representative_of(user) is None:
        return qs.none()
    visible = document_qs_visible(user=user).values("pk")
    return qs.filter(pk__in=Payment.objects.filter(allocations__document__in=visible).values("pk"))


def payment_get(*, user: Any, payment_id: int) -> Payment:
    try:
        return payment_qs_visible(user=user).get(pk=payment_id)
    except Payment.DoesNotExist:
        raise Http404 from None


def payment_search(
    *,
    user: Any,
    payer: int | None = None,
    method: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    cheques_pending: bool = False,
    query: str = "",
) -> QuerySet[Payment]:
    """Payments ``user`` may read, newest first, annotated with ``allocated`` (what is applied to documents) and
    ``unallocated`` (the payer's credit left on it)."""
    qs = payment_qs_visible(user=user).annotate(
        allocated=Coalesce(Sum("allocations__amount"), Value(ZERO), output_field=_MONEY),
        unallocated=ExpressionWrapper(F("amount") - F("allocated"), output_field=_MONEY),
    )
    if payer is not None:
        qs = qs.filter(payer_id=payer)
    if method in Payment.Method.values:
        qs = qs.filter(method=method)
    if date_from is not None:
        qs = qs.filter(received_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(received_on__lte=date_to)
    if cheques_pending:
        qs = qs.filter(method=Payment.Method.CHEQUE, cashed_on__isnull=True)
    if query:
        pattern = search_pattern(query)
        qs = qs.filter(
            Q(reference__icontains=query)
            | Q(payer__legal_name_fr__iregex=pattern)
            | Q(payer__legal_name_ar__iregex=pattern)
            | Q(payer__code__icontains=query)
        )
    return qs.order_by("-received_on", "-pk")


def payment_entries(payment: Payment) -> list[Entry]:
    """The ledger entries a payment posted (receipt, allocations, the cheque cashed, VAT moves), by date."""
    return list(
        Entry.objects.select_related("book__organization")
        .filter(idempotency_key__startswith=f"payment:{payment.pk}:")
        .order_by("posted_on", "number")
    )
