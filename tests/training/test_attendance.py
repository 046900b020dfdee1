"""Attendance per half-day (idempotent, by the session's trainer or the GIE's staff) and certificates for those
present at 80 % of the half-days at least: the session has five, so four is enough (4/5 = 0.80 exactly) and three
is not (0.60)."""

import re
from datetime import date
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from tests.factories.members import UserFactory
from tests.training.conftest import ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.models import Attendance, Certificate, HalfDay, Session, Trainer
from training.services import attendance_record, cancel, certificates_issue, enrol

ISSUED_ON = date(2026, 11, 11)


def _seat(t: dict[str, Any], count: int) -> list[Any]:
    return [
        enrol(session=t["session"], cooperator=c, on=ENROLLED_ON, acting_user=t["staff"])
        for c in people(t["exempt"], count, "O")
    ]


def test_recording_a_half_day_twice_writes_once_and_a_new_list_replaces_the_marks(
    training: dict[str, Any],  # noqa: F811
) -> None:
    t = training
    a, b, c = _seat(t, 3)
    half_day, trainer = t["half_days"][0], t["trainer_user"]
    rows = attendance_record(session=t["session"], half_day=half_day, present_ids=[a.pk, c.pk], acting_user=trainer)
    assert [(r.enrolment_id, r.present) for r in rows] == [(a.pk, True), (b.pk, False), (c.pk, True)]
    again = attendance_record(session=t["session"], half_day=half_day, present_ids=[c.pk, a.pk], acting_user=trainer)
    assert [(r.pk, r.present, r.recorded_at) for r in again] == [(r.pk, r.present, r.recorded_at) for r in rows]
    assert AuditEvent.objects.filter(event="training.attendance").count() == 1
    fixed = attendance_record(session=t["session"], half_day=half_day, present_ids=[b.pk], acting_user=trainer)
    assert [(r.enrolment_id, r.present) for r in fixed] == [(a.pk, False), (b.pk, True), (c.pk, False)]
    assert Attendance.objects.count() == 3
    assert fixed[0].recorded_by == trainer


def test_attendance_refuses_strangers_other_sessions_and_other_trainers(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (a,) = _seat(t, 1)
    other = Session.objects.create(
        course=t["course"],
        slug="autre",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 1),
        capacity=5,
        enrolment_deadline=date(2026, 11, 25),
        state="open",
    )
    elsewhere = HalfDay.objects.create(session=other, day=date(2026, 12, 1), part="am")
    (stranger,) = [
        enrol(session=other, cooperator=c, on=ENROLLED_ON, acting_user=t["staff"]) for c in people(t["tapis"], 1, "T")
    ]
    with pytest.raises(DomainError) as refused:
        attendance_record(session=t["session"], half_day=elsewhere, present_ids=[a.pk], acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_HALF_DAY_ELSEWHERE
    with pytest.raises(DomainError) as refused:
        attendance_record(
            session=t["session"], half_day=t["half_days"][0], present_ids=[stranger.pk], acting_user=t["staff"]
        )
    assert refused.value.code == ErrorCode.TRAINING_NOT_ENROLLED
    assert "T1" in refused.value.message("fr")
    someone = UserFactory(username="autre-formateur", role=Role.TRAINER)
    Trainer.objects.create(user=someone)
    with pytest.raises(DomainError) as refused:
        attendance_record(session=t["session"], half_day=t["half_days"][0], present_ids=[a.pk], acting_user=someone)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert Attendance.objects.count() == 0


def test_certificates_go_only_to_those_present_at_80_percent(training: dict[str, Any]) -> None:  # noqa: F811
    """Five half-days. P is there at all five, Q at four (0.80: enough), R at three (0.60: not enough); S was
    seated, then cancelled late after attending everything: a cancelled enrolment gets no certificate."""
    t = training
    p, q, r, s = _seat(t, 4)
    marks = {0: [p, q, r, s], 1: [p, q, r, s], 2: [p, q, r, s], 3: [p, q], 4: [p]}
    for index, half_day in enumerate(t["half_days"]):
        present = [e.pk for e in marks[index]]
        attendance_record(session=t["session"], half_day=half_day, present_ids=present, acting_user=t["staff"])
    cancel(enrolment=s, on=date(2026, 11, 10), acting_user=t["staff"])
    certificates = certificates_issue(session=t["session"], on=ISSUED_ON, acting_user=t["trainer_user"])
    assert [c.enrolment_id for c in certificates] == [p.pk, q.pk]
    tokens = [c.token for c in certificates]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", token) for token in tokens)  # 24 random bytes: 192 bits
    assert len(set(tokens)) == 2
    assert {c.issued_on for c in certificates} == {ISSUED_ON}
    # issuing again (another day) adds nothing and keeps the codes already printed
    again = certificates_issue(session=t["session"], on=date(2026, 11, 12), acting_user=t["staff"])
    assert [(c.pk, c.token, c.issued_on) for c in again] == [(c.pk, c.token, c.issued_on) for c in certificates]
    assert Certificate.objects.count() == 2


def test_certificates_need_half_days_and_the_sessions_people(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    representative = UserFactory(username="rep", role=Role.COOP_REPRESENTATIVE, organization=t["exempt"])
    with pytest.raises(DomainError) as refused:
        certificates_issue(session=t["session"], on=ISSUED_ON, acting_user=representative)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    HalfDay.objects.filter(session=t["session"]).delete()
    with pytest.raises(DomainError) as refused:
        certificates_issue(session=t["session"], on=ISSUED_ON, acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_NO_HALF_DAYS
