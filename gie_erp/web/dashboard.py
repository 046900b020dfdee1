"""The accountant's dashboard of all members: a fixed handful of queries per page, whatever the number of books."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, Sum

from gie_erp.core.i18n import month_name
from gie_erp.core.money import ZERO, from_centimes
from ledger import accounts
from ledger.models import Balance, Book, BookCheck, Entry, PeriodLock
from members.models import Organization

DASHBOARD_CODES = (accounts.CASH, accounts.BANK, accounts.SUNDRY_DEBTORS, accounts.SUNDRY_CREDITORS)


@dataclass(frozen=True, slots=True)
class MonthMark:
    """The label of a month's lock square: its initial, and its full name for the tooltip."""

    number: int
    initial: str
    name: str


def month_marks(language: str) -> tuple[MonthMark, ...]:
    """J F M A M J J A S O N D in French; 1 … 12 in Arabic, where the Moroccan names' initials repeat (يناير, يونيو
    and يوليوز all start with ي)."""
    return tuple(
        MonthMark(
            number=month,
            initial=str(month) if language == "ar" else month_name(month, "fr")[0].upper(),
            name=month_name(month, language),
        )
        for month in range(1, 13)
    )


@dataclass
class MemberRow:
    org: Organization
    book_id: int | None = None
    last_posting: date | None = None
    cash: Decimal = ZERO
    bank: Decimal = ZERO
    # what the GIE owes the member (its 3488) and what it owes the GIE (its 4488); None on the GIE's own row,
    # which cannot owe itself (the GIE's side of those balances is in its book's 4463 / 3463)
    gie_owes: Decimal | None = ZERO
    owes_gie: Decimal | None = ZERO
    locked_months: set[int] = field(default_factory=set)
    check: BookCheck | None = None
    marks: tuple[MonthMark, ...] = ()

    @property
    def months(self) -> list[tuple[MonthMark, bool]]:
        return [(mark, mark.number in self.locked_months) for mark in self.marks]

    @property
    def alert(self) -> bool:
        return self.check is not None and not self.check.is_ok


def dashboard_rows(orgs: list[Organization], *, year: int, language: str = "fr") -> list[MemberRow]:
    marks = month_marks(language)
    rows = {}
    for org in orgs:
        owed = None if org.is_gie else ZERO  # the GIE cannot owe itself: no figure, not a zero
        rows[org.pk] = MemberRow(org=org, marks=marks, gie_owes=owed, owes_gie=owed)
    books = dict(Book.objects.filter(organization_id__in=rows).values_list("pk", "organization_id"))
    for book_id, org_id in books.items():
        rows[org_id].book_id = book_id
    for book_id, last in (
        Entry.objects.filter(book_id__in=books)
        .values("book_id")
        .annotate(last=Max("posted_on"))
        .values_list("book_id", "last")
    ):
        rows[books[book_id]].last_posting = last
    sums: dict[tuple[int, str], int] = defaultdict(int)
    cells = (
        Balance.objects.filter(book_id__in=books, account_code__in=DASHBOARD_CODES)
        .values("book_id", "account_code")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .values_list("book_id", "account_code", "debit", "credit")
    )
    for book_id, code, debit, credit in cells:
        sums[(book_id, code)] = int(debit or 0) - int(credit or 0)
    for book_id, org_id in books.items():
        row = rows[org_id]
        row.cash = from_centimes(sums[(book_id, accounts.CASH)])
        row.bank = from_centimes(sums[(book_id, accounts.BANK)])
        if not row.org.is_gie:
            row.gie_owes = from_centimes(sums[(book_id, accounts.SUNDRY_DEBTORS)])
            row.owes_gie = from_centimes(-sums[(book_id, accounts.SUNDRY_CREDITORS)])
    for book_id, month in PeriodLock.objects.filter(book_id__in=books, year=year).values_list("book_id", "month"):
        rows[books[book_id]].locked_months.add(month)
    for check in BookCheck.objects.filter(book_id__in=books):
        rows[books[check.book_id]].check = check
    return [rows[org.pk] for org in orgs]


def dashboard_totals(orgs_qs: Any) -> dict[str, int]:
    return {
        "members": orgs_qs.filter(kind=Organization.Kind.COOPERATIVE).count(),
        "women": orgs_qs.filter(kind=Organization.Kind.COOPERATIVE, is_women_cooperative=True).count(),
        "alerts": BookCheck.objects.filter(book__organization__in=orgs_qs)
        .exclude(differences=0, bypassed_entries=0)
        .count(),
    }
