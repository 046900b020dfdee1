"""Chart geometry and trends, worked by hand (gie_erp/indicators/charts.py)."""

from decimal import Decimal

from gie_erp.indicators.charts import bar_chart, change

D = Decimal


def test_bars_are_shares_of_the_longest_including_last_year() -> None:
    """March 1,950.50 and July 99.99 this year; last year March 2,000.00 (the longest) and July nothing: March is
    1,950.50 / 2,000 = 97.5 % long, July 99.99 / 2,000 = 5.0 %; last year's March 100 %."""
    chart = bar_chart([("mars", D("1950.50")), ("juillet", D("99.99"))], previous=[D("2000.00"), None])
    march, july = chart.bars
    assert (march.length, march.previous_length) == (D("97.5"), D("100.0"))
    assert (july.length, july.previous, july.previous_length) == (D("5.0"), None, D("0"))
    assert chart.compares
    assert chart.height == 68


def test_negative_and_empty_figures_draw_no_bar() -> None:
    chart = bar_chart([("a", D("-5.00")), ("b", 0)])
    assert [bar.length for bar in chart.bars] == [D("0"), D("0")]
    assert bar_chart([]).height == 28


def test_change_from_last_year() -> None:
    assert change(D("2050.49"), D("500.00")) == D("310.1")
    assert change(3, 4) == D("-25.0")
    assert change(5, 0) is None
