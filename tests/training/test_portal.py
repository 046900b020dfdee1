"""The portal's training pages: a representative enrols its own active cooperators only, sees its own enrolments
only (never another cooperative's names), cancels its own (free before the deadline; after it, only once it has
ticked that the place is billed), and sees its trainings with attendance and certificates."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gie_erp.core.roles import Role
from members.models import Cooperator
from tests.factories.members import CooperatorFactory, OrganizationFactory, RepresentativeFactory, UserFactory
from training.models import Attendance, Certificate, Course, Enrolment, HalfDay, Session, Theme
from training.services import enrol

UTC = ZoneInfo("UTC")


@pytest.fixture
def portal(db: Any) -> dict[str, Any]:
    today = timezone.localdate()
    alpha = OrganizationFactory(slug="alpha", legal_name_fr="Coopérative Alpha", legal_name_ar="تعاونية ألفا")
    beta = OrganizationFactory(slug="beta", legal_name_fr="Coopérative Bêta", legal_name_ar="تعاونية بيتا")
    theme = Theme.objects.create(slug="hygiene", name_fr="Hygiène", name_ar="النظافة")
    course = Course.objects.create(
        theme=theme, slug="hygiene-lait", title_fr="Hygiène du lait", title_ar="نظافة الحليب", duration_hours=6,
        pictogram="building",
    )  # fmt: skip
    session = Session.objects.create(
        course=course, slug="lait-open", starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=10),
        place="Salle communale", capacity=2, enrolment_deadline=today + timedelta(days=5), state=Session.State.OPEN,
    )  # fmt: skip
    HalfDay.objects.create(session=session, day=session.starts_on, part="am")
    HalfDay.objects.create(session=session, day=session.starts_on, part="pm")
    a1 = CooperatorFactory(
        organization=alpha, first_name_fr="Amina", last_name_fr="Alaoui", full_name_ar="أمينة العلوي"
    )
    a2 = CooperatorFactory(
        organization=alpha, first_name_fr="Zineb", last_name_fr="Amrani", full_name_ar="زينب العمراني"
    )
    a3 = CooperatorFactory(organization=alpha, first_name_fr="Old", last_name_fr="Inactive", is_active=False)
    b1 = CooperatorFactory(organization=beta, first_name_fr="Badia", last_name_fr="Bennis-B", full_name_ar="بديعة بنيس")
    return {
        "today": today,
        "alpha": alpha,
        "beta": beta,
        "course": course,
        "session": session,
        "a1": a1,
        "a2": a2,
        "a3": a3,
        "b1": b1,
        "rep_a": RepresentativeFactory(username="rep-alpha", organization=alpha),
        "rep_b": RepresentativeFactory(username="rep-beta", organization=beta),
    }


def _url(session: Session) -> str:
    return f"/portal/training/{session.slug}/"


def test_a_representative_enrols_its_cooperators_and_sees_only_its_own(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    session = p["session"]
    enrol(session=session, cooperator=p["b1"], on=p["today"], acting_user=p["rep_b"])  # B takes one of 2 seats
    client.force_login(p["rep_a"])
    home = client.get("/portal/training/").content.decode()
    assert "Hygiène du lait" in home
    assert "Bennis-B" not in home
    page = client.get(_url(session)).content.decode()
    assert f'data-cooperator="{p["a1"].pk}"' in page
    assert f'data-cooperator="{p["a2"].pk}"' in page
    assert f'data-cooperator="{p["a3"].pk}"' not in page  # inactive
    assert f'data-cooperator="{p["b1"].pk}"' not in page
    assert "Bennis-B" not in page
    assert "بديعة" not in page
    response = client.post(_url(session), {"action": "enrol", "cooperator": [p["a1"].pk, p["a2"].pk]}, follow=True)
    assert response.status_code == 200
    a1 = Enrolment.objects.get(session=session, cooperator=p["a1"])
    a2 = Enrolment.objects.get(session=session, cooperator=p["a2"])
    assert (a1.state, a1.created_by) == (Enrolment.State.ENROLLED, p["rep_a"])
    assert (a2.state, a2.waitlist_position) == (Enrolment.State.WAITLISTED, 1)
    body = response.content.decode()
    assert "Zineb Amrani : en liste d&#x27;attente, rang 1." in body
    assert "En attente · rang 1" in body
    assert 'id="seats-left"><span class="seats none">0</span>' in body
    assert "Bennis-B" not in body
    assert "بديعة" not in body


def test_another_cooperatives_cooperator_is_refused_and_nothing_changes(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    session = p["session"]
    client.force_login(p["rep_a"])
    for posted in ([p["b1"].pk], [p["a1"].pk, p["b1"].pk], [p["a3"].pk], ["x"], [999999], []):
        response = client.post(_url(session), {"action": "enrol", "cooperator": posted})
        assert response.status_code == 400, posted
        assert "Bennis-B" not in response.content.decode()
    assert not Enrolment.objects.filter(session=session).exists()


def test_cancel_before_the_deadline_is_free_and_promotes(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    session = p["session"]
    client.force_login(p["rep_a"])
    client.post(_url(session), {"action": "enrol", "cooperator": [p["a1"].pk]})
    enrol(session=session, cooperator=p["b1"], on=p["today"], acting_user=p["rep_b"])
    client.post(_url(session), {"action": "enrol", "cooperator": [p["a2"].pk]})  # waits, position 1
    b1 = Enrolment.objects.get(cooperator=p["b1"])
    assert client.post(_url(session), {"action": "cancel", "enrolment": b1.pk}).status_code == 404  # not its own
    assert client.post(_url(session), {"action": "cancel", "enrolment": "nope"}).status_code == 404
    b1.refresh_from_db()
    assert b1.state == Enrolment.State.ENROLLED
    a1 = Enrolment.objects.get(cooperator=p["a1"])
    response = client.post(_url(session), {"action": "cancel", "enrolment": a1.pk}, follow=True)
    assert "Amina Alaoui : annulé(e), sans frais." in response.content.decode()
    a1.refresh_from_db()
    assert (a1.state, a1.cancelled_late) == (Enrolment.State.CANCELLED, False)
    assert Enrolment.objects.get(cooperator=p["a2"]).state == Enrolment.State.ENROLLED  # promoted


def test_cancel_after_the_deadline_warns_and_asks_first(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    session = p["session"]
    Session.objects.filter(pk=session.pk).update(enrolment_deadline=p["today"] - timedelta(days=1))
    enrolment = Enrolment.objects.create(
        session=session, cooperator=p["a1"], organization=p["alpha"], enrolled_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    client.force_login(p["rep_a"])
    page = client.get(_url(session)).content.decode()
    assert "La date limite est passée : la place sera facturée à votre coopérative." in page
    assert 'id="enrol-closed"' in page
    refused = client.post(_url(session), {"action": "cancel", "enrolment": enrolment.pk})
    assert refused.status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.ENROLLED
    response = client.post(
        _url(session), {"action": "cancel", "enrolment": enrolment.pk, "understood": "1"}, follow=True
    )
    assert "Amina Alaoui : annulé(e). La place sera facturée." in response.content.decode()
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.cancelled_late) == (Enrolment.State.CANCELLED, True)


def test_enrolment_after_the_deadline_shows_the_services_refusal(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    session = p["session"]
    client.force_login(p["rep_a"])
    client.get(_url(session))  # the form was shown while open…
    Session.objects.filter(pk=session.pk).update(enrolment_deadline=p["today"] - timedelta(days=1))
    response = client.post(_url(session), {"action": "enrol", "cooperator": [p["a1"].pk]}, follow=True)
    assert response.status_code == 200  # …the service refuses it in words, never a 500
    assert "Amina Alaoui : " in response.content.decode()
    assert not Enrolment.objects.exists()


def test_another_cooperatives_closed_session_is_a_404_like_a_missing_one(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    closed = Session.objects.create(
        course=p["course"], slug="lait-closed", starts_on=p["today"] - timedelta(days=30),
        ends_on=p["today"] - timedelta(days=30), capacity=5, enrolment_deadline=p["today"] - timedelta(days=31),
        state=Session.State.CLOSED,
    )  # fmt: skip
    Enrolment.objects.create(session=closed, cooperator=p["b1"], organization=p["beta"], enrolled_at=timezone.now())
    client.force_login(p["rep_a"])
    assert client.get(_url(closed)).status_code == 404
    assert client.get("/portal/training/no-such-session/").status_code == 404
    assert client.post(_url(closed), {"action": "enrol", "cooperator": [p["a1"].pk]}).status_code == 404
    client.force_login(p["rep_b"])
    assert client.get(_url(closed)).status_code == 200


def test_the_trainings_show_attendance_and_certificates_in_arabic(client: Any, portal: dict[str, Any]) -> None:
    p = portal
    past = Session.objects.create(
        course=p["course"], slug="lait-past", starts_on=p["today"] - timedelta(days=30),
        ends_on=p["today"] - timedelta(days=30), capacity=5, enrolment_deadline=p["today"] - timedelta(days=31),
        state=Session.State.CLOSED,
    )  # fmt: skip
    am = HalfDay.objects.create(session=past, day=past.starts_on, part="am")
    HalfDay.objects.create(session=past, day=past.starts_on, part="pm")
    mine = Enrolment.objects.create(
        session=past, cooperator=p["a1"], organization=p["alpha"], enrolled_at=timezone.now()
    )
    Attendance.objects.create(enrolment=mine, half_day=am, present=True, recorded_at=timezone.now())
    certificate = Certificate.objects.create(enrolment=mine, token="t" * 32, issued_on=p["today"])
    Enrolment.objects.create(session=past, cooperator=p["b1"], organization=p["beta"], enrolled_at=timezone.now())
    client.force_login(p["rep_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    home = client.get("/portal/training/").content.decode()
    assert 'lang="ar" dir="rtl"' in home
    assert "نظافة الحليب" in home
    assert "أمينة العلوي" in home
    assert '<bdi dir="ltr" class="attendance">1/2</bdi>' in home
    assert f'data-enrolment="{mine.pk}"' in home
    assert "بديعة" not in home
    assert "Bennis-B" not in home
    assert "<svg" in home  # the course's pictogram
    try:
        certificate_url = reverse("training:certificate_pdf", kwargs={"certificate_id": certificate.pk})
    except NoReverseMatch:  # the certificate PDF is another page's; without it the portal says it was issued
        certificate_url = ""
    if certificate_url:
        assert certificate_url in home


def test_the_portal_is_for_representatives(client: Any, portal: dict[str, Any]) -> None:
    for role in (Role.GIE_ACCOUNTANT, Role.TRAINER):
        client.force_login(UserFactory(username=f"u-{role}", role=role))
        assert client.get("/portal/training/").status_code == 403
        assert client.get(_url(portal["session"])).status_code == 403
    assert Cooperator.objects.count() == 4
