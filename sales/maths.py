"""The till's arithmetic, pure: line amounts, the VAT inside a price TTC, a ticket's split per (member, method),
the commission. No ORM, no clock. Every amount is a 2-place Decimal, rounded by ``gie_erp.core.money``."""

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import TypeVar

from gie_erp.core.money import ZERO, allocate, to_mad

M = TypeVar("M", bound=Hashable)
P = TypeVar("P", bound=Hashable)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × price TTC, rounded half-up (a negative quantity on a refund gives a negative amount)."""
    return to_mad(quantity * unit_price)


def vat_inside(amount: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in an amount TTC at ``rate``: TTC − round(TTC / (1 + rate)). Signed like the amount."""
    if not rate:
        return ZERO
    return amount - to_mad(amount / (1 + rate))


def split(by_member: Mapping[M, Decimal], by_method: Mapping[P, Decimal]) -> dict[tuple[M, P], Decimal]:
    """A ticket's money per (member, method), both margins exact: each member's cells sum to its lines, each
    method's to its payments. Methods are taken in sorted order, each spread over what every member has left
    (largest remainder); the last takes exactly what is left, so no cell is ever negative or past its member.

    All amounts carry the same sign (a refund is negative throughout); the two margins must have equal sums.
    """
    total = sum(by_member.values(), ZERO)
    if total != sum(by_method.values(), ZERO):
        raise ValueError(f"lines {total} and payments {sum(by_method.values(), ZERO)} differ")
    sign = Decimal(-1) if total < 0 else Decimal(1)
    left = {member: amount * sign for member, amount in by_member.items() if amount}
    methods = [method for method in sorted(by_method, key=str) if by_method[method]]
    cells: dict[tuple[M, P], Decimal] = {}
    for index, method in enumerate(methods):
        paid = by_method[method] * sign
        if index == len(methods) - 1:
            shares = dict(left)
        else:
            weights = {member: amount for member, amount in left.items() if amount}
            shares = allocate(paid, weights) if weights else {}
        for member, share in shares.items():
            if share:
                cells[(member, method)] = share * sign
                left[member] -= share
    return cells


def commission(base: Decimal, rate: Decimal) -> Decimal:
    """The GIE's commission on a settled base, before its own VAT."""
    return to_mad(base * rate)
