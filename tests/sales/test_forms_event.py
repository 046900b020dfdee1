"""The event form after the user pass (issue 12). Pressing Enter in a date field sent the form with an empty end date
(a browser sends a date typed halfway as empty too): the fair was saved as a permanent shop, without its members
and sellers. Now only the shop goes without an end date, Enter moves to the next field, and every refusal is said
once."""

import html
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.roles import Role
from sales.models import Channel, Event
from tests.factories.members import UserFactory
from tests.sales.sold import sell

pytestmark = pytest.mark.django_db
NOTHING_SAVED = "Corrigez les champs signalés : rien n'a été enregistré."


@pytest.fixture
def staff(client: Client, accountant: Any, fair: dict[str, Any]) -> Client:
    client.force_login(accountant)
    return client


def new_event(fair: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {"channel": fair["channel"].pk, "name_fr": "Foire de Tétouan", "slug": "foire-tetouan",
            "starts_on": "2026-12-10", "ends_on": "2026-12-14", "stands": "coop-olive ; A1",
            "sellers": [fair["seller"].pk]}  # fmt: skip
    data.update(changes)
    return data


def test_a_fair_without_its_end_date_is_not_saved(staff: Client, fair: dict[str, Any]) -> None:
    # what the browser sends when Enter is pressed in « Du » before the rest is typed, or « Au » is typed halfway
    response = staff.post("/sales/events/new/", new_event(fair, ends_on="", stands="", sellers=[]))
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    ends = body[body.index('name="ends_on"') :]
    assert ends.index("Indiquez la date de fin (jour, mois et année) : seule la boutique permanente n'en a pas.") < (
        ends.index('name="commune"')
    )
    assert not Event.objects.filter(slug="foire-tetouan").exists()
    assert staff.post("/sales/events/new/", new_event(fair)).status_code == 302
    event = Event.objects.get(slug="foire-tetouan")
    assert (str(event.ends_on), event.participations.count(), event.sellers.count()) == ("2026-12-14", 1, 1)


def test_the_shop_alone_goes_without_an_end_date(staff: Client, fair: dict[str, Any]) -> None:
    shop = Channel.objects.create(slug="boutique", name_fr="Boutique partagée", kind=Channel.Kind.SHOP)
    response = staff.post("/sales/events/new/", new_event(fair, channel=shop.pk, slug="boutique-gie", ends_on=""))
    assert response.status_code == 302
    assert Event.objects.get(slug="boutique-gie").ends_on is None


def test_enter_moves_to_the_next_field_and_the_end_date_follows_the_channel(staff: Client, fair: Any) -> None:
    shop = Channel.objects.create(slug="boutique", name_fr="Boutique partagée", kind=Channel.Kind.SHOP)
    body = staff.get("/sales/events/new/").content.decode()
    assert f'data-shops="{shop.pk}"' in body  # the script makes « Au » required for any other channel
    script = body[body.index('<script type="module">') :]
    assert 'event.key !== "Enter"' in script
    assert "next.focus()" in script
    assert "ends.required" in script


def test_a_refusal_is_said_once(staff: Client, fair: dict[str, Any]) -> None:
    bad = staff.post("/sales/events/new/", new_event(fair, ends_on="2026-12-01", stands="coop-inconnue"))
    body = html.unescape(bad.content.decode())
    assert body.count(NOTHING_SAVED) == 1
    assert "Rien n'a été enregistré : corrigez les champs signalés." not in body  # the same, again, at the top
    assert body.count("La date de fin précède la date de début : inversez-les.") == 1
    sell(fair)
    edit = {"channel": fair["channel"].pk, "name_fr": fair["event"].name_fr, "starts_on": "2026-11-20",
            "ends_on": "2026-11-29", "stands": "coop-olive ; A1", "sellers": [fair["seller"].pk]}  # fmt: skip
    dropped = html.unescape(staff.post("/sales/events/foire-tanger-2026/edit/", edit).content.decode())
    assert dropped.count("a déjà des ventes, un dépôt ou un règlement à cet événement") == 1
    assert dropped.count(NOTHING_SAVED) == 1


def test_a_seller_who_changed_role_is_not_dropped_silently(staff: Client, fair: dict[str, Any]) -> None:
    seller, newcomer = fair["seller"], UserFactory(username="youssef", role=Role.FAIR_SELLER)
    seller.role = Role.GIE_ACCOUNTANT
    seller.save(update_fields=["role"])
    body = staff.get("/sales/events/foire-tanger-2026/edit/").content.decode()
    assert f'value="{seller.pk}"' in body  # still listed, still ticked
    edit = {"channel": fair["channel"].pk, "name_fr": fair["event"].name_fr, "starts_on": "2026-11-20",
            "ends_on": "2026-11-29", "stands": "coop-olive ; A1\ncoop-miel ; B2\ncoop-tapis ; C3",
            "sellers": [seller.pk, newcomer.pk]}  # fmt: skip
    assert staff.post("/sales/events/foire-tanger-2026/edit/", edit).status_code == 302
    assert set(fair["event"].sellers.values_list("username", flat=True)) == {"imane", "youssef"}
