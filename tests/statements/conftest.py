"""A hand-computed February and March 2026 for cooperative A, with GIE partner lines, grants, training and credit."""

from datetime import date
from typing import Any

import pytest

from ledger.books import book_ensure
from ledger.models import Journal
from tests.ledger.conftest import cr, dr, post


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    """PDFs of batches go to a temporary MEDIA_ROOT, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def books(coop_a: Any, gie: Any) -> dict[str, Any]:
    """Cooperative A's books: opening money on 1 March = 24 050,00; March worked out by hand in test_figures."""
    a = book_ensure(organization=coop_a)
    g = book_ensure(organization=gie)
    feb = lambda day: date(2026, 2, day)  # noqa: E731
    m = lambda day: date(2026, 3, day)  # noqa: E731
    post(a, feb(1), "f1", dr("5141", "20000.00"), dr("5161", "1500.00"), cr("1111", "21500.00"))
    post(a, feb(20), "f2", dr("3488", "3000.00", gie), cr("7121", "3000.00"), journal=Journal.SALES)
    post(a, feb(27), "f3", dr("6136", "450.00", gie), cr("4488", "450.00", gie), journal=Journal.PURCHASES)
    post(a, m(5), "a2", dr("6121", "3200.00"), cr("4411", "3200.00"), journal=Journal.PURCHASES)
    post(a, m(10), "a3", dr("5161", "2450.50"), cr("7121", "2450.50"), journal=Journal.CASH)
    post(a, m(12), "a4", dr("3421", "4800.00"), cr("7121", "4800.00"), journal=Journal.SALES)
    post(a, m(15), "a5", dr("3488", "6000.00", gie), cr("7121", "6000.00"), journal=Journal.SALES)
    post(a, m(15), "a6", dr("6136", "720.00", gie), cr("3488", "720.00", gie))
    post(a, m(18), "a11", dr("4488", "450.00", gie), cr("5141", "450.00"), journal=Journal.BANK)
    post(a, m(20), "a7", dr("4411", "3200.00"), cr("5141", "3200.00"), journal=Journal.BANK)
    post(a, m(22), "a12", dr("5141", "15000.00"), cr("7161", "15000.00"), journal=Journal.BANK)
    post(a, m(25), "a8", dr("5141", "7280.00"), cr("3488", "7280.00", gie), journal=Journal.BANK)
    post(a, m(26), "a13", dr("61365", "600.00", gie), cr("4488", "600.00", gie), journal=Journal.PURCHASES)
    post(a, m(28), "a9", dr("6171", "2100.00"), cr("5141", "2100.00"), journal=Journal.BANK)
    post(a, m(31), "a10", dr("6147", "25.00"), cr("5141", "25.00"), journal=Journal.BANK)
    return {"a": a, "gie": g}
