"""Invoicing pages: documents (list, draft form, page, validation, write-off, PDF and UBL) and the
search-as-you-type list of parties; credit notes and bundles have their own modules, which share these helpers.

The GIE's administrator and accountant write; its auditor reads; a cooperative's representative reads the page and
the PDF of the documents issued in its name or addressed to it (any other document is a 404, like a missing one) and
nothing else (403). Every change is a POST; each calls one service, which owns its transaction."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.errors import DomainError, ErrorCode, error_message
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.i18n import format_amount
from gie_erp.core.idempotency import form_key, retry_once_on_conflict
from gie_erp.core.money import ZERO, to_mad
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role, may_write
from invoices import parties, selectors, services
from invoices import payments as payment_services
from invoices.filters import DocumentFilterForm
from invoices.forms import (
    PAYMENT_STATE_LABELS,
    DocumentForm,
    LineFormSet,
    decimal_text,
    line_initial,
    party_resolve,
    percent_text,
    price_text,
    too_large,
    vat_choices,
)
from invoices.models import Document, DocumentLine, VatRate
from invoices.ubl import document_ubl as document_ubl_xml
from members.models import Organization

PAGE_SIZE = 50
EXPORTS = {"csv", "xlsx"}
READ = tuple(ALL_BOOKS_ROLES)
DOCUMENT_READ = (*READ, Role.COOP_REPRESENTATIVE)
WRITE = tuple(WRITE_ROLES)
PARTY_SEARCH_LIMIT = 20
LANGUAGES = ("fr", "ar")
AMOUNT_CODES = (
    ErrorCode.AMOUNT_NOT_A_NUMBER,
    ErrorCode.AMOUNT_EXPONENT,
    ErrorCode.AMOUNT_DECIMALS,
    ErrorCode.AMOUNT_AMBIGUOUS,
    ErrorCode.AMOUNT_GROUPING,
    ErrorCode.AMOUNT_TOO_LARGE,
    ErrorCode.AMOUNT_NEGATIVE,
)


def local_today() -> date:
    return timezone.localdate()


def writes(user: Any) -> bool:
    return bool(user.is_superuser or may_write(user.role))


def _is_staff(user: Any) -> bool:
    return bool(user.is_superuser or user.role in ALL_BOOKS_ROLES)


def payment_state_label(document: Document) -> str:
    return str(PAYMENT_STATE_LABELS.get(document.payment_state, ""))


def document_state_label(document: Document) -> str:
    """``Validée · Partiellement payée``: the state, then how far an invoice is paid."""
    paid = payment_state_label(document)
    return f"{document.get_status_display()} · {paid}" if paid else str(document.get_status_display())


# List ------------------------------------------------------------------------------------------------------------


def _export_rows(documents: Any) -> Iterator[Sequence[Any]]:
    for document in documents.iterator(chunk_size=2000):
        yield (
            document.number,
            document.get_kind_display(),
            document.issued_on,
            document.issuer.legal_name_fr,
            document.customer.legal_name_fr,
            document.customer.ice,
            document.total_net,
            document.total_vat,
            document.total_gross,
            document.amount_paid,
            to_mad(document.left),  # SQLite's sum drops the trailing zeros
            document_state_label(document),
        )


def export_headers() -> list[str]:
    return [
        _("Numéro"),
        _("Type"),
        _("Date"),
        _("Émetteur"),
        _("Client"),
        _("ICE du client"),
        _("Total HT"),
        _("TVA"),
        _("Total TTC"),
        _("Payé"),
        _("Reste à payer"),
        _("État"),
    ]


@role_required(*READ)
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET)
    documents = selectors.document_search(user=request.user, **form.filters(), today=local_today())
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        return table_response(
            filename="documents",
            fmt=fmt,
            headers=export_headers(),
            rows=_export_rows(documents),
            sheet_name=_("Factures et avoirs"),
        )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "invoices/documents/list.html",
        {
            "form": form,
            "page": page,
            "rows": [(document, payment_state_label(document)) for document in page],
            "totals": selectors.document_totals(documents),
            "query": query.urlencode(),
            "can_write": writes(request.user),
            "today": local_today(),
        },
    )


@role_required(*READ)
@require_GET
def party_search(request: HttpRequest) -> JsonResponse:
    """The active customers matching what is typed (name in French or Arabic, code, ICE, city): the document and
    payment forms fill their search list with it."""
    query = request.GET.get("q", "").strip()[:100]
    found = parties.party_search(user=request.user, query=query, role="customer", active=True)[:PARTY_SEARCH_LIMIT]
    return JsonResponse(
        {
            "results": [
                {"id": p.pk, "code": p.code, "name": p.legal_name_fr, "name_ar": p.legal_name_ar, "ice": p.ice}
                for p in found
            ]
        }
    )


# Draft form ------------------------------------------------------------------------------------------------------


def _gie() -> Organization | None:
    return Organization.objects.filter(kind=Organization.Kind.GIE).first()


def _default_vat(issuer: Organization | None) -> str:
    if issuer is not None and issuer.vat_status == Organization.VatStatus.EXEMPT:
        return services.EXEMPT_CODE
    return services.STANDARD_CODE


def _default_kind(issuer: Organization | None) -> str:
    return DocumentLine.Kind.SERVICE if issuer is None or issuer.is_gie else DocumentLine.Kind.PRODUCT


def _rates_for_script() -> list[dict[str, Any]]:
    """Every rate with its validity, for the script that offers only those in force on the document's date."""
    return [
        {
            "code": rate.code,
            "rate": str(rate.rate),
            "from": rate.valid_from.isoformat(),
            "to": rate.valid_to.isoformat() if rate.valid_to else "",
        }
        for rate in VatRate.objects.order_by("code", "valid_from")
    ]


