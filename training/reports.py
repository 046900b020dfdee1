"""Training reports (issue 13, point 8): participation by gender, age band, cooperative, commune, theme and month;
training hours per person; a funder's report per grant.

Who counts: a **participant** is a seated trainee (``Enrolment.State.ENROLLED``, promoted ones included) of a session
that was not cancelled; waiting places and cancellations are not participation. A person is counted once per row
(``people``), each enrolment once (``enrolments``): the same woman in two sessions is 1 person, 2 enrolments.

Age: the year the session starts minus the cooperator's birth year (``members.Cooperator.birth_year``), in the
bands funders ask for; no birth year gives "non renseigné". Commune: the session's (where the training was held).

Hours: a half-day of a session is worth ``course.duration_hours / the session's number of half-days``; a person's
hours are the sum over the half-days it was present, computed exactly (fractions) and rounded once per person to
the hundredth, half-up.

The counting is pure (``Participation`` records in, rows out); ``participations`` is the one database read, scoped
to what the user may see (``training.selectors.sessions_for``)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from gie_erp.core.money import ZERO
from gie_erp.core.pdf import Words
from training.models import (
    Attendance,
    Certificate,
    Enrolment,
    Grant,
    HalfDay,
    Session,
    Subsidy,
    SubsidyPayment,
    TrainingInvoice,
)
from training.selectors import is_staff, sessions_for

HOURS_QUANTUM = Decimal("0.01")
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AgeBand:
    key: str
    label: Any  # a lazy translation (the pages)
    words: Words  # French and Arabic (the funder's PDF)
    low: int | None = None  # inclusive
    high: int | None = None  # inclusive


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("under_25", _("moins de 25 ans"), Words("moins de 25 ans", "أقل من 25 سنة"), None, 24),
    AgeBand("25_34", _("25 à 34 ans"), Words("25 à 34 ans", "من 25 إلى 34 سنة"), 25, 34),
    AgeBand("35_44", _("35 à 44 ans"), Words("35 à 44 ans", "من 35 إلى 44 سنة"), 35, 44),
    AgeBand("45_54", _("45 à 54 ans"), Words("45 à 54 ans", "من 45 إلى 54 سنة"), 45, 54),
    AgeBand("55_plus", _("55 ans et plus"), Words("55 ans et plus", "55 سنة فما فوق"), 55, None),
    AgeBand(UNKNOWN, _("non renseigné"), Words("non renseigné", "غير محدد")),
)
AGE_BAND_BY_KEY = {band.key: band for band in AGE_BANDS}
GENDER_WORDS = {"f": Words("Femmes", "نساء"), "m": Words("Hommes", "رجال")}


def age_band(birth_year: int | None, year: int) -> str:
    """The band of a person born in ``birth_year`` in the year ``year`` (a session's start)."""
    if birth_year is None:
        return UNKNOWN
    age = year - birth_year
    for band in AGE_BANDS:
        if band.key != UNKNOWN and (band.low is None or age >= band.low) and (band.high is None or age <= band.high):
            return band.key
    return UNKNOWN  # unreachable: the bands cover every age


def half_day_hours(duration_hours: Decimal, half_days: int) -> Fraction:
    """What one half-day of a session is worth, exactly (no half-day: nothing)."""
    return Fraction(duration_hours) / half_days if half_days > 0 else Fraction(0)


def round_hours(hours: Fraction) -> Decimal:
    """Hours rounded once, to the hundredth, half-up."""
    exact = Decimal(hours.numerator) / Decimal(hours.denominator)
    return exact.quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Participation:
    """One seated trainee of one session, with what the reports group and count it by."""

    enrolment_id: int
    cooperator_id: int
    name: str
    name_ar: str
    gender: str  # "f" or "m"
    age_band: str
    organization_id: int
    organization: str
    organization_ar: str
    commune: str
    commune_ar: str
    theme: str
    theme_ar: str
    session_id: int
    starts_on: date
    half_days: int
    present: int
    duration_hours: Decimal
    certified: bool = False
    recorded: int = 0  # half-days whose attendance was taken: what attendance rates divide by

    @property
    def hours(self) -> Fraction:
        return half_day_hours(self.duration_hours, self.half_days) * self.present


@dataclass(slots=True)
class GroupRow:
    """One row of the participation report: distinct people (women, men) and enrolments."""

    key: str
    label: str
    label_ar: str = ""
    enrolments: int = 0
    people_ids: set[int] = field(default_factory=set)
    women_ids: set[int] = field(default_factory=set)
    men_ids: set[int] = field(default_factory=set)
    present: int = 0
    possible: int = 0
    hours: Fraction = Fraction(0)

    @property
    def people(self) -> int:
        return len(self.people_ids)

    @property
    def women(self) -> int:
        return len(self.women_ids)

    @property
    def men(self) -> int:
        return len(self.men_ids)

    @property
    def rounded_hours(self) -> Decimal:
        return round_hours(self.hours)

    def add(self, record: Participation) -> None:
        self.enrolments += 1
        self.people_ids.add(record.cooperator_id)
        (self.women_ids if record.gender == "f" else self.men_ids).add(record.cooperator_id)
        self.present += record.present
        self.possible += record.recorded
        self.hours += record.hours


def _gender_key(record: Participation) -> tuple[str, str, str]:
    labels = GENDER_WORDS.get(record.gender, Words(record.gender, record.gender))
    return record.gender, labels.fr, labels.ar


def _age_key(record: Participation) -> tuple[str, str, str]:
    band = AGE_BAND_BY_KEY[record.age_band]
    return band.key, str(band.label), band.words.ar


GROUPINGS: dict[str, Callable[[Participation], tuple[str, str, str]]] = {
    "gender": _gender_key,
    "age": _age_key,
    "cooperative": lambda r: (str(r.organization_id), r.organization, r.organization_ar),
    "commune": lambda r: (r.commune or "-", r.commune, r.commune_ar),
    "theme": lambda r: (r.theme, r.theme, r.theme_ar),
    "month": lambda r: (f"{r.starts_on:%Y-%m}", f"{r.starts_on:%m/%Y}", f"{r.starts_on:%m/%Y}"),
}
#: rows in this order rather than by label
ORDERS = {"gender": ["f", "m"], "age": [band.key for band in AGE_BANDS]}


def group_rows(records: Iterable[Participation], by: str) -> list[GroupRow]:
    """Participation grouped by ``by`` (a key of ``GROUPINGS``); gender and age bands in their own order, months
    in time order, the rest by label."""
    key_of = GROUPINGS[by]
    rows: dict[str, GroupRow] = {}
    for record in records:
        key, label, label_ar = key_of(record)
        row = rows.get(key)
        if row is None:
            row = rows[key] = GroupRow(key=key, label=label, label_ar=label_ar)
        row.add(record)
    if by in ORDERS:
        order = ORDERS[by]
        return sorted(rows.values(), key=lambda row: order.index(row.key) if row.key in order else len(order))
    if by == "month":
        return sorted(rows.values(), key=lambda row: row.key)
    return sorted(rows.values(), key=lambda row: (row.label.casefold(), row.key))


def total_row(records: Iterable[Participation]) -> GroupRow:
    """Everyone at once: a person in two rows counts once here."""
    row = GroupRow(key="total", label="")
    for record in records:
        row.add(record)
    return row


@dataclass(slots=True)
class PersonHours:
    """One person's training: sessions, half-days present of possible, hours."""

    cooperator_id: int
    name: str
    name_ar: str
    organization: str
    organization_ar: str
    gender: str
    sessions: int = 0
    present: int = 0
    possible: int = 0
    hours: Fraction = Fraction(0)

    @property
    def rounded_hours(self) -> Decimal:
        return round_hours(self.hours)


def hours_rows(records: Iterable[Participation]) -> list[PersonHours]:
    """Hours per person, most hours first, then by name."""
    people: dict[int, PersonHours] = {}
    for record in records:
        person = people.get(record.cooperator_id)
        if person is None:
            person = people[record.cooperator_id] = PersonHours(
                cooperator_id=record.cooperator_id,
                name=record.name,
                name_ar=record.name_ar,
                organization=record.organization,
                organization_ar=record.organization_ar,
                gender=record.gender,
            )
        person.sessions += 1
        person.present += record.present
        person.possible += record.recorded
        person.hours += record.hours
    return sorted(people.values(), key=lambda p: (-p.hours, p.name.casefold(), p.cooperator_id))


def attendance_rate(present: int, possible: int) -> Decimal | None:
    """Present half-days / possible, as a percentage to one decimal (half-up); None when nothing was possible."""
    if possible <= 0:
        return None
    return (Decimal(present) * 100 / Decimal(possible)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# The database read ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportFilter:
    start: date | None = None
    end: date | None = None
    theme_id: int | None = None
    commune_id: int | None = None
    organization_id: int | None = None
    session_ids: Sequence[int] | None = None


def _sessions(user: Any, filters: ReportFilter) -> Any:
    sessions = sessions_for(user).exclude(state=Session.State.CANCELLED)
    if filters.start is not None:
        sessions = sessions.filter(starts_on__gte=filters.start)
    if filters.end is not None:
        sessions = sessions.filter(starts_on__lte=filters.end)
    if filters.theme_id is not None:
        sessions = sessions.filter(course__theme_id=filters.theme_id)
    if filters.commune_id is not None:
        sessions = sessions.filter(commune_id=filters.commune_id)
    if filters.session_ids is not None:
        sessions = sessions.filter(pk__in=list(filters.session_ids))
    return sessions


def participations(user: Any, filters: ReportFilter) -> list[Participation]:
    """Every seated trainee of the sessions the user sees that match the filters (three queries)."""
    sessions = _sessions(user, filters)
    enrolments = (
        Enrolment.objects.filter(session__in=sessions.values("pk"), state=Enrolment.State.ENROLLED)
        .select_related("cooperator", "organization", "session__course__theme", "session__commune")
        .order_by("session__starts_on", "session_id", "pk")
    )
    if filters.organization_id is not None:
        enrolments = enrolments.filter(organization_id=filters.organization_id)
    enrolments_list = list(enrolments)
    session_ids = {e.session_id for e in enrolments_list}
    half_days = dict(
        HalfDay.objects.filter(session_id__in=session_ids)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    recorded = dict(  # a half-day not held yet (no attendance taken) is no absence
        HalfDay.objects.filter(session_id__in=session_ids, attendances__isnull=False)
        .values("session_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("session_id", "n")
    )
    present = dict(
        Attendance.objects.filter(enrolment__in=[e.pk for e in enrolments_list], present=True)
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )
    certified = set(
        Certificate.objects.filter(enrolment__in=[e.pk for e in enrolments_list]).values_list("enrolment_id", flat=True)
    )
    records = []
    for enrolment in enrolments_list:
        session, person, org = enrolment.session, enrolment.cooperator, enrolment.organization
        theme, commune = session.course.theme, session.commune
        records.append(
            Participation(
                enrolment_id=enrolment.pk,
                cooperator_id=person.pk,
                name=str(person),
                name_ar=person.full_name_ar,
                gender=person.gender,
                age_band=age_band(person.birth_year, session.starts_on.year),
                organization_id=org.pk,
                organization=org.legal_name_fr,
                organization_ar=org.legal_name_ar,
                commune=commune.name_fr if commune else "",
                commune_ar=commune.name_ar if commune else "",
                theme=theme.name_fr,
                theme_ar=theme.name_ar,
                session_id=session.pk,
                starts_on=session.starts_on,
                half_days=half_days.get(session.pk, 0),
                recorded=recorded.get(session.pk, 0),
                present=present.get(enrolment.pk, 0),
                duration_hours=session.course.duration_hours,
                certified=enrolment.pk in certified,
            )
        )
    return records


# A funder's report per grant -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrantSession:
    session: Session
    participants: int
    women: int
    men: int
    present: int
    possible: int
    certificates: int
    members_billed: Decimal  # what the members' invoices of the session bill HT
    subsidy: Decimal  # what this funder earned on the session

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(self.present, self.possible)


@dataclass(frozen=True, slots=True)
class GrantReport:
    grant: Grant
    sessions: list[GrantSession]
    records: list[Participation]
    by_gender: list[GroupRow]
    by_age: list[GroupRow]
    total: GroupRow
    certificates: int
    members_billed: Decimal
    subsidies: Decimal
    paid: Decimal
    payments: list[SubsidyPayment]

    @property
    def owed(self) -> Decimal:
        return self.subsidies - self.paid

    @property
    def fees(self) -> Decimal:
        """The sessions' fees HT as billed: the members' share plus this funder's."""
        return self.members_billed + self.subsidies

    @property
    def rate(self) -> Decimal | None:
        return attendance_rate(self.total.present, self.total.possible)


def grant_sessions(grant: Grant) -> Any:
    """The sessions funded under a grant (its funder's ``SessionFunder`` rows that name it), oldest first."""
    return (
        Session.objects.filter(funders__grant=grant, funders__funder_id=grant.funder_id)
        .exclude(state=Session.State.CANCELLED)
        .select_related("course", "commune")
        .order_by("starts_on", "slug")
    )


def grant_report(user: Any, grant: Grant) -> GrantReport:
    """Participants (by gender and age band), attendance, certificates and money of the sessions under a grant."""
    sessions = list(grant_sessions(grant).filter(pk__in=sessions_for(user).values("pk")))
    records = participations(user, ReportFilter(session_ids=[s.pk for s in sessions]))
    billed = dict(
        TrainingInvoice.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(total=Sum("document__total_net"))
        .values_list("session_id", "total")
    )
    earned = dict(
        Subsidy.objects.filter(session__in=sessions, funder_id=grant.funder_id).values_list("session_id", "amount")
    )
    rows = []
    for session in sessions:
        mine = [r for r in records if r.session_id == session.pk]
        group = total_row(mine)
        rows.append(
            GrantSession(
                session=session,
                participants=group.people,
                women=group.women,
                men=group.men,
                present=group.present,
                possible=group.possible,
                certificates=sum(1 for r in mine if r.certified),
                members_billed=Decimal(billed.get(session.pk) or ZERO),
                subsidy=Decimal(earned.get(session.pk) or ZERO),
            )
        )
    payments = list(SubsidyPayment.objects.filter(grant=grant, funder_id=grant.funder_id).order_by("received_on", "pk"))
    return GrantReport(
        grant=grant,
        sessions=rows,
        records=records,
        by_gender=group_rows(records, "gender"),
        by_age=group_rows(records, "age"),
        total=total_row(records),
        certificates=sum(1 for r in records if r.certified),
        members_billed=sum((row.members_billed for row in rows), ZERO),
        subsidies=sum((row.subsidy for row in rows), ZERO),
        paid=sum((p.amount for p in payments), ZERO),
        payments=payments,
    )


def grants_for(user: Any) -> Any:
    """The grants a user may report on: every grant for the GIE's staff and auditor, none for anyone else."""
    return Grant.objects.select_related("funder") if is_staff(user) else Grant.objects.none()


__all__ = [
    "AGE_BANDS",
    "GROUPINGS",
    "GrantReport",
    "Participation",
    "ReportFilter",
    "age_band",
    "attendance_rate",
    "grant_report",
    "group_rows",
    "hours_rows",
    "participations",
    "total_row",
]
