"""Reports from the balance table, checked line by line against figures worked out by hand (see conftest.march)."""

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_ledger.models import EntityModel

from ledger.models import Balance
from ledger.selectors import general_ledger, signed_balances, trial_balance
from ledger.statements import build_bilan, build_cpc
from tests.ledger.conftest import cr, dr, post

pytestmark = pytest.mark.django_db
M1, M31 = date(2026, 3, 1), date(2026, 3, 31)
D = Decimal

COOP_A_MARCH = [  # account, debit, credit — worked out by hand from the ten entries
    ("1111", D("0.00"), D("21500.00")),
    ("3421", D("4800.00"), D("0.00")),
    ("3488", D("6000.00"), D("6000.00")),  # 720 + 5 280 against 6 000
    ("4411", D("3200.00"), D("3200.00")),
    ("5141", D("25280.00"), D("5325.00")),  # 20 000 + 5 280 ; 3 200 + 2 100 + 25
    ("5161", D("3950.50"), D("0.00")),  # 1 500 + 2 450,50
    ("6121", D("3200.00"), D("0.00")),
    ("6136", D("720.00"), D("0.00")),
    ("6147", D("25.00"), D("0.00")),
    ("6171", D("2100.00"), D("0.00")),
    ("7121", D("0.00"), D("13250.50")),  # 2 450,50 + 4 800 + 6 000
]
GIE_MARCH = [
    ("1111", D("0.00"), D("50000.00")),
    ("4455", D("0.00"), D("120.00")),
    ("4463", D("6000.00"), D("6000.00")),
    ("5141", D("50000.00"), D("8280.00")),  # 5 280 + 3 000
    ("5161", D("6000.00"), D("0.00")),
    ("61443", D("3000.00"), D("0.00")),
    ("71272", D("0.00"), D("600.00")),
]


def rows(book: Any, start: date | None, end: date) -> list[tuple[str, Decimal, Decimal]]:
    return [(r.account_code, r.debit, r.credit) for r in trial_balance(book_ids=[book.pk], start=start, end=end)]


def test_trial_balance_line_by_line(march: dict[str, Any]) -> None:
    assert rows(march["a"], M1, M31) == COOP_A_MARCH
    assert rows(march["gie"], M1, M31) == GIE_MARCH
    assert sum(d for _, d, _ in COOP_A_MARCH) == sum(c for _, _, c in COOP_A_MARCH) == D("49275.50")


def test_partial_month_ranges_read_the_lines(march: dict[str, Any]) -> None:
    # 10–20 March in A: the cash sale, the credit sale, the fair sale, its commission, the supplier payment
    assert rows(march["a"], date(2026, 3, 10), date(2026, 3, 20)) == [
        ("3421", D("4800.00"), D("0.00")),
        ("3488", D("6000.00"), D("720.00")),
        ("4411", D("3200.00"), D("0.00")),
        ("5141", D("0.00"), D("3200.00")),
        ("5161", D("2450.50"), D("0.00")),
        ("6136", D("720.00"), D("0.00")),
        ("7121", D("0.00"), D("13250.50")),
    ]
    # from 25 February to 5 April: a head and a tail partial month around nothing else
    assert rows(march["a"], date(2026, 2, 25), date(2026, 4, 5)) == COOP_A_MARCH
    assert rows(march["a"], None, date(2026, 3, 4)) == [
        ("1111", D("0.00"), D("21500.00")),
        ("5141", D("20000.00"), D("0.00")),
        ("5161", D("1500.00"), D("0.00")),
    ]


def test_our_trial_balance_equals_django_ledger_digest(march: dict[str, Any]) -> None:
    for book in (march["a"], march["gie"]):
        entity = EntityModel.objects.get(uuid=book.entity_id)
        digest = entity.digest(to_date=M31, signs=False).get_io_data()["accounts"]
        theirs = {row["code"]: (D(row["balance"]), row["balance_type"]) for row in digest if row["balance"]}
        ours = {r.account_code: r.debit - r.credit for r in trial_balance(book_ids=[book.pk], start=None, end=M31)}
        assert set(theirs) == {code for code, value in ours.items() if value}
        for code, (balance, side) in theirs.items():
            assert (ours[code] if side == "debit" else -ours[code]) == balance, code


