"""The attendance pages: the grid where the paper sheet is entered (what is ticked is what is recorded, a replay
writes nothing, the completion flag at 80 per cent of five half-days), the trainer's phone page (its POST, plain and
JSON; read-only once billed; another trainer, a representative, another session's half-day answer like a missing
session) and the printable sign-in sheet (pages counted by hand, names on it)."""

import io
import re
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.training.conftest import BILLED_ON, ENROLLED_ON, people, training  # noqa: F401 (fixture)
from training.models import Attendance, Enrolment, HalfDay, Session, Trainer
from training.pdf_signin import page_count
from training.services import attendance_record, enrol
from training.views.attendance import default_half_day

pytestmark = pytest.mark.django_db


def _seat(t: dict[str, Any], count: int, prefix: str = "O") -> list[Enrolment]:
    return [
        enrol(session=t["session"], cooperator=c, on=ENROLLED_ON, acting_user=t["staff"])
        for c in people(t["exempt"], count, prefix)
    ]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _grid(t: dict[str, Any]) -> str:
    return f"/training/sessions/{t['session'].slug}/attendance/"


def _take(t: dict[str, Any], half_day: HalfDay) -> str:
    return f"/training/sessions/{t['session'].slug}/attendance/{half_day.pk}/"


def _present(half_day: HalfDay) -> set[int]:
    return set(Attendance.objects.filter(half_day=half_day, present=True).values_list("enrolment_id", flat=True))


def _grid_form(half_days: list[HalfDay], ticks: dict[int, list[Enrolment]], was: dict[int, str]) -> dict[str, Any]:
    """What the grid's form posts: every half-day shown, what each showed present, and the ticked boxes."""
    data: dict[str, Any] = {"half_day": [str(h.pk) for h in half_days]}
    for h in half_days:
        data[f"was-{h.pk}"] = was.get(h.pk, "")
        data[f"p-{h.pk}"] = [str(e.pk) for e in ticks.get(h.pk, [])]
    return data


def test_the_grid_records_exactly_what_was_ticked_and_a_replay_writes_nothing(training: dict[str, Any]) -> None:  # noqa: F811
    """Five trainees, five half-days. Ticked: the first half-day A B C D (E absent), the second A B C; the three
    others untouched. Recorded: 5 + 5 = 10 marks, 4 + 3 = 7 present; the untouched half-days get no mark."""
    t = training
    a, b, c, d, e = _seat(t, 5)
    h = t["half_days"]
    client = _client(t["trainer_user"])
    form = _grid_form(h, {h[0].pk: [a, b, c, d], h[1].pk: [a, b, c]}, {})
    response = client.post(_grid(t), form)
    assert response.status_code == 302
    assert Attendance.objects.count() == 10
    assert Attendance.objects.filter(present=True).count() == 7
    assert _present(h[0]) == {a.pk, b.pk, c.pk, d.pk}
    assert _present(h[1]) == {a.pk, b.pk, c.pk}
    assert not Attendance.objects.filter(half_day__in=h[2:]).exists()
    assert AuditEvent.objects.filter(event="training.attendance").count() == 2
    before = list(Attendance.objects.order_by("pk").values_list("pk", "present", "recorded_at"))

    # the same form again (a double submit): the page had shown nothing present, the books now differ: left alone
    client.post(_grid(t), form)
    # the form of a fresh page, saved without a change: nothing to write either
    fresh = client.get(_grid(t)).content.decode()
    was = {hd.pk: re.search(rf'name="was-{hd.pk}" value="([0-9,]*)"', fresh).group(1) for hd in h}  # type: ignore[union-attr]
    assert was[h[0].pk] == ",".join(str(x.pk) for x in sorted([a, b, c, d], key=lambda x: x.pk))
    client.post(_grid(t), _grid_form(h, {h[0].pk: [a, b, c, d], h[1].pk: [a, b, c]}, was))
    assert list(Attendance.objects.order_by("pk").values_list("pk", "present", "recorded_at")) == before
    assert AuditEvent.objects.filter(event="training.attendance").count() == 2

    # unticking D on the first half-day and ticking E on the third: two half-days written, the rest unchanged
    client.post(_grid(t), _grid_form(h, {h[0].pk: [a, b, c], h[1].pk: [a, b, c], h[2].pk: [e]}, was))
    assert _present(h[0]) == {a.pk, b.pk, c.pk}
    assert _present(h[2]) == {e.pk}
    assert Attendance.objects.count() == 15
    assert Attendance.objects.filter(present=True).count() == 7  # 3 + 3 + 1
    assert AuditEvent.objects.filter(event="training.attendance").count() == 4


