"""The demo's training (issue 13, point 9), made through the services (people's data aside), as the GIE's staff,
its trainer and the representatives would have used them:

- **people's data**: most cooperators gave a birth year and their consent (seeded random);
- **the catalogue** (``training.catalogue``): five themes, six courses in French and Arabic (literacy exempt under
  CGI art. 91, the others at 20 %), the ``formatrice`` login and an outside trainer, three funders (INDH and the
  Region with a grant each, an NGO);
- **three past sessions**, each in another commune, enrolled, attended half-day by half-day, certified and billed
  (``training.services``), their costs recorded and the members' invoices paid; INDH pays its share:

  ======================================  ===========  ======  =============================  =========================
  session                                 dates        fee HT  funder                         trainees
  ======================================  ===========  ======  =============================  =========================
  hygiène, Ouezzane (outside trainer)     15–17/9      300.00  INDH 40 pour cent, attendees   12 seats, 1 waiting who
                                                                                              takes the seat of a late
                                                                                              cancellation
  comptabilité, Chefchaouen (formatrice)  29/9–1/10   400.00  Region 150.00 each, enrolled   10
  alphabétisation, Bab Berred (exempt)    13–15/10     200.00  NGO 50 pour cent, attendees    10 (a no-show)
  ======================================  ===========  ======  =============================  =========================

  Every session bills on or after 6 October (the GIE's last document before, the past fair's commissions): the
  GIE's invoice numbers follow their dates. The members pay on 28 October, so nothing stays owed between members;
- **one session to come**, around the real today (like the open fair): the ``formatrice`` teaches it at the GIE in
  Tanger from today for three days (today's half-days for her phone), ten seats all taken, three waiting (the
  second from ``coop1``'s cooperative, enrolled by ``coop1``), enrolments open until today.

Idempotent: a past session already billed is left alone, the catalogue is found by its slugs, payments by their
keys, and the session to come keeps its enrolments (its dates follow today while it has no attendance). Each
session is one transaction: a failed seed leaves none half made, seeding again completes it.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gie_erp.demo import data
from gie_erp.demo.ledger_year import DEMO_TODAY
from gie_erp.demo.training_catalogue import COURSES, FUNDERS, OUTSIDE_TRAINER, THEMES
from invoices.models import Document, Payment
from invoices.parties import party_for_member
from invoices.payments import payment_record
from invoices.services import STANDARD_CODE
from members.models import Commune, Cooperator, Organization, User
from training.catalogue import (
    FunderShare,
    course_save,
    funder_save,
    grant_save,
    session_open,
    session_save,
    theme_save,
    trainer_save,
)
from training.models import (
    Course,
    Enrolment,
    Funder,
    Grant,
    HalfDay,
    Session,
    SessionFunder,
    Theme,
    Trainer,
    TrainingInvoice,
)
from training.services import (
    attendance_record,
    cancel,
    certificates_issue,
    enrol,
    session_bill,
    session_cost_record,
    subsidy_payment_record,
)

D = Decimal
HALF_DAY_PARTS = (HalfDay.Part.MORNING, HalfDay.Part.AFTERNOON)
COOP1 = data.COOPERATIVES[0]["slug"]  # the cooperative of the representative ``coop1``
MEMBERS_PAY_ON = date(2026, 10, 28)
CONSENT_SHARE = 0.85  # of the cooperators who gave their birth year and consent
CONSENT_ON = date(2026, 2, 2)  # the GIE collected the forms at its general assembly


@dataclass(frozen=True, slots=True)
class Terms:
    """A funder's share of a session: ``rate`` (a fraction) or ``amount`` per trainee."""

    funder: str
    rate: Decimal | None = None
    amount: Decimal | None = None
    basis: str = SessionFunder.Basis.ATTENDED
    grant: str | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    """A session of the demo. ``seats`` and ``waiting``: (member slug, how many), enrolled in this order; a
    trainee is then (member slug, rank among that member's enrolments in the session, from 0). ``absent``: the
    half-days (0–5) a trainee missed; ``costs``: (kind, amount, spent on, reference)."""

    slug: str
    course: str
    starts_on: date
    commune: str
    place: str
    trainer: str  # "formatrice" or "outside"
    capacity: int
    deadline: date
    fee: Decimal
    language: str
    funders: tuple[Terms, ...]
    enrolled_on: date
    seats: tuple[tuple[str, int], ...]
    waiting: tuple[tuple[str, int], ...] = ()
    late_cancel: tuple[str, int, date] | None = None
    absent: dict[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)
    billed_on: date | None = None
    costs: tuple[tuple[str, Decimal, date, str], ...] = ()

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=2)  # three days, morning and afternoon: six half-days


