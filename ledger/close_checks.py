"""The ledger's checks of the month close (``gie_erp.core.closing``): the balance table agrees with the book's lines
for the month, and the months before it are closed (months lock in order from a book's first entry)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from gie_erp.core.closing import Blocker, close_check_register
from gie_erp.core.errors import ErrorCode
from ledger.models import Entry, PeriodLock
from ledger.verify import verify_balances


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def earlier_open_months(*, book_ids: Iterable[int], year: int, month: int) -> dict[int, tuple[int, int]]:
    """Per book: the first month from its first entry up to the one before (year, month) that is not locked (books
    with none are absent). Two queries for any number of books."""
    ids = list(book_ids)
    firsts = dict(
        Entry.objects.filter(book_id__in=ids)
        .values("book_id")
        .annotate(first=Min("posted_on"))
        .values_list("book_id", "first")
    )
    locked: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for book_id, lock_year, lock_month in PeriodLock.objects.filter(book_id__in=ids, year__lte=year).values_list(
        "book_id", "year", "month"
    ):
        locked[book_id].add((lock_year, lock_month))
    found = {}
    for book_id, first in firsts.items():
        current = (first.year, first.month)
        while current < (year, month):
            if current not in locked[book_id]:
                found[book_id] = current
                break
            current = _next(*current)
    return found


def check_balance_agrees(
    book_ids: Sequence[int], _organizations: dict[int, int], year: int, month: int
) -> dict[int, list[Blocker]]:
    """``ledger_verify`` for these books and this month: every cell of the balance table equals the lines."""
    differences, bypassed = verify_balances(book_ids=list(book_ids), only_month=(year, month))
    count: dict[int, int] = defaultdict(int)
    for difference in differences:
        count[difference.book_id] += 1
    for book_id, entries in bypassed.items():
        count[book_id] += entries
    return {book_id: [Blocker(ErrorCode.CLOSE_BOOK_DISAGREES, {"count": n})] for book_id, n in count.items() if n}


def check_earlier_months(
    book_ids: Sequence[int], _organizations: dict[int, int], year: int, month: int
) -> dict[int, list[Blocker]]:
    return {
        book_id: [Blocker(ErrorCode.CLOSE_EARLIER_OPEN, {"period": f"{open_year}-{open_month:02d}"})]
        for book_id, (open_year, open_month) in earlier_open_months(book_ids=book_ids, year=year, month=month).items()
    }


def register() -> None:
    close_check_register(
        "ledger.earlier_months", _("Les mois précédents sont clôturés"), check_earlier_months, order=10
    )
    close_check_register(
        "ledger.balance_agrees", _("La table des soldes concorde avec les écritures"), check_balance_agrees, order=20
    )
