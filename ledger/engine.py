"""The posting engine: validated drafts written straight into django-ledger's tables and ours, in one transaction.

django-ledger's ``commit_txs`` costs ~12 queries per entry (65–100 entries/s). Here, on PostgreSQL, one entry outside
a transaction costs two statements (a read; one write that is its own transaction), a batch of any size a fixed
handful (the read with the number reservation, COPY per table above 200 rows, one write for the rest); every
statement prepared. SQLite: the same reads, one ``executemany`` per table. Every rule applies to every entry.
See docs/ledger.md ("How it is written").
"""

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gie_erp.core.dates import earliest_date
from gie_erp.core.errors import DomainError, ErrorCode, IdempotencyConflict
from gie_erp.core.ids import uuid7_many
from gie_erp.core.money import to_centimes
from ledger import pair_table
from ledger.books import account_uuid, book_contexts, ledger_uuids
from ledger.models import balance_month
from ledger.periods import CLOSING_PERIOD, OPENING_PERIOD
from ledger.posting import EntryDraft, check_draft, draft_digest
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
from members.models import Organization

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
NOON = time(12, 0)  # entries are stamped at local noon: the same calendar day in UTC, whatever the DST offset
COPY_THRESHOLD = 200  # entry rows: above this, PostgreSQL writes the entry tables with COPY

JE_COLUMNS = (
    "uuid", "je_number", "timestamp", "description", "entity_unit_id", "activity", "origin", "posted", "locked",
    "is_closing_entry", "ledger_id", "created", "updated",
)  # fmt: skip
TX_COLUMNS = (
    "uuid", "tx_type", "journal_entry_id", "account_id", "amount", "description", "cleared", "reconciled",
    "created", "updated",
)  # fmt: skip
ENTRY_COLUMNS = (
    "je_id", "book_id", "journal", "number", "posted_on", "description", "source_ref", "idempotency_key", "digest",
    "reversal_of_id", "created_at", "actor_id",
)  # fmt: skip
PARTNER_COLUMNS = ("tx_id", "book_id", "partner_id")
ANALYTIC_COLUMNS = ("tx_id", "book_id", "tag")


@dataclass(frozen=True, slots=True)
class PostedRef:
    """What a caller gets back: the entry's id (the django-ledger entry uuid) and number; ``created`` is False on
    an idempotent replay."""

    je_id: UUID
    number: str
    created: bool


def entry_timestamp(day: date) -> datetime:
    return datetime.combine(day, NOON, tzinfo=LOCAL_TZ)


BALANCE_TABLE = "ledger_balance"
BALANCE_COLUMNS = ("book_id", "account_code", "partner_id", "year", "month", "debit", "credit")
BALANCE_YEAR_TABLE = "ledger_balanceyear"
BALANCE_YEAR_COLUMNS = ("book_id", "account_code", "partner_id", "year", "debit", "credit")
SEQUENCE_TABLE = "ledger_journalsequence"
SEQUENCE_COLUMNS = ("book_id", "journal", "year", "last_number")
Plan = list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]


def _with_balances(plan: Plan, deltas: dict[tuple[int, str, int, int, int], list[int]]) -> Plan:
    """The plan's tables, then the batch's movements as rows of the monthly balance table and of its yearly fold,
    sorted (concurrent writers lock balance rows in the same order)."""
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


def _write_batch(plan: Plan, deltas: dict[tuple[int, str, int, int, int], list[int]], *, single: bool) -> None:
    """Write the rows of every table and add the movements to both balance tables.

    PostgreSQL writes a posting as ONE prepared statement, each table's insert a data-modifying CTE of it: a single
    entry with one parameter per value (the statement text depends only on the entry's shape, so the few shapes of
    forms are planned once per connection), a batch with one array parameter per column (one text for every
    batch). Above COPY_THRESHOLD rows the entry tables go by COPY first. SQLite: executemany per table.
    """
    statements = _with_balances(plan, deltas)
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


