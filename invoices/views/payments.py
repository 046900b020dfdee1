"""Invoicing pages: payments (list, recording one against the payer's open invoices, a payment's page, cashing a
cheque, applying a credit). The GIE's staff and auditor read them, its administrator and accountant write; the
pages are closed to everyone else (403)."""

import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.idempotency import form_key, retry_once_on_conflict
from gie_erp.core.money import ZERO, to_mad
from invoices import payments as payment_services
from invoices import selectors
from invoices.filters import PaymentFilterForm
from invoices.forms import party_resolve
from invoices.models import Document, Party, Payment
from invoices.payment_forms import AllocateForm, ChequeCashForm, PaymentForm
from invoices.views.documents import EXPORTS, PAGE_SIZE, READ, WRITE, local_today, writes
from members.models import Organization


class StalePage(Exception):
    """The payment changed since its page was shown (a second submit of the same form): nothing is applied."""


def _export_rows(payments: Any) -> Iterator[Sequence[Any]]:
    for payment in payments.iterator(chunk_size=2000):
        yield (
            payment.received_on,
            payment.payer.legal_name_fr,
            payment.payer.ice,
            payment.collected_by.legal_name_fr,
            payment.get_method_display(),
            payment.reference,
            payment.amount,
            to_mad(payment.allocated),
            to_mad(payment.unallocated),
            payment.cashed_on,
        )


def export_headers() -> list[str]:
    return [
        _("Date"),
        _("Payeur"),
        _("ICE du payeur"),
        _("Encaissé par"),
        _("Moyen de paiement"),
        _("Référence"),
        _("Montant"),
        _("Affecté"),
        _("Crédit restant"),
        _("Chèque encaissé le"),
    ]


@role_required(*READ)
@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET)
    payments = selectors.payment_search(user=request.user, **form.filters())
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        return table_export(payments, fmt)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    total = payments.order_by().aggregate(total=Sum("amount"))["total"] or ZERO
    return render(
        request,
        "invoices/payments/list.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "count": page.paginator.count,
            "query": query.urlencode(),
            "can_write": writes(request.user),
        },
    )


def table_export(payments: Any, fmt: str) -> HttpResponse:
    return table_response(
        filename="paiements", fmt=fmt, headers=export_headers(), rows=_export_rows(payments), sheet_name=_("Paiements")
    )


# Recording a payment ---------------------------------------------------------------------------------------------


def typed_amount(value: Decimal) -> str:
    """An amount put back in a field the way a person types it here: ``5230,06``."""
    return f"{value:.2f}".replace(".", ",")


def _gie() -> Organization | None:
    return Organization.objects.filter(kind=Organization.Kind.GIE).first()


def _collectors(documents: Sequence[Document]) -> list[Organization]:
    """Who may collect: the GIE (for every document), or the issuer of a mandate invoice (for its own)."""
    gie = _gie()
    issuers = {d.issuer_id: d.issuer for d in documents if not d.issuer.is_gie}
    return ([gie] if gie else []) + sorted(issuers.values(), key=lambda o: o.legal_name_fr)


