"""The demo's training (``gie_erp/demo/training.py``), seeded with the whole demo once, checked against figures worked
out by hand.

Hygiene at Ouezzane, 300.00 HT per trainee, INDH 40 pour cent of attendees (120.00 each; the member pays 180.00 for
an attendee, 300.00 for anyone else). Twelve seats: the couscous cooperative 4, the cheese one 3, the olive one 3,
the honey one 2, and a fifth couscous trainee waiting; the cheese cooperative's third cancels after the deadline
(billed) and the waiting one takes the seat. One olive trainee never comes; 13 billed, 11 attended:

- couscous 5 × 180.00 = 900.00 HT + 180.00 VAT = 1,080.00; cheese 2 × 180.00 + 300.00 = 660.00 + 132.00 = 792.00;
  olive 2 × 180.00 + 300.00 = 660.00 + 132.00 = 792.00; honey 2 × 180.00 = 360.00 + 72.00 = 432.00;
- INDH 11 × 120.00 = 1,320.00 (paid on 26 October); fees 2,580.00 + 1,320.00 = 3,900.00 = 13 × 300.00;
- certificates: 12 seated less the no-show and a couscous trainee present 4 half-days of 6 (0.667 < 0.80) = 10;
- costs 2,400.00 + 450.00 + 1,080.00 = 3,930.00: result −30.00.

Accounting at Chefchaouen, 400.00, the Region 150.00 per trainee enrolled (absent or not): ten trainees, each member
250.00 a trainee: olive, honey, weaving and cheese 2 (500.00 + 100.00), couscous and pottery 1 (250.00 + 50.00);
Region 1,500.00; one weaver present 3 half-days of 6: 9 certificates; costs 3,300.00, result +700.00.

Literacy at Bab Berred, 200.00 exempt (art. 91), the NGO 50 pour cent of attendees: weaving 5, pottery 3 (one who
never comes), couscous 2 → weaving 5 × 100.00 = 500.00, pottery 2 × 100.00 + 200.00 = 400.00, couscous 200.00, no
VAT; NGO 9 × 100.00 = 900.00; certificates 10 − 1 − 1 (a weaver at 4 of 6) = 8; costs 2,790.00, result −790.00.

Thirteen invoices (4 + 6 + 3), 7,196.00 TTC, paid by six transfers on 28 October; 34512 keeps what the Region
(1,500.00) and the NGO (900.00) still owe: 2,400.00."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone

from gie_erp.core.pictograms import SOURCES
from gie_erp.demo.ledger_year import DEMO_TODAY
from gie_erp.demo.seed import DEFAULT_SEED, seed_demo
from gie_erp.demo.training import training_seed
from invoices.models import Document, Payment
from invoices.services import EXEMPT_CODE
from ledger import accounts
from ledger.models import Book, Entry
from ledger.selectors import account_balance
from members.models import Cooperator, Organization, User
from training.funding import funder_owes, session_result
from training.models import (
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Funder,
    Grant,
    Session,
    Subsidy,
    SubsidyPayment,
    Theme,
    Trainer,
    TrainingInvoice,
)
from training.selectors import sessions_for, waitlist

D = Decimal
ZITOUN, NAHL, COUSCOUS = "coop-zitoun-chefchaouen", "coop-nahl-rif", "coop-nissae-ghafsai-couscous"
TISSAGE, FEKHAR, JBEN = "coop-tissage-akhmas", "coop-fekhar-oued-laou", "coop-jben-beni-arous"
HYGIENE, ACCOUNTING, LITERACY = (
    "hygiene-2026-09-ouezzane",
    "comptabilite-2026-09-chefchaouen",
    "alphabetisation-2026-10-bab-berred",
)
UPCOMING = "gestion-cooperative-tanger"


def invoices_of(slug: str) -> dict[str, tuple[int, Decimal, Decimal, Decimal]]:
    """Per member: (trainees billed, HT, VAT, TTC) of a session's invoices."""
    return {
        ti.organization.slug: (ti.trainees, ti.document.total_net, ti.document.total_vat, ti.document.total_gross)
        for ti in TrainingInvoice.objects.filter(session__slug=slug).select_related("organization", "document")
    }


def result_of(slug: str) -> tuple[Decimal, Decimal]:
    """(costs, revenue) of a session in the GIE's book, by its analytic tag."""
    report = session_result(Session.objects.get(slug=slug))
    costs = sum((a.debit - a.credit for a in report.accounts if a.account_code.startswith("6")), D("0.00"))
    revenue = sum((a.credit - a.debit for a in report.accounts if a.account_code.startswith("7")), D("0.00"))
    return costs, revenue


