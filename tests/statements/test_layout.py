"""The pure layout and the mapping data: no database."""

from datetime import date
from decimal import Decimal

import pytest

from gie_erp.core.i18n import format_signed_amount
from gie_erp.statements.layout import (
    DetailKind,
    EntryLine,
    EntryMovement,
    StatementMismatch,
    detail_lines,
    statement_figures,
)
from gie_erp.statements.mapping import DEFAULT_MAPPING, AccountMatch, MappingError, Rule, StatementMapping

GIE = 7


def test_money_is_bank_cash_and_the_gie_balances_only():
    assert DEFAULT_MAPPING.is_money("5141", 0, GIE)
    assert DEFAULT_MAPPING.is_money("5161", 0, GIE)
    assert DEFAULT_MAPPING.is_money("3488", GIE, GIE)
    assert DEFAULT_MAPPING.is_money("4488", GIE, GIE)
    assert not DEFAULT_MAPPING.is_money("3488", 12, GIE)  # another debtor
    assert not DEFAULT_MAPPING.is_money("3421", 0, GIE)


@pytest.mark.parametrize(
    ("code", "partner", "row"),
    [
        ("7121", 0, "sales"),
        ("7111", GIE, "sales"),
        ("7161", 0, "grants"),
        ("7321", 0, "other_income"),
        ("6136", GIE, "gie_fees"),
        ("6136", 0, "other_expenses"),
        ("61365", GIE, "training"),
        ("6121", GIE, "purchases"),
        ("6171", 0, "wages"),
        ("3421", 0, "customer_payments"),
        ("4411", 0, "supplier_payments"),
        ("1111", 0, "other_movements"),
        ("2332", 0, "other_movements"),
    ],
)
def test_rules(code, partner, row):
    assert DEFAULT_MAPPING.row_key_of(code, partner, GIE) == row


def test_mapping_refuses_inconsistent_data():
    with pytest.raises(MappingError):
        StatementMapping(money=(), rows=DEFAULT_MAPPING.rows, rules=(Rule(AccountMatch("6"), "nope"),))
    with pytest.raises(MappingError):
        StatementMapping(money=(), rows=DEFAULT_MAPPING.rows, rules=(Rule(AccountMatch("6"), "wages"),))


def test_unbalanced_input_is_refused():
    with pytest.raises(StatementMismatch):
        statement_figures(
            opening_movements={},
            month_movements={("5141", 0): [1000, 0], ("7121", 0): [0, 900]},
            entries=[],
            mapping=DEFAULT_MAPPING,
            gie_id=GIE,
        )


def test_entries_that_do_not_explain_the_balance_table_are_refused():
    sale = EntryMovement(date(2026, 3, 2), "1", "vente", (EntryLine("5161", 0, 900, 0), EntryLine("7121", 0, 0, 900)))
    with pytest.raises(StatementMismatch):
        statement_figures(
            opening_movements={},
            month_movements={("5161", 0): [1000, 0], ("7121", 0): [0, 1000]},  # 100,00 more than the entries say
            entries=[sale],
            mapping=DEFAULT_MAPPING,
            gie_id=GIE,
        )


def test_each_entry_counts_whole_under_its_main_counterpart():
    """A sale paid partly in cash, partly on credit: the cash counts, under the sales row (its largest line)."""
    entry = EntryMovement(
        date(2026, 3, 2),
        "1",
        "vente",
        (EntryLine("5161", 0, 30000, 0), EntryLine("3421", 0, 70000, 0), EntryLine("7121", 0, 0, 100000)),
    )
    credit_sale = EntryMovement(
        date(2026, 3, 3), "2", "vente à crédit", (EntryLine("3421", 0, 5000, 0), EntryLine("7121", 0, 0, 5000))
    )
    figures = statement_figures(
        opening_movements={},
        month_movements={("5161", 0): [30000, 0], ("3421", 0): [75000, 0], ("7121", 0): [0, 105000]},
        entries=[entry, credit_sale],
        mapping=DEFAULT_MAPPING,
        gie_id=GIE,
    )
    by_key = {f.row.key: f.centimes for f in figures.rows}
    assert by_key["sales"] == 30000  # the credit sale does not touch the money: no row, no detail line
    assert by_key["customer_payments"] == 0
    assert (figures.opening, figures.closing) == (0, 30000)


def test_signs_are_ascii_and_stay_with_the_digits():
    assert format_signed_amount(Decimal("-2076.34")) == "-\u202f2\u202f076,34"
    assert format_signed_amount(Decimal("4934.51")) == "+\u202f4\u202f934,51"
    assert format_signed_amount(Decimal("0")) == "0,00"


def test_detail_summarises_beyond_the_limit_and_keeps_the_total():
    entries = [
        EntryMovement(
            date(2026, 3, day),
            str(day),
            f"vente {day}",
            (EntryLine("5161", 0, day * 100, 0), EntryLine("7121", 0, 0, day * 100)),
        )
        for day in range(1, 13)
    ]
    lines = detail_lines(entries, mapping=DEFAULT_MAPPING, gie_id=GIE, limit=5)
    assert [d.description for d in lines[:-1]] == ["vente 9", "vente 10", "vente 11", "vente 12"]  # biggest, by date
    assert lines[-1].kind == DetailKind.REST
    assert lines[-1].count == 8
    assert sum(d.centimes for d in lines) == sum(range(1, 13)) * 100
