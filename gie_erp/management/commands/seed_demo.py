"""python manage.py seed_demo [--seed N]: the demo GIE, deterministic and idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gie_erp.demo.seed import DEFAULT_SEED, seed_demo


class Command(BaseCommand):
    help = "Seed the demo GIE (6 cooperatives, cooperators, one login per role). Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed_demo(seed=options["seed"])
        self.stdout.write(
            f"organizations created: {report.organizations_created}, cooperators created: "
            f"{report.cooperators_created}, users created: {report.users_created}, "
            f"entries posted: {report.entries_posted}"
        )
        self.stdout.write("Logins (one per role):")
        for role, username, password in report.logins:
            self.stdout.write(f"  {role:<20} {username:<12} {password}")
