"""The cooperative portal: what came in, what went out, what is left — the printed statement's figures."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gie_erp.core.money import from_centimes
from gie_erp.statements.services import statement_build
from ledger.models import Book, Entry
from members import selectors as member_selectors
from members.models import Organization


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """The month in four figures, the same as the printed statement's (same mapping, same balance table)."""

    month: date
    opening: Decimal
    money_in: Decimal
    money_out: Decimal
    other: Decimal  # customers, suppliers, capital…: signed
    left: Decimal


def month_summary(*, organization: Organization, year: int, month: int) -> MonthSummary:
    figures = statement_build(organization=organization, year=year, month=month, detail_limit=0).figures
    return MonthSummary(
        month=date(year, month, 1),
        opening=from_centimes(figures.opening),
        money_in=from_centimes(figures.received),
        money_out=from_centimes(figures.paid_or_owed),
        other=from_centimes(figures.other),
        left=from_centimes(figures.closing),
    )


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
        summary = month_summary(organization=org, year=shown.year, month=shown.month)
    return render(request, "web/portal.html", {"org": org, "summary": summary, "months": months})


def portal_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    user: Any = request.user
    if not user.organization_id or not 1 <= month <= 12:
        raise Http404
    org = member_selectors.organization_get(user=user, slug=user.organization.slug)
    book = Book.objects.filter(organization=org).first()
    if book is None:
        raise Http404
    summary = month_summary(organization=org, year=year, month=month)
    return render(request, "web/portal.html", {"org": org, "summary": summary, "months": _months_with_entries(book)})
