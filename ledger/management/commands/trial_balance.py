"""python manage.py trial_balance --book SLUG|all --from YYYY-MM-DD --to YYYY-MM-DD --csv PATH"""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.chart import account_name
from ledger.models import Book
from ledger.selectors import trial_balance

ALL = "all"
TOTAL_LABEL = "*"  # the book column of the per-account sums over every book


class Command(BaseCommand):
    help = "Trial balance (balance générale) of one book or of all books, with the sum over books per account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--book", required=True, help="organization slug, or 'all'")
        parser.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
        parser.add_argument("--csv", dest="path", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = dict(Book.objects.values_list("pk", "organization__slug"))
        if options["book"] == ALL:
            book_ids = None
        else:
            book_ids = [pk for pk, slug in slugs.items() if slug == options["book"]]
            if not book_ids:
                raise CommandError(f"no book for {options['book']}")
        rows = trial_balance(book_ids=book_ids, start=options["start"], end=options["end"])
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
        with open(options["path"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["book", "account_code", "account_name", "debit", "credit", "balance"])
            for row in sorted(rows, key=lambda r: (slugs[r.book_id], r.account_code)):
                writer.writerow(
                    [slugs[row.book_id], row.account_code, row.account_name, row.debit, row.credit, row.balance]
                )
                sums[row.account_code][0] += row.debit
                sums[row.account_code][1] += row.credit
            if book_ids is None:
                for code, (debit, credit) in sorted(sums.items()):
                    writer.writerow([TOTAL_LABEL, code, account_name(code), debit, credit, debit - credit])
        self.stdout.write(f"{len(rows)} rows written to {options['path']}")
