"""python manage.py indicators_export --year YYYY --out DIR

The open figures of a year for the regional ESS observatory: one CSV and one JSON file per indicator (aggregates
only, small cells withheld), ``datapackage.json`` describing them, and ``summary-YYYY.pdf`` (one page, French and
Arabic). Files are written to a temporary folder next to DIR, then moved into DIR: an error leaves DIR as it was.
"""

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gie_erp.core.dates import earliest_date, latest_date
from gie_erp.core.roles import Role
from gie_erp.indicators.open_data import indicators, write
from gie_erp.indicators.pdf_summary import summary_pdf
from members.models import Organization, User


class Command(BaseCommand):
    help = "Open figures of a year (CSV, JSON, datapackage.json and a one-page PDF summary) for the observatory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the calendar year, YYYY")
        parser.add_argument("--out", required=True, help="the folder to write (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not earliest_date().year <= year <= latest_date().year:
            raise CommandError(f"--year {year}: outside the years the books hold ({earliest_date().year} to "
                               f"{latest_date().year})")  # fmt: skip
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out}: a file is there, not a folder")
        if not out.parent.is_dir():
            raise CommandError(f"--out {out}: the folder {out.parent} does not exist")
        began = time.perf_counter()
        reader = User(role=Role.AUDITOR)  # every member's records, read-only: as the GIE's auditor reads them
        items = indicators(year, reader)
        gie = Organization.objects.filter(kind=Organization.Kind.GIE).first()
        today = timezone.localdate()
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}-") as scratch:
            staged = Path(scratch)
            files = write(staged, year, items, today)
            pdf = staged / f"summary-{year}.pdf"
            pdf.write_bytes(summary_pdf(items, year, today, gie.legal_name_fr if gie else ""))
            out.mkdir(exist_ok=True)
            for path in [*files, pdf]:
                shutil.move(str(path), out / path.name)
        withheld = sum(1 for item in items for record in item.records() if record["status"])
        self.stdout.write(
            f"{len(items)} indicators for {year} written to {out} ({withheld} cell(s) withheld) "
            f"in {time.perf_counter() - began:.1f} s"
        )