def test_bilan_and_cpc_from_the_books(march: dict[str, Any]) -> None:
    cpc = build_cpc(signed_balances(book_ids=[march["a"].pk], start=M1, end=M31))
    assert (cpc.total("I"), cpc.total("II"), cpc.net_result) == (1325050, 604500, 720550)
    bilan = build_bilan(signed_balances(book_ids=[march["a"].pk], start=None, end=M31))
    assert bilan.total_actif == bilan.total_passif == 2870550  # 4 800 + 19 955 + 3 950,50
    gie_cpc = build_cpc(signed_balances(book_ids=[march["gie"].pk], start=M1, end=M31))
    assert gie_cpc.net_result == 60000 - 300000  # commission 600 − stands 3 000
    gie_bilan = build_bilan(signed_balances(book_ids=[march["gie"].pk], start=None, end=M31))
    assert gie_bilan.total_actif == gie_bilan.total_passif == 4772000  # bank 41 720 + cash 6 000
    debts = next(line for line in gie_bilan.passif[1].lines if line.key == "44")
    assert debts.net == 12000  # VAT collected


def test_general_ledger_runs_the_balance(march: dict[str, Any]) -> None:
    opening, lines = general_ledger(book=march["a"], code="5141", start=date(2026, 3, 15), end=M31)
    assert opening == D("20000.00")
    assert [(ln.posted_on.day, ln.debit, ln.credit, ln.balance) for ln in lines] == [
        (20, D("0.00"), D("3200.00"), D("16800.00")),
        (25, D("5280.00"), D("0.00"), D("22080.00")),
        (28, D("0.00"), D("2100.00"), D("19980.00")),
        (31, D("0.00"), D("25.00"), D("19955.00")),
    ]
    assert lines[0].source_ref == "PJ-a7"


def test_ledger_verify_names_a_corrupted_row(march: dict[str, Any], capsys: Any) -> None:
    call_command("ledger_verify")
    assert "equals" in capsys.readouterr().out
    Balance.objects.filter(book=march["a"], account_code="5161", year=2026, month=3).update(debit=395051)
    with pytest.raises(CommandError, match="1 differences"):
        call_command("ledger_verify")
    err = capsys.readouterr().err
    assert "coop-a" in err
    assert "account 5161" in err
    assert "2026-03" in err
    assert "395051" in err
    assert "395050" in err


def test_ledger_verify_names_entries_that_bypassed_the_posting_path(march: dict[str, Any], capsys: Any) -> None:
    entity = EntityModel.objects.get(uuid=march["a"].entity_id)
    ledger = entity.create_ledger(name="manual", ledger_xid="manual", posted=True)
    accounts = {a.code: a for a in entity.default_coa.accountmodel_set.filter(code__in=["5161", "7121"])}
    entity.commit_txs(
        je_timestamp=date(2026, 4, 2), je_ledger_model=ledger, je_posted=True, je_desc="outside",
        je_txs=[{"account": accounts["5161"], "amount": D("1.00"), "tx_type": "debit", "description": "x"},
                {"account": accounts["7121"], "amount": D("1.00"), "tx_type": "credit", "description": "x"}],
    )  # fmt: skip
    with pytest.raises(CommandError):
        call_command("ledger_verify")
    assert "BYPASS coop-a: 1" in capsys.readouterr().err


