"""A paper tally goes to the write path in batches in the order its tickets were sold, whatever the sheet's order:
the write path reads the VAT rate of each (code, day) a batch names, so a batch of a day or two costs a few reads
where a batch spread over the whole fair cost one per code and day (bench/sales_paper.py: 4,137 → 1,758
statements for 200,000 lines)."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import sales.paper
from sales.models import Ticket
from tests.sales.test_paper_import import run, tally

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Africa/Casablanca")


def test_batches_follow_the_days_sold(fair: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,000 tickets over the fair's 10 days (20 to 29 November), written day after day in turn: ticket n on day n % 10
    rows = [f"P{n},2026-11-{20 + n % 10} 10:{n % 60:02d},coop-miel,miel-250,1,,cash" for n in range(1000)]
    days_per_batch: list[list[date]] = []
    ingest = sales.paper.tickets_ingest

    def recording(payloads: list[dict[str, Any]], **kwargs: Any) -> Any:
        days_per_batch.append([datetime.fromisoformat(p["sold_at"]).astimezone(TZ).date() for p in payloads])
        return ingest(payloads, **kwargs)

    monkeypatch.setattr(sales.paper, "tickets_ingest", recording)
    result = run(fair, tally(*rows))
    assert (result.tickets, result.stored) == (1000, 1000)
    assert [len(days) for days in days_per_batch] == [500, 500]
    first, second = days_per_batch
    assert first == sorted(first)
    assert second == sorted(second)
    # 100 tickets a day: the first batch holds 20-24 November, the second 25-29
    assert (min(first), max(first), min(second), max(second)) == (
        date(2026, 11, 20), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 29),
    )  # fmt: skip
    assert Ticket.objects.filter(source="paper").count() == 1000
