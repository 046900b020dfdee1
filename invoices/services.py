"""Invoicing actions: drafts, validation (number, freeze, post), credit notes, bundles, payments, cheques and
write-offs. The only code that posts a document (DESIGN §6); other apps call these with an origin."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from gie_erp.core.audit import audit_record, audit_record_many
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import ZERO
from invoices import postings
from invoices.lines import EXEMPT_CODE as EXEMPT_CODE  # re-exported: other apps import the line API from here
from invoices.lines import STANDARD_CODE as STANDARD_CODE
from invoices.lines import LineInput as LineInput
from invoices.lines import is_exempt, line_rows
from invoices.lines import vat_rate_on as vat_rate_on
from invoices.mentions import LABELS, customer_snapshot, issuer_snapshot, missing_mentions
from invoices.models import (
    Allocation,
    Bundle,
    Document,
    DocumentLine,
    DocumentTax,
    IssuerSettings,
    Party,
    Payment,
)
from invoices.totals import (
    LineAmounts,
    credit_note_vat_split,
    document_totals,
    number_format,
)
from ledger.posting import EntryDraft
from ledger.services import journal_entries_post
from members.models import Organization


def _mad(amount: Decimal) -> str:
    """An amount in a message: 1 234,50 (the messages are read by people, not parsed)."""
    return format_amount(amount)


PREFIXES = {Document.Kind.INVOICE: "FA", Document.Kind.CREDIT_NOTE: "AV"}


def _default_terms(customer: Party) -> str:
    days = customer.payment_terms_days
    if days == 0:
        return gettext("Paiement à réception")
    return gettext("Paiement à %(days)s jours") % {"days": days}


def _write_lines(document: Document, lines: Sequence[LineInput]) -> None:
    document.lines.all().delete()
    rows = line_rows(document.issuer, document.issued_on, lines)
    for row in rows:
        row.document = document
    DocumentLine.objects.bulk_create(rows)
    totals = document_totals((row.vat_rate_id, LineAmounts(row.net, row.vat)) for row in rows)
    document.total_net, document.total_vat, document.total_gross = totals.net, totals.vat, totals.gross
    document.save(update_fields=["total_net", "total_vat", "total_gross"])


@transaction.atomic
def document_save_draft(
    *,
    issuer: Organization,
    customer: Party,
    issued_on: date,
    lines: Sequence[LineInput],
    document: Document | None = None,
    kind: str = Document.Kind.INVOICE,
    corrects: Document | None = None,
    due_on: date | None = None,
    payment_terms: str = "",
    note: str = "",
    origin: str = Document.Origin.MANUAL,
    origin_ref: str = "",
    analytic_tag: str = "",
    expense_account: str = "",
    bundle: Bundle | None = None,
    idempotency_key: str = "",
    acting_user: Any = None,
) -> Document:
    """Create or replace a draft. With an idempotency key, a second call returns the first document unchanged."""
    if customer.organization_id is not None and not issuer.is_gie:
        raise DomainError(ErrorCode.MANDATE_TO_MEMBER)
    if document is None and idempotency_key:
        existing = Document.objects.filter(issuer=issuer, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if document is not None:
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.is_draft:
            raise DomainError(ErrorCode.DOCUMENT_NOT_DRAFT, number=document.number)
    else:
        document = Document(created_by=acting_user if getattr(acting_user, "pk", None) else None)
    document.issuer, document.customer, document.kind, document.corrects = issuer, customer, kind, corrects
    document.issued_on = issued_on
    document.due_on = due_on or issued_on + timedelta(days=customer.payment_terms_days)
    document.payment_terms = payment_terms or _default_terms(customer)
    document.note, document.origin, document.origin_ref = note, origin, origin_ref
    document.analytic_tag = analytic_tag
    document.expense_account, document.bundle, document.idempotency_key = expense_account, bundle, idempotency_key
    document.save()
    _write_lines(document, lines)
    audit_record(
        actor=acting_user,
        event="invoices.draft_saved",
        target=document,
        tenant_id=issuer.pk,
        data={"customer": customer.code, "total": str(document.total_gross), "lines": len(lines)},
    )
    return document


@transaction.atomic
def document_delete_draft(*, document: Document, acting_user: Any) -> None:
    """A draft may be deleted; a validated document never (a credit note corrects it)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_draft:
        raise DomainError(ErrorCode.DOCUMENT_NOT_DRAFT, number=document.number)
    audit_record(
        actor=acting_user,
        event="invoices.document_deleted",
        target=document,
        tenant_id=document.issuer_id,
        data={"customer": document.customer.code, "total": str(document.total_gross)},
    )
    document.delete()


