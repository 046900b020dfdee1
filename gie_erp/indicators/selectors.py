"""The director's figures (issue 16): reads only, for the GIE's staff (the dashboard, the open figures).

Which members: the cooperatives (never the GIE) matching the filters — a sector, a commune, women's cooperatives only.
Every figure below is about those members.

Where each figure comes from (docs/indicators.md defines them):
- **counts** from the records: members active at the period's end (joined on or before it, not left by then), joined
  and left during it; their active cooperators by gender; training participants (``training.reports``' definitions,
  counted in SQL by ``seats``: seated trainees of sessions starting in the period, a person counted once) by gender
  and age band, and their hours;
- **money** from what was posted: sales through the GIE are the sales summaries (``sales.Summary``: the amounts each
  fair day posted in the member's book, TTC), by month, channel, sector, commune and member; fees are the fee
  invoices (HT) less their credit notes, by the date each was issued; the GIE's result is its class 7 less its class
  6 from the balance table; the invoices outstanding are the GIE's validated invoices to members not yet settled.

Money is Decimal, MAD; each figure also carries how many cooperatives it describes (what the open figures' disclosure
control needs).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Round

from gie_erp.core.money import ZERO, from_centimes, to_mad
from gie_erp.fees.models import Share
from gie_erp.indicators.scans import invoiced_one_scan, sales_rows_one_scan
from invoices.models import Document
from ledger.models import Book
from ledger.selectors import signed_balances
from members.models import Cooperator, Organization
from sales.models import Channel, Summary
from training.models import Enrolment, HalfDay, Session
from training.reports import AGE_BANDS, age_band, half_day_hours, round_hours
from training.selectors import sessions_for


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


def _same_members(periods: Sequence[Filters]) -> Filters:
    """The periods' common member filters (the reads below take several periods in one pass over the rows)."""
    first = periods[0]
    if any((p.sector, p.commune_id, p.women_only) != (first.sector, first.commune_id, first.women_only)
           for p in periods):  # fmt: skip
        raise ValueError("periods read together must name the same members")
    return first


def _spans(periods: Sequence[Filters]) -> list[tuple[date, date]]:
    return [(period.start, period.end) for period in periods]


def _in_period(field: str, period: Filters) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def membership(filters: Filters) -> Membership:
    return memberships([filters])[0]


