"""The sessions' pages: the list (a trainer sees its own only; filters; the CSV's values), creating a session with
its half-days drawn from the dates and its funders (percentages typed as people type them), odd inputs refused in
the user's language with nothing changed, the open/cancel actions, a billed session read-only."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.roles import Role
from members.models import Commune
from tests.factories.members import UserFactory
from tests.training.conftest import ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.models import HalfDay, Session, SessionFunder, Trainer
from training.services import attendance_record, enrol

D = Decimal


def _client(user: Any, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _other_session(t: dict[str, Any]) -> Session:
    karim = Trainer.objects.create(user=UserFactory(username="karim", role=Role.TRAINER), name="Karim")
    return Session.objects.create(
        course=t["course"], slug="gestion-2026-06", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 2),
        trainer=karim, capacity=8, enrolment_deadline=date(2026, 5, 25), state=Session.State.CLOSED,
        fee_per_trainee=D("120.00"), place="Chefchaouen",
    )  # fmt: skip


def test_a_trainer_lists_only_its_own_sessions_as_cards(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _other_session(t)
    body = _client(t["trainer_user"]).get("/training/").content.decode()
    assert 'data-slug="gestion-2026-11"' in body
    assert "gestion-2026-06" not in body
    assert 'class="training-cards"' in body
    assert "/training/sessions/new/" not in body  # a trainer creates nothing
    csv_text = _client(t["trainer_user"]).get("/training/?export=csv").content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(csv_text))][1:] == ["gestion-2026-11"]
    assert _client(t["trainer_user"]).get("/training/sessions/new/").status_code == 403


def test_staff_list_filters_and_the_csv_values(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    _other_session(t)
    session = t["session"]
    session.capacity = 2
    session.save(update_fields=["capacity"])
    for person in people(t["exempt"], 3, "O"):
        enrol(session=session, cooperator=person, on=ENROLLED_ON, acting_user=t["staff"])
    staff = _client(t["staff"])
    body = staff.get("/training/").content.decode()
    assert 'data-slug="gestion-2026-11"' in body
    assert 'data-slug="gestion-2026-06"' in body
    only_open = staff.get("/training/?state=open").content.decode()
    assert "gestion-2026-06" not in only_open
    assert "gestion-2026-11" in only_open
    assert "gestion-2026-11" not in staff.get("/training/?to=2026-10-31").content.decode()
    assert "gestion-2026-11" in staff.get("/training/?from=2026-11-10&to=2026-11-10").content.decode()
    assert "gestion-2026-06" not in staff.get(f"/training/?trainer={t['trainer'].pk}").content.decode()
    assert "gestion-2026-11" not in staff.get("/training/?q=chefchaouen").content.decode()
    assert staff.get("/training/?commune=abc&from=zz").status_code == 200  # odd filters: an empty or full list

    rows = list(csv.reader(io.StringIO(staff.get("/training/?export=csv").content.decode("utf-8-sig"))))
    assert len(rows) == 3
    commune = Commune.objects.order_by("pk").first()
    assert commune is not None
    assert rows[1] == [
        "gestion-2026-11", "Gestion d'une coopérative", "Gestion", "2026-11-09", "2026-11-11", commune.name_fr,
        "Salle communale", "Samira Idrissi", "2", "2", "1", "Inscriptions ouvertes", "350.00",
    ]  # fmt: skip
    xlsx = staff.get("/training/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def _new_session_post(t: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "course": str(t["course"].pk),
        "slug": "",
        "starts_on": "2026-12-07",
        "ends_on": "2026-12-09",
        "enrolment_deadline": "2026-12-01",
        "commune": "",
        "place": "Maison des jeunes",
        "trainer": str(t["trainer"].pk),
        "capacity": "12",
        "fee_per_trainee": "250",
        "language": "ar",
        "completion_rate": "80",
        "funders-TOTAL_FORMS": "2",
        "funders-INITIAL_FORMS": "0",
        "funders-MIN_NUM_FORMS": "0",
        "funders-MAX_NUM_FORMS": "20",
        "funders-0-funder": str(t["indh"].pk),
        "funders-0-kind": "percent",
        "funders-0-rate": "40",
        "funders-0-amount": "",
        "funders-0-basis": "attended",
        "funders-0-grant": "",
        "funders-1-funder": "",
        "funders-1-kind": "percent",
        "funders-1-rate": "",
        "funders-1-amount": "",
        "funders-1-basis": "attended",
        "funders-1-grant": "",
    }
    return {**data, **changes}


def test_creating_a_session_draws_its_half_days_then_saves_them(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    staff = _client(t["staff"])
    before = Session.objects.count()
    # first post without the page's script: the grid is drawn from the dates and shown to check, nothing saved
    drawn = staff.post("/training/sessions/new/", _new_session_post(t))
    assert drawn.status_code == 200
    assert Session.objects.count() == before
    body = drawn.content.decode()
    assert body.count('name="half_day"') == 6
    assert body.count("checked") >= 6
    assert 'value="2026-12-07|2026-12-09"' in body
    # then the person unticks the last afternoon and saves
    ticked = [f"2026-12-{day:02d}:{part}" for day in (7, 8, 9) for part in ("am", "pm")][:-1]
    saved = staff.post("/training/sessions/new/", {
        **_new_session_post(t), "half_days_for": "2026-12-07|2026-12-09", "half_day": ticked})  # fmt: skip
    assert saved.status_code == 302
    session = Session.objects.get(slug="gestion-cooperative-2026-12")  # the suggested slug
    assert saved["Location"] == "/training/sessions/gestion-cooperative-2026-12/edit/"
    assert HalfDay.objects.filter(session=session).count() == 5
    assert (session.completion_rate, session.fee_per_trainee, session.state) == (D("0.8000"), D("250.00"), "planned")
    share = SessionFunder.objects.get(session=session)
    assert (share.funder, share.rate, share.basis) == (t["indh"], D("0.4000"), "attended")
    page = staff.get(saved["Location"]).content.decode()
    assert 'value="40,00"' in page  # the rate shown back as a percentage
    assert 'value="80,00"' in page


def test_a_fresh_session_gets_mornings_and_afternoons_of_every_day(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    staff = _client(t["staff"])
    data = _new_session_post(t, slug="trois-jours", half_days_for="2026-12-07|2026-12-07",
                             half_day=["2026-12-07:am", "2026-12-07:pm"])  # fmt: skip
    # the grid was drawn for one day, the dates now say three: the two new days come ticked, the first kept
    body = staff.post("/training/sessions/new/", data).content.decode()
    assert body.count('name="half_day"') == 6
    assert not Session.objects.filter(slug="trois-jours").exists()


ODD_INPUTS = [
    ({"starts_on": "", "ends_on": ""}, "starts_on"),
    ({"enrolment_deadline": "2026-12-20"}, "enrolment_deadline"),
    ({"capacity": "0"}, "capacity"),
    ({"funders-0-rate": "150"}, "funders-0-rate"),
    ({"slug": "gestion-2026-11"}, "slug"),
    ({"slug": "new"}, "slug"),  # /training/sessions/new/ is the creation page
    ({"funders-1-funder": "FUNDER", "funders-1-rate": "10"}, "funders-1-funder"),
    ({"fee_per_trainee": "12,345"}, "fee_per_trainee"),
    ({"completion_rate": "abc"}, "completion_rate"),
    ({"ends_on": "2027-12-09"}, "ends_on"),
    ({"funders-0-kind": "amount_per_trainee"}, "funders-0-amount"),
]


@pytest.mark.parametrize(("changes", "field"), ODD_INPUTS)
def test_odd_inputs_give_a_form_error_and_change_nothing(
    training: dict[str, Any],  # noqa: F811
    changes: dict[str, str],
    field: str,
) -> None:
    t = training
    changes = {key: str(t["indh"].pk) if value == "FUNDER" else value for key, value in changes.items()}
    before = (Session.objects.count(), HalfDay.objects.count(), SessionFunder.objects.count())
    data = _new_session_post(t, half_days_for="2026-12-07|2026-12-09", half_day=["2026-12-07:am"], **changes)
    response = _client(t["staff"]).post("/training/sessions/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="msg error"' in body
    assert 'class="errorlist' in body
    assert field.split("-")[-1] in body
    assert (Session.objects.count(), HalfDay.objects.count(), SessionFunder.objects.count()) == before


def test_errors_in_arabic_on_an_arabic_page(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    data = _new_session_post(t, starts_on="", half_days_for="", half_day=[])
    body = _client(t["staff"], "ar").post("/training/sessions/new/", data).content.decode()
    assert 'dir="rtl"' in body
    assert "هذا الحقل مطلوب" in body  # Django's « Ce champ est obligatoire. »


def test_editing_keeps_the_slug_and_refuses_a_half_day_with_attendance(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    session = t["session"]
    (olive,) = people(t["exempt"], 1, "O")
    enrolment = enrol(session=session, cooperator=olive, on=ENROLLED_ON, acting_user=t["staff"])
    attendance_record(session=session, half_day=t["half_days"][0], present_ids=[enrolment.pk], acting_user=t["staff"])
    staff = _client(t["staff"])
    page = staff.get("/training/sessions/gestion-2026-11/edit/").content.decode()
    assert "présences saisies" in page
    data = _new_session_post(
        t, slug="renamed", starts_on="2026-11-09", ends_on="2026-11-11", enrolment_deadline="2026-11-02",
        half_days_for="2026-11-09|2026-11-11", half_day=["2026-11-10:am"], **{"funders-INITIAL_FORMS": "0"},
    )  # fmt: skip
    refused = staff.post("/training/sessions/gestion-2026-11/edit/", data)
    assert refused.status_code == 200
    assert "a déjà des présences saisies" in refused.content.decode()
    assert HalfDay.objects.filter(session=session).count() == 5
    data["half_day"] = ["2026-11-09:am", "2026-11-10:am"]
    assert staff.post("/training/sessions/gestion-2026-11/edit/", data).status_code == 302
    session.refresh_from_db()
    assert session.slug == "gestion-2026-11"
    assert HalfDay.objects.filter(session=session).count() == 2


def test_open_then_cancel_then_read_only(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    session = t["session"]
    Session.objects.filter(pk=session.pk).update(state=Session.State.PLANNED)
    staff = _client(t["staff"])
    assert staff.get("/training/sessions/gestion-2026-11/open/").status_code == 405
    assert staff.post("/training/sessions/gestion-2026-11/open/").status_code == 302
    session.refresh_from_db()
    assert session.state == "open"
    staff.post("/training/sessions/gestion-2026-11/cancel/")
    session.refresh_from_db()
    assert session.state == "cancelled"
    page = staff.get("/training/sessions/gestion-2026-11/edit/").content.decode()
    assert 'id="read-only"' in page
    assert 'id="session-save"' not in page
    data = _new_session_post(
        t, starts_on="2026-11-09", ends_on="2026-11-11", enrolment_deadline="2026-11-02", capacity="99",
        half_days_for="2026-11-09|2026-11-11", half_day=["2026-11-09:am"],
    )  # fmt: skip
    assert staff.post("/training/sessions/gestion-2026-11/edit/", data).status_code == 200
    session.refresh_from_db()
    assert session.capacity == 10
    assert staff.post("/training/sessions/no-such/cancel/").status_code == 404


def test_a_billed_session_is_read_only(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    Session.objects.filter(pk=t["session"].pk).update(billed_on=date(2026, 11, 12), state=Session.State.CLOSED)
    staff = _client(t["staff"])
    page = staff.get("/training/sessions/gestion-2026-11/edit/").content.decode()
    assert "Session facturée le 12/11/2026" in page
    response = staff.post("/training/sessions/gestion-2026-11/cancel/", follow=True)
    assert "déjà facturée" in response.content.decode()
    assert Session.objects.get(pk=t["session"].pk).state == "closed"


def test_who_reaches_the_session_pages(training: dict[str, Any], rep_a: Any) -> None:  # noqa: F811
    t = training
    auditor = UserFactory(username="auditrice", role=Role.AUDITOR)
    assert _client(auditor).get("/training/").status_code == 200
    assert _client(auditor).get("/training/sessions/new/").status_code == 403
    assert _client(auditor).post("/training/sessions/gestion-2026-11/cancel/").status_code == 403
    assert _client(rep_a).get("/training/").status_code == 403
    assert Client().get("/training/").status_code == 302
    for suffix in ("", "?export=csv", "?export=xlsx", "?export=pdf"):
        for url in ("/training/", "/training/sessions/new/", "/training/sessions/gestion-2026-11/edit/"):
            assert _client(t["staff"]).get(url + suffix).status_code == 200, url + suffix
