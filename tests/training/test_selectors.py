"""Who sees which sessions and enrolments: staff and the auditor all; a trainer only the sessions it teaches; a
representative the open sessions and those its cooperators are in, and there only its own cooperators."""

from datetime import date
from typing import Any

import pytest
from django.http import Http404

from gie_erp.core.roles import Role
from tests.factories.members import UserFactory
from tests.training.conftest import ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.models import Session, Trainer
from training.selectors import enrolments_of, session_enrolments, session_for, sessions_for
from training.services import enrol


def _closed_session(t: dict[str, Any], slug: str, trainer: Trainer | None = None) -> Session:
    return Session.objects.create(
        course=t["course"],
        slug=slug,
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 6, 2),
        capacity=10,
        enrolment_deadline=date(2026, 5, 25),
        state="closed",
        trainer=trainer,
    )


def test_sessions_each_role_sees(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    open_session = t["session"]
    other_trainer = Trainer.objects.create(user=UserFactory(username="karim", role=Role.TRAINER))
    past_with_olive = _closed_session(t, "passee-olive", trainer=other_trainer)
    past_without = _closed_session(t, "passee-autre")
    (olive,) = people(t["exempt"], 1, "O")
    past_with_olive.state = "open"
    past_with_olive.save(update_fields=["state"])
    enrol(session=past_with_olive, cooperator=olive, on=date(2026, 5, 20), acting_user=t["staff"])
    past_with_olive.state = "closed"
    past_with_olive.save(update_fields=["state"])
    auditor = UserFactory(username="auditeur", role=Role.AUDITOR)
    rep_olive = UserFactory(username="rep-olive", role=Role.COOP_REPRESENTATIVE, organization=t["exempt"])
    rep_miel = UserFactory(username="rep-miel", role=Role.COOP_REPRESENTATIVE, organization=t["registered"])
    seller = UserFactory(username="vendeur", role=Role.FAIR_SELLER)
    everything = {open_session.slug, past_with_olive.slug, past_without.slug}
    assert {s.slug for s in sessions_for(t["staff"])} == everything
    assert {s.slug for s in sessions_for(auditor)} == everything
    assert {s.slug for s in sessions_for(t["trainer_user"])} == {open_session.slug}
    assert {s.slug for s in sessions_for(other_trainer.user)} == {past_with_olive.slug}
    assert {s.slug for s in sessions_for(rep_olive)} == {open_session.slug, past_with_olive.slug}
    assert {s.slug for s in sessions_for(rep_miel)} == {open_session.slug}
    assert list(sessions_for(seller)) == []
    with pytest.raises(Http404):
        session_for(rep_miel, past_with_olive.slug)
    with pytest.raises(Http404):
        session_for(t["trainer_user"], past_without.slug)
    assert session_for(rep_olive, past_with_olive.slug) == past_with_olive


def test_enrolments_are_scoped_to_the_cooperative(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (olive,) = people(t["exempt"], 1, "O")
    (miel,) = people(t["registered"], 1, "M")
    mine = enrol(session=t["session"], cooperator=olive, on=ENROLLED_ON, acting_user=t["staff"])
    theirs = enrol(session=t["session"], cooperator=miel, on=ENROLLED_ON, acting_user=t["staff"])
    rep_olive = UserFactory(username="rep-olive", role=Role.COOP_REPRESENTATIVE, organization=t["exempt"])
    assert list(enrolments_of(rep_olive, t["exempt"])) == [mine]
    assert list(enrolments_of(rep_olive, t["registered"])) == []
    assert list(enrolments_of(t["staff"], t["registered"])) == [theirs]
    assert list(session_enrolments(rep_olive, t["session"])) == [mine]
    assert set(session_enrolments(t["trainer_user"], t["session"])) == {mine, theirs}
    assert set(session_enrolments(t["staff"], t["session"])) == {mine, theirs}
