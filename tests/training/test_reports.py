"""Training reports, figures worked out by hand.

Two sessions of 6-hour courses, two half-days each (a half-day is worth 6 / 2 = 3 hours):

- S1 "Gestion", 10/03/2026, commune 1: W1 (Alpha, born 1990) present 2/2, W2 (Alpha, born 1995) 1/2,
  M1 (Bêta, born 1960) 0/2; M2 waits on the list and W3 cancelled (neither counts).
- S2 "Hygiène", 15/06/2026, commune 2: W1 present 1/2, W3 (Bêta, no birth year) 2/2, M2 (Alpha, born 2003) 2/2.

Six enrolments, five people (three women, two men). Ages in 2026: W1 36 (35-44), W2 31 (25-34), M1 66 (55 and
more), M2 23 (under 25), W3 unknown. Hours: W1 (2 + 1) × 3 = 9, W2 3, W3 6, M2 6, M1 0; 24 in all (8 half-days).
"""

import io
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from gie_erp.core.roles import Role
from members.models import Commune, Cooperator
from tests.factories.members import CooperatorFactory, OrganizationFactory, RepresentativeFactory, UserFactory
from tests.training.conftest import ENROLLED_ON, TODAY, D, people, training  # noqa: F401 (fixture)
from training import reports
from training.models import (
    Attendance,
    Course,
    Enrolment,
    Funder,
    Grant,
    HalfDay,
    Session,
    SessionFunder,
    Theme,
)
from training.services import attendance_record, certificates_issue, enrol, session_bill, subsidy_payment_record

UTC = ZoneInfo("UTC")


def test_age_bands_at_their_edges() -> None:
    assert reports.age_band(None, 2026) == "unknown"
    assert reports.age_band(2002, 2026) == "under_25"  # 24
    assert reports.age_band(2001, 2026) == "25_34"  # 25
    assert reports.age_band(1992, 2026) == "25_34"  # 34
    assert reports.age_band(1991, 2026) == "35_44"
    assert reports.age_band(1982, 2026) == "35_44"  # 44
    assert reports.age_band(1981, 2026) == "45_54"
    assert reports.age_band(1972, 2026) == "45_54"  # 54
    assert reports.age_band(1971, 2026) == "55_plus"  # 55


def test_hours_are_exact_then_rounded_once() -> None:
    assert reports.half_day_hours(Decimal("6.0"), 2) == Fraction(3)
    assert reports.half_day_hours(Decimal("10.0"), 3) * 2 == Fraction(20, 3)
    assert reports.round_hours(Fraction(20, 3)) == Decimal("6.67")
    # three sessions of 10 h over 3 half-days, one half-day each: 3 × 10/3 = 10.00 exactly, not 3 × 3.33 = 9.99
    assert reports.round_hours(reports.half_day_hours(Decimal("10.0"), 3) * 3) == Decimal("10.00")
    assert reports.half_day_hours(Decimal("6.0"), 0) == 0
    assert reports.attendance_rate(3, 6) == Decimal("50.0")
    assert reports.attendance_rate(2, 3) == Decimal("66.7")
    assert reports.attendance_rate(0, 0) is None


def _session(course: Course, slug: str, day: date, commune: Commune) -> Session:
    session = Session.objects.create(
        course=course, slug=slug, starts_on=day, ends_on=day, commune=commune, capacity=3,
        enrolment_deadline=day, fee_per_trainee=D("100.00"), state=Session.State.CLOSED,
    )  # fmt: skip
    HalfDay.objects.create(session=session, day=day, part="am")
    HalfDay.objects.create(session=session, day=day, part="pm")
    return session


def _seat(session: Session, person: Cooperator, present: int, state: str = "enrolled", position: Any = None) -> None:
    enrolment = Enrolment.objects.create(
        session=session, cooperator=person, organization=person.organization, state=state,
        waitlist_position=position, enrolled_at=datetime(2026, 1, 5, tzinfo=UTC),
    )  # fmt: skip
    for half_day in session.half_days.order_by("part")[:present]:
        Attendance.objects.create(
            enrolment=enrolment, half_day=half_day, present=True, recorded_at=enrolment.enrolled_at
        )