def form_messages() -> dict[str, str]:
    """What the form's script says, in the page's language (the amount refusals are the server's own texts)."""
    texts = {
        code.value: error_message(code, {"value": "%(value)s", "plain": "%(plain)s", "limit": "999 999 999,99"})
        for code in AMOUNT_CODES
    }
    return {
        **texts,
        "quantity": _("« %(value)s » n'est pas une quantité : écrivez par exemple 2 ou 2,5 (3 décimales au plus)."),
        "percent": _("« %(value)s » : une remise s'écrit en pourcentage, de 0 à 100 (2 décimales au plus)."),
        "line": _("Ligne %(line)s :"),
        "too_large": too_large(),
    }


def _form_context(
    request: HttpRequest, *, form: DocumentForm, lines: Any, document: Document | None, token: str
) -> dict[str, Any]:
    organizations = Organization.objects.order_by("kind", "legal_name_fr")
    return {
        "form": form,
        "lines": lines,
        "document": document,
        "idempotency_key": token,
        "script_data": {
            "rates": _rates_for_script(),
            "exempt": [o.pk for o in organizations if o.vat_status == Organization.VatStatus.EXEMPT],
            "kinds": {str(o.pk): _default_kind(o) for o in organizations},
            "exempt_code": services.EXEMPT_CODE,
            "standard_code": services.STANDARD_CODE,
            "messages": form_messages(),
        },
    }


def _initial(request: HttpRequest, document: Document | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if document is not None:
        header = {
            "issuer": document.issuer,
            "customer": document.customer.code,
            "issued_on": document.issued_on,
            "due_on": document.due_on,
            "payment_terms": document.payment_terms,
            "note": document.note,
        }
        return header, [line_initial(line) for line in document.lines.select_related("vat_rate").order_by("position")]
    issuer = _gie()
    wanted = request.GET.get("issuer", "")
    if wanted.isdigit() and len(wanted) <= 9:
        issuer = Organization.objects.filter(pk=int(wanted)).first() or issuer
    customer = party_resolve(request.GET.get("customer", ""))
    header = {"issuer": issuer, "issued_on": local_today(), "customer": customer.code if customer else ""}
    return header, [{"kind": _default_kind(issuer), "vat_code": _default_vat(issuer)}]


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, document_id: int | None = None) -> HttpResponse:
    """A new draft, or a draft changed: the lines' totals are live in the page and recomputed by the service; the
    form key makes a double submit return the first document. A validated document is not edited: the page says
    so and offers a credit note."""
    document = selectors.document_get(user=request.user, document_id=document_id) if document_id else None
    if document is not None and not document.is_draft:
        refusal = DomainError(ErrorCode.DOCUMENT_NOT_DRAFT, number=document.number)
        return refused(request, document, refusal)
    header, line_rows = _initial(request, document)
    data = request.POST if request.method == "POST" else None
    codes = vat_choices()
    form = DocumentForm(data, initial=header)
    lines = LineFormSet(data, prefix="lines", initial=line_rows, vat_codes=codes)
    if document is not None and document.kind == Document.Kind.CREDIT_NOTE:
        form.fields["issuer"].disabled = True  # a credit note stays on its invoice's issuer and customer
        form.fields["customer"].disabled = True
    token = request.POST.get("idempotency_key", "") or uuid.uuid4().hex
    if data is not None:
        if (
            form.is_valid()
            and lines.is_valid()
            and lines.check_for(issuer=form.cleaned_data["issuer"], issued_on=form.cleaned_data["issued_on"])
        ):
            saved = _save(request, form=form, lines=lines, document=document, token=token)
            if saved is not None:
                messages.success(request, _("Brouillon enregistré : vérifiez-le puis validez-le."))
                return redirect("invoices:document_detail", document_id=saved.pk)
        else:
            messages.error(request, _("Le document n'est pas enregistré : corrigez les champs signalés."))
    return render(
        request,
        "invoices/documents/form.html",
        _form_context(request, form=form, lines=lines, document=document, token=token),
    )


