"""The maths of a fee run and of the year-end transfer, with no database: exact shares, rounded shares by largest
remainder (``gie_erp.core.money.allocate``), VAT on each rounded share."""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Generic, TypeVar

from gie_erp.core.i18n import NARROW_NBSP
from gie_erp.core.money import ZERO, allocate, to_mad

K = TypeVar("K", bound=Hashable)
EXACT_PLACES = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class ShareLine(Generic[K]):
    """One member's line of a preview: its weight, its exact share, the rounded share, VAT on it, the total."""

    key: K
    weight: Decimal
    exact: Decimal  # to 6 places, for reading only: ``share`` is what is billed
    share: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.share + self.vat


@dataclass(frozen=True, slots=True)
class Split(Generic[K]):
    amount: Decimal
    vat_rate: Decimal
    lines: tuple[ShareLine[K], ...]

    @property
    def total_share(self) -> Decimal:
        return sum((line.share for line in self.lines), ZERO)

    @property
    def total_vat(self) -> Decimal:
        return sum((line.vat for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.total_share + self.total_vat

    @property
    def weight(self) -> Decimal:
        return sum((line.weight for line in self.lines), Decimal(0))


def vat_on(share: Decimal, rate: Decimal) -> Decimal:
    """VAT on one rounded share (half up, as on the invoice line that bills it)."""
    return to_mad(share * rate)


def split(amount: Decimal, weights: Mapping[K, Decimal], vat_rate: Decimal = ZERO) -> Split[K]:
    """Split ``amount`` by ``weights`` (members with a zero weight are left out): the rounded shares sum to the
    amount to the centime; each is within a centime of its exact value. Lines in the order of ``weights``."""
    kept = {key: weight for key, weight in weights.items() if weight > 0}
    shares = allocate(amount, kept)
    total_weight = Fraction(sum(kept.values(), Decimal(0)))
    lines = []
    for key, weight in kept.items():
        exact = Fraction(amount) * Fraction(weight) / total_weight
        exact_decimal = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            EXACT_PLACES, rounding=ROUND_HALF_UP
        )
        lines.append(
            ShareLine(key=key, weight=weight, exact=exact_decimal, share=shares[key], vat=vat_on(shares[key], vat_rate))
        )
    return Split(amount=amount, vat_rate=vat_rate, lines=tuple(lines))


def format_exact(value: Decimal) -> str:
    """An exact share as the pages print amounts (``1 030,782885``: narrow spaces, decimal comma), every place
    kept."""
    integer, _point, decimals = f"{abs(value):f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", NARROW_NBSP)
    return ("-" if value < 0 else "") + (f"{grouped},{decimals}" if decimals else grouped)