def _collectable(documents: Sequence[Document], collector: Organization) -> list[Document]:
    return [d for d in documents if collector.is_gie or d.issuer_id == collector.pk]


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def payment_new(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the payer (``?customer=<id or code>``); step 2: the payment and its allocation to the payer's
    open invoices (``&document=<id>`` pre-fills one). The form key makes a double submit record one payment."""
    typed = request.GET.get("customer", "")[:200]
    payer = party_resolve(typed) if typed else None
    if payer is None:
        context = {"typed": typed, "not_found": bool(typed.strip())}
        return render(request, "invoices/payments/payer.html", context)
    documents = selectors.document_list_open(user=request.user, customer=payer)
    collectors = _collectors(documents)
    initial: dict[str, Any] = {
        "received_on": local_today(),
        "method": Payment.Method.TRANSFER,
        "collected_by": collectors[0].pk if collectors else None,
    }
    wanted = request.GET.get("document", "")
    chosen = next((d for d in documents if str(d.pk) == wanted), None)
    if chosen is not None:
        typed = typed_amount(chosen.balance_due)  # as a person types it: 5230,06, never 5230.06
        initial.update({"amount": typed, f"alloc_{chosen.pk}": typed})
    data = request.POST if request.method == "POST" else None
    form = PaymentForm(data, initial=initial, collectors=collectors, documents=documents)
    token = request.POST.get("idempotency_key", "") or uuid.uuid4().hex
    if data is not None:
        if form.is_valid():
            payment = _record(request, form=form, payer=payer, documents=documents, token=token)
            if payment is not None:
                messages.success(request, _("Paiement enregistré."))
                return redirect("invoices:payment_detail", payment_id=payment.pk)
        else:
            messages.error(request, _("Le paiement n'est pas enregistré : corrigez les champs signalés."))
    return render(
        request,
        "invoices/payments/new.html",
        {
            "payer": payer,
            "form": form,
            "documents": form.allocation_fields(),
            "open_total": sum((d.balance_due for d in documents), ZERO),
            "allocation_status": _("Affecté : %(allocated)s · reste en crédit : %(left)s"),
            "idempotency_key": token,
        },
    )


def _record(
    request: HttpRequest, *, form: PaymentForm, payer: Party, documents: list[Document], token: str
) -> Payment | None:
    data = form.cleaned_data
    collector = Organization.objects.get(pk=data["collected_by"])
    amounts = form.allocations()
    targets: list[Document] = []
    if amounts is None:
        targets = _collectable(documents, collector)
    else:
        amounts = {pk: amount for pk, amount in amounts.items() if amount > 0}
    try:
        payment: Payment = retry_once_on_conflict(
            lambda _attempt: payment_services.payment_record(
                payer=payer,
                collected_by=collector,
                received_on=data["received_on"],
                method=data["method"],
                amount=data["amount"],
                idempotency_key=form_key(user_id=request.user.pk, token=token),
                documents=targets,
                amounts=amounts,
                reference=data.get("reference") or "",
                note=data.get("note") or "",
                acting_user=request.user,
                today=local_today(),
            )
        )
    except DomainError as error:  # said once, above the form (the banner says what to do)
        form.add_error(None, error.message())
        messages.error(request, _("Le paiement n'est pas enregistré : corrigez les champs signalés."))
        return None
    return payment


# A payment's page ------------------------------------------------------------------------------------------------


def _open_for(request: HttpRequest, payment: Payment) -> list[Document]:
    documents = selectors.document_list_open(user=request.user, customer=payment.payer)
    return _collectable(documents, payment.collected_by)


@role_required(*READ)
@require_GET
def payment_detail(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    allocated = payment_services.allocated_total(payment)
    unallocated = payment.amount - allocated
    can_write = writes(request.user)
    documents = _open_for(request, payment) if can_write and unallocated > 0 else []
    allocate = AllocateForm(initial={"allocated_on": local_today(), "expected": unallocated}, documents=documents)
    return render(
        request,
        "invoices/payments/detail.html",
        {
            "payment": payment,
            "allocations": payment.allocations.select_related("document", "document__issuer").order_by("pk"),
            "allocated": allocated,
            "unallocated": unallocated,
            "entries": selectors.payment_entries(payment),
            "can_write": can_write,
            "can_cash": can_write and payment.method == Payment.Method.CHEQUE and payment.cashed_on is None,
            "cash_form": ChequeCashForm(initial={"cashed_on": local_today()}),
            "allocate_form": allocate,
            "allocate_fields": allocate.allocation_fields(),
            "history": audit_history(user=request.user, target_type=payment._meta.label_lower, target_id=payment.pk),
        },
    )


def _done(payment: Payment) -> HttpResponse:
    return redirect("invoices:payment_detail", payment_id=payment.pk)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@role_required(*WRITE)
@require_POST
def payment_cash(request: HttpRequest, payment_id: int) -> HttpResponse:
    """A cheque is cashed on a date: the bank gets it and the VAT it settles becomes due."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    form = ChequeCashForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _done(payment)
    try:
        retry_once_on_conflict(
            lambda _attempt: payment_services.payment_cheque_cash(
                payment=payment, cashed_on=form.cleaned_data["cashed_on"], acting_user=request.user,
                today=local_today(),
            )
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Chèque encaissé."))
    return _done(payment)


@role_required(*WRITE)
@require_POST
def payment_allocate(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Apply the payer's credit to open invoices: the amounts typed, or pro rata when all are blank."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    documents = _open_for(request, payment)
    form = AllocateForm(request.POST, documents=documents)
    if not form.is_valid():
        _form_errors(request, form)
        return _done(payment)
    amounts = form.allocations()
    if amounts is not None:
        amounts = {pk: amount for pk, amount in amounts.items() if amount > 0}
    expected: Decimal = form.cleaned_data["expected"]

    def run(_attempt: int) -> list[Any]:
        # payment_allocate takes no key: the credit shown on the page stands for one. The row lock makes a second
        # submit wait for the first, then find less credit than its page showed.
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.amount - payment_services.allocated_total(locked) != expected:
            raise StalePage
        return payment_services.payment_allocate(
            payment=locked,
            documents=documents if amounts is None else [],
            amounts=amounts,
            allocated_on=form.cleaned_data["allocated_on"],
            acting_user=request.user,
            today=local_today(),
        )

    try:
        allocations = retry_once_on_conflict(run)
    except StalePage:
        messages.error(
            request,
            _("Ce paiement a changé depuis l'affichage de la page : rien n'a été affecté. Vérifiez et recommencez."),
        )
    except DomainError as error:
        messages.error(request, error.message())
    else:
        if allocations:
            messages.success(request, _("Crédit affecté."))
        else:
            messages.info(request, _("Aucune facture ouverte à régler : rien n'a été affecté."))
    return _done(payment)


urlpatterns: list[URLPattern] = [
    path("payments/", payment_list, name="payment_list"),
    path("payments/new/", payment_new, name="payment_new"),
    path("payments/<int:payment_id>/", payment_detail, name="payment_detail"),
    path("payments/<int:payment_id>/cash/", payment_cash, name="payment_cash"),
    path("payments/<int:payment_id>/allocate/", payment_allocate, name="payment_allocate"),
]
