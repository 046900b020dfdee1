"""Reads for statements: which members get one, and the balances and entries of a member's month."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from gie_erp.core.money import to_centimes
from gie_erp.statements.layout import EntryLine, EntryMovement, MovementKey
from ledger.models import Book
from ledger.periods import last_day
from ledger.selectors import entry_line_views, entry_search, movement_centimes, opening_centimes
from members.models import Organization
from members.selectors import organization_get


@dataclass(frozen=True, slots=True)
class MonthInputs:
    """What the layout needs for one member's month, read from the balance table and the month's entries."""

    opening_movements: dict[MovementKey, list[int]]
    month_movements: dict[MovementKey, list[int]]
    entries: tuple[EntryMovement, ...]


def first_day(year: int, month: int) -> date:
    return date(year, month, 1)


def statement_members(*, year: int, month: int, slug: str = "") -> QuerySet[Organization]:
    """Member cooperatives with books that belonged to the GIE during the month, by slug."""
    start, end = first_day(year, month), last_day(year, month)
    qs = (
        Organization.objects.filter(kind=Organization.Kind.COOPERATIVE, book__isnull=False)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .select_related("book")
        .order_by("slug")
    )
    if slug:
        qs = qs.filter(slug=slug)
    return qs


def statement_organization_get(*, user: Any, slug: str) -> Organization:
    """A cooperative with books that this user may see; anything else is a 404."""
    organization = organization_get(user=user, slug=slug)
    if organization.is_gie or not Book.objects.filter(organization=organization).exists():
        raise Http404
    return organization


def gie_id_get() -> int | None:
    """The GIE's organization id (the partner of the GIE current balances), None before seeding."""
    return Organization.objects.filter(kind=Organization.Kind.GIE).values_list("pk", flat=True).first()


def _without_book(totals: dict[tuple[Any, ...], list[int]]) -> dict[MovementKey, list[int]]:
    return {(code, int(partner)): cell for (_, code, partner), cell in totals.items()}


def month_inputs(*, book: Book, year: int, month: int) -> MonthInputs:
    """Balances before the month and of the month (balance table), and the month's entries in date order."""
    start, end = first_day(year, month), last_day(year, month)
    opening = opening_centimes(book_ids=[book.pk], before=start, by_partner=True)
    moves = movement_centimes(book_ids=[book.pk], start=start, end=end, by_partner=True)
    entries = sorted(entry_search(book=book, start=start, end=end), key=lambda e: (e.posted_on, e.number))
    lines = entry_line_views(entries)
    return MonthInputs(
        opening_movements=_without_book(opening),
        month_movements=_without_book(moves),
        entries=tuple(
            EntryMovement(
                posted_on=entry.posted_on,
                number=entry.number,
                description=entry.description,
                lines=tuple(
                    EntryLine(
                        code=view.account_code,
                        partner_id=view.partner_id or 0,
                        debit=to_centimes(view.debit),
                        credit=to_centimes(view.credit),
                    )
                    for view in lines[entry.pk]
                ),
            )
            for entry in entries
        ),
    )
