"""People's data (law 09-08): birth year and consent on the cooperator's page, erasure on request, import columns."""

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import ImportRefused
from gie_erp.core.models import AuditEvent
from members.imports import cooperators_import
from members.models import Cooperator
from members.services import cooperator_erase, cooperator_personal_data_set
from tests.factories.members import CooperatorFactory
from tests.test_isolation import catalogue, training
from training.models import Certificate, Enrolment


@pytest.fixture
def fatima(coop_a: Any) -> Cooperator:
    return CooperatorFactory(
        organization=coop_a,
        first_name_fr="Fatima",
        last_name_fr="Riffi",
        full_name_ar="فاطمة الريفي",
        cin="K123456",
        phone="0612345678",
        gender=Cooperator.Gender.FEMALE,
        birth_year=1985,
        data_consent=True,
        data_consent_on=date(2026, 2, 1),
    )


def _url(cooperator: Cooperator, action: str = "") -> str:
    return f"/members/cooperators/{cooperator.pk}/{action}"


# --- birth year and consent -----------------------------------------------------------------------------------------


def test_staff_sets_birth_year_and_consent_dated_today_by_default(client: Any, accountant: Any, coop_a: Any) -> None:
    person = CooperatorFactory(organization=coop_a)
    client.force_login(accountant)
    response = client.post(_url(person, "personal-data/"), {"birth_year": "1979", "data_consent": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.birth_year, person.data_consent, person.data_consent_on) == (1979, True, timezone.localdate())
    event = AuditEvent.objects.get(event="cooperator.personal_data_set", target_id=str(person.pk))
    assert event.data == {"fields": ["birth_year", "data_consent", "data_consent_on"]}  # names, never values
    page = client.get(_url(person)).content.decode()
    assert "1979" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page


def test_withdrawn_consent_clears_its_date_and_a_given_date_is_kept(accountant: Any, fatima: Cooperator) -> None:
    same = cooperator_personal_data_set(
        cooperator=fatima, acting_user=accountant, birth_year=1985, data_consent=True, today=date(2026, 11, 22)
    )
    assert same.data_consent_on == date(2026, 2, 1)  # consenting again keeps the first date
    assert not AuditEvent.objects.filter(event="cooperator.personal_data_set").exists()  # nothing changed
    withdrawn = cooperator_personal_data_set(
        cooperator=fatima, acting_user=accountant, birth_year=None, data_consent=False, today=date(2026, 11, 22)
    )
    assert (withdrawn.birth_year, withdrawn.data_consent, withdrawn.data_consent_on) == (None, False, None)
    with pytest.raises(DomainError) as info:
        cooperator_personal_data_set(
            cooperator=fatima, acting_user=accountant, birth_year=2027, data_consent=False, today=date(2026, 11, 22)
        )
    assert info.value.code == ErrorCode.TRAINING_BAD_BIRTH_YEAR


@pytest.mark.parametrize("year", ["1850", "3000", "abc", "19 80"])
def test_a_bad_birth_year_is_a_form_error_and_changes_nothing(
    client: Any, accountant: Any, fatima: Cooperator, year: str
) -> None:
    client.force_login(accountant)
    response = client.post(_url(fatima, "personal-data/"), {"birth_year": year})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    fatima.refresh_from_db()
    assert (fatima.birth_year, fatima.data_consent) == (1985, True)


def test_the_form_error_is_in_arabic_on_an_arabic_page(client: Any, accountant: Any, fatima: Cooperator) -> None:
    client.force_login(accountant)
    client.cookies["django_language"] = "ar"
    body = client.post(_url(fatima, "personal-data/"), {"birth_year": "abc"}, HTTP_ACCEPT_LANGUAGE="ar")
    html = body.content.decode()
    assert 'dir="rtl"' in html
    assert "<li>أدخل رقما صحيحا.</li>" in html  # Django's own Arabic message, no raw field key


def test_a_representative_may_read_but_not_change_personal_data(client: Any, rep_a: Any, fatima: Cooperator) -> None:
    client.force_login(rep_a)
    page = client.get(_url(fatima)).content.decode()
    assert "1985" in page
    assert "personal-data/" not in page
    assert "erase/" not in page
    assert client.post(_url(fatima, "personal-data/"), {"birth_year": "1990"}).status_code == 403
    assert client.post(_url(fatima, "erase/"), {"reason": "x", "confirm": "on"}).status_code == 403
    fatima.refresh_from_db()
    assert fatima.birth_year == 1985
    assert fatima.erased_on is None


# --- erasure on request ---------------------------------------------------------------------------------------------


def test_erasure_blanks_what_names_the_person_and_keeps_gender_and_links(
    accountant: Any, coop_a: Any, fatima: Cooperator
) -> None:
    ids = training(coop_a, "e", fatima.pk, catalogue())
    erased = cooperator_erase(
        cooperator=fatima, acting_user=accountant, reason="Demande écrite du 20/11/2026", erased_on=date(2026, 11, 22)
    )
    erased.refresh_from_db()
    assert (erased.first_name_fr, erased.last_name_fr, erased.full_name_ar) == ("Personne", "effacée", "شخص محذوف")
    assert (erased.cin, erased.phone, erased.birth_year, erased.data_consent, erased.data_consent_on) == (
        "", "", None, False, None
    )  # fmt: skip
    assert (erased.is_active, erased.erased_on, erased.gender) == (False, date(2026, 11, 22), "f")
    assert Enrolment.objects.get(pk=ids["enrolment_id"]).cooperator_id == fatima.pk  # the counts stay right
    assert Certificate.objects.get(pk=ids["certificate_id"]).enrolment.cooperator_id == fatima.pk
    event = AuditEvent.objects.get(event="cooperator.erased")
    assert event.data["reason"] == "Demande écrite du 20/11/2026"
    dump = str(event.data) + str(AuditEvent.objects.filter(target_id=str(fatima.pk)).values_list("data", flat=True))
    for value in ("Fatima", "Riffi", "فاطمة", "K123456", "0612345678", "1985"):
        assert value not in dump


def test_erasure_is_final_and_needs_a_reason(accountant: Any, fatima: Cooperator) -> None:
    with pytest.raises(DomainError) as info:
        cooperator_erase(cooperator=fatima, acting_user=accountant, reason="  ")
    assert info.value.code == ErrorCode.TRAINING_ERASE_REASON_REQUIRED
    fatima.refresh_from_db()
    assert fatima.erased_on is None
    cooperator_erase(cooperator=fatima, acting_user=accountant, reason="Demande orale")
    for again in (
        lambda: cooperator_erase(cooperator=fatima, acting_user=accountant, reason="encore"),
        lambda: cooperator_personal_data_set(
            cooperator=fatima, acting_user=accountant, birth_year=1990, data_consent=True
        ),
    ):
        with pytest.raises(DomainError) as info:
            again()
        assert info.value.code == ErrorCode.TRAINING_PERSON_ERASED
    assert AuditEvent.objects.filter(event="cooperator.erased").count() == 1


def test_erasure_page_says_it_is_final_and_needs_the_confirmation(
    client: Any, accountant: Any, coop_a: Any, fatima: Cooperator
) -> None:
    client.force_login(accountant)
    page = client.get(_url(fatima, "erase/")).content.decode()
    assert "définitif" in page
    assert "Fatima Riffi" in page
    refused = client.post(_url(fatima, "erase/"), {"reason": "Demande écrite"})  # box not ticked
    assert refused.status_code == 200
    fatima.refresh_from_db()
    assert fatima.erased_on is None
    done = client.post(_url(fatima, "erase/"), {"reason": "Demande écrite", "confirm": "on"})
    assert done.status_code == 302
    fatima.refresh_from_db()
    assert fatima.erased_on == timezone.localdate()
    detail = client.get(_url(fatima)).content.decode()
    assert "Personne effacée" in detail
    assert "personal-data/" not in detail  # nothing left to change
    listing = client.get(f"/members/{coop_a.slug}/cooperators/").content.decode()
    assert "Personne effacée" in listing
    for value in ("Riffi", "فاطمة الريفي", "0612345678"):
        assert value not in listing
        assert value not in detail
    export = client.get(f"/members/{coop_a.slug}/cooperators/?export=csv").content.decode()
    assert "Riffi" not in export
    assert "K123456" not in export


# --- import columns -------------------------------------------------------------------------------------------------

HEADER = "member,first_name_fr,last_name_fr,gender,annee_naissance,consentement\n"


def test_import_reads_birth_year_and_consent(accountant: Any, coop_a: Any) -> None:
    content = HEADER + "coop-a,Fatima,Riffi,f,1985,oui\ncoop-a,Said,Tazi,m,,non\ncoop-a,Amina,Idrissi,f,1990.0,\n"
    result = cooperators_import(
        filename="c.csv", content=content.encode(), acting_user=accountant, today=date(2026, 11, 22)
    )
    assert result.created == 3
    people = {c.first_name_fr: c for c in Cooperator.objects.filter(organization=coop_a)}
    assert (people["Fatima"].birth_year, people["Fatima"].data_consent) == (1985, True)
    assert people["Fatima"].data_consent_on == date(2026, 11, 22)
    assert (people["Said"].birth_year, people["Said"].data_consent, people["Said"].data_consent_on) == (
        None, False, None
    )  # fmt: skip
    assert (people["Amina"].birth_year, people["Amina"].data_consent) == (1990, False)


def test_import_refuses_bad_birth_year_or_consent_and_writes_nothing(accountant: Any, coop_a: Any) -> None:
    content = (
        HEADER + "coop-a,Fatima,Riffi,f,1985,oui\ncoop-a,Said,Tazi,m,85,non\ncoop-a,Amina,Idrissi,f,2030,peut-être\n"
    )
    with pytest.raises(ImportRefused) as info:
        cooperators_import(filename="c.csv", content=content.encode(), acting_user=accountant, today=date(2026, 1, 5))
    rows = info.value.report.as_rows()
    assert {(e["row"], e["field"], e["code"]) for e in rows} == {
        (3, "annee_naissance", ErrorCode.IMPORT_BAD_VALUE.value),
        (4, "annee_naissance", ErrorCode.IMPORT_BAD_VALUE.value),
        (4, "consentement", ErrorCode.IMPORT_BAD_VALUE.value),
    }
    assert next(e for e in rows if e["row"] == 3)["fr"] == "Valeur invalide pour annee_naissance : 85."
    assert not Cooperator.objects.exists()