ZITOUN, NAHL, COUSCOUS, TISSAGE, FEKHAR, JBEN = (spec["slug"] for spec in data.COOPERATIVES)

PAST: tuple[Planned, ...] = (
    Planned(
        slug="hygiene-2026-09-ouezzane",
        course="hygiene-onssa",
        starts_on=date(2026, 9, 15),
        commune="Ouezzane",
        place="Maison des jeunes de Ouezzane",
        trainer="outside",
        capacity=12,
        deadline=date(2026, 9, 8),
        fee=D("300.00"),
        language=Session.Language.ARABIC,
        funders=(Terms("indh", rate=D("0.4000"), grant="INDH-TTA-2026"),),
        enrolled_on=date(2026, 9, 1),
        seats=((COUSCOUS, 4), (JBEN, 3), (ZITOUN, 3), (NAHL, 2)),
        waiting=((COUSCOUS, 1),),  # promoted when the cheese cooperative's third trainee cancels late
        late_cancel=(JBEN, 2, date(2026, 9, 11)),
        absent={(ZITOUN, 2): (0, 1, 2, 3, 4, 5), (COUSCOUS, 1): (2, 3), (NAHL, 0): (5,)},
        billed_on=date(2026, 10, 7),
        costs=(
            ("trainer", D("2400.00"), date(2026, 9, 18), "NH R. Benjelloun 2026-14"),
            ("room", D("450.00"), date(2026, 9, 17), "Maison des jeunes Ouezzane"),
            ("meals", D("1080.00"), date(2026, 9, 17), "Traiteur Al Amal FA 318"),
        ),
    ),
    Planned(
        slug="comptabilite-2026-09-chefchaouen",
        course="comptabilite-simplifiee",
        starts_on=date(2026, 9, 29),
        commune="Chefchaouen",
        place="Salle de réunion de la commune de Chefchaouen",
        trainer="formatrice",
        capacity=10,
        deadline=date(2026, 9, 22),
        fee=D("400.00"),
        language=Session.Language.FRENCH,
        funders=(
            Terms("region-tta", amount=D("150.00"), basis=SessionFunder.Basis.ENROLLED, grant="RTTA-ESS-2026-07"),
        ),
        enrolled_on=date(2026, 9, 15),
        seats=((ZITOUN, 2), (NAHL, 2), (COUSCOUS, 1), (TISSAGE, 2), (FEKHAR, 1), (JBEN, 2)),
        absent={(TISSAGE, 1): (0, 1, 4), (FEKHAR, 0): (3,)},
        billed_on=date(2026, 10, 7),
        costs=(
            ("trainer", D("2400.00"), date(2026, 10, 2), "NH S. Tahiri 2026-09"),
            ("meals", D("900.00"), date(2026, 10, 1), "Café Restaurant Assaada FA 1127"),
        ),
    ),
    Planned(
        slug="alphabetisation-2026-10-bab-berred",
        course="alphabetisation-fonctionnelle",
        starts_on=date(2026, 10, 13),
        commune="Bab Berred",
        place="Siège de la coopérative Tissage Akhmas",
        trainer="formatrice",
        capacity=12,
        deadline=date(2026, 10, 6),
        fee=D("200.00"),
        language=Session.Language.ARABIC,
        funders=(Terms("association-tanmia-rif", rate=D("0.5000")),),
        enrolled_on=date(2026, 9, 28),
        seats=((TISSAGE, 5), (FEKHAR, 3), (COUSCOUS, 2)),
        absent={(FEKHAR, 2): (0, 1, 2, 3, 4, 5), (TISSAGE, 3): (1, 4), (COUSCOUS, 0): (0,)},
        billed_on=date(2026, 10, 20),
        costs=(
            ("supplies", D("240.00"), date(2026, 10, 12), "Librairie Al Wahda FA 77"),
            ("meals", D("750.00"), date(2026, 10, 15), "Traiteur Bab Berred FA 45"),
            ("trainer", D("1800.00"), date(2026, 10, 16), "NH S. Tahiri 2026-10"),
        ),
    ),
)

