"""python manage.py close_year --year YYYY [--book SLUG …] [--timeout SECONDS]

Close a year in every book (or those named), as ``close_month`` closes a month: December's checks and the year's
(the GIE's result transferred to zero), then per book December's VAT liquidation, the closing entries (journal CL,
31 December: the result to 1191/1199, the balance sheet to zero), the next year's opening entries (journal AN,
1 January) and December's lock. Resumable; each book that could not close is listed with its reasons.
"""

from typing import Any

from django.core.management.base import CommandParser

from gie_erp.close.management.commands.close_month import Command as CloseMonthCommand
from gie_erp.close.models import CloseRun
from gie_erp.close.services import close_year_start, parse_year


class Command(CloseMonthCommand):
    help = "Close a year in every book (December's close, closing and opening entries); resumable."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="YYYY")
        parser.add_argument("--book", action="append", default=[], help="only this book (member slug); repeatable")
        parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for the workers")

    def start(self, options: dict[str, Any]) -> CloseRun:
        return close_year_start(year=parse_year(options["year"]), acting_user=None, book_slugs=options["book"])
