"""python manage.py ledger_sync_chart: every organization gets its book; every book the current pooled chart."""

from typing import Any

from django.core.management.base import BaseCommand

from ledger.books import book_ensure, chart_sync
from ledger.chart import chart_accounts, chart_version
from ledger.models import Book
from members.models import Organization


class Command(BaseCommand):
    help = "Create missing books and bring every book's chart to the current version (idempotent; none removed)."

    def handle(self, *args: Any, **options: Any) -> None:
        version = chart_version()
        created_books = 0
        for org in Organization.objects.filter(book__isnull=True):
            book_ensure(organization=org)
            created_books += 1
        added = 0
        books = Book.objects.exclude(chart_version=version)
        total = books.count()
        for number, book in enumerate(books.iterator(), start=1):
            added += chart_sync(book=book)
            if number % 50 == 0 or number == total:
                self.stdout.write(f"  {number}/{total} books synced")
        self.stdout.write(
            f"chart {version} ({len(chart_accounts())} accounts): {created_books} books created, "
            f"{total} books synced, {added} accounts added"
        )