@pytest.fixture
def small(db: Any) -> dict[str, Any]:
    alpha = OrganizationFactory(slug="alpha", legal_name_fr="Alpha", legal_name_ar="ألفا")
    beta = OrganizationFactory(slug="beta", legal_name_fr="Bêta", legal_name_ar="بيتا")
    commune_1, commune_2 = Commune.objects.order_by("pk")[:2]
    gestion = Theme.objects.create(slug="gestion", name_fr="Gestion", name_ar="التسيير")
    hygiene = Theme.objects.create(slug="hygiene", name_fr="Hygiène", name_ar="النظافة")
    course_1 = Course.objects.create(theme=gestion, slug="c1", title_fr="Gestion", duration_hours=D("6.0"))
    course_2 = Course.objects.create(theme=hygiene, slug="c2", title_fr="Hygiène", duration_hours=D("6.0"))
    s1 = _session(course_1, "s1", date(2026, 3, 10), commune_1)
    s2 = _session(course_2, "s2", date(2026, 6, 15), commune_2)
    female, male = Cooperator.Gender.FEMALE, Cooperator.Gender.MALE
    w1 = CooperatorFactory(organization=alpha, first_name_fr="W1", last_name_fr="A", gender=female, birth_year=1990)
    w2 = CooperatorFactory(organization=alpha, first_name_fr="W2", last_name_fr="A", gender=female, birth_year=1995)
    w3 = CooperatorFactory(organization=beta, first_name_fr="W3", last_name_fr="B", gender=female, birth_year=None)
    m1 = CooperatorFactory(organization=beta, first_name_fr="M1", last_name_fr="B", gender=male, birth_year=1960)
    m2 = CooperatorFactory(organization=alpha, first_name_fr="M2", last_name_fr="A", gender=male, birth_year=2003)
    _seat(s1, w1, 2)
    _seat(s1, w2, 1)
    _seat(s1, m1, 0)
    _seat(s1, m2, 0, state="waitlisted", position=1)
    _seat(s1, w3, 0, state="cancelled")
    _seat(s2, w1, 1)
    _seat(s2, w3, 2)
    _seat(s2, m2, 2)
    staff = UserFactory(username="comptable-r", role=Role.GIE_ACCOUNTANT)
    return {
        "alpha": alpha,
        "beta": beta,
        "staff": staff,
        "s1": s1,
        "s2": s2,
        "hygiene": hygiene,
        "commune_2": commune_2,
    }


def _table(records: list[reports.Participation], by: str) -> dict[str, tuple[int, int, int, int]]:
    return {row.key: (row.people, row.women, row.men, row.enrolments) for row in reports.group_rows(records, by)}


def test_participation_by_gender_age_cooperative_theme_and_month(small: dict[str, Any]) -> None:
    records = reports.participations(small["staff"], reports.ReportFilter())
    assert len(records) == 6
    total = reports.total_row(records)
    assert (total.people, total.women, total.men, total.enrolments) == (5, 3, 2, 6)
    assert (total.present, total.possible, total.rounded_hours) == (8, 12, Decimal("24.00"))
    assert _table(records, "gender") == {"f": (3, 3, 0, 4), "m": (2, 0, 2, 2)}
    assert list(_table(records, "gender")) == ["f", "m"]
    assert _table(records, "age") == {
        "under_25": (1, 0, 1, 1),
        "25_34": (1, 1, 0, 1),
        "35_44": (1, 1, 0, 2),
        "55_plus": (1, 0, 1, 1),
        "unknown": (1, 1, 0, 1),
    }
    assert list(_table(records, "age")) == ["under_25", "25_34", "35_44", "55_plus", "unknown"]
    alpha, beta = str(small["alpha"].pk), str(small["beta"].pk)
    assert _table(records, "cooperative") == {alpha: (3, 2, 1, 4), beta: (2, 1, 1, 2)}
    assert _table(records, "theme") == {"Gestion": (3, 2, 1, 3), "Hygiène": (3, 2, 1, 3)}
    assert _table(records, "month") == {"2026-03": (3, 2, 1, 3), "2026-06": (3, 2, 1, 3)}


def test_hours_per_person(small: dict[str, Any]) -> None:
    rows = reports.hours_rows(reports.participations(small["staff"], reports.ReportFilter()))
    assert [(p.name, p.sessions, p.present, p.possible, p.rounded_hours) for p in rows] == [
        ("W1 A", 2, 3, 4, Decimal("9.00")),
        ("M2 A", 1, 2, 2, Decimal("6.00")),
        ("W3 B", 1, 2, 2, Decimal("6.00")),
        ("W2 A", 1, 1, 2, Decimal("3.00")),
        ("M1 B", 1, 0, 2, Decimal("0.00")),
    ]


