"""Consignment pages of an event: the reconciliation table (deposited − sold − returned per product, and the
accountant's decision on each shortage), a quick grid per member for its deposits and for its returns, the deposit
note PDF, and the import of a paper tally. The GIE's staff and auditor read; its administrator and accountant
write; a representative reads only its own deposit note (its stock is in the portal)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.import_pages import import_page
from members.models import Organization
from sales.consignment import (
    DIVISIBLE_UNITS,
    NO_QUANTITY,
    StockRow,
    day_check,
    deposits_record,
    difference_decide,
    oversold_rows,
    quantity_check,
    reconciliation,
    returns_record,
    sold_quantities,
)
from sales.maths import line_amount
from sales.models import Deposit, Event, Participation, Product
from sales.paper import PAPER_LIMITS, PaperResult, paper_column_guide, paper_import, price_notice
from sales.pdf_stock import deposit_note_pdf
from sales.quantities import format_quantity, parse_quantity
from sales.selectors import event_for, representative_of
from sales.views.access import NOTE_READ, READ, WRITE, local_today, writes

GRIDS = ("deposits", "returns")


def _participant(event: Event, member_slug: str) -> Organization:
    participation = (
        Participation.objects.select_related("organization").filter(event=event, organization__slug=member_slug).first()
    )
    if participation is None:
        raise Http404
    return participation.organization


def _gie_amount(row: StockRow) -> Decimal | None:
    """What the GIE would pay for a shortage still open to decision (pending, or borne by the member so far)."""
    difference = row.difference
    if row.deposit is None or difference is None or difference <= 0 or row.decision == Deposit.Decision.GIE:
        return None
    return line_amount(difference, row.product.price)


def _groups(event: Event, rows: list[StockRow]) -> list[dict[str, Any]]:
    """The reconciliation per participating member, in stand order; a product sold beyond its deposit is flagged."""
    oversold = {row.product.pk for row in oversold_rows(rows)}
    by_member: dict[int, list[StockRow]] = defaultdict(list)
    for row in rows:
        by_member[row.product.organization_id].append(row)
    groups = []
    for participation in event.participations.select_related("organization").order_by("stand", "organization__slug"):
        member_rows = by_member.pop(participation.organization_id, [])
        groups.append(
            {
                "member": participation.organization,
                "stand": participation.stand,
                "rows": [
                    {"row": row, "gie_amount": _gie_amount(row), "oversold": row.product.pk in oversold}
                    for row in member_rows
                ],
                "pending": sum(1 for row in member_rows if row.needs_decision),
            }
        )
    return groups


@role_required(*READ)
@require_GET
def consignment(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_for(request.user, slug)
    rows = reconciliation(event)
    if request.GET.get("export") in ("csv", "xlsx"):
        return table_response(
            filename=f"consignation-{event.slug}",
            fmt=request.GET["export"],
            headers=[
                _("Membre"),
                _("Code"),
                _("Produit"),
                _("Déposé"),
                _("Vendu"),
                _("Repris"),
                _("Écart"),
                _("Décision"),
            ],
            rows=(
                (
                    row.product.organization.slug,
                    row.product.code,
                    row.product.name_fr,
                    row.deposited,
                    row.sold,
                    row.returned,
                    row.difference,
                    row.deposit.get_decision_display() if row.deposit is not None and row.decision else "",
                )
                for row in rows
            ),
            sheet_name=_("Consignation"),
        )
    return render(
        request,
        "sales/consignment/event.html",
        {
            "event": event,
            "groups": _groups(event, rows),
            "can_write": writes(request.user),
            "today": local_today(),
            "pending": sum(1 for row in rows if row.needs_decision),
            "oversold": len(oversold_rows(rows)),
        },
    )


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def stock_grid(request: HttpRequest, slug: str, member: str, kind: str) -> HttpResponse:
    """A quick grid of one member's products: the quantities it deposits, or takes back at the end."""
    event = event_for(request.user, slug)
    organization = _participant(event, member)
    deposits = {d.product_id: d for d in Deposit.objects.filter(event=event, organization=organization)}
    products = [
        p for p in Product.objects.filter(organization=organization).order_by("code") if p.is_active or p.pk in deposits
    ]
    if kind == "returns":
        products = [p for p in products if p.pk in deposits]
    errors: dict[int, str] = {}
    day_error = ""
    day_text = request.POST.get("on", "") if request.method == "POST" else local_today().isoformat()
    if request.method == "POST":
        quantities: dict[int, Decimal] = {}
        for product in products:
            text = request.POST.get(f"q-{product.pk}", "").strip()
            if not text:
                continue  # an empty cell changes nothing
            try:
                quantities[product.pk] = parse_quantity(text)
                quantity_check(product, quantities[product.pk])
            except DomainError as error:
                errors[product.pk] = error.message()
        day = _parse_day(day_text)
        if day is None:
            day_error = _("Date invalide : %(value)s.") % {"value": day_text[:20]}
        else:
            try:
                day_check(event, day)
            except DomainError as error:
                day_error = error.message()
        if day is not None and not day_error and not errors:
            record = deposits_record if kind == "deposits" else returns_record
            try:
                changed = record(
                    event=event, organization=organization, quantities=quantities, on=day, acting_user=request.user
                )
            except DomainError as error:
                messages.error(request, error.message())
            else:
                text = ngettext("%(count)d produit mis à jour.", "%(count)d produits mis à jour.", changed)
                messages.success(request, text % {"count": changed})
                return redirect(f"{reverse('sales:consignment', args=[event.slug])}#member-{organization.slug}")
    sold = sold_quantities(event, organization.pk) if kind == "returns" else {}
    lines = []
    for product in products:
        deposit = deposits.get(product.pk)
        product_sold = sold.get(product.pk, NO_QUANTITY)
        current = None
        if deposit is not None:
            current = deposit.deposited if kind == "deposits" else deposit.returned
        posted = request.POST.get(f"q-{product.pk}") if request.method == "POST" else None
        lines.append(
            {
                "product": product,
                "deposit": deposit,
                "value": posted if posted is not None else (format_quantity(current) if current is not None else ""),
                "error": errors.get(product.pk, ""),
                "frozen": deposit is not None and deposit.decision == Deposit.Decision.GIE,
                "whole": product.unit not in DIVISIBLE_UNITS,
                "sold": product_sold,
                "most": max(deposit.deposited - product_sold, NO_QUANTITY) if deposit is not None else NO_QUANTITY,
            }
        )
    return render(
        request,
        "sales/consignment/grid.html",
        {"event": event, "member": organization, "kind": kind, "lines": lines, "day": day_text, "day_error": day_error},
    )


