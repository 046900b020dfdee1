"""Pairs of books matched by partner, summed in the database (the combined accounts' eliminations, issue 15): the
amounts with a partner of a range, from the same sources as ``selectors.movement_centimes``, claimed by a pair rule
and side, grouped by (rule, left book, right book)."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet

from ledger.models import Balance, BalanceYear
from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD, split_months, split_years
from ledger.selectors import month_q

# --- pairs of books matched by partner (the combined accounts) ----------------------------------------------------

#: per account code, the claim of each of its four cases (index: 2 × the book is ``gie``'s + the partner is ``gie``):
#: ``2 × group + side`` (side 0 the left, 1 the right), or -1 when no group takes it
PairClaims = Mapping[str, Sequence[int]]
#: (group, left organization, right organization, left sum, right sum, left (account, amount)…, right …)
PairSums = tuple[int, int, int, int, int, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]

PAIR_CTES = """
WITH claims (account_code, account, c0, c1, c2, c3) AS (VALUES {claims}),
flows (book_id, account_code, partner_id, amount) AS ({sources}),
claimed AS (
    SELECT CASE WHEN b.organization_id = %s THEN (CASE WHEN f.partner_id = %s THEN c.c3 ELSE c.c2 END)
                ELSE (CASE WHEN f.partner_id = %s THEN c.c1 ELSE c.c0 END) END AS claim,
           b.organization_id AS book, f.partner_id AS partner, c.account AS account, f.amount AS amount
    FROM flows f JOIN ledger_book b ON b.id = f.book_id JOIN claims c ON c.account_code = f.account_code
    {book_filter}
)"""
PAIR_SQL = (
    PAIR_CTES
    + """
SELECT {select}
FROM claimed WHERE claim >= 0 {claim_filter}
GROUP BY {group_by}
"""
)
#: the pairs whose two sides do not cancel (a pair whose sides cancel holds sums opposite and not zero), one row each
#: (kind 0); how many cancel (kind 1); every claimed amount summed per account (kind 2)
PAIR_UNCANCELLED_SQL = (
    PAIR_CTES  # noqa: S608 (our own SQL: the values are placeholders)
    + """,
pairs (g, l, r, ls, rs, lmin, lmax, rmin, rmax) AS (
    SELECT {select} FROM claimed WHERE claim >= 0 GROUP BY 1, 2, 3
)
SELECT 0, g, l, r, ls, rs, lmin, lmax, rmin, rmax FROM pairs
WHERE NOT (ls + rs = 0 AND ls <> 0)
  AND NOT (ls = 0 AND rs = 0 AND COALESCE(lmin, -1) = COALESCE(lmax, -1) AND COALESCE(rmin, -1) = COALESCE(rmax, -1))
UNION ALL
SELECT 1, COUNT(*), 0, 0, 0, 0, NULL, NULL, NULL, NULL FROM pairs WHERE ls + rs = 0 AND ls <> 0
UNION ALL
SELECT 2, account, 0, 0, SUM(amount), 0, NULL, NULL, NULL, NULL FROM claimed WHERE claim >= 0 GROUP BY account
"""
)
#: a claimed amount's pair: (group, left organization, right organization)
PAIR_KEY = """claim / 2, CASE WHEN claim %% 2 = 0 THEN book ELSE partner END,
       CASE WHEN claim %% 2 = 0 THEN partner ELSE book END"""
PAIR_SELECT = (
    PAIR_KEY
    + """,
       SUM(CASE WHEN claim %% 2 = 0 THEN amount ELSE 0 END), SUM(CASE WHEN claim %% 2 = 1 THEN amount ELSE 0 END),
       MIN(CASE WHEN claim %% 2 = 0 THEN account END), MAX(CASE WHEN claim %% 2 = 0 THEN account END),
       MIN(CASE WHEN claim %% 2 = 1 THEN account END), MAX(CASE WHEN claim %% 2 = 1 THEN account END)"""
)
PAIR_DETAIL_SELECT = PAIR_KEY + """, claim %% 2, account, SUM(amount)"""
#: a partial month's lines with a partner, one row each (summed by the pairing)
PARTNER_LINES_SQL = """
SELECT e.book_id, a.code,  p.partner_id,
       CASE WHEN t.tx_type = 'debit' THEN CAST(ROUND(t.amount * 100) AS BIGINT)
            ELSE -CAST(ROUND(t.amount * 100) AS BIGINT) END
