"""Fault: a Celery worker killed (SIGKILL, the whole worker) in the middle of a month close, then restarted and the
close launched again: the books equal those of an uninterrupted close of the same month.

October as in tests/close/test_month_close.py (GIE 4455 200.00 → 4456; miel 34552 200.00 → 3456; olive nothing).
The uninterrupted close runs first, in this process, inside a transaction rolled back after its result is taken.
Then the test's own worker closes the books one task each, in the run's order (miel, olive, GIE). To kill it at a
known point, the test holds an uncommitted lock row for the GIE's October: the worker closes miel and olive, posts
the GIE's VAT liquidation, then waits on that row inside the GIE's transaction, and is killed there. What the crash
left: two books closed, the GIE pending with nothing posted. The restarted worker takes the orphaned task back (acks
late) and closes the GIE; `close_month` run again finds nothing left to do. Same entries, numbers, locks, statuses.
Twice: with a task per book, and with the three books in one batch task (killed after two of its books: delivered
again, it skips them and closes the GIE).
"""

import signal
import uuid
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from config.celery import app
from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.close.services import close_month_start, close_run_advance
from gie_erp.close.tasks import close_item, close_items
from ledger.models import Book, Entry, PeriodLock
from ledger.selectors import entry_lines
from ledger.verify import verify_balances
from tests.fault import (
    backends_waiting_on_a_lock,
    reference_data_load,
    start_worker,
    stop,
    terminate_waiting_backends,
    wait_for,
)
from tests.invoices.conftest import D, balance

pytestmark = [pytest.mark.postgres, pytest.mark.celery_live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: Any) -> None:
    reference_data_load()


def outcome() -> dict[str, Any]:
    """What a close leaves: every entry of the close (number, date, lines), the locks and each book's status."""
    entries = {
        (entry.book.organization.slug, entry.number): (
            entry.posted_on,
            entry.idempotency_key,
            sorted((ln.account_code, str(ln.debit), str(ln.credit)) for ln in entry_lines(entry)),
        )
        for entry in Entry.objects.filter(idempotency_key__startswith="vat:").select_related("book__organization")
    }
    locks = set(PeriodLock.objects.values_list("book__organization__slug", "year", "month"))
    statuses = dict(CloseItem.objects.values_list("organization__slug", "status"))
    return {"entries": entries, "locks": locks, "statuses": statuses}


@pytest.mark.parametrize("tasks", ["per book", "one batch"])
def test_a_worker_killed_during_a_month_close_leaves_books_equal_to_an_uninterrupted_close(
    october: dict[str, Any], tmp_path: Any, tasks: str
) -> None:
    with transaction.atomic():
        run = close_month_start(year=2026, month=10, acting_user=None)
        while close_run_advance(run_id=run.pk, budget_seconds=5):
            pass
        uninterrupted = outcome()
        transaction.set_rollback(True)
    assert uninterrupted["statuses"] == {"gie": "closed", "coop-olive": "closed", "coop-miel": "closed"}
    assert len(uninterrupted["entries"]) == 2  # the GIE's and miel's liquidations; olive has no VAT
    assert not CloseRun.objects.exists()

    gie, miel = october["gie"], october["registered"]
    queue = f"fault-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("w+b")
    run = close_month_start(year=2026, month=10, acting_user=None)
    app.conf.task_always_eager = False
    worker = start_worker(queue, log)
    try:
        items = list(run.items.order_by("pk").values_list("organization__slug", "pk"))
        assert [slug for slug, _pk in items] == ["coop-miel", "coop-olive", "gie"]
        with transaction.atomic():  # the GIE's October lock row, uncommitted: the worker stops inside the GIE's close
            PeriodLock.objects.create(book=Book.objects.get(organization=gie), year=2026, month=10)
            if tasks == "one batch":
                close_items.apply_async(args=[[item_id for _slug, item_id in items]], queue=queue)
            else:
                for _slug, item_id in items:
                    close_item.apply_async(args=[item_id], queue=queue)

            def blocked_on_the_gie() -> bool:
                closed = run.items.filter(status=CloseItem.Status.CLOSED).count()
                return closed == 2 and bool(backends_waiting_on_a_lock())

            wait_for(blocked_on_the_gie, 120, log)
            stop(worker, signal.SIGKILL)  # the worker and its pool child die mid-transaction
            terminate_waiting_backends()
            transaction.set_rollback(True)  # the test's lock row goes: the GIE's October is open again
        # what the crash left: miel and olive closed, the GIE pending with nothing posted
        assert dict(run.items.values_list("organization__slug", "status")) == {
            "coop-miel": "closed", "coop-olive": "closed", "gie": "pending"
        }  # fmt: skip
        assert (balance(gie, "4455"), balance(gie, "4456")) == (D("-200.00"), D("0.00"))
        assert not PeriodLock.objects.filter(book__organization=gie).exists()

        worker = start_worker(queue, log)  # restarted: it takes the orphaned task back and closes the GIE
        wait_for(lambda: run.items.filter(status=CloseItem.Status.PENDING).count() == 0, 180, log)
    finally:
        stop(worker, signal.SIGTERM)
        app.conf.task_always_eager = True
    call_command("close_month", "--month", "2026-10")  # launched again: nothing left, nothing posted twice
    assert outcome() == uninterrupted
    assert (balance(miel, "34552"), balance(miel, "3456")) == (D("0.00"), D("200.00"))
    assert (balance(gie, "4455"), balance(gie, "4456")) == (D("0.00"), D("-200.00"))
    assert verify_balances() == ([], {})
    assert date(2026, 10, 31) in {posted_on for posted_on, _key, _lines in uninterrupted["entries"].values()}
