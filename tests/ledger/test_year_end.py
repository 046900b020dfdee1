"""The year's closing entries (journal CL, 31 December) and the next year's opening entries (journal AN, 1 January).

Cooperative A's 2026 (tests/ledger/conftest.march), balances at 31 December 2026 before the close:
  5141 Dr 19,955.00 (20,000 − 3,200 + 5,280 − 2,100 − 25); 5161 Dr 3,950.50 (1,500 + 2,450.50); 3421 Dr 4,800.00;
  1111 Cr 21,500.00; 4411 and 3488·GIE 0.00; 7121 Cr 13,250.50 (2,450.50 + 4,800 + 6,000);
  6121 Dr 3,200.00; 6136·GIE Dr 720.00; 6171 Dr 2,100.00; 6147 Dr 25.00.
  Result: 13,250.50 − (3,200 + 720 + 2,100 + 25 = 6,045.00) = profit 7,205.50 → Cr 1191.
  Balance-sheet close: Cr 5141 19,955.00, Cr 5161 3,950.50, Cr 3421 4,800.00, Dr 1111 21,500.00, Dr 1191 7,205.50
  (28,705.50 each side); the opening entries of 1 January 2027 are its mirror.
The GIE's 2026, plus a fee invoice to A on 30 March (Dr 3463·A 240.00 / Cr 71272·A 200.00 / Cr 4455 40.00):
  5141 Dr 41,720.00 (50,000 − 5,280 − 3,000); 5161 Dr 6,000.00; 3463·A Dr 240.00; 1111 Cr 50,000.00; 4455 Cr 160.00;
  71272·A Cr 800.00; 61443 Dr 3,000.00 → loss 2,200.00 → Dr 1199; the sheet: Dr 41,720 + 6,000 + 240 + 2,200 =
  50,160.00 = Cr 50,000 + 160.
"""

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from gie_erp.core.errors import DomainError, ErrorCode
from ledger.models import Balance, BalanceYear, Entry, Journal
from ledger.selectors import (
    entry_lines,
    general_ledger,
    movement_centimes,
    opening_centimes,
    signed_balances,
    trial_balance,
)
from ledger.services import journal_entry_post, year_close_post, year_close_reverse
from ledger.verify import verify_balances
from tests.ledger.conftest import D, cr, dr, post

AFTER = date(2027, 1, 20)
DEC_31, JAN_1 = date(2026, 12, 31), date(2027, 1, 1)


def _post_after(book: Any, day: date, key: str, *lines: Any, journal: Journal = Journal.BANK) -> Any:
    return journal_entry_post(
        book=book, posted_on=day, journal=journal, lines=lines, description=f"test {key}", source_ref=f"PJ-{key}",
        idempotency_key=key, today=AFTER,
    )  # fmt: skip


def _lines(entry: Entry) -> set[tuple[str, str, str, int]]:
    return {(ln.account_code, str(ln.debit), str(ln.credit), ln.partner_id or 0) for ln in entry_lines(entry)}


def _sheet(book: Any, before: date) -> dict[str, int]:
    return {
        code: debit - credit
        for (_, code), (debit, credit) in opening_centimes(book_ids=[book.pk], before=before).items()
        if debit != credit
    }


@pytest.fixture
def closed(march: dict[str, Any], coop_a: Any) -> dict[str, Any]:
    post(march["gie"], date(2026, 3, 30), "g6", dr("3463", "240.00", coop_a), cr("71272", "200.00", coop_a),
         cr("4455", "40.00"), journal=Journal.SALES)  # fmt: skip
    march["cpc_before"] = signed_balances(book_ids=[march["a"].pk], start=date(2026, 1, 1), end=DEC_31)
    march["bilan_before"] = signed_balances(book_ids=[march["a"].pk], start=None, end=DEC_31)
    march["a_close"] = year_close_post(book=march["a"], year=2026, today=AFTER)
    march["gie_close"] = year_close_post(book=march["gie"], year=2026, today=AFTER)
    return march


