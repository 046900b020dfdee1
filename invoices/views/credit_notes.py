"""Invoicing pages: a credit note on a validated invoice, pre-filled with its lines (quantities to credit)."""

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.idempotency import form_key, retry_once_on_conflict
from invoices import selectors, services
from invoices.forms import CreditForm, CreditLineFormSet, credit_lines, decimal_text
from invoices.models import Document, DocumentLine
from invoices.views.documents import (
    WRITE,
    amount_text,
    local_today,
    price_display,
    refused,
)

# Credit notes ----------------------------------------------------------------------------------------------------


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def document_credit(request: HttpRequest, document_id: int) -> HttpResponse:
    """A credit note on a validated invoice: its lines, quantities editable (at most the invoiced ones, at most
    what is left to credit). Creates a draft to check and validate."""
    invoice = selectors.document_get(user=request.user, document_id=document_id)
    refusal = None
    if invoice.kind != Document.Kind.INVOICE or invoice.is_draft:
        refusal = DomainError(ErrorCode.CREDIT_NOTE_TARGET)
    elif invoice.creditable <= 0:
        refusal = DomainError(ErrorCode.NOTHING_TO_CREDIT, number=invoice.number)
    if refusal is not None:
        return refused(request, invoice, refusal)
    lines = list(invoice.lines.select_related("vat_rate").order_by("position", "pk"))
    data = request.POST if request.method == "POST" else None
    form = CreditForm(data, initial={"issued_on": local_today()})
    formset = CreditLineFormSet(
        data, prefix="lines", initial=[{"quantity": decimal_text(line.quantity)} for line in lines]
    )
    token = request.POST.get("idempotency_key", "") or uuid.uuid4().hex
    if data is not None:
        created = _credit(request, invoice=invoice, lines=lines, form=form, formset=formset, token=token)
        if created is not None:
            messages.success(request, _("Avoir enregistré en brouillon : vérifiez-le puis validez-le."))
            return redirect("invoices:document_detail", document_id=created.pk)
    return render(
        request,
        "invoices/documents/credit.html",
        {
            "invoice": invoice,
            "form": form,
            "formset": formset,
            "rows": [
                (line, row, decimal_text(line.quantity), price_display(line.unit_price))
                for line, row in zip(lines, formset.forms, strict=False)
            ],
            "idempotency_key": token,
        },
    )


def _credit(
    request: HttpRequest, *, invoice: Document, lines: list[DocumentLine], form: Any, formset: Any, token: str
) -> Document | None:
    if not (form.is_valid() and formset.is_valid()):
        messages.error(request, _("L'avoir n'est pas enregistré : corrigez les champs signalés."))
        return None
    chosen = credit_lines(formset, lines)
    if chosen is None:
        messages.error(request, _("L'avoir n'est pas enregistré : corrigez les champs signalés."))
        return None
    if not chosen:
        form.add_error(None, _("Saisissez au moins une quantité à créditer."))
        return None
    gross = sum((credit.amounts.gross for credit in chosen), Decimal(0))
    if gross > invoice.creditable:
        error = DomainError(
            ErrorCode.CREDIT_TOO_LARGE,
            amount=amount_text(gross),
            number=invoice.number,
            left=amount_text(invoice.creditable),
        )
        form.add_error(None, error.message())
        return None
    try:
        created: Document = retry_once_on_conflict(
            lambda _attempt: services.credit_note_create(
                invoice=invoice,
                issued_on=form.cleaned_data["issued_on"],
                lines=[credit.line_input() for credit in chosen],
                note=form.cleaned_data.get("note") or "",
                idempotency_key=form_key(user_id=request.user.pk, token=token),
                acting_user=request.user,
            )
        )
    except DomainError as error:
        form.add_error(None, error.message())
        return None
    return created


urlpatterns: list[URLPattern] = [
    path("documents/<int:document_id>/credit/", document_credit, name="document_credit"),
]
