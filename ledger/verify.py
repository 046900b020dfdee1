"""`ledger_verify`: recompute the balance table from django-ledger's transactions and name every difference."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ledger.models import Balance, BalanceYear, Book, BookCheck
from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD
from ledger.selectors import LINE_CENTIMES_SQL

ORPHANS_SQL = """
SELECT b.id, COUNT(*) FROM django_ledger_journalentrymodel j
JOIN django_ledger_ledgermodel l ON l.uuid = j.ledger_id
JOIN ledger_book b ON b.entity_id = l.entity_id
LEFT JOIN ledger_entry e ON e.je_id = j.uuid
WHERE e.je_id IS NULL {and_book}
GROUP BY b.id
"""

Key = tuple[int, str, int, int, int]
YEARLY = -1  # the month of a yearly-fold cell in a Difference


@dataclass(frozen=True, slots=True)
class Difference:
    book_id: int
    account_code: str
    partner_id: int
    year: int
    month: int
    table: tuple[int, int]  # (debit, credit) centimes in the balance table
    recomputed: tuple[int, int]  # from the transactions

    def __str__(self) -> str:
        if self.month == YEARLY:  # a cell of the yearly fold
            return (
                f"book {self.book_id} account {self.account_code} partner {self.partner_id} year {self.year}: "
                "yearly table debit "
                f"{self.table[0]} credit {self.table[1]} ≠ transactions debit {self.recomputed[0]} credit "
                f"{self.recomputed[1]} (centimes)"
            )
        return (
            f"book {self.book_id} account {self.account_code} partner {self.partner_id} "
            f"{self.year}-{self.month:02d}: balance table debit {self.table[0]} credit {self.table[1]} "
            f"≠ transactions debit {self.recomputed[0]} credit {self.recomputed[1]} (centimes)"
        )


def verify_balances(
    *, book_ids: list[int] | None = None, only_month: tuple[int, int] | None = None
) -> tuple[list[Difference], dict[int, int]]:
    """Every (book, account, partner, month) cell where the table and the transactions disagree, and per book the
    number of django-ledger entries that did not come through our posting path. ``only_month`` (year, month): that
    month's cells alone, without the yearly fold (what the month close checks, book by book)."""
    if connection.vendor == "postgresql":
        year, month = (
            "CAST(EXTRACT(YEAR FROM e.posted_on) AS INTEGER)",
            "CAST(EXTRACT(MONTH FROM e.posted_on) AS INTEGER)",
        )
    else:
        year, month = "CAST(strftime('%%Y', e.posted_on) AS INTEGER)", "CAST(strftime('%%m', e.posted_on) AS INTEGER)"
    # the year's closing and opening entries sit in their own periods of the balance table (ledger.models)
    month = f"CASE e.journal WHEN 'CL' THEN {CLOSING_PERIOD} WHEN 'AN' THEN {OPENING_PERIOD} ELSE {month} END"
    conditions: list[str] = []
    params: list[Any] = []
    book_params: list[Any] = []
    if book_ids is not None:
        conditions.append(f"e.book_id IN ({', '.join(['%s'] * len(book_ids))})")
        params = list(book_ids)
        book_params = list(book_ids)
    if only_month is not None:
        first = date(only_month[0], only_month[1], 1)
        conditions.append("e.posted_on >= %s AND e.posted_on <= %s")
        params += [first, date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    recomputed: dict[Key, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        columns = f"e.book_id, a.code, COALESCE(p.partner_id, 0), {year}, {month}"
        cursor.execute(LINE_CENTIMES_SQL.format(columns=columns, where=where), params)
        for book_id, code, partner, y, m, debit, credit in cursor.fetchall():
            if only_month is not None and int(m) != only_month[1]:  # a closing entry of 31 December: period 13
                continue
            recomputed[(book_id, code, int(partner), int(y), int(m))] = (int(debit or 0), int(credit or 0))
    table: dict[Key, tuple[int, int]] = {}
    rows = Balance.objects.all()
    if book_ids is not None:
        rows = rows.filter(book_id__in=book_ids)
    if only_month is not None:
        rows = rows.filter(year=only_month[0], month=only_month[1])
    for row in rows.values_list("book_id", "account_code", "partner_id", "year", "month", "debit", "credit"):
        table[(row[0], row[1], row[2], row[3], row[4])] = (row[5], row[6])
    differences = []
    for key in sorted(set(table) | set(recomputed)):
        have, want = table.get(key, (0, 0)), recomputed.get(key, (0, 0))
        if have != want:
            differences.append(Difference(*key, table=have, recomputed=want))
    if only_month is None:
        differences += _yearly_differences(recomputed, book_ids)
    return differences, _orphans(book_ids, book_params)


def _yearly_differences(recomputed: dict[Key, tuple[int, int]], book_ids: list[int] | None) -> list[Difference]:
    """The yearly fold must equal the transactions of months 1 to 12 summed by year; ``YEARLY`` marks its cells."""
    differences = []
    folded: dict[Key, tuple[int, int]] = {}
    for (book_id, code, partner, tx_year, tx_month), (debit, credit) in recomputed.items():
        if tx_month in (OPENING_PERIOD, CLOSING_PERIOD):
            continue
        prev = folded.get((book_id, code, partner, tx_year, YEARLY), (0, 0))
        folded[(book_id, code, partner, tx_year, YEARLY)] = (prev[0] + debit, prev[1] + credit)
    yearly_rows = BalanceYear.objects.all()
    if book_ids is not None:
        yearly_rows = yearly_rows.filter(book_id__in=book_ids)
    yearly = {
        (b, code, partner, y, YEARLY): (d, c)
        for b, code, partner, y, d, c in yearly_rows.values_list(
            "book_id", "account_code", "partner_id", "year", "debit", "credit"
        )
    }
    for key in sorted(set(folded) | set(yearly)):
        have, want = yearly.get(key, (0, 0)), folded.get(key, (0, 0))
        if have != want:
            differences.append(Difference(*key, table=have, recomputed=want))
    return differences


def _orphans(book_ids: list[int] | None, params: list[Any]) -> dict[int, int]:
    orphans: dict[int, int] = defaultdict(int)
    and_book = ""
    if book_ids is not None:
        and_book = f"AND b.id IN ({', '.join(['%s'] * len(book_ids))})"
    with connection.cursor() as cursor:
        cursor.execute(ORPHANS_SQL.format(and_book=and_book), params)
        for book_id, count in cursor.fetchall():
            orphans[book_id] = int(count)
    return dict(orphans)


@transaction.atomic
def book_checks_record(*, book_ids: list[int] | None = None) -> tuple[list[Difference], dict[int, int]]:
    """Verify and keep each book's result for the dashboard's alerts."""
    differences, orphans = verify_balances(book_ids=book_ids)
    per_book: dict[int, int] = defaultdict(int)
    for diff in differences:
        per_book[diff.book_id] += 1
    now = timezone.now()
    books = Book.objects.all() if book_ids is None else Book.objects.filter(pk__in=book_ids)
    for book_id in books.values_list("pk", flat=True):
        BookCheck.objects.update_or_create(
            book_id=book_id,
            defaults={
                "checked_at": now,
                "differences": per_book.get(book_id, 0),
                "bypassed_entries": orphans.get(book_id, 0),
            },
        )
    return differences, orphans