def _save(request: HttpRequest, *, form: DocumentForm, lines: Any, document: Document | None, token: str) -> Any:
    data = form.cleaned_data
    kept: dict[str, Any] = {}
    if document is not None:  # what the form does not show stays as it was (a fee run's origin, a credit note's)
        kept = {
            "kind": document.kind,
            "corrects": document.corrects,
            "origin": document.origin,
            "origin_ref": document.origin_ref,
            "expense_account": document.expense_account,
            "bundle": document.bundle,
            "idempotency_key": document.idempotency_key,
        }
    else:
        kept = {"idempotency_key": form_key(user_id=request.user.pk, token=token)}
    try:
        return retry_once_on_conflict(
            lambda _attempt: services.document_save_draft(
                issuer=data["issuer"],
                customer=data["customer"],
                issued_on=data["issued_on"],
                lines=lines.line_inputs(),
                document=document,
                due_on=data.get("due_on"),
                payment_terms=data.get("payment_terms") or "",
                note=data.get("note") or "",
                acting_user=request.user,
                **kept,
            )
        )
    except DomainError as error:  # said once, above the form (the banner says what to do)
        form.add_error(None, error.message())
        messages.error(request, _("Le document n'est pas enregistré : corrigez les champs signalés."))
        return None


# Document page -------------------------------------------------------------------------------------------------


def vat_by_rate(lines: Sequence[DocumentLine]) -> list[dict[str, Any]]:
    """The VAT summary per rate of a document's lines: sums of the rounded lines (invoices/totals.py), never
    re-rounded, in the lines' order."""
    rows: dict[int, dict[str, Any]] = {}
    for line in lines:
        row = rows.setdefault(line.vat_rate_id, {"rate": line.vat_rate, "net": ZERO, "vat": ZERO})
        row["net"] += line.net
        row["vat"] += line.vat
    return [{**row, "gross": row["net"] + row["vat"]} for row in rows.values()]


@role_required(*DOCUMENT_READ)
@require_GET
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    user: Any = request.user
    document = selectors.document_get(user=user, document_id=document_id)
    lines = list(document.lines.select_related("vat_rate").order_by("position", "pk"))
    staff = _is_staff(user)
    can_write = writes(user)
    is_invoice = document.kind == Document.Kind.INVOICE
    validated = not document.is_draft
    left = document.balance_due
    tolerance = payment_services.write_off_tolerance()
    credit_notes = document.credit_notes.select_related("issuer").order_by("issued_on", "pk") if is_invoice else []
    return render(
        request,
        "invoices/documents/detail.html",
        {
            "document": document,
            "lines": [
                (line, decimal_text(line.quantity), price_display(line.unit_price), percent_text(line.discount_rate))
                for line in lines
            ],
            "vat_rates": vat_by_rate(lines),
            "allocations": document.allocations.select_related("payment").order_by("allocated_on", "pk"),
            "write_offs": document.write_offs.order_by("written_on", "pk"),
            "credit_notes": credit_notes,
            "entries": selectors.document_entries(document) if staff and validated else [],
            "payment_state": payment_state_label(document),
            "left": left,
            "overpaid": -left if left < 0 else ZERO,
            "staff": staff,
            "can_write": can_write,
            "can_credit": can_write and is_invoice and validated and document.creditable > 0,
            "can_pay": can_write and is_invoice and validated and left > 0,
            "can_write_off": can_write
            and is_invoice
            and validated
            and ZERO < left <= tolerance
            and document.customer.organization_id is None,
            "tolerance": tolerance,
            "today": local_today(),
            "history": audit_history(user=user, target_type=document._meta.label_lower, target_id=document.pk),
        },
    )


