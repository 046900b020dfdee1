"""Reading the books back in tests of collective sales: every entry of a book as readable lines, ledger_verify."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ledger.models import Book, Entry
from ledger.selectors import entry_line_views
from ledger.verify import verify_balances
from members.models import Organization
from sales.tickets import Status, tickets_ingest

NOW = datetime(2026, 11, 30, 18, tzinfo=ZoneInfo("Africa/Casablanca"))


def ingest(fair: dict[str, Any], payloads: list[dict[str, Any]]) -> None:
    """Store tickets from the fair's phone; every one must be stored."""
    acks = tickets_ingest(payloads, device=fair["device"], now=NOW)
    assert [a.status for a in acks] == [Status.STORED] * len(payloads), [a.message for a in acks]


def entries(organization: Any, *, prefix: str = "") -> dict[str, tuple[str, list[str]]]:
    """{idempotency key: (date, lines)} of a book, each line "Dr 5161 280.00" or "Cr 4463·coop-olive 160.00"."""
    slugs = dict(Organization.objects.values_list("pk", "slug"))
    book = Book.objects.get(organization=organization)
    found = list(Entry.objects.filter(book=book, idempotency_key__startswith=prefix))
    views = entry_line_views(found)
    out = {}
    for entry in found:
        lines = []
        for v in views[entry.pk]:
            side, amount = ("Dr", v.debit) if v.debit else ("Cr", v.credit)
            partner = f"·{slugs[v.partner_id]}" if v.partner_id else ""
            lines.append(f"{side} {v.account_code}{partner} {amount}")
        out[entry.idempotency_key] = (entry.posted_on.isoformat(), sorted(lines))
    return out


def assert_books_verify() -> None:
    """ledger_verify: the balance table equals django-ledger's transactions, and nothing bypassed our path."""
    differences, orphans = verify_balances()
    assert differences == []
    assert not any(orphans.values())
