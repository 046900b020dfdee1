"""The public page a certificate's QR code opens: name, course, dates and the GIE that delivered it, nothing else; the
same 404 page byte for byte for every miss; the rate limit per client address; an erased person's certificate."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Cooperator
from tests.factories.members import CooperatorFactory
from tests.training.conftest import ENROLLED_ON, training  # noqa: F401 (fixture)
from tests.verify_kit import empty_cache, one_miss_page, other_character, spend_the_minute  # noqa: F401 (fixture)
from training.models import Certificate
from training.pdf_certificate import grouped
from training.services import attendance_record, certificates_issue, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(training: dict[str, Any]) -> Certificate:  # noqa: F811
    t = training
    amina = CooperatorFactory(organization=t["exempt"], first_name_fr="Amina", last_name_fr="Alaoui",
                              full_name_ar="أمينة العلوي", gender="f", cin="LB123456", phone="0611223344")  # fmt: skip
    enrolment = enrol(session=t["session"], cooperator=amina, on=ENROLLED_ON, acting_user=t["staff"])
    for half_day in t["half_days"]:
        attendance_record(session=t["session"], half_day=half_day, present_ids=[enrolment.pk], acting_user=t["staff"])
    (issued,) = certificates_issue(session=t["session"], on=date(2026, 11, 12), acting_user=t["staff"])
    return issued


def url(token: str) -> str:
    return reverse("training_public:verify_certificate", kwargs={"token": token})


def test_the_exact_token_shows_name_course_dates_and_issuer_only(certificate: Certificate) -> None:
    response = Client().get(url(certificate.token))  # anonymous: no login redirect
    assert response.status_code == 200
    body = response.content.decode().replace("&#x27;", "'")
    shown = ["Attestation de formation valide", "Amina Alaoui", "أمينة العلوي", "Gestion d'une coopérative",
             "تسيير التعاونية", "09/11/2026", "11/11/2026", "12/11/2026", "GIE Test", "مجموعة اختبار"]  # fmt: skip
    for expected in shown:
        assert expected in body, expected
    for hidden in ["Zitouna", "الزيتونة", "LB123456", "0611223344", "350", "Samira", "Salle communale", "5 / 5"]:
        assert hidden not in body, hidden
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_printed_code_in_groups_of_four_is_found_too(certificate: Certificate) -> None:
    assert len(certificate.token) == 32  # 24 random bytes: 192 bits
    spaced = grouped(certificate.token)
    assert spaced.count(" ") == 7
    assert Client().get(url(spaced)).status_code == 200


def test_every_miss_is_the_same_404_page(certificate: Certificate) -> None:
    token = certificate.token
    misses = [
        url(other_character(token[0]) + token[1:]),  # one character changed, first or last
        url(token[:-1] + other_character(token[-1])),
        url(token[:-1]),  # truncated
        url(token[:16]),
        url(token.swapcase()),  # same letters, another case
        url(token + "x"),  # one character too many
        "/verify/certificate//",  # empty
        "/verify/certificate/%20/",  # only a space
        url("not-a-token"),
        "/verify/certificate/%27%20OR%201=1--/",
        url("None"),
    ]
    body = one_miss_page(Client(), misses).decode()
    assert "Attestation introuvable" in body
    for hidden in [token, "Amina", "Alaoui", "Gestion", "GIE Test"]:
        assert hidden not in body


def test_the_31st_lookup_in_a_minute_is_refused(certificate: Certificate) -> None:
    client = Client()
    spend_the_minute(client, url, certificate.token)
    refused = client.get(url(certificate.token))  # the right token too: the limit counts lookups, not misses
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Trop de vérifications" in refused.content.decode()
    assert "Amina" not in refused.content.decode()
    assert Client(REMOTE_ADDR="10.1.2.3").get(url(certificate.token)).status_code == 200  # another address


def test_the_limit_is_a_setting(certificate: Certificate, settings: Any) -> None:
    settings.GIE_VERIFY_RATE_PER_MINUTE = 2
    client = Client()
    assert [client.get(url(certificate.token)).status_code for _ in range(3)] == [200, 200, 429]


def test_the_page_answers_in_arabic(certificate: Certificate) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="ar").get(url(certificate.token))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in body
    assert '<span dir="ltr">09/11/2026</span>' in body
    # QA: in Arabic the Arabic names come first (the course: "تسيير التعاونية" before "Gestion d'une coopérative")
    course = body.split("<dt>", 4)[3]
    assert course.index("تسيير التعاونية") < course.index("Gestion d")


def test_an_erased_persons_certificate_still_verifies_without_the_name(certificate: Certificate) -> None:
    Cooperator.objects.filter(pk=certificate.enrolment.cooperator_id).update(erased_on=date(2026, 11, 20))
    response = Client().get(url(certificate.token))
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "Personne dont les données ont été effacées à sa demande" in body
    assert "Amina" not in body
    assert "أمينة" not in body
    assert "Gestion d'une coopérative" in body
