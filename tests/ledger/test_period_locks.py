"""Period locks: a real month only, locked in order from the book's first entry, reopened from the latest."""

from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.models import PeriodLock
from ledger.services import period_lock, period_unlock
from tests.factories.members import UserFactory
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db


def _locked(book: Any) -> list[tuple[int, int]]:
    return list(PeriodLock.objects.filter(book=book).order_by("year", "month").values_list("year", "month"))


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (2026, -1), (1999, 12), (2101, 1), (26, 3)])
def test_a_month_outside_1_to_12_or_a_year_outside_2000_to_2100_is_refused(book_a: Any, year: int, month: int) -> None:
    """Security finding 8: any integer was stored as a lock (month 13, year 26)."""
    with pytest.raises(DomainError) as info:
        period_lock(book=book_a, year=year, month=month, acting_user=None)
    assert info.value.code == ErrorCode.BAD_PERIOD
    assert info.value.message("fr") == (f"Période invalide : {year}-{month} (mois de 1 à 12, année de 2000 à 2100).")
    assert not PeriodLock.objects.exists()


def test_the_first_year_follows_the_earliest_date_setting(book_a: Any, settings: Any) -> None:
    settings.GIE_EARLIEST_DATE = date(2020, 1, 1)
    with pytest.raises(DomainError) as info:
        period_lock(book=book_a, year=2019, month=12, acting_user=None)
    assert info.value.params["first"] == 2020
    period_lock(book=book_a, year=2020, month=1, acting_user=None)


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (1999, 1), (2101, 1)])
def test_the_database_refuses_a_lock_row_outside_the_range(book_a: Any, year: int, month: int) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodLock.objects.create(book=book_a, year=year, month=month)


def test_months_lock_in_order_from_the_books_first_entry(book_a: Any) -> None:
    """Issue 10, item 9: March could be locked while January, with entries, was still open."""
    period_lock(book=book_a, year=2025, month=6, acting_user=None)  # no entry yet: nothing earlier to close
    post(book_a, date(2025, 11, 20), "november", dr("5161", "1.00"), cr("7121", "1.00"))
    post(book_a, date(2026, 1, 5), "january", dr("5161", "2.00"), cr("7121", "2.00"))
    with pytest.raises(DomainError) as info:
        period_lock(book=book_a, year=2026, month=1, acting_user=None)
    assert info.value.code == ErrorCode.EARLIER_MONTH_OPEN
    assert info.value.message("fr") == "Verrouillez d'abord 2025-11 : les mois se verrouillent dans l'ordre."
    period_lock(book=book_a, year=2025, month=11, acting_user=None)
    with pytest.raises(DomainError) as info:  # December has no entry but lies between two closed months
        period_lock(book=book_a, year=2026, month=1, acting_user=None)
    assert info.value.params == {"period": "2025-12"}
    period_lock(book=book_a, year=2025, month=12, acting_user=None)
    period_lock(book=book_a, year=2026, month=1, acting_user=None)
    period_lock(book=book_a, year=2026, month=1, acting_user=None)  # again: a no-op
    assert _locked(book_a) == [(2025, 6), (2025, 11), (2025, 12), (2026, 1)]


def test_a_month_reopens_only_once_every_later_month_is_open(book_a: Any) -> None:
    admin = UserFactory(role="gie_admin")
    post(book_a, date(2025, 12, 5), "december", dr("5161", "1.00"), cr("7121", "1.00"))
    for year, month in [(2025, 12), (2026, 1), (2026, 2)]:
        period_lock(book=book_a, year=year, month=month, acting_user=None)
    with pytest.raises(DomainError) as info:
        period_unlock(book=book_a, year=2025, month=12, acting_user=admin, reason="correction")
    assert info.value.code == ErrorCode.LATER_MONTH_LOCKED
    assert info.value.message("fr") == (
        "Déverrouillez d'abord 2026-02 : les mois se rouvrent du plus récent au plus ancien."
    )
    period_unlock(book=book_a, year=2026, month=2, acting_user=admin, reason="correction")
    with pytest.raises(DomainError) as info:
        period_unlock(book=book_a, year=2025, month=12, acting_user=admin, reason="correction")
    assert info.value.params == {"period": "2026-01"}
    period_unlock(book=book_a, year=2026, month=1, acting_user=admin, reason="correction")
    period_unlock(book=book_a, year=2025, month=12, acting_user=admin, reason="correction")
    assert _locked(book_a) == []
