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
