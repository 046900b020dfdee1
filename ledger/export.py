"""Plain-text journal export (hledger / ledger format): anyone can check our books with standard tools."""

from collections.abc import Iterator, Sequence
from typing import TextIO

from ledger.models import Book, Entry
from ledger.selectors import entry_line_views

BATCH = 2000


def _amount(cents_text: str) -> str:
    return f"{cents_text} MAD"


def journal_lines(books: Sequence[Book]) -> Iterator[str]:
    """Every posted entry of the books, oldest first; accounts named ``BOOK:CODE`` (one tree per book)."""
    yield "; gie_erp journal export — accounts BOOK:CGNC-CODE, amounts in MAD\n"
    yield "commodity 1,000.00 MAD\n\n"
    for book in books:
        slug = book.organization.slug
        entries = Entry.objects.filter(book=book).order_by("posted_on", "number")
        ids = list(entries.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            chunk = list(Entry.objects.filter(pk__in=ids[start : start + BATCH]).order_by("posted_on", "number"))
            lines = entry_line_views(chunk)
            for entry in chunk:
                description = entry.description.replace("\n", " ").replace("|", "/")
                yield f"{entry.posted_on.isoformat()} * ({entry.number}) {description} | {entry.source_ref}\n"
                for line in lines[entry.pk]:
                    signed = line.debit - line.credit
                    tag = f"  ; analytic:{line.tag}" if line.tag else ""  # an hledger tag: `hledger bal tag:analytic`
                    yield f"    {slug}:{line.account_code}    {_amount(f'{signed:.2f}')}{tag}\n"
                yield "\n"


def export_journal(books: Sequence[Book], out: TextIO) -> int:
    count = 0
    for text in journal_lines(books):
        out.write(text)
        count += text[:1].isdigit()  # one dated header line per entry
    return count
