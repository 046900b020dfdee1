"""python manage.py sales_settle --event SLUG --on YYYY-MM-DD [--preview]

Settle every member with summarized, unsettled sales of the event up to the date: commission invoiced and
validated, netted with the member's invoices, net paid (``sales.settlements.settle_event``); once per (event,
member, date). ``--preview`` prints the same figures and writes nothing.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.errors import DomainError
from members.models import Organization
from sales.models import Event, Summary
from sales.settlements import settle_event, settlement_preview


class Command(BaseCommand):
    help = "Settle an event's members up to a date (commission, offsets, net paid)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", required=True, help="the event's short name (slug)")
        parser.add_argument("--on", required=True, help="settlement date, YYYY-MM-DD")
        parser.add_argument("--preview", action="store_true", help="print the figures, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        event = Event.objects.filter(slug=options["event"]).first()
        if event is None:
            raise CommandError(f"unknown event: {options['event']}")
        try:
            on = date.fromisoformat(options["on"])
        except ValueError:
            raise CommandError(f"bad date: {options['on']} (YYYY-MM-DD)") from None
        header = f"{'member':<30} {'takings':>12} {'commission':>12} {'offsets':>12} {'net':>12}"
        try:
            if options["preview"]:
                self.stdout.write(header)
                ids = (
                    Summary.objects.filter(event=event, settlement__isnull=True, posted_on__lte=on)
                    .order_by()
                    .values_list("organization_id", flat=True)
                    .distinct()
                )
                for organization in Organization.objects.filter(pk__in=ids).order_by("slug"):
                    plan = settlement_preview(event, organization, on=on)
                    self.stdout.write(
                        f"{organization.slug:<30} {plan.takings:>12} {plan.commission_netted:>12} "
                        f"{plan.offsets_total:>12} {plan.net:>12}"
                    )
                return
            settlements = settle_event(event, on=on)
        except DomainError as exc:
            raise CommandError(exc.message()) from exc
        self.stdout.write(header)
        for s in settlements:
            netted = s.commission_netted
            self.stdout.write(
                f"{s.organization.slug:<30} {s.takings:>12} {netted:>12} {s.offsets:>12} {s.net_paid:>12}"
            )
