"""ledger.periods: a date range as whole balance-table periods and partial days, worked out by hand (pure, no
database). Each year is its opening entries (period 0), January to December, then its closing entries (13)."""

from datetime import date

import pytest

from ledger.periods import (
    CLOSING_PERIOD,
    OPENING_PERIOD,
    last_day,
    next_month,
    next_period,
    prev_period,
    split_before,
    split_months,
    split_years,
)


def test_last_day_knows_leap_years() -> None:
    assert last_day(2024, 2) == date(2024, 2, 29)
    assert last_day(2025, 2) == date(2025, 2, 28)
    assert last_day(2025, 12) == date(2025, 12, 31)


def test_december_is_followed_by_the_closing_then_the_next_years_opening_entries() -> None:
    assert (OPENING_PERIOD, CLOSING_PERIOD) == (0, 13)
    assert next_period(2025, 11) == (2025, 12)
    assert next_period(2025, 12) == (2025, 13)
    assert next_period(2025, 13) == (2026, 0)
    assert next_period(2026, 0) == (2026, 1)
    assert prev_period(2026, 1) == (2026, 0)
    assert prev_period(2026, 0) == (2025, 13)
    assert prev_period(2025, 13) == (2025, 12)
    # the calendar's months skip the opening and closing periods
    assert next_month(2025, 12) == (2026, 1)
    assert next_month(2025, 6) == (2025, 7)


@pytest.mark.parametrize(
    ("start", "end", "full", "partial"),
    [
        # a calendar year: January to December whole, neither its opening nor its closing entries
        (date(2025, 1, 1), date(2025, 12, 31), ((2025, 1), (2025, 12)), []),
        # one whole month
        (date(2025, 2, 1), date(2025, 2, 28), ((2025, 2), (2025, 2)), []),
        # part of one month: only days
        (date(2025, 3, 2), date(2025, 3, 31), None, [(date(2025, 3, 2), date(2025, 3, 31))]),
        # 15 March to 10 June: April and May whole, the days at each end
        (
            date(2025, 3, 15),
            date(2025, 6, 10),
            ((2025, 4), (2025, 5)),
            [(date(2025, 3, 15), date(2025, 3, 31)), (date(2025, 6, 1), date(2025, 6, 10))],
        ),
        # two partial months and nothing whole between them
        (
            date(2025, 3, 15),
            date(2025, 4, 10),
            None,
            [(date(2025, 3, 15), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 4, 10))],
        ),
        # across the year end from mid-December: the range goes past 2025's closing and 2026's opening entries
        (date(2025, 12, 15), date(2026, 1, 31), ((2025, 13), (2026, 1)), [(date(2025, 12, 15), date(2025, 12, 31))]),
        # from the first entry: everything up to June
        (None, date(2025, 6, 30), (None, (2025, 6)), []),
        # to the middle of a month from the first entry: up to 2025's opening entries... and January's days
        (None, date(2025, 1, 20), (None, (2025, 0)), [(date(2025, 1, 1), date(2025, 1, 20))]),
    ],
)
def test_split_months(start: date | None, end: date, full: object, partial: list[tuple[date, date]]) -> None:
    assert split_months(start, end) == (full, partial)


def test_split_before_includes_the_years_opening_entries_on_1_january() -> None:
    assert split_before(date(2026, 1, 1)) == ((None, (2026, 0)), [])
    assert split_before(date(2025, 3, 1)) == ((None, (2025, 2)), [])
    assert split_before(date(2025, 3, 10)) == ((None, (2025, 2)), [(date(2025, 3, 1), date(2025, 3, 9))])


@pytest.mark.parametrize(
    ("first", "last", "years", "leftover"),
    [
        # three whole years: the yearly fold alone
        ((2023, 1), (2025, 12), (2023, 2025), []),
        # April 2023 to June 2025: 2024 whole, the months left over at each end
        ((2023, 4), (2025, 6), (2024, 2024), [((2023, 4), (2023, 12)), ((2025, 1), (2025, 6))]),
        # inside one year: no whole year
        ((2025, 3), (2025, 5), None, [((2025, 3), (2025, 5))]),
        # from the first entry to June 2025: every year to 2024, then January to June
        (None, (2025, 6), (None, 2024), [((2025, 1), (2025, 6))]),
        # a year with its opening and closing periods: the year whole (the edges are read apart)
        ((2024, 0), (2024, 13), (2024, 2024), []),
        # 2025's closing entries to January 2026: no whole year
        ((2025, 13), (2026, 1), None, [((2025, 13), (2026, 1))]),
    ],
)
def test_split_years(first: tuple[int, int] | None, last: tuple[int, int], years: object, leftover: object) -> None:
    assert split_years(first, last) == (years, leftover)
