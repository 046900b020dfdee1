"""One grammar for every amount a person types or a sheet carries (forms, imports, the entry form's script).

Accepted: ``1234,50`` ``1234.50`` ``1 234,50`` ``1 234.50`` ``1.234,50`` ``1,234.50`` (and the no-break spaces
Babel prints). Refused, each with a reason: an exponent (``1e3``), ``NaN``/``inf``, more than two decimals,
``1.234`` or ``1,234`` alone (thousands or decimals? ambiguous), grouping not by threes, anything above
``MAX_AMOUNT``. Pure: no ORM, no settings. ``static/js/amounts.js`` implements the same grammar in the browser.
"""

import re
from decimal import Decimal

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.core.money import MAX_AMOUNT

SPACES = ("\u00a0", "\u202f", "\u2009", " ")
_DIGITS = re.compile(r"\d+")
_EXPONENT = re.compile(r"[\d.,\s]*\d[eE][+-]?\d+")
_ALLOWED = re.compile(r"[\d., ]+")


class AmountError(DomainError):
    """A typed amount that the grammar refuses; ``code`` says why."""


def _group_ok(groups: list[str]) -> bool:
    """Thousands groups: the first 1–3 digits, every other exactly 3."""
    digits_only = all(_DIGITS.fullmatch(group) for group in groups)
    return digits_only and 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def parse_amount(text: str, *, allow_negative: bool = False, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """The exact 2-place Decimal of a typed amount, or AmountError saying why it is refused."""
    raw = str(text).strip()
    shown = raw[:40]
    body = raw
    for space in SPACES[:-1]:
        body = body.replace(space, " ")
    negative = False
    if body[:1] in ("-", "\u2212"):
        negative, body = True, body[1:].lstrip()
    elif body[:1] == "+":
        body = body[1:].lstrip()
    if _EXPONENT.fullmatch(body):
        raise AmountError(ErrorCode.AMOUNT_EXPONENT, value=shown)
    if not body or not _ALLOWED.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise AmountError(ErrorCode.AMOUNT_NOT_A_NUMBER, value=shown)

    has_space = " " in body
    dots, commas = body.count("."), body.count(",")
    integer, decimals = body, ""
    if dots and commas:  # both: the last one is the decimal mark, the other groups thousands
        decimal_mark = "." if body.rfind(".") > body.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        if body.count(decimal_mark) > 1 or has_space:
            raise AmountError(ErrorCode.AMOUNT_GROUPING, value=shown)
        integer, decimals = body.rsplit(decimal_mark, 1)
        if group_mark in decimals or not _group_ok(integer.split(group_mark)):
            raise AmountError(ErrorCode.AMOUNT_GROUPING, value=shown)
    elif dots + commas > 1:  # one mark, several times: it groups thousands (1.234.567) and there are no decimals
        mark = "." if dots else ","
        if has_space or not _group_ok(body.split(mark)):
            raise AmountError(ErrorCode.AMOUNT_GROUPING, value=shown)
        integer = body.replace(mark, "")
    elif dots + commas == 1:  # one mark, once: decimals, unless it reads as well as thousands
        mark = "." if dots else ","
        integer, decimals = body.split(mark)
        if not has_space and len(decimals) == 3 and 1 <= len(integer) <= 3 and integer.strip("0"):
            raise AmountError(ErrorCode.AMOUNT_AMBIGUOUS, value=shown, plain=integer + decimals)
    if has_space:
        groups = integer.split(" ")
        if not _group_ok(groups):
            raise AmountError(ErrorCode.AMOUNT_GROUPING, value=shown)
        integer = "".join(groups)
    elif dots and commas:
        integer = integer.replace("," if body.rfind(".") > body.rfind(",") else ".", "")
    if not integer:
        integer = "0"
    if not _DIGITS.fullmatch(integer) or (decimals and not _DIGITS.fullmatch(decimals)):
        raise AmountError(ErrorCode.AMOUNT_NOT_A_NUMBER, value=shown)
    if dots + commas == 1 and not decimals:
        raise AmountError(ErrorCode.AMOUNT_NOT_A_NUMBER, value=shown)
    if len(decimals) > 2:
        raise AmountError(ErrorCode.AMOUNT_DECIMALS, value=shown)
    amount = Decimal(f"{integer}.{decimals or '0'}").quantize(Decimal("0.01"))
    if amount > maximum:
        raise AmountError(ErrorCode.AMOUNT_TOO_LARGE, value=shown, limit=format_amount(maximum))
    if negative and amount:
        if not allow_negative:
            raise AmountError(ErrorCode.AMOUNT_NEGATIVE, value=shown)
        amount = -amount
    return amount
