"""Training arithmetic, pure: a funder's share of a trainee's fee, the member's share, the completion rule, a
session's bill per member and per funder. No ORM, no clock; every amount is a 2-place Decimal rounded by
``gie_erp.core.money``; ratios are compared exactly (fractions)."""

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Generic, TypeVar

from gie_erp.core.money import ZERO, to_mad

F = TypeVar("F", bound=Hashable)  # a funder's key
M = TypeVar("M", bound=Hashable)  # a member's key

PERCENT = "percent"
AMOUNT = "amount_per_trainee"
ENROLLED = "enrolled"
ATTENDED = "attended"


@dataclass(frozen=True, slots=True)
class FunderTerms(Generic[F]):
    """A funder's share of one session: ``value`` is a rate (0.4000) for PERCENT, an amount per trainee for AMOUNT;
    ``basis`` ATTENDED pays only for trainees who attended, ENROLLED for every trainee billed."""

    key: F
    kind: str
    value: Decimal
    basis: str = ATTENDED

    def __post_init__(self) -> None:
        if self.kind not in (PERCENT, AMOUNT) or self.basis not in (ENROLLED, ATTENDED):
            raise ValueError(f"unknown funder terms: {self.kind}/{self.basis}")
        if self.value < 0 or (self.kind == PERCENT and self.value > 1):
            raise ValueError(f"bad funder value {self.value} for {self.kind}")


def funder_share(fee: Decimal, terms: FunderTerms[F]) -> Decimal:
    """What one funder pays for one trainee it pays for: a rate of the fee HT (rounded half-up) or an amount,
    never more than the fee."""
    share = to_mad(fee * terms.value) if terms.kind == PERCENT else to_mad(terms.value)
    return min(share, fee)


@dataclass(frozen=True, slots=True)
class TraineeSplit(Generic[F]):
    """One trainee's fee: what each funder pays and what the member pays (they add up to the fee)."""

    member: Decimal
    funders: Mapping[F, Decimal]


def trainee_split(fee: Decimal, funders: Sequence[FunderTerms[F]], *, attended: bool) -> TraineeSplit[F]:
    """Split one trainee's fee. Funders are taken in order, each capped at what is left of the fee; a funder that
    pays for attendees pays nothing for a trainee who did not attend, and the member pays that part too."""
    left = fee
    shares: dict[F, Decimal] = {}
    for terms in funders:
        if terms.basis == ATTENDED and not attended:
            continue
        share = min(funder_share(fee, terms), left)
        if share > 0:
            shares[terms.key] = share
            left -= share
    return TraineeSplit(member=left, funders=shares)


def is_complete(present: int, half_days: int, rate: Decimal) -> bool:
    """The completion rule: present half-days / half-days ≥ rate, compared exactly (no session, no completion)."""
    if half_days <= 0:
        return False
    return Fraction(present, half_days) >= Fraction(rate)


@dataclass(slots=True)
class SessionBill(Generic[M, F]):
    """A session's bill: per member, how many trainees at each member's share (one invoice line per share); per
    funder, the trainees it pays for and the total it owes."""

    lines: dict[M, Counter[Decimal]] = field(default_factory=dict)
    funder_trainees: Counter[F] = field(default_factory=Counter)
    funder_totals: dict[F, Decimal] = field(default_factory=dict)

    def member_net(self, member: M) -> Decimal:
        """What a member is billed HT (before VAT)."""
        return sum((share * count for share, count in self.lines.get(member, Counter()).items()), ZERO)


def compute_bill(
    fee: Decimal, funders: Sequence[FunderTerms[F]], trainees: Sequence[tuple[M, bool]]
) -> SessionBill[M, F]:
    """The bill of a session from its billed trainees, each (member, attended). A member whose trainees are all
    paid for in full gets no line with a share of 0.00."""
    bill: SessionBill[M, F] = SessionBill()
    for member, attended in trainees:
        split = trainee_split(fee, funders, attended=attended)
        counts = bill.lines.setdefault(member, Counter())
        if split.member > 0:
            counts[split.member] += 1
        for key, share in split.funders.items():
            bill.funder_trainees[key] += 1
            bill.funder_totals[key] = bill.funder_totals.get(key, ZERO) + share
    return bill
