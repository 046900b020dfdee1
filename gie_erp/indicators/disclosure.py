"""Statistical disclosure control of the open figures (pure: no ORM).

A published table is a grid of cells (row × column) with its margins: the row totals, the column totals and the grand
total. Each cell knows how many people and how many cooperatives it describes.

- **Primary suppression**: a cell describing fewer than ``MIN_PEOPLE`` people (1 to 4), or fewer than
  ``MIN_COOPERATIVES`` cooperatives (1 or 2: a sales figure of two cooperatives tells each its neighbour's), is
  withheld. A cell describing nobody (an empty cell) is published: it reveals nothing about anyone.
- **Complementary suppression**: the margins are published, so a row (or a column) with exactly one withheld cell
  would give it away by subtraction. In every additive relation (a row's cells and its total; a column's cells and
  its total; the totals row and the grand total) the withheld members are 0 or at least 2: while a relation has
  exactly one, the smallest published member that describes someone is withheld too (an inner cell before a total),
  until no relation has exactly one. Cells describing nobody do not protect (everyone knows they are empty), so they
  are never chosen; a relation left with no candidate withholds its total.

This protects against differencing by rows and columns, the attack open tables meet; it does not claim to be optimal
(the fewest cells withheld) — the choice is deterministic (by value, then by key), so a table is always suppressed the
same way.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

MIN_PEOPLE = 5
MIN_COOPERATIVES = 3

TOTAL = "*"  # the margin's key: (row, TOTAL) is a row's total, (TOTAL, column) a column's, (TOTAL, TOTAL) the grand


class Reason(StrEnum):
    PRIMARY = "primary"  # too few people or cooperatives behind the cell
    COMPLEMENTARY = "complementary"  # withheld so that a primary cell cannot be worked out from the totals


@dataclass(frozen=True, slots=True)
class Cell:
    """A figure and who is behind it: ``people`` when the figure counts or describes persons (None when it does
    not, e.g. a sum of money over cooperatives), and the distinct cooperatives it describes."""

    value: Decimal | int
    cooperatives: int
    people: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.cooperatives == 0 and not self.people

    @property
    def is_sensitive(self) -> bool:
        """The primary rule."""
        if self.is_empty:
            return False
        if self.people is not None and 0 < self.people < MIN_PEOPLE:
            return True
        return 0 < self.cooperatives < MIN_COOPERATIVES


Key = tuple[Any, Any]  # (row, column): any hashable labels, TOTAL for a margin


def _relations(keys: set[Key]) -> list[list[Key]]:
    """The additive relations among the keys present: each row with its total, each column with its total."""
    by_row: dict[Hashable, list[Key]] = {}
    by_column: dict[Hashable, list[Key]] = {}
    for key in sorted(keys, key=repr):  # a fixed order: the same table is always suppressed the same way
        row, column = key
        by_row.setdefault(row, []).append(key)
        by_column.setdefault(column, []).append(key)
    relations = [members for members in by_row.values() if len(members) > 1]
    relations += [members for members in by_column.values() if len(members) > 1]
    return relations


def _rank(key: Key, cells: Mapping[Key, Cell]) -> tuple[int, Decimal, str]:
    """The order in which complements are chosen: inner cells first, then the smaller value, then the key."""
    is_margin = TOTAL in key
    return (1 if is_margin else 0, abs(Decimal(cells[key].value)), repr(key))


def suppress(cells: Mapping[Key, Cell]) -> dict[Key, Reason]:
    """The cells to withhold, with why. ``cells`` holds the inner cells and whichever margins are published, keyed
    (row, column) with ``TOTAL`` for a margin; a one-column table is keyed (row, column) with a single column."""
    withheld: dict[Key, Reason] = {key: Reason.PRIMARY for key, cell in cells.items() if cell.is_sensitive}
    relations = _relations(set(cells))
    changed = bool(withheld)
    while changed:
        changed = False
        for members in relations:
            hidden = [key for key in members if key in withheld]
            if len(hidden) != 1:
                continue
            candidates = [key for key in members if key not in withheld and not cells[key].is_empty]
            if not candidates:
                # nothing left to protect it with but an empty cell: its relation cannot be published whole
                candidates = [key for key in members if key not in withheld and TOTAL in key]
            if not candidates:
                continue
            withheld[min(candidates, key=lambda key: _rank(key, cells))] = Reason.COMPLEMENTARY
            changed = True
    return withheld