FROM ledger_entry e
JOIN django_ledger_transactionmodel t ON t.journal_entry_id = e.je_id
JOIN django_ledger_accountmodel a ON a.uuid = t.account_id
JOIN ledger_partnerline p ON p.tx_id = t.uuid
WHERE e.posted_on >= %s AND e.posted_on <= %s AND e.journal NOT IN ('CL', 'AN')
"""


def _partner_sources(start: date | None, end: date) -> tuple[str, list[Any]]:
    """One SQL of the (book, account, partner, debit − credit) rows with a partner dated in [start, end], from the
    same sources as ``movement_centimes`` (the yearly fold, the monthly table, the opening and closing periods, the
    lines of partial months): a (book, account, partner) may come in several rows, the pairing sums them."""
    parts: list[str] = []
    params: list[Any] = []

    def add(qs: QuerySet[Any]) -> None:
        rows = (
            qs.exclude(partner_id=0)
            .annotate(amount=F("debit") - F("credit"))
            .order_by()
            .values_list("book_id", "account_code", "partner_id", "amount")
        )
        sql, query_params = rows.query.sql_with_params()
        parts.append(sql)
        params.extend(query_params)

    full, partial = split_months(start, end)
    if full is not None:
        years, months = split_years(*full)
        if years is not None:
            qs = BalanceYear.objects.filter(year__lte=years[1])
            add(qs.filter(year__gte=years[0]) if years[0] is not None else qs)
        for month_range in months:
            add(Balance.objects.filter(month_q(*month_range), month__gte=1, month__lte=12))
        add(Balance.objects.filter(month_q(*full), month__in=(OPENING_PERIOD, CLOSING_PERIOD)))
    for low, high in partial:
        parts.append(PARTNER_LINES_SQL)
        params += [low, high]
    return " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{i}" for i, part in enumerate(parts)), params  # noqa: S608 (our own SQL and placeholders)


@dataclass(frozen=True, slots=True)
class PairReport:
    """``partner_pair_uncancelled``'s answer: the pairs whose sides do not cancel, listed; those that cancel, counted
    and summed per account (both sides: the amounts the eliminations take out, with the opposite sign)."""

    pairs: list[PairSums]
    cancelled: int
    cancelled_by_account: dict[str, int]


def partner_pair_sums(
    *, book_ids: Sequence[int] | None, start: date | None, end: date, claims: PairClaims, gie: int
) -> list[PairSums]:
    """Per (group, left organization, right organization): the sums of the two sides and each side's amounts by
    account, for the amounts with a partner dated in [start, end] of the given books (None: every book), paired in
    the database (the amounts never leave it one by one).

    An amount of book B on account X with partner P belongs, by ``claims[X]`` and whether B's and P's organizations
    are ``gie``, to a group's left side (the pair is then (B, P)) or right side (the pair is (P, B)), or to none.
    Only pairs with at least one such amount are given, sorted by (group, left, right).
    """
    query = _PairQuery(book_ids, start, end, claims, gie)
    return query.sums(query.run(PAIR_SQL, select=PAIR_SELECT, group_by="1, 2, 3")) if query.codes else []


def partner_pair_uncancelled(
    *, book_ids: Sequence[int] | None, start: date | None, end: date, claims: PairClaims, gie: int
) -> PairReport:
    """``partner_pair_sums`` less the pairs whose two sides cancel (their sums opposite and not zero: what a
    combination eliminates): those are only counted, and their amounts summed per account, in the same statement. A
    region's 70,000 eliminated pairs then never leave the database; the pairs left are the differences and the
    flows towards books outside the set (a pair whose sides both sum to zero on one account each holds nothing and
    is left out too)."""
    query = _PairQuery(book_ids, start, end, claims, gie)
    if not query.codes:
        return PairReport([], 0, {})
    rows = query.run(PAIR_UNCANCELLED_SQL, select=PAIR_SELECT)
    cancelled = next((int(row[1]) for row in rows if row[0] == 1), 0)
    claimed = {query.codes[row[1]]: int(row[4]) for row in rows if row[0] == 2}
    pairs = query.sums([row[1:] for row in rows if row[0] == 0], only_listed=True)
    for pair in pairs:  # what is left of each account once the listed pairs' amounts are taken away
        for account, amount in (*pair[5], *pair[6]):
            claimed[account] -= amount
    return PairReport(pairs, cancelled, {account: amount for account, amount in claimed.items() if amount})


class _PairQuery:
    """The parts of a pairing statement: the claims as SQL values, the sources of the range, the books."""

    def __init__(
        self, book_ids: Sequence[int] | None, start: date | None, end: date, claims: PairClaims, gie: int
    ) -> None:
        self.codes = [code for code, cases in claims.items() if any(case >= 0 for case in cases)]
        self.sources, self.source_params = _partner_sources(start, end)
        self.claim_rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(self.codes))
        self.claim_params: list[Any] = []
        for index, code in enumerate(self.codes):
            self.claim_params += [code, index, *(int(case) for case in claims[code])]
        self.book_filter = ""
        self.book_params: list[Any] = []
        if book_ids is not None:
            self.book_filter = (
                f"WHERE f.book_id IN ({', '.join(['%s'] * len(book_ids))})" if book_ids else "WHERE 1 = 0"
            )
            self.book_params = list(book_ids)
        self.gie = gie

    def run(self, template: str, *, select: str, group_by: str = "", claim_filter: str = "",
            extra: Sequence[Any] = ()) -> list[Any]:  # fmt: skip
        sql = template.format(
            claims=self.claim_rows, sources=self.sources, book_filter=self.book_filter, select=select,
            claim_filter=claim_filter, group_by=group_by,
        )  # fmt: skip
        params = [*self.claim_params, *self.source_params, self.gie, self.gie, self.gie, *self.book_params, *extra]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # 70,000 groups: hashed in memory, not spilled to disk
                cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL work_mem TO DEFAULT")
            return rows

    def sums(self, pairs: Sequence[tuple[Any, ...]], *, only_listed: bool = False) -> list[PairSums]:
        """The pairs with each side's accounts: read one by one for the sides of several accounts (of the listed
        pairs only, when ``only_listed``: else of every pair of their groups)."""
        codes = self.codes
        several = [row for row in pairs if row[5] != row[6] or row[7] != row[8]]  # a side of 2+ accounts
        details: dict[tuple[int, int, int, int], list[tuple[str, int]]] = defaultdict(list)
        if several:
            if only_listed:
                keys = sorted({(row[0], row[1], row[2]) for row in several})
                claim_filter = f"AND ({PAIR_KEY}) IN ({', '.join(['(%s, %s, %s)'] * len(keys))})"
                extra: list[Any] = [value for key in keys for value in key]
            else:
                groups = sorted({row[0] for row in several})
                claim_filter = f"AND claim / 2 IN ({', '.join(['%s'] * len(groups))})"
                extra = groups
            rows = self.run(PAIR_SQL, select=PAIR_DETAIL_SELECT, group_by="1, 2, 3, 4, 5", claim_filter=claim_filter,
                            extra=extra)  # fmt: skip
            for group, left, right, side, account, amount in sorted(rows):
                details[(group, left, right, side)].append((codes[account], int(amount)))
        out: list[PairSums] = []
        for group, left, right, left_sum, right_sum, left_min, left_max, right_min, right_max in sorted(pairs):
            left_sum, right_sum = int(left_sum), int(right_sum)
            out.append(
                (
                    group, left, right, left_sum, right_sum,
                    _side(details, (group, left, right, 0), left_min, left_max, left_sum, codes),
                    _side(details, (group, left, right, 1), right_min, right_max, right_sum, codes),
                )
            )  # fmt: skip
        return out


def _side(
    details: Mapping[tuple[int, int, int, int], list[tuple[str, int]]],
    key: tuple[int, int, int, int],
    low: int | None,
    high: int | None,
    amount: int,
    codes: Sequence[str],
) -> tuple[tuple[str, int], ...]:
    if low is None:
        return ()
    if low == high:
        return ((codes[low], amount),)
    return tuple(sorted(details[key]))