NEXT_NUMBER_SQL = """
INSERT INTO invoices_documentsequence (issuer_id, kind, year, last_number) VALUES (%s, %s, %s, %s)
ON CONFLICT (issuer_id, kind, year) DO UPDATE SET last_number = invoices_documentsequence.last_number + %s
RETURNING last_number
"""


def _check_lines(document: Document, lines: list[DocumentLine]) -> None:
    exempt = is_exempt(document.issuer)
    for line in lines:
        rate = line.vat_rate
        if rate.valid_from > document.issued_on or (rate.valid_to and rate.valid_to < document.issued_on):
            raise DomainError(ErrorCode.VAT_RATE_NOT_VALID, rate=rate.label_fr, date=document.issued_on.isoformat())
        if exempt and rate.rate > 0:
            raise DomainError(ErrorCode.EXEMPT_ISSUER_VAT, issuer=document.issuer.legal_name_fr)


def _check_credit_note(document: Document) -> Document:
    invoice = document.corrects
    if invoice is None:
        raise DomainError(ErrorCode.CREDIT_NOTE_TARGET)
    invoice = Document.objects.select_for_update().get(pk=invoice.pk)
    if (
        invoice.kind != Document.Kind.INVOICE
        or invoice.is_draft
        or invoice.issuer_id != document.issuer_id
        or invoice.customer_id != document.customer_id
    ):
        raise DomainError(ErrorCode.CREDIT_NOTE_TARGET)
    if document.total_gross > invoice.creditable:
        raise DomainError(
            ErrorCode.CREDIT_TOO_LARGE,
            amount=_mad(document.total_gross),
            number=invoice.number,
            left=_mad(invoice.creditable),
        )
    return invoice


@transaction.atomic
def document_validate(*, document_id: int, acting_user: Any = None, today: date | None = None) -> Document:
    """Draft → validated: check the mentions and rates, take the next number of the issuer's series, freeze the
    identities, post it in every book it touches, all in one transaction. Replaying returns the document."""
    (document,) = documents_validate(document_ids=[document_id], acting_user=acting_user, today=today)
    return document


@dataclass(slots=True)
class _Batch:
    """What a batch of validations reads once: organizations, parties, invoicing settings, lines."""

    organizations: dict[int, Organization]
    parties: dict[int, Party]
    invoicing: dict[int, IssuerSettings]
    lines: dict[int, list[DocumentLine]]
    gie: Organization | None


def _batch_read(documents: list[Document]) -> _Batch:
    parties = {p.pk: p for p in Party.objects.filter(pk__in={d.customer_id for d in documents})}
    wanted = {d.issuer_id for d in documents} | {p.organization_id for p in parties.values() if p.organization_id}
    organizations = {
        o.pk: o
        for o in Organization.objects.select_related("commune").filter(Q(pk__in=wanted) | Q(kind=Organization.Kind.GIE))
    }
    for party in parties.values():
        if party.organization_id:
            party.organization = organizations[party.organization_id]
    gie = next((o for o in organizations.values() if o.is_gie), None)
    invoicing = {i.organization_id: i for i in IssuerSettings.objects.filter(organization_id__in=organizations)}
    lines: dict[int, list[DocumentLine]] = {d.pk: [] for d in documents}
    for line in (
        DocumentLine.objects.select_related("vat_rate")
        .filter(document__in=documents)
        .order_by("document_id", "position", "pk")
    ):
        lines[line.document_id].append(line)
    return _Batch(organizations, parties, invoicing, lines, gie)