class DemoTrainingTests(TestCase):
    """One seed of the whole demo for every check (each test runs in a savepoint rolled back after it)."""

    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo()

    def test_the_catalogue_is_bilingual_with_trainers_and_funders(self) -> None:
        assert set(Theme.objects.values_list("slug", flat=True)) == {
            "gestion",
            "comptabilite",
            "marketing",
            "hygiene-qualite",
            "alphabetisation",
        }
        courses = list(Course.objects.all())
        assert len(courses) == 6
        for course in courses:
            assert all((course.title_ar, course.description_fr, course.description_ar, course.objectives_fr,
                        course.objectives_ar)), course  # fmt: skip
            assert course.pictogram in SOURCES, course
        assert {c.slug for c in courses if c.vat_code == EXEMPT_CODE} == {"alphabetisation-fonctionnelle"}
        assert {c.vat_code for c in courses if c.vat_code != EXEMPT_CODE} == {"normal-20"}
        formatrice = Trainer.objects.get(user__username="formatrice")
        assert Trainer.objects.filter(user__isnull=True).count() == 1  # the outside trainer
        assert set(Session.objects.filter(trainer=formatrice).values_list("slug", flat=True)) == {
            ACCOUNTING,
            LITERACY,
            UPCOMING,
        }
        assert Funder.objects.count() == 3
        assert set(Grant.objects.values_list("funder__slug", "reference")) == {
            ("indh", "INDH-TTA-2026"),
            ("region-tta", "RTTA-ESS-2026-07"),
        }

    def test_most_cooperators_gave_a_birth_year_and_consent(self) -> None:
        everyone = Cooperator.objects.count()
        given = Cooperator.objects.filter(birth_year__isnull=False, data_consent=True, data_consent_on__isnull=False)
        assert everyone * 3 // 4 <= given.count() < everyone  # most, not all
        assert not given.filter(birth_year__lt=1961).exists()
        assert not given.filter(birth_year__gt=2007).exists()
        assert not Cooperator.objects.filter(birth_year__isnull=True, data_consent=True).exists()

    def test_the_hygiene_session_with_a_late_cancellation_and_indh(self) -> None:
        session = Session.objects.get(slug=HYGIENE)
        facts = Session.objects.filter(pk=session.pk).values_list(
            "state", "billed_on", "commune__name_fr", "trainer__user"
        )
        assert facts.get() == ("closed", date(2026, 10, 7), "Ouezzane", None)  # the outside trainer: no login
        late = Enrolment.objects.get(session=session, state=Enrolment.State.CANCELLED)
        assert (late.organization.slug, late.cancelled_late) == (JBEN, True)
        promoted = Enrolment.objects.get(session=session, promoted_at__isnull=False)
        assert (promoted.organization.slug, promoted.state) == (COUSCOUS, Enrolment.State.ENROLLED)
        assert Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).count() == 12
        assert Attendance.objects.filter(half_day__session=session).count() == 12 * 6
        assert Attendance.objects.filter(half_day__session=session, present=False).count() == 6 + 2 + 1
        assert Certificate.objects.filter(enrolment__session=session).count() == 10
        assert invoices_of(HYGIENE) == {
            COUSCOUS: (5, D("900.00"), D("180.00"), D("1080.00")),
            JBEN: (3, D("660.00"), D("132.00"), D("792.00")),
            ZITOUN: (3, D("660.00"), D("132.00"), D("792.00")),
            NAHL: (2, D("360.00"), D("72.00"), D("432.00")),
        }
        subsidy = Subsidy.objects.get(session=session)
        assert (subsidy.funder.slug, subsidy.trainees, subsidy.amount) == ("indh", 11, D("1320.00"))
        assert result_of(HYGIENE) == (D("3930.00"), D("3900.00"))  # a loss of 30.00

    def test_the_accounting_session_funded_per_enrolled_trainee(self) -> None:
        session = Session.objects.get(slug=ACCOUNTING)
        facts = Session.objects.filter(pk=session.pk).values_list("billed_on", "language", "trainer__user__username")
        assert facts.get() == (date(2026, 10, 7), "fr", "formatrice")
        two, one = (2, D("500.00"), D("100.00"), D("600.00")), (1, D("250.00"), D("50.00"), D("300.00"))
        assert invoices_of(ACCOUNTING) == {ZITOUN: two, NAHL: two, TISSAGE: two, JBEN: two, COUSCOUS: one, FEKHAR: one}
        subsidy = Subsidy.objects.get(session=session)
        assert (subsidy.funder.slug, subsidy.trainees, subsidy.amount) == ("region-tta", 10, D("1500.00"))
        assert Certificate.objects.filter(enrolment__session=session).count() == 9
        assert result_of(ACCOUNTING) == (D("3300.00"), D("4000.00"))

    def test_the_literacy_session_is_exempt(self) -> None:
        session = Session.objects.get(slug=LITERACY)
        assert invoices_of(LITERACY) == {
            TISSAGE: (5, D("500.00"), D("0.00"), D("500.00")),
            FEKHAR: (3, D("400.00"), D("0.00"), D("400.00")),
            COUSCOUS: (2, D("200.00"), D("0.00"), D("200.00")),
        }
        subsidy = Subsidy.objects.get(session=session)
        assert (subsidy.funder.slug, subsidy.trainees, subsidy.amount) == ("association-tanmia-rif", 9, D("900.00"))
        assert Certificate.objects.filter(enrolment__session=session).count() == 8
        assert result_of(LITERACY) == (D("2790.00"), D("2000.00"))

    def test_the_money_is_invoiced_paid_and_still_owed_by_two_funders(self) -> None:
        gie = Organization.objects.get(kind=Organization.Kind.GIE)
        documents = Document.objects.filter(origin=Document.Origin.TRAINING)
        assert documents.count() == 13
        assert documents.aggregate(total=Sum("total_gross"))["total"] == D("7196.00")
        assert {d.issued_on for d in documents} == {date(2026, 10, 7), date(2026, 10, 20)}
        assert sum((d.balance_due for d in documents), D("0.00")) == D("0.00")
        paid = Payment.objects.filter(collected_by=gie, idempotency_key__startswith="demo:training:")
        assert (paid.count(), {p.received_on for p in paid}) == (6, {date(2026, 10, 28)})
        assert paid.aggregate(total=Sum("amount"))["total"] == D("7196.00")
        payment = SubsidyPayment.objects.values_list("funder__slug", "grant__reference", "amount", "received_on")
        assert payment.get() == ("indh", "INDH-TTA-2026", D("1320.00"), date(2026, 10, 26))
        owed = {funder.slug: funder_owes(funder) for funder in Funder.objects.all()}
        assert owed == {"indh": D("0.00"), "region-tta": D("1500.00"), "association-tanmia-rif": D("900.00")}
        book = Book.objects.get(organization=gie)
        assert account_balance(book=book, code=accounts.SUBSIDIES_RECEIVABLE, end=DEMO_TODAY) == D("2400.00")
        # what the members still owe the GIE is October's fee invoices (the training ones are all paid)
        owed_fees = Document.objects.filter(origin=Document.Origin.FEE_RUN, issued_on__lte=DEMO_TODAY)
        due = sum((d.balance_due for d in owed_fees), D("0.00"))
        assert due > 0
        assert account_balance(book=book, code=accounts.PARTNER_CURRENT_DEBIT, end=DEMO_TODAY) == due
        call_command("ledger_verify")

    def test_the_session_to_come_is_full_with_three_waiting(self) -> None:
        today = timezone.localdate()
        session = Session.objects.get(slug=UPCOMING)
        assert (session.state, session.starts_on, session.ends_on, session.enrolment_deadline) == (
            Session.State.OPEN,
            today,
            today + timedelta(days=2),
            today,
        )
        half_days = [(h.day, h.part) for h in session.half_days.order_by("day", "part")]
        assert (len(half_days), half_days[:2]) == (6, [(today, "am"), (today, "pm")])  # the trainer's phone: today
        seated = Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED)
        assert seated.count() == 10 == session.capacity
        line = [(e.waitlist_position, e.organization.slug) for e in waitlist(session)]
        assert line == [(1, NAHL), (2, ZITOUN), (3, TISSAGE)]
        coop1 = User.objects.get(username="coop1")
        assert waitlist(session).get(waitlist_position=2).created_by == coop1  # coop1 enrolled its own
        assert coop1.organization_id == Organization.objects.get(slug=ZITOUN).pk
        trainer = User.objects.get(username="formatrice")
        assert set(sessions_for(trainer).values_list("slug", flat=True)) == {ACCOUNTING, LITERACY, UPCOMING}

    def test_seeding_again_changes_nothing(self) -> None:
        models = (Session, Enrolment, Attendance, Certificate, TrainingInvoice, Subsidy, SubsidyPayment, Document,
                  Payment, Entry)  # fmt: skip
        before = {model.__name__: model.objects.count() for model in models}
        people = list(Cooperator.objects.order_by("pk").values_list("birth_year", "data_consent"))
        gie = Organization.objects.get(kind=Organization.Kind.GIE)
        coops = list(Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("pk"))
        training_seed(gie=gie, coops=coops, seed=DEFAULT_SEED)
        assert {model.__name__: model.objects.count() for model in models} == before
        assert list(Cooperator.objects.order_by("pk").values_list("birth_year", "data_consent")) == people
