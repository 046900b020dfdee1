"""The balance table's periods, pure: a date range as whole periods (read from the balance table) and partial days
(read from the lines), and the order of periods — each year is its opening entries (period 0), January to December,
then its closing entries (period 13)."""

import calendar
from datetime import date, timedelta

#: the balance-table "months" of the year's opening entries (before January) and closing entries (after December):
#: a read from 1 January starts after the opening entries, a read to 31 December stops before the closing entries
OPENING_PERIOD, CLOSING_PERIOD = 0, 13

Period = tuple[int, int]
Months = tuple[Period | None, Period]


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def next_period(year: int, month: int) -> tuple[int, int]:
    """The balance-table period after (year, month): December is followed by the year's closing entries (13), then
    the next year's opening entries (0), then January."""
    if month == CLOSING_PERIOD:
        return (year + 1, OPENING_PERIOD)
    return (year, month + 1)


def prev_period(year: int, month: int) -> tuple[int, int]:
    if month == OPENING_PERIOD:
        return (year - 1, CLOSING_PERIOD)
    return (year, month - 1)


def split_years(first: Period | None, last: Period) -> tuple[tuple[int | None, int] | None, list[Months]]:
    """Whole calendar years inside a period range (months 1 to 12 read from the yearly fold) and the month ranges
    left over at each end (read from the monthly table, months 1 to 12; the opening and closing periods are read
    apart)."""
    low = None if first is None else (first[0] if first <= (first[0], 1) else first[0] + 1)
    high = last[0] if last >= (last[0], 12) else last[0] - 1
    if low is not None and low > high:
        return None, [(first, last)]
    leftover: list[Months] = []
    if first is not None and (first[0], 1) < first <= (first[0], 12):
        leftover.append((first, (first[0], 12)))
    if (last[0], 1) <= last < (last[0], 12):
        leftover.append(((last[0], 1), last))
    return (low, high), leftover


def split_months(start: date | None, end: date) -> tuple[Months | None, list[tuple[date, date]]]:
    """A date range as (whole balance-table periods, partial day ranges summed from lines)."""
    end_is_month_end = end == last_day(end.year, end.month)
    if start is not None and (start.year, start.month) == (end.year, end.month):
        if start.day == 1 and end_is_month_end:
            return ((start.year, start.month), (end.year, end.month)), []
        return None, [(start, end)]
    partial: list[tuple[date, date]] = []
    first_full: Period | None = None
    if start is not None:
        first_full = (start.year, start.month)
        if start.day != 1:
            partial.append((start, last_day(start.year, start.month)))
            first_full = next_period(start.year, start.month)
    last_full = (end.year, end.month)
    if not end_is_month_end:
        partial.append((date(end.year, end.month, 1), end))
        last_full = prev_period(end.year, end.month)
    if first_full is not None and first_full > last_full:
        return None, partial
    return (first_full, last_full), partial


def split_before(before: date) -> tuple[Months | None, list[tuple[date, date]]]:
    """Everything dated before ``before`` as (whole periods, the partial days of its month): on 1 January, up to
    and including that year's opening entries."""
    last_full = prev_period(before.year, before.month)
    if before.day == 1:
        return (None, last_full), []
    return (None, last_full), [(date(before.year, before.month, 1), before - timedelta(days=1))]
