"""Settlement pages: the list (per event, per member), settling one member or every member of an event — a preview
first, then a confirmation that names the amounts (a POST whose figures must still be those of the preview) — a
settlement's page, and the settlement note PDF a member reads without French.

The GIE's staff and auditor read; its administrator and accountant settle; a cooperative's representative reads its
own settlement notes (any other is a 404, like a missing one)."""

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import ZERO, to_mad
from members.models import Organization
from sales import selectors
from sales.consignment import oversold_rows, questions_in, reconciliation, stock_of
from sales.forms import SettleForm, SettlementFilterForm
from sales.models import Event, Settlement
from sales.pdf_settlement import note_file_name, settlement_note_pdf
from sales.views.access import NOTE_READ, PAGE_SIZE, READ, WRITE, export_format, local_today, query_without

# List --------------------------------------------------------------------------------------------------------------


def settlement_headers() -> list[str]:
    return [
        _("Réglé le"), _("Événement"), _("Membre"), _("ICE du membre"), _("Ventes TTC"), _("TVA sur les ventes"),
        _("Marchandise manquante payée par le GIE"), _("Taux de commission"), _("Facture de commission"),
        _("Commission TTC retenue"), _("Autres factures retenues"), _("Net versé"),
    ]  # fmt: skip


def _settlement_rows(settlements: Any) -> Iterator[Sequence[Any]]:
    for s in settlements.iterator(chunk_size=500):
        yield (
            s.settled_on, s.event.slug, s.organization.legal_name_fr, s.organization.ice, s.takings, s.takings_vat,
            s.differences, s.commission_rate, s.commission.number if s.commission else "", s.commission_netted,
            s.offsets, s.net_paid,
        )  # fmt: skip


@role_required(*READ)
@require_GET
def settlement_list(request: HttpRequest) -> HttpResponse:
    form = SettlementFilterForm(request.GET)
    settlements = selectors.settlements_for(request.user)
    event, member = form.value_of("event"), form.value_of("member")
    start, end = form.value_of("start"), form.value_of("end")
    if event is not None:
        settlements = settlements.filter(event=event)
    if member is not None:
        settlements = settlements.filter(organization=member)
    if start is not None:
        settlements = settlements.filter(settled_on__gte=start)
    if end is not None:
        settlements = settlements.filter(settled_on__lte=end)
    fmt = export_format(request)
    if fmt:
        return table_response(
            filename="reglements", fmt=fmt, headers=settlement_headers(), rows=_settlement_rows(settlements),
            sheet_name=_("Règlements"),
        )  # fmt: skip
    sums = settlements.order_by().aggregate(
        takings=Sum("takings"), differences=Sum("differences"), offsets=Sum("offsets"), net=Sum("net_paid")
    )
    totals = {key: to_mad(value or ZERO) for key, value in sums.items()}
    totals["commission"] = totals["takings"] + totals["differences"] - totals["offsets"] - totals["net"]
    page = Paginator(settlements, PAGE_SIZE).get_page(request.GET.get("page"))
    for settlement in page:
        settlement.netted = settlement.commission_netted  # type: ignore[attr-defined]
    return render(
        request,
        "sales/settlements/list.html",
        {"form": form, "page": page, "totals": totals, "query": query_without(request), "event": event},
    )


# One settlement ----------------------------------------------------------------------------------------------------


