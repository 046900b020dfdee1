"""The month close of every book: checks, VAT liquidation, lock, blockers in French and Arabic, resume, reopen.

October 2026 in the GIE and two members (tests/invoices/conftest.world):
- the GIE invoices miel (VAT-registered) 1,000.00 + 20 % = 1,200.00 on 5 October; miel pays it on 20 October: the
  GIE's 200.00 moves from 44551 (in transit) to 4455, miel's from 34554 to 34552 (cash basis);
- the close liquidates each monthly VAT period that ends: the GIE Dr 4455 200.00 / Cr 4456 200.00 (VAT due); miel
  Dr 3456 200.00 / Cr 34552 200.00 (VAT credit); olive (art. 91) has no VAT: nothing posted;
- olive's draft dated 12 October holds olive's book (the others still close); once deleted, closing again closes it.
"""

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from gie_erp.close.models import CloseRun
from gie_erp.close.selectors import item_blockers, run_progress
from gie_erp.close.services import close_item_process, close_month_reopen, close_month_start, close_run_advance
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.roles import Role
from gie_erp.statements.models import StatementBatch
from invoices.services import document_delete_draft, document_save_draft
from ledger.models import Balance, Book, Entry, Journal, PeriodLock
from ledger.posting import JournalLine
from ledger.services import journal_entry_post
from tests.factories.members import UserFactory
from tests.invoices.conftest import D, balance, line

TODAY = date(2026, 11, 22)


def _status(run: CloseRun) -> dict[str, str]:
    return {item.organization.slug: item.status for item in run.items.select_related("organization")}


def _locked(organization: Any) -> set[tuple[int, int]]:
    return set(PeriodLock.objects.filter(book__organization=organization).values_list("year", "month"))


def _close(year: int = 2026, month: int = 10, **kwargs: Any) -> CloseRun:
    run = close_month_start(year=year, month=month, acting_user=None, today=TODAY, **kwargs)
    while close_run_advance(run_id=run.pk, budget_seconds=5):
        pass
    return run