#: the session to come: its dates are set from today when seeding (``_upcoming``)
UPCOMING = Planned(
    slug="gestion-cooperative-tanger",
    course="gestion-cooperative",
    starts_on=DEMO_TODAY,  # replaced by today
    commune="Tanger",
    place="Siège du GIE, zone d'activités Gueznaia, lot 14",
    trainer="formatrice",
    capacity=10,
    deadline=DEMO_TODAY,  # replaced by today
    fee=D("350.00"),
    language=Session.Language.ARABIC,
    funders=(Terms("indh", rate=D("0.4000"), grant="INDH-TTA-2026"),),
    enrolled_on=DEMO_TODAY,  # replaced by today
    seats=((ZITOUN, 2), (NAHL, 1), (COUSCOUS, 2), (TISSAGE, 2), (FEKHAR, 1), (JBEN, 2)),
    waiting=((NAHL, 1), (ZITOUN, 1), (TISSAGE, 1)),  # positions 1, 2 (coop1's, by coop1) and 3
)

#: INDH pays its share of the hygiene session (the Region and the NGO still owe theirs on the demo's today)
FUNDER_PAYMENT: dict[str, Any] = {
    "funder": "indh",
    "grant": "INDH-TTA-2026",
    "amount": D("1320.00"),
    "received_on": date(2026, 10, 26),
    "reference": "OV INDH 2026/0412",
    "key": "demo:training:indh:2026-10-26",
}


@dataclass(frozen=True, slots=True)
class _Actors:
    accountant: User
    trainer_user: User
    representatives: dict[str, User]  # by member slug


def training_seed(*, gie: Organization, coops: Sequence[Organization], seed: int) -> None:
    """People's data, the catalogue, three past sessions (attended, certified, billed, costed, paid), a funder's
    payment and a session to come with its waitlist."""
    by_slug = {org.slug: org for org in coops}
    actors = _actors(coops)
    _personal_data(coops, seed=seed)
    with transaction.atomic(durable=True):
        _catalogue(actors)
    people = _trainees(by_slug, seed=seed)
    for planned in PAST:
        with transaction.atomic(durable=True):
            _past_session(planned, people, actors)
    with transaction.atomic(durable=True):
        _members_pay(gie, by_slug)
        funder = Funder.objects.get(slug=FUNDER_PAYMENT["funder"])
        subsidy_payment_record(
            funder=funder,
            grant=Grant.objects.get(funder=funder, reference=FUNDER_PAYMENT["grant"]),
            amount=FUNDER_PAYMENT["amount"],
            received_on=FUNDER_PAYMENT["received_on"],
            method="bank",
            reference=FUNDER_PAYMENT["reference"],
            idempotency_key=FUNDER_PAYMENT["key"],
            acting_user=actors.accountant,
            today=DEMO_TODAY,
        )
    with transaction.atomic(durable=True):
        _upcoming(people, actors, today=timezone.localdate())


def _username(role: str) -> str:
    return next(username for username, user_role, _first, _last in data.STAFF_USERS if user_role == role)


def _actors(coops: Sequence[Organization]) -> _Actors:
    representatives = {
        org.slug: User.objects.get(username=f"coop{number}") for number, org in enumerate(coops, start=1)
    }
    return _Actors(
        accountant=User.objects.get(username=_username("gie_accountant")),
        trainer_user=User.objects.get(username=_username("trainer")),
        representatives=representatives,
    )


# People's data -------------------------------------------------------------------------------------------------------


def _personal_data(coops: Sequence[Organization], *, seed: int) -> None:
    """Most cooperators gave a birth year (18 to 65 years old) and their consent on the GIE's form; the others gave
    nothing. Written directly, like the cooperators themselves (``seed``): the demo's people, entered by nobody.
    Only a cooperator with neither yet is set, so an answer entered since (or an erasure) stays."""
    changed = []
    for org in coops:
        rng = random.Random(f"{seed}:training:people:{org.slug}")
        for cooperator in Cooperator.objects.filter(organization=org).order_by("pk"):
            gives, birth_year = rng.random() < CONSENT_SHARE, rng.randrange(1961, 2008)
            blank = cooperator.birth_year is None and not cooperator.data_consent and cooperator.erased_on is None
            if gives and blank:
                cooperator.birth_year, cooperator.data_consent = birth_year, True
                cooperator.data_consent_on = CONSENT_ON
                changed.append(cooperator)
    Cooperator.objects.bulk_update(changed, ["birth_year", "data_consent", "data_consent_on"])


# The catalogue -------------------------------------------------------------------------------------------------------


