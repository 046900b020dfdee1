"""python manage.py combined_accounts --from YYYY-MM-DD --to YYYY-MM-DD --csv PATH
[--books all|women|sector:CODE|slug,…] [--exclude-gie]

The combined trial balance of a set of books as CSV, one row per account: account code, account name, sum of the
books, eliminations, combined. The differences (pairs that do not cancel) are listed on stderr with their likely
cause; they are never plugged. A wrong argument is said in words, the exit code is not zero and nothing is written.
"""

import csv
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.combine.exports import codes, trial_balance_rows
from gie_erp.combine.selectors import book_set, combined_trial_balance
from gie_erp.core.dates import earliest_date, latest_date
from gie_erp.core.errors import DomainError
from gie_erp.core.money import from_centimes

HEADERS = ["account_code", "account_name", "sum_of_books", "eliminations", "combined"]


def _day(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r}: not a date, write YYYY-MM-DD") from None
    if not earliest_date() <= day <= latest_date():
        raise CommandError(f"{option} {day}: outside the dates the books accept ({earliest_date()} to {latest_date()})")
    return day


class Command(BaseCommand):
    help = "Combined trial balance of a set of books (reciprocal flows eliminated) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--csv", dest="path", required=True, help="the CSV file to write")
        parser.add_argument(
            "--books", default="all", help="all (default), women, sector:CODE, or book codes separated by commas"
        )
        parser.add_argument("--exclude-gie", action="store_true", help="leave the GIE's book out of the set")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        path = Path(options["path"])
        if not path.parent.is_dir():
            raise CommandError(f"--csv {path}: the folder {path.parent} does not exist")
        try:
            books = book_set(options["books"], exclude_gie=options["exclude_gie"])
            combined = combined_trial_balance(books=books, start=start, end=end, per_book=False, listed=False)
        except DomainError as error:
            raise CommandError(error.message("fr")) from error
        rows = trial_balance_rows(combined, "fr")
        # written next to the target, then moved over it: an error leaves no half-written file
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(HEADERS)
                writer.writerows(rows)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"{len(rows)} accounts of {len(books)} books from {start} to {end} written to {path}; "
            f"{combined.eliminated_count} pairs eliminated, {len(combined.differences)} differences, "
            f"{len(combined.outside)} flows outside the set"
        )
        for line in combined.differences:
            self.stderr.write(
                f"difference {line.rule_key}: {line.left.slug} {codes(line.left_accounts) or '-'} "
                f"{from_centimes(line.left_amount)} / {line.right.slug} {codes(line.right_accounts) or '-'} "
                f"{from_centimes(line.right_amount)} = {from_centimes(line.difference)} ({line.cause_label('fr')})"
            )
