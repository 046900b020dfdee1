"""The cooperative portal's sales, on a phone, in Arabic or French: the fairs and shops the cooperative sold at with
its own takings and what is left to settle; for one event, its sales per product, its stock deposited, sold and
returned, and its settlements; a settlement as the printed note words it, with the PDF.

A representative sees its own cooperative's figures only: every read goes through ``sales.selectors`` scoped by the
user (an event it does not take part in, or another member's settlement, is a 404 like a missing one)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from gie_erp.core.access import role_required
from gie_erp.core.money import ZERO
from gie_erp.core.roles import Role
from gie_erp.statements import pictograms
from gie_erp.web.portal import PICTOGRAMS
from members import selectors as member_selectors
from members.models import Organization
from sales import selectors
from sales.models import Event, Settlement

#: the newest events shown (older ones stay on the printed notes and statements)
SHOWN = 50
#: the statement's basket (sales) beside its arrows and coins
PORTAL_PICTOGRAMS = {**PICTOGRAMS, "basket": mark_safe(pictograms.SOURCES["basket"])}  # noqa: S308 - our own SVG


@dataclass(frozen=True, slots=True)
class EventCard:
    event: Event
    figures: selectors.MemberFigures
    differences: Decimal = ZERO  # missing goods the GIE paid, settled with the takings (no commission on them)

    @property
    def commission(self) -> Decimal:
        """What settlements kept of what they settled — the takings and the missing goods the GIE paid: the
        commission (VAT included) and the other invoices netted."""
        return self.figures.settled + self.differences - self.figures.net_paid


def _organization(request: HttpRequest) -> Organization:
    user: Any = request.user
    if not user.organization_id:
        raise Http404
    return member_selectors.organization_get(user=user, slug=user.organization.slug)


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_sales(request: HttpRequest) -> HttpResponse:
    """Every event the cooperative takes part in, newest first, each with its own takings and what is left due."""
    org = _organization(request)
    events = selectors.events_for(request.user).order_by("-starts_on", "slug")[:SHOWN]
    cards = []
    for event in events:
        figures = selectors.event_members(event, organization_id=org.pk)
        if figures:
            cards.append(EventCard(event, figures[0]))
    return render(
        request,
        "web/portal_sales.html",
        {"org": org, "cards": cards, "pict": PORTAL_PICTOGRAMS, "total": sum((c.figures.amount for c in cards), ZERO)},
    )


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_sales_event(request: HttpRequest, event_slug: str) -> HttpResponse:
    """One event: the cooperative's takings, what settlements kept and paid, its products sold, its stock."""
    user: Any = request.user
    org = _organization(request)
    event = selectors.event_for(user, event_slug)
    figures = selectors.event_members(event, organization_id=org.pk)
    if not figures:
        raise Http404
    lines = selectors.lines_for(user, selectors.SalesFilter(event_id=event.pk, organization_id=org.pk))
    settlements = list(selectors.settlements_for(user).filter(event=event).order_by("-settled_on"))
    return render(
        request,
        "web/portal_sales_event.html",
        {
            "org": org,
            "event": event,
            "card": EventCard(event, figures[0], sum((s.differences for s in settlements), ZERO)),
            "products": selectors.sales_rows(lines, selectors.shares_for(user).none(), "product"),
            "days": selectors.sales_rows(lines, selectors.shares_for(user).none(), "day"),
            "stock": selectors.stock_rows(event, org),
            "settlements": settlements,
            "pict": PORTAL_PICTOGRAMS,
        },
    )


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_sales_settlement(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """A settlement as the printed note says it (the note's QR code opens this page)."""
    org = _organization(request)
    settlement: Settlement = selectors.settlement_for(request.user, settlement_id)
    if settlement.organization_id != org.pk:
        raise Http404
    return render(
        request,
        "web/portal_sales_settlement.html",
        {
            "org": org,
            "settlement": settlement,
            "commission": settlement.commission_netted,
            "tickets": selectors.settled_lines(settlement).values("ticket").distinct().count(),
            "products": selectors.settled_products(settlement),
            "pict": PORTAL_PICTOGRAMS,
        },
    )
