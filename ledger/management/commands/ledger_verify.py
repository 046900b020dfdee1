"""python manage.py ledger_verify [--book SLUG]: the balance table must equal django-ledger's transactions."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger import pair_table
from ledger.models import Book
from ledger.verify import book_checks_record


class Command(BaseCommand):
    help = "Recompute the balance table from django-ledger transactions; exit 1 and name every difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--book", help="organization slug (default: every book)")

    def handle(self, *args: Any, **options: Any) -> None:
        book_ids = None
        if options["book"]:
            book_ids = list(Book.objects.filter(organization__slug=options["book"]).values_list("pk", flat=True))
            if not book_ids:
                raise CommandError(f"no book for {options['book']}")
        differences, orphans = book_checks_record(book_ids=book_ids)
        slugs = dict(Book.objects.values_list("pk", "organization__slug"))
        for diff in differences:
            self.stderr.write(f"DIFFERENCE {slugs.get(diff.book_id, diff.book_id)}: {diff}")
        for book_id, count in orphans.items():
            self.stderr.write(
                f"BYPASS {slugs.get(book_id, book_id)}: {count} django-ledger entries not posted by gie_erp"
            )
        pair_differences = [] if book_ids is not None else pair_table.differences()
        for line in pair_differences:
            self.stderr.write(f"PAIR TABLE {line}")
        if differences or orphans or pair_differences:
            raise CommandError(
                f"{len(differences)} differences, {sum(orphans.values())} entries outside the posting path, "
                f"{len(pair_differences)} differences in the pair table"
            )
        self.stdout.write("ledger_verify: balance table equals the transactions in every book")
        if book_ids is None:
            self.stdout.write("ledger_verify: the pair table equals the balance table's amounts with a partner")
