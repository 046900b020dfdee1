"""The director's figures (issue 16): reads only, for the GIE's staff (the dashboard, the open figures).

Which members: the cooperatives (never the GIE) matching the filters — a sector, a commune, women's cooperatives only.
Every figure below is about those members.

Where each figure comes from (docs/indicators.md defines them):
- **counts** from the records: members active at the period's end (joined on or before it, not left by then), joined
  and left during it; their active cooperators by gender; training participants (``training.reports``: seated
  trainees of sessions starting in the period, a person counted once) by gender and age band, and their hours;
- **money** from what was posted: sales through the GIE are the sales summaries (``sales.Summary``: the amounts each
  fair day posted in the member's book, TTC), by month, channel, sector, commune and member; fees are the fee
  invoices (HT) less their credit notes, by the date each was issued; the GIE's result is its class 7 less its class
  6 from the balance table; the invoices outstanding are the GIE's validated invoices to members not yet settled.

Money is Decimal, MAD; each figure also carries how many cooperatives it describes (what the open figures' disclosure
control needs).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Round

from gie_erp.core.money import ZERO, from_centimes, to_mad
from gie_erp.fees.models import Share
from invoices.models import Document
from ledger.models import Book
from ledger.selectors import signed_balances
from members.models import Cooperator, Organization
from sales.models import Summary
from training.reports import AGE_BANDS, ReportFilter, participations, round_hours


@dataclass(frozen=True, slots=True)
class Filters:
    """The period (both days included) and which members."""

    start: date
    end: date
    sector: str = ""
    commune_id: int | None = None
    women_only: bool = False

    def previous_year(self) -> "Filters":
        """The same period a year earlier (29 February falls back to the 28th)."""

        def back(day: date) -> date:
            return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)

        return replace(self, start=back(self.start), end=back(self.end))


def members_qs(filters: Filters) -> QuerySet[Organization]:
    """The cooperatives the filters name (left ones included: a period may predate their leaving)."""
    qs = Organization.objects.filter(kind=Organization.Kind.COOPERATIVE)
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.commune_id is not None:
        qs = qs.filter(commune_id=filters.commune_id)
    if filters.women_only:
        qs = qs.filter(is_women_cooperative=True)
    return qs


def active_at(day: date) -> Q:
    return (Q(joined_on__isnull=True) | Q(joined_on__lte=day)) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


@dataclass(frozen=True, slots=True)
class Membership:
    active: int
    joined: int
    left: int
    women_cooperatives: int  # among the active
    cooperators_women: int  # active cooperators of the active members
    cooperators_men: int

    @property
    def cooperators(self) -> int:
        return self.cooperators_women + self.cooperators_men


def membership(filters: Filters) -> Membership:
    members = members_qs(filters)
    active = members.filter(active_at(filters.end))
    counts = active.aggregate(n=Count("pk"), women=Count("pk", filter=Q(is_women_cooperative=True)))
    period = Q(joined_on__gte=filters.start, joined_on__lte=filters.end)
    people = dict(
        Cooperator.objects.filter(organization__in=active, is_active=True, erased_on__isnull=True)
        .values("gender")
        .annotate(n=Count("pk"))
        .values_list("gender", "n")
    )
    return Membership(
        active=counts["n"],
        joined=members.filter(period).count(),
        left=members.filter(left_on__gte=filters.start, left_on__lte=filters.end).count(),
        women_cooperatives=counts["women"],
        cooperators_women=people.get(Cooperator.Gender.FEMALE, 0),
        cooperators_men=people.get(Cooperator.Gender.MALE, 0),
    )


@dataclass(frozen=True, slots=True)
class Figure:
    """An amount and how many cooperatives it sums."""

    amount: Decimal = ZERO
    cooperatives: int = 0


@dataclass(frozen=True, slots=True)
class Sales:
    total: Figure
    by_month: Mapping[int, Figure]  # 1..12 of the period's months (a period across years: by month number)
    by_channel: Mapping[str, Figure]  # channel slug
    by_sector: Mapping[str, Figure]
    by_commune: Mapping[int, Figure]  # commune id (0: none recorded)
    by_member: Mapping[int, Figure]  # organization id
    channel_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # slug -> (fr, ar)


def _figures(rows: Iterable[Mapping[str, Any]], key: str) -> dict[Any, Figure]:
    return {row[key] if row[key] is not None else 0: Figure(row["amount"], row["members"]) for row in rows}


def sales(filters: Filters) -> Sales:
    """Sales through the GIE's channels posted in the period, TTC."""
    qs = Summary.objects.filter(
        posted_on__gte=filters.start, posted_on__lte=filters.end, organization__in=members_qs(filters)
    )

    def grouped(*fields: str) -> list[dict[str, Any]]:
        return list(
            qs.values(*fields)
            .annotate(amount=Sum("amount"), members=Count("organization_id", distinct=True))
            .order_by(*fields)
        )

    total = qs.aggregate(amount=Sum("amount"), members=Count("organization_id", distinct=True))
    by_month = list(
        qs.annotate(month=ExtractMonth("posted_on"))
        .values("month")
        .annotate(amount=Sum("amount"), members=Count("organization_id", distinct=True))
        .order_by("month")
    )
    channels = grouped("event__channel__slug", "event__channel__name_fr", "event__channel__name_ar")
    return Sales(
        total=Figure(total["amount"] or ZERO, total["members"]),
        by_month=_figures(by_month, "month"),
        by_channel=_figures(channels, "event__channel__slug"),
        by_sector=_figures(grouped("organization__sector"), "organization__sector"),
        by_commune=_figures(grouped("organization__commune_id"), "organization__commune_id"),
        by_member=_figures(grouped("organization_id"), "organization_id"),
        channel_names={
            row["event__channel__slug"]: (row["event__channel__name_fr"], row["event__channel__name_ar"] or "")
            for row in channels
        },
    )


