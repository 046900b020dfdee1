"""A run's period as people type it: ``2026-01`` (one month) or ``2026-01..2026-03`` (whole months). Pure."""

import calendar
import re
from datetime import date

from gie_erp.core.errors import DomainError, ErrorCode

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _month(text: str, value: str) -> tuple[int, int]:
    match = _MONTH.match(text.strip())
    if match is None:
        raise DomainError(ErrorCode.FEES_BAD_PERIOD, value=value)
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise DomainError(ErrorCode.FEES_BAD_PERIOD, value=value)
    if not FIRST_YEAR <= year <= LAST_YEAR:  # 9999-12 reads as a month: say what is wrong with it
        raise DomainError(ErrorCode.FEES_PERIOD_YEARS, value=value, first=FIRST_YEAR, last=LAST_YEAR)
    return year, month


def parse_period(value: str) -> tuple[date, date]:
    """The first day of the first month and the last day of the last month; else FEES_BAD_PERIOD (a year outside
    FIRST_YEAR..LAST_YEAR: FEES_PERIOD_YEARS); months out of order, FEES_PERIOD_ORDER."""
    first, separator, last = value.strip().partition("..")
    start_year, start_month = _month(first, value)
    end_year, end_month = _month(last, value) if separator else (start_year, start_month)
    if (end_year, end_month) < (start_year, start_month):
        raise DomainError(ErrorCode.FEES_PERIOD_ORDER, start=first.strip(), end=last.strip())
    last_day = calendar.monthrange(end_year, end_month)[1]
    return date(start_year, start_month, 1), date(end_year, end_month, last_day)


def period_code(start: date, end: date) -> str:
    """``2026-01`` or ``2026-01..2026-03``: what ``parse_period`` reads back."""
    first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
    return first if first == last else f"{first}..{last}"
