"""Shifts from the phones' sync: created once, closed once, Z numbered without gaps per event, and the Z report
(device totals against the server's, provisional until every ticket is in). Figures worked out by hand."""

import threading
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from sales.models import Channel, Device, Event, Shift, SyncConflict
from sales.shifts import ShiftAck, shifts_apply, z_report
from sales.tickets import Status, tickets_ingest
from tests.factories.members import UserFactory
from tests.sales.conftest import D, at, ticket
from tests.sales.till_server_support import shift

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Africa/Casablanca"))


def apply(fair: dict[str, Any], *payloads: dict[str, Any], device: Device | None = None) -> list[ShiftAck]:
    return shifts_apply(list(payloads), device=device or fair["device"], now=NOW)[0]


def ingest(fair: dict[str, Any], *payloads: dict[str, Any]) -> list[str]:
    return [ack.status for ack in tickets_ingest(list(payloads), device=fair["device"], now=NOW)]


def closing(opened: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {**opened, "closed_at": at(21, 19), "closed_offline": False, **kw}


def day_of_sales(fair: dict[str, Any], shift_id: str) -> list[dict[str, Any]]:
    """Four tickets of 21 November, at 10:00, 11:00, 12:00 and 16:00:
    T1 2 × oil 80.00 = 160.00 cash (200.00 tendered)
    T2 honey 120.00 + amlou 55.00 = 175.00: 100.00 card + 75.00 cash
    T3 a rug 450.00 by mobile money
    T4 refund of one oil of T1: −80.00 cash
    cash 160.00 + 75.00 − 80.00 = 155.00; card 100.00; mobile 450.00; cheque 0.00 (total 705.00)"""
    p, event = fair["products"], fair["event"]
    t1 = ticket(event, [(p["huile"], "2", "80.00")], [("cash", "160.00", "200.00")], sequence=1, shift=shift_id,
                sold_at=at(21, 10))  # fmt: skip
    t2 = ticket(event, [(p["miel"], "1", "120.00"), (p["amlou"], "1", "55.00")], [("card", "100.00"),
                ("cash", "75.00")], sequence=2, shift=shift_id, sold_at=at(21, 11))  # fmt: skip
    t3 = ticket(event, [(p["tapis"], "1", "450.00")], [("mobile", "450.00")], sequence=3, shift=shift_id,
                sold_at=at(21, 12))  # fmt: skip
    t4 = ticket(event, [(p["huile"], "-1", "80.00")], [("cash", "-80.00")], sequence=4, shift=shift_id,
                refund_of=t1["id"], sold_at=at(21, 16))  # fmt: skip
    return [t1, t2, t3, t4]


DEVICE_TOTALS = {"cash": "155.00", "card": "100.00", "mobile": "450.00", "cheque": "0.00"}


def test_opened_offline_then_synced_then_closed_online_gives_a_matching_z(fair: dict[str, Any]) -> None:
    opened = shift(fair["event"], opening_float="200.00")
    tickets = day_of_sales(fair, opened["id"])
    # the phone opened the shift offline and sold; at the first sync the shift comes before its tickets
    assert [a.status for a in apply(fair, opened)] == [Status.STORED]
    assert ingest(fair, *tickets) == [Status.STORED] * 4
    stored = Shift.objects.get()
    assert (stored.closed_at, stored.z_number, stored.opening_float) == (None, None, D("200.00"))
    assert stored.tickets.count() == 4
    assert z_report(stored)["provisional"] is True  # still open: an X, not a Z
    # closed online: counted 350.00 against 200.00 + 155.00 = 355.00 expected
    closed = closing(opened, counted_cash="350.00", device_totals=DEVICE_TOTALS, device_ticket_count=4)
    ack = apply(fair, closed)[0]
    assert (ack.status, ack.message) == (Status.STORED, "")
    z = z_report(Shift.objects.get())
    assert z["number"] == 1
    assert z["provisional"] is False
    assert z["device"] == z["server"] == DEVICE_TOTALS
    assert z["difference"] == {"cash": "0.00", "card": "0.00", "mobile": "0.00", "cheque": "0.00"}
    assert z["expected_cash"] == "355.00"  # 200.00 float + 155.00 cash
    assert z["cash_difference"] == "-5.00"  # 350.00 counted − 355.00 expected
    assert z["tickets"] == {"device": 4, "server": 4}
    assert (z["opening_float"], z["counted_cash"], z["closed_offline"]) == ("200.00", "350.00", False)
    assert z["closed_at"] == "2026-11-21T19:00:00+01:00"


def test_closed_offline_with_tickets_missing_is_provisional_until_they_sync(fair: dict[str, Any]) -> None:
    opened = shift(fair["event"], opening_float="100.00")
    tickets = day_of_sales(fair, opened["id"])
    closed = closing(opened, counted_cash="255.00", device_totals=DEVICE_TOTALS, device_ticket_count=4,
                     closed_offline=True)  # fmt: skip
    # the phone comes back with the closed shift and only the first two tickets
    assert [a.status for a in apply(fair, closed)] == [Status.STORED]
    assert ingest(fair, *tickets[:2]) == [Status.STORED] * 2
    z = z_report(Shift.objects.get())
    assert z["number"] == 1
    assert z["provisional"] is True
    # server: cash 160.00 + 75.00 = 235.00, card 100.00; mobile and the refund are still on the phone
    assert z["server"] == {"cash": "235.00", "card": "100.00", "mobile": "0.00", "cheque": "0.00"}
    # device − server: cash 155.00 − 235.00 = −80.00 (the refund), mobile 450.00 − 0.00
    assert z["difference"] == {"cash": "-80.00", "card": "0.00", "mobile": "450.00", "cheque": "0.00"}
    assert z["expected_cash"] == "335.00"  # 100.00 + 235.00
    assert z["cash_difference"] == "-80.00"  # 255.00 − 335.00
    assert z["tickets"] == {"device": 4, "server": 2}
    # the rest syncs: the same Z completes, its number unchanged
    assert ingest(fair, *tickets[2:]) == [Status.STORED] * 2
    z = z_report(Shift.objects.get())
    assert z["number"] == 1
    assert z["provisional"] is False
    assert z["server"] == DEVICE_TOTALS
    assert z["expected_cash"] == "255.00"  # 100.00 + 155.00
    assert z["cash_difference"] == "0.00"


def test_closing_twice_with_other_figures_is_held_and_the_first_close_kept(fair: dict[str, Any]) -> None:
    opened = shift(fair["event"])
    first = closing(opened, counted_cash="350.00", device_totals=DEVICE_TOTALS, device_ticket_count=4)
    assert [a.status for a in apply(fair, first)] == [Status.STORED]
    assert [a.status for a in apply(fair, first)] == [Status.DUPLICATE]  # sent again: nothing new
    # the same totals written differently are the same close
    same = {**first, "counted_cash": "350", "device_totals": {"cash": "155", "card": "100.0", "mobile": "450.00"}}
    assert [a.status for a in apply(fair, same)] == [Status.DUPLICATE]
    other = closing(opened, counted_cash="500.00", device_totals=DEVICE_TOTALS, device_ticket_count=4)
    ack = apply(fair, other)[0]
    assert ack.status == Status.HELD
    assert "première fermeture est gardée" in ack.message
    kept = Shift.objects.get()
    assert (kept.counted_cash, kept.z_number) == (D("350.00"), 1)
    conflict = SyncConflict.objects.get()
    assert (conflict.ticket_id, conflict.payload["kind"], conflict.payload["counted_cash"]) == (
        uuid.UUID(opened["id"]),
        "shift",
        "500.00",
    )
    apply(fair, other)  # held again: kept once for the accountant
    assert SyncConflict.objects.count() == 1
    # an open state sent late changes nothing either
    assert [a.status for a in apply(fair, opened)] == [Status.DUPLICATE]
    assert Shift.objects.get().closed_at is not None


def test_z_numbers_are_gapless_per_event_and_a_held_close_takes_none(fair: dict[str, Any]) -> None:
    shop = Event.objects.create(
        channel=Channel.objects.create(slug="boutique", name_fr="Boutique", kind=Channel.Kind.SHOP),
        slug="boutique-tanger", name_fr="Boutique du GIE", starts_on=date(2026, 1, 5), state=Event.State.OPEN,
    )  # fmt: skip
    shop.sellers.add(fair["seller"])
    fair_shifts = [shift(fair["event"], opened_at=at(d, 9)) for d in (21, 22, 23)]
    shop_shifts = [shift(shop, opened_at=at(d, 9)) for d in (24, 25)]
    order = [fair_shifts[0], shop_shifts[0], fair_shifts[1], shop_shifts[1], fair_shifts[2]]
    for opened in order:
        day = datetime.fromisoformat(opened["opened_at"]).day
        apply(fair, closing(opened, closed_at=at(day, 18), device_totals={}, device_ticket_count=0))
    # a second, different close of the first shift is held and consumes no number
    apply(fair, closing(fair_shifts[0], closed_at=at(21, 20), device_totals={}, device_ticket_count=0))
    numbers = {(s.event.slug, s.opened_at.day): s.z_number for s in Shift.objects.select_related("event")}
    assert numbers == {
        ("foire-tanger-2026", 21): 1,
        ("foire-tanger-2026", 22): 2,
        ("foire-tanger-2026", 23): 3,
        ("boutique-tanger", 24): 1,
        ("boutique-tanger", 25): 2,
    }
    # the shop's daily Z: empty day, nothing expected but the float
    z = z_report(Shift.objects.get(event=shop, z_number=2))
    assert (z["provisional"], z["expected_cash"], z["tickets"]) == (False, "200.00", {"device": 0, "server": 0})


def test_a_shift_sent_again_with_another_opening_or_by_another_phone_is_held(fair: dict[str, Any]) -> None:
    opened = shift(fair["event"], opening_float="200.00")
    apply(fair, opened)
    acks = apply(fair, {**opened, "opening_float": "300.00"})
    assert acks[0].status == Status.HELD
    assert "première est gardée" in acks[0].message
    other_phone = Device.objects.create(user=fair["seller"], name="Tablette", token_hash="")
    assert apply(fair, opened, device=other_phone)[0].status == Status.HELD
    assert Shift.objects.get().opening_float == D("200.00")
    assert Shift.objects.get().device == fair["device"]


def test_a_seller_not_assigned_and_an_unknown_event_are_held(fair: dict[str, Any]) -> None:
    stranger = Device.objects.create(user=UserFactory(role="fair_seller"), token_hash="")
    assert apply(fair, shift(fair["event"]), device=stranger)[0].status == Status.HELD
    unknown = {**shift(fair["event"]), "event": "foire-inconnue"}
    ack = apply(fair, unknown)[0]
    assert (ack.status, ack.message) == (Status.HELD, "Événement inconnu : foire-inconnue")
    assert not Shift.objects.exists()
    assert SyncConflict.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"id": "not-a-uuid"}, Status.REJECTED),
        ({"id": 12}, Status.REJECTED),
        ({"opened_at": "hier"}, Status.HELD),
        ({"opened_at": "2026-13-45T10:00:00+01:00"}, Status.HELD),
        ({"opened_at": "0001-01-01T00:00:00+05:00"}, Status.HELD),
        ({"opened_at": "2099-01-01T00:00:00+01:00"}, Status.HELD),
        ({"opened_at": None}, Status.HELD),
        ({"opening_float": "1e9"}, Status.HELD),
        ({"opening_float": "-5.00"}, Status.HELD),
        ({"opening_float": "12.345"}, Status.HELD),
        ({"opening_float": 10**40}, Status.HELD),
        ({"opening_float": True}, Status.HELD),
        ({"opening_float": ["1"]}, Status.HELD),
        ({"event": {"slug": "x"}}, Status.HELD),
        ({"closed_at": "2026-11-20T08:00:00+01:00"}, Status.HELD),  # before its opening
        ({"closed_at": at(21, 18), "device_totals": {"bitcoin": "1.00"}}, Status.HELD),
        ({"closed_at": at(21, 18), "device_totals": ["cash"]}, Status.HELD),
        ({"closed_at": at(21, 18), "device_totals": {"cash": "NaN"}}, Status.HELD),
        ({"closed_at": at(21, 18), "device_ticket_count": -1}, Status.HELD),
        ({"closed_at": at(21, 18), "device_ticket_count": "3"}, Status.HELD),
        ({"closed_at": at(21, 18), "device_ticket_count": 10**12}, Status.HELD),
        ({"closed_at": at(21, 18), "closed_offline": "oui"}, Status.HELD),
        ({"closed_at": at(21, 18), "counted_cash": "beaucoup"}, Status.HELD),
    ],
)
def test_odd_shifts_are_answered_never_raised(fair: dict[str, Any], change: dict[str, Any], status: str) -> None:
    good = shift(fair["event"])
    acks = apply(fair, {**shift(fair["event"]), **change}, good, "garbage")  # type: ignore[arg-type]
    assert [a.status for a in acks] == [status, Status.STORED, Status.REJECTED]
    assert Shift.objects.get().pk == uuid.UUID(good["id"])