@role_required(*READ)
@require_GET
def settlement_detail(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = selectors.settlement_for(request.user, settlement_id)
    payment = settlement.offset_payment
    allocations = list(payment.allocations.select_related("document").order_by("pk")) if payment else []
    return render(
        request,
        "sales/settlements/detail.html",
        {
            "settlement": settlement,
            "commission_netted": settlement.commission_netted,
            "allocations": allocations,
            "products": selectors.settled_products(settlement),
            "summaries": settlement.summaries.order_by("day", "method", "part"),
            "history": audit_history(
                user=request.user, target_type=settlement._meta.label_lower, target_id=settlement.pk
            ),
        },
    )


@role_required(*NOTE_READ)
@require_GET
def settlement_pdf(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """The settlement note, French and Arabic side by side: staff read every one, a representative its own."""
    settlement = selectors.settlement_for(request.user, settlement_id)
    pdf = settlement_note_pdf(settlement, printed_on=local_today())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(note_file_name(settlement), inline=True)
    return response


# Settling ----------------------------------------------------------------------------------------------------------


def _default_day(event: Event) -> date:
    """Today: the day the net is paid (every summary posted up to it is settled)."""
    return local_today()


def _settle_form(request: HttpRequest, event: Event) -> tuple[SettleForm, date]:
    data = request.POST if request.method == "POST" else (request.GET if "on" in request.GET else None)
    form = SettleForm(data, initial={"on": _default_day(event)})
    return form, form.settled_on(_default_day(event)) if data is not None else _default_day(event)


def _stock_warning(event: Event, organization: Organization | None) -> dict[str, Any] | None:
    """Consignment not finished (returns not entered, shortages not decided) or contradicting the sales (more sold
    than deposited: a tally typed wrong inflates the net to pay): settling stays allowed, but the page says what
    is wrong, since a shortage the GIE pays later waits for the next settlement."""
    rows = stock_of(event, organization) if organization is not None else reconciliation(event)
    questions = questions_in(event, rows)
    if not any(questions):
        return None
    return {
        "returns_missing": questions.returns_missing,
        "decisions_pending": questions.decisions_pending,
        "oversold": oversold_rows(rows),
    }


def _expected(form: SettleForm, name: str) -> Decimal | None:
    value = form.cleaned_data.get(name) if form.is_bound and form.is_valid() else None
    return value if isinstance(value, Decimal) else None


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def settle_member(request: HttpRequest, event_slug: str, org_slug: str) -> HttpResponse:
    """Preview what settling the member on a date does; a POST with the previewed figures settles it."""
    from sales.settlements import settle, settlement_preview  # the books step's module

    event = selectors.event_for(request.user, event_slug)
    organization = selectors.event_member_for(request.user, event, org_slug)
    form, on = _settle_form(request, event)
    existing = Settlement.objects.filter(event=event, organization=organization, settled_on=on).first()
    plan, refusal = None, ""
    try:
        plan = settlement_preview(event, organization, on=on)
    except DomainError as error:
        refusal = error.message()
    if request.method == "POST" and plan is not None and form.is_valid() and existing is None:
        if (_expected(form, "expected_net"), _expected(form, "expected_takings")) != (plan.net, plan.takings):
            messages.error(request, DomainError(ErrorCode.SALES_PREVIEW_CHANGED).message())
        else:
            try:
                settlement = settle(event, organization, on=on, acting_user=request.user, today=local_today())
            except DomainError as error:
                messages.error(request, error.message())
            else:
                messages.success(
                    request,
                    _("Règlement enregistré : %(net)s DH versés à %(member)s.")
                    % {"net": format_amount(settlement.net_paid), "member": organization.legal_name_fr},
                )
                return redirect("sales:settlement_detail", settlement_id=settlement.pk)
    return render(
        request,
        "sales/settlements/settle_member.html",
        {
            "event": event,
            "organization": organization,
            "form": form,
            "on": on,
            "plan": plan,
            "refusal": refusal,
            "existing": existing,
            "offsets_total": plan.offsets_total if plan else ZERO,
            "stock": _stock_warning(event, organization),
        },
    )


def _event_plans(event: Event, on: date) -> tuple[list[Any], list[tuple[Organization, str]]]:
    """The preview of every member with sales left to settle on ``on``, and the members refused with the reason."""
    from sales.settlements import settlement_preview

    plans, refused = [], []
    for figures in selectors.event_members(event):
        organization = figures.organization
        if Settlement.objects.filter(event=event, organization=organization, settled_on=on).exists():
            continue
        try:
            plan = settlement_preview(event, organization, on=on)
        except DomainError as error:
            refused.append((organization, error.message()))
            continue
        if plan.owed > 0:
            plans.append(plan)
    return plans, refused


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def settle_event(request: HttpRequest, event_slug: str) -> HttpResponse:
    """Every member of an event at once: the preview lists each member's figures; the confirmation settles them all
    (one transaction), provided the total still equals the preview's."""
    from sales.settlements import settle_event as settle_all  # the books step's module

    event = selectors.event_for(request.user, event_slug)
    form, on = _settle_form(request, event)
    plans, refused = _event_plans(event, on)
    done = Settlement.objects.filter(event=event, settled_on=on).select_related("organization")
    total_net = sum((p.net for p in plans), ZERO)
    total_takings = sum((p.takings for p in plans), ZERO)
    if request.method == "POST" and plans and form.is_valid():
        if (_expected(form, "expected_net"), _expected(form, "expected_takings")) != (total_net, total_takings):
            messages.error(request, DomainError(ErrorCode.SALES_PREVIEW_CHANGED).message())
        else:
            try:
                settlements = settle_all(event, on=on, acting_user=request.user, today=local_today())
            except DomainError as error:
                messages.error(request, error.message())
            else:
                count = len(settlements)
                text = ngettext("%(count)d règlement enregistré.", "%(count)d règlements enregistrés.", count)
                messages.success(request, text % {"count": count})
                return redirect(f"{reverse('sales:settlement_list')}?event={event.slug}")
    return render(
        request,
        "sales/settlements/settle_event.html",
        {
            "event": event,
            "form": form,
            "on": on,
            "plans": plans,
            "refused": refused,
            "done": done,
            "stock": _stock_warning(event, None),
            "totals": {
                "takings": total_takings,
                "differences": sum((p.differences for p in plans), ZERO),
                "commission": sum((p.commission_netted for p in plans), ZERO),
                "offsets": sum((p.offsets_total for p in plans), ZERO),
                "net": total_net,
            },
        },
    )


urlpatterns: list[URLPattern] = [
    path("settlements/", settlement_list, name="settlement_list"),
    path("settlements/<int:settlement_id>/", settlement_detail, name="settlement_detail"),
    path("settlements/<int:settlement_id>/note.pdf", settlement_pdf, name="settlement_pdf"),
    path("events/<slug:event_slug>/settle/", settle_event, name="settle_event"),
    path("events/<slug:event_slug>/settle/<slug:org_slug>/", settle_member, name="settle_member"),
]