def _catalogue(actors: _Actors) -> None:
    """Themes, courses, trainers, funders and grants, each created once (found again by its slug, its user or its
    name, its reference): what the staff changed since stays."""
    user = actors.accountant
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for slug, name_fr, name_ar in THEMES:
        if slug not in themes:
            themes[slug] = theme_save(theme=None, data={"slug": slug, "name_fr": name_fr, "name_ar": name_ar},
                                      acting_user=user)  # fmt: skip
    existing = set(Course.objects.values_list("slug", flat=True))
    for spec in COURSES:
        if spec["slug"] not in existing:
            fields = {**spec, "theme": themes[spec["theme"]], "vat_code": spec.get("vat_code", STANDARD_CODE)}
            course_save(course=None, data={**fields, "is_active": True}, acting_user=user)
    if not Trainer.objects.filter(user=actors.trainer_user).exists():
        name = actors.trainer_user.get_full_name()
        trainer_save(trainer=None, data={"user": actors.trainer_user, "name": name, "phone": "0662318407",
                                         "is_active": True}, acting_user=user)  # fmt: skip
    if not Trainer.objects.filter(user__isnull=True, name=OUTSIDE_TRAINER["name"]).exists():
        trainer_save(trainer=None, data={**OUTSIDE_TRAINER, "user": None, "is_active": True}, acting_user=user)
    for spec in FUNDERS:
        funder = Funder.objects.filter(slug=spec["slug"]).first()
        if funder is None:
            fields = {name: spec[name] for name in ("slug", "name_fr", "name_ar")}
            funder = funder_save(funder=None, data=fields, acting_user=user)
        grant = spec["grant"]
        if grant and not Grant.objects.filter(funder=funder, reference=grant["reference"]).exists():
            grant_save(grant=None, funder=funder, data=grant, acting_user=user)


# Sessions ------------------------------------------------------------------------------------------------------------


def _trainees(by_slug: dict[str, Organization], *, seed: int) -> dict[str, dict[str, list[Cooperator]]]:
    """Who each member sends to each session: its active cooperators in a seeded order, each session taking the
    next ones (nobody twice in the demo)."""
    plans = (*PAST, UPCOMING)
    people: dict[str, dict[str, list[Cooperator]]] = {planned.slug: {} for planned in plans}
    for slug, org in by_slug.items():
        pool = list(Cooperator.objects.filter(organization=org, is_active=True).order_by("pk"))
        random.Random(f"{seed}:training:trainees:{slug}").shuffle(pool)
        for planned in plans:
            wanted = sum(count for member, count in (*planned.seats, *planned.waiting) if member == slug)
            people[planned.slug][slug], pool = pool[:wanted], pool[wanted:]
    return people


def _session_fields(planned: Planned, starts_on: date, deadline: date) -> dict[str, Any]:
    trainer = (
        Trainer.objects.filter(user__username=_username("trainer")).first()
        if planned.trainer == "formatrice"
        else Trainer.objects.filter(user__isnull=True, name=OUTSIDE_TRAINER["name"]).first()
    )
    return {
        "course": Course.objects.get(slug=planned.course),
        "slug": planned.slug,
        "starts_on": starts_on,
        "ends_on": starts_on + timedelta(days=2),
        "commune": Commune.objects.filter(name_fr=planned.commune).first(),
        "place": planned.place,
        "trainer": trainer,
        "capacity": planned.capacity,
        "enrolment_deadline": deadline,
        "fee_per_trainee": planned.fee,
        "language": planned.language,
        "completion_rate": D("0.8000"),
    }


def _half_days(starts_on: date) -> list[tuple[date, str]]:
    return [(starts_on + timedelta(days=n), part) for n in range(3) for part in HALF_DAY_PARTS]


def _shares(planned: Planned) -> list[FunderShare]:
    shares = []
    for terms in planned.funders:
        funder = Funder.objects.get(slug=terms.funder)
        shares.append(
            FunderShare(
                funder=funder,
                kind=SessionFunder.Kind.PERCENT if terms.rate is not None else SessionFunder.Kind.AMOUNT,
                rate=terms.rate,
                amount=terms.amount,
                basis=terms.basis,
                grant=Grant.objects.get(funder=funder, reference=terms.grant) if terms.grant else None,
            )
        )
    return shares


def _session_create(planned: Planned, starts_on: date, deadline: date, acting_user: User) -> Session:
    session = session_save(
        session=None,
        data=_session_fields(planned, starts_on, deadline),
        half_days=_half_days(starts_on),
        funders=_shares(planned),
        acting_user=acting_user,
    )
    return session_open(session=session, acting_user=acting_user)


def _enrol_all(
    session: Session, planned: Planned, people: dict[str, list[Cooperator]], actors: _Actors, on: date
) -> dict[tuple[str, int], Enrolment]:
    """The seats, then the waitlist, in the plan's order; each trainee keyed (member slug, rank)."""
    enrolments: dict[tuple[str, int], Enrolment] = {}
    taken: dict[str, int] = {}
    for member, count in (*planned.seats, *planned.waiting):
        for _ in range(count):
            rank = taken.get(member, 0)
            taken[member] = rank + 1
            cooperator = people[member][rank]
            by = actors.representatives[member] if member == COOP1 and planned is UPCOMING else actors.accountant
            enrolments[(member, rank)] = enrol(session=session, cooperator=cooperator, on=on, acting_user=by)
    return enrolments


