"""Reads of collective sales, always scoped to what the acting user may see. A miss is a 404, never a 403.

GIE staff and the auditor read every event; a fair seller reads the events it is assigned to (and sells there);
a cooperative's representative reads the events its cooperative takes part in, and only its own figures there."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from gie_erp.core.i18n import format_day
from gie_erp.core.money import ZERO, to_mad
from gie_erp.core.roles import Role, sees_all_books
from members.models import Organization
from members.selectors import search_pattern
from sales.models import (
    Channel,
    Deposit,
    Event,
    PaymentMethod,
    Product,
    Settlement,
    Summary,
    SyncConflict,
    TicketLine,
    TicketShare,
)


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or sees_all_books(user.role))


def representative_of(user: Any) -> int | None:
    """The organization a representative acts for, or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.COOP_REPRESENTATIVE:
        return None
    organization_id: int | None = user.organization_id
    return organization_id


def events_for(user: Any) -> QuerySet[Event]:
    """The events a user may see."""
    events = Event.objects.select_related("channel", "commune")
    if is_staff(user):
        return events
    if getattr(user, "is_authenticated", False) and user.role == Role.FAIR_SELLER:
        return events.filter(sellers=user)
    member = representative_of(user)
    if member is not None:
        return events.filter(participations__organization_id=member)
    return events.none()


def event_for(user: Any, slug: str) -> Event:
    """One event the user may see, else 404."""
    event = events_for(user).filter(slug=slug).first()
    if event is None:
        raise Http404
    return event


def products_for(user: Any) -> QuerySet[Product]:
    """Staff read every member's catalogue; a representative its own; others none (the till reads an event's
    catalogue through ``event_catalogue``)."""
    products = Product.objects.select_related("organization")
    if is_staff(user):
        return products
    member = representative_of(user)
    return products.filter(organization_id=member) if member is not None else products.none()


def event_catalogue(event: Event) -> QuerySet[Product]:
    """The products on sale at an event: the active products of its participating members."""
    return (
        Product.objects.filter(organization__in=event.participations.values("organization"), is_active=True)
        .select_related("organization")
        .order_by("organization__legal_name_fr", "code")
    )


# --- lists and figures (pages, reports, portal) -------------------------------------------------------------------


def channels_for(user: Any) -> QuerySet[Channel]:
    """Channels are the GIE's settings: staff read them, nobody else."""
    return Channel.objects.all() if is_staff(user) else Channel.objects.none()


def channel_for(user: Any, slug: str) -> Channel:
    channel = channels_for(user).filter(slug=slug).first()
    if channel is None:
        raise Http404
    return channel


def event_search(
    *, user: Any, query: str = "", state: str = "", channel: str = "", year: int | None = None
) -> QuerySet[Event]:
    """The events a user may see, newest first, filtered by a word of their name, slug or place, state, channel."""
    events = events_for(user)
    if query:
        pattern = search_pattern(query)
        events = events.filter(
            Q(name_fr__iregex=pattern)
            | Q(name_ar__iregex=pattern)
            | Q(slug__icontains=query)
            | Q(place__iregex=pattern)
        )
    if state:
        events = events.filter(state=state)
    if channel:
        events = events.filter(channel__slug=channel)
    if year is not None:
        events = events.filter(starts_on__year=year)
    return events.order_by("-starts_on", "slug").distinct()


def current_event(user: Any) -> Event | None:
    """The event a page opens on: the latest open one the user may see, else the latest one."""
    events = events_for(user).order_by("-starts_on", "slug")
    return events.filter(state=Event.State.OPEN).first() or events.first()


@dataclass(frozen=True, slots=True)
class SalesFilter:
    """What a report looks at. ``None`` and empty strings filter nothing."""

    event_id: int | None = None
    organization_id: int | None = None
    product_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def lines_for(user: Any, filters: SalesFilter | None = None) -> QuerySet[TicketLine]:
    """Ticket lines a user may read: staff all; a seller those of its events; a representative its own."""
    lines = TicketLine.objects.all()
    if not is_staff(user):
        member = representative_of(user)
        if getattr(user, "is_authenticated", False) and user.role == Role.FAIR_SELLER:
            lines = lines.filter(ticket__event__sellers=user)
        elif member is not None:
            lines = lines.filter(organization_id=member)
        else:
            return lines.none()
    return _filtered(lines, filters or SalesFilter(), product=True)


def shares_for(user: Any, filters: SalesFilter | None = None) -> QuerySet[TicketShare]:
    """Ticket money per (member, method) a user may read, scoped like ``lines_for`` (no product: a share has none)."""
    shares = TicketShare.objects.all()
    if not is_staff(user):
        member = representative_of(user)
        if getattr(user, "is_authenticated", False) and user.role == Role.FAIR_SELLER:
            shares = shares.filter(ticket__event__sellers=user)
        elif member is not None:
            shares = shares.filter(organization_id=member)
        else:
            return shares.none()
    return _filtered(shares, filters or SalesFilter(), product=False)


