"""python manage.py bench_pages [--runs 5]: server time of the main pages on whatever database is configured.

Run it against the large benchmark database (DATABASE_URL=…/gie_bench_large) to check the ≤ 300 ms target.
"""

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.test import Client

from gie_erp.core.roles import Role
from ledger.models import Book
from members.models import User


class Command(BaseCommand):
    help = "Median server time of the accountant's main pages (Django test client, warm cache)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--year", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        user, _ = User.objects.get_or_create(username="bench-accountant", defaults={"role": Role.GIE_ACCOUNTANT})
        client = Client()
        client.force_login(user)
        book = (
            Book.objects.filter(organization__kind="cooperative")
            .annotate(n=Count("entries"))
            .order_by("-n")
            .select_related("organization")
            .first()
        )
        if book is None:
            self.stderr.write("no book: load data first")
            return
        slug, year = book.organization.slug, options["year"]
        span = f"start={year}-01-01&end={year}-12-31"
        pages = {
            "dashboard (page 1)": "/",
            "dashboard (page 20)": "/?page=20",
            "members list": "/members/",
            "all books trial balance (year)": f"/books/trial-balance/?{span}",
            "book: entries (page 1)": f"/books/{slug}/entries/",
            "book: entries filtered by account": f"/books/{slug}/entries/?account=5141",
            "book: trial balance (year)": f"/books/{slug}/trial-balance/?{span}",
            "book: general ledger 5141 (year)": f"/books/{slug}/ledger/5141/?{span}",
            "book: bilan": f"/books/{slug}/bilan/?end={year}-12-31",
            "book: CPC (year)": f"/books/{slug}/cpc/?{span}",
        }
        results = []
        for label, url in pages.items():
            client.get(url)  # warm-up
            times = []
            for _ in range(options["runs"]):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    self.stderr.write(f"{label}: HTTP {response.status_code}")
            results.append((statistics.median(times), label, url))
        books = Book.objects.count()
        self.stdout.write(f"books: {books}; heaviest book: {slug} ({book.n} entries)")
        for median, label, url in sorted(results, reverse=True):
            self.stdout.write(f"{median:8.1f} ms  {label:<36} {url}")