def test_the_grid_shows_totals_and_the_completion_flag_at_80_percent(training: dict[str, Any]) -> None:  # noqa: F811
    """Five half-days at 0.8000: P present at four (4/5 = 0.80, enough), Q at three (0.60, not enough)."""
    t = training
    p, q = _seat(t, 2)
    for n, half_day in enumerate(t["half_days"]):
        present = [p.pk] if n < 4 else []
        present += [q.pk] if n < 3 else []
        attendance_record(session=t["session"], half_day=half_day, present_ids=present, acting_user=t["staff"])
    response = _client(t["staff"]).get(_grid(t))
    assert response.status_code == 200
    rows = {row.trainee.enrolment_id: row for row in response.context["rows"]}
    assert (rows[p.pk].present, rows[p.pk].complete) == (4, True)
    assert (rows[q.pk].present, rows[q.pk].complete) == (3, False)
    assert response.context["complete_count"] == 1
    body = response.content.decode()
    assert "4 / 5" in body
    assert "3 / 5" in body
    lines = _client(t["staff"]).get(_grid(t) + "?export=csv").content.decode("utf-8-sig").splitlines()
    assert lines[1].endswith("présent,présent,présent,présent,absent,4,oui")
    assert lines[2].endswith("présent,présent,présent,absent,absent,3,non")


