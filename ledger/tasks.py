"""Ledger background jobs."""

from celery import shared_task

from ledger.verify import book_checks_record


@shared_task(name="ledger.verify_all")
def verify_all() -> int:
    """Recompute every book's balances and record the result (a nightly job); returns the number of differences."""
    differences, orphans = book_checks_record()
    return len(differences) + sum(orphans.values())
