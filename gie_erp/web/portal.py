"""The cooperative portal: what came in, what went out, what is left — in the cooperative's cash and bank."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gie_erp.core.money import from_centimes
from ledger import accounts
from ledger.models import Book, Entry
from ledger.selectors import movement_centimes
from members import selectors as member_selectors

MONEY_ACCOUNTS = (accounts.CASH, accounts.BANK)


@dataclass(frozen=True, slots=True)
class MonthSummary:
    month: date
    opening: Decimal
    money_in: Decimal
    money_out: Decimal

    @property
    def left(self) -> Decimal:
        return self.opening + self.money_in - self.money_out


def month_summary(*, book: Book, year: int, month: int) -> MonthSummary:
    """Cash and bank of one month, from the balance table (the same figures as the books)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    before = movement_centimes(book_ids=[book.pk], start=None, end=date.fromordinal(first.toordinal() - 1))
    during = movement_centimes(book_ids=[book.pk], start=first, end=last)
    opening = sum(d - c for (_, code), (d, c) in before.items() if code.startswith(MONEY_ACCOUNTS))
    money_in = sum(d for (_, code), (d, _c) in during.items() if code.startswith(MONEY_ACCOUNTS))
    money_out = sum(c for (_, code), (_d, c) in during.items() if code.startswith(MONEY_ACCOUNTS))
    return MonthSummary(first, from_centimes(opening), from_centimes(money_in), from_centimes(money_out))


def _months_with_entries(book: Book) -> list[date]:
    dates = Entry.objects.filter(book=book).dates("posted_on", "month", order="DESC")
    return list(dates)


def portal_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    org = member_selectors.organization_get(user=user, slug=user.organization.slug)
    book = Book.objects.filter(organization=org).first()
    months = _months_with_entries(book) if book else []
    summary = None
    if book is not None:
        today = timezone.localdate()
        shown = months[0] if months else date(today.year, today.month, 1)
        summary = month_summary(book=book, year=shown.year, month=shown.month)
    return render(request, "web/portal.html", {"org": org, "summary": summary, "months": months})


def portal_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    user: Any = request.user
    if not user.organization_id or not 1 <= month <= 12:
        raise Http404
    org = member_selectors.organization_get(user=user, slug=user.organization.slug)
    book = Book.objects.filter(organization=org).first()
    if book is None:
        raise Http404
    summary = month_summary(book=book, year=year, month=month)
    return render(request, "web/portal.html", {"org": org, "summary": summary, "months": _months_with_entries(book)})
