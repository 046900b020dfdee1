"""Reads of the books. Figures come from the balance table (integer centimes); only the partial months at the edges
of a date range are summed from the lines, in integer centimes too, so every database gives the same exact result."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django_ledger.models import TransactionModel

from gie_erp.core.errors import DomainError
from gie_erp.core.money import ZERO, from_centimes
from ledger.books import account_uuid, book_context
from ledger.chart import account_name, chart_accounts
from ledger.models import (
    CLOSING_PERIOD,
    OPENING_PERIOD,
    AnalyticLine,
    Balance,
    BalanceYear,
    Book,
    Entry,
    PartnerLine,
    PeriodLock,
    PostingRule,
)
from ledger.periods import next_month, split_before, split_months, split_years
from ledger.posting import JournalLine
from members.selectors import organization_qs_visible

#: integer centimes summed from django-ledger's lines joined to our entries (also used by ledger_verify)
LINE_CENTIMES_SQL = """
SELECT {columns},
       SUM(CASE WHEN t.tx_type = 'debit' THEN CAST(ROUND(t.amount * 100) AS BIGINT) ELSE 0 END),
       SUM(CASE WHEN t.tx_type = 'credit' THEN CAST(ROUND(t.amount * 100) AS BIGINT) ELSE 0 END)
FROM ledger_entry e
JOIN django_ledger_transactionmodel t ON t.journal_entry_id = e.je_id
JOIN django_ledger_accountmodel a ON a.uuid = t.account_id
LEFT JOIN ledger_partnerline p ON p.tx_id = t.uuid
{where}
GROUP BY {columns}
"""
#: grouping → (balance-table fields, line-query columns)
GROUPINGS = {
    "book": (("book_id", "account_code"), "e.book_id, a.code"),
    "partner": (("book_id", "account_code", "partner_id"), "e.book_id, a.code, COALESCE(p.partner_id, 0)"),
    "account": (("account_code",), "a.code"),
}


def month_q(start: tuple[int, int] | None, end: tuple[int, int]) -> Q:
    """Balance-table rows whose (year, month) lies in [start, end], months 0 (opening) and 13 (closing) included."""
    if start is not None and start[0] == end[0]:
        return Q(year=end[0], month__gte=start[1], month__lte=end[1])
    q = Q(year__lt=end[0]) | Q(year=end[0], month__lte=end[1])
    if start is not None:
        q &= Q(year__gt=start[0]) | Q(year=start[0], month__gte=start[1])
    return q


def movement_centimes(
    *, book_ids: Sequence[int] | None, start: date | None, end: date, by_partner: bool = False
) -> dict[tuple[Any, ...], list[int]]:
    """Debit and credit centimes per (book, account[, partner]) for entries dated in [start, end] (start None: all).

    Whole months come from the balance table; a partial first or last month from the lines of those days only.
    A range from 1 January starts after that year's opening entries; a range to 31 December stops before that year's
    closing entries (both are in a range that goes past them): the year's figures before the close.
    """
    return _movements(book_ids=book_ids, start=start, end=end, grouping="partner" if by_partner else "book")


def opening_centimes(
    *, book_ids: Sequence[int] | None, before: date, by_partner: bool = False
) -> dict[tuple[Any, ...], list[int]]:
    """What ``movement_centimes`` gives for everything dated before ``before``, as the opening balance of a range
    that starts on that day: the opening of 1 January includes the year before's closing entries and this year's
    opening entries (the à-nouveaux), so that opening + the range's movements = the balance at its end."""
    return _movements(
        book_ids=book_ids, start=None, end=before, grouping="partner" if by_partner else "book", end_exclusive=True
    )


def account_totals(*, book_ids: Sequence[int] | None, start: date | None, end: date) -> dict[str, list[int]]:
    """Debit and credit centimes per account summed over books (book_ids None: every book), in one grouped query."""
    return {
        key[0]: value for key, value in _movements(book_ids=book_ids, start=start, end=end, grouping="account").items()
    }