def _filtered(rows: Any, filters: SalesFilter, *, product: bool) -> Any:
    if filters.event_id is not None:
        rows = rows.filter(ticket__event_id=filters.event_id)
    if filters.organization_id is not None:
        rows = rows.filter(organization_id=filters.organization_id)
    if product and filters.product_id is not None:
        rows = rows.filter(product_id=filters.product_id)
    if filters.date_from is not None:
        rows = rows.filter(ticket__sold_on__gte=filters.date_from)
    if filters.date_to is not None:
        rows = rows.filter(ticket__sold_on__lte=filters.date_to)
    return rows


@dataclass(frozen=True, slots=True)
class SalesRow:
    """One group of a sales report: its key and label, tickets, quantity (products only), amount TTC, VAT, HT;
    ``param`` is the filter value that narrows a report to this group (a slug, a scan code, an ISO day)."""

    key: Any
    label: str
    label_ar: str
    tickets: int
    quantity: Decimal | None
    amount: Decimal
    vat: Decimal
    extra: str = ""  # a member's short name, a product's member, an event's short name
    param: str = ""

    @property
    def net(self) -> Decimal:
        return self.amount - self.vat


#: the groupings a sales report offers, each read from the lines (or, by method, from the shares)
GROUPS = ("member", "product", "day", "method", "event")
#: per grouping: the key, French and Arabic labels, the extra column and the drill-down parameter
_GROUP_FIELDS = {
    "member": ("organization_id", "organization__legal_name_fr", "organization__legal_name_ar",
               "organization__slug", "organization__slug"),
    "product": ("product_id", "product__name_fr", "product__name_ar", "organization__legal_name_fr",
                "product__scan_code"),
    "event": ("ticket__event_id", "ticket__event__name_fr", "ticket__event__name_ar", "ticket__event__slug",
              "ticket__event__slug"),
}  # fmt: skip


def sales_rows(lines: QuerySet[TicketLine], shares: QuerySet[TicketShare], group: str) -> list[SalesRow]:
    """The report's rows for one grouping, largest first (days in order). Sums are exact: they add ticket lines,
    which are already rounded to the centime, and SQLite's dropped trailing zeros are put back by ``to_mad``."""
    if group == "method":
        labels = dict(PaymentMethod.choices)
        by_method = shares.values("method").annotate(amount=Sum("amount"), tickets=Count("ticket", distinct=True))
        return [
            SalesRow(row["method"], str(labels.get(row["method"], row["method"])), "", row["tickets"], None,
                     to_mad(row["amount"] or ZERO), ZERO, param=row["method"])
            for row in by_method.order_by("method")
        ]  # fmt: skip
    sums = {
        "amount": Sum("amount"),
        "vat": Sum("vat"),
        "quantity": Sum("quantity"),
        "tickets": Count("ticket", distinct=True),
    }
    rows = []
    if group == "day":
        by_day: Any = lines.values("ticket__sold_on").annotate(**sums).order_by("ticket__sold_on")
        for row in by_day:
            day = row["ticket__sold_on"]
            rows.append(
                SalesRow(day, format_day(day), "", row["tickets"], None, to_mad(row["amount"] or ZERO),
                         to_mad(row["vat"] or ZERO), param=day.isoformat())
            )  # fmt: skip
        return rows
    key, label_fr, label_ar, extra, param = _GROUP_FIELDS[group]
    for row in lines.values(key, label_fr, label_ar, extra, param).annotate(**sums).order_by(key):
        rows.append(
            SalesRow(row[key], row[label_fr] or "", row[label_ar] or "", row["tickets"],
                     row["quantity"] if group == "product" else None, to_mad(row["amount"] or ZERO),
                     to_mad(row["vat"] or ZERO), row[extra] or "", row[param] or "")
        )  # fmt: skip
    rows.sort(key=lambda r: (-r.amount, r.label))
    return rows


@dataclass(frozen=True, slots=True)
class SalesTotals:
    tickets: int
    amount: Decimal
    vat: Decimal

    @property
    def net(self) -> Decimal:
        return self.amount - self.vat


def sales_totals(lines: QuerySet[TicketLine]) -> SalesTotals:
    totals = lines.order_by().aggregate(amount=Sum("amount"), vat=Sum("vat"), tickets=Count("ticket", distinct=True))
    return SalesTotals(totals["tickets"] or 0, to_mad(totals["amount"] or ZERO), to_mad(totals["vat"] or ZERO))


def method_totals(shares: QuerySet[TicketShare]) -> dict[str, Decimal]:
    """Amount per payment method, every method present (0.00 when none)."""
    found = dict(shares.order_by().values_list("method").annotate(total=Sum("amount")))
    return {method: to_mad(found.get(method) or ZERO) for method in PaymentMethod.values}


def held_tickets(event: Event) -> QuerySet[SyncConflict]:
    """Tickets the server kept for the accountant (conflicts and broken rules) that name this event."""
    return SyncConflict.objects.filter(payload__event=event.slug).select_related("device", "device__user")


