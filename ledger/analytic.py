"""Reads by analytic tag. A tag (``training:<session>``, later ``fair:<event>``…) is stored per line beside the
partner (``AnalyticLine``); the balance table does not carry it, so these reads sum the tagged lines themselves, in
integer centimes, joined to our entries for the dates (an index on (book, tag) finds them)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from gie_erp.core.money import ZERO, from_centimes
from ledger.chart import account_name
from ledger.models import Book

TAG_SQL = """
SELECT {columns},
       SUM(CASE WHEN t.tx_type = 'debit' THEN CAST(ROUND(t.amount * 100) AS BIGINT) ELSE 0 END),
       SUM(CASE WHEN t.tx_type = 'credit' THEN CAST(ROUND(t.amount * 100) AS BIGINT) ELSE 0 END)
FROM ledger_analyticline g
JOIN django_ledger_transactionmodel t ON t.uuid = g.tx_id
JOIN ledger_entry e ON e.je_id = t.journal_entry_id
JOIN django_ledger_accountmodel a ON a.uuid = t.account_id
WHERE g.book_id = %s {where}
GROUP BY {columns}
ORDER BY {columns}
"""


@dataclass(frozen=True, slots=True)
class TagAccount:
    """What the lines of one tag moved on one account."""

    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal

    @property
    def net(self) -> Decimal:
        """Debit minus credit: a cost is positive, a revenue negative."""
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class TagReport:
    """A tag's lines per account, with its costs (class 6), revenue (class 7) and result (revenue − costs)."""

    tag: str
    accounts: tuple[TagAccount, ...]

    @property
    def costs(self) -> Decimal:
        return sum((row.net for row in self.accounts if row.account_code.startswith("6")), ZERO)

    @property
    def revenue(self) -> Decimal:
        return sum((-row.net for row in self.accounts if row.account_code.startswith("7")), ZERO)

    @property
    def result(self) -> Decimal:
        return self.revenue - self.costs


def _where(tag: str | None, prefix: str, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if tag is not None:
        clauses.append("g.tag = %s")
        params.append(tag)
    elif prefix:
        clauses.append("g.tag LIKE %s")
        params.append(prefix.replace("\\", "").replace("%", "").replace("_", "\\_") + "%")
        if connection.vendor == "sqlite":
            clauses[-1] += " ESCAPE '\\'"
    if start is not None:
        clauses.append("e.posted_on >= %s")
        params.append(start)
    if end is not None:
        clauses.append("e.posted_on <= %s")
        params.append(end)
    return "".join(f" AND {clause}" for clause in clauses), params


def tag_report(*, book: Book, tag: str, start: date | None = None, end: date | None = None) -> TagReport:
    """One tag's movements per account in a book, over an optional date range."""
    where, params = _where(tag, "", start, end)
    with connection.cursor() as cursor:
        cursor.execute(TAG_SQL.format(columns="a.code", where=where), [book.pk, *params])
        rows = cursor.fetchall()
    accounts = tuple(
        TagAccount(code, account_name(code), from_centimes(int(debit)), from_centimes(int(credit)))
        for code, debit, credit in rows
    )
    return TagReport(tag=tag, accounts=accounts)


def tag_reports(*, book: Book, prefix: str = "", start: date | None = None, end: date | None = None) -> list[TagReport]:
    """Every tag of a book (or those starting with ``prefix``), each with its accounts: one query."""
    where, params = _where(None, prefix, start, end)
    with connection.cursor() as cursor:
        cursor.execute(TAG_SQL.format(columns="g.tag, a.code", where=where), [book.pk, *params])
        rows = cursor.fetchall()
    by_tag: dict[str, list[TagAccount]] = {}
    for tag, code, debit, credit in rows:
        by_tag.setdefault(tag, []).append(
            TagAccount(code, account_name(code), from_centimes(int(debit)), from_centimes(int(credit)))
        )
    return [TagReport(tag=tag, accounts=tuple(accounts)) for tag, accounts in by_tag.items()]
