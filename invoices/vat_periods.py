"""VAT declaration periods: a month or a quarter, per book (IssuerSettings.vat_period, monthly by default), and
their codes (2026-10, 2026-Q4). Pure functions first, then the ones that read a book's settings."""

import calendar
import re
from datetime import date, timedelta

from invoices.models import IssuerSettings
from members.models import Organization

MONTH = IssuerSettings.VatPeriod.MONTH
QUARTER = IssuerSettings.VatPeriod.QUARTER
_PERIOD = re.compile(r"^(\d{4})-(?:(\d{2})|[QqTt]([1-4]))$")


# --- periods (pure) -----------------------------------------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    return date(day.year, day.month, 1), date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return start, month_bounds(date(day.year, first_month + 2, 1))[1]


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The month, or the quarter, that contains ``day``."""
    return quarter_bounds(day) if kind == QUARTER else month_bounds(day)


def vat_period_parse(text: str) -> tuple[date, date]:
    """``2026-10`` (a month) or ``2026-Q4`` (a quarter; ``T4`` for trimestre too) to its first and last day;
    anything else raises ValueError."""
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ValueError(f"not a VAT period: {text!r} (YYYY-MM or YYYY-Qn)")
    year, month, quarter = int(match[1]), match[2], match[3]
    if not 2000 <= year <= 2100:
        raise ValueError(f"year out of range: {year}")
    if quarter is not None:
        return quarter_bounds(date(year, 3 * int(quarter), 1))
    if not 1 <= int(month) <= 12:
        raise ValueError(f"no month {month}")
    return month_bounds(date(year, int(month), 1))


def period_kind_of(start: date, end: date) -> str | None:
    """MONTH or QUARTER when [start, end] is exactly one of them, else None."""
    if (start, end) == month_bounds(start):
        return MONTH
    if (start, end) == quarter_bounds(start):
        return QUARTER
    return None


def vat_period_code(start: date, end: date) -> str:
    """``2026-10``, ``2026-Q4``, or the two dates for any other span (the reverse of :func:`vat_period_parse`)."""
    kind = period_kind_of(start, end)
    if kind == MONTH:
        return f"{start:%Y-%m}"
    if kind == QUARTER:
        return f"{start.year}-Q{(start.month + 2) // 3}"
    return f"{start.isoformat()}..{end.isoformat()}"


# --- periods of a book --------------------------------------------------------------------------------------------


def vat_period_kind(organization: Organization) -> str:
    """How often the book declares VAT (IssuerSettings.vat_period; monthly when it has no settings)."""
    kind = IssuerSettings.objects.filter(organization=organization).values_list("vat_period", flat=True).first()
    return kind or MONTH


def vat_regime(organization: Organization) -> str:
    regime = IssuerSettings.objects.filter(organization=organization).values_list("vat_regime", flat=True).first()
    return regime or IssuerSettings.VatRegime.CASH


def vat_period_bounds(organization: Organization, day: date) -> tuple[date, date]:
    """The first and last day of the book's VAT period (month or quarter) containing ``day``."""
    return period_bounds(vat_period_kind(organization), day)


def last_finished_vat_period(organization: Organization, today: date) -> tuple[date, date]:
    """The latest VAT period of the book that ended before ``today``."""
    start, _end = vat_period_bounds(organization, today)
    return vat_period_bounds(organization, start - timedelta(days=1))


def recent_vat_periods(organization: Organization, today: date, count: int = 24) -> list[tuple[date, date]]:
    """The book's current VAT period and the ``count - 1`` before it, newest first."""
    periods = [vat_period_bounds(organization, today)]
    while len(periods) < count:
        periods.append(vat_period_bounds(organization, periods[-1][0] - timedelta(days=1)))
    return periods
