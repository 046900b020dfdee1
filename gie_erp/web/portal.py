"""The cooperative portal: what came in, what went out, what is left, and the month's operations — the printed
statement's figures, detail lines, pictograms and wording, in the reader's language."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gie_erp.core.i18n import CURRENCY_LABEL, format_amount, format_day, format_signed_amount
from gie_erp.core.money import from_centimes
from gie_erp.statements import pictograms, wording
from gie_erp.statements.layout import DetailKind, DetailLine
from gie_erp.statements.mapping import DEFAULT_MAPPING, StatementRow
from gie_erp.statements.services import statement_build, statement_file_name
from ledger.models import Book, Entry
from members import selectors as member_selectors
from members.models import Organization

FIRST_YEAR = 2000  # the statements' first year too (statements.services.check_month)

#: The printed statement's drawings, inline: into the tray = money in, out of the tray = money out, coins, ⇄.
PICTOGRAMS = {
    name.replace("-", "_"): mark_safe(pictograms.SOURCES[name])  # noqa: S308 - our own SVG sources, no user input
    for name in ("arrow-in", "arrow-out", "coins", "exchange")
}
_OPERATION_PICTOGRAM = {
    DetailKind.IN: PICTOGRAMS["arrow_in"],
    DetailKind.OUT: PICTOGRAMS["arrow_out"],
    DetailKind.TRANSFER: PICTOGRAMS["exchange"],
    DetailKind.REST: SafeString(""),
}


@dataclass(frozen=True, slots=True)
class Operation:
    """One line of the month's detail as the printed statement words it, in the reader's language."""

    kind: str  # in, out, transfer, rest
    day: str  # 05/03/2026, or "" for the summary of the other operations
    label: str  # the statement row of the entry (Achats / المشتريات), or the transfer / rest wording
    description: str  # the entry's description, as the accountant wrote it
    amount: SafeString  # signed (a transfer has no sign), in one left-to-right span
    pictogram: SafeString


@dataclass(frozen=True, slots=True)
class MonthSummary:
    """The month in the printed statement's figures (same mapping, same balance table) and its detail lines."""

    month: date
    opening: Decimal
    money_in: Decimal
    money_out: Decimal
    other: Decimal  # the statement's "other movements" (capital, equipment, loans…): signed
    left: Decimal
    operations: tuple[Operation, ...]


def _amount_html(amount: Decimal, *, signed: bool = False) -> SafeString:
    """``+ 1 234,50`` in one left-to-right span that never wraps, so the sign stays with its digits in Arabic too."""
    text = format_signed_amount(amount) if signed else format_amount(amount)
    return format_html('<span class="amount" dir="ltr">{}</span>', text)


def _money_html(amount: Decimal, *, language: str, signed: bool = False) -> SafeString:
    """The amount, then the currency in the page's direction (in Arabic, درهم is on the left of the number)."""
    currency = CURRENCY_LABEL.get(language, CURRENCY_LABEL["fr"])
    return format_html('{} <span class="cur">{}</span>', _amount_html(amount, signed=signed), currency)


def _words(words: wording.Words, language: str) -> str:
    return words.ar if language == "ar" else words.fr


def _label(row: StatementRow, language: str) -> str:
    return row.label_ar if language == "ar" else row.label_fr


def operation_of(line: DetailLine, *, language: str) -> Operation:
    """A statement detail line in words a member reads: the row's label first, the accountant's text under it."""
    description = line.description
    if line.kind == DetailKind.REST:
        label, description = f"{_words(wording.REST, language)} ({line.count})", ""
    elif line.kind == DetailKind.TRANSFER:
        label = _words(wording.TRANSFER, language)
    elif line.row is not None:
        label = _label(line.row, language)
    else:
        label, description = line.description, ""
    return Operation(
        kind=line.kind.value,
        day=format_day(line.posted_on) if line.posted_on else "",
        label=label,
        description=description,
        amount=_amount_html(from_centimes(line.centimes), signed=line.kind != DetailKind.TRANSFER),
        pictogram=_OPERATION_PICTOGRAM[line.kind],
    )


def month_summary(*, organization: Organization, year: int, month: int, language: str) -> MonthSummary:
    statement = statement_build(organization=organization, year=year, month=month)
    figures = statement.figures
    return MonthSummary(
        month=date(year, month, 1),
        opening=from_centimes(figures.opening),
        money_in=from_centimes(figures.received),
        money_out=from_centimes(figures.paid_or_owed),
        other=from_centimes(figures.other),
        left=from_centimes(figures.closing),
        operations=tuple(operation_of(line, language=language) for line in statement.details),
    )


def _months_with_entries(book: Book) -> list[date]:
    dates = Entry.objects.filter(book=book).dates("posted_on", "month", order="DESC")
    return list(dates)


def is_portal_month(year: int, month: int, *, today: date) -> bool:
    """A month the portal shows: from the statements' first year to the end of next year (anything else is a
    mistyped or forged address, answered 404 before any query)."""
    return 1 <= month <= 12 and FIRST_YEAR <= year <= today.year + 1


def _render(request: HttpRequest, *, org: Organization, months: list[date], shown: date | None) -> HttpResponse:
    language = (translation.get_language() or "fr")[:2]
    context: dict[str, Any] = {"org": org, "months": months, "summary": None, "pict": PICTOGRAMS}
    if shown is not None:
        summary = month_summary(organization=org, year=shown.year, month=shown.month, language=language)
        context.update(
            summary=summary,
            amounts={
                "opening": _money_html(summary.opening, language=language),
                "money_in": _money_html(summary.money_in, language=language, signed=True),
                "money_out": _money_html(-summary.money_out, language=language, signed=True),
                "other": _money_html(summary.other, language=language, signed=True),
                "left": _money_html(summary.left, language=language),
            },
            words={
                "detail": _words(wording.DETAIL, language),
                "currency": _words(wording.CURRENCY, language),
                "none": _words(wording.NO_OPERATION, language),
                "other": _label(DEFAULT_MAPPING.row("other_movements"), language),  # the statement's row name
            },
            statement_ready=shown <= timezone.localdate(),  # the PDF of a month not yet begun is a 404
            statement_file=statement_file_name(slug=org.slug, year=shown.year, month=shown.month),
        )
    return render(request, "web/portal.html", context)


def portal_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    org = member_selectors.organization_get(user=user, slug=user.organization.slug)
    book = Book.objects.filter(organization=org).first()
    months = _months_with_entries(book) if book else []
    shown = None
    if book is not None:
        today = timezone.localdate()
        shown = months[0] if months else date(today.year, today.month, 1)
    return _render(request, org=org, months=months, shown=shown)


def portal_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    user: Any = request.user
    if not user.organization_id or not is_portal_month(year, month, today=timezone.localdate()):
        raise Http404
    org = member_selectors.organization_get(user=user, slug=user.organization.slug)
    book = Book.objects.filter(organization=org).first()
    if book is None:
        raise Http404
    return _render(request, org=org, months=_months_with_entries(book), shown=date(year, month, 1))
