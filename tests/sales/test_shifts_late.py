"""Tickets that reach the server before their shift keep the shift their phone named (``Ticket.shift_key``) and join
it when it arrives: the Z counts them. Figures of ``test_shifts.day_of_sales`` (cash 155.00, card 100.00, mobile
450.00 over four tickets)."""

from typing import Any

import pytest

from sales.models import Device, Shift, Ticket
from sales.shifts import z_report
from sales.tickets import Status
from tests.sales.conftest import D
from tests.sales.test_shifts import DEVICE_TOTALS, apply, closing, day_of_sales, ingest
from tests.sales.till_server_support import shift

pytestmark = pytest.mark.django_db


def test_tickets_synced_before_their_shift_join_it_and_the_z_counts_them(fair: dict[str, Any]) -> None:
    opened = shift(fair["event"], opening_float="200.00")
    tickets = day_of_sales(fair, opened["id"])
    # the tickets come first (the shift's own sync was lost): each keeps the shift its phone named
    assert ingest(fair, *tickets) == [Status.STORED] * 4
    assert Ticket.objects.filter(shift__isnull=True).count() == 4
    assert {str(key) for key in Ticket.objects.values_list("shift_key", flat=True)} == {opened["id"]}
    # then the shift, already closed: its tickets join it and the Z is complete, not provisional
    closed = closing(opened, counted_cash="355.00", device_totals=DEVICE_TOTALS, device_ticket_count=4)
    assert [a.status for a in apply(fair, closed)] == [Status.STORED]
    stored = Shift.objects.get()
    assert stored.tickets.count() == 4
    z = z_report(stored)
    assert z["provisional"] is False
    assert z["server"] == DEVICE_TOTALS
    assert z["tickets"] == {"device": 4, "server": 4}
    assert z["expected_cash"] == "355.00"  # 200.00 + 155.00
    assert z["cash_difference"] == "0.00"
    assert stored.opening_float == D("200.00")


def test_a_ticket_whose_shift_is_known_links_at_once_and_keeps_its_key(fair: dict[str, Any]) -> None:
    opened = shift(fair["event"], opening_float="50.00")
    assert [a.status for a in apply(fair, opened)] == [Status.STORED]
    assert ingest(fair, day_of_sales(fair, opened["id"])[0]) == [Status.STORED]
    stored = Ticket.objects.get()
    assert (str(stored.shift_id), str(stored.shift_key)) == (opened["id"], opened["id"])


def test_a_ticket_never_joins_the_shift_of_another_phone(fair: dict[str, Any]) -> None:
    other = Device.objects.create(user=fair["seller"], name="Autre téléphone", token_hash="")
    opened = shift(fair["event"], opening_float="50.00")
    apply(fair, opened, device=other)
    assert ingest(fair, day_of_sales(fair, opened["id"])[0]) == [Status.STORED]
    stored = Ticket.objects.get()
    assert stored.shift_id is None  # the other phone's shift: its Z must not count this ticket
    assert str(stored.shift_key) == opened["id"]
    assert Shift.objects.get().tickets.count() == 0


def test_a_shift_created_while_its_tickets_are_ingested_still_gets_them(
    fair: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of two requests: the tickets' request looked for the shift before the other request created it."""
    import sales.tickets as tickets_module

    opened = shift(fair["event"], opening_float="50.00")
    apply(fair, opened)
    real = tickets_module._known_shifts
    calls: list[int] = []

    def first_miss(shift_ids: Any, device: Any) -> set[Any]:
        calls.append(1)
        return set() if len(calls) == 1 else real(shift_ids, device)

    monkeypatch.setattr(tickets_module, "_known_shifts", first_miss)
    assert ingest(fair, day_of_sales(fair, opened["id"])[0]) == [Status.STORED]
    assert len(calls) == 2
    assert str(Ticket.objects.get().shift_id) == opened["id"]
