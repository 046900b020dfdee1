"""A month of the GIE and three members for the combined accounts, through the real services (November 2026).

The invoicing world (``tests/invoices/conftest.py``): the GIE (VAT-registered), coop-olive (exempt, art. 91),
coop-miel (VAT-registered); the fair world (``tests/sales/conftest.py``) adds coop-tapis (exempt) and the fair of 20
to 29 November (10 % commission on the TTC, + 20 % VAT). On top of them:

- training (the GIE bills its members like ``tests/training``): a session of 9 to 11 November at 350.00 HT per
  trainee, INDH paying 40 % for attendees; coop-olive enrols 2 cooperators and coop-miel 1, all attend every
  half-day; billed on 12 November;
- the fair: on 21 November coop-olive sells 2 oils (160.00 cash), coop-miel 1 honey (120.00 cash, 20.00 VAT
  inside), coop-tapis 1 carpet (450.00 by card); settled on 25 November; on 27 November coop-olive sells 1 oil
  (80.00 cash), summarized, not yet settled at the end of the month;
- fees: the pool ``compta`` (equal key, 300.00 a month) run for November: 100.00 + 20.00 VAT to each member, dated
  30 November; coop-miel pays its fee invoice (120.00 by transfer) on 30 November;
- the deliberate mismatch: on 28 November coop-tapis posts by hand a contribution to the GIE, Dr 6146·GIE 30.00 /
  Cr 5141 30.00, that the GIE never invoiced (a document posted on one side only).
"""

from datetime import date
from typing import Any

import pytest

from gie_erp.core.roles import Role
from gie_erp.fees.models import Key, Pool
from gie_erp.fees.services import run_post
from invoices.parties import party_for_member
from invoices.payments import payment_record
from ledger.books import book_ensure
from ledger.models import Journal
from ledger.services import journal_entry_post
from members.models import Commune
from sales.settlements import settle_event
from sales.summaries import summarize
from tests.factories.members import UserFactory
from tests.invoices.conftest import D, world  # noqa: F401 (fixtures and helpers shared with invoices)
from tests.ledger.conftest import cr, dr
from tests.sales.books_view import ingest
from tests.sales.conftest import _fair, at, ticket
from tests.training.conftest import people
from training.billing import session_bill
from training.models import Course, Funder, HalfDay, Session, SessionFunder, Theme, Trainer
from training.services import attendance_record, enrol

NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)
TODAY = date(2026, 12, 2)


def _training(world: dict[str, Any], staff: Any) -> None:  # noqa: F811
    theme = Theme.objects.create(slug="gestion", name_fr="Gestion", name_ar="التسيير")
    course = Course.objects.create(theme=theme, slug="gestion-cooperative", title_fr="Gestion d'une coopérative",
                                   title_ar="تسيير التعاونية", duration_hours=D("15.0"))  # fmt: skip
    trainer_user = UserFactory(username="formatrice", role=Role.TRAINER)
    trainer = Trainer.objects.create(user=trainer_user, name="Samira Idrissi")
    indh = Funder.objects.create(slug="indh", name_fr="INDH", name_ar="المبادرة الوطنية للتنمية البشرية")
    session = Session.objects.create(
        course=course, slug="gestion-2026-11", starts_on=date(2026, 11, 9), ends_on=date(2026, 11, 11),
        commune=Commune.objects.order_by("pk").first(), place="Salle communale", trainer=trainer, capacity=10,
        enrolment_deadline=date(2026, 11, 2), fee_per_trainee=D("350.00"), state=Session.State.OPEN,
    )  # fmt: skip
    SessionFunder.objects.create(session=session, funder=indh, rate=D("0.4000"))
    half_days = [
        HalfDay.objects.create(session=session, day=date(2026, 11, day), part=part)
        for day, part in ((9, "am"), (9, "pm"), (10, "am"), (10, "pm"), (11, "am"))
    ]
    seated = [
        enrol(session=session, cooperator=cooperator, on=date(2026, 10, 20), acting_user=staff).pk
        for cooperator in people(world["exempt"], 2, "A") + people(world["registered"], 1, "B")
    ]
    for half_day in half_days:
        attendance_record(session=session, half_day=half_day, present_ids=seated, acting_user=trainer_user)
    session_bill(session=session, on=date(2026, 11, 12), acting_user=staff, today=TODAY)


def _fair_sales(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    ingest(fair, [
        ticket(event, [(p["huile"], "2", "80.00")], [("cash", "160.00")], sold_at=at(21, 10), sequence=1),
        ticket(event, [(p["miel"], "1", "120.00")], [("cash", "120.00")], sold_at=at(21, 11), sequence=2),
        ticket(event, [(p["tapis"], "1", "450.00")], [("card", "450.00")], sold_at=at(21, 12), sequence=3),
    ])  # fmt: skip
    summarize(event, today=date(2026, 11, 22))
    settle_event(event, on=date(2026, 11, 25), today=date(2026, 11, 25))
    ingest(fair, [ticket(event, [(p["huile"], "1", "80.00")], [("cash", "80.00")], sold_at=at(27, 10), sequence=4)])
    summarize(event, today=date(2026, 11, 28))


def _fees(world: dict[str, Any], staff: Any) -> None:  # noqa: F811
    pool = Pool.objects.create(slug="compta", name_fr="Comptabilité", name_ar="المحاسبة", key=Key.EQUAL,
                               fixed_monthly=D("300.00"))  # fmt: skip
    run = run_post(pool=pool, starts_on=NOV_1, ends_on=NOV_30, acting_user=staff, today=TODAY)
    miel = world["registered"]
    fee = run.shares.get(organization=miel).document
    assert fee is not None
    payment_record(
        payer=party_for_member(organization=miel), collected_by=world["gie"], documents=[fee], received_on=NOV_30,
        method="transfer", amount=D("120.00"), idempotency_key="fee-miel-11", today=TODAY,
    )  # fmt: skip


def _mismatch(tapis: Any, gie: Any) -> None:
    journal_entry_post(
        book=book_ensure(organization=tapis), posted_on=date(2026, 11, 28), journal=Journal.BANK,
        lines=[dr("6146", "30.00", gie), cr("5141", "30.00")], description="Cotisation au GIE (non facturée)",
        source_ref="VIR-1128", idempotency_key="tapis-cotisation-11", today=TODAY,
    )  # fmt: skip


@pytest.fixture
def month(world: dict[str, Any], accountant: Any) -> dict[str, Any]:  # noqa: F811
    fair = _fair(world)
    _training(world, accountant)
    _fair_sales(fair)
    _fees(world, accountant)
    _mismatch(fair["tapis"], world["gie"])
    return {**fair, "staff": accountant}
