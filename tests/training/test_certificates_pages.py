"""The certificates pages: a session's list (who completes at 80 pour cent of five half-days: 5/5 and 4/5 yes, 3/5
no), issuing through the service, the batch PDF (one page per certificate) and a single certificate's PDF (the name,
the grouped code and the verification URL), and who may read which."""

import io
import re
import unicodedata
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from gie_erp.core.roles import Role
from tests.factories.members import CooperatorFactory, RepresentativeFactory, UserFactory
from tests.training.conftest import ENROLLED_ON, training  # noqa: F401 (fixture)
from training.models import Certificate, Session, Trainer
from training.pdf_certificate import grouped
from training.services import attendance_record, certificates_issue, enrol

pytestmark = pytest.mark.django_db

SITE = "https://gie.example.ma"


def squeeze(text: str) -> str:
    """Without any whitespace, NFKC-folded: a long line may break anywhere in the PDF's text."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def course_run(training: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Three trainees of Zitouna present at 5, 4 and 3 of the five half-days, one of Nahla at all five."""
    t = training
    zitouna, nahla = t["exempt"], t["registered"]
    amina = CooperatorFactory(organization=zitouna, first_name_fr="Amina", last_name_fr="Alaoui",
                              full_name_ar="أمينة العلوي", gender="f", cin="LB123456", phone="0611223344")  # fmt: skip
    badr = CooperatorFactory(organization=zitouna, first_name_fr="Badr", last_name_fr="Bennani", gender="m",
                             full_name_ar="بدر بناني")  # fmt: skip
    chama = CooperatorFactory(organization=zitouna, first_name_fr="Chama", last_name_fr="Chraibi", gender="f",
                              full_name_ar="")  # fmt: skip
    driss = CooperatorFactory(organization=nahla, first_name_fr="Driss", last_name_fr="Dahbi", gender="m",
                              full_name_ar="إدريس الدهبي")  # fmt: skip
    people = {"amina": amina, "badr": badr, "chama": chama, "driss": driss}
    enrolments = {
        key: enrol(session=t["session"], cooperator=person, on=ENROLLED_ON, acting_user=t["staff"])
        for key, person in people.items()
    }
    present_at = {"amina": 5, "badr": 4, "chama": 3, "driss": 5}
    for index, half_day in enumerate(t["half_days"]):
        present = [enrolments[key].pk for key, count in present_at.items() if index < count]
        attendance_record(session=t["session"], half_day=half_day, present_ids=present, acting_user=t["trainer_user"])
    return {**t, "people": people, "enrolments": enrolments}


