"""Invoice arithmetic, pure: line net and VAT rounded per line half-up (the policy of gie_erp/core/money.py),
totals per rate, and how a payment, credit note or write-off splits VAT between the transit account (44551) and
the collected account (4455). No ORM, no clock."""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from gie_erp.core.money import ZERO, to_mad

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def line_amounts(*, quantity: Decimal, unit_price: Decimal, discount_rate: Decimal, vat_rate: Decimal) -> LineAmounts:
    """Net = quantity × unit price × (1 − discount), rounded once; VAT = net × rate, rounded once (half-up)."""
    net = to_mad(quantity * unit_price * (Decimal(1) - discount_rate))
    return LineAmounts(net=net, vat=to_mad(net * vat_rate))


@dataclass(frozen=True, slots=True)
class Totals:
    net: Decimal
    vat: Decimal
    by_rate: dict[Any, LineAmounts]  # per VAT rate key (a VatRate id in the services)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def document_totals(lines: Iterable[tuple[K, LineAmounts]]) -> Totals:
    """Sums of rounded lines, never re-rounded; per rate key in first-seen order."""
    by_rate: dict[Any, LineAmounts] = {}
    for key, amounts in lines:
        seen = by_rate.get(key, LineAmounts(ZERO, ZERO))
        by_rate[key] = LineAmounts(seen.net + amounts.net, seen.vat + amounts.vat)
    net = sum((a.net for a in by_rate.values()), ZERO)
    vat = sum((a.vat for a in by_rate.values()), ZERO)
    return Totals(net=net, vat=vat, by_rate=by_rate)


def vat_settled_by(*, paid: Decimal, balance_due: Decimal, in_transit: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """The VAT per rate a payment of ``paid`` settles on a document whose customer still owes ``balance_due`` and
    whose transit VAT is ``in_transit``: pro rata, half-up; paying the whole balance settles all of it (so the last
    payment leaves the transit account at exactly 0.00)."""
    if paid <= 0 or balance_due <= 0:
        return dict.fromkeys(in_transit, ZERO)
    if paid >= balance_due:
        return dict(in_transit)
    return {key: min(vat, to_mad(vat * paid / balance_due)) for key, vat in in_transit.items()}


def credit_note_vat_split(
    *, credited_vat: Mapping[K, Decimal], in_transit: Mapping[K, Decimal]
) -> tuple[dict[K, Decimal], dict[K, Decimal]]:
    """A credit note takes its VAT from the invoice's transit VAT first (what is not yet paid), then from the
    collected VAT. Returns (from transit, from collected) per rate."""
    from_transit = {key: min(vat, max(in_transit.get(key, ZERO), ZERO)) for key, vat in credited_vat.items()}
    from_collected = {key: vat - from_transit[key] for key, vat in credited_vat.items()}
    return from_transit, from_collected


def number_format(*, prefix: str, year: int, sequence: int) -> str:
    """FA-2026-00001: prefix, year, five digits (more when a series passes 99,999)."""
    return f"{prefix}-{year}-{sequence:05d}"
