"""python manage.py export_journal --book SLUG|all --format hledger --out PATH"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.export import export_journal
from ledger.models import Book


class Command(BaseCommand):
    help = "Write every posted entry as an hledger/ledger journal (accounts BOOK:CODE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--book", required=True, help="organization slug, or 'all'")
        parser.add_argument("--format", default="hledger", choices=["hledger"])
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        books = Book.objects.select_related("organization").order_by("organization__slug")
        if options["book"] != "all":
            books = books.filter(organization__slug=options["book"])
            if not books:
                raise CommandError(f"no book for {options['book']}")
        with open(options["out"], "w", encoding="utf-8") as handle:
            count = export_journal(list(books), handle)
        self.stdout.write(f"{count} entries written to {options['out']}")
