"""python manage.py sales_summarize --event SLUG

Post the event's tickets not yet in the books: one summarized entry per (day, member, payment method) in the GIE's
book and one per (day, member) in each member's, day by day (``sales.summaries.summarize``). Running it again posts
nothing; tickets synced since make complements.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.errors import DomainError
from sales.models import Event
from sales.summaries import summarize


class Command(BaseCommand):
    help = "Post an event's tickets to the books as summarized entries (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", required=True, help="the event's short name (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"unknown event: {options['event']}")
        try:
            run = summarize(event)
        except DomainError as exc:
            raise CommandError(exc.message()) from exc
        self.stdout.write(
            f"{event.slug}: {run.ticket_count} ticket(s), {run.days_done}/{run.days_total} day(s), "
            f"{run.entry_count} entr(y/ies) posted"
        )