def memberships(periods: Sequence[Filters]) -> list[Membership]:
    """``membership`` of each period (same members): two reads whatever the number of periods — the members'
    dates, and their active cooperators counted by member and gender."""
    members = members_qs(_same_members(periods))
    rows = list(members.values_list("pk", "is_women_cooperative", "joined_on", "left_on"))
    people = list(
        Cooperator.objects.filter(organization__in=members, is_active=True, erased_on__isnull=True)
        .values_list("organization_id", "gender")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = []
    for period in periods:
        start, end = period.start, period.end
        active = {pk: women for pk, women, joined, left in rows
                  if (joined is None or joined <= end) and (left is None or left > end)}  # fmt: skip
        counted = {Cooperator.Gender.FEMALE: 0, Cooperator.Gender.MALE: 0}
        for organization_id, gender, n in people:
            if organization_id in active:
                counted[gender] = counted.get(gender, 0) + n
        result.append(
            Membership(
                active=len(active),
                joined=sum(1 for _pk, _women, joined, _left in rows if joined is not None and start <= joined <= end),
                left=sum(1 for _pk, _women, _joined, left in rows if left is not None and start <= left <= end),
                women_cooperatives=sum(1 for women in active.values() if women),
                cooperators_women=counted[Cooperator.Gender.FEMALE],
                cooperators_men=counted[Cooperator.Gender.MALE],
            )
        )
    return result


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


def _none_last(key: Any) -> tuple[bool, Any]:
    return (key is None, key if key is not None else 0)  # PostgreSQL's order: NULLs last


def _figures(amounts: dict[Any, Decimal], behind: dict[Any, set[int]], keys: Iterable[Any]) -> dict[Any, Figure]:
    return {key: Figure(amounts[key], len(behind[key])) for key in keys}


def sales(filters: Filters) -> Sales:
    """Sales through the GIE's channels posted in the period, TTC."""
    return sales_periods([filters])[0]


def sales_periods(periods: Sequence[Filters]) -> list[Sales]:
    """``sales`` of each period (same members), in two reads whatever the number of periods: the subtotals per
    member and channel (every figure but the months is summed from them, exactly), and the months with their
    members counted in SQL."""
    members = members_qs(_same_members(periods))
    if connection.vendor == "postgresql":
        subtotals, months = sales_rows_one_scan(_spans(periods), members)
    else:
        either = Q()
        for period in periods:
            either |= _in_period("posted_on", period)
        qs = Summary.objects.filter(either, organization__in=members)
        sums = {f"amount_{i}": Sum("amount", filter=_in_period("posted_on", p)) for i, p in enumerate(periods)}
        subtotals = list(qs.values_list("organization_id", "event__channel_id").annotate(**sums).order_by())
        months = list(
            qs.annotate(month=ExtractMonth("posted_on"))
            .values("month")
            .annotate(
                **sums,
                **{f"members_{i}": Count("organization_id", distinct=True, filter=_in_period("posted_on", p))
                   for i, p in enumerate(periods)},
            )
            .order_by("month")
        )  # fmt: skip
    attributes = {pk: (sector, commune_id) for pk, sector, commune_id in
                  members.values_list("pk", "sector", "commune_id")}  # fmt: skip
    channels = {pk: (slug, fr, ar or "") for pk, slug, fr, ar in
                Channel.objects.values_list("pk", "slug", "name_fr", "name_ar")}  # fmt: skip
    result = []
    for i in range(len(periods)):
        amounts: dict[str, dict[Any, Decimal]] = {k: {} for k in ("channel", "sector", "commune", "member")}
        behind: dict[str, dict[Any, set[int]]] = {k: {} for k in ("channel", "sector", "commune", "member")}
        by_member, by_channel, channel_members = amounts["member"], amounts["channel"], behind["channel"]
        for row in subtotals:
            amount = row[2 + i]
            if amount is None:  # no summary of this member and channel in this period
                continue
            organization_id, channel = row[0], channels[row[1]]
            by_member[organization_id] = by_member.get(organization_id, ZERO) + amount
            by_channel[channel] = by_channel.get(channel, ZERO) + amount
            channel_members.setdefault(channel, set()).add(organization_id)
        for organization_id, amount in by_member.items():  # each member once: its channels summed
            sector, commune_id = attributes[organization_id]
            behind["member"][organization_id] = {organization_id}
            for name, key in (("sector", sector), ("commune", commune_id)):
                amounts[name][key] = amounts[name].get(key, ZERO) + amount
                behind[name].setdefault(key, set()).add(organization_id)
        total = sum(by_member.values(), ZERO)
        channel_keys = sorted(amounts["channel"])  # by slug (unique), as the grouped read ordered them
        result.append(
            Sales(
                total=Figure(total, len(by_member)),
                by_month={
                    row["month"]: Figure(row[f"amount_{i}"], row[f"members_{i}"])
                    for row in months
                    if row[f"amount_{i}"] is not None
                },
                by_channel={
                    key[0]: figure
                    for key, figure in _figures(amounts["channel"], behind["channel"], channel_keys).items()
                },
                by_sector=_figures(amounts["sector"], behind["sector"], sorted(amounts["sector"])),
                by_commune={
                    key if key is not None else 0: figure
                    for key, figure in _figures(
                        amounts["commune"], behind["commune"], sorted(amounts["commune"], key=_none_last)
                    ).items()
                },
                by_member=_figures(amounts["member"], behind["member"], sorted(amounts["member"])),
                channel_names={key[0]: (key[1], key[2]) for key in channel_keys},
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class Fees:
    charged: Figure  # HT, invoices less credit notes issued in the period
    by_month: Mapping[int, Decimal]


def fees(filters: Filters) -> Fees:
    """Fee invoices issued in the period (HT) less the credit notes issued in it."""
    return fees_periods([filters])[0]


def fees_periods(periods: Sequence[Filters]) -> list[Fees]:
    """``fees`` of each period (same members), read through the shares (one per invoice, one per credit note):
    three reads whatever the number of periods (two on PostgreSQL: the invoices' months and members in one)."""
    members = members_qs(_same_members(periods))
    shares = Share.objects.filter(organization__in=members)
    by_month: list[dict[int, Decimal]] = [{} for _ in periods]
    charged_members: dict[str, int] = {}
    relations: tuple[tuple[str, int], ...] = (("document", 1), ("credit_note", -1))
    if connection.vendor == "postgresql":
        charged_members = invoiced_one_scan(_spans(periods), members, by_month)
        relations = relations[1:]
    for relation, sign in relations:
        field = f"{relation}__issued_on"
        either = Q()
        for period in periods:
            either |= _in_period(field, period)
        issued = shares.filter(either).exclude(**{f"{relation}__status": Document.Status.DRAFT})
        rows: list[Any] = list(
            issued.annotate(month=ExtractMonth(field))
            .values("month")
            .annotate(**{f"amount_{i}": Sum(f"{relation}__total_net", filter=_in_period(field, p))
                         for i, p in enumerate(periods)})
            .order_by()
        )  # fmt: skip
        for row in rows:
            for i, months in enumerate(by_month):
                amount = row[f"amount_{i}"]
                if amount is not None:
                    months[row["month"]] = months.get(row["month"], ZERO) + sign * amount
        if relation == "document":
            charged_members = issued.aggregate(
                **{f"members_{i}": Count("organization_id", distinct=True, filter=_in_period(field, p))
                   for i, p in enumerate(periods)}
            )  # fmt: skip
    return [
        Fees(Figure(sum(months.values(), ZERO), charged_members[f"members_{i}"]), dict(sorted(months.items())))
        for i, months in enumerate(by_month)
    ]


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
    return outstanding_periods([filters])[0]


def outstanding_periods(periods: Sequence[Filters]) -> list[Outstanding]:
    """``outstanding`` at each period's end (same members), in one read."""
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).values("pk")
    qs = Document.objects.filter(
        issuer__in=gie,
        kind=Document.Kind.INVOICE,
        status=Document.Status.VALIDATED,
        issued_on__lte=max(period.end for period in periods),
        customer__organization__in=members_qs(_same_members(periods)),
    )
    left = Round(
        ExpressionWrapper(
            F("total_gross") - F("amount_credited") - F("amount_paid") - F("amount_written_off"),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        2,
    )  # rounded: SQLite computes decimals in floating point
    owing = qs.annotate(left=left).filter(left__gt=0)
    per_member = owing.values("customer__organization_id").annotate(  # no distinct count: a member per row
        **{
            name: aggregate
            for i, period in enumerate(periods)
            for name, aggregate in (
                (f"n_{i}", Count("pk", filter=Q(issued_on__lte=period.end))),
                (f"amount_{i}", Sum("left", filter=Q(issued_on__lte=period.end))),
            )
        }
    ).order_by()  # fmt: skip
    result = [Outstanding(0, ZERO, 0) for _ in periods]
    for row in per_member:
        counts: dict[str, Any] = dict(row)  # keys made per period
        for i, owed in enumerate(result):
            if counts[f"n_{i}"]:
                result[i] = Outstanding(owed.invoices + counts[f"n_{i}"], owed.amount + counts[f"amount_{i}"],
                                        owed.cooperatives + 1)  # fmt: skip
    return [replace(owed, amount=to_mad(owed.amount)) for owed in result]


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


@dataclass(frozen=True, slots=True)
class Seat:
    """One seated trainee of a session, reduced to what the director's figures count (``training.reports``'s
    ``Participation`` without the names): its hours are the half-days present times what a half-day is worth."""

    cooperator_id: int
    gender: str
    age_band: str
    organization_id: int
    session_id: int
    starts_on: date
    hours: Fraction


def seats(periods: Sequence[Filters], user: Any) -> list[Seat]:
    """The seated trainees (``Enrolment.State.ENROLLED``) from these members (the periods name the same) of the
    sessions the user sees that start in one of the periods and were not cancelled — the definitions of
    ``training.reports.participations`` — counted in SQL: two reads, one row per enrolment with its half-days
    present, and the half-days of each session."""
    either = Q()
    for period in periods:
        either |= _in_period("starts_on", period)
    sessions = sessions_for(user).exclude(state=Session.State.CANCELLED).filter(either)
    rows = (
        Enrolment.objects.filter(
            session__in=sessions.values("pk"),
            state=Enrolment.State.ENROLLED,
            organization__in=members_qs(_same_members(periods)),
        )
        .values_list(
            "pk", "cooperator_id", "cooperator__gender", "cooperator__birth_year", "organization_id", "session_id",
            "session__starts_on", "session__course__duration_hours",
        )
        .annotate(present=Count("attendances", filter=Q(attendances__present=True)))
        .order_by()
    )  # fmt: skip
    half_days: dict[int, int] = dict(
        HalfDay.objects.filter(session__in=sessions.values("pk"))
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
        .order_by()
    )
    hours: dict[tuple[int, int], Fraction] = {}

    def hours_of(session_id: int, duration: Decimal, present: int) -> Fraction:  # once a session and count
        key = (session_id, present)
        if key not in hours:
            hours[key] = half_day_hours(duration, half_days.get(session_id, 0)) * present
        return hours[key]

    return [
        Seat(cooperator_id, gender, age_band(birth_year, starts_on.year), organization_id, session_id, starts_on,
             hours_of(session_id, duration, present))
        for _pk, cooperator_id, gender, birth_year, organization_id, session_id, starts_on, duration, present in rows
    ]  # fmt: skip


def training(filters: Filters, user: Any) -> Training:
    """Seated trainees of the sessions starting in the period, from these members (``seats``)."""
    return trainings([filters], user)[0]


def trainings(periods: Sequence[Filters], user: Any) -> list[Training]:
    """``training`` of each period (same members), from one ``seats`` read."""
    every = seats(periods, user)
    return [_training([r for r in every if period.start <= r.starts_on <= period.end]) for period in periods]


def _training(records: Sequence[Seat]) -> Training:
    women = {r.cooperator_id for r in records if r.gender == Cooperator.Gender.FEMALE}
    men = {r.cooperator_id for r in records if r.gender == Cooperator.Gender.MALE}
    bands: dict[str, set[int]] = {band.key: set() for band in AGE_BANDS}
    hours: dict[int, Fraction] = {}
    for record in records:
        bands[record.age_band].add(record.cooperator_id)
        hours[record.cooperator_id] = hours.get(record.cooperator_id, Fraction(0)) + record.hours
    return Training(
        participants_women=len(women),
        participants_men=len(men),
        by_age_band={key: len(people) for key, people in bands.items()},
        hours=sum((round_hours(h) for h in hours.values()), ZERO),
        sessions=len({r.session_id for r in records}),
        cooperatives=len({r.organization_id for r in records}),
    )
