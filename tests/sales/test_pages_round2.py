"""The sales pages after the round 2 user pass (issue 12): histories name people, members and events by their
names, not their slugs or usernames; a member's settlements at an event show what each one kept, as the
settlement list does; amounts in forms read "80,00" in French; the event page's buttons have one size; a permanent
event's dates say it has no end; every page links a favicon.

Figures of the ``paid`` fixture (tests/sales/test_pages_settlements.py): coop-miel sold 1 870.00 TTC, the GIE paid
its 2 missing pots 240.00; settled on 30/11/2026: commission TTC 224.40, net 1 885.60."""

import html
from datetime import date
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation

from gie_erp.core.audit import audit_record
from gie_erp.core.forms import AmountField
from gie_erp.core.roles import Role
from sales import events as services
from sales.consignment import deposits_record
from sales.models import Event, SummaryRun
from sales.settlements import settle
from tests.factories.members import UserFactory
from tests.sales import test_consignment, test_pages_settlements
from tests.sales.conftest import TODAY, D

pytestmark = pytest.mark.django_db
honey, paid = test_consignment.honey, test_pages_settlements.paid  # the fixtures, for these tests too
EVENT = "/sales/events/foire-tanger-2026/"


def amt(text: str) -> str:
    return text.replace(" ", "\u202f")


@pytest.fixture
def youssef(db: Any) -> Any:
    return UserFactory(username="comptable-y", role=Role.GIE_ACCOUNTANT, first_name="Youssef", last_name="El Idrissi")


def history_of(body: str) -> str:
    return body[body.index("audit-history") :]


# Histories ---------------------------------------------------------------------------------------------------------


def test_the_event_history_names_the_member_and_the_sellers(client: Client, fair: dict[str, Any], youssef: Any) -> None:
    event = fair["event"]
    seller = UserFactory(username="vendeur", role=Role.FAIR_SELLER, first_name="Imane", last_name="Bennani")
    services.event_save(
        event=event,
        data={"name_fr": event.name_fr},
        stands=[(p.organization, p.stand) for p in event.participations.select_related("organization")],
        sellers=[seller],
        acting_user=youssef,
    )
    deposits_record(event=event, organization=fair["registered"], quantities={fair["products"]["miel"].pk: D("5")},
                    on=event.starts_on, acting_user=youssef)  # fmt: skip
    client.force_login(youssef)
    history = html.unescape(history_of(client.get(EVENT).content.decode()))
    assert "vendeurs : Imane Bennani" in history
    assert "membre : Coopérative Nahla" in history
    assert "coop-miel" not in history
    assert "vendeurs : vendeur" not in history
    assert "Youssef El Idrissi" in history


def test_the_settlement_history_names_the_event(client: Client, paid: dict[str, Any], youssef: Any) -> None:
    settlement = settle(paid["event"], paid["registered"], on=TODAY, acting_user=youssef, today=TODAY)
    client.force_login(youssef)
    history = html.unescape(history_of(client.get(f"/sales/settlements/{settlement.pk}/").content.decode()))
    assert "événement : Foire régionale de Tanger 2026" in history
    assert "foire-tanger-2026" not in history
    with translation.override("ar"):
        client.cookies["django_language"] = "ar"
        arabic = html.unescape(history_of(client.get(f"/sales/settlements/{settlement.pk}/").content.decode()))
    assert "المعرض الجهوي بطنجة 2026" in arabic  # the event's Arabic name in an Arabic page


def test_the_product_history_names_the_members_and_the_person(
    client: Client, fair: dict[str, Any], youssef: Any
) -> None:
    product = fair["products"]["amlou"]
    audit_record(actor=youssef, event="sales.product_updated", target=product, tenant_id=fair["registered"].pk,
                 data={"fields": ["organization"], "previous_member": "coop-olive", "member": "coop-miel"})  # fmt: skip
    client.force_login(youssef)
    body = html.unescape(client.get(f"/sales/products/{product.pk}/").content.decode())
    history = body[body.index("Historique") :]
    assert "membre : Coopérative Nahla ; membre précédent : Coopérative Zitouna" in history
    assert "coop-olive" not in history
    assert '<td class="history-actor">Youssef El Idrissi</td>' in history
    assert "comptable-y" not in history


def test_a_slug_that_names_nothing_stays_as_stored(client: Client, fair: dict[str, Any], youssef: Any) -> None:
    audit_record(actor=youssef, event="sales.deposits_recorded", target=fair["event"],
                 data={"count": 1, "member": "coop-disparue"})  # fmt: skip
    client.force_login(youssef)
    assert "membre : coop-disparue" in html.unescape(history_of(client.get(EVENT).content.decode()))


