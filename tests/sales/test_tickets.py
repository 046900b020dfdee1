"""Tickets in: stored once per UUID, duplicates acknowledged, conflicts and broken rules held, never applied."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sales.models import SyncConflict, Ticket, TicketLine, TicketShare
from sales.tickets import Status, tickets_ingest
from tests.sales.conftest import D, at, ticket

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Africa/Casablanca"))


def ingest(fair: dict[str, Any], payloads: list[dict[str, Any]]) -> list[str]:
    return [ack.status for ack in tickets_ingest(payloads, device=fair["device"], now=NOW)]


def test_a_mixed_ticket_is_split_per_member_and_method_to_the_centime(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    # 2 × 80.00 oil (exempt) + 1 × 120.00 honey (20 %) + 1 × 55.00 amlou (10 %) = 335.00
    # paid 100.00 by card and 235.00 cash (300.00 tendered, 65.00 change)
    payload = ticket(
        event,
        [(p["huile"], "2", "80.00"), (p["miel"], "1", "120.00"), (p["amlou"], "1", "55.00")],
        [("card", "100.00"), ("cash", "235.00", "300.00")],
        sequence=1,
    )
    assert ingest(fair, [payload]) == [Status.STORED]
    stored = Ticket.objects.get()
    assert stored.total == D("335.00")
    vat = {line.product.code: line.vat for line in TicketLine.objects.select_related("product") if line.product}
    # 120.00 − round(120 / 1.2) = 20.00; 55.00 − round(55 / 1.1) = 5.00; exempt: 0.00
    assert vat == {"huile-1l": D("0.00"), "miel-250": D("20.00"), "amlou-250": D("5.00")}
    shares = {(s.organization.slug, s.method): s.amount for s in TicketShare.objects.select_related("organization")}
    # card first (sorted "card" < "cash"): 100.00 over olive 160.00 / miel 175.00 (of 335.00)
    # olive 47.761… → 47.76, miel 52.238… → 52.24 (sum 100.00); cash takes what is left: 112.24 and 122.76
    assert shares == {
        ("coop-olive", "card"): D("47.76"),
        ("coop-miel", "card"): D("52.24"),
        ("coop-olive", "cash"): D("112.24"),
        ("coop-miel", "cash"): D("122.76"),
    }


def test_the_same_uuid_twice_is_a_duplicate_and_other_content_is_held(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    payload = ticket(event, [(p["huile"], "1", "80.00")], [("cash", "80.00")], sequence=1)
    assert ingest(fair, [payload]) == [Status.STORED]
    assert ingest(fair, [payload]) == [Status.DUPLICATE]
    changed = {**payload, "lines": [{"product": p["huile"].pk, "quantity": "2", "unit_price": "80.00"}]}
    changed["payments"] = [{"method": "cash", "amount": "160.00"}]
    assert ingest(fair, [changed]) == [Status.HELD]
    assert Ticket.objects.get().total == D("80.00")  # never overwritten
    assert SyncConflict.objects.get().reason == "Ce ticket existe déjà avec un autre contenu."
    assert TicketLine.objects.count() == 1


def test_one_bad_ticket_does_not_block_the_batch(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    good = ticket(event, [(p["tapis"], "1", "450.00")], [("mobile", "450.00")], sequence=1)
    short = ticket(event, [(p["tapis"], "1", "450.00")], [("cash", "400.00")], sequence=2)
    garbage: dict[str, Any] = {"id": "not-a-uuid"}
    assert ingest(fair, [good, short, garbage]) == [Status.STORED, Status.HELD, Status.REJECTED]
    assert Ticket.objects.count() == 1
    assert "400.00" in SyncConflict.objects.get().reason


def test_a_refund_references_its_sale_and_cannot_exceed_it(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    sale = ticket(event, [(p["miel"], "2", "120.00")], [("cash", "240.00")], sequence=1)
    refund = ticket(
        event, [(p["miel"], "-1", "120.00")], [("cash", "-120.00")], sequence=2, refund_of=sale["id"], sold_at=at(22)
    )
    too_much = ticket(
        event, [(p["miel"], "-2", "120.00")], [("cash", "-240.00")], sequence=3, refund_of=sale["id"], sold_at=at(22)
    )
    assert ingest(fair, [sale, refund, too_much]) == [Status.STORED, Status.STORED, Status.HELD]
    assert sum(t.total for t in Ticket.objects.all()) == Decimal("120.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sold_at", "2026-13-45T10:00:00+01:00"),  # well formed, impossible: raised ValueError before
        ("sold_at", "0001-01-01T00:00:00+05:00"),  # the local day is before year 1: raised OverflowError before
        ("sequence", 2_147_483_648),  # past PostgreSQL's integer: raised a database error before
    ],
)
def test_impossible_values_are_held_not_raised(fair: dict[str, Any], field: str, value: Any) -> None:
    p, event = fair["products"], fair["event"]
    good = ticket(event, [(p["huile"], "1", "80.00")], [("cash", "80.00")], sequence=1)
    odd = ticket(event, [(p["huile"], "1", "80.00")], [("cash", "80.00")], sequence=2)
    odd[field] = value
    assert ingest(fair, [good, odd]) == [Status.STORED, Status.HELD]
    assert Ticket.objects.count() == 1


def test_a_phone_cannot_set_a_paper_id(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    payload = ticket(event, [(p["huile"], "1", "80.00")], [("cash", "80.00")], sequence=1, paper_id="F-12")
    assert ingest(fair, [payload]) == [Status.STORED]
    assert Ticket.objects.get().paper_id == ""
