"""python manage.py ledger_import_opening --file PATH --on YYYY-MM-DD"""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gie_erp.core.errors import DomainError
from gie_erp.core.imports import ImportRefused
from ledger.opening import opening_balances_import


class Command(BaseCommand):
    help = "Import opening balances (CSV/XLSX: book, account_code, debit, credit[, partner]); all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True)
        parser.add_argument("--on", required=True, type=date.fromisoformat)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            refs = opening_balances_import(
                filename=path.name, content=path.read_bytes(), opened_on=options["on"], acting_user=None
            )
        except ImportRefused as refused:
            for row in refused.report.as_rows():
                self.stderr.write(f"row {row['row']} {row['field']}: {row['fr']} | {row['ar']}")
            raise CommandError("import refused: nothing was written") from None
        except DomainError as error:
            raise CommandError(error.message()) from None
        self.stdout.write(f"{sum(r.created for r in refs)} opening entries posted ({len(refs)} books)")