def _write_alone(plan: Plan, deltas: dict[tuple[int, str, int, int, int], list[int]], draft: EntryDraft) -> str:
    """Write one entry outside any transaction as ONE statement, its own transaction: it reserves the number
    (sequence upsert), formats it, writes every row and both balance tables; returns the number.

    PostgreSQL runs a statement atomically: every CTE commits or none. Rows carry PENDING_NUMBER where the number
    goes; the journal entry and ``ledger_entry`` rows select it from the ``num`` CTE.
    """
    statements = _with_balances(plan, deltas)
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


def _reservation_sql(needed: dict[tuple[int, str, int], int]) -> tuple[str, list[Any]]:
    """Upsert of the sequence rows, sorted (concurrent batches lock them in the same order: no deadlock)."""
    rows = [(*key, needed[key]) for key in sorted(needed)]
    suffix = UPSERTS[SEQUENCE_TABLE]
    if connection.vendor == "postgresql":
        return unnest_sql(SEQUENCE_TABLE, SEQUENCE_COLUMNS, suffix), columns_of(rows, len(SEQUENCE_COLUMNS))
    return insert_sql(SEQUENCE_TABLE, SEQUENCE_COLUMNS, suffix, len(rows)), [v for row in rows for v in row]


def _first_numbers(
    needed: dict[tuple[int, str, int], int], rows: list[tuple[Any, ...]]
) -> dict[tuple[int, str, int], int]:
    return {
        (book_id, journal, year): int(last) - needed[(book_id, journal, year)] + 1
        for book_id, journal, year, last in rows
    }


