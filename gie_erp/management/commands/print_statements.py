"""python manage.py print_statements --month YYYY-MM --out DIR [--member SLUG]

One PDF per cooperative (``<slug>-<YYYY-MM>.pdf``) rendered by Celery tasks (in process when no broker is set),
progress on stdout, and ``bundle-<YYYY-MM>.pdf`` with every statement for the GIE's printer.
"""

import re
import time
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gie_erp.statements.models import StatementBatch, StatementBatchItem
from gie_erp.statements.services import (
    StatementError,
    bundle_file_name,
    statement_batch_bundle,
    statement_batch_create,
)
from gie_erp.statements.tasks import statement_render

POLL_SECONDS = 0.5


def _copy(name: str, target: Path) -> None:
    with default_storage.open(name, "rb") as handle:
        target.write_bytes(handle.read())


class Command(BaseCommand):
    help = "Print a month's statements: one PDF per cooperative and one bundle for the printer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="output folder (created if missing)")
        parser.add_argument("--member", default="", help="only this cooperative (slug)")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the workers")

    def handle(self, *args: Any, **options: Any) -> None:
        match = re.fullmatch(r"(\d{4})-(\d{2})", options["month"])
        if not match:
            raise CommandError("--month must be YYYY-MM")
        year, month = int(match[1]), int(match[2])
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        try:
            batch = statement_batch_create(year=year, month=month, acting_user=None, member_slug=options["member"])
        except StatementError as error:
            raise CommandError(str(error)) from error
        items = list(batch.items.select_related("organization").order_by("organization__slug"))
        total, printed_on = len(items), timezone.localdate().isoformat()
        self.stdout.write(f"batch {batch.pk}: {total} statement(s) for {batch.period}")
        written: set[int] = set()
        started = time.monotonic()
        for item in items:
            statement_render.delay(item.pk, printed_on)  # eager: rendered now; with a worker: queued
            self._report(batch, out, written, total)
        while len(written) < total:
            if time.monotonic() - started > options["timeout"]:
                raise CommandError(f"timed out: {len(written)}/{total} statements rendered")
            batch.refresh_from_db()
            if batch.status == StatementBatch.Status.FAILED:
                raise CommandError(f"batch {batch.pk} failed: {batch.error}")
            time.sleep(POLL_SECONDS)
            self._report(batch, out, written, total)
        bundle_name = statement_batch_bundle(batch_id=batch.pk)
        while not bundle_name:  # another process is bundling right now
            time.sleep(POLL_SECONDS)
            batch.refresh_from_db()
            bundle_name = batch.bundle_name
        bundle = out / bundle_file_name(year=year, month=month)
        _copy(bundle_name, bundle)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{total} statement(s) in {elapsed:.1f} s; bundle: {bundle}"))

    def _report(self, batch: StatementBatch, out: Path, written: set[int], total: int) -> None:
        """Copy newly rendered statements into the output folder and print one progress line for each."""
        fresh = StatementBatchItem.objects.filter(batch=batch, rendered_at__isnull=False).exclude(pk__in=written)
        for item in fresh.select_related("organization").order_by("pk"):
            target = out / item.file_name.rsplit("/", 1)[-1]
            _copy(item.file_name, target)
            written.add(item.pk)
            self.stdout.write(f"[{len(written)}/{total}] {item.organization.slug} -> {target}")