def test_trial_balance_command_all_books_with_sums(march: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "tb.csv"
    call_command("trial_balance", "--book", "all", "--from", "2026-03-01", "--to", "2026-03-31", "--csv", str(out))
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == "book,account_code,account_name,debit,credit,balance"
    assert "coop-a,5141,Banques (solde débiteurs),25280.00,5325.00,19955.00" in text
    assert "gie,5141,Banques (solde débiteurs),50000.00,8280.00,41720.00" in text
    assert "*,5141,Banques (solde débiteurs),75280.00,13605.00,61675.00" in text
    assert "*,7121,Ventes de biens produits au Maroc,0.00,13250.50,-13250.50" in text


def test_exported_journal_passes_hledger_and_agrees_with_trial_balance(march: dict[str, Any], tmp_path: Path) -> None:
    journal = tmp_path / "books.journal"
    call_command("export_journal", "--book", "all", "--format", "hledger", "--out", str(journal))
    subprocess.run(["hledger", "-f", str(journal), "check"], check=True, capture_output=True)
    result = subprocess.run(
        ["hledger", "-f", str(journal), "bal", "--flat", "--no-total", "-O", "csv", "-e", "2026-04-01"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    hledger = {}
    for line in result.stdout.splitlines()[1:]:
        account, amount = (part.strip('"') for part in line.split('","'))
        hledger[account] = D(amount.replace(" MAD", "").replace(",", ""))
    ours = {}
    for row in trial_balance(book_ids=None, start=None, end=M31):
        slug = "coop-a" if row.book_id == march["a"].pk else "gie"
        if row.balance:
            ours[f"{slug}:{row.account_code}"] = row.balance
    assert hledger == ours
    assert hledger["coop-a:5141"] == D("19955.00")


def test_an_entry_in_the_other_book_does_not_move_this_one(march: dict[str, Any], book_b: Any) -> None:
    post(book_b, date(2026, 3, 3), "b1", dr("5161", "77.00"), cr("7121", "77.00"))
    assert rows(march["a"], M1, M31) == COOP_A_MARCH


def test_account_totals_over_books_equal_the_sum_of_each_book(march: dict[str, Any]) -> None:
    from ledger.selectors import account_totals

    for start, end in ((M1, M31), (date(2026, 3, 10), date(2026, 3, 20)), (None, date(2026, 4, 30))):
        summed: dict[str, list[int]] = {}
        for row in trial_balance(book_ids=None, start=start, end=end):
            cell = summed.setdefault(row.account_code, [0, 0])
            cell[0] += int(row.debit * 100)
            cell[1] += int(row.credit * 100)
        totals = account_totals(book_ids=None, start=start, end=end)
        totals = {code: value for code, value in totals.items() if any(value)}
        assert totals == summed
    assert account_totals(book_ids=None, start=M1, end=M31)["5141"] == [7528000, 1360500]


def test_ledger_verify_names_a_corrupted_yearly_row(march: dict[str, Any], capsys: Any) -> None:
    from ledger.models import BalanceYear

    BalanceYear.objects.filter(book=march["a"], account_code="7121", year=2026).update(credit=1)
    with pytest.raises(CommandError, match="1 differences"):
        call_command("ledger_verify")
    err = capsys.readouterr().err
    assert "account 7121 partner 0 year 2026: yearly table debit 0 credit 1 ≠ transactions debit 0 credit 1325050" in (
        err
    )


def test_whole_years_read_the_yearly_fold_and_agree_with_months(march: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post(march["a"], date(2025, 12, 30), "dec", dr("5161", "7.00"), cr("7121", "7.00"))
    whole = {
        (r.account_code, r.debit, r.credit)
        for r in trial_balance(book_ids=[march["a"].pk], start=date(2025, 1, 1), end=date(2026, 12, 31))
    }
    by_parts: dict[str, list[Decimal]] = {}
    for start, end in ((date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))):
        for r in trial_balance(book_ids=[march["a"].pk], start=start, end=end):
            cell = by_parts.setdefault(r.account_code, [D("0.00"), D("0.00")])
            cell[0] += r.debit
            cell[1] += r.credit
    assert whole == {(code, d, c) for code, (d, c) in by_parts.items()}
    with CaptureQueriesContext(connection) as queries:
        trial_balance(book_ids=None, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert len(queries) == 1
    assert "ledger_balanceyear" in queries[0]["sql"]
    # a range with a head and a tail: months from the monthly table, the whole year in between from the fold
    mixed = trial_balance(book_ids=[march["a"].pk], start=date(2025, 12, 1), end=date(2026, 3, 31))
    assert ("5161", D("3957.50"), D("0.00")) in {(r.account_code, r.debit, r.credit) for r in mixed}
