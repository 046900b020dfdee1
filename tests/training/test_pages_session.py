"""A session's page: staff enrolment (seated, then waitlisted), cancellation (free, or late and billed, with the
promotion it causes), the printable waitlist, the bill's preview and confirmation, costs and the session's result.

The issue's case, by hand: 350.00 HT per trainee, INDH 40 % of attendees; A (coop-olive) 4 trainees and B
(coop-miel) 1, all present; C (coop-tapis) cancels before the deadline. Per attendee INDH pays 140.00 and the member
210.00: A 4 × 210.00 = 840.00 HT + 168.00 VAT = 1,008.00; B 210.00 + 42.00 = 252.00; INDH 5 × 140.00 = 700.00.
Costs 1,200.00 (trainer) + 300.00 (room) = 1,500.00; revenue 1,050.00 fees + 700.00 subsidy = 1,750.00; result
1,750.00 − 1,500.00 = 250.00."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.i18n import NARROW_NBSP
from gie_erp.core.roles import Role
from ledger import accounts
from ledger.models import Entry
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.training.conftest import BILLED_ON, DEADLINE, ENROLLED_ON, TODAY, D, people, training  # noqa: F401
from tests.training.test_billing import _issue_case
from training.models import Enrolment, Session, TrainingInvoice
from training.pdf_waitlist import waitlist_html
from training.services import enrol

URL = "/training/sessions/gestion-2026-11/"


def _on(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """Stand the pages on ``day`` (enrolment and cancellation are dated today)."""
    monkeypatch.setattr("training.views.session_detail.local_today", lambda: day)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _row(body: str, marker: str) -> str:
    """The table row carrying ``marker`` (a data attribute)."""
    start = body.index(marker)
    return body[body.rindex("<tr", 0, start) : body.index("</tr>", start)]


def amount(text: str) -> str:
    """How the pages print an amount: ``1 008,00`` with a narrow no-break space."""
    return text.replace(" ", NARROW_NBSP)


def test_staff_enrol_seats_then_waitlists_with_the_position(
    training: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    t = training
    _on(monkeypatch, ENROLLED_ON)
    Session.objects.filter(pk=t["session"].pk).update(capacity=2)
    a1, a2, a3 = people(t["exempt"], 3, "A")
    client = _client(t["staff"])
    page = client.get(URL + "?org=coop-olive")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="enrol-form"' in body
    assert f'value="{a3.pk}"' in body
    response = client.post(
        URL + "enrol/", {"organization": "coop-olive", "cooperators": [a1.pk, a2.pk, a3.pk]}, follow=True
    )
    assert response.redirect_chain[-1][0].endswith("?org=coop-olive#enrol")
    texts = _messages(response)
    assert "A1 coop-olive : inscrit(e), une place est réservée." in texts
    assert "A3 coop-olive : session complète, en liste d'attente (rang 1)." in texts
    states = dict(Enrolment.objects.values_list("cooperator_id", "state"))
    assert states == {a1.pk: "enrolled", a2.pk: "enrolled", a3.pk: "waitlisted"}
    body = response.content.decode()
    waiting = _row(body, f'data-enrolment="{Enrolment.objects.get(cooperator=a3).pk}"')
    assert "En liste d&#x27;attente" in waiting
    assert '<td class="num">1</td>' in waiting
    assert "0/5" in waiting  # no attendance yet, five half-days
    # the same people again: refused with the service's message, nothing more written
    again = client.post(URL + "enrol/", {"organization": "coop-olive", "cooperators": [a1.pk]}, follow=True)
    assert "A1 coop-olive est déjà inscrit(e) à cette session ou sur sa liste d'attente." in _messages(again)
    assert Enrolment.objects.count() == 3


def test_enrol_form_refuses_nobody_checked_and_another_cooperatives_person(
    training: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    t = training
    _on(monkeypatch, ENROLLED_ON)
    (b1,) = people(t["registered"], 1, "B")
    client = _client(t["staff"])
    empty = client.post(URL + "enrol/", {"organization": "coop-olive"})
    assert empty.status_code == 400
    assert "Cochez au moins une personne." in empty.content.decode()
    wrong = client.post(URL + "enrol/", {"organization": "coop-olive", "cooperators": [b1.pk]})
    assert wrong.status_code == 400  # B1 is not among coop-olive's cooperators
    assert not Enrolment.objects.exists()


def test_cancelling_after_the_deadline_is_flagged_billed_and_promotes_the_first_in_line(
    training: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    t = training
    Session.objects.filter(pk=t["session"].pk).update(capacity=1)
    a1, a2 = people(t["exempt"], 2, "A")
    seated = enrol(session=t["session"], cooperator=a1, on=ENROLLED_ON, acting_user=t["staff"])
    enrol(session=t["session"], cooperator=a2, on=ENROLLED_ON, acting_user=t["staff"])
    _on(monkeypatch, date(2026, 11, 5))  # after the deadline of 2 November
    client = _client(t["staff"])
    confirm = client.get(f"/training/enrolments/{seated.pk}/cancel/")
    body = confirm.content.decode()
    assert 'id="cancel-late"' in body
    assert "après la date limite du 02/11/2026" in body
    assert "premier de la liste d'attente : A2 coop-olive" in body
    response = client.post(f"/training/enrolments/{seated.pk}/cancel/", follow=True)
    texts = _messages(response)
    assert "A1 coop-olive : inscription annulée après la date limite (02/11/2026), elle sera facturée." in texts
    assert "A2 coop-olive passe de la liste d'attente à une place réservée." in texts
    seated.refresh_from_db()
    assert (seated.state, seated.cancelled_late) == ("cancelled", True)
    body = response.content.decode()
    assert 'data-flag="late"' in _row(body, f'data-enrolment="{seated.pk}"')
    assert 'data-flag="promoted"' in _row(body, f'data-enrolment="{Enrolment.objects.get(cooperator=a2).pk}"')


def test_cancelling_on_the_deadline_is_free(training: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    t = training
    (a1,) = people(t["exempt"], 1, "A")
    seated = enrol(session=t["session"], cooperator=a1, on=ENROLLED_ON, acting_user=t["staff"])
    _on(monkeypatch, DEADLINE)
    client = _client(t["staff"])
    assert 'id="cancel-free"' in client.get(f"/training/enrolments/{seated.pk}/cancel/").content.decode()
    response = client.post(f"/training/enrolments/{seated.pk}/cancel/", follow=True)
    assert "A1 coop-olive : inscription annulée sans frais." in _messages(response)
    seated.refresh_from_db()
    assert (seated.state, seated.cancelled_late) == ("cancelled", False)
    again = client.post(f"/training/enrolments/{seated.pk}/cancel/", follow=True)
    assert "Cette inscription est déjà annulée." in _messages(again)


def test_the_waitlist_prints_in_order_with_phones(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    Session.objects.filter(pk=t["session"].pk).update(capacity=1)
    t["registered"].phone = "0539000000"
    t["registered"].save(update_fields=["phone"])
    a1, a2 = people(t["exempt"], 2, "A")
    (b1,) = people(t["registered"], 1, "B")
    a2.full_name_ar, a2.phone = "أمينة", "0611223344"
    a2.save(update_fields=["full_name_ar", "phone"])
    for cooperator in (a1, b1, a2):
        enrol(session=t["session"], cooperator=cooperator, on=ENROLLED_ON, acting_user=t["staff"])
    html = waitlist_html(t["session"], printed_on=TODAY)
    assert html.index("B1 coop-miel") < html.index("A2 coop-olive")  # first in line first
    assert "A1 coop-olive" not in html  # seated, not waiting
    assert "أمينة" in html
    assert "0611223344" in html
    assert "0539000000" in html
    assert "لائحة الانتظار" in html
    assert "1 / 10" not in html
    assert "1 / 1" in html
    response = _client(t["staff"]).get(URL + "waitlist/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_bill_preview_shows_the_issues_figures_then_bills_once(
    training: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    t = training
    _issue_case(t)
    _on(monkeypatch, TODAY)
    client = _client(t["staff"])
    page = client.get(URL + "bill/?on=2026-11-12")
    body = page.content.decode()
    a = _row(body, 'data-member="coop-olive"')
    assert '<td class="num">4</td>' in a
    assert amount("840,00") in a
    assert amount("168,00") in a
    assert amount("1 008,00") in a
    b = _row(body, 'data-member="coop-miel"')
    assert amount("210,00") in b
    assert amount("42,00") in b
    assert amount("252,00") in b
    assert "coop-tapis" not in body  # C cancelled before the deadline: nothing
    assert amount("700,00") in _row(body, 'data-funder="indh"')
    expected = page.context["preview"].checksum
    assert expected == D("1960.00")  # 1,008.00 + 252.00 + 700.00
    # a confirmation whose figures are no longer the preview's bills nothing
    stale = client.post(URL + "bill/", {"on": "2026-11-12", "expected": "1000.00"}, follow=True)
    assert any("ont changé depuis l'aperçu" in text for text in _messages(stale))
    assert not TrainingInvoice.objects.exists()
    done = client.post(URL + "bill/", {"on": "2026-11-12", "expected": str(expected)}, follow=True)
    assert "Session facturée le 12/11/2026." in _messages(done)
    body = done.content.decode()
    invoice = TrainingInvoice.objects.get(organization=t["exempt"])
    assert f'href="/invoices/documents/{invoice.document_id}/"' in body
    assert amount("700,00") in _row(body, 'data-funder="indh"')
    entries = Entry.objects.count()
    client.post(URL + "bill/", {"on": "2026-11-12", "expected": str(expected)})  # a second click
    assert Entry.objects.count() == entries


def test_billing_before_the_end_is_refused_and_changes_nothing(
    training: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    t = training
    _issue_case(t)
    _on(monkeypatch, date(2026, 11, 10))
    client = _client(t["staff"])
    page = client.get(URL + "bill/")
    body = page.content.decode()
    assert "Cette session se termine le 11/11/2026 : elle se facture à partir de ce jour-là." in body
    assert 'id="bill-confirm"' not in body
    response = client.post(URL + "bill/", {"on": "2026-11-10", "expected": "1960.00"}, follow=True)
    assert "Cette session se termine le 11/11/2026 : elle se facture à partir de ce jour-là." in _messages(response)
    t["session"].refresh_from_db()
    assert t["session"].billed_on is None
    assert not TrainingInvoice.objects.exists()


def test_costs_and_the_sessions_result_to_the_centime(
    training: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    t = training
    _issue_case(t)
    _on(monkeypatch, TODAY)
    client = _client(t["staff"])
    page = client.get(URL + "bill/?on=2026-11-12")
    client.post(URL + "bill/", {"on": "2026-11-12", "expected": str(page.context["preview"].checksum)})
    trainer = {"kind": "trainer", "amount": "1 200,00", "spent_on": "2026-11-11", "paid_from": "bank",
               "reference": "NH-17", "key": "k" * 22}  # fmt: skip
    room = {"kind": "room", "amount": "300", "spent_on": "2026-11-11", "paid_from": "cash", "reference": "",
            "key": "r" * 22}  # fmt: skip
    before = Entry.objects.count()
    first = client.post(URL + "costs/", trainer, follow=True)
    assert any(text.startswith("Coût enregistré") for text in _messages(first))
    second = client.post(URL + "costs/", trainer, follow=True)  # the same page submitted twice
    assert any(text.startswith("Ce coût était déjà enregistré") for text in _messages(second))
    client.post(URL + "costs/", room)
    assert Entry.objects.count() == before + 2
    body = client.get(URL).content.decode()
    assert amount("1 500,00") in _row(body, 'id="result-costs"')
    assert amount("1 050,00") in _row(body, 'id="result-fees"')
    assert amount("700,00") in _row(body, 'id="result-subsidies"')
    assert amount("250,00") in _row(body, 'id="result-result"')
    assert amount("1 200,00") in _row(body, f'data-account="{accounts.FEES_HONORARIA}"')
    assert amount("300,00") in _row(body, f'data-account="{accounts.BUILDING_RENT}"')
    assert amount("1 050,00") in _row(body, 'data-account="7124"')
    # a refusal keeps the form and says why in the user's words, nothing posted
    bad = client.post(URL + "costs/", {**room, "amount": "-5", "key": "z" * 22})
    assert bad.status_code == 400
    assert Entry.objects.count() == before + 2


def test_who_reaches_the_session_pages(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    auditor = UserFactory(username="auditrice", role=Role.AUDITOR)
    other_trainer = UserFactory(username="autre-formatrice", role=Role.TRAINER)
    representative = RepresentativeFactory(organization=t["exempt"])
    assert _client(representative).get(URL).status_code == 403  # representatives use the portal
    assert _client(other_trainer).get(URL).status_code == 404  # not its session: like a missing one
    trainer_page = _client(t["trainer_user"]).get(URL)
    assert trainer_page.status_code == 200
    assert 'id="result"' not in trainer_page.content.decode()  # no money for the trainer
    # QA: the trainer read the fee and the funders' shares; neither is for it
    for money in ('id="session-fee"', 'id="session-funders"', "350,00", "INDH"):
        assert money not in trainer_page.content.decode(), money
    assert _client(t["trainer_user"]).post(URL + "enrol/", {"organization": "coop-olive"}).status_code == 403
    reader = _client(auditor)
    assert reader.get(URL + "bill/").status_code == 200
    assert reader.post(URL + "bill/", {"on": "2026-11-12"}).status_code == 403
    assert reader.post(URL + "costs/", {}).status_code == 403
    body = reader.get(URL).content.decode()
    assert 'id="result"' in body
    assert 'id="cost-form"' not in body
    assert 'id="enrol-form"' not in body


def test_the_enrolments_export(training: dict[str, Any]) -> None:  # noqa: F811
    t = training
    (a1,) = people(t["exempt"], 1, "A")
    enrol(session=t["session"], cooperator=a1, on=ENROLLED_ON, acting_user=t["staff"])
    client = _client(t["staff"])
    csv = client.get(URL + "?export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "A1 coop-olive" in csv.content.decode("utf-8-sig")
    xlsx = client.get(URL + "?export=xlsx")
    assert xlsx.content.startswith(b"PK")
    assert client.get(URL + "?export=pdf").status_code == 200  # an odd value shows the page