def test_the_summary_runs_name_who_asked(client: Client, fair: dict[str, Any], youssef: Any) -> None:
    SummaryRun.objects.create(event=fair["event"], requested_by=youssef)
    client.force_login(youssef)
    body = client.get(EVENT).content.decode()
    runs = body[body.index('id="event-runs"') :]
    assert '<td class="run-by">Youssef El Idrissi</td>' in runs


# A member at an event ----------------------------------------------------------------------------------------------


def test_the_member_page_shows_what_each_settlement_kept(client: Client, paid: dict[str, Any], youssef: Any) -> None:
    settlement = settle(paid["event"], paid["registered"], on=TODAY, today=TODAY)
    assert (settlement.commission_netted, settlement.offsets) == (D("224.40"), D("0.00"))
    client.force_login(youssef)
    body = html.unescape(client.get(f"{EVENT}members/coop-miel/").content.decode())
    table = body[body.index('id="member-settlements"') :]
    table = table[: table.index("</table>")]
    assert "Commission TTC retenue" in table
    assert "Marchandise manquante payée par le GIE" in table
    assert "Autres factures retenues" in table
    assert "Compensations" not in table
    row = table[table.index(f'data-id="{settlement.pk}"') :]

    def cell(name: str) -> str:
        return row[row.index(f"settlement-{name}") :].split("</td>")[0]

    assert amt("240,00") in cell("differences")
    assert amt("224,40") in cell("commission")
    assert amt("1 885,60") in cell("net")
    # the same figures as the settlement list
    listing = html.unescape(client.get("/sales/settlements/").content.decode())
    listed = listing[listing.index(f'data-id="{settlement.pk}"') :]
    listed = listed[: listed.index("</tr>")]
    for figure in ("1 870,00", "240,00", "224,40", "1 885,60"):
        assert amt(figure) in row, figure
        assert amt(figure) in listed, figure


def test_the_member_page_hides_the_gie_column_when_it_paid_nothing(
    client: Client, honey: dict[str, Any], youssef: Any
) -> None:
    from sales.summaries import summarize

    summarize(honey["event"], today=TODAY)
    settle(honey["event"], honey["registered"], on=TODAY, today=TODAY)
    client.force_login(youssef)
    body = html.unescape(client.get(f"{EVENT}members/coop-miel/").content.decode())
    table = body[body.index('id="member-settlements"') :]
    assert "Marchandise manquante payée par le GIE" not in table[: table.index("</table>")]
    assert amt("224,40") in table  # 10 % of 1 870.00 + 20 % VAT, kept on the net


# Forms, buttons, dates, favicon ------------------------------------------------------------------------------------


def test_an_amount_field_shows_its_initial_value_with_a_comma() -> None:
    field = AmountField()
    assert field.prepare_value(D("70.00")) == "70,00"
    assert field.prepare_value(D("1234.5")) == "1234,50"
    assert field.prepare_value(D("-3.10")) == "-3,10"
    assert field.prepare_value(12) == "12,00"
    assert field.prepare_value("70.00") == "70.00"  # what a person typed is shown again as typed
    assert field.clean(field.prepare_value(D("1234.50"))) == D("1234.50")  # and reads back


def test_the_product_form_shows_the_price_with_a_comma(client: Client, fair: dict[str, Any], youssef: Any) -> None:
    client.force_login(youssef)
    body = client.get(f"/sales/products/{fair['products']['huile'].pk}/edit/").content.decode()
    assert 'value="80,00"' in body
    assert 'value="80.00"' not in body


def test_the_settle_button_has_the_size_of_its_neighbours(client: Client, fair: dict[str, Any], youssef: Any) -> None:
    client.force_login(youssef)
    body = client.get(EVENT).content.decode()
    commands = body[body.index('id="event-commands"') :]
    commands = commands[: commands.index("</div>")]
    # every command is a button (the toolbar's links are smaller): this one a GET form to the preview
    assert '<form method="get" action="/sales/events/foire-tanger-2026/settle/"><button class="secondary" ' in commands
    assert 'role="button"' not in commands


def test_a_permanent_event_says_it_has_no_end(client: Client, fair: dict[str, Any], youssef: Any) -> None:
    shop = Event.objects.create(channel=fair["channel"], slug="boutique", name_fr="Boutique du GIE",
                                starts_on=date(2026, 1, 5), ends_on=None)  # fmt: skip
    client.force_login(youssef)
    page = html.unescape(client.get(f"/sales/events/{shop.slug}/").content.decode())
    assert "depuis le 05/01/2026 (sans date de fin)" in page[page.index('id="event-dates"') :][:200]
    listing = html.unescape(client.get("/sales/events/").content.decode())
    assert "depuis le 05/01/2026 (sans date de fin)" in listing
    assert "20/11/2026 – 29/11/2026" in listing  # an event with an end keeps its range


def test_every_page_links_a_favicon_that_exists(client: Client, youssef: Any) -> None:
    client.force_login(youssef)
    body = client.get("/sales/events/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in body
    assert finders.find("favicon.svg")
