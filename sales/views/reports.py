"""Sales reports for the GIE's staff: sales grouped by member, product, day, payment method or event, with filters;
the ticket lines behind any group (the drill-down); the stock consigned per event. Every table leaves as XLSX or CSV
through ``gie_erp.core.exports`` (text that looks like a formula is written as text).

Figures are sums of ticket lines (or, per payment method, of ticket shares), which are rounded to the centime when
a ticket is stored: any grouping adds up to the tickets exactly."""

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gie_erp.core.access import role_required
from gie_erp.core.exports import table_response
from gie_erp.core.i18n import organization_name
from gie_erp.core.money import ZERO
from sales import selectors
from sales.forms import SalesFilterForm
from sales.line_export import line_row, lines_for_export
from sales.models import Deposit, Event
from sales.views.access import PAGE_SIZE, READ, export_format, local_today, query_without

GROUP_LABELS = {
    "member": lambda: _("Membre"),
    "product": lambda: _("Produit"),
    "day": lambda: _("Jour"),
    "method": lambda: _("Moyen de paiement"),
    "event": lambda: _("Événement"),
}
#: the parameter a group's key becomes when a row drills down to its ticket lines
DRILL = {"member": "member", "product": "product", "day": "day", "event": "event"}


def _defaults(request: HttpRequest) -> QueryDict:
    """The filters as asked; a page opened without any starts on the current event, or on this month without one."""
    if request.GET:
        return request.GET
    data = QueryDict(mutable=True)
    event = selectors.current_event(request.user)
    if event is not None:
        data["event"] = event.slug
    else:
        today = local_today()
        data["start"], data["end"] = date(today.year, today.month, 1).isoformat(), today.isoformat()
    return data


def _query(form: SalesFilterForm) -> QueryDict:
    data: QueryDict = form.data  # type: ignore[assignment]  # built from a QueryDict (``_defaults``)
    return data


def _form(request: HttpRequest) -> SalesFilterForm:
    user: Any = request.user
    return SalesFilterForm(
        _defaults(request),
        events=selectors.events_for(user).order_by("-starts_on"),
        products=selectors.products_for(user),
    )


def report_headers(group: str) -> list[str]:
    quantity = [_("Quantité")] if group == "product" else []
    extra = {"member": [_("Nom court")], "product": [_("Membre")], "event": [_("Nom court")]}.get(group, [])
    return [GROUP_LABELS[group](), *extra, _("Tickets"), *quantity, _("Ventes TTC"), _("TVA"), _("Ventes HT")]


def _report_rows(rows: list[selectors.SalesRow], group: str) -> Iterator[Sequence[Any]]:
    for row in rows:
        extra = [row.extra] if group in {"member", "product", "event"} else []
        quantity = [row.quantity] if group == "product" else []
        yield (row.label, *extra, row.tickets, *quantity, row.amount, row.vat, row.net)


@role_required(*READ)
@require_GET
def sales_report(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = _form(request)
    group = form.grouping()
    filters = form.sales_filter()
    lines = selectors.lines_for(user, filters)
    shares = selectors.shares_for(user, filters)
    if group == "method" and filters.product_id is not None:
        shares = shares.none()  # a payment is not split by product: no figure rather than a wrong one
    rows = selectors.sales_rows(lines, shares, group)
    totals = selectors.sales_totals(lines)
    fmt = export_format(request)
    if fmt:
        return table_response(
            filename=f"ventes-par-{group}", fmt=fmt, headers=report_headers(group), rows=_report_rows(rows, group),
            sheet_name=_("Ventes"),
        )  # fmt: skip
    query = query_without(request) if request.GET else _query(form).urlencode()
    drill = query_without_keys(_query(form), "group", DRILL.get(group, ""))
    return render(
        request,
        "sales/reports/sales.html",
        {
            "form": form,
            "group": group,
            "rows": rows,
            "totals": totals,
            "method_total": sum((r.amount for r in rows), ZERO) if group == "method" else None,
            "query": query,
            "drill": drill,
            "drill_param": DRILL.get(group, ""),
            "product_note": group == "method" and filters.product_id is not None,
        },
    )


def query_without_keys(data: QueryDict, *names: str) -> str:
    query = data.copy()
    for name in ("page", "export", *names):
        if name:
            query.pop(name, None)
    return query.urlencode()


# Ticket lines ------------------------------------------------------------------------------------------------------


def lines_headers() -> list[str]:
    return [
        _("Ticket"), _("Vendu le"), _("Jour"), _("Événement"), _("Téléphone"), _("N° sur le téléphone"),
        _("Feuille papier"), _("Remboursement de"), _("Membre"), _("ICE du membre"), _("Code produit"), _("Produit"),
        _("Quantité"), _("Prix unitaire TTC"), _("Montant TTC"), _("Taux de TVA"), _("TVA"),
    ]  # fmt: skip


def _one_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


@role_required(*READ)
@require_GET
def sales_lines(request: HttpRequest) -> HttpResponse:
    """The ticket lines behind a report row (``day=`` narrows to one day), in the order they were sold."""
    user: Any = request.user
    form = _form(request)
    filters = form.sales_filter()
    day = _one_day(request.GET.get("day", ""))
    lines = selectors.lines_for(user, filters)
    if day is not None:
        lines = lines.filter(ticket__sold_on=day)
    fmt = export_format(request)
    if fmt:
        rows = (line_row(line) for line in lines_for_export(lines).iterator(chunk_size=2000))
        return table_response(
            filename="lignes-de-tickets", fmt=fmt, headers=lines_headers(), rows=rows, sheet_name=_("Lignes")
        )
    page = Paginator(lines_for_export(lines), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/reports/lines.html",
        {
            "form": form,
            "day": day,
            "page": page,
            "totals": selectors.sales_totals(lines),
            "query": query_without(request) if request.GET else _query(form).urlencode(),
        },
    )


# Stock per event ---------------------------------------------------------------------------------------------------


def stock_headers() -> list[str]:
    return [
        _("Membre"), _("Code produit"), _("Produit"), _("Déposé"), _("Vendu"), _("Repris"), _("Écart"),
        _("Décision"),
    ]  # fmt: skip


@role_required(*READ)
@require_GET
def stock_report(request: HttpRequest) -> HttpResponse:
    """Per member and product of an event: deposited, sold by the tickets, returned, and the difference."""
    user: Any = request.user
    form = _form(request)
    event: Event | None = form.value_of("event") or selectors.current_event(user)
    member = form.value_of("member")
    labels = dict(Deposit.Decision.choices)
    stock = selectors.stock_rows(event, member) if event is not None else []
    rows = [(row, str(labels.get(row.decision, "")) if row.decision else "") for row in stock]
    fmt = export_format(request)
    if fmt:
        data = (
            (organization_name(row.product.organization, "fr"), row.product.code, row.product.name_fr, row.deposited,
             row.sold, row.returned, row.difference, label)
            for row, label in rows
        )  # fmt: skip
        slug = event.slug if event else "aucun"
        return table_response(
            filename=f"stock-{slug}", fmt=fmt, headers=stock_headers(), rows=data, sheet_name=_("Stock")
        )
    return render(
        request,
        "sales/reports/stock.html",
        {"form": form, "event": event, "rows": rows, "query": query_without(request)},
    )


urlpatterns: list[URLPattern] = [
    path("reports/", sales_report, name="sales_report"),
    path("reports/lines/", sales_lines, name="sales_lines"),
    path("reports/stock/", stock_report, name="stock_report"),
]