def test_every_book_closes_with_its_vat_liquidated_and_its_month_locked(
    october: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    gie, olive, miel = october["gie"], october["exempt"], october["registered"]
    with django_capture_on_commit_callbacks(execute=True):
        run = _close()
    assert _status(run) == {"gie": "closed", "coop-olive": "closed", "coop-miel": "closed"}
    # the GIE: 4455 200.00 credit → 4456 (due); miel: 34552 200.00 debit → 3456 (credit); olive: nothing
    assert (balance(gie, "4455"), balance(gie, "4456")) == (D("0.00"), D("-200.00"))
    assert (balance(miel, "34552"), balance(miel, "3456")) == (D("0.00"), D("200.00"))
    items = {item.organization_id: item for item in run.items.all()}
    assert items[olive.pk].liquidation == ""
    assert Entry.objects.get(book__organization=gie, number=items[gie.pk].liquidation).posted_on == date(2026, 10, 31)
    for organization in (gie, olive, miel):
        assert _locked(organization) == {(2026, 10)}
    progress = run_progress(run)
    assert (progress.total, progress.closed, progress.pending, progress.is_finished) == (3, 3, 0, True)
    run.refresh_from_db()
    assert run.finished_at is not None
    # the closed cooperatives' statements are queued (the GIE has none)
    batch = StatementBatch.objects.get()
    assert run.statement_batch_id == batch.pk
    assert sorted(batch.items.values_list("organization__slug", flat=True)) == ["coop-miel", "coop-olive"]
    # a postings into October is now refused
    with pytest.raises(DomainError) as refused:
        journal_entry_post(
            book=Book.objects.get(organization=olive), posted_on=date(2026, 10, 30), journal=Journal.MISC,
            lines=[JournalLine("6147", debit=D("5.00")), JournalLine("5141", credit=D("5.00"))],
            description="frais", source_ref="x", idempotency_key="late", today=TODAY,
        )  # fmt: skip
    assert refused.value.code == ErrorCode.PERIOD_LOCKED


def test_a_draft_holds_its_book_only_and_closing_again_resumes(october: dict[str, Any]) -> None:
    olive = october["exempt"]
    draft = document_save_draft(
        issuer=olive, customer=october["hotel"], issued_on=date(2026, 10, 12), lines=[line("Huile", "2", "90.00")]
    )
    run = _close()
    assert _status(run)["coop-olive"] == "blocked"
    assert [s for slug, s in _status(run).items() if slug != "coop-olive"] == ["closed", "closed"]
    (blocker,) = item_blockers(run.items.get(organization=olive))
    assert blocker.message("fr") == (
        f"Documents en brouillon datés du mois : 1 (#{draft.pk}) : validez-les ou supprimez-les."
    )
    assert f"#{draft.pk}" in blocker.message("ar")
    assert "مسودة" in blocker.message("ar")
    assert _locked(olive) == set()
    # processing a closed book again changes nothing
    liquidations = Entry.objects.filter(idempotency_key__startswith="vat:").count()
    gie_item = run.items.get(organization=october["gie"])
    assert close_item_process(item_id=gie_item.pk) == "closed"
    # the draft removed, the same command resumes: olive closes, the others are not touched again
    document_delete_draft(document=draft, acting_user=None)
    run = _close()
    assert set(_status(run).values()) == {"closed"}
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == liquidations == 2
    assert CloseRun.objects.count() == 1


def test_earlier_months_and_a_disagreeing_balance_table_block(october: dict[str, Any]) -> None:
    gie, miel = october["gie"], october["registered"]
    journal_entry_post(
        book=Book.objects.get(organization=gie), posted_on=date(2026, 9, 15), journal=Journal.MISC,
        lines=[JournalLine("6147", debit=D("12.00")), JournalLine("5141", credit=D("12.00"))],
        description="frais bancaires", source_ref="releve", idempotency_key="sept", today=TODAY,
    )  # fmt: skip
    Balance.objects.filter(book__organization=miel, account_code="34552", year=2026, month=10).update(debit=1)
    run = _close()
    reasons = {item.organization.slug: [b.message("fr") for b in item_blockers(item)] for item in run.items.all()}
    assert reasons[gie.slug] == ["Le mois 2026-09 n'est pas clôturé : les mois se clôturent dans l'ordre."]
    assert reasons["coop-miel"] == [
        "La table des soldes ne concorde pas avec les écritures du mois (écarts : 1) : lancez ledger_verify."
    ]
    assert reasons["coop-olive"] == []
    assert _status(run)["coop-olive"] == "closed"


def test_a_month_not_ended_or_mistyped_is_refused(db: Any) -> None:
    with pytest.raises(DomainError) as early:
        close_month_start(year=2026, month=11, acting_user=None, today=date(2026, 11, 30))
    assert early.value.message("fr") == "Le mois 2026-11 n'est pas terminé : il se clôture à partir du 01/12/2026."
    assert CloseRun.objects.count() == 0


def test_reopening_is_the_admins_with_a_reason_and_a_new_close_liquidates_only_what_was_added(
    october: dict[str, Any],
) -> None:
    miel = october["registered"]
    run = _close()
    accountant = UserFactory(username="compta", role=Role.GIE_ACCOUNTANT)
    with pytest.raises(DomainError) as refused:
        close_month_reopen(run=run, book_slugs=["coop-miel"], acting_user=accountant, reason="erreur")
    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    admin = UserFactory(username="admin", role=Role.GIE_ADMIN)
    assert close_month_reopen(run=run, book_slugs=["coop-miel"], acting_user=admin, reason="facture oubliée") == 1
    assert _locked(miel) == set()
    assert _status(run)["coop-miel"] == "reopened"
    run = _close()
    assert _locked(miel) == {(2026, 10)}
    assert (balance(miel, "34552"), balance(miel, "3456")) == (D("0.00"), D("200.00"))  # not liquidated twice


def test_the_command_closes_and_lists_what_holds(october: dict[str, Any], capsys: Any) -> None:
    document_save_draft(
        issuer=october["exempt"], customer=october["hotel"], issued_on=date(2026, 10, 12),
        lines=[line("Huile", "2", "90.00")],
    )  # fmt: skip
    call_command("close_month", month="2026-10")
    out = capsys.readouterr().out
    assert "close 2026-10: 3 book(s), 3 to process" in out
    assert "coop-olive: Bloqué — Documents en brouillon datés du mois : 1" in out
    assert "2026-10: 2/3 book(s) closed" in out
    with pytest.raises(Exception, match="Mois invalide : 2026-13"):
        call_command("close_month", month="2026-13")


def test_the_command_catches_up_every_open_month_in_order(october: dict[str, Any], capsys: Any) -> None:
    """--through: the books' first entries are in October (the fixture's invoice and payment): October, then
    November, close in every book; a month where a book holds stops the catching up there."""
    call_command("close_month", through="2026-11")
    out = capsys.readouterr().out
    assert out.index("2026-10: 3/3 book(s) closed") < out.index("2026-11: 3/3 book(s) closed")
    for organization in (october["gie"], october["exempt"], october["registered"]):
        assert _locked(organization) == {(2026, 10), (2026, 11)}
    # nothing open before: the month itself; a December is the year's
    call_command("close_month", through="2026-11")
    assert "2026-11: 3/3 book(s) closed" in capsys.readouterr().out
    assert CloseRun.objects.count() == 2
