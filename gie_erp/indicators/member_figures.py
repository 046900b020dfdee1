"""A member's own figures next to its sector's average (the portal's "Mes chiffres"): its sales through the GIE,
fees and training over a year; the average over the sector's members, shown only from ``MIN_SECTOR_MEMBERS`` of
them. Only the average leaves this module, never another member's figures."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from gie_erp.core.money import ZERO, to_mad
from gie_erp.indicators.selectors import Filters, active_at, members_qs
from invoices.models import Document
from members.models import Organization
from sales.models import Summary
from training.reports import ReportFilter, participations, round_hours

#: a sector's average is shown only when the sector has at least this many members (one member's figures otherwise)
MIN_SECTOR_MEMBERS = 5


@dataclass(frozen=True, slots=True)
class Own:
    sales: Decimal  # TTC, through the GIE
    fees: Decimal  # HT, less credit notes
    trained: int  # its people trained
    hours: Decimal  # their hours of training


@dataclass(frozen=True, slots=True)
class MemberFigures:
    year: int
    own: Own
    sector: str
    sector_members: int
    sector_average: Own | None  # None below MIN_SECTOR_MEMBERS


def _per_member(filters: Filters, reader: Any) -> dict[int, Own]:
    """Each member's figures over the period (the members the filters name)."""
    members = members_qs(filters)
    sold = dict(
        Summary.objects.filter(posted_on__gte=filters.start, posted_on__lte=filters.end, organization__in=members)
        .values("organization_id")
        .annotate(amount=Sum("amount"))
        .values_list("organization_id", "amount")
    )
    charged: dict[int, Decimal] = {}
    issued = Q(issued_on__gte=filters.start, issued_on__lte=filters.end)
    for relation, sign in (("fee_share", 1), ("fee_share_credit", -1)):
        for organization_id, amount in (
            Document.objects.filter(issued, **{f"{relation}__organization__in": members})
            .exclude(status=Document.Status.DRAFT)
            .values(f"{relation}__organization_id")
            .annotate(amount=Sum("total_net"))
            .values_list(f"{relation}__organization_id", "amount")
        ):
            charged[organization_id] = charged.get(organization_id, ZERO) + sign * amount
    wanted = set(members.values_list("pk", flat=True))
    people: dict[int, set[int]] = {}
    hours: dict[tuple[int, int], Any] = {}
    for record in participations(reader, ReportFilter(start=filters.start, end=filters.end)):
        if record.organization_id in wanted:
            people.setdefault(record.organization_id, set()).add(record.cooperator_id)
            key = (record.organization_id, record.cooperator_id)
            hours[key] = hours.get(key, 0) + record.hours
    rounded: dict[int, Decimal] = {}
    for (organization_id, _person), exact in hours.items():
        rounded[organization_id] = rounded.get(organization_id, ZERO) + round_hours(exact)
    return {
        pk: Own(
            to_mad(sold.get(pk) or ZERO), to_mad(charged.get(pk, ZERO)), len(people.get(pk, ())),
            rounded.get(pk, ZERO),
        )
        for pk in wanted
    }  # fmt: skip


def member_figures(organization: Organization, year: int, reader: Any) -> MemberFigures:
    """The member's sales, fees and training over the year; its sector's average over the sector's members active at
    the year's end (the member included, members without activity counted as zero), when there are at least
    MIN_SECTOR_MEMBERS of them. ``reader`` reads every member's training (the GIE's staff): only the average leaves
    this function, never another member's figures."""
    filters = Filters(date(year, 1, 1), date(year, 12, 31), sector=organization.sector)
    figures = _per_member(filters, reader)
    active = set(members_qs(filters).filter(active_at(filters.end)).values_list("pk", flat=True))
    own = figures.get(organization.pk) or Own(ZERO, ZERO, 0, ZERO)
    average = None
    if len(active) >= MIN_SECTOR_MEMBERS:
        count = len(active)
        rows = [figures[pk] for pk in active]
        average = Own(
            to_mad(sum((row.sales for row in rows), ZERO) / count),
            to_mad(sum((row.fees for row in rows), ZERO) / count),
            0,  # people are not averaged (a fraction of a person reads badly): hours are
            to_mad(sum((row.hours for row in rows), ZERO) / count),
        )
    return MemberFigures(year, own, organization.sector, len(active), average)
