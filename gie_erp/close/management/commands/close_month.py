"""python manage.py close_month --month YYYY-MM [--book SLUG …] [--timeout SECONDS]
python manage.py close_month --through YYYY-MM [--book SLUG …]

``--through``: every month from the first one still open in a book (since its first entry) up to that month, in
order, stopping after a month where a book could not close (the later ones would only say so again).

Close a month in every book (or those named): each book's checklist, its VAT liquidation when its VAT period ends,
the month's lock; one Celery task per book (in this process when no broker is set), progress on stdout, then each
book that could not close with its reasons. Run it again after a crash or after fixing a reason: it resumes.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.close.selectors import item_blockers, run_progress
from gie_erp.close.services import close_month_start, close_run_advance, parse_month
from gie_erp.close.tasks import close_run_dispatch, tasks_run_in_process
from gie_erp.core.errors import DomainError
from ledger.close_checks import earlier_open_months
from ledger.models import Book

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Close a month in every book (checks, VAT liquidation, lock); resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        months = parser.add_mutually_exclusive_group(required=True)
        months.add_argument("--month", help="YYYY-MM")
        months.add_argument("--through", help="YYYY-MM: every open month up to this one, in order")
        parser.add_argument("--book", action="append", default=[], help="only this book (member slug); repeatable")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the workers")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("through"):
            self._through(options)
            return
        self._close(options)

    def _through(self, options: dict[str, Any]) -> None:
        try:
            last = parse_month(options["through"])
        except DomainError as error:
            raise CommandError(error.message()) from error
        books = Book.objects.all()
        if options["book"]:
            books = books.filter(organization__slug__in=options["book"])
        open_months = earlier_open_months(book_ids=books.values_list("pk", flat=True), year=last[0], month=last[1])
        current = min([*open_months.values(), last])
        while current <= last:
            if current[1] == 12:
                self.stdout.write(
                    f"{current[0]}-12 closes with the year: python manage.py close_year --year {current[0]}"
                )
                return
            run = self._close({**options, "month": f"{current[0]}-{current[1]:02d}"})
            if run.items.exclude(status=CloseItem.Status.CLOSED).exists():
                return
            current = (current[0] + 1, 1) if current[1] == 12 else (current[0], current[1] + 1)

    def _close(self, options: dict[str, Any]) -> CloseRun:
        try:
            run = self.start(options)
        except DomainError as error:
            raise CommandError(error.message()) from error
        progress = run_progress(run)
        self.stdout.write(f"close {run.period}: {progress.total} book(s), {progress.pending} to process")
        started, last = time.monotonic(), -1
        if tasks_run_in_process():
            while not run_progress(run).is_finished:
                close_run_advance(run_id=run.pk, budget_seconds=2.0)
                last = self._report(run, last)
        else:
            close_run_dispatch.delay(run.pk)
            while not (progress := run_progress(run)).is_finished:
                if time.monotonic() - started > options["timeout"]:
                    raise CommandError(f"timed out: {progress.done}/{progress.total} book(s) processed")
                time.sleep(POLL_SECONDS)
                last = self._report(run, last)
        self._report(run, last)
        self._summary(run, time.monotonic() - started)
        return run

    def start(self, options: dict[str, Any]) -> CloseRun:
        year, month = parse_month(options["month"])
        return close_month_start(year=year, month=month, acting_user=None, book_slugs=options["book"])

    def _report(self, run: CloseRun, last: int) -> int:
        progress = run_progress(run)
        if progress.done != last:
            left = f", about {progress.time_left} left" if progress.time_left else ""
            self.stdout.write(f"[{progress.done}/{progress.total}] closed {progress.closed}, blocked "
                              f"{progress.blocked}, failed {progress.failed}{left}")  # fmt: skip
        return progress.done

    def _summary(self, run: CloseRun, elapsed: float) -> None:
        progress = run_progress(run)
        for item in run.items.exclude(status=CloseItem.Status.CLOSED).select_related("organization"):
            reasons = [b.message("fr") for b in item_blockers(item)] or [item.error or item.get_status_display()]
            self.stdout.write(f"  {item.organization.slug}: {item.get_status_display()} — " + " · ".join(reasons))
        style = self.style.SUCCESS if progress.closed == progress.total else self.style.WARNING
        self.stdout.write(style(f"{run.period}: {progress.closed}/{progress.total} book(s) closed in {elapsed:.1f} s"))
