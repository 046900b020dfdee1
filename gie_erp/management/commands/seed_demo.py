"""python manage.py seed_demo [--seed N]: the demo GIE, deterministic and idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gie_erp.demo.seed import DEFAULT_SEED, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Seed the demo GIE (6 cooperatives, cooperators, one login per role). Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--logins-only", action="store_true", help="print the demo logins, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins_only"]:
            self._print_logins(demo_logins())
            return
        report = seed_demo(seed=options["seed"])
        self.stdout.write(
            f"organizations created: {report.organizations_created}, cooperators created: "
            f"{report.cooperators_created}, users created: {report.users_created}, "
            f"entries posted: {report.entries_posted}"
        )
        self._print_logins(report.logins)

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write("Logins (one per role):")
        for role, username, password in logins:
            self.stdout.write(f"  {role:<20} {username:<12} {password}")
