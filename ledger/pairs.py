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

from ledger import pair_table
from ledger.models import Balance, BalanceYear, Book
from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD, split_months, split_years
from ledger.selectors import month_q
from members.models import Organization

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


#: the pair table's pairs of a year whose sides do not cancel (kind 0), and how many cancel (kind 1); with a set of
#: books, a side whose book is outside the set holds nothing (as when the balance rows are paired)
TABLE_PAIRS_SQL = """
SELECT 0, g, l, r, ls, rs FROM ({pairs}) AS listed WHERE NOT (ls + rs = 0 AND ls <> 0)
UNION ALL
SELECT 1, COUNT(*), 0, 0, 0, 0 FROM ({pairs}) AS counted WHERE ls + rs = 0 AND ls <> 0
"""
TABLE_YEAR_SQL = """SELECT pair_group AS g, left_organization_id AS l, right_organization_id AS r, {left_sum} AS ls,
       {right_sum} AS rs FROM ledger_pairyear WHERE year = %s {chosen}"""
#: what the claimed amounts of a year sum to per account: the yearly fold's rows with a partner, each claimed or not
#: by its account and whether its book is the GIE's and its partner the GIE (no join: the GIE's book is a value)
CLAIMED_YEAR_SQL = """
SELECT account_code, SUM(CASE
    WHEN book_id = %s THEN (CASE WHEN partner_id = %s THEN {gie_gie} ELSE {gie_member} END)
    ELSE (CASE WHEN partner_id = %s THEN {member_gie} ELSE {member_member} END) END)
FROM ledger_balanceyear WHERE year = %s AND partner_id <> 0 {books} GROUP BY account_code
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
    year = _table_year(start, end, claims, gie)
    if year is not None:
        return _from_table(query, year, book_ids)
    rows = query.run(PAIR_UNCANCELLED_SQL, select=PAIR_SELECT)
    cancelled = next((int(row[1]) for row in rows if row[0] == 1), 0)
    claimed = {query.codes[row[1]]: int(row[4]) for row in rows if row[0] == 2}
    pairs = query.sums([row[1:] for row in rows if row[0] == 0], only_listed=True)
    for pair in pairs:  # what is left of each account once the listed pairs' amounts are taken away
        for account, amount in (*pair[5], *pair[6]):
            claimed[account] -= amount
    return PairReport(pairs, cancelled, {account: amount for account, amount in claimed.items() if amount})


def _table_year(start: date | None, end: date, claims: PairClaims, gie: int) -> int | None:
    """The year the pair table can answer for: [start, end] is one calendar year, the table was built under these
    very claims and ``gie`` is the only GIE (the table tells the GIE by the organization's kind); else None."""
    if start is None or (start.month, start.day) != (1, 1) or (end.year, end.month, end.day) != (start.year, 12, 31):
        return None
    if pair_table.stored_claims() != pair_table.claims_of(claims):
        return None
    if list(Organization.objects.filter(kind=Organization.Kind.GIE).values_list("pk", flat=True)) != [gie]:
        return None
    return start.year


def _from_table(query: "_PairQuery", year: int, book_ids: Sequence[int] | None) -> PairReport:
    """``partner_pair_uncancelled`` of one year from the pair table: the pairs that do not cancel and how many do,
    from its rows; each listed pair's sides by account paired again from the balance rows of its books only; what
    the claimed amounts sum to per account from the yearly fold's rows with a partner (one pass, no join)."""
    if book_ids is None:
        left_sum, right_sum, chosen = "left_sum", "right_sum", ""
    else:
        organizations = (
            ", ".join(
                str(int(pk)) for pk in Book.objects.filter(pk__in=book_ids).values_list("organization_id", flat=True)
            )
            or "0"
        )
        left_sum = f"CASE WHEN left_organization_id IN ({organizations}) THEN left_sum ELSE 0 END"
        right_sum = f"CASE WHEN right_organization_id IN ({organizations}) THEN right_sum ELSE 0 END"
        chosen = f"AND (left_organization_id IN ({organizations}) OR right_organization_id IN ({organizations}))"
    year_sql = TABLE_YEAR_SQL.format(left_sum=left_sum, right_sum=right_sum, chosen=chosen)
    with connection.cursor() as cursor:
        cursor.execute(TABLE_PAIRS_SQL.format(pairs=year_sql), [year, year])
        rows = cursor.fetchall()
    cancelled = next((int(row[1]) for row in rows if row[0] == 1), 0)
    listed = {(int(row[1]), int(row[2]), int(row[3])) for row in rows if row[0] == 0}
    claimed = _claimed_by_account(query, year, book_ids)
    pairs = _listed_sides(query, year, listed, book_ids)
    for pair in pairs:  # what is left of each account once the listed pairs' amounts are taken away
        for account, amount in (*pair[5], *pair[6]):
            claimed[account] = claimed.get(account, 0) - amount
    return PairReport(pairs, cancelled, {account: amount for account, amount in claimed.items() if amount})


def _claimed_by_account(query: "_PairQuery", year: int, book_ids: Sequence[int] | None) -> dict[str, int]:
    """The claimed amounts of the year per account, of the given books (None: every book), from the yearly fold."""
    cases: list[str] = []
    params: list[Any] = []
    for case in range(4):
        codes = [code for code in query.codes if query.claims[code][case] >= 0]
        cases.append(f"(CASE WHEN account_code IN ({', '.join(['%s'] * len(codes))}) THEN debit - credit END)"
                     if codes else "NULL")  # fmt: skip
        params.append(codes)
    gie_book = Book.objects.filter(organization_id=query.gie).values_list("pk", flat=True).first() or 0
    books = ""
    book_params: list[Any] = []
    if book_ids is not None:
        books = f"AND book_id IN ({', '.join(['%s'] * len(book_ids))})" if book_ids else "AND 1 = 0"
        book_params = list(book_ids)
    member_member, member_gie, gie_member, gie_gie = cases
    sql = CLAIMED_YEAR_SQL.format(
        gie_gie=gie_gie, gie_member=gie_member, member_gie=member_gie, member_member=member_member, books=books
    )
    # the parameters in the statement's order: the GIE→GIE codes, GIE→member, member→GIE, member→member
    ordered = [gie_book, query.gie, *params[3], *params[2], query.gie, *params[1], *params[0], year, *book_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, ordered)
        return {code: int(amount) for code, amount in cursor.fetchall() if amount}


def _listed_sides(
    query: "_PairQuery", year: int, listed: set[tuple[int, int, int]], book_ids: Sequence[int] | None
) -> list[PairSums]:
    """The listed pairs with each side's accounts, paired from the balance rows of their books (in the set); a pair
    whose two sides both hold nothing on at most one account each is left out, as ``PAIR_UNCANCELLED_SQL`` does."""
    if not listed:
        return []
    organizations = {organization for _, left, right in listed for organization in (left, right)}
    books = Book.objects.filter(organization_id__in=organizations)
    if book_ids is not None:
        books = books.filter(pk__in=book_ids)
    span = (date(year, 1, 1), date(year, 12, 31))
    detail = _PairQuery(list(books.values_list("pk", flat=True)), *span, query.claims, query.gie)
    sides: dict[tuple[int, int, int], list[list[tuple[str, int]]]] = {key: [[], []] for key in listed}
    for group, left, right, side, account, amount in detail.run(
        PAIR_SQL, select=PAIR_DETAIL_SELECT, group_by="1, 2, 3, 4, 5"
    ):
        key = (int(group), int(left), int(right))
        if key in sides:
            sides[key][int(side)].append((query.codes[account], int(amount)))
    out: list[PairSums] = []
    for (group, left, right), (left_side, right_side) in sorted(sides.items()):
        left_sum, right_sum = sum(a for _, a in left_side), sum(a for _, a in right_side)
        if left_sum == 0 and right_sum == 0 and len(left_side) <= 1 and len(right_side) <= 1:
            continue
        out.append((group, left, right, left_sum, right_sum, tuple(sorted(left_side)), tuple(sorted(right_side))))
    return out


class _PairQuery:
    """The parts of a pairing statement: the claims as SQL values, the sources of the range, the books."""

    def __init__(
        self, book_ids: Sequence[int] | None, start: date | None, end: date, claims: PairClaims, gie: int
    ) -> None:
        self.claims = claims
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
