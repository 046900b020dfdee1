"""Drafts in bulk, for the jobs that bill every member at once (a fee run over 1,600 members): the same drafts as
``services.document_save_draft`` — lines, amounts, terms, idempotency per key, audit — written in a handful of
statements instead of a dozen per document. Validation stays ``services.documents_validate`` (already in bulk)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from gie_erp.core.audit import audit_record_many
from gie_erp.core.errors import DomainError, ErrorCode
from invoices.lines import LineInput, line_rows
from invoices.models import Document, DocumentLine, Party, VatRate
from invoices.services import _default_terms
from invoices.totals import LineAmounts, document_totals
from members.models import Organization


@dataclass(frozen=True, slots=True)
class DraftInput:
    """One document of a batch: to whom, what, and its idempotency key (required: a batch is replayed whole)."""

    customer: Party
    lines: Sequence[LineInput]
    idempotency_key: str


@transaction.atomic
def documents_save_drafts(
    *,
    issuer: Organization,
    issued_on: date,
    drafts: Sequence[DraftInput],
    note: str = "",
    origin: str = Document.Origin.MANUAL,
    origin_ref: str = "",
    analytic_tag: str = "",
    expense_account: str = "",
    acting_user: Any = None,
) -> list[Document]:
    """Create the drafts of a batch, in the order given; a key already used returns its document unchanged."""
    keys = [d.idempotency_key for d in drafts]
    if not all(keys) or len(set(keys)) != len(keys):
        raise ValueError("every draft of a batch needs its own idempotency key")
    if any(d.customer.organization_id is not None for d in drafts) and not issuer.is_gie:
        raise DomainError(ErrorCode.MANDATE_TO_MEMBER)
    existing = {d.idempotency_key: d for d in Document.objects.filter(issuer=issuer, idempotency_key__in=keys)}
    rates: dict[str, VatRate] = {}
    actor = acting_user if getattr(acting_user, "pk", None) else None
    new_documents: list[Document] = []
    new_lines: list[list[DocumentLine]] = []
    for draft in drafts:
        if draft.idempotency_key in existing:
            continue
        lines = line_rows(issuer, issued_on, draft.lines, rates)
        totals = document_totals((row.vat_rate_id, LineAmounts(row.net, row.vat)) for row in lines)
        customer = draft.customer
        new_documents.append(
            Document(
                issuer=issuer,
                customer=customer,
                kind=Document.Kind.INVOICE,
                issued_on=issued_on,
                due_on=issued_on + timedelta(days=customer.payment_terms_days),
                payment_terms=_default_terms(customer),
                note=note,
                origin=origin,
                origin_ref=origin_ref,
                analytic_tag=analytic_tag,
                expense_account=expense_account,
                idempotency_key=draft.idempotency_key,
                created_by=actor,
                total_net=totals.net,
                total_vat=totals.vat,
                total_gross=totals.gross,
            )
        )
        new_lines.append(lines)
    Document.objects.bulk_create(new_documents, batch_size=500)
    for document, rows in zip(new_documents, new_lines, strict=True):
        for row in rows:
            row.document = document
    DocumentLine.objects.bulk_create([row for rows in new_lines for row in rows], batch_size=1000)
    audit_record_many(
        actor=acting_user,
        event="invoices.draft_saved",
        items=(
            (d, issuer.pk, {"customer": d.customer.code, "total": str(d.total_gross), "lines": len(lines)})
            for d, lines in zip(new_documents, new_lines, strict=True)
        ),
    )
    by_key = {**existing, **{d.idempotency_key: d for d in new_documents}}
    return [by_key[key] for key in keys]
