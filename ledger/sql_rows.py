"""How the posting engine's rows reach the database, whatever they are: every PostgreSQL statement prepared, a batch
as one array parameter per column (``unnest``) or through COPY, and the values SQLite stores (``ledger.engine``)."""

import functools
from datetime import date, datetime
from typing import Any
from uuid import UUID

import psycopg
from django.apps import apps
from django.db import connection

from ledger import pair_table


def sqlite_value(value: Any) -> Any:
    if isinstance(value, UUID):
        return value.hex
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


class PreparedCursor(psycopg.Cursor):
    """Server-side binding, every statement prepared: each text the engine sends (one per shape of entry, one for
    all batches: see `unnest_sql`) is parsed and planned once per connection."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


def execute_prepared(sql: str, params: list[Any], *, fetch: bool = False) -> list[tuple[Any, ...]]:
    """Run one statement prepared (PostgreSQL), through Django's cursor wrapper: errors are translated
    (IntegrityError → retry); execute wrappers and query logging see it."""
    connection.ensure_connection()
    # _prepare_cursor is what connection.cursor() does with the driver's cursor: debug wrapper when queries are
    # logged (DEBUG, assertNumQueries), thread-sharing check
    with connection._prepare_cursor(PreparedCursor(connection.connection)) as cursor:  # type: ignore[attr-defined]
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


@functools.cache
def pg_types(table: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The PostgreSQL type of each column, from the Django model that owns the table."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    fields = {f.column: f for f in model._meta.concrete_fields}
    return tuple(str(fields[c].db_type(connection)) for c in columns)


@functools.cache
def unnest_sql(table: str, columns: tuple[str, ...], suffix: str = "") -> str:
    """INSERT of any number of rows with one array parameter per column: the text never changes with the row
    count (one prepared statement for every batch) and the parameter count stays small."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    arrays = ", ".join(f"%s::{pg_type}[]" for pg_type in pg_types(table, columns))
    return f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) SELECT * FROM unnest({arrays}){suffix}"  # noqa: S608 - names are module constants


@functools.cache
def insert_sql(table: str, columns: tuple[str, ...], suffix: str = "", count: int = 1) -> str:
    """INSERT of ``count`` rows with one parameter per value."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    row = f"({', '.join(['%s'] * len(columns))})"
    return f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES {', '.join([row] * count)}{suffix}"  # noqa: S608 - names are module constants


def columns_of(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(  # the psycopg cursor behind Django's wrapper
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def sqlite_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    seen: dict[Any, Any] = {}  # the same `now` and entry stamps recur on every row: convert each once

    def convert(value: Any) -> Any:
        if value.__class__ in (datetime, date):
            if value not in seen:
                seen[value] = sqlite_value(value)
            return seen[value]
        return sqlite_value(value)

    return [tuple(convert(v) for v in row) for row in rows]


UPSERTS = {  # what an insert into these tables does when the row exists: add to it
    "ledger_balance": (
        " ON CONFLICT (book_id, account_code, partner_id, year, month) DO UPDATE SET "
        "debit = ledger_balance.debit + excluded.debit, credit = ledger_balance.credit + excluded.credit"
    ),
    "ledger_balanceyear": (
        " ON CONFLICT (book_id, account_code, partner_id, year) DO UPDATE SET "
        "debit = ledger_balanceyear.debit + excluded.debit, credit = ledger_balanceyear.credit + excluded.credit"
    ),
    "ledger_journalsequence": (
        " ON CONFLICT (book_id, journal, year) DO UPDATE "
        "SET last_number = ledger_journalsequence.last_number + excluded.last_number "
        "RETURNING book_id, journal, year, last_number"
    ),
}


def statement_sql(
    table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]], *, batch: bool
) -> tuple[str, list[Any]]:
    """The SQL of a table's rows and its parameters (PostgreSQL): one parameter per value, or one array per column
    (``batch``); the pair rows feed the pair table's upsert (``ledger.pair_table``)."""
    params = columns_of(rows, len(columns)) if batch else [value for row in rows for value in row]
    if table == pair_table.PAIR_SOURCE:
        return pair_table.upsert_sql(len(rows), batch=batch), params
    if batch:
        return unnest_sql(table, columns, UPSERTS.get(table, "")), params
    return insert_sql(table, columns, UPSERTS.get(table, ""), len(rows)), params
