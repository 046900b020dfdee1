"""Money: Decimal MAD with 2 places. The quantum and the rounding policy live here and nowhere else."""

from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

MAD_QUANTUM = Decimal("0.01")
ROUNDING = ROUND_HALF_UP  # Python's default is half-even; Moroccan invoices and statements round half up
ZERO = Decimal("0.00")
CENTIMES_PER_MAD = 100
#: The largest amount any form, import or posting line accepts: far below what the centime columns hold (a bigint
#: sums 9.2e18 centimes), far above anything a GIE of cooperatives posts in one line.
MAX_AMOUNT = Decimal("999999999.99")


def to_mad(value: Decimal | int | str) -> Decimal:
    """Round to centimes, half-up. Floats are refused: they are already inexact."""
    if isinstance(value, float):
        raise TypeError("pass Decimal, int or str, never float")
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return amount.quantize(MAD_QUANTUM, rounding=ROUNDING)


def is_mad(value: Decimal) -> bool:
    """True when the amount already has at most 2 decimals (no rounding would change it)."""
    return value.is_finite() and value == value.quantize(MAD_QUANTUM, rounding=ROUNDING)


def to_centimes(value: Decimal) -> int:
    """An exact MAD amount as integer centimes; refuses anything with a third decimal."""
    if not is_mad(value):
        raise ValueError(f"{value} has more than 2 decimals")
    return int(value * CENTIMES_PER_MAD)


def from_centimes(centimes: int) -> Decimal:
    """Integer centimes back to a 2-place Decimal."""
    return (Decimal(centimes) / CENTIMES_PER_MAD).quantize(MAD_QUANTUM)


def allocate(total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Split a MAD total by non-negative weights (largest remainder); the shares always sum to the total.

    Each share is within one centime of its exact value. Ties in the remainder go to the smallest key, so the
    result is deterministic. A negative total is split like its absolute value, then negated.
    """
    if not is_mad(total):
        raise ValueError(f"total {total} is not a MAD amount")
    if not weights:
        raise ValueError("nothing to allocate to")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative")
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum == 0:
        raise ValueError("weights sum to zero")
    if total < 0:
        return {key: -share for key, share in allocate(-total, weights).items()}
    total_centimes = to_centimes(total)
    # exact rational arithmetic: share_i = total * w_i / W centimes, no rounding until the floor
    exact = {key: Fraction(total_centimes) * Fraction(w) / Fraction(weight_sum) for key, w in weights.items()}
    floors = {key: int(value) for key, value in exact.items()}  # int() of a non-negative Fraction is its floor
    left = total_centimes - sum(floors.values())
    by_remainder = sorted(weights, key=lambda key: (-(exact[key] - floors[key]), str(key)))
    for key in by_remainder[:left]:
        floors[key] += 1
    return {key: from_centimes(c) for key, c in floors.items()}