def test_the_auditor_reads_the_grid_and_cannot_post(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (a,) = _seat(t, 1)
    auditor = UserFactory(username="auditrice", role=Role.AUDITOR)
    client = _client(auditor)
    page = client.get(_grid(t))
    assert page.status_code == 200
    assert 'id="grid-save"' not in page.content.decode()
    assert client.post(_grid(t), _grid_form(t["half_days"], {t["half_days"][0].pk: [a]}, {})).status_code == 403
    assert client.post(_take(t, t["half_days"][0]), {"present": [a.pk]}).status_code == 403
    assert not Attendance.objects.exists()


def test_the_phone_page_posts_the_whole_list_plain_and_as_json(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    a, b, c = _seat(t, 3)
    half_day = t["half_days"][1]
    client = _client(t["trainer_user"])
    page = client.get(_take(t, half_day))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('name="present"') == 3
    assert f'data-key="training.attendance.{t["trainer_user"].pk}.{half_day.pk}"' in body

    response = client.post(_take(t, half_day), {"present": [a.pk, c.pk]})
    assert response.status_code == 302
    assert _present(half_day) == {a.pk, c.pk}
    assert Attendance.objects.filter(half_day=half_day).count() == 3

    # the phone's retry of the same list (its first answer lost): nothing new is written
    answer = client.post(_take(t, half_day), {"present": [c.pk, a.pk]}, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == {"saved": True, "present": 2, "seated": 3}
    assert AuditEvent.objects.filter(event="training.attendance").count() == 1

    # a new list replaces the marks
    answer = client.post(_take(t, half_day), {"present": [b.pk]}, headers={"Accept": "application/json"})
    assert answer.json() == {"saved": True, "present": 1, "seated": 3}
    assert _present(half_day) == {b.pk}
    page = client.get(_take(t, half_day))
    assert page.context["present"] == 1
    assert page.context["taken"] is True


def test_the_phone_page_reads_only_once_the_session_is_billed(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (a,) = _seat(t, 1)
    half_day = t["half_days"][0]
    Session.objects.filter(pk=t["session"].pk).update(billed_on=BILLED_ON)
    client = _client(t["trainer_user"])
    body = client.get(_take(t, half_day)).content.decode()
    assert "disabled" in body
    assert 'id="att-save"' not in body
    assert "data-key" not in body
    answer = client.post(_take(t, half_day), {"present": [a.pk]}, headers={"Accept": "application/json"})
    assert answer.status_code == 409
    assert "factur" in answer.json()["error"]
    assert client.post(_grid(t), _grid_form(t["half_days"], {half_day.pk: [a]}, {})).status_code == 302
    assert not Attendance.objects.exists()


def test_strangers_get_what_a_missing_session_gets(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (a,) = _seat(t, 1)
    half_day = t["half_days"][0]
    other = Session.objects.create(
        course=t["course"], slug="autre-session", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1), capacity=5,
        enrolment_deadline=date(2026, 11, 25), trainer=t["trainer"],
    )  # fmt: skip
    elsewhere = HalfDay.objects.create(session=other, day=date(2026, 12, 1), part="am")
    trainer = _client(t["trainer_user"])
    assert trainer.get(f"/training/sessions/{t['session'].slug}/attendance/{elsewhere.pk}/").status_code == 404
    assert trainer.post(f"/training/sessions/{t['session'].slug}/attendance/{elsewhere.pk}/").status_code == 404

    someone = UserFactory(username="autre-formateur", role=Role.TRAINER)
    Trainer.objects.create(user=someone)
    stranger = _client(someone)
    for url in (_grid(t), _take(t, half_day), f"/training/sessions/{t['session'].slug}/sign-in-sheet/"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(_take(t, half_day), {"present": [a.pk]}).status_code == 404
    assert stranger.get("/training/sessions/no-such-session/attendance/").status_code == 404

    rep = _client(RepresentativeFactory(organization=t["exempt"]))
    for url in (_grid(t), _take(t, half_day), f"/training/sessions/{t['session'].slug}/sign-in-sheet/"):
        assert rep.get(url).status_code == 403, url
    assert rep.post(_take(t, half_day), {"present": [a.pk]}).status_code == 403
    assert not Attendance.objects.exists()


def test_the_default_half_day_is_todays_then_the_next_then_the_last(training: dict[str, Any]) -> None:  # noqa: F811
    h = training["half_days"]  # 9 am, 9 pm, 10 am, 10 pm, 11 am (November 2026)
    assert default_half_day(h, datetime(2026, 11, 9, 9, 30)) == h[0]
    assert default_half_day(h, datetime(2026, 11, 9, 14, 0)) == h[1]
    assert default_half_day(h, datetime(2026, 11, 11, 15, 0)) == h[4]  # no afternoon on the 11th: the morning
    assert default_half_day(h, datetime(2026, 11, 1, 8, 0)) == h[0]
    assert default_half_day(h, datetime(2026, 12, 1, 8, 0)) == h[4]
    assert default_half_day([], datetime(2026, 12, 1, 8, 0)) is None


def _sheet(t: dict[str, Any], trainees: int) -> tuple[PdfReader, list[Enrolment]]:
    Session.objects.filter(pk=t["session"].pk).update(capacity=40)
    t["session"].refresh_from_db()
    seated = _seat(t, trainees, "Stagiaire")
    response = _client(t["trainer_user"]).get(f"/training/sessions/{t['session'].slug}/sign-in-sheet/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content)), seated


def test_the_sign_in_sheet_of_30_trainees_and_6_half_days_has_4_pages_with_every_name(
    training: dict[str, Any],  # noqa: F811
) -> None:
    """30 trainees at 8 a page: 8 + 8 + 8 + 6, four pages; 6 half-days fit beside the names."""
    HalfDay.objects.create(session=training["session"], day=date(2026, 11, 11), part="pm")
    reader, _seated = _sheet(training, 30)
    assert page_count(30, 6) == 4
    assert len(reader.pages) == 4
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    text = "\n".join(page.extract_text() for page in reader.pages)
    for n in range(1, 31):
        assert f"Stagiaire{n} " in text, n
    assert "Feuille de présence" in text
    assert text.count("Signature du formateur") == 4
    assert "Page 4 / 4" in text
    assert "Gestion d'une coopérative" in text


def test_a_longer_session_continues_its_half_days_on_further_pages(training: dict[str, Any]) -> None:  # noqa: F811
    """Nine half-days: six on the first set of pages, three on the second; 10 trainees take 2 pages a set."""
    t = training
    Session.objects.filter(pk=t["session"].pk).update(ends_on=date(2026, 11, 13))
    for day in (12, 13):
        for part in ("am", "pm"):
            HalfDay.objects.create(session=t["session"], day=date(2026, 11, day), part=part)
    assert HalfDay.objects.filter(session=t["session"]).count() == 9
    reader, _seated = _sheet(t, 10)
    assert page_count(10, 9) == 4
    assert len(reader.pages) == 4


def test_names_long_enough_to_wrap_give_more_pages_not_an_error(training: dict[str, Any]) -> None:  # noqa: F811
    """Eight trainees fit one page when each name holds a line; names on three lines push rows off the page, so the
    sheet is laid out again with fewer rows a page (every name still printed, the trainer's box on every page)."""
    t = training
    long_name = "Fatima-Zahra Bent Mohammed Ben Abdelkrim El Ouazzani"
    for person in people(t["exempt"], 8, "Longue"):
        person.last_name_fr = f"{long_name} {person.first_name_fr}"
        person.save()
        enrol(session=t["session"], cooperator=person, on=ENROLLED_ON, acting_user=t["staff"])
    response = _client(t["staff"]).get(f"/training/sessions/{t['session'].slug}/sign-in-sheet/")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.count("Signature du formateur") == len(reader.pages)
    for n in range(1, 9):
        assert f"Longue{n}" in text, n


def test_the_phone_pages_arrows_point_the_way_they_go_in_arabic(training: dict[str, Any]) -> None:  # noqa: F811
    """QA: in Arabic the "next half-day" arrow pointed right (backwards in a right-to-left page)."""
    t = training
    _seat(t, 1)
    second = t["half_days"][1]  # a previous and a next half-day
    client = _client(t["trainer_user"])
    french = client.get(_take(t, second)).content.decode()
    assert 'aria-label="Demi-journée précédente">‹</a>' in french
    assert 'aria-label="Demi-journée suivante">›</a>' in french
    client.cookies["django_language"] = "ar"
    arabic = client.get(_take(t, second), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl"' in arabic
    assert "›</a>" in arabic.split('class="att-prev"', 1)[1].split("\n", 1)[0]
    assert "‹</a>" in arabic.split('class="att-next"', 1)[1].split("\n", 1)[0]