def _reserve_numbers(needed: dict[tuple[int, str, int], int]) -> dict[tuple[int, str, int], int]:
    """Reserve consecutive numbers for every (book, journal, year) in one statement; returns the first of each.

    The upsert locks each sequence row until commit, so concurrent writers of one journal queue up.
    """
    sql, params = _reservation_sql(needed)
    if connection.vendor == "postgresql":
        return _first_numbers(needed, execute_prepared(sql, params, fetch=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _first_numbers(needed, cursor.fetchall())


class _Replay(Exception):
    """A single draft turned out to be a replay after its number was reserved: roll back, return the first entry."""

    def __init__(self, refs: list["PostedRef"]) -> None:
        super().__init__("replay")
        self.refs = refs


def _existing_and_locked(
    wanted: set[tuple[int, str]],
    periods: set[tuple[int, int, int]],
    reserve: dict[tuple[int, str, int], int] | None = None,
) -> tuple[dict[tuple[int, str], tuple[UUID, str, str]], set[tuple[int, int, int]], dict[tuple[int, str, int], int]]:
    """Entries already posted under these keys, which of these months are locked and, if asked, a reservation of
    numbers: on PostgreSQL one prepared statement (the reservation is a data-modifying CTE, the answers one UNION
    ALL). Plain SQL everywhere (no ORM on the hot path)."""
    books = sorted({book for book, _ in wanted} | {book for book, _, _ in periods})
    keys = sorted({key for _, key in wanted})
    years = sorted({year for _, year, _ in periods})
    found: list[tuple[Any, ...]] = []
    locked: list[tuple[Any, ...]] = []
    numbers: dict[tuple[int, str, int], int] = {}

    if connection.vendor == "postgresql":
        if len(wanted) == 1 and len(periods) == 1:  # a form, a task: scalar parameters, a generic plan
            ((book_id, key),), ((_, year, _),) = wanted, periods
            entries_where, locks_where = "book_id = %s AND idempotency_key = %s", "book_id = %s AND year = %s"
            params: list[Any] = [book_id, key, book_id, year]
        else:  # a batch: one array per column (the text does not grow with the batch), exact (book, key) pairs
            entries_where = "(book_id, idempotency_key) IN (SELECT * FROM unnest(%s::bigint[], %s::text[]))"
            locks_where = "book_id = ANY(%s) AND year = ANY(%s)"
            pairs = sorted(wanted)
            params = [[book for book, _ in pairs], [key for _, key in pairs], books, years]
        sql = (
            "SELECT 'e', book_id, je_id::text, idempotency_key, digest, number, NULL::bigint, NULL::bigint "  # noqa: S608
            f"FROM ledger_entry WHERE {entries_where} "
            "UNION ALL SELECT 'l', book_id, NULL, NULL, NULL, NULL, year, month "
            f"FROM ledger_periodlock WHERE {locks_where}"
        )
        if reserve:
            reservation, reservation_params = _reservation_sql(reserve)
            sql = (
                f"WITH seq AS ({reservation}) {sql} "  # noqa: S608 - constant fragments
                "UNION ALL SELECT 's', book_id, journal, NULL, NULL, NULL, year, last_number FROM seq"
            )
            params = reservation_params + params
        rows = execute_prepared(sql, params, fetch=True)
        sequences = []
        for kind, book_id, a, key, digest, number, n1, n2 in rows:
            if kind == "e":
                found.append((book_id, a, key, digest, number))
            elif kind == "l":
                locked.append((book_id, n1, n2))
            else:
                sequences.append((book_id, a, n1, n2))
        if reserve:
            numbers = _first_numbers(reserve, sequences)
    else:

        def marks(values: list[Any]) -> str:
            return ", ".join(["%s"] * len(values))

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT book_id, je_id, idempotency_key, digest, number FROM ledger_entry "  # noqa: S608 - placeholders
                f"WHERE book_id IN ({marks(books)}) AND idempotency_key IN ({marks(keys)})",
                [*books, *keys],
            )
            found = cursor.fetchall()
            cursor.execute(
                "SELECT book_id, year, month FROM ledger_periodlock "  # noqa: S608 - placeholders only
                f"WHERE book_id IN ({marks(books)}) AND year IN ({marks(years)})",
                [*books, *years],
            )
            locked = cursor.fetchall()
        if reserve:
            numbers = _reserve_numbers(reserve)
    existing = {
        (book_id, key): (je_id if isinstance(je_id, UUID) else UUID(str(je_id)), digest, number)
        for book_id, je_id, key, digest, number in found
        if (book_id, key) in wanted
    }
    return existing, periods & {(b, y, m) for b, y, m in locked}, numbers


def post_drafts(
    drafts: Sequence[EntryDraft],
    *,
    today: date,
    actor_id: int | None = None,
    reversal_of: dict[str, UUID] | None = None,
    after: Callable[[list[PostedRef]], None] | None = None,
) -> list[PostedRef]:
    """Post every draft or none. Replayed keys with the same content return the first entry; all rules checked.

    Inside a caller's transaction this costs one savepoint (the caller may catch a refusal and go on). Outside, it
    opens its own transaction and, if a concurrent writer committed one of the same keys first (a unique-constraint
    error), runs once more: the key is then a replay. ``after`` runs inside the same transaction (audit rows).
    """

    def run() -> list[PostedRef]:
        refs = _post(drafts, today=today, actor_id=actor_id, reversal_of=reversal_of or {})
        if after is not None:
            after(refs)
        return refs

    if (
        connection.vendor == "postgresql"
        and len(drafts) == 1
        and after is None
        and not reversal_of
        and not connection.in_atomic_block
        and connection.get_autocommit()
    ):
        # One entry, no caller's transaction (a form, a task): one read, then one statement that is its own
        # transaction. A concurrent writer may take the key or lock the month in between: the unique index or
        # the lock trigger refuses the statement (IntegrityError) and the second run sees why.
        try:
            return _post(drafts, today=today, actor_id=actor_id, reversal_of={}, alone=True)
        except IntegrityError:
            return _post(drafts, today=today, actor_id=actor_id, reversal_of={}, alone=True)
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                return run()
        try:
            with transaction.atomic():
                return run()
        except IntegrityError:
            with transaction.atomic():
                return run()
    except _Replay as replay:  # the block rolled back the speculative number: nothing was written
        return replay.refs


def _post(
    drafts: Sequence[EntryDraft],
    *,
    today: date,
    actor_id: int | None,
    reversal_of: dict[str, UUID],
    alone: bool = False,
) -> list[PostedRef]:
    digests = []
    earliest = earliest_date()
    for draft in drafts:
        check_draft(draft, today=today, earliest=earliest)
        digests.append(draft_digest(draft))

    # idempotency: keys already posted return their entry; the same key twice in one batch must agree too
    wanted = {(draft.book_id, draft.idempotency_key) for draft in drafts}
    all_periods = {(draft.book_id, draft.posted_on.year, draft.posted_on.month) for draft in drafts}
    # A single draft (the form, the task) reserves its number in the same round trip as the reads; if it turns out
    # to be a replay, _Replay rolls the reservation back so the numbering keeps no gap.
    speculative = (
        {(drafts[0].book_id, str(drafts[0].journal), drafts[0].posted_on.year): 1}
        if len(drafts) == 1 and not alone
        else None
    )
    existing, locked_any, reserved = _existing_and_locked(wanted, all_periods, reserve=speculative)

    results: list[PostedRef | None] = [None] * len(drafts)
    fresh: list[int] = []
    batch_keys: dict[tuple[int, str], tuple[int, str]] = {}
    for index, (draft, digest) in enumerate(zip(drafts, digests, strict=True)):
        book_key = (draft.book_id, draft.idempotency_key)
        if book_key in existing:
            je_id, old_digest, old_number = existing[book_key]
            if old_digest != digest:
                raise IdempotencyConflict(draft.idempotency_key)
            results[index] = PostedRef(je_id=je_id, number=old_number, created=False)
        elif book_key in batch_keys:
            if batch_keys[book_key][1] != digest:
                raise IdempotencyConflict(draft.idempotency_key)
        else:
            batch_keys[book_key] = (index, digest)
            fresh.append(index)
    if not fresh:
        if reserved:
            raise _Replay(_one_per_draft(results, drafts))
        return _one_per_draft(results, drafts)

    contexts = book_contexts(
        {drafts[index].book_id for index in fresh}, codes={ln.account_code for i in fresh for ln in drafts[i].lines}
    )

    # partners must be organizations of the group; locks must not cover any date
    partner_ids = {ln.partner_id for i in fresh for ln in drafts[i].lines if ln.partner_id}
    if partner_ids:
        known = set(Organization.objects.filter(pk__in=partner_ids).values_list("pk", flat=True))
        if partner_ids - known:
            raise DomainError(ErrorCode.UNKNOWN_PARTNER, value=sorted(partner_ids - known)[0])
    periods = {(drafts[i].book_id, drafts[i].posted_on.year, drafts[i].posted_on.month) for i in fresh}
    locked = periods & locked_any  # a replay dated in a month locked since still returns its entry
    if locked:
        _book, year, month = sorted(locked)[0]
        raise DomainError(ErrorCode.PERIOD_LOCKED, period=f"{year}-{month:02d}")

    # numbers: one reservation per (book, journal, year), in a stable order (no deadlock between writers)
    needed: dict[tuple[int, str, int], int] = defaultdict(int)
    for index in fresh:
        draft = drafts[index]
        needed[(draft.book_id, str(draft.journal), draft.posted_on.year)] += 1
    next_number = reserved if reserved or alone else _reserve_numbers(needed)

    now = timezone.now()
    je_rows: list[tuple[Any, ...]] = []
    tx_rows: list[tuple[Any, ...]] = []
    entry_rows: list[tuple[Any, ...]] = []
    partner_rows: list[tuple[Any, ...]] = []
    analytic_rows: list[tuple[Any, ...]] = []
    deltas: dict[tuple[int, str, int, int, int], list[int]] = defaultdict(lambda: [0, 0])
    ordered = sorted(fresh, key=lambda i: (drafts[i].book_id, drafts[i].posted_on, i))  # numbers follow dates
    journals = {(drafts[i].book_id, str(drafts[i].journal), drafts[i].posted_on.year) for i in ordered}
    by_entity = ledger_uuids({(contexts[book_id].entity_id, journal, year) for book_id, journal, year in journals})
    ledgers = {
        (book_id, journal, year): by_entity[(contexts[book_id].entity_id, journal, year)]
        for book_id, journal, year in journals
    }
    keys = iter(uuid7_many(sum(1 + len(drafts[index].lines) for index in ordered)))  # in posting order
    for index in ordered:
        draft = drafts[index]
        context = contexts[draft.book_id]
        seq_key = (draft.book_id, str(draft.journal), draft.posted_on.year)
        if alone:
            number: Any = PENDING_NUMBER
        else:
            number = f"{draft.journal}{draft.posted_on.year}-{next_number[seq_key]:06d}"
            next_number[seq_key] += 1
        je_id = next(keys)
        description = draft.description[:120]
        period = balance_month(str(draft.journal), draft.posted_on)
        je_rows.append(
            (
                je_id, number, entry_timestamp(draft.posted_on), description, None, None, "gie_erp", True, True,
                False, ledgers[seq_key], now, now,
            )
        )  # fmt: skip
        for line in draft.lines:
            tx_id = next(keys)
            is_debit = line.debit > 0
            amount = line.debit if is_debit else line.credit
            tx_rows.append(
                (
                    tx_id, "debit" if is_debit else "credit", je_id, account_uuid(context, line.account_code),
                    amount, (line.description or description)[:100], False, False, now, now,
                )
            )  # fmt: skip
            if line.partner_id:
                partner_rows.append((tx_id, draft.book_id, line.partner_id))
            if line.tag:
                analytic_rows.append((tx_id, draft.book_id, line.tag))
            cents = to_centimes(amount)
            cell = (draft.book_id, line.account_code, line.partner_id or 0, draft.posted_on.year, period)
            deltas[cell][0 if is_debit else 1] += cents
        entry_rows.append(
            (
                je_id, draft.book_id, str(draft.journal), number, draft.posted_on, draft.description[:120],
                draft.source_ref[:120], draft.idempotency_key, digests[index],
                reversal_of.get(draft.idempotency_key), now, actor_id,
            )
        )  # fmt: skip
        results[index] = PostedRef(je_id=je_id, number=number, created=True)

    plan = [
        ("django_ledger_journalentrymodel", JE_COLUMNS, je_rows),
        ("django_ledger_transactionmodel", TX_COLUMNS, tx_rows),
        ("ledger_entry", ENTRY_COLUMNS, entry_rows),
        ("ledger_partnerline", PARTNER_COLUMNS, partner_rows),
        ("ledger_analyticline", ANALYTIC_COLUMNS, analytic_rows),
    ]
    if alone:
        ref = results[0]
        assert ref is not None
        results[0] = PostedRef(je_id=ref.je_id, number=_write_alone(plan, deltas, drafts[0]), created=True)
    else:
        _write_batch(plan, deltas, single=len(drafts) == 1)
    return _one_per_draft(results, drafts)


def _one_per_draft(results: list[PostedRef | None], drafts: Sequence[EntryDraft]) -> list[PostedRef]:
    """One result per draft, in order; a key repeated inside one batch maps to the entry its first occurrence made."""
    by_key: dict[tuple[int, str], PostedRef] = {}
    for result, draft in zip(results, drafts, strict=True):
        if result is not None:
            by_key.setdefault((draft.book_id, draft.idempotency_key), result)
    return [by_key[(draft.book_id, draft.idempotency_key)] for draft in drafts]
