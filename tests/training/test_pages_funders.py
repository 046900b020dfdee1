"""Funders' pages: what each funder earned, was paid and still owes, and its payments.

After the issue's session is billed INDH owes 700.00 (5 attendees × 140.00; GIE Dr 34512 / Cr 7161). A payment of
700.00 clears 34512 (Dr 5141 / Cr 34512: 34512 back to 0.00); a further 0.01 is refused with the service's message;
the same page submitted twice records one payment."""

from typing import Any

import pytest
from django.test import Client

from gie_erp.core.i18n import NARROW_NBSP
from gie_erp.core.roles import Role
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.training.conftest import BILLED_ON, TODAY, D, balance, training  # noqa: F401
from tests.training.test_billing import _issue_case
from training.models import Funder, Grant, SubsidyPayment
from training.services import session_bill

URL = "/training/funders/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _row(body: str, marker: str) -> str:
    start = body.index(marker)
    return body[body.rindex("<tr", 0, start) : body.index("</tr>", start)]


def _figure(row: str, name: str) -> str:
    start = row.index(f'data-figure="{name}"')
    return row[start : row.index("</td>", start)]


def amount(text: str) -> str:
    return text.replace(" ", NARROW_NBSP)


@pytest.fixture
def billed(training: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:  # noqa: F811
    _issue_case(training)
    session_bill(session=training["session"], on=BILLED_ON, acting_user=training["staff"], today=TODAY)
    monkeypatch.setattr("training.views.funders.local_today", lambda: TODAY)
    return training


def _payment(value: str, key: str, **extra: Any) -> dict[str, Any]:
    return {"amount": value, "received_on": "2026-11-20", "method": "bank", "reference": "VIR 1", "key": key, **extra}


def test_a_payment_clears_34512_and_a_further_centime_is_refused(billed: dict[str, Any]) -> None:
    t = billed
    client = _client(t["staff"])
    row = _row(client.get(URL).content.decode(), 'data-funder="indh"')
    assert ">700,00<" in _figure(row, "earned")
    assert ">0,00<" in _figure(row, "paid")
    assert ">700,00<" in _figure(row, "owed")
    assert balance(t["gie"], "34512") == D("700.00")
    paid = client.post(URL + "indh/payments/", _payment("700,00", "a" * 22), follow=True)
    assert "Versement de 700,00 DH de INDH enregistré." in _messages(paid)
    assert balance(t["gie"], "34512") == D("0.00")
    assert balance(t["gie"], "5141") == D("700.00")
    twice = client.post(URL + "indh/payments/", _payment("700,00", "a" * 22), follow=True)  # a double submit
    assert "Ce versement de 700,00 DH était déjà enregistré : rien de plus." in _messages(twice)
    assert SubsidyPayment.objects.count() == 1
    more = client.post(URL + "indh/payments/", _payment("0,01", "b" * 22))
    assert more.status_code == 400
    assert "Versement de 0,01 DH refusé : INDH ne doit plus que 0,00 DH pour les sessions facturées." in _messages(more)
    assert SubsidyPayment.objects.count() == 1
    assert balance(t["gie"], "34512") == D("0.00")
    row = _row(client.get(URL).content.decode(), 'data-funder="indh"')
    assert ">700,00<" in _figure(row, "paid")
    assert ">0,00<" in _figure(row, "owed")
    detail = client.get(URL + "indh/").content.decode()
    assert "VIR 1" in detail
    assert 'data-session="gestion-2026-11"' in detail


def test_a_payment_under_another_funders_grant_or_typed_wrong_is_refused(billed: dict[str, Any]) -> None:
    t = billed
    other = Grant.objects.create(
        funder=Funder.objects.create(slug="region", name_fr="Région"),
        reference="R-1",
        title_fr="Région",
        starts_on=TODAY,
        ends_on=TODAY,
    )
    client = _client(t["staff"])
    wrong_grant = client.post(URL + "indh/payments/", _payment("10,00", "c" * 22, grant=other.pk))
    assert wrong_grant.status_code == 400  # not among INDH's grants: a message on the field
    typo = client.post(URL + "indh/payments/", _payment("1.234", "d" * 22))
    assert typo.status_code == 400
    stale = client.post(URL + "indh/payments/", _payment("10,00", "not a key!"))
    assert "Formulaire périmé" in stale.content.decode()
    assert not SubsidyPayment.objects.exists()


def test_the_funder_list_exports(billed: dict[str, Any]) -> None:
    client = _client(billed["staff"])
    csv = client.get(URL + "?export=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "INDH" in text
    assert "700.00" in text
    assert client.get(URL + "?export=xlsx").content.startswith(b"PK")


def test_who_reaches_the_funders_pages(billed: dict[str, Any]) -> None:
    t = billed
    auditor = _client(UserFactory(username="auditrice", role=Role.AUDITOR))
    assert auditor.get(URL).status_code == 200
    page = auditor.get(URL + "indh/")
    assert page.status_code == 200
    assert 'id="payment-form"' not in page.content.decode()
    assert auditor.post(URL + "indh/payments/", _payment("1,00", "e" * 22)).status_code == 403
    representative = _client(RepresentativeFactory(organization=t["exempt"]))
    assert representative.get(URL).status_code == 403
    assert representative.get(URL + "indh/").status_code == 403
    assert _client(t["trainer_user"]).get(URL).status_code == 403
    assert _client(t["staff"]).get(URL + "no-such-funder/").status_code == 404
