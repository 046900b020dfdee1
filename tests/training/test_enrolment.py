"""Enrolment: seats up to the capacity, then the waitlist in order; one live enrolment per cooperator; cancelling
before the deadline is free, after it billed; a freed seat goes to the first in line at once."""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from tests.factories.members import UserFactory
from tests.training.conftest import DEADLINE, ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.models import Enrolment
from training.selectors import seated_count, waitlist
from training.services import cancel, enrol


def _enrol_all(t: dict[str, Any], cooperators: list[Any], on: date = ENROLLED_ON) -> list[Enrolment]:
    return [enrol(session=t["session"], cooperator=c, on=on, acting_user=t["staff"]) for c in cooperators]


def _capacity(t: dict[str, Any], seats: int) -> None:
    t["session"].capacity = seats
    t["session"].save(update_fields=["capacity"])


def test_beyond_capacity_enrolments_wait_in_order(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _capacity(t, 3)
    enrolments = _enrol_all(t, people(t["exempt"], 5, "O"))
    assert [(e.state, e.waitlist_position) for e in enrolments] == [
        ("enrolled", None),
        ("enrolled", None),
        ("enrolled", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert {e.organization_id for e in enrolments} == {t["exempt"].pk}
    assert seated_count(t["session"]) == 3
    assert list(waitlist(t["session"])) == enrolments[3:]
    assert AuditEvent.objects.filter(event="training.enrolled").count() == 5


def test_the_same_cooperator_twice_is_refused_and_may_come_back_after_a_cancellation(
    training: dict[str, Any],  # noqa: F811
) -> None:
    t = training
    (fatima,) = people(t["registered"], 1, "F")
    first = enrol(session=t["session"], cooperator=fatima, on=ENROLLED_ON, acting_user=t["staff"])
    with pytest.raises(DomainError) as refused:
        enrol(session=t["session"], cooperator=fatima, on=ENROLLED_ON, acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_ALREADY_ENROLLED
    assert "F1" in refused.value.message("fr")
    cancel(enrolment=first, on=ENROLLED_ON, acting_user=t["staff"])
    again = enrol(session=t["session"], cooperator=fatima, on=ENROLLED_ON, acting_user=t["staff"])
    assert again.pk != first.pk
    assert again.state == "enrolled"


def test_a_cancellation_before_the_deadline_is_free_and_promotes_the_first_in_line(
    training: dict[str, Any],  # noqa: F811
) -> None:
    t = training
    _capacity(t, 2)
    first, second, third, fourth = _enrol_all(t, people(t["registered"], 4, "M"))
    result = cancel(enrolment=second, on=DEADLINE, acting_user=t["staff"])
    second.refresh_from_db()
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert (second.state, second.cancelled_late, second.cancelled_at is not None) == ("cancelled", False, True)
    assert result.promoted == (third,)
    assert (third.state, third.waitlist_position, third.promoted_at is not None) == ("enrolled", None, True)
    assert (fourth.state, fourth.waitlist_position) == ("waitlisted", 2)  # keeps its place: still first in line
    assert list(waitlist(t["session"])) == [fourth]
    assert seated_count(t["session"]) == 2
    assert first.state == "enrolled"


def test_a_cancellation_after_the_deadline_is_late_and_the_promoted_trainee_is_seated(
    training: dict[str, Any],  # noqa: F811
) -> None:
    t = training
    _capacity(t, 1)
    seated, waiting = _enrol_all(t, people(t["tapis"], 2, "T"))
    result = cancel(enrolment=seated, on=date(2026, 11, 3), acting_user=t["staff"])  # the day after the deadline
    assert result.enrolment.cancelled_late is True
    waiting.refresh_from_db()
    assert (waiting.state, waiting.promoted_at is not None) == ("enrolled", True)


def test_cancelling_a_waitlisted_enrolment_is_free_and_promotes_nobody(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _capacity(t, 1)
    seated, first, second = _enrol_all(t, people(t["tapis"], 3, "T"))
    result = cancel(enrolment=first, on=date(2026, 11, 8), acting_user=t["staff"])
    assert (result.enrolment.state, result.enrolment.cancelled_late, result.promoted) == ("cancelled", False, ())
    assert list(waitlist(t["session"])) == [second]
    with pytest.raises(DomainError) as refused:
        cancel(enrolment=first, on=date(2026, 11, 8), acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_ALREADY_CANCELLED
    seated.refresh_from_db()
    assert seated.state == "enrolled"


def test_enrolment_closes_after_the_deadline_and_outside_an_open_session(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    late, planned = people(t["exempt"], 2, "O")
    with pytest.raises(DomainError) as refused:
        enrol(session=t["session"], cooperator=late, on=date(2026, 11, 3), acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_ENROLMENT_CLOSED
    assert "02/11/2026" in refused.value.message("fr")
    t["session"].state = "planned"
    t["session"].save(update_fields=["state"])
    with pytest.raises(DomainError) as refused:
        enrol(session=t["session"], cooperator=planned, on=ENROLLED_ON, acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_SESSION_NOT_OPEN


def test_an_inactive_cooperator_is_refused(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (gone,) = people(t["exempt"], 1, "O")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(DomainError) as refused:
        enrol(session=t["session"], cooperator=gone, on=ENROLLED_ON, acting_user=t["staff"])
    assert refused.value.code == ErrorCode.TRAINING_COOPERATOR_INACTIVE


def test_a_representative_enrols_and_cancels_only_its_own_cooperators(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (own,) = people(t["exempt"], 1, "O")
    (other,) = people(t["registered"], 1, "M")
    representative = UserFactory(username="rep-olive", role=Role.COOP_REPRESENTATIVE, organization=t["exempt"])
    mine = enrol(session=t["session"], cooperator=own, on=ENROLLED_ON, acting_user=representative)
    assert mine.created_by == representative
    with pytest.raises(DomainError) as refused:
        enrol(session=t["session"], cooperator=other, on=ENROLLED_ON, acting_user=representative)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    theirs = enrol(session=t["session"], cooperator=other, on=ENROLLED_ON, acting_user=t["staff"])
    with pytest.raises(DomainError) as refused:
        cancel(enrolment=theirs, on=ENROLLED_ON, acting_user=representative)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert cancel(enrolment=mine, on=ENROLLED_ON, acting_user=representative).enrolment.state == "cancelled"
    seller = UserFactory(username="vendeur", role=Role.FAIR_SELLER)
    with pytest.raises(DomainError) as refused:
        enrol(session=t["session"], cooperator=own, on=ENROLLED_ON, acting_user=seller)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