@role_required(*WRITE)
@require_POST
def decide(request: HttpRequest, slug: str, deposit_id: int) -> HttpResponse:
    """The accountant's decision on one shortage: borne by the member, or paid by the GIE (posted)."""
    event = event_for(request.user, slug)
    deposit = Deposit.objects.filter(event=event, pk=deposit_id).select_related("organization").first()
    if deposit is None:
        raise Http404
    day = _parse_day(request.POST.get("decided_on", ""))
    if day is None:
        messages.error(request, _("Date invalide : %(value)s.") % {"value": request.POST.get("decided_on", "")[:20]})
    else:
        try:
            difference_decide(
                deposit_id=deposit.pk,
                decision=request.POST.get("decision", ""),
                decided_on=day,
                acting_user=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("Décision enregistrée."))
    return redirect(f"{reverse('sales:consignment', args=[event.slug])}#member-{deposit.organization.slug}")


@role_required(*NOTE_READ)
@require_GET
def deposit_note(request: HttpRequest, slug: str, member: str) -> HttpResponse:
    """The member's deposit note (PDF, French and Arabic); a representative gets only its own cooperative's."""
    event = event_for(request.user, slug)
    organization = _participant(event, member)
    own = representative_of(request.user)
    if own is not None and own != organization.pk:
        raise Http404
    response = HttpResponse(deposit_note_pdf(event, organization), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"bon-depot-{event.slug}-{organization.slug}.pdf", inline=True
    )
    return response


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def paper_tally(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a paper tally (CSV/XLSX) into the event: all or nothing, the refusal listed row by row."""
    event = event_for(request.user, slug)

    def stored(result: PaperResult) -> str:
        rows = ngettext("%(count)d ligne lue", "%(count)d lignes lues", result.rows_read)
        stored = ngettext("%(count)d ticket enregistré", "%(count)d tickets enregistrés", result.stored)
        present = ngettext("%(count)d déjà présent", "%(count)d déjà présents", result.duplicates)
        return _("%(rows)s : %(stored)s, %(present)s.") % {
            "rows": rows % {"count": result.rows_read},
            "stored": stored % {"count": result.stored},
            "present": present % {"count": result.duplicates},
        }

    return import_page(
        request,
        template="sales/consignment/paper.html",
        context={"event": event, "guide": paper_column_guide()},
        limits=PAPER_LIMITS,
        run=lambda name, content: paper_import(event=event, filename=name, content=content, acting_user=request.user),
        success=stored,
        success_url=reverse("sales:paper_import", kwargs={"slug": event.slug}),
        notice=price_notice,
    )


@role_required(*WRITE)
@require_GET
def paper_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The tally's header row, to fill in (the import page shows an example per column)."""
    return table_response(
        filename="modele-feuille-de-caisse",
        fmt=fmt,
        headers=[column.name for column in paper_column_guide()],
        rows=[],
        sheet_name=_("Feuille de caisse"),
    )


urlpatterns: list[URLPattern] = [
    path("events/<slug:slug>/consignment/", consignment, name="consignment"),
    path(
        "events/<slug:slug>/consignment/<slug:member>/deposits/",
        stock_grid,
        {"kind": "deposits"},
        name="deposit_grid",
    ),
    path("events/<slug:slug>/consignment/<slug:member>/returns/", stock_grid, {"kind": "returns"}, name="returns_grid"),
    path("events/<slug:slug>/consignment/<slug:member>/note.pdf", deposit_note, name="deposit_note"),
    path("events/<slug:slug>/consignment/decide/<int:deposit_id>/", decide, name="difference_decide"),
    path("events/<slug:slug>/paper/", paper_tally, name="paper_import"),
    path("paper/template.csv", paper_template, {"fmt": "csv"}, name="paper_template"),
    path("paper/template.xlsx", paper_template, {"fmt": "xlsx"}, name="paper_template"),
]
