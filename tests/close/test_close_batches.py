"""The close in batches: a task (or an in-process slice) closes several books, reading their checks and VAT once,
each book in its own transaction — a book that fails is recorded and the others close; the result equals the
close of the books one at a time.

October as in tests/close/test_month_close.py (GIE 4455 200.00 → 4456; miel 34552 200.00 → 3456; olive: no VAT).
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from gie_erp.close import services, tasks
from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.close.selectors import item_blockers
from gie_erp.close.services import (
    close_item_process,
    close_items_claim,
    close_items_process,
    close_month_reopen,
    close_month_start,
    close_run_batches,
)
from gie_erp.core import closing
from gie_erp.core.closing import Blocker, CloseCheck
from gie_erp.core.roles import Role
from invoices.close_checks import vat_liquidations_idle, vat_periods_ending
from invoices.models import IssuerSettings
from invoices.services import document_save_draft
from ledger.models import Book, Entry, PeriodLock
from tests.factories.members import UserFactory
from tests.invoices.conftest import D, balance, line

TODAY = date(2026, 11, 22)


def _start() -> CloseRun:
    return close_month_start(year=2026, month=10, acting_user=None, today=TODAY)


def _ids(run: CloseRun) -> list[int]:
    return list(run.items.order_by("pk").values_list("pk", flat=True))


def _outcome() -> dict[str, Any]:
    items = CloseItem.objects.select_related("organization")
    return {
        "items": {i.organization.slug: (i.status, i.blockers, i.liquidation, i.error) for i in items},
        "entries": sorted(Entry.objects.filter(idempotency_key__startswith="vat:").values_list("idempotency_key",
                                                                                              "number")),
        "locks": set(PeriodLock.objects.values_list("book__organization__slug", "year", "month")),
    }  # fmt: skip


def test_a_batch_equals_the_books_closed_one_at_a_time(october: dict[str, Any]) -> None:
    document_save_draft(
        issuer=october["exempt"], customer=october["hotel"], issued_on=date(2026, 10, 12),
        lines=[line("Huile", "2", "90.00")],
    )  # fmt: skip
    with transaction.atomic():
        run = _start()
        for item_id in _ids(run):
            close_item_process(item_id=item_id, today=TODAY)
        one_at_a_time = _outcome()
        transaction.set_rollback(True)
    run = _start()
    statuses = close_items_process(item_ids=_ids(run), today=TODAY)
    assert sorted(statuses.values()) == ["blocked", "closed", "closed"]
    assert _outcome() == one_at_a_time
    assert one_at_a_time["items"]["coop-olive"][0] == "blocked"
    assert len(one_at_a_time["entries"]) == 2
    run.refresh_from_db()
    assert run.finished_at is not None


def test_a_batch_with_one_failing_book_closes_the_others(october: dict[str, Any], monkeypatch: Any) -> None:
    gie, olive, miel = october["gie"], october["exempt"], october["registered"]
    lock = services.period_lock

    def period_lock(*, book: Book, **kwargs: Any) -> Any:
        if book.organization_id == olive.pk:
            raise RuntimeError("disque plein")
        return lock(book=book, **kwargs)

    monkeypatch.setattr(services, "period_lock", period_lock)
    run = _start()
    statuses = close_items_process(item_ids=_ids(run), today=TODAY)
    assert statuses == dict(zip(_ids(run), ["closed", "failed", "closed"], strict=True))  # miel, olive, GIE
    failed = run.items.get(organization=olive)
    assert (failed.status, failed.error) == ("failed", "RuntimeError: disque plein")
    assert not PeriodLock.objects.filter(book__organization=olive).exists()
    assert set(PeriodLock.objects.values_list("book__organization__slug", flat=True)) == {"gie", "coop-miel"}
    assert (balance(gie, "4455"), balance(gie, "4456")) == (D("0.00"), D("-200.00"))
    assert (balance(miel, "34552"), balance(miel, "3456")) == (D("0.00"), D("200.00"))
    # launched again once the fault is gone: olive closes, nothing else is touched
    monkeypatch.setattr(services, "period_lock", lock)
    run = _start()
    assert _ids(run) == [item.pk for item in run.items.order_by("pk")]
    assert close_items_process(item_ids=_ids(run), today=TODAY) == dict(
        zip(_ids(run), ["closed", "closed", "closed"], strict=True)
    )
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 2
    assert PeriodLock.objects.filter(year=2026, month=10).count() == 3


def test_a_check_that_fails_on_one_book_fails_that_book_only(october: dict[str, Any], monkeypatch: Any) -> None:
    """The batch's checks raise: each book then reads its own checks, and only the book they fail on fails."""
    olive_book = Book.objects.get(organization=october["exempt"]).pk

    def explodes(book_ids: Sequence[int], _organizations: dict[int, int], _year: int, _month: int) -> dict[int, Any]:
        if olive_book in book_ids:
            raise ValueError("lecture impossible")
        return {}

    monkeypatch.setitem(closing._CHECKS, "tests.explodes", CloseCheck("tests.explodes", "x", explodes, order=1))
    run = _start()
    close_items_process(item_ids=_ids(run), today=TODAY)
    assert dict(run.items.values_list("organization__slug", "status")) == {
        "coop-miel": "closed", "coop-olive": "failed", "gie": "closed"
    }  # fmt: skip
    assert run.items.get(organization=october["exempt"]).error == "ValueError: lecture impossible"


