"""Quantities people type or a sheet carries (deposits, returns, paper tallies): pure, no ORM.

A quantity is a count or a weight: at most 3 decimals (grams of a kilo), a comma or a dot as the decimal mark,
never an exponent, never negative. ``3``, ``2,5`` and ``0.250`` are quantities; ``1e3``, ``-2`` and ``1,2345`` are
refused with the reason.
"""

import re
from decimal import Decimal

from gie_erp.core.errors import DomainError, ErrorCode

QUANTUM = Decimal("0.001")
#: what a Deposit or TicketLine column holds (12 digits, 3 places), far above any stand's stock
MAX_QUANTITY = Decimal("99999.999")
_QUANTITY = re.compile(r"\d{1,5}([.,]\d{1,3})?")


def parse_quantity(text: str, *, allow_zero: bool = True) -> Decimal:
    """The exact quantity of ``text`` (3 places), or DomainError QUANTITY_INVALID."""
    raw = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not _QUANTITY.fullmatch(raw):
        raise DomainError(ErrorCode.QUANTITY_INVALID, value=str(text)[:40])
    quantity = Decimal(raw.replace(",", ".")).quantize(QUANTUM)
    if quantity > MAX_QUANTITY or (quantity == 0 and not allow_zero):
        raise DomainError(ErrorCode.QUANTITY_INVALID, value=str(text)[:40])
    return quantity


def format_quantity(quantity: Decimal) -> str:
    """``12``, ``2,5`` or ``0,25``: a quantity as people write it (no trailing zeros, a comma in French)."""
    text = f"{quantity.quantize(QUANTUM):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") or "0"