@dataclass(frozen=True, slots=True)
class Fees:
    charged: Figure  # HT, invoices less credit notes issued in the period
    by_month: Mapping[int, Decimal]


def fees(filters: Filters) -> Fees:
    """Fee invoices issued in the period (HT) less the credit notes issued in it."""
    members = members_qs(filters)
    issued = Q(issued_on__gte=filters.start, issued_on__lte=filters.end)
    invoices = Document.objects.filter(issued, fee_share__organization__in=members).exclude(
        status=Document.Status.DRAFT
    )
    credits = Document.objects.filter(issued, fee_share_credit__organization__in=members).exclude(
        status=Document.Status.DRAFT
    )
    by_month: dict[int, Decimal] = {}
    for qs, sign in ((invoices, 1), (credits, -1)):
        for month, amount in (
            qs.annotate(month=ExtractMonth("issued_on"))
            .values("month")
            .annotate(amount=Sum("total_net"))
            .values_list("month", "amount")
        ):
            by_month[month] = by_month.get(month, ZERO) + sign * amount
    charged_members = Share.objects.filter(document__in=invoices).values("organization_id").distinct().count()
    return Fees(Figure(sum(by_month.values(), ZERO), charged_members), dict(sorted(by_month.items())))


def gie_result(filters: Filters) -> Decimal:
    """The GIE's result over the period: its class 7 less its class 6 (the closing entries excluded by the balance
    table's reads). Not filtered by members: it is the GIE's."""
    book = Book.objects.filter(organization__kind=Organization.Kind.GIE).first()
    if book is None:
        return ZERO
    balances = signed_balances(book_ids=[book.pk], start=filters.start, end=filters.end)
    return -from_centimes(sum(v for code, v in balances.items() if code[:1] in {"6", "7"}))


@dataclass(frozen=True, slots=True)
class Outstanding:
    invoices: int
    amount: Decimal  # TTC still owed
    cooperatives: int


def outstanding(filters: Filters) -> Outstanding:
    """The GIE's validated invoices to these members dated up to the period's end, not yet settled (today)."""
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).values("pk")
    qs = Document.objects.filter(
        issuer__in=gie,
        kind=Document.Kind.INVOICE,
        status=Document.Status.VALIDATED,
        issued_on__lte=filters.end,
        customer__organization__in=members_qs(filters),
    )
    left = Round(
        ExpressionWrapper(
            F("total_gross") - F("amount_credited") - F("amount_paid") - F("amount_written_off"),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        2,
    )  # rounded: SQLite computes decimals in floating point
    owing = qs.annotate(left=left).filter(left__gt=0)
    totals = owing.aggregate(
        n=Count("pk"), amount=Sum("left"), members=Count("customer__organization_id", distinct=True)
    )
    return Outstanding(invoices=totals["n"], amount=to_mad(totals["amount"] or ZERO), cooperatives=totals["members"])


@dataclass(frozen=True, slots=True)
class Training:
    participants_women: int
    participants_men: int
    by_age_band: Mapping[str, int]  # AGE_BANDS keys, people
    hours: Decimal  # person-hours, each person's rounded to the hundredth
    sessions: int
    cooperatives: int

    @property
    def participants(self) -> int:
        return self.participants_women + self.participants_men


def training(filters: Filters, user: Any) -> Training:
    """Seated trainees of the sessions starting in the period, from these members (``training.reports``)."""
    members = set(members_qs(filters).values_list("pk", flat=True))
    records = [
        record
        for record in participations(user, ReportFilter(start=filters.start, end=filters.end))
        if record.organization_id in members
    ]
    women = {r.cooperator_id for r in records if r.gender == Cooperator.Gender.FEMALE}
    men = {r.cooperator_id for r in records if r.gender == Cooperator.Gender.MALE}
    bands: dict[str, set[int]] = {band.key: set() for band in AGE_BANDS}
    hours: dict[int, Any] = {}
    for record in records:
        bands[record.age_band].add(record.cooperator_id)
        hours[record.cooperator_id] = hours.get(record.cooperator_id, 0) + record.hours
    return Training(
        participants_women=len(women),
        participants_men=len(men),
        by_age_band={key: len(people) for key, people in bands.items()},
        hours=sum((round_hours(h) for h in hours.values()), ZERO),
        sessions=len({r.session_id for r in records}),
        cooperatives=len({r.organization_id for r in records}),
    )


# --- a member's own figures next to its sector's average (the portal) ------------------------------------------

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