def test_a_shift_that_only_refunds_has_negative_totals(fair: dict[str, Any]) -> None:
    p, event = fair["products"], fair["event"]
    morning = shift(event, opened_at=at(21, 9), opening_float="0.00")
    evening = shift(event, opened_at=at(21, 14), opening_float="0.00")
    sale = ticket(event, [(p["huile"], "1", "80.00")], [("card", "80.00")], sequence=1, shift=morning["id"],
                  sold_at=at(21, 10))  # fmt: skip
    refund = ticket(event, [(p["huile"], "-1", "80.00")], [("card", "-80.00")], sequence=2, shift=evening["id"],
                    refund_of=sale["id"], sold_at=at(21, 15))  # fmt: skip
    apply(fair, morning, evening)
    assert ingest(fair, sale, refund) == [Status.STORED, Status.STORED]
    acks = apply(
        fair,
        closing(morning, closed_at=at(21, 13), counted_cash="0.00", device_totals={"card": "80.00"},
                device_ticket_count=1),
        closing(evening, closed_at=at(21, 18), counted_cash="0.00", device_totals={"card": "-80.00"},
                device_ticket_count=1),
    )  # fmt: skip
    assert [a.status for a in acks] == [Status.STORED, Status.STORED]
    z_morning = z_report(Shift.objects.get(pk=morning["id"]))
    z_evening = z_report(Shift.objects.get(pk=evening["id"]))
    assert (z_morning["number"], z_morning["server"]["card"], z_morning["provisional"]) == (1, "80.00", False)
    # the evening only refunded the morning's sale: card −80.00 on the phone and on the server, no difference
    assert (z_evening["number"], z_evening["device"]["card"], z_evening["server"]["card"]) == (2, "-80.00", "-80.00")
    assert (z_evening["difference"]["card"], z_evening["provisional"]) == ("0.00", False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_closes_racing_on_postgresql_still_number_without_gaps(fair: dict[str, Any]) -> None:
    openings = [shift(fair["event"], opened_at=at(21, 8 + i)) for i in range(8)]
    shifts_apply(openings, device=fair["device"], now=NOW)
    barrier = threading.Barrier(len(openings))
    errors: list[BaseException] = []

    def close(opened: dict[str, Any]) -> None:
        try:
            barrier.wait()
            shifts_apply([closing(opened, device_ticket_count=0)], device=fair["device"], now=NOW)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(o,)) for o in openings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(n or 0 for n in Shift.objects.values_list("z_number", flat=True)) == list(range(1, 9))
