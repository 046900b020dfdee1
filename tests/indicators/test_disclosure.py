"""Suppression of small cells in the open figures, worked by hand (gie_erp/indicators/disclosure.py)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gie_erp.indicators.disclosure import TOTAL, Cell, Reason, suppress

P, C = Reason.PRIMARY, Reason.COMPLEMENTARY


def people(n: int, cooperatives: int) -> Cell:
    return Cell(value=n, cooperatives=cooperatives, people=n)


def test_cooperators_by_sector_and_gender() -> None:
    """Cooperators by sector × gender, with margins:

                 F          M         total
    agriculture  12 (4 co.)  8 (4 co.)  20
    artisanat     3 (2 co.)  9 (3 co.)  12
    pêche         0          7 (3 co.)   7
    total        15         24          39

    Artisanat × F (3 women) is withheld (primary). Its row would give it away (12 − 9): artisanat × M goes too; its
    column (15 − 12 − 0): agriculture × F; then column M (24 − 8 − 7 with artisanat × M hidden): pêche × M, the
    smaller; then row agriculture: agriculture × M; row pêche has nothing but an empty cell and its total left: its
    total 7 goes; the column of totals (39 − 20 − 12): artisanat's total 12, the smaller. Everything else stands."""
    cells = {
        ("agriculture", "F"): people(12, 4), ("agriculture", "M"): people(8, 4), ("agriculture", TOTAL): people(20, 4),
        ("artisanat", "F"): people(3, 2), ("artisanat", "M"): people(9, 3), ("artisanat", TOTAL): people(12, 3),
        ("peche", "F"): people(0, 0), ("peche", "M"): people(7, 3), ("peche", TOTAL): people(7, 3),
        (TOTAL, "F"): people(15, 6), (TOTAL, "M"): people(24, 10), (TOTAL, TOTAL): people(39, 10),
    }  # fmt: skip
    assert suppress(cells) == {
        ("artisanat", "F"): P,
        ("artisanat", "M"): C,
        ("agriculture", "F"): C,
        ("peche", "M"): C,
        ("agriculture", "M"): C,
        ("peche", TOTAL): C,
        ("artisanat", TOTAL): C,
    }


def test_sales_of_two_cooperatives_are_withheld_with_the_smallest_other_sector() -> None:
    """Sales by sector (money: no people): artisanat's 30,000.00 comes from 2 cooperatives (primary); the total
    138,000.00 is published, so the smallest other sector (pêche, 8,000.00) is withheld with it."""
    cells = {
        ("agriculture", "MAD"): Cell(Decimal("100000.00"), cooperatives=5),
        ("artisanat", "MAD"): Cell(Decimal("30000.00"), cooperatives=2),
        ("peche", "MAD"): Cell(Decimal("8000.00"), cooperatives=3),
        (TOTAL, "MAD"): Cell(Decimal("138000.00"), cooperatives=10),
    }
    assert suppress(cells) == {("artisanat", "MAD"): P, ("peche", "MAD"): C}


def test_nothing_small_nothing_withheld_and_empty_cells_stand() -> None:
    cells = {
        ("a", "F"): people(5, 3), ("a", "M"): people(0, 0), ("a", TOTAL): people(5, 3),
        (TOTAL, "F"): people(5, 3), (TOTAL, "M"): people(0, 0), (TOTAL, TOTAL): people(5, 3),
    }  # fmt: skip
    assert suppress(cells) == {}


def test_four_people_in_five_cooperatives_are_still_four_people() -> None:
    assert Cell(4, cooperatives=4, people=4).is_sensitive
    assert not Cell(5, cooperatives=3, people=5).is_sensitive
    assert Cell(Decimal("99999.00"), cooperatives=2).is_sensitive
    assert not Cell(0, cooperatives=0, people=0).is_sensitive


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=4), min_size=2, max_size=5).filter(
        lambda rows: len({len(row) for row in rows}) == 1
    )
)
def test_no_withheld_cell_is_alone_in_its_row_or_column(rows: list[list[int]]) -> None:
    """For any table of counts with margins: every row and column (margins included) withholds 0 or ≥ 2 members,
    and every cell of 1 to 4 people is withheld."""
    cells: dict[tuple[object, object], Cell] = {}
    for r, row in enumerate(rows):
        for c, n in enumerate(row):
            cells[(r, c)] = people(n, min(n, 3))
        cells[(r, TOTAL)] = people(sum(row), min(sum(row), 3))
    for c in range(len(rows[0])):
        n = sum(row[c] for row in rows)
        cells[(TOTAL, c)] = people(n, min(n, 3))
    grand = sum(map(sum, rows))
    cells[(TOTAL, TOTAL)] = people(grand, min(grand, 3))
    withheld = suppress(cells)
    assert all(key in withheld for key, cell in cells.items() if 0 < cell.value < 5)
    lines: dict[tuple[str, object], list[tuple[object, object]]] = {}
    for key in cells:
        lines.setdefault(("row", key[0]), []).append(key)
        lines.setdefault(("column", key[1]), []).append(key)
    for members in lines.values():
        assert sum(1 for key in members if key in withheld) != 1, members
