"""python manage.py vat_liquidate --org SLUG --period YYYY-MM|YYYY-Qn"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.errors import DomainError
from invoices.vat_liquidation import vat_liquidate
from invoices.vat_periods import period_kind_of, vat_period_code, vat_period_kind, vat_period_parse
from ledger.models import Entry
from ledger.selectors import entry_line_views
from members.models import Organization


class Command(BaseCommand):
    help = "Liquidate one VAT period of a book: 4455 and 34552 to 4456 (due) or 3456 (credit); once per period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--period", required=True, help="YYYY-MM (monthly book) or YYYY-Qn (quarterly book)")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"no organization {options['org']!r}")
        try:
            start, end = vat_period_parse(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        kind = vat_period_kind(organization)
        if period_kind_of(start, end) != kind:
            raise CommandError(
                f"{organization.slug} declares VAT by {kind}: {options['period']} is not one of its periods"
            )
        try:
            ref = vat_liquidate(organization=organization, start=start, end=end, acting_user=None)
        except DomainError as error:
            raise CommandError(error.message()) from None
        code = vat_period_code(start, end)
        if ref is None:
            self.stdout.write(f"{organization.slug} {code}: nothing to liquidate (4455 and 34552 are zero)")
            return
        entry = Entry.objects.get(pk=ref.je_id)
        state = "posted" if ref.created else "already liquidated"
        self.stdout.write(f"{organization.slug} {code}: {state} {entry.number} on {entry.posted_on}")
        for line in entry_line_views([entry])[entry.pk]:
            self.stdout.write(f"  {line.account_code:<6} {line.debit:>14} {line.credit:>14}")
