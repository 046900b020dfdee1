"""The pure maths of a run: shares sum to the pool, each within a centime of its exact value; VAT on each rounded
share."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gie_erp.core.money import to_mad
from gie_erp.fees.shares import split

amounts = st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c) / 100)
weights = st.dictionaries(
    st.integers(min_value=1, max_value=5000),
    st.integers(min_value=0, max_value=10**8).map(lambda c: Decimal(c) / 100),
    min_size=1,
    max_size=40,
).filter(lambda w: any(v > 0 for v in w.values()))
rates = st.sampled_from([Decimal("0"), Decimal("0.07"), Decimal("0.10"), Decimal("0.14"), Decimal("0.20")])


@given(amounts, weights, rates)
def test_shares_sum_to_the_pool_and_each_is_within_a_centime(
    amount: Decimal, w: dict[int, Decimal], rate: Decimal
) -> None:
    result = split(amount, w, rate)
    assert result.total_share == amount
    total_weight = Fraction(sum(v for v in w.values() if v > 0))
    for line in result.lines:
        exact = Fraction(amount) * Fraction(line.weight) / total_weight
        assert abs(Fraction(line.share) - exact) < Fraction(1, 100)
        assert line.vat == to_mad(line.share * rate)
    assert {line.key for line in result.lines} == {k for k, v in w.items() if v > 0}


def test_the_issues_figures() -> None:
    result = split(Decimal("2500.00"), {1: Decimal(700), 2: Decimal(900), 3: Decimal(1400)}, Decimal("0.20"))
    assert [(ln.share, ln.vat) for ln in result.lines] == [
        (Decimal("583.33"), Decimal("116.67")),
        (Decimal("750.00"), Decimal("150.00")),
        (Decimal("1166.67"), Decimal("233.33")),
    ]
