"""A posting's rows written (``engine``): the movements added to the balance tables (monthly, its yearly fold, the
pair table), then, on PostgreSQL, ONE prepared statement — a batch's rows as arrays (COPY first above
``COPY_THRESHOLD`` rows), or an entry alone with its number drawn from its journal's sequence inside the statement —
and on SQLite one ``executemany`` per table; and the reservation of consecutive entry numbers per (book, journal,
year)."""

import functools
from collections import defaultdict
from typing import Any

from django.db import connection

from ledger import pair_table
from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD
from ledger.posting import EntryDraft
from ledger.sql_rows import (
    UPSERTS,
    columns_of,
    copy_rows,
    execute_prepared,
    insert_sql,
    pg_types,
    sqlite_rows,
    statement_sql,
    unnest_sql,
)

COPY_THRESHOLD = 200  # entry rows: above this, PostgreSQL writes the entry tables with COPY
BALANCE_TABLE = "ledger_balance"
BALANCE_COLUMNS = ("book_id", "account_code", "partner_id", "year", "month", "debit", "credit")
BALANCE_YEAR_TABLE = "ledger_balanceyear"
BALANCE_YEAR_COLUMNS = ("book_id", "account_code", "partner_id", "year", "debit", "credit")
SEQUENCE_TABLE = "ledger_journalsequence"
SEQUENCE_COLUMNS = ("book_id", "journal", "year", "last_number")
Plan = list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]


def with_balances(plan: Plan, deltas: dict[tuple[int, str, int, int, int], list[int]]) -> Plan:
    """The plan's tables, then the batch's movements as rows of the monthly balance table, of its yearly fold and of
    the pair table, sorted (concurrent writers lock balance rows in the same order)."""
    yearly: dict[tuple[int, str, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for (book_id, code, partner, year, month), (debit, credit) in deltas.items():
        if month in (OPENING_PERIOD, CLOSING_PERIOD):  # the year's opening and closing entries: monthly rows only
            continue
        cell = yearly[(book_id, code, partner, year)]
        cell[0] += debit
        cell[1] += credit
    monthly_rows = [(*key, dc[0], dc[1]) for key, dc in sorted(deltas.items())]
    yearly_rows = [(*key, dc[0], dc[1]) for key, dc in sorted(yearly.items())]
    return [
        *plan,
        (BALANCE_TABLE, BALANCE_COLUMNS, monthly_rows),
        (BALANCE_YEAR_TABLE, BALANCE_YEAR_COLUMNS, yearly_rows),
        (pair_table.PAIR_SOURCE, pair_table.PAIR_SOURCE_COLUMNS, pair_table.pair_rows(deltas)),
    ]


def write_batch(plan: Plan, deltas: dict[tuple[int, str, int, int, int], list[int]], *, single: bool) -> None:
    """Write the rows of every table and add the movements to the balance tables and the pair table.

    PostgreSQL writes a posting as ONE prepared statement, each table's insert a data-modifying CTE of it: a single
    entry with one parameter per value (the statement text depends only on the entry's shape, so the few shapes of
    forms are planned once per connection), a batch with one array parameter per column (one text for every
    batch). Above COPY_THRESHOLD rows the entry tables go by COPY first. SQLite: executemany per table.
    """
    statements = with_balances(plan, deltas)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            for table, columns, rows in statements:
                if not rows:
                    continue
                if table == pair_table.PAIR_SOURCE:
                    cursor.executemany(pair_table.upsert_sql(1, batch=False), rows)
                else:
                    cursor.executemany(insert_sql(table, columns, UPSERTS.get(table, "")), sqlite_rows(rows))
        return
    if sum(len(rows) for _, _, rows in plan) > COPY_THRESHOLD:
        for table, columns, rows in plan:
            copy_rows(table, columns, rows)
        statements = statements[len(plan) :]
    pieces = [statement_sql(table, columns, rows, batch=not single) for table, columns, rows in statements if rows]
    parts = [sql for sql, _ in pieces]
    params = [value for _, values in pieces for value in values]
    ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts[:-1]))
    execute_prepared(f"WITH {ctes} {parts[-1]}" if ctes else parts[-1], params)


