from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import ImportRefused
from ledger.models import Entry
from ledger.opening import opening_balances_import
from ledger.selectors import trial_balance

pytestmark = pytest.mark.django_db
OPEN = date(2026, 1, 1)


def test_opening_balances_one_entry_per_book(coop_a: Any, coop_b: Any, gie: Any) -> None:
    content = (
        b"book,account_code,debit,credit,partner\n"
        b"coop-a,5141,12 500.00,,\n"
        b"coop-a,5161,750.25,,\n"
        b"coop-a,1111,,13250.25,\n"
        b"coop-b,3488,400.00,,gie\n"
        b"coop-b,1111,,400.00,\n"
    )
    refs = opening_balances_import(filename="an.csv", content=content, opened_on=OPEN, acting_user=None)
    assert [r.created for r in refs] == [True, True]
    rows = {(r.account_code, r.debit, r.credit) for r in trial_balance(book_ids=None, start=OPEN, end=OPEN)}
    assert ("5141", Decimal("12500.00"), Decimal("0.00")) in rows
    assert ("1111", Decimal("0.00"), Decimal("13250.25")) in rows
    # the same file again changes nothing (idempotent per book and date)
    again = opening_balances_import(filename="an.csv", content=content, opened_on=OPEN, acting_user=None)
    assert [r.created for r in again] == [False, False]
    assert Entry.objects.count() == 2


def test_any_error_refuses_the_whole_file(coop_a: Any, coop_b: Any) -> None:
    content = (
        b"book,account_code,debit,credit\n"
        b"coop-a,5141,100.00,\n"
        b"coop-a,1111,,99.00\n"  # coop-a does not balance
        b"coop-b,9999,5.00,\n"  # unknown account
        b"coop-zz,5141,5.00,\n"  # unknown book
        b"coop-b,5161,1.005,\n"  # three decimals
    )
    with pytest.raises(ImportRefused) as info:
        opening_balances_import(filename="an.csv", content=content, opened_on=OPEN, acting_user=None)
    found = {(e["row"], e["field"], e["code"]) for e in info.value.report.as_rows()}
    assert found == {
        (4, "account_code", ErrorCode.IMPORT_UNKNOWN_ACCOUNT.value),
        (5, "book", ErrorCode.IMPORT_UNKNOWN_MEMBER.value),
        (6, "debit", ErrorCode.AMOUNT_AMBIGUOUS.value),  # 1.005: a thousand and five, or 1.005 dirhams?
        (0, "book", ErrorCode.IMPORT_UNBALANCED.value),
    }
    unbalanced = next(e for e in info.value.report.as_rows() if e["code"] == ErrorCode.IMPORT_UNBALANCED.value)
    assert unbalanced["fr"] == "Les soldes d'ouverture de coop-a ne sont pas équilibrés : débit 100.00, crédit 99.00."
    assert not Entry.objects.exists()


def test_command_prints_the_report_and_fails(coop_a: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "an.csv"
    path.write_text("book,account_code,debit,credit\ncoop-a,5141,1.00,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("ledger_import_opening", "--file", str(path), "--on", "2026-01-01")
    assert "coop-a" in capsys.readouterr().err