def test_the_result_then_the_balance_sheet_close_and_the_new_year_opens(closed: dict[str, Any], gie: Any) -> None:
    a = closed["a"]
    assert closed["a_close"].numbers == ("CL2026-000001", "CL2026-000002", "AN2027-000001")
    assert closed["a_close"].net_result == 720550
    result, sheet, opening = (Entry.objects.get(book=a, number=n) for n in closed["a_close"].numbers)
    assert (result.posted_on, sheet.posted_on, opening.posted_on) == (DEC_31, DEC_31, JAN_1)
    assert _lines(result) == {
        ("7121", "13250.50", "0.00", 0), ("6121", "0.00", "3200.00", 0), ("6136", "0.00", "720.00", gie.pk),
        ("6171", "0.00", "2100.00", 0), ("6147", "0.00", "25.00", 0), ("1191", "0.00", "7205.50", 0),
    }  # fmt: skip
    assert _lines(sheet) == {
        ("5141", "0.00", "19955.00", 0), ("5161", "0.00", "3950.50", 0), ("3421", "0.00", "4800.00", 0),
        ("1111", "21500.00", "0.00", 0), ("1191", "7205.50", "0.00", 0),
    }  # fmt: skip
    assert _lines(opening) == {
        ("5141", "19955.00", "0.00", 0), ("5161", "3950.50", "0.00", 0), ("3421", "4800.00", "0.00", 0),
        ("1111", "0.00", "21500.00", 0), ("1191", "0.00", "7205.50", 0),
    }  # fmt: skip
    # the GIE: a loss to 1199, the member's receivable reopened with its partner
    assert closed["gie_close"].net_result == -220000
    assert _sheet(closed["gie"], JAN_1) == {
        "5141": 4172000, "5161": 600000, "3463": 24000, "1111": -5000000, "4455": -16000, "1199": 220000,
    }  # fmt: skip
    (gie_opening,) = Entry.objects.filter(book=closed["gie"], journal=Journal.OPENING)
    assert ("3463", "240.00", "0.00", closed["gie"].organization_id) not in _lines(gie_opening)
    assert ("3463", "240.00", "0.00", closed["a"].organization_id) in _lines(gie_opening)


def test_the_closed_year_reads_as_before_and_the_new_year_is_not_doubled(closed: dict[str, Any]) -> None:
    a = closed["a"]
    # the closed year's CPC and its Bilan at 31 December are what they were before the close
    assert signed_balances(book_ids=[a.pk], start=date(2026, 1, 1), end=DEC_31) == closed["cpc_before"]
    assert signed_balances(book_ids=[a.pk], start=None, end=DEC_31) == closed["bilan_before"]
    # the new year's opening balances = the old year's closing balances, for every balance-sheet account
    expected = {"5141": 1995500, "5161": 395050, "3421": 480000, "1111": -2150000, "1191": -720550}
    assert _sheet(a, JAN_1) == expected
    assert {c: v for c, v in closed["bilan_before"].items() if c[0] in "12345" and v} | {"1191": -720550} == expected
    # January 2027: 10.00 of bank charges; the Bilan at 31 January counts the bank once, the result of 2026 in 1191
    _post_after(a, date(2027, 1, 10), "jan", dr("6147", "10.00"), cr("5141", "10.00"))
    bilan = signed_balances(book_ids=[a.pk], start=None, end=date(2027, 1, 31))
    assert {c: v for c, v in bilan.items() if v} == {
        "5141": 1994500, "5161": 395050, "3421": 480000, "1111": -2150000, "1191": -720550, "6147": 1000,
    }  # fmt: skip
    # 2027's movements hold January's entry only (the opening entries are the opening balance)
    rows = trial_balance(book_ids=[a.pk], start=JAN_1, end=date(2027, 12, 31))
    assert [(r.account_code, r.debit, r.credit) for r in rows] == [("5141", D("0.00"), D("10.00")),
                                                                    ("6147", D("10.00"), D("0.00"))]  # fmt: skip
    opening, lines = general_ledger(book=a, code="5141", start=JAN_1, end=date(2027, 1, 31))
    assert (opening, [(ln.credit, ln.balance) for ln in lines]) == (D("19955.00"), [(D("10.00"), D("19945.00"))])
    # over both years the ledger shows the close and the reopening as lines, and ends where it should
    opening, lines = general_ledger(book=a, code="5141", start=date(2026, 3, 1), end=date(2027, 1, 31))
    assert opening == D("0.00")
    assert [ln.number[:2] for ln in lines][-3:] == ["CL", "AN", "BQ"]
    assert lines[-1].balance == D("19945.00")
    # a range across the year end with partial months at both ends: the balance-sheet close and the reopening
    # cancel out; what is left is the result's transfer to 1191 and January's entry
    across = movement_centimes(book_ids=[a.pk], start=date(2026, 12, 15), end=date(2027, 1, 15))
    assert {code: d - c for (_, code), (d, c) in across.items() if d != c} == {
        "7121": 1325050, "6121": -320000, "6136": -72000, "6171": -210000, "6147": -2500 + 1000, "1191": -720550,
        "5141": -1000,
    }  # fmt: skip