def logged(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(t: dict[str, Any]) -> str:
    return reverse("training:certificates", kwargs={"session_slug": t["session"].slug})


def issued(t: dict[str, Any]) -> dict[str, Certificate]:
    return {
        c.enrolment.cooperator.first_name_fr: c for c in Certificate.objects.select_related("enrolment__cooperator")
    }


def test_the_page_shows_who_completes_and_issuing_gives_certificates_to_them_only(course_run: dict[str, Any]) -> None:
    t = course_run
    trainer = logged(t["trainer_user"])
    body = trainer.get(page_url(t)).content.decode()
    assert 'id="issue"' in body
    for row in ("5 / 5", "4 / 5", "3 / 5"):
        assert row in body
    assert body.count("✓") == 3  # Amina, Badr, Driss
    assert body.count("✗") == 1  # Chama
    assert "Délivrer 3 attestations" in body
    response = trainer.post(reverse("training:certificates_issue", kwargs={"session_slug": t["session"].slug}))
    assert response.status_code == 302
    assert response["Location"] == page_url(t)
    assert sorted(issued(t)) == ["Amina", "Badr", "Driss"]
    page = trainer.get(page_url(t))
    assert "3 attestations délivrées." in page.content.decode()
    assert 'id="batch-pdf"' in page.content.decode()
    again = trainer.post(
        reverse("training:certificates_issue", kwargs={"session_slug": t["session"].slug}), follow=True
    )
    assert "Aucune nouvelle attestation" in again.content.decode()
    assert Certificate.objects.count() == 3


def test_the_batch_pdf_has_one_page_per_certificate(course_run: dict[str, Any], settings: Any) -> None:
    settings.SITE_URL = SITE
    t = course_run
    certificates_issue(session=t["session"], on=date(2026, 11, 11), acting_user=t["staff"])
    response = logged(t["staff"]).get(reverse("training:certificates_pdf", kwargs={"session_slug": t["session"].slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 3
    # by name: Alaoui, Bennani, Dahbi; each page its own person and code
    certificates = issued(t)
    for text, first in zip(pages, ["Amina", "Badr", "Driss"], strict=True):
        assert first in text
        assert squeeze(grouped(certificates[first].token)) in squeeze(text)


def test_the_single_pdf_names_the_person_the_course_and_the_verification_url(
    course_run: dict[str, Any], settings: Any
) -> None:
    settings.SITE_URL = SITE
    t = course_run
    certificates_issue(session=t["session"], on=date(2026, 11, 11), acting_user=t["staff"])
    certificate = issued(t)["Amina"]
    response = logged(t["staff"]).get(reverse("training:certificate_pdf", kwargs={"certificate_id": certificate.pk}))
    assert response.status_code == 200
    (text,) = pdf_pages(response.content)
    flat = squeeze(text)
    for expected in ["Amina Alaoui", "Coopérative Zitouna", "Gestion d'une coopérative", "09/11/2026", "11/11/2026",
                     "Attestation de formation", "GIE Test", "11/11/2026", "15"]:  # fmt: skip
        assert squeeze(expected) in flat, expected
    assert squeeze(f"{SITE}/verify/certificate/{certificate.token}/") in flat
    assert squeeze(grouped(certificate.token)) in flat
    for hidden in ["LB123456", "0611223344", "350"]:  # no CIN, phone or money on a certificate
        assert hidden not in flat


def test_a_representative_gets_its_own_certificates_and_404_for_another_cooperatives(
    course_run: dict[str, Any],
) -> None:
    t = course_run
    certificates_issue(session=t["session"], on=date(2026, 11, 11), acting_user=t["staff"])
    amina = issued(t)["Amina"]
    rep_zitouna = logged(RepresentativeFactory(organization=t["exempt"]))
    rep_nahla = logged(RepresentativeFactory(organization=t["registered"]))
    url = reverse("training:certificate_pdf", kwargs={"certificate_id": amina.pk})
    missing = reverse("training:certificate_pdf", kwargs={"certificate_id": 999999})
    assert rep_zitouna.get(url).status_code == 200
    other, absent = rep_nahla.get(url), rep_nahla.get(missing)
    assert (other.status_code, absent.status_code) == (404, 404)
    # the session's pages are staff's and the trainer's: a representative reads its trainings in the portal
    assert rep_zitouna.get(page_url(t)).status_code == 403


def test_another_trainer_and_the_auditor(course_run: dict[str, Any]) -> None:
    t = course_run
    certificates_issue(session=t["session"], on=date(2026, 11, 11), acting_user=t["staff"])
    stranger_user = UserFactory(username="formateur-2", role=Role.TRAINER)
    Trainer.objects.create(user=stranger_user, name="Karim")
    stranger = logged(stranger_user)
    amina = issued(t)["Amina"]
    assert stranger.get(page_url(t)).status_code == 404
    assert stranger.get(reverse("training:certificate_pdf", kwargs={"certificate_id": amina.pk})).status_code == 404
    issue = reverse("training:certificates_issue", kwargs={"session_slug": t["session"].slug})
    assert stranger.post(issue).status_code == 404
    auditor = logged(UserFactory(username="auditrice", role=Role.AUDITOR))
    assert auditor.get(page_url(t)).status_code == 200
    assert 'id="issue"' not in auditor.get(page_url(t)).content.decode()
    assert auditor.post(issue).status_code == 403


def test_a_refusal_is_a_message_not_an_error(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    empty = Session.objects.create(
        course=t["course"], slug="sans-demi-journees", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1),
        capacity=5, enrolment_deadline=date(2026, 11, 25),
    )  # fmt: skip
    response = logged(t["staff"]).post(
        reverse("training:certificates_issue", kwargs={"session_slug": empty.slug}), follow=True
    )
    assert response.status_code == 200
    assert "pas encore de demi-journées" in response.content.decode()
    batch = logged(t["staff"]).get(reverse("training:certificates_pdf", kwargs={"session_slug": empty.slug}))
    assert batch.status_code == 302  # nothing to print: back to the page, with a message


def test_the_list_exports(course_run: dict[str, Any]) -> None:
    t = course_run
    certificates_issue(session=t["session"], on=date(2026, 11, 11), acting_user=t["staff"])
    response = logged(t["staff"]).get(page_url(t) + "?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1:] == [
        "Alaoui,Amina,أمينة العلوي,Coopérative Zitouna,5,5,Oui,2026-11-11",
        "Bennani,Badr,بدر بناني,Coopérative Zitouna,4,5,Oui,2026-11-11",
        "Chraibi,Chama,,Coopérative Zitouna,3,5,Non,",
        "Dahbi,Driss,إدريس الدهبي,Coopérative Nahla,5,5,Oui,2026-11-11",
    ]
    assert logged(t["staff"]).get(page_url(t) + "?export=xlsx").status_code == 200
