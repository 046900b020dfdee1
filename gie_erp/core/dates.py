"""Business dates every app shares: the earliest date anything may be dated (a typo such as 0001-01-01 or
1899-12-31 is refused before it becomes a numbered entry) and the latest year a page may ask for."""

from datetime import date

from django.conf import settings

#: Default of ``settings.GIE_EARLIEST_DATE`` (environment ``GIE_EARLIEST_DATE``, ISO): no book of the GIE predates it.
DEFAULT_EARLIEST_DATE = date(2000, 1, 1)
#: Pages and imports refuse years past this one (periods, reports, portal).
LATEST_YEAR = 2100


def earliest_date() -> date:
    """The first day anything may be dated (posted, opened, reported)."""
    value = getattr(settings, "GIE_EARLIEST_DATE", None) or DEFAULT_EARLIEST_DATE
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def latest_date() -> date:
    """The last day a report or a filter may reach."""
    return date(LATEST_YEAR, 12, 31)


def is_plausible_year(year: int) -> bool:
    """A year a person may ask a page for: from the earliest date's year to ``LATEST_YEAR``."""
    return earliest_date().year <= year <= LATEST_YEAR
