"""The catalogue's and sessions' write services (``training/catalogue.py``): who may write, slugs set once, a
session's half-days and funders kept exactly as given, and what a session refuses (a half-day with attendance
removed, a funder twice, capacity below the seats taken, changes once billed or cancelled)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gie_erp.core.audit import AuditEvent
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.roles import Role
from tests.factories.members import UserFactory
from tests.training.conftest import ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.catalogue import (
    FunderShare,
    course_save,
    funder_save,
    grant_save,
    session_cancel,
    session_open,
    session_save,
    theme_save,
    trainer_save,
)
from training.models import Attendance, Enrolment, Funder, Grant, HalfDay, Session, SessionFunder, Theme
from training.services import enrol

D = Decimal


def _session_data(t: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "course": t["course"],
        "slug": "compta-2026-12",
        "starts_on": date(2026, 12, 7),
        "ends_on": date(2026, 12, 9),
        "commune": None,
        "place": "Maison des jeunes",
        "trainer": t["trainer"],
        "capacity": 12,
        "enrolment_deadline": date(2026, 12, 1),
        "fee_per_trainee": D("250.00"),
        "language": Session.Language.ARABIC,
        "completion_rate": D("0.8000"),
    }
    return {**data, **changes}


def _all_half_days(first: int, last: int) -> list[tuple[date, str]]:
    return [(date(2026, 12, day), part) for day in range(first, last + 1) for part in ("am", "pm")]


def test_a_three_day_session_with_mornings_and_afternoons_has_six_half_days(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    share = FunderShare(funder=t["indh"], rate=D("0.4000"))
    session = session_save(
        session=None, data=_session_data(t), half_days=_all_half_days(7, 9), funders=[share], acting_user=t["staff"]
    )
    assert session.state == Session.State.PLANNED
    days = list(HalfDay.objects.filter(session=session).values_list("day", "part"))
    assert len(days) == 6
    assert days[0] == (date(2026, 12, 7), "am")
    assert days[-1] == (date(2026, 12, 9), "pm")
    row = SessionFunder.objects.get(session=session)
    assert (row.kind, row.rate, row.amount, row.basis) == ("percent", D("0.4000"), None, "attended")
    assert AuditEvent.objects.filter(event="training.session_created", target_id=str(session.pk)).count() == 1


def test_half_days_follow_the_list_but_one_with_attendance_stays(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    session = t["session"]  # 9 am/pm, 10 am/pm, 11 am
    data = _session_data(t, slug=session.slug, starts_on=session.starts_on, ends_on=session.ends_on,
                         enrolment_deadline=session.enrolment_deadline)  # fmt: skip
    (olive,) = people(t["exempt"], 1, "O")
    enrolment = enrol(session=session, cooperator=olive, on=ENROLLED_ON, acting_user=t["staff"])
    first = t["half_days"][0]
    Attendance.objects.create(enrolment=enrolment, half_day=first, present=True,
                              recorded_at=datetime(2026, 11, 9, tzinfo=ZoneInfo("UTC")))  # fmt: skip
    keep = [(date(2026, 11, 9), "am"), (date(2026, 11, 10), "am"), (date(2026, 11, 11), "pm")]
    session_save(session=session, data=data, half_days=keep, funders=[], acting_user=t["staff"])
    assert sorted(HalfDay.objects.filter(session=session).values_list("day", "part")) == sorted(keep)
    assert HalfDay.objects.filter(pk=first.pk).exists()  # the same row: its attendance still points at it
    assert not SessionFunder.objects.filter(session=session).exists()  # INDH removed from the list

    with pytest.raises(DomainError) as refused:
        session_save(session=session, data=data, half_days=keep[1:], funders=[], acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_HALF_DAY_HAS_ATTENDANCE
    assert HalfDay.objects.filter(session=session).count() == 3


def test_odd_sessions_are_refused_and_change_nothing(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    session = t["session"]
    base = _session_data(t, slug=session.slug, starts_on=session.starts_on, ends_on=session.ends_on,
                         enrolment_deadline=session.enrolment_deadline)  # fmt: skip
    half_days = list(HalfDay.objects.filter(session=session).values_list("day", "part"))
    cases = [
        ({**base, "enrolment_deadline": date(2026, 11, 12)}, half_days, [], ErrorCode.TRAINING_DATES_ORDER),
        ({**base, "ends_on": date(2026, 11, 8)}, [], [], ErrorCode.TRAINING_DATES_ORDER),
        (base, [(date(2026, 11, 20), "am")], [], ErrorCode.TRAINING_HALF_DAY_OUTSIDE),
        (base, half_days, [FunderShare(funder=t["indh"], rate=D("0.4")), FunderShare(funder=t["indh"], rate=D("0.1"))],
         ErrorCode.TRAINING_FUNDER_TWICE),
        (base, half_days, [FunderShare(funder=t["indh"], rate=D("1.5"))], ErrorCode.TRAINING_BAD_CHOICE),
    ]  # fmt: skip
    for data, days, shares, code in cases:
        with pytest.raises(DomainError) as refused:
            session_save(session=session, data=data, half_days=days, funders=shares, acting_user=t["staff"])
        assert refused.value.code == code
    session.refresh_from_db()
    assert (session.ends_on, session.enrolment_deadline) == (date(2026, 11, 11), date(2026, 11, 2))
    assert HalfDay.objects.filter(session=session).count() == 5
    assert SessionFunder.objects.get(session=session).rate == D("0.4000")


def test_the_slug_is_unique_and_set_once(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    with pytest.raises(DomainError) as refused:
        session_save(session=None, data=_session_data(t, slug=t["session"].slug), half_days=_all_half_days(7, 7),
                     funders=[], acting_user=t["staff"])  # fmt: skip
    assert refused.value.code == ErrorCode.TRAINING_SLUG_TAKEN
    session = t["session"]
    data = _session_data(t, slug="autre-nom", starts_on=session.starts_on, ends_on=session.ends_on,
                         enrolment_deadline=session.enrolment_deadline)  # fmt: skip
    days = HalfDay.objects.filter(session=session).values_list("day", "part")
    session_save(session=session, data=data, half_days=list(days), funders=[], acting_user=t["staff"])
    session.refresh_from_db()
    assert session.slug == "gestion-2026-11"


def test_capacity_never_drops_below_the_seats_and_added_seats_fill_from_the_waitlist(
    training: dict[str, Any],  # noqa: F811
) -> None:
    t = training
    session = t["session"]
    session.capacity = 2
    session.save(update_fields=["capacity"])
    trainees = people(t["exempt"], 3, "O")
    for person in trainees:
        enrol(session=session, cooperator=person, on=ENROLLED_ON, acting_user=t["staff"])
    data = _session_data(t, starts_on=session.starts_on, ends_on=session.ends_on,
                         enrolment_deadline=session.enrolment_deadline)  # fmt: skip
    days = list(HalfDay.objects.filter(session=session).values_list("day", "part"))
    with pytest.raises(DomainError) as refused:
        session_save(session=session, data={**data, "capacity": 1}, half_days=days, funders=[], acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_CAPACITY_BELOW_SEATED
    session_save(session=session, data={**data, "capacity": 3}, half_days=days, funders=[], acting_user=t["staff"])
    states = dict(Enrolment.objects.filter(session=session).values_list("cooperator__first_name_fr", "state"))
    assert states == {"O1": "enrolled", "O2": "enrolled", "O3": "enrolled"}


def test_open_and_cancel(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    session = session_save(session=None, data=_session_data(t), half_days=_all_half_days(7, 7), funders=[],
                           acting_user=t["staff"])  # fmt: skip
    session = session_open(session=session, acting_user=t["staff"])
    assert session.state == Session.State.OPEN
    assert session_open(session=session, acting_user=t["staff"]).state == Session.State.OPEN  # a replay
    session = session_cancel(session=session, acting_user=t["staff"])
    assert session.state == Session.State.CANCELLED
    with pytest.raises(DomainError) as refused:
        session_open(session=session, acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_SESSION_STATE
    with pytest.raises(DomainError) as refused:
        session_save(session=session, data=_session_data(t), half_days=_all_half_days(7, 7), funders=[],
                     acting_user=t["staff"])  # fmt: skip
    assert refused.value.code == ErrorCode.TRAINING_SESSION_STATE


def test_a_billed_session_changes_no_more(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    session = t["session"]
    Session.objects.filter(pk=session.pk).update(billed_on=date(2026, 11, 12), state=Session.State.CLOSED)
    for action in (session_cancel, session_open):
        with pytest.raises(DomainError) as refused:
            action(session=session, acting_user=t["staff"])
        assert refused.value.code == ErrorCode.TRAINING_SESSION_BILLED
    with pytest.raises(DomainError) as refused:
        session_save(session=session, data=_session_data(t, capacity=40), half_days=[], funders=[],
                     acting_user=t["staff"])  # fmt: skip
    assert refused.value.code == ErrorCode.TRAINING_SESSION_BILLED
    session.refresh_from_db()
    assert (session.capacity, session.state) == (10, Session.State.CLOSED)


def test_only_staff_who_write_change_the_catalogue(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    auditor = UserFactory(username="auditrice", role=Role.AUDITOR)
    for user in (auditor, t["trainer_user"]):
        with pytest.raises(DomainError) as refused:
            theme_save(theme=None, data={"slug": "hygiene", "name_fr": "Hygiène"}, acting_user=user)
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
        with pytest.raises(DomainError):
            session_cancel(session=t["session"], acting_user=user)
    assert not Theme.objects.filter(slug="hygiene").exists()
    assert t["session"].state == Session.State.OPEN


def test_catalogue_items_are_created_and_changed(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    staff = t["staff"]
    theme = theme_save(theme=None, data={"slug": "hygiene", "name_fr": "Hygiène", "name_ar": "النظافة"},
                       acting_user=staff)  # fmt: skip
    theme = theme_save(theme=theme, data={"slug": "autre", "name_fr": "Hygiène alimentaire"}, acting_user=staff)
    assert (theme.slug, theme.name_fr) == ("hygiene", "Hygiène alimentaire")
    course = course_save(course=None, data={"theme": theme, "slug": "haccp", "title_fr": "HACCP",
                                            "duration_hours": D("7.5"), "vat_code": "exonere-91"},
                         acting_user=staff)  # fmt: skip
    assert (course.vat_code, course.duration_hours, course.is_active) == ("exonere-91", D("7.5"), True)
    with pytest.raises(DomainError) as refused:
        course_save(course=None, data={"theme": theme, "slug": "haccp", "title_fr": "Autre",
                                       "duration_hours": D("3")}, acting_user=staff)  # fmt: skip
    assert refused.value.code == ErrorCode.TRAINING_SLUG_TAKEN

    outsider = trainer_save(trainer=None, data={"name": "Fatima Zahra", "phone": "0611223344"}, acting_user=staff)
    assert outsider.user is None
    with pytest.raises(DomainError) as refused:
        trainer_save(trainer=None, data={"name": " "}, acting_user=staff)
    assert refused.value.code == ErrorCode.TRAINING_TRAINER_NAME_REQUIRED
    with pytest.raises(DomainError) as refused:  # already has a card (the fixture's trainer)
        trainer_save(trainer=None, data={"user": t["trainer_user"]}, acting_user=staff)
    assert refused.value.code == ErrorCode.TRAINING_TRAINER_USER_INVALID

    funder = funder_save(funder=None, data={"slug": "region", "name_fr": "Région"}, acting_user=staff)
    grant = grant_save(grant=None, funder=funder, acting_user=staff, data={
        "reference": "R-2026-01", "title_fr": "Convention 2026", "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31)})  # fmt: skip
    assert Grant.objects.get(funder=funder).pk == grant.pk
    with pytest.raises(DomainError) as refused:
        grant_save(grant=None, funder=funder, acting_user=staff, data={
            "reference": "R-2026-01", "title_fr": "Doublon", "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31)})  # fmt: skip
    assert refused.value.code == ErrorCode.TRAINING_GRANT_REFERENCE_TAKEN
    with pytest.raises(DomainError) as refused:
        grant_save(grant=grant, acting_user=staff, data={"ends_on": date(2025, 12, 31)})
    assert refused.value.code == ErrorCode.TRAINING_DATES_ORDER
    wrong = FunderShare(funder=t["indh"], rate=D("0.4"), grant=grant)  # INDH's share, with the Region's grant
    with pytest.raises(DomainError) as refused:
        session_save(session=None, data=_session_data(t), half_days=_all_half_days(7, 7), funders=[wrong],
                     acting_user=staff)  # fmt: skip
    assert refused.value.code == ErrorCode.TRAINING_GRANT_OTHER_FUNDER
    assert Funder.objects.count() == 2
