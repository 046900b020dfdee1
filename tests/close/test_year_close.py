"""The year close of every book: December's checks and the GIE's zero result, then per book the closing entries
(journal CL, 31 December) and the opening entries (journal AN, 1 January 2027), and December's lock.

2026 in the close tests' October (tests/close/conftest.py): the GIE invoices miel 1,000.00 + 200.00 VAT on
5 October, paid on 20 October; October's close liquidates the VAT (GIE 4455 → 4456 200.00; miel 34552 → 3456).
- The GIE's result is a surplus of 1,000.00: until it is transferred, the GIE is held (zero result) and so are both
  members (their side of the transfer is missing).
- The transfer, equal shares: GIE Dr 6186 500.00·olive, 500.00·miel / Cr 4464·olive, 4464·miel; each member
  Dr 3464·GIE 500.00 / Cr 7185 500.00.
- Then every book closes. Opening balances of 2027, by hand:
  GIE: 5141 Dr 1,200.00; 4456 Cr 200.00; 4464·olive Cr 500.00; 4464·miel Cr 500.00 (result 0.00: no 119x);
  miel: 5141 Cr 1,200.00 (it paid from a bank never funded); 3456 Dr 200.00; 3464·GIE Dr 500.00; result
  500.00 − 1,000.00 = loss 500.00 → 1199 Dr 500.00;
  olive: 3464·GIE Dr 500.00; profit 500.00 → 1191 Cr 500.00.
"""

from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gie_erp.close.models import CloseRun
from gie_erp.close.selectors import item_blockers
from gie_erp.close.services import (
    close_month_reopen,
    close_month_start,
    close_run_advance,
    close_year_start,
)
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.roles import Role
from gie_erp.fees.models import Key
from gie_erp.fees.zero_result import zero_result_post
from ledger.models import Book, Entry, Journal, PeriodLock
from ledger.selectors import opening_centimes
from ledger.verify import verify_balances
from tests.factories.members import UserFactory

TODAY = date(2027, 1, 10)


def _advance(run: CloseRun) -> CloseRun:
    while close_run_advance(run_id=run.pk, budget_seconds=5, today=TODAY):
        pass
    run.refresh_from_db()
    return run


def _status(run: CloseRun) -> dict[str, str]:
    return {item.organization.slug: item.status for item in run.items.select_related("organization")}


def _opening(organization: Any) -> dict[tuple[str, int], int]:
    book = Book.objects.get(organization=organization)
    totals = opening_centimes(book_ids=[book.pk], before=date(2027, 1, 1), by_partner=True)
    return {(code, int(partner)): d - c for (_, code, partner), (d, c) in totals.items() if d != c}


@pytest.fixture
def november(october: dict[str, Any]) -> dict[str, Any]:
    for month in (10, 11):
        _advance(close_month_start(year=2026, month=month, acting_user=None, today=TODAY))
    return october


def test_the_zero_result_holds_every_book_then_the_year_closes(november: dict[str, Any]) -> None:
    gie, olive, miel = november["gie"], november["exempt"], november["registered"]
    run = _advance(close_year_start(year=2026, acting_user=None, today=TODAY))
    assert set(_status(run).values()) == {"blocked"}
    reasons = {item.organization.slug: [b.message("fr") for b in item_blockers(item)] for item in run.items.all()}
    assert reasons["gie"] == [
        "Le résultat 2026 du GIE est de 1\u202f000,00 MAD : passez d'abord le transfert du résultat aux membres "
        "(Quotes-parts › Résultat zéro)."
    ]
    assert reasons["coop-miel"] == [
        "Le GIE n'a pas encore transféré son résultat 2026 (1\u202f000,00 MAD) : ce livre se clôture après ce "
        "transfert."
    ]
    assert not Entry.objects.filter(journal__in=[Journal.CLOSING, Journal.OPENING]).exists()
    zero_result_post(year=2026, key=Key.EQUAL, today=TODAY)
    run = _advance(close_year_start(year=2026, acting_user=None, today=TODAY))
    assert _status(run) == {"gie": "closed", "coop-olive": "closed", "coop-miel": "closed"}
    assert _opening(gie) == {
        ("5141", 0): 120000, ("4456", 0): -20000, ("4464", olive.pk): -50000, ("4464", miel.pk): -50000,
    }  # fmt: skip
    assert _opening(miel) == {("5141", 0): -120000, ("3456", 0): 20000, ("3464", gie.pk): 50000, ("1199", 0): 50000}
    assert _opening(olive) == {("3464", gie.pk): 50000, ("1191", 0): -50000}
    items = {item.organization.slug: item for item in run.items.all()}
    assert items["coop-olive"].closing.split() == ["CL2026-000001", "CL2026-000002", "AN2027-000001"]
    for organization in (gie, olive, miel):
        assert PeriodLock.objects.filter(book__organization=organization, year=2026, month=12).exists()
    assert verify_balances() == ([], {})


def test_december_closes_with_the_year_and_a_year_reopens_with_its_entries_reversed(
    november: dict[str, Any],
) -> None:
    with pytest.raises(DomainError) as refused:
        close_month_start(year=2026, month=12, acting_user=None, today=TODAY)
    assert refused.value.code == ErrorCode.CLOSE_DECEMBER_WITH_YEAR
    zero_result_post(year=2026, key=Key.EQUAL, today=TODAY)
    run = _advance(close_year_start(year=2026, acting_user=None, today=TODAY))
    olive = november["exempt"]
    before = _opening(olive)
    admin = UserFactory(username="admin", role=Role.GIE_ADMIN)
    reopened = close_month_reopen(
        run=run, book_slugs=["coop-olive"], acting_user=admin, reason="facture oubliée", today=TODAY
    )
    assert reopened == 1
    # olive's closing and opening entries are reversed: its 2026 result accounts are open again
    assert _opening(olive) == {("3464", november["gie"].pk): 50000, ("7185", november["gie"].pk): -50000}
    assert not PeriodLock.objects.filter(book__organization=olive, year=2026, month=12).exists()
    run = _advance(close_year_start(year=2026, acting_user=None, today=TODAY, book_slugs=["coop-olive"]))
    assert _status(run)["coop-olive"] == "closed"
    assert _opening(olive) == before
    assert run.items.get(organization=olive).closing.split() == ["CL2026-000005", "CL2026-000006", "AN2027-000003"]
    assert verify_balances() == ([], {})


def test_close_year_command(november: dict[str, Any], capsys: Any, monkeypatch: Any) -> None:
    with pytest.raises(CommandError, match="Exercice invalide : 26"):
        call_command("close_year", "--year", "26")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)  # 10 January 2027
    call_command("close_year", "--year", "2026")
    out = capsys.readouterr().out
    assert "2026: 0/3 book(s) closed" in out
    assert "gie: Bloqué — Le résultat 2026 du GIE est de 1 000,00 MAD" in out
    zero_result_post(year=2026, key=Key.EQUAL, today=TODAY)
    call_command("close_year", "--year", "2026")
    assert "2026: 3/3 book(s) closed" in capsys.readouterr().out
