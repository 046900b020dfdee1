"""The till's JSON API: device auth, per-ticket answers, replays, conflicts, limits, odd input (never a 500), the
rate limit, shifts and their Z through the API, the shared shop."""

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gie_erp.core.roles import Role
from sales.models import (
    Channel,
    Device,
    Event,
    Participation,
    Shift,
    SyncConflict,
    Ticket,
    TicketLine,
    TicketPayment,
    TicketShare,
)
from sales.tickets import Status
from tests.factories.members import UserFactory
from tests.sales.conftest import D, at, ticket
from tests.sales.till_server_support import SYNC, TOKEN, auth, batch, empty_cache, phone, shift, sync, with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
__all__ = ["empty_cache", "phone"]  # fixtures


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Ticket, TicketLine, TicketPayment, TicketShare, SyncConflict, Shift))


# --- authentication ------------------------------------------------------------------------------------------


def test_no_header_a_bad_token_a_revoked_device_or_a_disabled_user_get_401(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    def status(**headers: Any) -> int:
        return int(client.get("/sales/api/events/", **headers).status_code)

    assert status(**auth(phone)) == 200
    assert status() == 401
    assert status(HTTP_AUTHORIZATION=f"Device {phone.pk}:{TOKEN}x") == 401
    assert status(HTTP_AUTHORIZATION=f"Bearer {TOKEN}") == 401
    assert status(HTTP_AUTHORIZATION=f"Device {uuid.uuid4()}:{TOKEN}") == 401
    assert status(HTTP_AUTHORIZATION=f"Device not-a-uuid-at-all-really-not-one:{TOKEN}") == 401
    assert status(HTTP_AUTHORIZATION="Device " + "a" * 5000) == 401
    answer = client.get("/sales/api/events/")
    assert answer.json() == {"error": "Ce téléphone n'est pas reconnu comme caisse : enregistrez-le à nouveau."}
    assert answer["WWW-Authenticate"].startswith("Device")
    Device.objects.filter(pk=phone.pk).update(revoked_at=timezone.now())
    assert status(**auth(phone)) == 401
    Device.objects.filter(pk=phone.pk).update(revoked_at=None)
    type(phone.user).objects.filter(pk=phone.user_id).update(is_active=False)
    assert status(**auth(phone)) == 401
    assert client.post(SYNC, "{}", content_type="application/json").status_code == 401


def test_a_device_whose_user_is_not_a_seller_sees_nothing_and_its_tickets_are_held(
    client: Client, fair: dict[str, Any]
) -> None:
    stranger = with_token(Device.objects.create(user=UserFactory(role=Role.FAIR_SELLER), token_hash=""))
    assert client.get("/sales/api/events/", **auth(stranger)).json() == {"events": []}
    answer = client.get("/sales/api/events/foire-tanger-2026/catalogue/", **auth(stranger))
    assert answer.status_code == 404
    assert answer.json()["error"] == "Événement introuvable, clos, ou auquel ce vendeur n'est pas affecté."
    answers = sync(client, stranger, {"tickets": batch(fair)}).json()["tickets"]
    assert [a["status"] for a in answers] == [Status.HELD] * 3
    assert answers[0]["message"] == "Ce vendeur n'est pas affecté à l'événement foire-tanger-2026."
    assert Ticket.objects.count() == 0
    assert SyncConflict.objects.count() == 3


# --- events and catalogue ------------------------------------------------------------------------------------


def test_events_are_the_open_ones_the_seller_sells_at(client: Client, fair: dict[str, Any], phone: Device) -> None:
    closed = Event.objects.create(
        channel=fair["channel"],
        slug="foire-2025",
        name_fr="Foire 2025",
        starts_on=date(2025, 11, 20),
        ends_on=date(2025, 11, 29),
        state=Event.State.CLOSED,
    )
    closed.sellers.add(fair["seller"])
    Event.objects.create(channel=fair["channel"], slug="foire-ailleurs", name_fr="Ailleurs",
                         starts_on=date(2026, 11, 20), state=Event.State.OPEN)  # fmt: skip
    answer = client.get("/sales/api/events/", **auth(phone))
    assert answer.json() == {
        "events": [
            {
                "slug": "foire-tanger-2026",
                "name_fr": "Foire régionale de Tanger 2026",
                "name_ar": "المعرض الجهوي بطنجة 2026",
                "kind": "fair",
                "starts_on": "2026-11-20",
                "ends_on": "2026-11-29",
                "place": "Place du 9 avril, Tanger",
            }
        ]
    }
    assert client.get("/sales/api/events/foire-2025/catalogue/", **auth(phone)).status_code == 404
    assert client.get("/sales/api/events/foire-ailleurs/catalogue/", **auth(phone)).status_code == 404
    assert client.get("/sales/api/events/nulle-part/catalogue/", **auth(phone)).status_code == 404


def test_the_catalogue_gives_members_products_rates_and_methods(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    fair["products"]["tapis"].pictogram = "carpet"
    fair["products"]["tapis"].save()
    body = client.get("/sales/api/events/foire-tanger-2026/catalogue/", **auth(phone)).json()
    assert body["event"]["slug"] == "foire-tanger-2026"
    assert [(m["slug"], m["stand"]) for m in body["members"]] == [
        ("coop-olive", "A1"),
        ("coop-miel", "B2"),
        ("coop-tapis", "C3"),
    ]
    products = {p["code"]: p for p in body["products"]}
    # the exempt members (art. 91) charge no VAT whatever the product's code; coop-miel 20 % and 10 %
    assert {code: (p["price"], p["vat_rate"]) for code, p in products.items()} == {
        "huile-1l": ("80.00", "0.0000"),
        "miel-250": ("120.00", "0.2000"),
        "amlou-250": ("55.00", "0.1000"),
        "tapis-s": ("450.00", "0.0000"),
    }
    assert products["miel-250"]["member"] == fair["registered"].pk
    assert products["miel-250"]["scan_code"] == "2000000000022"
    assert products["miel-250"]["photo"] is None
    assert products["miel-250"]["pictogram"] is None
    assert products["tapis-s"]["pictogram"] == "/static/sales/pictograms/carpet.svg"
    assert [m["code"] for m in body["methods"]] == ["cash", "card", "mobile", "cheque"]
    assert body["methods"][0]["label"] == "Espèces"


# --- sync ----------------------------------------------------------------------------------------------------


def test_the_api_answers_per_ticket_and_a_replayed_batch_stores_nothing_new(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    tickets = batch(fair)
    short = ticket(fair["event"], [(fair["products"]["huile"], "1", "80.00")], [("cash", "70.00")], sequence=4)
    body = {"tickets": [*tickets, short, {"id": "?"}]}
    first = sync(client, phone, body)
    assert first.status_code == 200
    assert [(a["id"], a["status"]) for a in first.json()["tickets"]] == [
        (tickets[0]["id"], Status.STORED),
        (tickets[1]["id"], Status.STORED),
        (tickets[2]["id"], Status.STORED),
        (short["id"], Status.HELD),
        ("?", Status.REJECTED),
    ]
    assert first.json()["tickets"][3]["message"] == "Les paiements (70.00) ne font pas le total (80.00)."
    # 3 tickets, 4 lines, 3 payments, 3 shares (one member and one method per ticket), 1 held, no shift
    assert counts() == (3, 4, 3, 3, 1, 0)
    assert sum(t.total for t in Ticket.objects.all()) == D("785.00")  # 160.00 + 175.00 + 450.00
    again = sync(client, phone, body)  # the phone never got the first answer: it sends the same batch again
    assert [a["status"] for a in again.json()["tickets"]] == [Status.DUPLICATE] * 3 + [Status.HELD, Status.REJECTED]
    assert counts() == (3, 4, 3, 3, 1, 0)
    phone.refresh_from_db()
    assert phone.last_sequence == 3


def test_a_conflict_is_held_never_overwritten(client: Client, fair: dict[str, Any], phone: Device) -> None:
    original = batch(fair)[0]
    sync(client, phone, {"tickets": [original]})
    forged = {**original, "lines": [{"product": fair["products"]["huile"].pk, "quantity": "1", "unit_price": "80.00"}],
              "payments": [{"method": "cash", "amount": "80.00"}]}  # fmt: skip
    answer = sync(client, phone, {"tickets": [forged]}).json()["tickets"][0]
    assert (answer["status"], answer["message"]) == (Status.HELD, "Ce ticket existe déjà avec un autre contenu.")
    assert Ticket.objects.get().total == D("160.00")
    assert SyncConflict.objects.get().payload["payments"] == [{"method": "cash", "amount": "80.00"}]


def test_a_batch_over_500_tickets_is_refused_whole_with_413(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    p = fair["products"]
    tickets = [ticket(fair["event"], [(p["huile"], "1", "80.00")], [("cash", "80.00")], sequence=i + 1)
               for i in range(501)]  # fmt: skip
    answer = sync(client, phone, {"tickets": tickets})
    assert answer.status_code == 413
    assert answer.json() == {"error": "Trop de tickets dans un envoi : 501, au plus 500."}
    assert counts() == (0, 0, 0, 0, 0, 0)
    shifts = [shift(fair["event"]) for _ in range(51)]
    assert sync(client, phone, {"shifts": shifts}).status_code == 413
    assert sync(client, phone, {"tickets": tickets[:500]}).status_code == 200
    assert Ticket.objects.count() == 500


def test_a_body_over_2_mb_is_refused_with_413(client: Client, phone: Device) -> None:
    answer = sync(client, phone, '{"tickets": [], "pad": "' + "x" * (2 * 1024 * 1024) + '"}')
    assert answer.status_code == 413
    assert answer.json() == {"error": "Envoi trop gros : au plus 2 Mo par envoi."}


ODD_BODIES = [
    b"",
    b"not json",
    b"{",
    b"[]",
    b'[{"tickets": []}]',
    b"null",
    b"42",
    b'"tickets"',
    b"true",
    b'{"tickets": {}}',
    b'{"tickets": "all of them"}',
    b'{"tickets": 3}',
    b'{"shifts": {"id": 1}}',
    b'{"shifts": true}',
    b'{"tickets": [NaN]}',
    b'{"tickets": [Infinity]}',
    b'{"tickets": [], "n": 1' + b"0" * 30 + b"}",
    b'{"tickets": [], "n": -1' + b"0" * 30 + b"}",
    b'{"tickets": [], "n": 1' + b"0" * 5000 + b"}",
    b'{"tickets": [' * 50 + b"]" * 50 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"tickets": [{"id": "a\\u0000b"}]}',
    b'{"tickets": [{"event": "\\ud800"}]}',
    b"\xff\xfe{}",
    b'{"tickets": [], "shifts": [], "x": "\xe9"}',
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=range(len(ODD_BODIES)))
def test_odd_bodies_get_a_clean_400(client: Client, fair: dict[str, Any], phone: Device, body: bytes) -> None:
    answer = sync(client, phone, body)
    assert answer.status_code == 400, answer.content[:200]
    assert answer.json()["error"].startswith("Envoi illisible")
    assert counts() == (0, 0, 0, 0, 0, 0)


def _odd_tickets(fair: dict[str, Any]) -> list[Any]:
    p, event = fair["products"], fair["event"]

    numbers = iter(range(100, 200))

    def odd(**kw: Any) -> dict[str, Any]:
        """A good oil ticket with one field changed (each with its own device sequence number)."""
        good = ticket(event, [(p["huile"], "1", "80.00")], [("cash", "80.00")], sequence=next(numbers))
        return {**good, **kw}

    return [
        None, 7, "ticket", [], {}, {"id": None}, {"id": ["x"]},
        odd(event="foire-inconnue"), odd(event={"slug": "foire-tanger-2026"}), odd(event=None),
        odd(sold_at="2026-13-45T10:00:00+01:00"), odd(sold_at="0001-01-01T00:00:00+05:00"), odd(sold_at=12),
        odd(sold_at="2099-01-01T10:00:00+01:00"), odd(sequence=2**53), odd(sequence=2**31), odd(sequence=-1),
        odd(sequence="1"), odd(sequence=True), odd(sequence=1.5), odd(shift="nope"), odd(shift=5), odd(refund_of={}),
        odd(lines=None), odd(lines="x"), odd(lines=[None]), odd(lines=[{"product": 2**53}]),
        odd(lines=[{"product": p["huile"].pk, "quantity": "1e999999", "unit_price": "80.00"}]),
        odd(lines=[{"product": p["huile"].pk, "quantity": 1, "unit_price": 80.5}]),
        odd(lines=[{"product": p["huile"].pk, "quantity": "1", "unit_price": "9" * 40}]),
        odd(payments=[{"method": "cash", "amount": {"v": 1}}]), odd(payments=[{"method": "gold", "amount": "80"}]),
        odd(payments=[{"method": "cash", "amount": "80.00", "tendered": ["100"]}]), odd(payments="cash"),
    ]  # fmt: skip


def test_odd_tickets_are_each_answered_and_never_block_a_good_one(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    good = batch(fair)[0]
    odd = _odd_tickets(fair)
    answer = sync(client, phone, {"tickets": [*odd, good]})
    assert answer.status_code == 200
    answers = answer.json()["tickets"]
    assert len(answers) == len(odd) + 1
    assert answers[-1] == {"id": good["id"], "status": Status.STORED, "message": ""}
    assert {a["status"] for a in answers[:-1]} <= {Status.HELD, Status.REJECTED, Status.STORED}
    for sent, got in zip(odd, answers, strict=False):
        if isinstance(sent, dict) and isinstance(sent.get("id"), str):
            assert got["id"] == sent["id"]
    assert Ticket.objects.filter(pk=good["id"]).exists()


def test_a_paper_id_sent_by_a_phone_is_ignored(client: Client, fair: dict[str, Any], phone: Device) -> None:
    sent = {**batch(fair)[0], "paper_id": "feuille-12"}
    assert sync(client, phone, {"tickets": [sent]}).json()["tickets"][0]["status"] == Status.STORED
    assert Ticket.objects.get().paper_id == ""


def test_the_rate_limit_is_per_device_and_answers_429(
    client: Client, fair: dict[str, Any], phone: Device, settings: Any
) -> None:
    settings.GIE_SALES_SYNC_RATE_PER_MINUTE = 3
    other = with_token(Device.objects.create(user=fair["seller"], token_hash=""))
    assert [sync(client, phone, {"tickets": []}).status_code for _ in range(3)] == [200, 200, 200]
    refused = sync(client, phone, {"tickets": batch(fair)})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {"error": "Trop d'envois depuis ce téléphone : il réessaiera dans une minute."}
    assert Ticket.objects.count() == 0
    assert sync(client, other, {"tickets": []}).status_code == 200  # another phone has its own minute


def test_the_default_rate_is_generous(client: Client, phone: Device) -> None:
    assert [client.get("/sales/api/events/", **auth(phone)).status_code for _ in range(120)] == [200] * 120
    assert client.get("/sales/api/events/", **auth(phone)).status_code == 429


def test_wrong_methods_get_a_json_405(client: Client, phone: Device) -> None:
    answer = client.get(SYNC, **auth(phone))
    assert (answer.status_code, answer["Allow"]) == (405, "POST")
    assert "GET" in answer.json()["error"]
    assert client.post("/sales/api/events/", **auth(phone)).status_code == 405


# --- shifts and Z through the API ----------------------------------------------------------------------------


def test_a_shift_synced_open_then_closed_answers_its_z(client: Client, fair: dict[str, Any], phone: Device) -> None:
    opened = shift(fair["event"], opening_float="200.00")
    tickets = batch(fair, opened["id"])
    # tickets and their shift in one batch: the shift is applied first, so the tickets are linked to it
    answer = sync(client, phone, {"tickets": tickets, "shifts": [opened]}).json()
    assert answer["shifts"] == [{"id": opened["id"], "status": Status.STORED, "message": ""}]
    totals = {"cash": "160.00", "card": "175.00", "mobile": "450.00", "cheque": "0.00"}
    closed = {**opened, "closed_at": at(21, 19), "counted_cash": "360.00", "device_totals": totals,
              "device_ticket_count": 3}  # fmt: skip
    answer = sync(client, phone, {"shifts": [closed], "tickets": []}).json()
    z = answer["shifts"][0]["z"]
    assert (z["number"], z["provisional"], z["event"]) == (1, False, "foire-tanger-2026")
    assert z["device"] == z["server"] == totals
    assert z["expected_cash"] == "360.00"  # 200.00 float + 160.00 cash
    assert z["cash_difference"] == "0.00"
    assert client.get(f"/sales/api/shifts/{opened['id']}/z/", **auth(phone)).json() == z
    stranger = with_token(Device.objects.create(user=UserFactory(role=Role.FAIR_SELLER), token_hash=""))
    assert client.get(f"/sales/api/shifts/{opened['id']}/z/", **auth(stranger)).status_code == 404
    assert client.get(f"/sales/api/shifts/{uuid.uuid4()}/z/", **auth(phone)).status_code == 404


def test_a_shift_closed_offline_is_provisional_then_completes(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    opened = shift(fair["event"], opening_float="100.00")
    tickets = batch(fair, opened["id"])
    closed = {
        **opened,
        "closed_at": at(21, 19),
        "counted_cash": "260.00",
        "closed_offline": True,
        "device_totals": {"cash": "160.00", "card": "175.00", "mobile": "450.00"},
        "device_ticket_count": 3,
    }
    z = sync(client, phone, {"shifts": [closed], "tickets": tickets[:1]}).json()["shifts"][0]["z"]
    # the server has the oil (160.00 cash) only: card 175.00 and mobile 450.00 missing
    assert (z["provisional"], z["tickets"]) == (True, {"device": 3, "server": 1})
    assert z["difference"] == {"cash": "0.00", "card": "175.00", "mobile": "450.00", "cheque": "0.00"}
    z = sync(client, phone, {"shifts": [closed], "tickets": tickets}).json()["shifts"][0]["z"]
    assert (z["number"], z["provisional"], z["tickets"]) == (1, False, {"device": 3, "server": 3})
    assert z["cash_difference"] == "0.00"  # 260.00 counted − (100.00 + 160.00)


def test_the_shared_shop_uses_the_same_api_with_a_z_per_daily_shift(
    client: Client, fair: dict[str, Any], phone: Device
) -> None:
    channel = Channel.objects.create(slug="boutique", name_fr="Boutique partagée", kind=Channel.Kind.SHOP)
    shop = Event.objects.create(channel=channel, slug="boutique-tanger", name_fr="Boutique du GIE",
                                starts_on=date(2026, 1, 2), state=Event.State.OPEN, place="Tanger")  # fmt: skip
    shop.sellers.add(fair["seller"])
    Participation.objects.create(event=shop, organization=fair["exempt"], stand="")
    listed = client.get("/sales/api/events/", **auth(phone)).json()["events"]
    assert [(e["slug"], e["kind"], e["ends_on"]) for e in listed] == [
        ("boutique-tanger", "shop", None),
        ("foire-tanger-2026", "fair", "2026-11-29"),
    ]
    catalogue = client.get("/sales/api/events/boutique-tanger/catalogue/", **auth(phone)).json()
    assert [p["code"] for p in catalogue["products"]] == ["huile-1l"]
    oil = fair["products"]["huile"]
    zs = []
    for day, (quantity, amount) in enumerate([("3", "240.00"), ("1", "80.00")], start=27):
        opened = shift(shop, opened_at=at(day, 9, month=11), opening_float="50.00")
        sold = ticket(shop, [(oil, quantity, "80.00")], [("cash", amount)], sequence=day, shift=opened["id"],
                      sold_at=at(day, 12))  # fmt: skip
        closed = {**opened, "closed_at": at(day, 19), "counted_cash": str(D("50.00") + D(amount)),
                  "device_totals": {"cash": amount}, "device_ticket_count": 1}  # fmt: skip
        answer = sync(client, phone, {"shifts": [closed], "tickets": [sold]}).json()
        assert answer["tickets"][0]["status"] == Status.STORED
        zs.append(answer["shifts"][0]["z"])
    # day 27: 3 × 80.00 = 240.00 cash, expected 50.00 + 240.00 = 290.00; day 28: 80.00, expected 130.00
    assert [(z["number"], z["server"]["cash"], z["expected_cash"], z["provisional"]) for z in zs] == [
        (1, "240.00", "290.00", False),
        (2, "80.00", "130.00", False),
    ]
