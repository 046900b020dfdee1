"""The dashboard reads a year and the year before in one pass (``memberships``, ``sales_periods``, ``trainings``,
``outstanding_periods``): each period's figures are the ones its own read gives (gie_erp/indicators/selectors.py)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from gie_erp.indicators import selectors
from gie_erp.indicators.selectors import Figure, Filters
from sales.models import Channel, Event, Summary, SummaryRun
from tests.indicators.test_selectors import members  # noqa: F401 (fixture)
from tests.training.test_reports import small  # noqa: F401 (fixture)

YEAR_2026 = Filters(date(2026, 1, 1), date(2026, 12, 31))
BOTH = (YEAR_2026, YEAR_2026.previous_year())


def test_members_and_sales_of_two_years_in_one_read(members: dict[str, Any]) -> None:  # noqa: F811
    """A sells 100.00 at the shop on 2 January 2026 and 40.00 on 31 December 2025; C 60.00 on 31 December 2025:
    2026 is A's 100.00, 2025 is 100.00 by two cooperatives."""
    a, c = members["a"], members["c"]
    shop = Channel.objects.create(slug="boutique", kind=Channel.Kind.SHOP, name_fr="Boutique", name_ar="المتجر")
    store = Event.objects.create(channel=shop, slug="boutique", name_fr="Boutique", starts_on=date(2025, 1, 1))
    run = SummaryRun.objects.create(event=store)
    for organization, day, amount in ((a, date(2026, 1, 2), "100.00"), (a, date(2025, 12, 31), "40.00"),
                                      (c, date(2025, 12, 31), "60.00")):  # fmt: skip
        Summary.objects.create(run=run, event=store, day=day, organization=organization, method="cash", part=0,
                               posted_on=day, amount=Decimal(amount))  # fmt: skip
    this_year, last_year = selectors.sales_periods(BOTH)
    assert this_year.total == Figure(Decimal("100.00"), 1)
    assert last_year.total == Figure(Decimal("100.00"), 2)
    assert last_year.by_month == {12: Figure(Decimal("100.00"), 2)}
    assert [this_year, last_year] == [selectors.sales(period) for period in BOTH]
    assert selectors.memberships(BOTH) == [selectors.membership(period) for period in BOTH]
    assert selectors.outstanding_periods(BOTH) == [selectors.outstanding(period) for period in BOTH]
    assert selectors.fees_periods(BOTH) == [selectors.fees(period) for period in BOTH]


def test_periods_read_together_name_the_same_members() -> None:
    with pytest.raises(ValueError, match="same members"):
        selectors.sales_periods([YEAR_2026, Filters(YEAR_2026.start, YEAR_2026.end, women_only=True)])


def test_training_of_two_years_in_one_read(small: dict[str, Any]) -> None:  # noqa: F811
    """The training reports' world is in 2026: 2025 has no one."""
    this_year, last_year = selectors.trainings(BOTH, small["staff"])
    assert this_year == selectors.training(YEAR_2026, small["staff"])
    assert (this_year.participants, this_year.hours) == (5, Decimal("24.00"))
    assert (last_year.participants, last_year.sessions, last_year.hours) == (0, 0, Decimal("0.00"))


def test_a_member_selling_through_two_channels_in_a_month_is_counted_once(
    members: dict[str, Any],  # noqa: F811
) -> None:
    """2026: A sells 70.00 at the fair and 30.00 at the shop in March, B 5.00 at the shop in April; 2025: A 12.00 and
    C 8.00 at the shop in March. Read together (one pass on PostgreSQL: a mask of months per member and channel):
    March 2026 is 100.00 by ONE cooperative, April 5.00 by one; March 2025 20.00 by two; fees and outstanding
    none."""
    a, b, c = members["a"], members["b"], members["c"]
    fairs = Channel.objects.create(slug="foires", name_fr="Foires", name_ar="المعارض")
    shop = Channel.objects.create(slug="boutique", kind=Channel.Kind.SHOP, name_fr="Boutique", name_ar="المتجر")
    fair = Event.objects.create(channel=fairs, slug="salon-mars", name_fr="Salon", starts_on=date(2026, 3, 14))
    store = Event.objects.create(channel=shop, slug="boutique", name_fr="Boutique", starts_on=date(2025, 1, 1))
    for event, organization, day, amount in (
        (fair, a, date(2026, 3, 14), "70.00"), (store, a, date(2026, 3, 20), "30.00"),
        (store, b, date(2026, 4, 1), "5.00"), (store, a, date(2025, 3, 3), "12.00"),
        (store, c, date(2025, 3, 31), "8.00"),
    ):  # fmt: skip
        Summary.objects.create(run=SummaryRun.objects.create(event=event), event=event, day=day,
                               organization=organization, method="cash", part=0, posted_on=day,
                               amount=Decimal(amount))  # fmt: skip
    this_year, last_year = selectors.sales_periods(BOTH)
    assert this_year.by_month == {3: Figure(Decimal("100.00"), 1), 4: Figure(Decimal("5.00"), 1)}
    assert this_year.by_channel == {"boutique": Figure(Decimal("35.00"), 2), "foires": Figure(Decimal("70.00"), 1)}
    assert this_year.total == Figure(Decimal("105.00"), 2)
    assert last_year.by_month == {3: Figure(Decimal("20.00"), 2)}
    assert last_year.total == Figure(Decimal("20.00"), 2)
    assert [this_year, last_year] == [selectors.sales(period) for period in BOTH]
    assert selectors.fees_periods(BOTH) == [selectors.Fees(Figure(Decimal("0.00"), 0), {})] * 2
    assert selectors.outstanding_periods(BOTH) == [selectors.Outstanding(0, Decimal("0.00"), 0)] * 2