def test_the_checks_run_once_for_the_batch(october: dict[str, Any], monkeypatch: Any) -> None:
    calls: list[list[int]] = []

    def counted(book_ids: Sequence[int], _organizations: dict[int, int], _year: int, month: int) -> dict[int, Any]:
        calls.append(sorted(book_ids))
        return {book_ids[0]: [Blocker(closing.ErrorCode.CLOSE_EARLIER_OPEN, {"period": f"2026-{month - 1:02d}"})]}

    monkeypatch.setitem(closing._CHECKS, "tests.counted", CloseCheck("tests.counted", "x", counted))
    run = _start()
    items = list(run.items.order_by("pk").select_related("book"))
    close_items_process(item_ids=[item.pk for item in items], today=TODAY)
    assert calls == [sorted(item.book_id for item in items)]
    first = run.items.get(pk=items[0].pk)  # the blocker the check gave its first book, on that book only
    assert first.status == "blocked"
    assert [b.message("fr") for b in item_blockers(first)] == [
        "Le mois 2026-09 n'est pas clôturé : les mois se clôturent dans l'ordre."
    ]
    assert run.items.filter(status="closed").count() == 2


def test_the_dispatch_queues_batches_of_ids_and_a_batch_delivered_again_changes_nothing(
    october: dict[str, Any], monkeypatch: Any
) -> None:
    run = _start()
    miel, olive, gie = _ids(run)
    assert close_run_batches(run_id=run.pk, size=2) == [[miel, olive], [gie]]
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks, "close_run_batches", lambda *, run_id: close_run_batches(run_id=run_id, size=2))
    monkeypatch.setattr(tasks.close_items, "delay", queued.append)
    assert tasks.close_run_dispatch(run.pk) == 3
    assert queued == [[miel, olive], [gie]]
    assert tasks.close_items([miel, olive]) == 2
    assert tasks.close_items([gie]) == 1
    before = _outcome()
    assert tasks.close_items([miel, olive, gie]) == 3  # delivered again: all closed already, nothing posted
    assert _outcome() == before
    assert close_run_batches(run_id=run.pk) == []


def test_claiming_takes_free_items_once(october: dict[str, Any]) -> None:
    run = _start()
    miel, olive, gie = _ids(run)
    assert close_items_claim(run_id=run.pk, limit=2) == [miel, olive]
    assert close_items_claim(run_id=run.pk, limit=2) == [gie]
    assert close_items_claim(run_id=run.pk, limit=2) == []


def test_the_vat_reads_of_a_batch(october: dict[str, Any]) -> None:
    """Whose VAT period ends with the month (monthly by default; a quarter ends in December), and who has nothing to
    liquidate: olive has no VAT; a liquidation already posted is not idle (the close gives its number again)."""
    gie, olive, miel = (Book.objects.get(organization=october[key]) for key in ("gie", "exempt", "registered"))
    IssuerSettings.objects.update_or_create(organization=october["registered"], defaults={"vat_period": "quarter"})
    organizations = {book.pk: book.organization_id for book in (gie, olive, miel)}
    october_end = (date(2026, 10, 1), date(2026, 10, 31))
    assert vat_periods_ending(organizations, 2026, 10) == {gie.pk: october_end, olive.pk: october_end}
    assert vat_periods_ending(organizations, 2026, 12)[miel.pk] == (date(2026, 10, 1), date(2026, 12, 31))
    assert vat_liquidations_idle({gie.pk: october_end, olive.pk: october_end}) == {olive.pk}


def test_closing_again_after_a_reopen_gives_the_liquidation_posted(october: dict[str, Any]) -> None:
    run = _start()
    close_items_process(item_ids=_ids(run), today=TODAY)
    first = run.items.get(organization=october["registered"]).liquidation
    assert first
    admin = UserFactory(username="admin", role=Role.GIE_ADMIN)
    assert close_month_reopen(run=run, book_slugs=["coop-miel"], acting_user=admin, reason="facture oubliée") == 1
    run = _start()
    close_items_process(item_ids=_ids(run), today=TODAY)
    again = run.items.get(organization=october["registered"])
    assert (again.status, again.liquidation) == ("closed", first)
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 2


@pytest.mark.parametrize("size", [1, 2, 3])
def test_the_in_process_close_gives_the_same_result_whatever_the_batch(october: dict[str, Any], size: int) -> None:
    run = _start()
    while services.close_run_advance(run_id=run.pk, budget_seconds=5, today=TODAY, batch_size=size):
        pass
    assert set(run.items.values_list("status", flat=True)) == {"closed"}
    assert Entry.objects.filter(idempotency_key__startswith="vat:").count() == 2
    assert PeriodLock.objects.filter(year=2026, month=10).count() == 3
