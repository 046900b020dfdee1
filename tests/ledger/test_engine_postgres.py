"""PostgreSQL specifics of the posting engine: prepared statements, time-ordered keys, no twin indexes."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django_ledger.models import JournalEntryModel, TransactionModel

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.models import Entry, Journal
from ledger.posting import JournalLine
from ledger.selectors import account_balance
from ledger.services import period_lock
from tests.ledger.conftest import cr, dr, post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_django_ledger_twin_indexes_are_gone_and_the_foreign_key_ones_stay() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            r"""SELECT t.relname, concat_ws('|', i.indkey::text, i.indclass::text, i.indoption::text), count(*)
                FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                WHERE t.relname LIKE 'django\_ledger\_%' AND NOT i.indisunique AND i.indexprs IS NULL
                  AND i.indpred IS NULL
                GROUP BY 1, 2 HAVING count(*) > 1"""
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'django_ledger_transactionmodel' ORDER BY indexname"
        )
        definitions = [row[0] for row in cursor.fetchall()]
    assert sum("(account_id)" in d for d in definitions) == 1  # was 2
    assert sum("(journal_entry_id)" in d for d in definitions) == 1  # was 2


def test_rows_get_time_ordered_keys(book_a: Any) -> None:
    first = post(book_a, date(2026, 2, 2), "k1", dr("5161", "1.00"), cr("7121", "1.00"))
    second = post(book_a, date(2026, 2, 1), "k2", dr("5161", "2.00"), cr("7121", "2.00"))
    assert first.je_id.version == second.je_id.version == 7
    assert first.je_id < second.je_id  # in posting order, whatever the entry dates
    lines = list(TransactionModel.objects.filter(journal_entry_id=second.je_id).values_list("uuid", flat=True))
    assert all(uuid.version == 7 for uuid in lines)


def test_prepared_statements_survive_refusals_and_rollbacks_in_the_callers_transaction(book_a: Any) -> None:
    """A refusal rolls back to the posting's savepoint; psycopg then forgets its prepared statements. Later
    postings in the same transaction and connection must prepare again and number without a gap."""
    period_lock(book=book_a, year=2026, month=1, acting_user=None)
    with transaction.atomic():
        one = post(book_a, date(2026, 2, 3), "p1", dr("5161", "10.00"), cr("7121", "10.00"), journal=Journal.CASH)
        with pytest.raises(DomainError):
            post(book_a, date(2026, 1, 3), "p-locked", dr("5161", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
        with pytest.raises(DomainError):
            post(book_a, date(2026, 2, 3), "p-bad", dr("999999", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
        two = post(book_a, date(2026, 2, 4), "p2", dr("5161", "20.00"), cr("7121", "20.00"), journal=Journal.CASH)
        for n in range(3, 9):  # past psycopg's point of preparing, with two shapes of entry
            lines: tuple[JournalLine, ...] = (dr("5161", f"{n}.00"), cr("7121", f"{n}.00"))
            if n % 2:
                lines = (dr("5161", f"{n}.00"), cr("7121", f"{n - 1}.00"), cr("4455", "1.00"))
            post(book_a, date(2026, 2, 4), f"p{n}", *lines, journal=Journal.CASH)
    assert (one.number, two.number) == ("CA2026-000001", "CA2026-000002")
    assert Entry.objects.filter(book=book_a).count() == 8
    assert list(Entry.objects.filter(book=book_a).order_by("number").values_list("number", flat=True))[-1] == (
        "CA2026-000008"
    )
    # 10 + 20 + (3 + 4 + ... + 8) = 63.00 in cash
    assert account_balance(book=book_a, code="5161", end=date(2026, 2, 28)) == Decimal("63.00")
    assert account_balance(book=book_a, code="4455", end=date(2026, 2, 28)) == Decimal("-3.00")  # n = 3, 5, 7


@pytest.mark.django_db(transaction=True)
def test_alone_an_entry_is_one_read_and_one_statement_and_numbers_stay_gapless(coop_a: Any) -> None:
    """Outside any transaction a single entry costs two statements; its number comes from the sequence inside the
    write statement, formatted like the batch path's."""
    from django.test.utils import CaptureQueriesContext

    from ledger.books import book_ensure

    book = book_ensure(organization=coop_a)
    post(book, date(2026, 2, 1), "warm", dr("5161", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
    with CaptureQueriesContext(connection) as queries:
        ref = post(book, date(2026, 2, 2), "one", dr("5161", "2.50"), cr("7121", "2.50"), journal=Journal.CASH)
    assert len(queries) == 2
    assert ref.number == "CA2026-000002"
    assert Entry.objects.get(pk=ref.je_id).number == "CA2026-000002"
    assert JournalEntryModel.objects.get(uuid=ref.je_id).je_number == "CA2026-000002"
    assert account_balance(book=book, code="5161", end=date(2026, 2, 28)) == Decimal("3.50")


@pytest.mark.django_db(transaction=True)
def test_alone_a_key_taken_between_the_read_and_the_write_becomes_a_replay(coop_a: Any, monkeypatch: Any) -> None:
    """Regression guard for the race of the two-statement path: another writer commits the same key after our
    read. The unique index refuses our statement (nothing of it stays) and the second run returns that entry."""
    from ledger import engine
    from ledger.books import book_ensure

    book = book_ensure(organization=coop_a)
    first = post(book, date(2026, 2, 2), "race", dr("5161", "4.00"), cr("7121", "4.00"), journal=Journal.CASH)
    real = engine._existing_and_locked
    calls = []

    def blind_once(*args: Any, **kwargs: Any) -> Any:
        existing, locked, numbers = real(*args, **kwargs)
        calls.append(len(existing))
        return ({} if len(calls) == 1 else existing), locked, numbers  # the first read misses the other's commit

    monkeypatch.setattr(engine, "_existing_and_locked", blind_once)
    again = post(book, date(2026, 2, 2), "race", dr("5161", "4.00"), cr("7121", "4.00"), journal=Journal.CASH)
    assert calls == [1, 1]
    assert (again.je_id, again.number, again.created) == (first.je_id, first.number, False)
    assert Entry.objects.filter(book=book).count() == 1
    assert account_balance(book=book, code="5161", end=date(2026, 2, 28)) == Decimal("4.00")
    monkeypatch.undo()
    nxt = post(book, date(2026, 2, 3), "after", dr("5161", "1.00"), cr("7121", "1.00"), journal=Journal.CASH)
    assert nxt.number == "CA2026-000002"  # the refused statement's reservation rolled back with it


@pytest.mark.django_db(transaction=True)
def test_alone_a_month_locked_between_the_read_and_the_write_is_refused(coop_a: Any, monkeypatch: Any) -> None:
    from ledger import engine
    from ledger.books import book_ensure

    book = book_ensure(organization=coop_a)
    period_lock(book=book, year=2026, month=2, acting_user=None)
    real = engine._existing_and_locked
    calls = []

    def blind_once(*args: Any, **kwargs: Any) -> Any:
        existing, locked, numbers = real(*args, **kwargs)
        calls.append(sorted(locked))
        return existing, (set() if len(calls) == 1 else locked), numbers  # the first read misses the lock

    monkeypatch.setattr(engine, "_existing_and_locked", blind_once)
    with pytest.raises(DomainError) as refused:
        post(book, date(2026, 2, 2), "late", dr("5161", "4.00"), cr("7121", "4.00"), journal=Journal.CASH)
    assert refused.value.code == ErrorCode.PERIOD_LOCKED
    assert len(calls) == 2  # the trigger refused the statement, the second run saw the lock
    assert not Entry.objects.filter(book=book).exists()
    assert not JournalEntryModel.objects.filter(ledger__entity_id=book.entity_id).exists()
