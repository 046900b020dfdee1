"""python manage.py sales_export --event SLUG --csv PATH

One row per ticket line of the event, in the order they were sold: the ticket (id, time, day, phone and its number,
paper sheet id, the sale a refund refers to), the member (short name, ICE), the product (code, name), quantity, unit
price TTC, amount TTC, VAT rate and VAT (``sales.line_export.LINE_FIELDS``). A refund's quantity and amounts are
negative, so each column sums to the event's net figure. Text a spreadsheet would run as a formula is written as
text (``gie_erp.core.exports.csv_cell``); amounts stay numbers. UTF-8 with a BOM, like the other CSV exports.
Streams: a 200,000-line fair is read in chunks, never held whole in memory.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.exports import csv_cell
from sales.line_export import LINE_FIELDS, line_row, lines_for_export
from sales.models import Event, TicketLine


class Command(BaseCommand):
    help = "Export an event's ticket lines to CSV, one row per line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", required=True, help="the event's short name (slug)")
        parser.add_argument("--csv", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"unknown event: {options['event']}")
        target = Path(options["csv"])
        if not target.parent.is_dir():
            raise CommandError(f"no such directory: {target.parent}")
        lines = lines_for_export(TicketLine.objects.filter(ticket__event=event))
        count = 0
        with target.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff")
            writer = csv.writer(handle)
            writer.writerow(LINE_FIELDS)
            for line in lines.iterator(chunk_size=2000):
                writer.writerow([csv_cell(value) for value in line_row(line)])
                count += 1
        self.stdout.write(f"{event.slug}: {count} line(s) written to {target}")
