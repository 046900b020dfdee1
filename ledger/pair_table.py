"""The pair table of the combined accounts (issue 15 point 4): the amounts with a partner, claimed by a pair of the
pair list, summed per (year, group, left organization, right organization) in ``PairYear``, kept by every posting in
the same statement as the balance tables (``engine``), under the claims stored in ``PairClaim``.

A whole year's combination of a region (70,000 pairs from 140,000 balance rows by partner) then reads the pairs that
do not cancel and counts the others from one table, instead of pairing every balance row by partner
(``pairs.partner_pair_uncancelled``). The claims are the combined accounts' (``gie_erp.combine`` computes them from
its pair list and stores them through ``services.pair_claims_set``, which rebuilds the table from the balance
tables); a read uses the table only when it was built under the very claims it is asked about, else it pairs the
balance rows as before. ``differences`` (``ledger_verify``) recomputes the table from the balance tables.
"""

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection

from ledger.models import PairClaim, PairYear
from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD
from members.models import Organization

#: the claims of a pair list: per account code, the four cases (member→member, member→GIE, GIE→member, GIE→GIE),
#: each ``2 × group + side`` or -1; only the codes some case claims
Claims = dict[str, tuple[int, int, int, int]]
#: the rows a posting adds: (book, account code, partner organization, year, debit − credit in centimes)
PAIR_SOURCE_COLUMNS = ("book_id", "account_code", "partner_id", "year", "amount")
PAIR_SOURCE = "pair source"  # the engine's plan names the pair rows so (they feed an upsert of their own)

#: the claimed amounts of a source ``v`` (book_id, account_code, partner_id, year, amount): each with its pair
CLAIMED_SQL = """
SELECT v.year AS year, v.account_code AS account_code, v.amount AS amount, b.organization_id AS book,
       v.partner_id AS partner,
       CASE WHEN bo.kind = '{gie}' THEN (CASE WHEN po.kind = '{gie}' THEN c.gie_gie ELSE c.gie_member END)
            ELSE (CASE WHEN po.kind = '{gie}' THEN c.member_gie ELSE c.member_member END) END AS claim
FROM ({source}) v
JOIN ledger_book b ON b.id = v.book_id
JOIN members_organization bo ON bo.id = b.organization_id
LEFT JOIN members_organization po ON po.id = v.partner_id
JOIN ledger_pairclaim c ON c.account_code = v.account_code
"""
PAIR_YEAR_SELECT = """
SELECT year, claim / 2, CASE WHEN claim %% 2 = 0 THEN book ELSE partner END,
       CASE WHEN claim %% 2 = 0 THEN partner ELSE book END,
       SUM(CASE WHEN claim %% 2 = 0 THEN amount ELSE 0 END), SUM(CASE WHEN claim %% 2 = 1 THEN amount ELSE 0 END)
FROM ({claimed}) claimed WHERE claim >= 0
GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""
PAIR_YEAR_UPSERT = (
    "INSERT INTO ledger_pairyear (year, pair_group, left_organization_id, right_organization_id, left_sum, right_sum)"
    + PAIR_YEAR_SELECT
    + """ON CONFLICT (year, pair_group, left_organization_id, right_organization_id) DO UPDATE SET
left_sum = ledger_pairyear.left_sum + excluded.left_sum, right_sum = ledger_pairyear.right_sum + excluded.right_sum
"""
)
#: every amount with a partner of months 1 to 12 the balance tables hold, as a source: the yearly fold
BALANCES_SOURCE = """
SELECT book_id, account_code, partner_id, year, debit - credit AS amount FROM ledger_balanceyear WHERE partner_id <> 0
"""


def claims_of(claims: Mapping[str, Sequence[int]]) -> Claims:
    """Claims as the table stores them: integers, only the codes some case claims."""
    return {code: (int(cases[0]), int(cases[1]), int(cases[2]), int(cases[3]))
            for code, cases in claims.items() if max(cases) >= 0}  # fmt: skip


def stored_claims() -> Claims:
    """The claims the table was built under."""
    return {claim.account_code: claim.cases for claim in PairClaim.objects.all()}


def _claimed(source: str) -> str:
    return CLAIMED_SQL.format(gie=Organization.Kind.GIE.value, source=source)


@functools.cache
def upsert_sql(count: int, *, batch: bool) -> str:
    """The upsert of a posting's pair rows: ``count`` rows of values (one parameter each, typed for prepared
    statements on PostgreSQL) or, ``batch``, one array per column (PostgreSQL)."""
    if batch:
        arrays = "%s::bigint[], %s::varchar[], %s::bigint[], %s::smallint[], %s::bigint[]"
        source = f"SELECT * FROM unnest({arrays}) AS vals({', '.join(PAIR_SOURCE_COLUMNS)})"  # noqa: S608 (constants)
    else:
        typed = connection.vendor == "postgresql"
        row = "(%s::bigint, %s::varchar, %s::bigint, %s::smallint, %s::bigint)" if typed else "(%s, %s, %s, %s, %s)"
        names = ", ".join(f"column{i + 1} AS {name}" for i, name in enumerate(PAIR_SOURCE_COLUMNS))
        source = f"SELECT {names} FROM (VALUES {', '.join([row] * count)}) AS vals"  # noqa: S608 (constants)
    return PAIR_YEAR_UPSERT.format(claimed=_claimed(source))


def pair_rows(deltas: Mapping[tuple[int, str, int, int, int], list[int]]) -> list[tuple[Any, ...]]:
    """A posting's movements with a partner, summed by (book, account, partner, year) over months 1 to 12 (like the
    yearly fold: the opening and closing entries are not in the table), sorted: the rows the pair table adds (those
    no pair claims are dropped by the statement)."""
    rows: dict[tuple[int, str, int, int], int] = {}
    for (book_id, code, partner, year, month), (debit, credit) in deltas.items():
        if partner and month not in (OPENING_PERIOD, CLOSING_PERIOD):
            key = (book_id, code, partner, year)
            rows[key] = rows.get(key, 0) + debit - credit
    return [(*key, amount) for key, amount in sorted(rows.items())]


def rebuild() -> None:
    """The table again from the balance tables under the stored claims (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_pairyear")
        cursor.execute(PAIR_YEAR_UPSERT.format(claimed=_claimed(BALANCES_SOURCE)), [])


def differences() -> list[str]:
    """Every cell of the pair table that differs from the balance table's amounts with a partner paired again
    under the stored claims (``ledger_verify``): empty when the table is right."""
    with connection.cursor() as cursor:
        cursor.execute(PAIR_YEAR_SELECT.format(claimed=_claimed(BALANCES_SOURCE)), [])
        want = {tuple(row[:4]): (int(row[4]), int(row[5])) for row in cursor.fetchall()}
    have = {
        tuple(row[:4]): (row[4], row[5])
        for row in PairYear.objects.values_list(
            "year", "pair_group", "left_organization_id", "right_organization_id", "left_sum", "right_sum"
        )
    }
    return [
        f"pair year {key[0]} group {key[1]} {key[2]}↔{key[3]}: table {have.get(key, (0, 0))} ≠ balances "
        f"{want.get(key, (0, 0))} (centimes)"
        for key in sorted(set(have) | set(want))
        if have.get(key, (0, 0)) != want.get(key, (0, 0))
    ]