def _snapshots(document: Document, batch: _Batch) -> tuple[dict[str, str], dict[str, str]]:
    invoicing = batch.invoicing.get(document.issuer_id)
    issuer = issuer_snapshot(document.issuer, invoicing, batch.gie)
    if batch.gie is not None and document.issuer_id != batch.gie.pk:  # the GIE collects: its account is printed
        collector = batch.invoicing.get(batch.gie.pk)
        issuer["bank_account"] = getattr(collector, "bank_account", "") or issuer["bank_account"]
        issuer["payment_means"] = getattr(collector, "payment_means", "") or issuer["payment_means"]
    customer = customer_snapshot(document.customer)
    missing = missing_mentions(
        issuer=issuer, customer=customer, line_count=len(batch.lines[document.pk]), payment_terms=document.payment_terms
    )
    if missing:
        raise DomainError(ErrorCode.MISSING_MENTION, mention=", ".join(str(LABELS[key]) for key in missing))
    return issuer, customer


def _take_numbers(documents: list[Document]) -> None:
    """Number a batch: one counter statement per series, numbers in date order within the batch."""
    series: dict[tuple[int, str, int], list[Document]] = {}
    for document in sorted(documents, key=lambda d: (d.issued_on, d.pk)):
        series.setdefault((document.issuer_id, document.kind, document.issued_on.year), []).append(document)
    with connection.cursor() as cursor:
        for (issuer_id, kind, year), members in sorted(series.items()):  # one lock order: no deadlock
            cursor.execute(NEXT_NUMBER_SQL, [issuer_id, kind, year, len(members), len(members)])
            (last,) = cursor.fetchone()
            for offset, document in enumerate(members):
                document.sequence = last - len(members) + 1 + offset
                document.year = year
                document.number = number_format(
                    prefix=PREFIXES[Document.Kind(kind)], year=year, sequence=document.sequence
                )


FROZEN_AT_VALIDATION = [
    "sequence",
    "number",
    "year",
    "status",
    "issuer_snapshot",
    "customer_snapshot",
    "vat_regime",
    "verify_token",
    "validated_at",
    "validated_by",
]


@transaction.atomic
def documents_validate(
    *, document_ids: Sequence[int], acting_user: Any = None, today: date | None = None
) -> list[Document]:
    """Validate many documents all or none (a fee run, a bundle, a session's trainees): the same checks, numbers
    and postings as one by one, read and written in bulk. Documents already validated are returned as they are."""
    documents = list(Document.objects.select_for_update().filter(pk__in=document_ids).order_by("pk"))
    if len(documents) != len(set(document_ids)):
        raise DomainError(ErrorCode.NOT_FOUND)
    drafts = [d for d in documents if d.is_draft]
    if not drafts:
        return _in_order(documents, document_ids)
    batch = _batch_read(drafts)
    now = timezone.now()
    actor = acting_user if getattr(acting_user, "pk", None) else None
    frozen: dict[int, tuple[dict[str, str], dict[str, str]]] = {}
    for document in drafts:
        document.issuer = batch.organizations[document.issuer_id]
        document.customer = batch.parties[document.customer_id]
        _check_lines(document, batch.lines[document.pk])
        try:
            frozen[document.pk] = _snapshots(document, batch)
        except DomainError as error:  # in a batch, say whose document lacks it
            if error.code != ErrorCode.MISSING_MENTION or len(drafts) == 1:
                raise
            raise DomainError(
                ErrorCode.MISSING_MENTION_FOR, customer=document.customer.legal_name_fr, **error.params
            ) from error
    _take_numbers(drafts)
    taxes: list[DocumentTax] = []
    entry_drafts: list[EntryDraft] = []
    books = postings.books_of({d.issuer_id for d in drafts} | {d.customer.organization_id for d in drafts})
    for document in drafts:
        invoicing = batch.invoicing.get(document.issuer_id)
        document.status = Document.Status.VALIDATED
        document.issuer_snapshot, document.customer_snapshot = frozen[document.pk]
        document.vat_regime = invoicing.vat_regime if invoicing else IssuerSettings.VatRegime.CASH
        document.verify_token = secrets.token_urlsafe(24)  # 192 bits
        document.validated_at, document.validated_by = now, actor
        lines = batch.lines[document.pk]
        totals = document_totals((line.vat_rate_id, LineAmounts(line.net, line.vat)) for line in lines)
        from_transit: dict[int, Decimal] | None = None
        if document.kind == Document.Kind.CREDIT_NOTE:
            invoice = _check_credit_note(document)
            from_transit = _credit_invoice(document, invoice, {k: v.vat for k, v in totals.by_rate.items()})
        for rate_id, amounts in totals.by_rate.items():
            taken = (from_transit or {}).get(rate_id, ZERO)
            taxes.append(
                DocumentTax(
                    document=document,
                    vat_rate_id=rate_id,
                    net=amounts.net,
                    vat=amounts.vat,
                    # a credit note's own VAT: what it took back from 4455 (collected) and from 44551 (transit)
                    vat_settled=amounts.vat - taken if from_transit is not None else ZERO,
                    vat_reduced=taken,
                )
            )
        entry_drafts += postings.document_drafts(document, lines, books, vat_from_transit=from_transit)
    if len(drafts) == 1:
        drafts[0].save(update_fields=FROZEN_AT_VALIDATION)
    else:
        _save_frozen(drafts)
    DocumentTax.objects.bulk_create(taxes)
    journal_entries_post(drafts=entry_drafts, acting_user=acting_user, today=today)
    audit_record_many(
        actor=acting_user,
        event="invoices.document_validated",
        items=((d, d.issuer_id, {"number": d.number, "total": str(d.total_gross)}) for d in drafts),
    )
    return _in_order(documents, document_ids)


