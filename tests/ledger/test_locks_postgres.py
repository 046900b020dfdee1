"""On PostgreSQL a locked month refuses writes that bypass the posting path (ORM, raw SQL): triggers."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_ledger.models import AccountModel, JournalEntryModel, LedgerModel, TransactionModel

from ledger.models import AnalyticLine, Balance, BalanceYear, Entry, Journal, PartnerLine, PeriodLock
from ledger.posting import EntryDraft, JournalLine
from ledger.services import journal_entries_post, journal_entry_reverse, period_lock, period_unlock
from tests.factories.members import UserFactory
from tests.ledger.conftest import TODAY, cr, dr, post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CASABLANCA = ZoneInfo("Africa/Casablanca")


def test_a_locked_month_refuses_an_orm_insert(book_a: Any) -> None:
    ref = post(book_a, date(2026, 3, 10), "before-lock", dr("5161", "10.00"), cr("7121", "10.00"))
    period_lock(book=book_a, year=2026, month=3, acting_user=None)
    ledger = LedgerModel.objects.get(entity_id=book_a.entity_id, ledger_xid="od-2026")
    cash = AccountModel.objects.get(coa_model_id=book_a.coa_id, code="5161")
    stamp = datetime.combine(date(2026, 3, 31), time(23, 30), tzinfo=CASABLANCA)  # late evening, local time
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        JournalEntryModel.objects.bulk_create(
            [JournalEntryModel(uuid=uuid4(), je_number="X1", timestamp=stamp, ledger=ledger, posted=True, locked=True)]
        )
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():  # a line added to an existing entry
        TransactionModel.objects.bulk_create(
            [TransactionModel(journal_entry_id=ref.je_id, account=cash, amount=Decimal("1.00"), tx_type="debit")]
        )
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():  # editing a posted line in place
        TransactionModel.objects.filter(journal_entry_id=ref.je_id).update(amount=Decimal("99.00"))
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        Entry.objects.filter(pk=ref.je_id).update(posted_on=date(2026, 3, 11))
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():  # moving it out of the locked month
        Entry.objects.filter(pk=ref.je_id).update(posted_on=date(2026, 4, 11))
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():  # deleting a posted line
        TransactionModel.objects.filter(journal_entry_id=ref.je_id).delete()
    # April stays open to the same ORM write
    april = datetime.combine(date(2026, 4, 1), time(0, 30), tzinfo=CASABLANCA)
    JournalEntryModel.objects.bulk_create(
        [JournalEntryModel(uuid=uuid4(), je_number="X2", timestamp=april, ledger=ledger, posted=True, locked=True)]
    )


def _raw(sql: str, params: list[Any]) -> None:
    """One raw statement in its own savepoint (a refusal rolls back only it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _locked_march(book: Any, partner: Any) -> Any:
    """A GIE↔member entry (partner lines, a tagged line) in March 2026, then March locked."""
    ref = post(book, date(2026, 3, 10), "march", dr("3488", "60.00", partner),
               JournalLine("7121", credit=Decimal("60.00"), tag="fair:march"))  # fmt: skip
    period_lock(book=book, year=2026, month=3, acting_user=None)
    return ref


def test_a_locked_month_refuses_raw_deletes_on_every_table(book_a: Any, gie: Any) -> None:
    """Security finding 11: a raw DELETE of an entry in a locked month went through (ledger_verify caught it later)."""
    ref = _locked_march(book_a, gie)
    tx_ids = [
        str(tx) for tx in TransactionModel.objects.filter(journal_entry_id=ref.je_id).values_list("uuid", flat=True)
    ]
    march = [book_a.pk, 2026, 3]
    refused = [
        ("DELETE FROM ledger_entry WHERE je_id = %s", [str(ref.je_id)]),
        ("DELETE FROM ledger_balance WHERE book_id = %s AND year = %s AND month = %s", march),
        ("UPDATE ledger_balance SET debit = 0 WHERE book_id = %s AND year = %s AND month = %s", march),
        (
            "INSERT INTO ledger_balance (book_id, account_code, partner_id, year, month, debit, credit) "
            "VALUES (%s, '5161', 0, %s, %s, 100, 0)",
            march,
        ),
        ("DELETE FROM ledger_partnerline WHERE tx_id = ANY(%s::uuid[])", [tx_ids]),
        ("UPDATE ledger_partnerline SET partner_id = partner_id WHERE tx_id = ANY(%s::uuid[])", [tx_ids]),
        ("DELETE FROM ledger_analyticline WHERE tx_id = ANY(%s::uuid[])", [tx_ids]),
        ("UPDATE ledger_analyticline SET tag = 'x' WHERE tx_id = ANY(%s::uuid[])", [tx_ids]),
        ("DELETE FROM ledger_periodlock WHERE book_id = %s AND year = %s AND month = %s", march),
        ("UPDATE ledger_periodlock SET month = 4 WHERE book_id = %s AND year = %s AND month = %s", march),
        ("DELETE FROM ledger_balanceyear WHERE book_id = %s AND year = %s", march[:2]),
        ("UPDATE ledger_balanceyear SET credit = credit - 1 WHERE book_id = %s AND year = %s", march[:2]),
        ("UPDATE ledger_balanceyear SET year = 2025 WHERE book_id = %s AND year = %s", march[:2]),
    ]
    for sql, params in refused:
        with pytest.raises(IntegrityError, match="locked"):
            _raw(sql, params)
    with pytest.raises(IntegrityError, match="only period_unlock"), transaction.atomic():  # the ORM, the admin
        PeriodLock.objects.filter(book=book_a).delete()
    assert Entry.objects.filter(pk=ref.je_id).exists()
    assert PartnerLine.objects.filter(book=book_a).count() == 1
    assert list(AnalyticLine.objects.filter(book=book_a).values_list("tag", flat=True)) == ["fair:march"]
    assert set(Balance.objects.filter(book=book_a).values_list("account_code", "debit", "credit")) == {
        ("3488", 6000, 0),
        ("7121", 0, 6000),
    }
    assert PeriodLock.objects.filter(book=book_a, year=2026, month=3).exists()


def test_period_unlock_still_reopens_the_month_and_only_that_one(book_a: Any, gie: Any) -> None:
    post(book_a, date(2026, 2, 10), "february", dr("5161", "5.00"), cr("7121", "5.00"))
    period_lock(book=book_a, year=2026, month=2, acting_user=None)
    _locked_march(book_a, gie)
    admin = UserFactory(role="gie_admin")
    with transaction.atomic():  # inside a caller's transaction the permission ends with the deletion
        period_unlock(book=book_a, year=2026, month=3, acting_user=admin, reason="facture oubliée")
        with pytest.raises(IntegrityError, match="only period_unlock"):
            _raw("DELETE FROM ledger_periodlock WHERE book_id = %s", [book_a.pk])
    assert list(PeriodLock.objects.filter(book=book_a).values_list("year", "month")) == [(2026, 2)]
    late = post(book_a, date(2026, 3, 31), "late", dr("5161", "1.00"), cr("7121", "1.00"))
    assert late.created
    _raw("DELETE FROM ledger_balance WHERE book_id = %s AND year = 2026 AND month = 3", [book_a.pk])  # open again


def test_an_open_month_of_a_year_with_a_locked_month_still_takes_every_kind_of_posting(book_a: Any, gie: Any) -> None:
    first = _locked_march(book_a, gie)
    april = date(2026, 4, 2)
    post(book_a, april, "alone", dr("3488", "1.00", gie), cr("7121", "1.00"))  # one statement, no transaction
    with transaction.atomic():  # a savepoint inside the caller's transaction
        post(book_a, april, "inside", dr("3488", "2.00", gie), cr("7121", "2.00"))
    drafts = [
        EntryDraft(
            book_id=book_a.pk,
            posted_on=date(2026, 5, 1 + n % 28),
            journal=Journal.MISC,
            description=f"lot {n}",
            source_ref=f"PJ-lot-{n}",
            idempotency_key=f"lot-{n}",
            lines=(dr("3488", "1.00", gie), cr("7121", "1.00")),
        )
        for n in range(60)  # above COPY_THRESHOLD rows: the entry tables go by COPY, the balances by upsert
    ]
    journal_entries_post(drafts=drafts, today=TODAY)
    journal_entry_reverse(entry=Entry.objects.get(pk=first.je_id), reversed_on=april, today=TODAY)
    # the yearly fold of 2026 was added to by every one of them: 60 + 1 + 2 + 60 (the reversal: 60 on the credit side)
    assert BalanceYear.objects.get(book=book_a, account_code="3488", year=2026).debit == 12300
    assert BalanceYear.objects.get(book=book_a, account_code="3488", year=2026).credit == 6000
    _raw("UPDATE ledger_balanceyear SET debit = debit + 0 WHERE book_id = %s AND year = 2026", [book_a.pk])
    assert Balance.objects.get(book=book_a, account_code="3488", year=2026, month=3).debit == 6000  # untouched
