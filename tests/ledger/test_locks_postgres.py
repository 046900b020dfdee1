"""On PostgreSQL a locked month refuses writes that bypass the posting path (ORM, raw SQL): triggers."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, transaction
from django_ledger.models import AccountModel, JournalEntryModel, LedgerModel, TransactionModel

from ledger.models import Entry
from ledger.services import period_lock
from tests.ledger.conftest import cr, dr, post

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