def _save_frozen(documents: list[Document]) -> None:
    """What validation froze, written by one UPDATE per document sent together (``executemany``: pipelined on
    PostgreSQL). Django's ``bulk_update`` builds a CASE of one branch per document and column: 8 s of Python for
    a fee run's 1,631 invoices."""
    fields: list[Any] = [Document._meta.get_field(name) for name in FROZEN_AT_VALIDATION]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # names from the model's own metadata, values as parameters
    sql = f"UPDATE {quote(Document._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(getattr(d, field.attname), connection) for field in fields] + [d.pk] for d in documents
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _in_order(documents: list[Document], ids: Sequence[int]) -> list[Document]:
    by_id = {d.pk: d for d in documents}
    return [by_id[pk] for pk in dict.fromkeys(ids)]


def _credit_invoice(credit_note: Document, invoice: Document, credited_vat: dict[int, Decimal]) -> dict[int, Decimal]:
    """Take a credit note off its invoice: the credited amount, and its VAT from the transit account first (the
    document's own balance there). What it takes from VAT that an uncashed cheque had settled is taken off that
    cheque's allocation too, so that cashing it later moves only what is left (the books never show the VAT
    collected going negative in between)."""
    taxes = {tax.vat_rate_id: tax for tax in DocumentTax.objects.select_for_update().filter(document=invoice)}
    in_account = {rate_id: tax.vat_in_transit_account for rate_id, tax in taxes.items()}
    if invoice.vat_regime == IssuerSettings.VatRegime.ACCRUAL:
        in_account = dict.fromkeys(taxes, ZERO)
    from_transit, _from_collected = credit_note_vat_split(credited_vat=credited_vat, in_transit=in_account)
    for rate_id, amount in from_transit.items():
        if not amount or rate_id not in taxes:
            continue
        pending = max(amount - max(taxes[rate_id].vat_in_transit, ZERO), ZERO)  # eats into uncashed cheques
        if pending:
            _unsettle_pending(invoice, rate_id, pending)
        DocumentTax.objects.filter(pk=taxes[rate_id].pk).update(
            vat_reduced=F("vat_reduced") + amount, vat_settled=F("vat_settled") - pending
        )
    Document.objects.filter(pk=invoice.pk).update(amount_credited=F("amount_credited") + credit_note.total_gross)
    return from_transit


