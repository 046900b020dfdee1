"""The cooperative portal's sales: a representative sees its own takings per event, its products, its stock and its
settlements (with the note), in Arabic or French, and never another member's figures (404 like a missing page).
Figures of ``tests/sales/sold.py``: coop-miel sold 415.00 (3 tickets), settled on 30/11/2026 for 365.20 net."""

from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from members.models import Organization
from sales.consignment import deposits_record
from sales.settlements import settle
from sales.summaries import summarize
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.invoices.conftest import world  # noqa: F401 (the fixture the sales world builds on)
from tests.sales.conftest import TODAY, D, _fair
from tests.sales.sold import sell

pytestmark = pytest.mark.django_db


def amt(text: str) -> str:
    return text.replace(" ", "\u202f")


@pytest.fixture
def fair(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811 (the invoices fixture)
    return _fair(world)


@pytest.fixture
def miel(client: Client, fair: dict[str, Any]) -> Client:
    client.force_login(RepresentativeFactory(username="rep-miel", organization=fair["registered"]))
    return client


def _get(client: Client, url: str, language: str = "fr") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_events_list_shows_only_its_own_takings(miel: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    body = _get(miel, "/portal/sales/")
    assert "Foire régionale de Tanger 2026" in body
    assert amt("415,00") in body
    assert "3 tickets" in body
    for other in (amt("1 025,00"), amt("160,00"), amt("450,00"), "Zitouna", "Zarbia"):
        assert other not in body, other  # the event's total and the other members' figures
    assert "/portal/sales/" in _get(miel, "/portal/invoices/")  # the menu leads there


def test_an_event_page_in_arabic_with_products_stock_and_settlements(miel: Client, fair: dict[str, Any]) -> None:
    Organization.objects.filter(pk=fair["tapis"].pk).update(address="Ouezzane")
    sell(fair)
    deposits_record(
        event=fair["event"], organization=fair["registered"], quantities={fair["products"]["miel"].pk: D("10")},
        on=date(2026, 11, 19), acting_user=None,
    )  # fmt: skip
    summarize(fair["event"], today=TODAY)
    settlement = settle(fair["event"], fair["registered"], on=TODAY, today=TODAY)
    body = _get(miel, "/portal/sales/foire-tanger-2026/", "ar")
    assert 'dir="rtl"' in body
    assert "المعرض الجهوي بطنجة 2026" in body
    assert "عسل الزعتر 250 غ" in body
    assert "أملو 250 غ" in body
    assert "زيت الزيتون" not in body
    # takings 415.00; kept 49.80 (commission); paid 365.20; nothing left to settle
    for figure in ("415,00", "49,80", "365,20"):
        assert amt(figure) in body, figure
    assert 'id="sales-left"' not in body
    stock = body[body.index('id="stock"') :]
    assert '<td class="num">10</td><td class="num">3</td>' in stock  # deposited 10, sold 1 + 3 − 1
    assert f"/sales/settlements/{settlement.pk}/note.pdf" in body
    note = _get(miel, f"/portal/sales/settlements/{settlement.pk}/")
    assert amt("365,20") in note
    assert amt("49,80") in note
    assert "3 tickets" in note
    assert miel.get(f"/sales/settlements/{settlement.pk}/note.pdf").status_code == 200


def test_another_members_event_or_settlement_is_a_404(miel: Client, fair: dict[str, Any]) -> None:
    from sales.models import Event, Participation

    alone = Event.objects.create(channel=fair["channel"], slug="salon-olive", name_fr="Salon de l'olive",
                                 starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 2))  # fmt: skip
    Participation.objects.create(event=alone, organization=fair["exempt"])
    sell(fair)
    summarize(fair["event"], today=TODAY)
    theirs = settle(fair["event"], fair["exempt"], on=TODAY, today=TODAY)
    assert miel.get("/portal/sales/salon-olive/").status_code == 404
    assert miel.get("/portal/sales/no-such-event/").status_code == 404
    assert miel.get(f"/portal/sales/settlements/{theirs.pk}/").status_code == 404
    assert miel.get(f"/sales/settlements/{theirs.pk}/note.pdf").status_code == 404
    assert "Salon de l" not in _get(miel, "/portal/sales/")


def test_the_portal_is_for_representatives(client: Client, fair: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="compta-portail"))
    assert client.get("/portal/sales/").status_code == 403
    client.force_login(fair["seller"])
    assert client.get("/portal/sales/foire-tanger-2026/").status_code == 403