def _movements(
    *, book_ids: Sequence[int] | None, start: date | None, end: date, grouping: str, end_exclusive: bool = False
) -> dict[tuple[Any, ...], list[int]]:
    fields, columns = GROUPINGS[grouping]
    totals: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])

    def add_rows(rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            cell = totals[tuple(row[:-2])]
            cell[0] += int(row[-2] or 0)
            cell[1] += int(row[-1] or 0)

    def of_books(qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs if book_ids is None else qs.filter(book_id__in=book_ids)

    full, partial = split_before(end) if end_exclusive else split_months(start, end)
    if full is not None:
        years, months = split_years(*full)
        if years is not None:  # whole calendar years: the yearly fold, one row per book and account and year
            qs = BalanceYear.objects.filter(year__lte=years[1])
            if years[0] is not None:
                qs = qs.filter(year__gte=years[0])
            add_rows(_summed(of_books(qs), fields))
        for month_range in months:
            add_rows(
                _summed(of_books(Balance.objects.filter(month_q(*month_range), month__gte=1, month__lte=12)), fields)
            )
        # the opening (0) and closing (13) periods inside the range: only the years that were closed have them
        edges = Balance.objects.filter(month_q(*full), month__in=(OPENING_PERIOD, CLOSING_PERIOD))
        add_rows(_summed(of_books(edges), fields))
    for low, high in partial:
        book_filter = ""
        params: list[Any] = [low, high]
        if book_ids is not None:
            book_filter = f"AND e.book_id IN ({', '.join(['%s'] * len(book_ids))})"
            params += list(book_ids)
        with connection.cursor() as cursor:
            # a partial month never holds the opening or closing entries: they are whole periods of their own
            where = f"WHERE e.posted_on >= %s AND e.posted_on <= %s AND e.journal NOT IN ('CL', 'AN') {book_filter}"
            cursor.execute(LINE_CENTIMES_SQL.format(columns=columns, where=where), params)
            add_rows(cursor.fetchall())
    return dict(totals)


def _summed(qs: QuerySet[Any], fields: tuple[str, ...]) -> Iterable[Sequence[Any]]:
    """Rows (fields…, debit, credit) summed per group; a table already at the group's grain is read as it is."""
    if qs.model is BalanceYear and fields == ("book_id", "account_code", "partner_id"):
        return qs.values_list(*fields, "debit", "credit")
    return qs.values(*fields).annotate(d=Sum("debit"), c=Sum("credit")).order_by().values_list(*fields, "d", "c")


# --- books, visible to the acting user --------------------------------------------------------------------------


def book_qs_visible(*, user: Any) -> QuerySet[Book]:
    return Book.objects.filter(organization__in=organization_qs_visible(user=user)).select_related("organization")


def book_get(*, user: Any, org_slug: str) -> Book:
    try:
        return book_qs_visible(user=user).get(organization__slug=org_slug)
    except Book.DoesNotExist:
        raise Http404 from None


def entry_get(*, user: Any, book: Book, je_id: Any) -> Entry:
    try:
        return Entry.objects.select_related("reversal_of").get(pk=je_id, book=book, book__in=book_qs_visible(user=user))
    except (Entry.DoesNotExist, ValueError):
        raise Http404 from None


# --- entries ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineView:
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal
    partner_id: int | None
    description: str
    tag: str = ""


def entry_line_views(entries: Iterable[Entry]) -> dict[Any, list[LineView]]:
    """The lines of some entries, read back from django-ledger's transactions (with our partner per line)."""
    ids = [e.pk for e in entries]
    out: dict[Any, list[LineView]] = defaultdict(list)
    if not ids:
        return out
    rows = (
        TransactionModel.objects.filter(journal_entry_id__in=ids)
        .values_list("journal_entry_id", "uuid", "account__code", "tx_type", "amount", "description")
        .order_by("journal_entry_id", "-tx_type", "account__code", "uuid")
    )
    partners = _partners_of([row[1] for row in rows])
    tags = dict(AnalyticLine.objects.filter(tx_id__in=[row[1] for row in rows]).values_list("tx_id", "tag"))
    for je_id, tx_id, code, tx_type, amount, description in rows:
        amount = Decimal(amount).quantize(Decimal("0.01"))
        out[je_id].append(
            LineView(
                account_code=code,
                account_name=account_name(code),
                debit=amount if tx_type == "debit" else ZERO,
                credit=amount if tx_type == "credit" else ZERO,
                partner_id=partners.get(tx_id),
                description=description or "",
                tag=tags.get(tx_id, ""),
            )
        )
    return out


def _partners_of(tx_ids: list[Any]) -> dict[Any, int]:
    return dict(PartnerLine.objects.filter(tx_id__in=tx_ids).values_list("tx_id", "partner_id"))


def entry_lines(entry: Entry) -> tuple[JournalLine, ...]:
    """An entry's lines as posting lines (used to reverse it)."""
    return tuple(
        JournalLine(
            account_code=v.account_code,
            debit=v.debit,
            credit=v.credit,
            partner_id=v.partner_id,
            description=v.description,
            tag=v.tag,
        )
        for v in entry_line_views([entry])[entry.pk]
    )


def entry_search(
    *,
    book: Book,
    start: date | None = None,
    end: date | None = None,
    journal: str = "",
    account_code: str = "",
    text: str = "",
    amount: Decimal | None = None,
    partner_id: int | None = None,
) -> QuerySet[Entry]:
    """Entries of a book with the accountant's filters; newest first."""
    qs = Entry.objects.filter(book=book)
    if start:
        qs = qs.filter(posted_on__gte=start)
    if end:
        qs = qs.filter(posted_on__lte=end)
    if journal:
        qs = qs.filter(journal=journal)
    if text:
        qs = qs.filter(Q(description__icontains=text) | Q(source_ref__icontains=text) | Q(number__icontains=text))
    if account_code or amount is not None or partner_id:
        tx = TransactionModel.objects.filter(journal_entry__ledger__entity_id=book.entity_id)
        if account_code:
            tx = tx.filter(account__code__startswith=account_code)
        if amount is not None:
            tx = tx.filter(amount=amount)
        if partner_id:
            tx = tx.filter(uuid__in=PartnerLine.objects.filter(book=book, partner_id=partner_id).values("tx_id"))
        qs = qs.filter(je_id__in=tx.values("journal_entry_id"))
    return qs.order_by("-posted_on", "-number")


# --- reports ------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class TrialBalanceRow:
    book_id: int
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def trial_balance(*, book_ids: Sequence[int] | None, start: date | None, end: date) -> list[TrialBalanceRow]:
    """Movements per book and account over [start, end] (balance générale), sorted by book then code."""
    names = {account.code: account.name_fr for account in chart_accounts()}
    to_mad = _centimes_to_mad
    year = _one_calendar_year(start, end)
    if year is not None and book_ids is None:
        # every book over one calendar year: the yearly fold has exactly these rows; read them in order, nothing to
        # add up or sort (80,000 rows at region scale). A few books go the general way, by the (book, …) index.
        qs = BalanceYear.objects.filter(year=year).exclude(debit=0, credit=0)
        rows = qs.order_by("book_id", "account_code").values_list("book_id", "account_code", "debit", "credit")
        merged: list[list[Any]] = []  # a (book, account) with partners has one row per partner: added up in order
        for book_id, code, debit, credit in rows.iterator(chunk_size=10_000):
            if merged and merged[-1][0] == book_id and merged[-1][1] == code:
                merged[-1][2] += debit
                merged[-1][3] += credit
            else:
                merged.append([book_id, code, debit, credit])
        return [
            TrialBalanceRow(book_id, code, names.get(code, code), to_mad(debit), to_mad(credit))
            for book_id, code, debit, credit in merged
            if debit or credit
        ]
    totals = movement_centimes(book_ids=book_ids, start=start, end=end)
    return [
        TrialBalanceRow(book_id, code, names.get(code, code), to_mad(debit), to_mad(credit))
        for (book_id, code), (debit, credit) in sorted(totals.items())
        if debit or credit
    ]


def _one_calendar_year(start: date | None, end: date) -> int | None:
    if start is not None and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return start.year
    return None


def _centimes_to_mad(centimes: int) -> Decimal:
    """Integer centimes to a 2-place Decimal (exact; cheaper than a quantize for 80,000 rows)."""
    return Decimal(centimes).scaleb(-2)


def account_balance(*, book: Book, code: str, end: date, start: date | None = None) -> Decimal:
    """Debit − credit of one account (and its sub-accounts) over [start, end]."""
    totals = movement_centimes(book_ids=[book.pk], start=start, end=end)
    cents = sum(d - c for (_, account), (d, c) in totals.items() if account.startswith(code))
    return from_centimes(cents)


@dataclass(frozen=True, slots=True)
class LedgerLine:
    entry_id: Any
    number: str
    posted_on: date
    description: str
    source_ref: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # running, opening included


GENERAL_LEDGER_SQL = """
SELECT e.je_id, e.number, e.posted_on, e.description, e.source_ref, t.tx_type, CAST(ROUND(t.amount * 100) AS BIGINT)
FROM django_ledger_transactionmodel t
JOIN ledger_entry e ON e.je_id = t.journal_entry_id
WHERE t.account_id = %s AND e.posted_on >= %s AND e.posted_on <= %s
  AND NOT (e.journal = 'AN' AND e.posted_on = %s) AND NOT (e.journal = 'CL' AND e.posted_on = %s)
ORDER BY e.posted_on, e.number
"""


def general_ledger(*, book: Book, code: str, start: date, end: date) -> tuple[Decimal, list[LedgerLine]]:
    """One account's lines over [start, end] with the opening balance and a running balance (grand livre).

    One query from the account's own django-ledger id (indexed) joined to our entries; the opening balance comes
    from the balance tables.
    """
    opening_cents = sum(
        debit - credit
        for (_, account), (debit, credit) in opening_centimes(book_ids=[book.pk], before=start).items()
        if account.startswith(code)
    )
    opening = from_centimes(opening_cents)
    try:
        account_id = account_uuid(book_context(book.pk), code)
    except DomainError:
        return opening, []
    with connection.cursor() as cursor:
        cursor.execute(
            GENERAL_LEDGER_SQL,
            [account_id.hex if connection.vendor == "sqlite" else account_id, start, end, start, end],
        )
        rows = cursor.fetchall()
    lines: list[LedgerLine] = []
    running = opening
    for je_id, number, posted_on, description, source_ref, tx_type, cents in rows:
        amount = _centimes_to_mad(int(cents))
        debit, credit = (amount, ZERO) if tx_type == "debit" else (ZERO, amount)
        running += debit - credit
        lines.append(
            LedgerLine(
                entry_id=je_id if isinstance(je_id, UUID) else UUID(str(je_id)),
                number=number,
                posted_on=posted_on if isinstance(posted_on, date) else date.fromisoformat(str(posted_on)),
                description=description,
                source_ref=source_ref,
                debit=debit,
                credit=credit,
                balance=running,
            )
        )
    return opening, lines


def signed_balances(*, book_ids: Sequence[int] | None, start: date | None, end: date) -> dict[str, int]:
    """{code: debit − credit centimes} summed over the given books (the input of the Bilan and CPC builders)."""
    out: dict[str, int] = defaultdict(int)
    for (_, code), (debit, credit) in movement_centimes(book_ids=book_ids, start=start, end=end).items():
        out[code] += debit - credit
    return dict(out)


def period_locks(*, book: Book) -> set[tuple[int, int]]:
    return set(PeriodLock.objects.filter(book=book).values_list("year", "month"))


def posting_rule(event: str, side: str) -> PostingRule:
    """The accounts an event posts to on one side (the accountant edits them in the admin; defaults: DESIGN §6)."""
    return PostingRule.objects.get(event=event, side=side)


def first_open_days(*, book_ids: Iterable[int], on: date) -> dict[int, date]:
    """Per book: ``on`` itself when its month is open, else the first day of the first open month after it (where
    a late posting that belongs to a locked month is dated). One query for any number of books."""
    ids = set(book_ids)
    locked: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for book_id, year, month in PeriodLock.objects.filter(book_id__in=ids, year__gte=on.year).values_list(
        "book_id", "year", "month"
    ):
        locked[book_id].add((year, month))
    days = {}
    for book_id in ids:
        year, month = on.year, on.month
        if (year, month) not in locked[book_id]:
            days[book_id] = on
            continue
        while (year, month) in locked[book_id]:
            year, month = next_month(year, month)
        days[book_id] = date(year, month, 1)
    return days


def first_open_day(*, book: Book, on: date) -> date:
    """``first_open_days`` for one book."""
    return first_open_days(book_ids=[book.pk], on=on)[book.pk]