def test_filters(small: dict[str, Any]) -> None:
    staff = small["staff"]

    def people_of(**filters: Any) -> tuple[int, int]:
        total = reports.total_row(reports.participations(staff, reports.ReportFilter(**filters)))
        return total.people, total.enrolments

    assert people_of(theme_id=small["hygiene"].pk) == (3, 3)
    assert people_of(organization_id=small["beta"].pk) == (2, 2)
    assert people_of(start=date(2026, 4, 1)) == (3, 3)
    assert people_of(end=date(2026, 3, 10)) == (3, 3)
    assert people_of(commune_id=small["commune_2"].pk) == (3, 3)
    assert people_of(start=date(2027, 1, 1)) == (0, 0)


def test_report_pages_and_exports(client: Any, small: dict[str, Any]) -> None:
    client.force_login(small["staff"])
    page = client.get("/training/reports/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="total-people">5<' in body
    assert 'id="total-hours">24,00<' in body
    filtered = client.get("/training/reports/?theme=hygiene").content.decode()
    assert 'id="total-people">3<' in filtered
    export = client.get("/training/reports/?table=age&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ("Tranche d'âge", "Personnes", "dont femmes", "dont hommes", "Inscriptions")
    assert rows[1][:5] == ("moins de 25 ans", 1, 0, 1, 1)
    assert rows[-1][:5] == ("non renseigné", 1, 1, 0, 1)
    csv = client.get("/training/reports/?export=csv").content.decode("utf-8-sig").splitlines()
    assert csv[1].startswith("Femmes,3,3,0,4")
    hours = client.get("/training/reports/hours/").content.decode()
    assert 'id="hours-total">24,00<' in hours
    hours_csv = client.get("/training/reports/hours/?export=csv").content.decode("utf-8-sig").splitlines()
    assert hours_csv[1].endswith(",2,3,4,9.00")
    assert client.get("/training/reports/?export=pdf").status_code == 200  # an odd value shows the page


def test_reports_are_closed_to_representatives_and_trainers(client: Any, small: dict[str, Any]) -> None:
    for user in (
        RepresentativeFactory(organization=small["alpha"]),
        UserFactory(username="formatrice-r", role=Role.TRAINER),
    ):
        client.force_login(user)
        assert client.get("/training/reports/").status_code == 403
        assert client.get("/training/reports/hours/?export=csv").status_code == 403


def test_auditor_reads_the_reports(client: Any, small: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="auditeur-r", role=Role.AUDITOR))
    assert client.get("/training/reports/").status_code == 200


# A funder's report per grant -----------------------------------------------------------------------------------------


def test_grant_report_to_the_centime(client: Any, training: dict[str, Any]) -> None:  # noqa: F811
    """The shared session (350.00 HT, INDH 40 pour cent of attendees, five half-days) under INDH's grant. Olive
    enrols W1990, W1995 and M1960, Miel W with no birth year; M1960 misses every half-day, the others attend all.

    INDH: 3 attendees × 140.00 = 420.00. Members: olive 2 × 210.00 + 350.00 (the absentee pays the whole fee) =
    770.00, miel 210.00: 980.00; fees 980.00 + 420.00 = 1,400.00 = 4 × 350.00. Attendance 15 / 20 = 75.0 pour cent;
    three certificates (5/5 each; 0/5 gets none). INDH pays 300.00 under the grant: it still owes 120.00."""
    t = training
    session, staff, indh = t["session"], t["staff"], t["indh"]
    grant = Grant.objects.create(
        funder=indh, reference="INDH-2026-7", title_fr="Formation des coopératives", title_ar="تكوين التعاونيات",
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    SessionFunder.objects.filter(session=session, funder=indh).update(grant=grant)
    female, male = Cooperator.Gender.FEMALE, Cooperator.Gender.MALE
    (w1, w2, m1), (w3,) = people(t["exempt"], 3, "A"), people(t["registered"], 1, "B")
    for person, gender, year in ((w1, female, 1990), (w2, female, 1995), (m1, male, 1960), (w3, female, None)):
        Cooperator.objects.filter(pk=person.pk).update(gender=gender, birth_year=year)
    enrolments = [enrol(session=session, cooperator=p, on=ENROLLED_ON, acting_user=staff) for p in (w1, w2, m1, w3)]
    present = [e.pk for e in enrolments if e.cooperator_id != m1.pk]
    for half_day in t["half_days"]:
        attendance_record(session=session, half_day=half_day, present_ids=present, acting_user=t["trainer_user"])
    certificates_issue(session=session, on=date(2026, 11, 12), acting_user=staff)
    session_bill(session=session, on=date(2026, 11, 12), acting_user=staff, today=TODAY)
    subsidy_payment_record(
        funder=indh, grant=grant, amount=D("300.00"), received_on=date(2026, 11, 20), method="bank",
        idempotency_key="indh-1", reference="VIR 77", acting_user=staff, today=TODAY,
    )  # fmt: skip
    # another funder's grant, and the same funder's payment without a grant, stay out
    subsidy_payment_record(
        funder=indh, amount=D("50.00"), received_on=date(2026, 11, 21), method="bank", idempotency_key="indh-2",
        acting_user=staff, today=TODAY,
    )  # fmt: skip
    other = Funder.objects.create(slug="region", name_fr="Région")
    Grant.objects.create(
        funder=other, reference="R-1", title_fr="R", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )

    report = reports.grant_report(staff, grant)
    assert [row.session.slug for row in report.sessions] == ["gestion-2026-11"]
    (row,) = report.sessions
    assert (row.participants, row.women, row.men, row.present, row.possible, row.certificates) == (4, 3, 1, 15, 20, 3)
    assert (row.members_billed, row.subsidy, row.rate) == (D("980.00"), D("420.00"), D("75.0"))
    assert (report.fees, report.members_billed, report.subsidies) == (D("1400.00"), D("980.00"), D("420.00"))
    assert (report.paid, report.owed, report.certificates, report.rate) == (D("300.00"), D("120.00"), 3, D("75.0"))
    assert [(g.key, g.people) for g in report.by_gender] == [("f", 3), ("m", 1)]
    assert [(a.key, a.people) for a in report.by_age] == [("25_34", 1), ("35_44", 1), ("55_plus", 1), ("unknown", 1)]

    client.force_login(staff)
    page = client.get(f"/training/reports/grants/{grant.pk}/").content.decode()
    assert 'id="money-owed"><span class="amount" dir="ltr">120,00</span>' in page
    assert 'id="grant-rate"><bdi dir="ltr">75,0&nbsp;%</bdi>' in page
    xlsx = client.get(f"/training/reports/grants/{grant.pk}/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == "gestion-2026-11"
    assert rows[-1][5:] == (4, 3, 1, 15, 20, 75, 3, 980, 420)
    pdf = client.get(f"/training/reports/grants/{grant.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "INDH-2026-7" in text
    assert "420,00" in text
    assert "120,00" in text
    client.force_login(RepresentativeFactory(organization=t["exempt"]))
    assert client.get(f"/training/reports/grants/{grant.pk}/pdf/").status_code == 403
    client.force_login(staff)
    assert client.get("/training/reports/grants/999999/").status_code == 404


def test_a_half_day_not_held_yet_is_no_absence(small: dict[str, Any]) -> None:
    """QA: a session under way counted its half-days still to come as absences (48.5 per cent sent to a funder).
    s3 has two half-days; only the morning was taken: W1 present, W2 absent. Possible = 1 each: 1 of 2 = 50.0."""
    s3 = _session(Course.objects.get(slug="c1"), "s3", date(2026, 11, 30), small["commune_2"])
    morning = s3.half_days.get(part="am")
    for person, present in (("W1", True), ("W2", False)):
        enrolment = Enrolment.objects.create(
            session=s3, cooperator=Cooperator.objects.get(first_name_fr=person),
            organization=Cooperator.objects.get(first_name_fr=person).organization,
            enrolled_at=datetime(2026, 11, 1, tzinfo=UTC),
        )  # fmt: skip
        Attendance.objects.create(enrolment=enrolment, half_day=morning, present=present,
                                  recorded_at=datetime(2026, 11, 30, tzinfo=UTC))  # fmt: skip
    records = [r for r in reports.participations(small["staff"], reports.ReportFilter()) if r.session_id == s3.pk]
    assert [(r.name, r.present, r.recorded, r.half_days) for r in records] == [("W1 A", 1, 1, 2), ("W2 A", 0, 1, 2)]
    (row,) = reports.group_rows(records, "theme")
    assert (row.present, row.possible, reports.attendance_rate(row.present, row.possible)) == (1, 2, Decimal("50.0"))
    assert [r.hours for r in records] == [Fraction(3), Fraction(0)]  # 6 h over two half-days: 3 h each
