"""The one amount grammar (security finding 9): what people type, what sheets carry, and why a refusal is made."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.errors import ErrorCode
from gie_erp.core.forms import AmountField


@pytest.mark.parametrize(
    "text",
    ["1234,50", "1234.50", "1 234,50", "1 234.50", "1.234,50", "1,234.50", "1\u202f234,50", "1\xa0234,50", " 1234,5 "],
)
def test_every_accepted_spelling_of_twelve_hundred_thirty_four_fifty(text):
    assert parse_amount(text) == Decimal("1234.50")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0,05", "0.05"), ("7", "7.00"), ("1.234.567", "1234567.00"), ("1 234 567,89", "1234567.89"),
     ("1,234,567.89", "1234567.89"), ("999999999.99", "999999999.99"), (",50", "0.50")],
)  # fmt: skip
def test_other_valid_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1e3", ErrorCode.AMOUNT_EXPONENT),
        ("1e30", ErrorCode.AMOUNT_EXPONENT),
        ("1E17", ErrorCode.AMOUNT_EXPONENT),
        ("NaN", ErrorCode.AMOUNT_NOT_A_NUMBER),
        ("sNaN", ErrorCode.AMOUNT_NOT_A_NUMBER),
        ("Infinity", ErrorCode.AMOUNT_NOT_A_NUMBER),
        ("", ErrorCode.AMOUNT_NOT_A_NUMBER),
        ("12.", ErrorCode.AMOUNT_NOT_A_NUMBER),
        ("douze", ErrorCode.AMOUNT_NOT_A_NUMBER),
        ("1234.567", ErrorCode.AMOUNT_DECIMALS),
        ("0,001", ErrorCode.AMOUNT_DECIMALS),
        ("1.234", ErrorCode.AMOUNT_AMBIGUOUS),
        ("1,234", ErrorCode.AMOUNT_AMBIGUOUS),
        ("12.34.56", ErrorCode.AMOUNT_GROUPING),
        ("1 23 456", ErrorCode.AMOUNT_GROUPING),
        ("1.23,50", ErrorCode.AMOUNT_GROUPING),
        ("1,234,56", ErrorCode.AMOUNT_GROUPING),
        ("1 234.567,5", ErrorCode.AMOUNT_GROUPING),
        ("1000000000", ErrorCode.AMOUNT_TOO_LARGE),
        ("-5", ErrorCode.AMOUNT_NEGATIVE),
    ],
)
def test_refusals_say_why(text, code):
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert info.value.code == code


def test_the_ambiguous_message_says_what_to_write_instead():
    with pytest.raises(AmountError) as info:
        parse_amount("1.234")
    assert info.value.message("fr") == (
        "« 1.234 » est ambigu : écrivez 1234 pour des milliers, ou deux décimales au plus pour des centimes."
    )


def test_negative_only_where_allowed():
    assert parse_amount("-1 234,50", allow_negative=True) == Decimal("-1234.50")
    assert parse_amount("\u22127", allow_negative=True) == Decimal("-7.00")  # the minus sign Babel prints


def test_the_form_field_uses_the_grammar_and_explains():
    field = AmountField(required=False)
    assert field.clean("1.234,50") == Decimal("1234.50")
    assert field.clean("") is None
    with translation.override("fr"), pytest.raises(ValidationError) as info:
        field.clean("1e3")
    assert "notation scientifique" in str(info.value)