def test_closing_again_changes_nothing_and_the_books_verify(closed: dict[str, Any], tmp_path: Path) -> None:
    a = closed["a"]
    count = Entry.objects.count()
    again = year_close_post(book=a, year=2026, today=AFTER)
    assert (again.numbers, again.net_result, Entry.objects.count()) == (closed["a_close"].numbers, 720550, count)
    assert verify_balances() == ([], {})
    # the closing and opening entries sit in their own periods; the yearly fold holds months 1 to 12 only
    assert set(Balance.objects.filter(book=a, month__in=(0, 13)).values_list("year", "month")) == {
        (2026, 13),
        (2027, 0),
    }
    assert not BalanceYear.objects.filter(book=a, year=2027).exists()
    journal = tmp_path / "all.journal"
    call_command("export_journal", "--book", "all", "--format", "hledger", "--out", str(journal))
    subprocess.run(["hledger", "-f", str(journal), "check"], check=True, capture_output=True)


def test_reopening_reverses_the_entries_and_closing_again_posts_new_ones(closed: dict[str, Any]) -> None:
    a = closed["a"]
    assert year_close_reverse(book=a, year=2026, acting_user=None, reason="écriture oubliée", today=AFTER) == 3
    # as before the close: the sums since the first entry hold 2026's result accounts again
    assert _sheet(a, JAN_1) == {c: v for c, v in closed["bilan_before"].items() if v}
    _post_after(a, DEC_31, "forgotten", dr("6147", "5.00"), cr("5141", "5.00"))
    reclosed = year_close_post(book=a, year=2026, today=AFTER)
    assert reclosed.numbers == ("CL2026-000005", "CL2026-000006", "AN2027-000003")
    assert reclosed.net_result == 720050
    assert _sheet(a, JAN_1)["5141"] == 1995000
    assert verify_balances() == ([], {})


def test_a_loss_and_the_dates_of_closing_entries(book_b: Any) -> None:
    post(book_b, date(2026, 5, 2), "b1", dr("6147", "100.00"), cr("5141", "100.00"), journal=Journal.BANK)
    closing = year_close_post(book=book_b, year=2026, today=AFTER)
    assert closing.net_result == -10000
    result = Entry.objects.get(book=book_b, number=closing.numbers[0])
    assert _lines(result) == {("6147", "0.00", "100.00", 0), ("1199", "100.00", "0.00", 0)}
    assert _sheet(book_b, JAN_1) == {"5141": -10000, "1199": 10000}
    for journal, day in ((Journal.CLOSING, date(2026, 12, 30)), (Journal.OPENING, date(2027, 1, 2))):
        with pytest.raises(DomainError) as refused:
            _post_after(book_b, day, f"bad-{journal}", dr("6147", "1.00"), cr("5141", "1.00"), journal=journal)
        assert refused.value.code == ErrorCode.CLOSING_ENTRY_DATE