def _past_session(planned: Planned, people: dict[str, dict[str, list[Cooperator]]], actors: _Actors) -> None:
    """One past session from creation to billing and costs (skipped once billed: a billed session is final)."""
    if Session.objects.filter(slug=planned.slug, billed_on__isnull=False).exists():
        return
    if planned.billed_on is None:  # every past session is billed
        raise ValueError(f"{planned.slug}: a past session needs its billing date")
    session = Session.objects.filter(slug=planned.slug).first() or _session_create(
        planned, planned.starts_on, planned.deadline, actors.accountant
    )
    if not Enrolment.objects.filter(session=session).exists():
        enrolments = _enrol_all(session, planned, people[planned.slug], actors, planned.enrolled_on)
        if planned.late_cancel is not None:
            member, rank, on = planned.late_cancel
            cancel(enrolment=enrolments[(member, rank)], on=on, acting_user=actors.accountant)
    by_cooperator = {e.cooperator_id: e.pk for e in Enrolment.objects.filter(session=session)}
    absent_ids = {
        by_cooperator.get(people[planned.slug][member][rank].pk): half_days
        for (member, rank), half_days in planned.absent.items()
    }
    # the outside trainer has no login: the accountant enters his paper sign-in sheet
    runner = actors.trainer_user if planned.trainer == "formatrice" else actors.accountant
    seated = list(Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).order_by("pk"))
    for number, half_day in enumerate(HalfDay.objects.filter(session=session).order_by("day", "part")):
        present = [e.pk for e in seated if number not in absent_ids.get(e.pk, ())]
        attendance_record(session=session, half_day=half_day, present_ids=present, acting_user=runner)
    certificates_issue(session=session, on=planned.ends_on, acting_user=runner)
    session_bill(session=session, on=planned.billed_on, acting_user=actors.accountant, today=DEMO_TODAY)
    for kind, amount, spent_on, reference in planned.costs:
        session_cost_record(
            session=session,
            kind=kind,
            amount=amount,
            spent_on=spent_on,
            paid_from="bank",
            reference=reference,
            idempotency_key=f"demo:{kind}",
            acting_user=actors.accountant,
            today=DEMO_TODAY,
        )


def _members_pay(gie: Organization, by_slug: dict[str, Organization]) -> None:
    """Each member pays its training invoices by one transfer on 28 October (key ``demo:training:<slug>:paid``)."""
    for slug, org in by_slug.items():
        key = f"demo:training:{slug}:paid"
        if Payment.objects.filter(collected_by=gie, idempotency_key=key).exists():
            continue
        ids = TrainingInvoice.objects.filter(organization=org, session__slug__in=[p.slug for p in PAST]).values(
            "document_id"
        )
        documents = list(Document.objects.filter(pk__in=ids).order_by("pk"))
        owed = sum((document.balance_due for document in documents), D("0.00"))
        if owed <= 0:
            continue
        payment_record(
            payer=party_for_member(organization=org),
            collected_by=gie,
            received_on=MEMBERS_PAY_ON,
            method=Payment.Method.TRANSFER,
            amount=owed,
            idempotency_key=key,
            documents=documents,
            reference="VIR " + " ".join(document.number for document in documents),
            today=DEMO_TODAY,
        )


def _upcoming(people: dict[str, dict[str, list[Cooperator]]], actors: _Actors, *, today: date) -> None:
    """The session to come, from today for three days, enrolments open until today: full, three waiting. Seeded
    again another day, it follows today while nobody has taken attendance yet."""
    planned = UPCOMING
    session = Session.objects.filter(slug=planned.slug).first()
    if session is None:
        session = _session_create(planned, today, today, actors.accountant)
    elif session.starts_on != today and session.state == Session.State.OPEN and not _has_attendance(session):
        session = session_save(
            session=session,
            data={"starts_on": today, "ends_on": today + timedelta(days=2), "enrolment_deadline": today},
            half_days=_half_days(today),
            funders=_shares(planned),
            acting_user=actors.accountant,
        )
    if session.state == Session.State.OPEN and not Enrolment.objects.filter(session=session).exists():
        _enrol_all(session, planned, people[planned.slug], actors, today)


def _has_attendance(session: Session) -> bool:
    return HalfDay.objects.filter(session=session, attendances__isnull=False).exists()
