from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.books import book_ensure
from ledger.models import Journal
from ledger.posting import JournalLine
from ledger.services import journal_entry_post

TODAY = date(2026, 11, 22)


def D(text: str) -> Decimal:
    return Decimal(text)


def dr(code: str, amount: str, partner: Any = None) -> JournalLine:
    return JournalLine(code, debit=D(amount), partner_id=getattr(partner, "pk", partner))


def cr(code: str, amount: str, partner: Any = None) -> JournalLine:
    return JournalLine(code, credit=D(amount), partner_id=getattr(partner, "pk", partner))


def post(book: Any, day: date, key: str, *lines: JournalLine, journal: Journal = Journal.MISC, ref: str = "") -> Any:
    return journal_entry_post(
        book=book,
        posted_on=day,
        journal=journal,
        lines=lines,
        description=f"test {key}",
        source_ref=ref or f"PJ-{key}",
        idempotency_key=key,
        today=TODAY,
    )


@pytest.fixture
def book_a(coop_a: Any) -> Any:
    return book_ensure(organization=coop_a)


@pytest.fixture
def book_b(coop_b: Any) -> Any:
    return book_ensure(organization=coop_b)


@pytest.fixture
def book_gie(gie: Any) -> Any:
    return book_ensure(organization=gie)


@pytest.fixture
def march(book_a: Any, book_gie: Any, coop_a: Any, gie: Any) -> dict[str, Any]:
    """A realistic March 2026 in two books (cooperative A and the GIE), with a fair sold in A's name."""
    m = lambda day: date(2026, 3, day)  # noqa: E731
    a, g = book_a, book_gie
    post(a, m(1), "a1", dr("5141", "20000.00"), dr("5161", "1500.00"), cr("1111", "21500.00"))
    post(a, m(5), "a2", dr("6121", "3200.00"), cr("4411", "3200.00"), journal=Journal.PURCHASES)
    post(a, m(10), "a3", dr("5161", "2450.50"), cr("7121", "2450.50"), journal=Journal.CASH)
    post(a, m(12), "a4", dr("3421", "4800.00"), cr("7121", "4800.00"), journal=Journal.SALES)
    post(a, m(15), "a5", dr("3488", "6000.00", gie), cr("7121", "6000.00"), journal=Journal.SALES)
    post(a, m(15), "a6", dr("6136", "720.00", gie), cr("3488", "720.00", gie))
    post(a, m(20), "a7", dr("4411", "3200.00"), cr("5141", "3200.00"), journal=Journal.BANK)
    post(a, m(25), "a8", dr("5141", "5280.00"), cr("3488", "5280.00", gie), journal=Journal.BANK)
    post(a, m(28), "a9", dr("6171", "2100.00"), cr("5141", "2100.00"), journal=Journal.BANK)
    post(a, m(31), "a10", dr("6147", "25.00"), cr("5141", "25.00"), journal=Journal.BANK)
    post(g, m(1), "g1", dr("5141", "50000.00"), cr("1111", "50000.00"))
    post(g, m(15), "g2", dr("5161", "6000.00"), cr("4463", "6000.00", coop_a), journal=Journal.CASH)
    post(g, m(15), "g3", dr("4463", "720.00", coop_a), cr("71272", "600.00", coop_a), cr("4455", "120.00"))
    post(g, m(25), "g4", dr("4463", "5280.00", coop_a), cr("5141", "5280.00"), journal=Journal.BANK)
    post(g, m(12), "g5", dr("61443", "3000.00"), cr("5141", "3000.00"), journal=Journal.BANK)
    return {"a": a, "gie": g}
