"""Four tickets at the ``fair`` fixture's event, figures worked out by hand, shared by the pages', reports', note's
and portal's tests.

- T1, 21 Nov: 2 × huile 80.00 (olive, exempt) + 1 × miel 120.00 (20 %) + 1 × amlou 55.00 (10 %) = 335.00;
  card 100.00, cash 235.00 (300.00 tendered). VAT: miel 120 − round(120 / 1.2) = 20.00; amlou 55 − 50 = 5.00.
  Shares (tests/sales/test_tickets.py): olive card 47.76 / cash 112.24, miel card 52.24 / cash 122.76.
- T2, 21 Nov: 1 × tapis 450.00 (coop-tapis), mobile money.
- T3, 22 Nov: 3 × miel 120.00 = 360.00 cash; VAT 360 − 300 = 60.00.
- T4, 22 Nov: refund of one miel from T3: −120.00 cash, VAT −20.00.

Per member: olive 160.00 (VAT 0); miel 120 + 55 + 360 − 120 = 415.00 (VAT 20 + 5 + 60 − 20 = 65.00, 3 tickets);
tapis 450.00. Event: 1 025.00, VAT 65.00, 4 tickets. Per method: card 100.00, cash 235 + 360 − 120 = 475.00,
mobile 450.00. Per day: 21 Nov 785.00 (VAT 25.00), 22 Nov 240.00 (VAT 40.00).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sales.tickets import Status, tickets_ingest
from tests.sales.conftest import at, ticket

NOW = datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Africa/Casablanca"))


def sell(fair: dict[str, Any]) -> list[dict[str, Any]]:
    """Ingest T1–T4 through the one write path; returns their payloads."""
    p, event = fair["products"], fair["event"]
    t1 = ticket(
        event,
        [(p["huile"], "2", "80.00"), (p["miel"], "1", "120.00"), (p["amlou"], "1", "55.00")],
        [("card", "100.00"), ("cash", "235.00", "300.00")],
        sequence=1,
        sold_at=at(21, 10),
    )
    t2 = ticket(event, [(p["tapis"], "1", "450.00")], [("mobile", "450.00")], sequence=2, sold_at=at(21, 11))
    t3 = ticket(event, [(p["miel"], "3", "120.00")], [("cash", "360.00")], sequence=3, sold_at=at(22, 10))
    t4 = ticket(event, [(p["miel"], "-1", "120.00")], [("cash", "-120.00")], sequence=4, sold_at=at(22, 15),
                refund_of=t3["id"])  # fmt: skip
    acks = tickets_ingest([t1, t2, t3, t4], device=fair["device"], now=NOW)
    assert [a.status for a in acks] == [Status.STORED] * 4, acks
    return [t1, t2, t3, t4]