@dataclass(frozen=True, slots=True)
class MemberFigures:
    """A member at an event: its stand, what its tickets took, what settlements took into account."""

    organization: Organization
    stand: str
    tickets: int
    amount: Decimal
    vat: Decimal
    settled: Decimal
    net_paid: Decimal

    @property
    def left_to_settle(self) -> Decimal:
        return self.amount - self.settled


def event_members(event: Event, *, organization_id: int | None = None) -> list[MemberFigures]:
    """Every participating member (or one) with its takings and settlements at this event, by stand."""
    participations = event.participations.select_related("organization").order_by("stand", "organization__slug")
    if organization_id is not None:
        participations = participations.filter(organization_id=organization_id)
    sold = {
        row["organization_id"]: row
        for row in TicketLine.objects.filter(ticket__event=event)
        .values("organization_id")
        .annotate(amount=Sum("amount"), vat=Sum("vat"), tickets=Count("ticket", distinct=True))
        .order_by()
    }
    settled = {
        row["organization_id"]: row
        for row in Settlement.objects.filter(event=event)
        .values("organization_id")
        .annotate(takings=Sum("takings"), net=Sum("net_paid"))
        .order_by()
    }
    figures = []
    for participation in participations:
        pk = participation.organization_id
        s: Any = sold.get(pk, {})
        t: Any = settled.get(pk, {})
        figures.append(
            MemberFigures(
                organization=participation.organization,
                stand=participation.stand,
                tickets=s.get("tickets") or 0,
                amount=to_mad(s.get("amount") or ZERO),
                vat=to_mad(s.get("vat") or ZERO),
                settled=to_mad(t.get("takings") or ZERO),
                net_paid=to_mad(t.get("net") or ZERO),
            )
        )
    return figures


def event_member_for(user: Any, event: Event, org_slug: str) -> Organization:
    """A member taking part in an event, as the user may see it (a representative: only its own), else 404."""
    participation = event.participations.select_related("organization").filter(organization__slug=org_slug).first()
    member = representative_of(user)
    if participation is None or (not is_staff(user) and participation.organization_id != member):
        raise Http404
    return participation.organization


def settlements_for(user: Any) -> QuerySet[Settlement]:
    """Settlements a user may read: staff all, a representative its own cooperative's, nobody else any."""
    settlements = Settlement.objects.select_related("event", "organization", "commission")
    if is_staff(user):
        return settlements
    member = representative_of(user)
    return settlements.filter(organization_id=member) if member is not None else settlements.none()


def settlement_for(user: Any, settlement_id: int) -> Settlement:
    settlement = settlements_for(user).filter(pk=settlement_id).first()
    if settlement is None:
        raise Http404
    return settlement


def settled_lines(settlement: Settlement) -> QuerySet[TicketLine]:
    """The member's ticket lines a settlement paid: those whose (summary run, day) a summary of this settlement
    posted. Tickets synced after the settlement went to a later summary and so to a later settlement."""
    covered = Summary.objects.filter(
        settlement=settlement,
        organization_id=settlement.organization_id,
        run_id=OuterRef("ticket__summary_run_id"),
        day=OuterRef("ticket__sold_on"),
    )
    return TicketLine.objects.filter(
        ticket__event_id=settlement.event_id, organization_id=settlement.organization_id
    ).filter(Exists(covered))


def settled_products(settlement: Settlement) -> list[SalesRow]:
    """What a settlement paid, per product (the note's detail), largest first."""
    return sales_rows(settled_lines(settlement), TicketShare.objects.none(), "product")


def stock_rows(event: Event, organization: Organization | None = None) -> list[Any]:
    """Consigned stock at an event (deposited, sold, returned per product: ``sales.consignment.StockRow``), for one
    member or every member, by member then product code."""
    from sales.consignment import reconciliation, stock_of  # the catalogue step's module

    return list(stock_of(event, organization) if organization is not None else reconciliation(event))


def dues_for(event: Event) -> dict[int, Decimal]:
    """What the GIE still owes each participating member for an event (``sales.settlements.due_for``, for every
    member at once: three queries whatever their number): summarized sales and missing goods the GIE decided to pay,
    not yet settled; 0.00 for a member owed nothing. Summed here, exactly, rather than by SQLite's floats."""
    dues = dict.fromkeys(event.participations.values_list("organization_id", flat=True), ZERO)
    summaries = Summary.objects.filter(event=event, settlement__isnull=True).order_by()
    differences = Deposit.objects.filter(
        event=event, decision=Deposit.Decision.GIE, decided_amount__isnull=False, settlement__isnull=True
    ).order_by()
    for organization_id, amount in [
        *summaries.values_list("organization_id", "amount"),
        *differences.values_list("organization_id", "decided_amount"),
    ]:
        dues[organization_id] = dues.get(organization_id, ZERO) + (amount or ZERO)
    return {pk: to_mad(amount) for pk, amount in dues.items()}
