"""The sales pages of the GIE's staff: channels, events (list, form, page, state), held tickets, summarizing with its
progress, a member at an event. Figures are the hand-computed ones of ``tests/sales/sold.py``."""

import html
from datetime import date
from typing import Any

import pytest
from django.test import Client

from gie_erp.core.models import AuditEvent
from gie_erp.core.roles import Role
from sales.models import Channel, Event, Participation, SalesTerms, SummaryRun, SyncConflict
from sales.tickets import tickets_ingest
from tests.factories.members import RepresentativeFactory, UserFactory
from tests.sales.conftest import D, at, ticket
from tests.sales.sold import NOW, sell

pytestmark = pytest.mark.django_db


def amt(text: str) -> str:
    """An amount as the pages print it: narrow no-break spaces between thousands."""
    return text.replace(" ", "\u202f")


@pytest.fixture
def staff(client: Client, fair: dict[str, Any]) -> Client:
    client.force_login(UserFactory(username="compta-ventes", role=Role.GIE_ACCOUNTANT))
    return client


def test_the_event_page_shows_the_tickets_to_the_centime(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    body = staff.get("/sales/events/foire-tanger-2026/").content.decode()
    # 1 025.00 TTC of which 65.00 VAT, 4 tickets, none summarized yet
    assert amt("1 025,00") in body
    assert amt("65,00") in body
    assert 'id="total-tickets">4<' in body
    assert 'id="total-unsummarized">4<' in body
    # per method: card 100.00, cash 475.00, mobile 450.00 (they sum to 1 025.00)
    for figure in ("100,00", "475,00", "450,00"):
        assert amt(figure) in body
    # per member: olive 160.00, miel 415.00 (VAT 65.00), tapis 450.00, each left to settle
    members = body[body.index('id="event-members"') :]
    assert members.index("coop-olive") < members.index(amt("160,00"))
    assert amt("415,00") in members
    assert amt("450,00") in members


def test_the_list_filters_and_exports(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    Event.objects.create(channel=fair["channel"], slug="salon-rabat", name_fr="Salon de Rabat",
                         starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 5))  # fmt: skip
    body = staff.get("/sales/events/?q=tanger").content.decode()
    assert "foire-tanger-2026" in body
    assert "salon-rabat" not in body
    assert amt("1 025,00") in body
    assert "salon-rabat" in staff.get("/sales/events/?year=2026&state=planned").content.decode()
    csv = staff.get("/sales/events/?export=csv").content.decode("utf-8-sig")
    assert "foire-tanger-2026" in csv
    assert "1025.00" in csv


@pytest.mark.parametrize(
    "query",
    ["?year=abc", "?year=99999", "?state=zzz", "?channel=nope", "?page=999999", "?page=-1", "?q=%00%27%3B",
     "?q=" + "x" * 500],
)  # fmt: skip
def test_odd_query_strings_never_break_the_list(staff: Client, fair: dict[str, Any], query: str) -> None:
    assert staff.get("/sales/events/" + query).status_code == 200


def test_a_seller_sees_only_its_events_and_nothing_of_the_accounts(client: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    other = Event.objects.create(channel=fair["channel"], slug="salon-fes", name_fr="Salon de Fès",
                                 starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 3))  # fmt: skip
    client.force_login(fair["seller"])
    body = client.get("/sales/events/").content.decode()
    assert "foire-tanger-2026" in body
    assert "salon-fes" not in body
    assert client.get(f"/sales/events/{other.slug}/").status_code == 404
    page = client.get("/sales/events/foire-tanger-2026/").content.decode()
    assert amt("1 025,00") in page
    assert "/members/coop-miel/" not in page
    for url in ("/sales/reports/", "/sales/settlements/", "/sales/events/foire-tanger-2026/held/",
                "/sales/events/foire-tanger-2026/members/coop-miel/", "/sales/channels/"):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_a_representative_gets_403_on_the_staff_pages(client: Client, fair: dict[str, Any]) -> None:
    client.force_login(RepresentativeFactory(organization=fair["registered"]))
    for url in ("/sales/events/", "/sales/events/foire-tanger-2026/", "/sales/reports/", "/sales/channels/"):
        assert client.get(url).status_code == 403, url


def test_creating_an_event_with_its_stands_and_sellers(staff: Client, fair: dict[str, Any]) -> None:
    seller = fair["seller"]
    response = staff.post(
        "/sales/events/new/",
        {
            "channel": fair["channel"].pk, "name_fr": "Foire de Tétouan", "name_ar": "معرض تطوان",
            "slug": "foire-tetouan", "starts_on": "2026-12-10", "ends_on": "2026-12-14", "place": "Feddan",
            "commission_rate": "7,5", "stands": "coop-olive ; A1\ncoop-miel\tB2\n" + fair["tapis"].ice,
            "sellers": [seller.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(slug="foire-tetouan")
    assert event.commission_rate == D("0.0750")
    assert event.rate == D("0.0750")
    stands = set(Participation.objects.filter(event=event).values_list("organization__slug", "stand"))
    assert stands == {("coop-olive", "A1"), ("coop-miel", "B2"), ("coop-tapis", "")}
    assert list(event.sellers.all()) == [seller]
    assert AuditEvent.objects.filter(event="sales.event_created", target_id=str(event.pk)).count() == 1


def test_an_unreadable_stand_line_is_named_and_nothing_is_saved(staff: Client, fair: dict[str, Any]) -> None:
    response = staff.post(
        "/sales/events/new/",
        {"channel": fair["channel"].pk, "name_fr": "X", "slug": "x-event", "starts_on": "2026-12-10",
         "ends_on": "2026-12-01", "stands": "coop-olive\ncoop-inconnue ; A2\ncoop-olive"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 2 : membre inconnu « coop-inconnue »." in body
    assert "Ligne 3 : coop-olive est déjà dans la liste." in body
    assert "La date de fin précède la date de début" in body
    assert not Event.objects.filter(slug="x-event").exists()


def _edit(fair: dict[str, Any], **changes: Any) -> dict[str, Any]:
    event = fair["event"]
    data = {
        "channel": event.channel_id, "name_fr": event.name_fr, "name_ar": event.name_ar, "starts_on": "2026-11-20",
        "ends_on": "2026-11-29", "place": event.place, "commission_rate": "",
        "stands": "coop-olive ; A1\ncoop-miel ; B2\ncoop-tapis ; C3", "sellers": [fair["seller"].pk],
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_member_that_sold_stays_and_dates_keep_the_tickets(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    url = "/sales/events/foire-tanger-2026/edit/"
    dropped = staff.post(url, _edit(fair, stands="coop-olive ; A1\ncoop-tapis ; C3")).content.decode()
    assert "Coopérative Nahla a déjà des ventes" in dropped
    assert Participation.objects.filter(event=fair["event"]).count() == 3
    # tickets on 21 and 22 Nov; the till accepts a day either side, so the event may start on the 23rd at most
    narrowed = staff.post(url, _edit(fair, starts_on="2026-11-24")).content.decode()
    assert "Des tickets seraient hors des dates (du 24/11/2026 au 29/11/2026) : 4." in narrowed
    assert Event.objects.get(pk=fair["event"].pk).starts_on == date(2026, 11, 20)
    moved = staff.post(url, _edit(fair, stands="coop-olive ; A9\ncoop-miel ; B2\ncoop-tapis ; C3"))
    assert moved.status_code == 302
    assert Participation.objects.get(event=fair["event"], organization=fair["exempt"]).stand == "A9"


def test_the_state_buttons_open_and_close_the_event(staff: Client, fair: dict[str, Any]) -> None:
    assert staff.post("/sales/events/foire-tanger-2026/state/", {"state": "closed"}).status_code == 302
    assert Event.objects.get(pk=fair["event"].pk).state == Event.State.CLOSED
    staff.post("/sales/events/foire-tanger-2026/state/", {"state": "nonsense"})
    assert Event.objects.get(pk=fair["event"].pk).state == Event.State.CLOSED
    assert AuditEvent.objects.filter(event="sales.event_state_changed").count() == 1


def test_held_tickets_are_listed_with_their_reason(staff: Client, fair: dict[str, Any]) -> None:
    p = fair["products"]
    short = ticket(fair["event"], [(p["tapis"], "1", "450.00")], [("cash", "400.00")], sequence=9, sold_at=at(23))
    tickets_ingest([short], device=fair["device"], now=NOW)
    assert SyncConflict.objects.count() == 1
    body = staff.get("/sales/events/foire-tanger-2026/held/").content.decode()
    assert "ne font pas le total" in body
    assert short["id"][:8] in body
    assert "1 ticket retenu" in staff.get("/sales/events/foire-tanger-2026/").content.decode()


def test_summarizing_runs_and_its_progress_stops_polling(
    staff: Client, fair: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    sell(fair)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/sales/events/foire-tanger-2026/summarize/")
    run = SummaryRun.objects.get()
    assert response["Location"] == f"/sales/events/foire-tanger-2026/runs/{run.pk}/"
    assert (run.state, run.ticket_count, run.days_total, run.days_done) == ("done", 4, 2, 2)
    fragment = staff.get(f"/sales/events/foire-tanger-2026/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 286  # htmx stops polling
    assert 'id="summary-tickets">4<' in fragment.content.decode()
    assert staff.get(f"/sales/events/foire-tanger-2026/runs/{run.pk + 1}/").status_code == 404


def test_a_member_at_an_event_and_its_sales_terms(staff: Client, fair: dict[str, Any]) -> None:
    sell(fair)
    body = staff.get("/sales/events/foire-tanger-2026/members/coop-miel/").content.decode()
    assert 'id="member-amount"' in body
    assert amt("415,00") in body
    # 21 Nov: card 52.24, cash 122.76 (T1's shares); 22 Nov: cash 360.00 − 120.00 = 240.00
    for figure in ("52,24", "122,76", "175,00", "240,00"):
        assert amt(figure) in body
    assert "Huile" not in body  # another member's product
    assert staff.get("/sales/events/foire-tanger-2026/members/coop-inconnue/").status_code == 404
    staff.post("/sales/events/foire-tanger-2026/members/coop-miel/terms/", {"offset_other_invoices": "on"})
    assert SalesTerms.objects.get(organization=fair["registered"]).offset_other_invoices is True


def test_channels_take_a_rate_in_percent_and_known_accounts(staff: Client, fair: dict[str, Any]) -> None:
    data = {
        "name_fr": "Boutique", "slug": "boutique", "kind": "shop", "commission_rate": "12,5",
        "commission_base": "ttc", "cash_account": "5161", "card_account": "5115", "mobile_account": "5115",
        "cheque_account": "5111", "is_active": "on",
    }  # fmt: skip
    refused = html.unescape(staff.post("/sales/channels/new/", {**data, "card_account": "9999999"}).content.decode())
    assert "Le compte 9999999 n'existe pas dans le plan comptable." in refused
    assert staff.post("/sales/channels/new/", {**data, "commission_rate": "150"}).status_code == 200
    assert staff.post("/sales/channels/new/", data).status_code == 302
    assert Channel.objects.get(slug="boutique").commission_rate == D("0.1250")
    assert "12,5" in staff.get("/sales/channels/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/sales/settlements/" + "9" * 30 + "/",
        "/sales/settlements/" + "9" * 30 + "/note.pdf",
        "/sales/events/foire-tanger-2026/runs/" + "9" * 30 + "/progress/",
        "/sales/events/no-such-event/",
        "/sales/events/no-such-event/members/coop-miel/",
        "/sales/events/foire-tanger-2026/settle/no-such-coop/",
        "/sales/channels/no-such-channel/",
    ],
)
def test_odd_addresses_are_404(staff: Client, fair: dict[str, Any], url: str) -> None:
    assert staff.get(url).status_code == 404


@pytest.mark.parametrize("query", ["?event=nope&member=x&start=2026-99-01", "?end=1&page=zz", "?start=9999-12-31"])
def test_odd_settlement_filters_never_break(staff: Client, fair: dict[str, Any], query: str) -> None:
    assert staff.get("/sales/settlements/" + query).status_code == 200
    assert staff.get("/sales/events/foire-tanger-2026/settle/" + query.replace("start", "on")).status_code == 200


def test_sales_root_lists_the_events_and_the_event_form_links_to_a_new_channel(
    client: Any, accountant: Any, fair: dict[str, Any]
) -> None:
    """QA: /sales/ answered 404 and a fresh install's event form had an empty channel list and no way on."""
    client.force_login(accountant)
    assert fair["event"].name_fr in client.get("/sales/").content.decode()
    assert 'id="channel-new"' in client.get("/sales/events/new/").content.decode()