def _unsettle_pending(invoice: Document, rate_id: int, amount: Decimal) -> None:
    """Take ``amount`` of VAT at one rate off the allocations of uncashed cheques to this invoice, newest first."""
    allocations = (
        Allocation.objects.select_for_update()
        .filter(document=invoice, payment__method=Payment.Method.CHEQUE, payment__cashed_on__isnull=True)
        .order_by("-pk")
    )
    key = str(rate_id)
    for allocation in allocations:
        held = Decimal(allocation.vat_by_rate.get(key, "0"))
        taken = min(held, amount)
        if taken:
            allocation.vat_by_rate[key] = str(held - taken)
            allocation.save(update_fields=["vat_by_rate"])
            amount -= taken
        if not amount:
            return


@transaction.atomic
def credit_note_create(
    *,
    invoice: Document,
    issued_on: date,
    lines: Sequence[LineInput] | None = None,
    note: str = "",
    idempotency_key: str = "",
    acting_user: Any = None,
) -> Document:
    """A draft credit note on a validated invoice: the lines given, or everything not yet credited (a full
    credit of an invoice with nothing credited repeats its lines)."""
    invoice = Document.objects.select_related("issuer", "customer").get(pk=invoice.pk)
    if idempotency_key:  # a replay returns the first credit note, even once it has used up the invoice
        existing = Document.objects.filter(issuer=invoice.issuer, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if invoice.kind != Document.Kind.INVOICE or invoice.is_draft:
        raise DomainError(ErrorCode.CREDIT_NOTE_TARGET)
    if invoice.creditable <= 0:
        raise DomainError(ErrorCode.NOTHING_TO_CREDIT, number=invoice.number)
    if lines is None:
        if invoice.amount_credited > 0:
            raise DomainError(
                ErrorCode.CREDIT_TOO_LARGE,
                amount=_mad(invoice.total_gross),
                number=invoice.number,
                left=_mad(invoice.creditable),
            )
        lines = [
            LineInput(
                description=line.description,
                description_ar=line.description_ar,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_rate=line.discount_rate,
                vat_code=line.vat_rate.code,
                kind=line.kind,
                account_code=line.account_code,
            )
            for line in invoice.lines.select_related("vat_rate").order_by("position", "pk")
        ]
    return document_save_draft(
        issuer=invoice.issuer,
        customer=invoice.customer,
        issued_on=issued_on,
        lines=lines,
        kind=Document.Kind.CREDIT_NOTE,
        corrects=invoice,
        due_on=issued_on,
        payment_terms=invoice.payment_terms,
        note=note
        or gettext("Avoir sur la facture %(number)s du %(date)s")
        % {"number": invoice.number, "date": invoice.issued_on.strftime("%d/%m/%Y")},
        origin=invoice.origin,
        origin_ref=invoice.origin_ref,
        analytic_tag=invoice.analytic_tag,
        expense_account=invoice.expense_account,
        idempotency_key=idempotency_key,
        acting_user=acting_user,
    )


@transaction.atomic
def bundle_create(
    *,
    customer: Party,
    issued_on: date,
    parts: Sequence[tuple[Organization, Sequence[LineInput]]],
    reference: str = "",
    idempotency_key: str = "",
    acting_user: Any = None,
) -> Bundle:
    """A customer order spanning several issuers: one draft per issuer (a member's in its own series). With an
    idempotency key, a second call returns the first bundle (each draft is keyed ``<key>:<issuer id>``)."""
    if idempotency_key and parts:
        key = f"{idempotency_key}:{parts[0][0].pk}"
        existing = Document.objects.filter(idempotency_key=key, bundle__isnull=False).select_related("bundle").first()
        if existing is not None and existing.bundle is not None:
            return existing.bundle
    bundle = Bundle.objects.create(customer=customer, issued_on=issued_on, reference=reference)
    for issuer, lines in parts:
        document_save_draft(
            issuer=issuer,
            customer=customer,
            issued_on=issued_on,
            lines=lines,
            bundle=bundle,
            idempotency_key=f"{idempotency_key}:{issuer.pk}" if idempotency_key else "",
            acting_user=acting_user,
        )
    return bundle


@transaction.atomic
def bundle_validate(*, bundle: Bundle, acting_user: Any = None, today: date | None = None) -> list[Document]:
    """Validate every document of a bundle, all or none."""
    ids = list(bundle.documents.order_by("pk").values_list("pk", flat=True))
    return documents_validate(document_ids=ids, acting_user=acting_user, today=today)
