"""The posting engine: validated drafts written straight into django-ledger's tables and ours, in one transaction.

django-ledger's ``commit_txs`` costs ~12 queries per entry (65–100 entries/s). Here, on PostgreSQL, one entry outside
a transaction costs two statements (a read; one write that is its own transaction), a batch of any size a fixed
handful (the read with the number reservation, COPY per table above 200 rows, one write for the rest); every
statement prepared. SQLite: the same reads, one ``executemany`` per table. Every rule applies to every entry.
See docs/ledger.md ("How it is written").
"""

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
from ledger.books import account_uuid, book_contexts, ledger_uuids
from ledger.models import balance_month
from ledger.posting import EntryDraft, check_draft, draft_digest
from ledger.sql_rows import execute_prepared
from ledger.writes import (
    PENDING_NUMBER,
    first_numbers,
    reservation_sql,
    reserve_numbers,
    write_alone,
    write_batch,
)
from members.models import Organization

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
NOON = time(12, 0)  # entries are stamped at local noon: the same calendar day in UTC, whatever the DST offset

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
            reservation, reservation_params = reservation_sql(reserve)
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
            numbers = first_numbers(reserve, sequences)
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
            numbers = reserve_numbers(reserve)
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
    next_number = reserved if reserved or alone else reserve_numbers(needed)

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
        results[0] = PostedRef(je_id=ref.je_id, number=write_alone(plan, deltas, drafts[0]), created=True)
    else:
        write_batch(plan, deltas, single=len(drafts) == 1)
    return _one_per_draft(results, drafts)


def _one_per_draft(results: list[PostedRef | None], drafts: Sequence[EntryDraft]) -> list[PostedRef]:
    """One result per draft, in order; a key repeated inside one batch maps to the entry its first occurrence made."""
    by_key: dict[tuple[int, str], PostedRef] = {}
    for result, draft in zip(results, drafts, strict=True):
        if result is not None:
            by_key.setdefault((draft.book_id, draft.idempotency_key), result)
    return [by_key[(draft.book_id, draft.idempotency_key)] for draft in drafts]
