"""The catalogue's pages: themes and courses (search, CSV), a course's VAT (20 pour cent by default, or an
exemption), trainers (a trainer user or a named outsider), funders and their grants; odd inputs refused in the
user's words with nothing saved; the auditor reads, a representative is shut out."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.roles import Role
from tests.factories.members import UserFactory
from training.models import Course, Funder, Grant, Theme, Trainer

D = Decimal


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    theme = Theme.objects.create(slug="gestion", name_fr="Gestion", name_ar="التسيير")
    course = Course.objects.create(
        theme=theme, slug="gestion-cooperative", title_fr="Gestion d'une coopérative", title_ar="تسيير التعاونية",
        duration_hours=D("15.0"), pictogram="building",
    )  # fmt: skip
    Course.objects.create(theme=theme, slug="caisse", title_fr="Tenir la caisse", duration_hours=D("6"),
                          vat_code="exonere-91", is_active=False)  # fmt: skip
    funder = Funder.objects.create(slug="indh", name_fr="INDH")
    staff = UserFactory(username="comptable-cat", role=Role.GIE_ACCOUNTANT)
    return {"theme": theme, "course": course, "funder": funder, "staff": staff}


def _client(user: Any, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_catalogue_lists_searches_and_exports(catalogue: dict[str, Any]) -> None:
    staff = _client(catalogue["staff"])
    body = staff.get("/training/catalogue/").content.decode()
    assert 'data-slug="gestion-cooperative"' in body
    assert 'data-slug="caisse"' in body
    assert "<svg" in body  # the course's pictogram, drawn inline
    assert 'data-slug="caisse"' not in staff.get("/training/catalogue/?active=1").content.decode()
    assert 'data-slug="gestion-cooperative"' not in staff.get("/training/catalogue/?q=caisse").content.decode()
    rows = list(csv.reader(io.StringIO(staff.get("/training/catalogue/?export=csv").content.decode("utf-8-sig"))))
    assert rows[1:] == [
        ["Gestion", "gestion-cooperative", "Gestion d'une coopérative", "تسيير التعاونية", "15.0",
         "TVA 20 % (taux normal)", "0", "oui"],
        ["Gestion", "caisse", "Tenir la caisse", "", "6.0", rows[2][5], "0", "non"],
    ]  # fmt: skip
    assert rows[2][5] != "exonere-91"  # the exemption's label, not its code


def _course_post(theme: Theme, **changes: str) -> dict[str, str]:
    data = {"theme": str(theme.pk), "slug": "hygiene-cuisine", "title_fr": "Hygiène en cuisine", "title_ar": "",
            "description_fr": "", "description_ar": "", "objectives_fr": "Les bons gestes", "objectives_ar": "",
            "duration_hours": "7,5", "pictogram": "cap", "vat_code": "normal-20", "is_active": "on"}  # fmt: skip
    return {**data, **changes}


def test_a_course_is_created_with_the_standard_vat_then_exempted(catalogue: dict[str, Any]) -> None:
    staff = _client(catalogue["staff"])
    form = staff.get("/training/catalogue/courses/new/").content.decode()
    assert '<option value="normal-20" selected>' in form
    assert 'value="exonere-91"' in form
    assert 'value="normal-10"' not in form  # a taxable rate other than 20 is not a fee's choice
    response = staff.post("/training/catalogue/courses/new/", _course_post(catalogue["theme"]))
    assert response.status_code == 302
    course = Course.objects.get(slug="hygiene-cuisine")
    assert (course.duration_hours, course.vat_code, course.pictogram) == (D("7.5"), "normal-20", "cap")
    edit = _course_post(catalogue["theme"], slug="renamed", vat_code="exonere-91", is_active="")
    del edit["is_active"]
    edited = staff.post("/training/catalogue/courses/hygiene-cuisine/edit/", edit)
    assert edited.status_code == 302, edited.content.decode()[edited.content.decode().find("errorlist") - 300 :][:900]
    course.refresh_from_db()
    assert (course.slug, course.vat_code, course.is_active) == ("hygiene-cuisine", "exonere-91", False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"slug": "gestion-cooperative"}, "Ce nom court est déjà pris"),
        ({"duration_hours": "0"}, "une demi-heure au moins"),
        ({"duration_hours": "1,25"}, "une décimale au plus"),
        ({"vat_code": "normal-10"}, "normal-10"),
        ({"pictogram": "dragon"}, "dragon"),
        ({"title_fr": ""}, "obligatoire"),
    ],
)
def test_odd_course_inputs_are_refused(catalogue: dict[str, Any], changes: dict[str, str], message: str) -> None:
    before = Course.objects.count()
    response = _client(catalogue["staff"]).post(
        "/training/catalogue/courses/new/", _course_post(catalogue["theme"], **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Course.objects.count() == before


def test_themes_trainers_funders_and_grants(catalogue: dict[str, Any]) -> None:
    staff = _client(catalogue["staff"])
    assert staff.post("/training/catalogue/themes/new/", {"slug": "hygiene", "name_fr": "Hygiène",
                                                           "name_ar": "النظافة"}).status_code == 302  # fmt: skip
    taken = staff.post("/training/catalogue/themes/new/", {"slug": "hygiene", "name_fr": "Autre", "name_ar": ""})
    assert "Ce nom court est déjà pris : hygiene." in taken.content.decode()
    assert Theme.objects.count() == 2

    nameless = staff.post("/training/trainers/new/", {"user": "", "name": "", "phone": "", "is_active": "on"})
    assert "Choisissez un utilisateur formateur ou écrivez le nom de la personne." in nameless.content.decode()
    user = UserFactory(username="samira", role=Role.TRAINER)
    form = staff.get("/training/trainers/new/").content.decode()
    assert f'<option value="{user.pk}">' in form
    assert staff.post("/training/trainers/new/", {"user": str(user.pk), "name": "", "phone": "0600",
                                                  "is_active": "on"}).status_code == 302  # fmt: skip
    trainer = Trainer.objects.get(user=user)
    assert f'<option value="{user.pk}">' not in staff.get("/training/trainers/new/").content.decode()  # one card
    assert staff.post(f"/training/trainers/{trainer.pk}/edit/", {"user": str(user.pk), "name": "Samira",
                                                                 "phone": "0600"}).status_code == 302  # fmt: skip
    trainer.refresh_from_db()
    assert (trainer.name, trainer.is_active) == ("Samira", False)
    listed = staff.get("/training/trainers/?active=0").content.decode()
    assert "Samira" in listed

    assert staff.post("/training/catalogue/funders/new/", {"slug": "region", "name_fr": "Région",
                                                           "name_ar": ""}).status_code == 302  # fmt: skip
    grant = {"reference": "R-1", "title_fr": "Convention 2026", "title_ar": "", "starts_on": "2026-01-01",
             "ends_on": "2026-12-31"}  # fmt: skip
    assert staff.post("/training/catalogue/funders/region/grants/new/", grant).status_code == 302
    again = staff.post("/training/catalogue/funders/region/grants/new/", grant).content.decode()
    assert "Région a déjà une convention de référence R-1." in again
    backwards = staff.post("/training/catalogue/funders/region/grants/new/", {**grant, "reference": "R-2",
                                                                              "ends_on": "2025-12-31"})  # fmt: skip
    assert "vérifiez les dates" in backwards.content.decode()
    saved = Grant.objects.get()
    assert (saved.funder.slug, saved.starts_on, saved.ends_on) == ("region", date(2026, 1, 1), date(2026, 12, 31))
    page = staff.get("/training/catalogue/funders/region/edit/").content.decode()
    assert f"/training/catalogue/grants/{saved.pk}/edit/" in page
    assert staff.get("/training/catalogue/funders/nobody/grants/new/").status_code == 404


def test_who_reaches_the_catalogue(catalogue: dict[str, Any], rep_a: Any) -> None:
    auditor = _client(UserFactory(username="auditrice", role=Role.AUDITOR))
    assert auditor.get("/training/catalogue/").status_code == 200
    assert auditor.get("/training/trainers/").status_code == 200
    assert 'id="course-new"' not in auditor.get("/training/catalogue/").content.decode()
    for url in ("/training/catalogue/courses/new/", "/training/catalogue/themes/gestion/edit/",
                "/training/catalogue/funders/indh/edit/"):  # fmt: skip
        assert auditor.get(url).status_code == 403
    trainer = _client(UserFactory(username="karim", role=Role.TRAINER))
    assert trainer.get("/training/catalogue/").status_code == 403
    assert _client(rep_a).get("/training/catalogue/").status_code == 403
    staff = _client(catalogue["staff"])
    urls = ["/training/catalogue/", "/training/catalogue/courses/new/", "/training/catalogue/themes/new/",
            "/training/catalogue/courses/gestion-cooperative/edit/", "/training/catalogue/themes/gestion/edit/",
            "/training/trainers/", "/training/trainers/new/", "/training/catalogue/funders/new/",
            "/training/catalogue/funders/indh/edit/", "/training/catalogue/funders/indh/grants/new/"]  # fmt: skip
    for url in urls:
        for suffix in ("", "?export=csv", "?export=xlsx", "?export=odd"):
            assert staff.get(url + suffix).status_code == 200, url + suffix
    arabic = _client(catalogue["staff"], "ar").get("/training/catalogue/").content.decode()
    assert "تسيير التعاونية" in arabic
    assert staff.get("/training/catalogue/courses/no-such/edit/").status_code == 404
