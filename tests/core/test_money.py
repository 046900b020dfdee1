from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gie_erp.core.i18n import format_amount, month_name
from gie_erp.core.money import allocate, from_centimes, to_centimes, to_mad


def test_to_mad_rounds_half_up_not_half_even():
    assert to_mad(Decimal("2.345")) == Decimal("2.35")  # half-even would give 2.34
    assert to_mad(Decimal("2.335")) == Decimal("2.34")
    assert to_mad(Decimal("-2.345")) == Decimal("-2.35")
    assert to_mad("10") == Decimal("10.00")
    assert to_mad(7) == Decimal("7.00")


def test_to_mad_refuses_float_and_nan():
    with pytest.raises(TypeError):
        to_mad(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        to_mad(Decimal("NaN"))


def test_centimes_round_trip_and_refuse_a_third_decimal():
    assert to_centimes(Decimal("1234.56")) == 123456
    assert from_centimes(-5) == Decimal("-0.05")
    with pytest.raises(ValueError, match="decimals"):
        to_centimes(Decimal("1.005"))


def test_allocate_by_hand():
    # 100.00 in three equal parts: 33.333… each; the one centime left goes to the smallest key (ties by key)
    assert allocate(Decimal("100.00"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}) == {
        "a": Decimal("33.34"),
        "b": Decimal("33.33"),
        "c": Decimal("33.33"),
    }
    # 10.00 by weights 1:2:3 → 1.666…, 3.333…, 5.00; remainders .666 and .333: the centime goes to "x"
    assert allocate(Decimal("10.00"), {"x": Decimal(1), "y": Decimal(2), "z": Decimal(3)}) == {
        "x": Decimal("1.67"),
        "y": Decimal("3.33"),
        "z": Decimal("5.00"),
    }
    # a zero weight gets nothing; a negative total splits like its absolute value
    assert allocate(Decimal("-0.03"), {"p": Decimal(1), "q": Decimal(0), "r": Decimal(2)}) == {
        "p": Decimal("-0.01"),
        "q": Decimal("0.00"),
        "r": Decimal("-0.02"),
    }


def test_allocate_refuses_bad_input():
    with pytest.raises(ValueError, match="zero"):
        allocate(Decimal("1.00"), {"a": Decimal(0)})
    with pytest.raises(ValueError, match="non-negative"):
        allocate(Decimal("1.00"), {"a": Decimal(-1), "b": Decimal(2)})
    with pytest.raises(ValueError, match="MAD"):
        allocate(Decimal("1.001"), {"a": Decimal(1)})


amounts = st.decimals(min_value=Decimal("-10000000"), max_value=Decimal("10000000"), places=2)
weights = st.dictionaries(
    st.text(min_size=1, max_size=6),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=3),
    min_size=1,
    max_size=40,
).filter(lambda w: sum(w.values()) > 0)


@given(total=amounts, weights=weights)
def test_allocate_shares_sum_to_total_and_stay_within_a_centime(total: Decimal, weights: dict[str, Decimal]):
    shares = allocate(total, weights)
    assert sum(shares.values()) == total
    assert set(shares) == set(weights)
    weight_sum = sum(weights.values())
    for key, share in shares.items():
        exact = total * weights[key] / weight_sum
        assert abs(share - exact) < Decimal("0.01")
        assert share == share.quantize(Decimal("0.01"))


@given(total=amounts, weights=weights)
def test_allocate_is_deterministic(total: Decimal, weights: dict[str, Decimal]):
    assert allocate(total, weights) == allocate(total, dict(reversed(list(weights.items()))))


def test_amount_format_uses_narrow_no_break_spaces_and_comma():
    assert format_amount(Decimal("1234567.5")) == "1\u202f234\u202f567,50"
    assert format_amount(Decimal("-12.30"), currency=True) == "-12,30\u202fDH"
    assert format_amount(Decimal("1000"), currency=True, language="ar") == "1\u202f000,00\u202fدرهم"


def test_moroccan_arabic_month_names():
    assert month_name(8, "ar") == "غشت"
    assert month_name(12, "ar") == "دجنبر"
    assert month_name(5, "fr") == "mai"
