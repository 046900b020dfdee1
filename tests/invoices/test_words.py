"""Amounts in words: every expected string is written out by hand (French plural rules of vingt and cent, "de"
after million; Arabic number–noun agreement with درهم and سنتيم)."""

from decimal import Decimal

import pytest

from invoices.words import amount_in_words

FRENCH = [
    ("1000000.01", "un million de dirhams et un centime"),
    ("71.80", "soixante et onze dirhams et quatre-vingts centimes"),
    ("80", "quatre-vingts dirhams"),
    ("81", "quatre-vingt-un dirhams"),
    ("0.01", "zéro dirham et un centime"),
    ("0.50", "zéro dirham et cinquante centimes"),
    ("0", "zéro dirham"),
    ("1", "un dirham"),
    ("2", "deux dirhams"),
    ("3", "trois dirhams"),
    ("11", "onze dirhams"),
    ("21.21", "vingt et un dirhams et vingt et un centimes"),
    ("100", "cent dirhams"),
    ("200", "deux cents dirhams"),
    ("201", "deux cent un dirhams"),
    ("80000", "quatre-vingt mille dirhams"),
    ("2000000", "deux millions de dirhams"),
    ("200000000", "deux cents millions de dirhams"),
    ("1000001", "un million un dirhams"),
]

ARABIC = [
    ("1000000.01", "مليون درهم وسنتيم واحد"),
    ("71.80", "واحد وسبعون درهما وثمانون سنتيما"),
    ("80", "ثمانون درهما"),
    ("81", "واحد وثمانون درهما"),
    ("0.01", "صفر درهم وسنتيم واحد"),
    ("0.02", "صفر درهم وسنتيمان"),
    ("0.05", "صفر درهم وخمسة سنتيمات"),
    ("1", "درهم واحد"),
    ("2", "درهمان"),
    ("3", "ثلاثة دراهم"),
    ("10", "عشرة دراهم"),
    ("11", "أحد عشر درهما"),
    ("99", "تسعة وتسعون درهما"),
    ("100", "مائة درهم"),
    ("103", "مائة وثلاثة دراهم"),
    ("111", "مائة وأحد عشر درهما"),
    ("200", "مئتا درهم"),
    ("1000", "ألف درهم"),
]


@pytest.mark.parametrize(("amount", "expected"), FRENCH)
def test_french(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), "fr") == expected


@pytest.mark.parametrize(("amount", "expected"), ARABIC)
def test_arabic(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), "ar") == expected


def test_trailing_zeros_do_not_change_the_words() -> None:
    assert amount_in_words(Decimal("80.00"), "fr") == amount_in_words(Decimal("80"), "fr")
    assert amount_in_words(Decimal("71.8"), "ar") == amount_in_words(Decimal("71.80"), "ar")


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        amount_in_words(Decimal("-1.00"), "fr")


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        amount_in_words(71.8, "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["1.005", "NaN", "Infinity"])
def test_a_third_decimal_or_a_non_finite_amount_is_refused(amount: str) -> None:
    with pytest.raises(ValueError):
        amount_in_words(Decimal(amount), "fr")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        amount_in_words(Decimal("1"), "en")
