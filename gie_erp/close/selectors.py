"""Reads of the close: a run's progress, its items with their reasons, and the months × books grid of a year.

Staff only (the pages are the GIE's): a cooperative's representative reaches none of this.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.core.closing import Blocker
from ledger.models import Book, PeriodLock


@dataclass(frozen=True, slots=True)
class RunProgress:
    total: int
    closed: int
    blocked: int
    failed: int
    pending: int
    average_ms: int | None
    time_left: timedelta | None  # from the pace of the items done since the run started

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100

    @property
    def is_finished(self) -> bool:
        return self.pending == 0


def run_progress(run: CloseRun) -> RunProgress:
    """Counts per status in one query, and the time left at the pace observed since the last launch."""
    counts = run.items.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=CloseItem.Status.CLOSED)),
        blocked=Count("pk", filter=Q(status=CloseItem.Status.BLOCKED)),
        failed=Count("pk", filter=Q(status=CloseItem.Status.FAILED)),
        pending=Count("pk", filter=Q(status=CloseItem.Status.PENDING)),
        average=Avg("duration_ms"),
    )
    time_left = None
    if counts["pending"] and run.started_at is not None:
        recent = run.items.filter(finished_at__gte=run.started_at).count()
        elapsed = (timezone.now() - run.started_at).total_seconds()
        if recent and elapsed > 0:
            time_left = timedelta(seconds=round(counts["pending"] * elapsed / recent))
    average = counts["average"]
    return RunProgress(
        total=counts["total"],
        closed=counts["closed"],
        blocked=counts["blocked"],
        failed=counts["failed"],
        pending=counts["pending"],
        average_ms=round(average) if average is not None else None,
        time_left=time_left,
    )


def item_blockers(item: CloseItem) -> list[Blocker]:
    return [Blocker.from_json(data) for data in item.blockers or []]


def run_items(run: CloseRun, *, status: str = "", query: str = "") -> QuerySet[CloseItem]:
    items = run.items.select_related("organization").order_by("organization__legal_name_fr")
    if status:
        items = items.filter(status=status)
    if query:
        items = items.filter(
            Q(organization__legal_name_fr__icontains=query)
            | Q(organization__legal_name_ar__icontains=query)
            | Q(organization__slug__icontains=query)
        )
    return items


def blocker_summary(run: CloseRun) -> list[tuple[str, int]]:
    """Each reason (in the active language) with how many books it holds, most frequent first."""
    counter: Counter[str] = Counter()
    for blockers in run.items.filter(status=CloseItem.Status.BLOCKED).values_list("blockers", flat=True):
        for text in {Blocker.from_json(data).message() for data in blockers or []}:
            counter[text] += 1
    return counter.most_common()


@dataclass(frozen=True, slots=True)
class GridRow:
    book: Book
    cells: list[str]  # per month: "closed", "blocked", "failed", "pending", "reopened" or "" (never launched)
    reasons: dict[int, list[Blocker]]  # month → why it is blocked


def close_grid(*, year: int, books: Iterable[Book]) -> list[GridRow]:
    """The months × books grid of a year for these books: a locked month is closed; otherwise the status of the
    month's run item, with its reasons. Two queries for any page of books."""
    book_list = list(books)
    ids = [book.pk for book in book_list]
    locked: dict[int, set[int]] = defaultdict(set)
    for book_id, month in PeriodLock.objects.filter(book_id__in=ids, year=year).values_list("book_id", "month"):
        locked[book_id].add(month)
    status: dict[tuple[int, int], tuple[str, list[Any]]] = {}
    items = CloseItem.objects.filter(book_id__in=ids, run__year=year)  # December's run is the year's
    for book_id, month, item_status, blockers in items.values_list("book_id", "run__month", "status", "blockers"):
        status[(book_id, month)] = (item_status, blockers or [])
    rows = []
    for book in book_list:
        cells, reasons = [], {}
        for month in range(1, 13):
            if month in locked[book.pk]:
                cells.append(CloseItem.Status.CLOSED.value)
                continue
            item_status, blockers = status.get((book.pk, month), ("", []))
            if item_status == CloseItem.Status.CLOSED:  # reopened by hand in the ledger since
                item_status = CloseItem.Status.REOPENED.value
            cells.append(item_status)
            if blockers:
                reasons[month] = [Blocker.from_json(data) for data in blockers]
        rows.append(GridRow(book=book, cells=cells, reasons=reasons))
    return rows


def month_summary(year: int) -> dict[int, dict[str, int]]:
    """Per month of the year: books locked, and the latest run's blocked / failed / pending counts."""
    books = Book.objects.count()
    locked = dict(
        PeriodLock.objects.filter(year=year).values("month").annotate(n=Count("pk")).values_list("month", "n")
    )
    summary = {month: {"books": books, "closed": locked.get(month, 0), "blocked": 0, "failed": 0, "pending": 0,
                       "run": 0} for month in range(1, 13)}  # fmt: skip
    for run in CloseRun.objects.filter(year=year):  # December's run is the year's
        progress = run_progress(run)
        summary[run.month].update(
            blocked=progress.blocked, failed=progress.failed, pending=progress.pending, run=run.pk
        )
    return summary