def amount_text(value: Decimal) -> str:
    """An amount in a message, as the pages print it: ``1 356,60`` (never ``1356.60``)."""
    return format_amount(value, language=(get_language() or "fr")[:2])


def price_display(value: Decimal) -> str:
    """A unit price as the pages print it: grouped by thousands like every amount (``1 500,00``), its 3rd and 4th
    decimals kept when it has them (``12,3456``)."""
    integer, _comma, decimals = price_text(value).partition(",")
    return f"{format_amount(Decimal(integer)).partition(',')[0]},{decimals}"


def refused(request: HttpRequest, document: Document, refusal: DomainError) -> HttpResponse:
    """A page that does not apply to this document (editing a validated one, crediting a draft): it says why and
    links back; a POST to it changes nothing (409)."""
    status = 409 if request.method == "POST" else 200
    context = {"document": document, "message": refusal.message()}
    return render(request, "invoices/documents/locked.html", context, status=status)


def _done(document_id: int) -> HttpResponse:
    return redirect("invoices:document_detail", document_id=document_id)


@role_required(*WRITE)
@require_POST
def document_validate(request: HttpRequest, document_id: int) -> HttpResponse:
    """Number, freeze and post a draft; a second submit finds it validated and changes nothing."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    try:
        done = retry_once_on_conflict(
            lambda _attempt: services.document_validate(
                document_id=document.pk, acting_user=request.user, today=local_today()
            )
        )
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Document %(number)s validé.") % {"number": done.number})
    return _done(document.pk)


@role_required(*WRITE)
@require_POST
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, document_id=document_id)
    try:
        retry_once_on_conflict(
            lambda _attempt: services.document_delete_draft(document=document, acting_user=request.user)
        )
    except DomainError as error:
        messages.error(request, error.message())
        return _done(document.pk)
    messages.success(request, _("Brouillon supprimé."))
    return redirect("invoices:document_list")


@role_required(*WRITE)
@require_POST
def document_write_off(request: HttpRequest, document_id: int) -> HttpResponse:
    """Close the small rest of an outside customer's invoice (within the tolerance)."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    if document.balance_due <= 0:
        messages.info(request, _("Il ne reste rien à payer sur ce document."))
        return _done(document.pk)
    reason = request.POST.get("reason", "").strip()[:200]
    try:
        write_off = retry_once_on_conflict(
            lambda _attempt: payment_services.document_write_off(
                document=document, written_on=local_today(), reason=reason, acting_user=request.user,
                today=local_today(),
            )
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Écart de %(amount)s passé en perte.") % {"amount": amount_text(write_off.amount)})
    return _done(document.pk)


# Files -----------------------------------------------------------------------------------------------------------


def _file_name(document: Document, extension: str) -> str:
    return f"{document.number or f'brouillon-{document.pk}'}.{extension}"


@role_required(*DOCUMENT_READ)
@require_GET
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    """The document as printed, in the page's language (``?lang=fr`` or ``ar`` to choose)."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in LANGUAGES else (get_language() or "fr")[:2]
    from invoices.pdf import document_pdf as render_pdf  # weasyprint and fonts: loaded when a PDF is asked for

    try:
        content = render_pdf(document, language)
    except DomainError as error:
        messages.error(request, error.message())
        return _done(document.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(_file_name(document, "pdf"), inline=True)
    return response


@role_required(*READ)
@require_GET
def document_ubl(request: HttpRequest, document_id: int) -> HttpResponse:
    """The validated document as UBL 2.1 XML (what e-invoicing will send); a draft has none (404)."""
    document = selectors.document_get(user=request.user, document_id=document_id)
    if document.is_draft:
        raise Http404
    response = HttpResponse(document_ubl_xml(document), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = content_disposition(_file_name(document, "xml"))
    return response


urlpatterns: list[URLPattern] = [
    path("parties/search/", party_search, name="party_search"),
    path("documents/", document_list, name="document_list"),
    path("documents/new/", document_edit, name="document_new"),
    path("documents/<int:document_id>/", document_detail, name="document_detail"),
    path("documents/<int:document_id>/edit/", document_edit, name="document_edit"),
    path("documents/<int:document_id>/validate/", document_validate, name="document_validate"),
    path("documents/<int:document_id>/delete/", document_delete, name="document_delete"),
    path("documents/<int:document_id>/write-off/", document_write_off, name="document_write_off"),
    path("documents/<int:document_id>/pdf/", document_pdf, name="document_pdf"),
    path("documents/<int:document_id>/ubl/", document_ubl, name="document_ubl"),
]