NUMBERED = {"django_ledger_journalentrymodel": "je_number", "ledger_entry": "number"}
NUMBER_SQL = "%s || CASE WHEN last_number < 1000000 THEN lpad(last_number::text, 6, '0') ELSE last_number::text END"


class _Number:
    """Stands for the entry number in a row until the write statement draws it from the journal's sequence."""


PENDING_NUMBER = _Number()


def write_alone(plan: Plan, deltas: dict[tuple[int, str, int, int, int], list[int]], draft: EntryDraft) -> str:
    """Write one entry outside any transaction as ONE statement, its own transaction: it reserves the number
    (sequence upsert), formats it, writes every row, the balance tables and the pair table; returns the number.

    PostgreSQL runs a statement atomically: every CTE commits or none. Rows carry PENDING_NUMBER where the number
    goes; the journal entry and ``ledger_entry`` rows select it from the ``num`` CTE.
    """
    statements = with_balances(plan, deltas)
    sequence_sql = insert_sql(SEQUENCE_TABLE, SEQUENCE_COLUMNS, UPSERTS[SEQUENCE_TABLE])
    year = draft.posted_on.year
    params: list[Any] = [draft.book_id, str(draft.journal), year, 1, f"{draft.journal}{year}-"]
    parts = [f"seq AS ({sequence_sql})", f"num AS (SELECT {NUMBER_SQL} AS number FROM seq)"]  # noqa: S608
    for table, columns, rows in statements:
        if not rows:
            continue
        if table in NUMBERED:
            (row,) = rows
            sql = _insert_numbered_sql(table, columns, NUMBERED[table])
            params += [value for value in row if value is not PENDING_NUMBER]
        else:
            sql, values = statement_sql(table, columns, rows, batch=False)
            params += values
        parts.append(f"w{len(parts)} AS ({sql})")
    sql = f"WITH {', '.join(parts)} SELECT number FROM num"  # noqa: S608 - fragments built here from constants
    ((number,),) = execute_prepared(sql, params, fetch=True)
    return str(number)


@functools.cache
def _insert_numbered_sql(table: str, columns: tuple[str, ...], number_column: str) -> str:
    """INSERT of one row whose number comes from the ``num`` CTE; the other values are typed parameters."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    values = ", ".join(
        "num.number" if column == number_column else f"%s::{pg_type}"
        for column, pg_type in zip(columns, pg_types(table, columns), strict=True)
    )
    return f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) SELECT {values} FROM num"  # noqa: S608 - names are module constants


def reservation_sql(needed: dict[tuple[int, str, int], int]) -> tuple[str, list[Any]]:
    """Upsert of the sequence rows, sorted (concurrent batches lock them in the same order: no deadlock)."""
    rows = [(*key, needed[key]) for key in sorted(needed)]
    suffix = UPSERTS[SEQUENCE_TABLE]
    if connection.vendor == "postgresql":
        return unnest_sql(SEQUENCE_TABLE, SEQUENCE_COLUMNS, suffix), columns_of(rows, len(SEQUENCE_COLUMNS))
    return insert_sql(SEQUENCE_TABLE, SEQUENCE_COLUMNS, suffix, len(rows)), [v for row in rows for v in row]


def first_numbers(
    needed: dict[tuple[int, str, int], int], rows: list[tuple[Any, ...]]
) -> dict[tuple[int, str, int], int]:
    return {
        (book_id, journal, year): int(last) - needed[(book_id, journal, year)] + 1
        for book_id, journal, year, last in rows
    }


def reserve_numbers(needed: dict[tuple[int, str, int], int]) -> dict[tuple[int, str, int], int]:
    """Reserve consecutive numbers for every (book, journal, year) in one statement; returns the first of each.

    The upsert locks each sequence row until commit, so concurrent writers of one journal queue up.
    """
    sql, params = reservation_sql(needed)
    if connection.vendor == "postgresql":
        return first_numbers(needed, execute_prepared(sql, params, fetch=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return first_numbers(needed, cursor.fetchall())
