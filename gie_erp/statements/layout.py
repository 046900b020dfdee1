"""The statement's figures, computed in integer centimes. Pure: no ORM, no clock.

The balances (opening, closing) come from movements keyed by (account code, partner id) → [debit, credit] centimes,
as the balance table gives them (``ledger.selectors.movement_centimes(..., by_partner=True)`` without the book). The
rows come from the month's entries that moved the money, each counted once, whole, under the row of its main
counterpart — exactly as the detail labels it — so the summary is the detail grouped by row, and the two sources
must agree: opening + received − paid or owed ± other movements = closing (else ``StatementMismatch``). See
``mapping`` for the rows.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gie_erp.statements.mapping import Flow, StatementMapping, StatementRow

MovementKey = tuple[str, int]  # (account code, partner id; 0 = none)
Movements = Mapping[MovementKey, Sequence[int]]  # [debit centimes, credit centimes]


class StatementMismatch(ArithmeticError):
    """The rows do not explain the change of the money: the books given were not balanced."""


@dataclass(frozen=True, slots=True)
class RowFigure:
    row: StatementRow
    centimes: int  # effect on the cooperative's money: positive = came in


@dataclass(frozen=True, slots=True)
class StatementFigures:
    opening: int
    rows: tuple[RowFigure, ...]  # every row of the mapping, in its order, zero ones included
    closing: int

    @property
    def received(self) -> int:
        return sum(f.centimes for f in self.rows if f.row.flow == Flow.IN)

    @property
    def paid_or_owed(self) -> int:
        """What went out, as a positive number when money went out."""
        return -sum(f.centimes for f in self.rows if f.row.flow == Flow.OUT)

    @property
    def other(self) -> int:
        return sum(f.centimes for f in self.rows if f.row.flow == Flow.OTHER)

    def shown_rows(self) -> tuple[RowFigure, ...]:
        """The rows printed: non-zero ones and those always shown."""
        return tuple(f for f in self.rows if f.centimes or f.row.always_shown)


class DetailKind(StrEnum):
    IN = "in"
    OUT = "out"
    TRANSFER = "transfer"  # money moved between bank, cash and the GIE balances: no effect on the total
    REST = "rest"  # the summary line of the entries not listed one by one


@dataclass(frozen=True, slots=True)
class EntryLine:
    code: str
    partner_id: int
    debit: int
    credit: int


@dataclass(frozen=True, slots=True)
class EntryMovement:
    posted_on: date
    number: str
    description: str
    lines: tuple[EntryLine, ...]


@dataclass(frozen=True, slots=True)
class DetailLine:
    kind: DetailKind
    posted_on: date | None
    description: str
    row: StatementRow | None  # the category of the entry's largest non-money line
    centimes: int  # effect on the money (for a transfer: the amount moved, no sign)
    count: int = 1  # entries summarised by a REST line


def money_centimes(movements: Movements, *, mapping: StatementMapping, gie_id: int | None) -> int:
    """Debit − credit of the money keys (bank, cash, GIE current balances)."""
    return sum(
        int(debit) - int(credit)
        for (code, partner_id), (debit, credit) in movements.items()
        if mapping.is_money(code, partner_id, gie_id)
    )


@dataclass(frozen=True, slots=True)
class EntryEffect:
    """One entry of the month that touched the money, as the statement reads it."""

    entry: EntryMovement
    centimes: int  # effect on the money: positive = came in (0 for a transfer between the money accounts)
    moved: int  # what the money lines debited: the amount a transfer moved
    row: StatementRow | None  # the row of the main counterpart (the largest line that is not money); None if none


def entry_effects(
    entries: Iterable[EntryMovement], *, mapping: StatementMapping, gie_id: int | None
) -> tuple[EntryEffect, ...]:
    """The entries that touched the money, in the order given, with their effect and the row they count under."""
    found: list[EntryEffect] = []
    for entry in entries:
        money = [ln for ln in entry.lines if mapping.is_money(ln.code, ln.partner_id, gie_id)]
        if not money:
            continue
        others = [ln for ln in entry.lines if not mapping.is_money(ln.code, ln.partner_id, gie_id)]
        row = None
        if others:
            main = max(others, key=lambda ln: (ln.debit + ln.credit, ln.code))
            row = mapping.row(mapping.row_key_of(main.code, main.partner_id, gie_id))
        found.append(
            EntryEffect(
                entry=entry,
                centimes=sum(ln.debit - ln.credit for ln in money),
                moved=sum(ln.debit for ln in money),
                row=row,
            )
        )
    return tuple(found)


def statement_figures(
    *,
    opening_movements: Movements,
    month_movements: Movements,
    entries: Iterable[EntryMovement],
    mapping: StatementMapping,
    gie_id: int | None,
) -> StatementFigures:
    """Opening balance (all movements before the month), one figure per row, closing balance.

    A row's figure is the effect on the money of the month's entries counted under it (``entry_effects``): a sale
    on credit shows only when the customer pays, under the customers' row, as the detail lists it. Raises
    StatementMismatch when the entries do not explain the money's change of the balance table.
    """
    opening = money_centimes(opening_movements, mapping=mapping, gie_id=gie_id)
    change = money_centimes(month_movements, mapping=mapping, gie_id=gie_id)
    effects = dict.fromkeys((row.key for row in mapping.rows), 0)
    for found in entry_effects(entries, mapping=mapping, gie_id=gie_id):
        if found.row is None:
            if found.centimes:  # only money lines, yet the money changed: an unbalanced entry
                raise StatementMismatch(f"entry {found.entry.number} changes the money by {found.centimes} alone")
            continue
        effects[found.row.key] += found.centimes
    figures = StatementFigures(
        opening=opening,
        rows=tuple(RowFigure(row=row, centimes=effects[row.key]) for row in mapping.rows),
        closing=opening + change,
    )
    if figures.opening + figures.received - figures.paid_or_owed + figures.other != figures.closing:
        raise StatementMismatch(f"the entries explain {sum(effects.values())} centimes, the money moved {change}")
    return figures


def detail_lines(
    entries: Iterable[EntryMovement], *, mapping: StatementMapping, gie_id: int | None, limit: int
) -> tuple[DetailLine, ...]:
    """The month's entries that touched the money, biggest first up to ``limit`` lines, then listed by date.

    When there are more, the smaller ones are summarised in one last REST line (count and net effect), so the
    effects of the lines still add up to the money's change. Transfers are listed but never summed.
    """
    found: list[DetailLine] = []
    for effect in entry_effects(entries, mapping=mapping, gie_id=gie_id):
        entry = effect.entry
        if effect.centimes == 0:
            if effect.moved:
                found.append(DetailLine(DetailKind.TRANSFER, entry.posted_on, entry.description, None, effect.moved))
            continue
        kind = DetailKind.IN if effect.centimes > 0 else DetailKind.OUT
        found.append(DetailLine(kind, entry.posted_on, entry.description, effect.row, effect.centimes))
    if len(found) <= limit:
        return tuple(found)
    kept = sorted(found, key=lambda d: -abs(d.centimes))[: max(limit - 1, 0)]
    kept_ids = {id(d) for d in kept}
    rest = [d for d in found if id(d) not in kept_ids]
    listed = tuple(d for d in found if id(d) in kept_ids)  # back in date order
    rest_effect = sum(d.centimes for d in rest if d.kind != DetailKind.TRANSFER)
    return (*listed, DetailLine(DetailKind.REST, None, "", None, rest_effect, count=len(rest)))


def detail_effect(lines: Iterable[DetailLine]) -> int:
    """The money's change as the detail tells it (transfers excluded): equals closing − opening."""
    return sum(d.centimes for d in lines if d.kind != DetailKind.TRANSFER)
