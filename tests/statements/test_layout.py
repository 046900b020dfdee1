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
        ("3421", 0, "other_movements"),
        ("1111", 0, "other_movements"),
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
            mapping=DEFAULT_MAPPING,
            gie_id=GIE,
        )


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
