"""Funders' pages: what each funder owes, its payments (clearing 34512).

The list shows every funder with the subsidies it was billed (recognised when its sessions were billed: Dr 34512 /
Cr 7161), what it paid and what it still owes. A funder's page adds its grants (what is owed under each), the
subsidies per session, its payments and the payment form: the GIE's administrator and accountant record a payment
(Dr 5141 or 5161 / Cr 34512), never more than is owed; the auditor reads. Funders belong to no cooperative: a
representative gets 403."""

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import ZERO
from training.forms_desk import FunderPaymentForm, one_time_key
from training.funding import funder_owes
from training.models import Funder, Subsidy, SubsidyPayment
from training.services import subsidy_payment_record
from training.views.session_detail import READ, WRITE, export_format, local_today, optional_template, writes


def _funder_for(slug: str) -> Funder:
    funder = Funder.objects.filter(slug=slug).first()
    if funder is None:
        raise Http404
    return funder


def funder_figures() -> list[dict[str, Any]]:
    """Every funder with its subsidies earned, its payments and what it still owes."""
    earned = dict(Subsidy.objects.values_list("funder").annotate(total=Sum("amount")).order_by())
    paid = dict(SubsidyPayment.objects.values_list("funder").annotate(total=Sum("amount")).order_by())
    rows = []
    for funder in Funder.objects.order_by("name_fr"):
        rows.append(
            {
                "funder": funder,
                "earned": Decimal(earned.get(funder.pk) or ZERO),
                "paid": Decimal(paid.get(funder.pk) or ZERO),
                "owed": funder_owes(funder),
            }
        )
    return rows


def funder_headers() -> list[str]:
    return [_("Financeur"), _("Nom en arabe"), _("Subventions acquises"), _("Versé"), _("Reste dû")]


def _funder_rows(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[Any]]:
    for row in rows:
        funder = row["funder"]
        yield (funder.name_fr, funder.name_ar, row["earned"], row["paid"], row["owed"])


@role_required(*READ)
@require_GET
def funder_list(request: HttpRequest) -> HttpResponse:
    rows = funder_figures()
    fmt = export_format(request)
    if fmt:
        return table_response(
            filename="financeurs", fmt=fmt, headers=funder_headers(), rows=_funder_rows(rows),
            sheet_name=_("Financeurs"),
        )  # fmt: skip
    totals = {key: sum((row[key] for row in rows), ZERO) for key in ("earned", "paid", "owed")}
    return render(
        request,
        "training/funders/list.html",
        {"rows": rows, "totals": totals, "nav_template": optional_template("training/_nav.html")},
    )


def _detail(
    request: HttpRequest, funder: Funder, form: FunderPaymentForm | None = None, status: int = 200
) -> HttpResponse:
    grants = [
        {"grant": grant, "owed": funder_owes(funder, grant)}
        for grant in funder.grants.order_by("-starts_on", "reference")
    ]
    subsidies = (
        Subsidy.objects.filter(funder=funder)
        .select_related("session", "session__course")
        .order_by("-earned_on", "session__slug")
    )
    payments = SubsidyPayment.objects.filter(funder=funder).select_related("grant").order_by("-received_on", "-pk")
    earned = sum((s.amount for s in subsidies), ZERO)
    paid = sum((p.amount for p in payments), ZERO)
    can_write = writes(request.user)
    if can_write and form is None:
        form = FunderPaymentForm(funder=funder, initial={"received_on": local_today(), "key": one_time_key()})
    return render(
        request,
        "training/funders/detail.html",
        {
            "funder": funder,
            "grants": grants,
            "subsidies": subsidies,
            "payments": payments,
            "earned": earned,
            "paid": paid,
            "owed": funder_owes(funder),
            "form": form if can_write else None,
            "can_write": can_write,
            "nav_template": optional_template("training/_nav.html"),
        },
        status=status,
    )


@role_required(*READ)
@require_GET
def funder_detail(request: HttpRequest, funder_slug: str) -> HttpResponse:
    return _detail(request, _funder_for(funder_slug))


@role_required(*WRITE)
@require_POST
def funder_payment(request: HttpRequest, funder_slug: str) -> HttpResponse:
    """Record a funder's payment; the form's one-time key makes a double submit record it once, and more than the
    funder owes is refused with the service's message (nothing recorded)."""
    funder = _funder_for(funder_slug)
    form = FunderPaymentForm(request.POST, funder=funder)
    if not form.is_valid():
        return _detail(request, funder, form, status=400)
    data = form.cleaned_data
    key = f"funder-page:{data['key']}"
    replay = SubsidyPayment.objects.filter(idempotency_key=key).exists()
    try:
        payment = subsidy_payment_record(
            funder=funder, amount=data["amount"], received_on=data["received_on"], method=data["method"],
            idempotency_key=key, grant=data["grant"], reference=data["reference"], acting_user=request.user,
            today=local_today(),
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.message())
        return _detail(request, funder, form, status=400)
    values = {"amount": format_amount(payment.amount), "funder": funder.name_fr}
    if replay:
        messages.info(request, _("Ce versement de %(amount)s DH était déjà enregistré : rien de plus.") % values)
    else:
        messages.success(request, _("Versement de %(amount)s DH de %(funder)s enregistré.") % values)
    return redirect("training:funder_detail", funder_slug=funder.slug)


urlpatterns: list[URLPattern] = [
    path("funders/", funder_list, name="funder_list"),
    path("funders/<slug:funder_slug>/", funder_detail, name="funder_detail"),
    path("funders/<slug:funder_slug>/payments/", funder_payment, name="funder_payment"),
]
