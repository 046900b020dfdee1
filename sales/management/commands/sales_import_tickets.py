"""python manage.py sales_import_tickets --event SLUG --file PATH

Import a paper tally (CSV or XLSX: ticket_id, sold_at, member, product, quantity, unit_price, payment_method) into
an event as tickets (``sales.paper.paper_import``): all or nothing, each refused row listed; importing the same
file again adds nothing.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.errors import DomainError
from gie_erp.core.imports import ImportRefused
from sales.models import Event
from sales.paper import PAPER_LIMITS, paper_import, price_notice


class Command(BaseCommand):
    help = "Import a paper tally (CSV/XLSX) into an event's tickets, all or nothing (idempotent by ticket_id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", required=True, help="the event's short name (slug)")
        parser.add_argument("--file", required=True, help="the tally: .csv (UTF-8) or .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"unknown event: {options['event']}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            PAPER_LIMITS.check_size(path.stat().st_size)  # refused before reading a byte
            result = paper_import(event=event, filename=path.name, content=path.read_bytes(), acting_user=None)
        except ImportRefused as refused:
            for error in refused.report.errors:
                self.stderr.write(f"{path.name}:{error.row} [{error.field}] {error.messages()['fr']}")
            if refused.report.errors_not_listed:
                self.stderr.write(f"… {refused.report.errors_not_listed} more error(s) not listed")
            raise CommandError(f"refused: {refused.report.error_count} error(s), nothing imported") from None
        except DomainError as exc:
            raise CommandError(exc.message()) from exc
        self.stdout.write(
            f"{event.slug}: {result.rows_read} line(s), {result.tickets} ticket(s): {result.stored} stored, "
            f"{result.duplicates} already there ({result.seconds:.1f} s)"
        )
        notice = price_notice(result)
        if notice:
            self.stdout.write(notice)
