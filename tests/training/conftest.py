"""A training world on top of the invoicing world (the GIE, VAT-registered; ``coop-olive`` exempt under art. 91;
``coop-miel`` VAT-registered) plus a third member ``coop-tapis``: a course billed at 20 %, a trainer, INDH paying
40 % of the fee for the trainees who attend, and an open session of 10 seats at 350.00 HT per trainee from 9 to 11
November 2026 (five half-days), enrolments closing on 2 November."""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.roles import Role
from members.models import Commune, Cooperator, Organization
from tests.factories.members import CooperatorFactory, UserFactory
from tests.invoices.conftest import D, balance, weavers, world  # noqa: F401 (fixtures and helpers shared with invoices)
from training.models import Course, Funder, HalfDay, Session, SessionFunder, Theme, Trainer

TODAY = date(2026, 11, 22)
ENROLLED_ON = date(2026, 10, 20)
DEADLINE = date(2026, 11, 2)
BILLED_ON = date(2026, 11, 12)


def people(organization: Organization, count: int, prefix: str) -> list[Cooperator]:
    """``count`` cooperators of a member, named ``<prefix>1`` … (easy to read in a failing assertion)."""
    return [
        CooperatorFactory(organization=organization, first_name_fr=f"{prefix}{n}", last_name_fr=organization.slug)
        for n in range(1, count + 1)
    ]


@pytest.fixture
def training(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811 (the invoices fixture)
    return training_world(world)


def training_world(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    tapis = weavers()
    theme = Theme.objects.create(slug="gestion", name_fr="Gestion", name_ar="التسيير")
    course = Course.objects.create(
        theme=theme,
        slug="gestion-cooperative",
        title_fr="Gestion d'une coopérative",
        title_ar="تسيير التعاونية",
        duration_hours=D("15.0"),
        pictogram="building",
    )
    trainer_user = UserFactory(username="formatrice", role=Role.TRAINER)
    trainer = Trainer.objects.create(user=trainer_user, name="Samira Idrissi", phone="0600000000")
    indh = Funder.objects.create(slug="indh", name_fr="INDH", name_ar="المبادرة الوطنية للتنمية البشرية")
    session = Session.objects.create(
        course=course,
        slug="gestion-2026-11",
        starts_on=date(2026, 11, 9),
        ends_on=date(2026, 11, 11),
        commune=Commune.objects.order_by("pk").first(),
        place="Salle communale",
        trainer=trainer,
        capacity=10,
        enrolment_deadline=DEADLINE,
        fee_per_trainee=D("350.00"),
        state=Session.State.OPEN,
    )
    SessionFunder.objects.create(session=session, funder=indh, rate=D("0.4000"))  # percent, of attendees
    half_days = [
        HalfDay.objects.create(session=session, day=date(2026, 11, day), part=part)
        for day, part in ((9, "am"), (9, "pm"), (10, "am"), (10, "pm"), (11, "am"))
    ]
    staff = UserFactory(username="comptable", role=Role.GIE_ACCOUNTANT)
    return {
        **world,
        "tapis": tapis,
        "course": course,
        "trainer": trainer,
        "trainer_user": trainer_user,
        "indh": indh,
        "session": session,
        "half_days": half_days,
        "staff": staff,
    }
