"""The month close (and the year close) of every book: one run, one item per book, each processed alone and whole.

``close_month_start`` makes (or resumes) the run; ``close_item_process`` closes one book: the checklist
(``gie_erp.core.closing``), then — when every check passes — the VAT liquidation if a VAT period of the book ends
with the month (``invoices.vat_liquidation``), the month's lock (``ledger.services.period_lock``) and the item's
status, in ONE transaction under a row lock on the item: a worker killed in the middle changes nothing, a second
delivery of the same task finds the item done. When the last item is processed, the run is finished and the
closed members' statements are queued (``gie_erp.statements``). Reopening is the admin's, with a reason.

The year close is December's close with more: its checklist adds the year's checks (the GIE's zero result), and a
book that passes gets, after December's VAT liquidation, its closing entries (journal CL, 31 December) and the next
year's opening entries (journal AN, 1 January: ``ledger.services.year_close_post``) before December is locked. So
December is never closed alone: it closes with the year.
"""

import calendar
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.core.audit import audit_record
from gie_erp.core.closing import Blocker, close_checks_run
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.statements.services import StatementError, statement_batch_create
from invoices.close_checks import vat_liquidations_idle, vat_periods_ending
from invoices.vat_liquidation import vat_liquidate
from invoices.vat_periods import vat_period_bounds
from ledger.models import Book, PeriodLock
from ledger.services import period_lock, period_unlock, year_close_post, year_close_reverse

logger = logging.getLogger(__name__)

#: an item claimed longer ago than this by an in-process closer that died is taken over
ITEM_LEASE_SECONDS = 120
#: books closed by one Celery task: their checks and VAT read once (a few queries for the batch, not per book)
BATCH_SIZE = 25
#: books per slice of the progress page and the command without a broker (a slice stays near a second)
IN_PROCESS_BATCH_SIZE = 10


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_month(value: str) -> tuple[int, int]:
    """``2026-10`` → (2026, 10); anything else CLOSE_BAD_MONTH."""
    text = value.strip()
    year_text, _, month_text = text.partition("-")
    if not (len(year_text) == 4 and year_text.isdigit() and len(month_text) == 2 and month_text.isdigit()):
        raise DomainError(ErrorCode.CLOSE_BAD_MONTH, value=value[:20])
    year, month = int(year_text), int(month_text)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise DomainError(ErrorCode.CLOSE_BAD_MONTH, value=value[:20])
    return year, month


def parse_year(value: str) -> int:
    """``2026`` → 2026; anything else CLOSE_BAD_YEAR."""
    text = value.strip()
    if not (len(text) == 4 and text.isdigit() and 2000 <= int(text) <= 2100):
        raise DomainError(ErrorCode.CLOSE_BAD_YEAR, value=value[:20])
    return int(text)


def check_month_ended(year: int, month: int, today: date) -> None:
    """A month closes from the day after its last day."""
    _first, last = month_bounds(year, month)
    if last >= today:
        raise DomainError(
            ErrorCode.CLOSE_MONTH_NOT_ENDED,
            period=f"{year}-{month:02d}",
            date=date.fromordinal(last.toordinal() + 1).strftime("%d/%m/%Y"),
        )


def _books(slugs: Sequence[str]) -> list[Book]:
    books = Book.objects.select_related("organization").order_by("organization__slug")
    if slugs:
        books = books.filter(organization__slug__in=slugs)
        missing = sorted(set(slugs) - {book.organization.slug for book in books})
        if missing:
            raise DomainError(ErrorCode.IMPORT_UNKNOWN_MEMBER, value=", ".join(missing)[:120])
    return list(books)


def close_month_start(
    *, year: int, month: int, acting_user: Any, book_slugs: Sequence[str] = (), today: date | None = None
) -> CloseRun:
    """The run of the month, made or resumed: an item per book asked for (every book by default) that has none;
    blocked, failed and reopened items go back to pending (checked again); closed ones stay. Nothing is closed
    here: ``close_item_process`` does it, one book at a time. December closes with the year (``close_year_start``)."""
    if month == 12:
        raise DomainError(ErrorCode.CLOSE_DECEMBER_WITH_YEAR, year=year)
    return _run_start(CloseRun.Kind.MONTH, year, month, acting_user, book_slugs, today)


def close_year_start(
    *, year: int, acting_user: Any, book_slugs: Sequence[str] = (), today: date | None = None
) -> CloseRun:
    """The year's run, made or resumed, like a month's: December's checks and the year's, then per book December's
    VAT liquidation, the closing and opening entries and December's lock."""
    return _run_start(CloseRun.Kind.YEAR, year, 12, acting_user, book_slugs, today)


@transaction.atomic
def _run_start(
    kind: str, year: int, month: int, acting_user: Any, book_slugs: Sequence[str], today: date | None
) -> CloseRun:
    check_month_ended(year, month, today or timezone.localdate())
    books = _books(book_slugs)
    run, created = CloseRun.objects.get_or_create(kind=kind, year=year, month=month)
    if created:
        run.created_by = acting_user if getattr(acting_user, "pk", None) else None
    have = set(run.items.values_list("book_id", flat=True))
    CloseItem.objects.bulk_create(
        [CloseItem(run=run, book=book, organization=book.organization) for book in books if book.pk not in have]
    )
    wanted = run.items.filter(book__in=books) if book_slugs else run.items.all()
    wanted.filter(status__in=[CloseItem.Status.BLOCKED, CloseItem.Status.FAILED, CloseItem.Status.REOPENED]).update(
        status=CloseItem.Status.PENDING, blockers=[], error="", started_at=None, finished_at=None
    )
    run.started_at, run.finished_at = timezone.now(), None
    run.save()
    audit_record(
        actor=acting_user,
        event="close.year_started" if kind == CloseRun.Kind.YEAR else "close.month_started",
        target=run,
        data={"period": run.period, "books": len(books)},
    )
    return run


def _liquidate_if_period_ends(book: Book, year: int, month: int, acting_user: Any, today: date) -> str:
    """The VAT liquidation of the book's period when it ends with this month; its entry number, or ''."""
    first, last = month_bounds(year, month)
    start, end = vat_period_bounds(book.organization, first)
    if end != last:
        return ""
    ref = vat_liquidate(organization=book.organization, start=start, end=end, acting_user=acting_user, today=today)
    return ref.number if ref is not None else ""


@dataclass(frozen=True, slots=True)
class BatchReads:
    """What the close of a batch of books reads once for all of them, before each book's own transaction: the
    checklist over the batch (the checks take many books by design), the year close's December locks, and the VAT
    (whose period ends with the month, and where the liquidation would post nothing)."""

    blockers: dict[int, list[Blocker]]  # every book of the batch present, [] when it may close
    december_locked: set[int]  # the year close: books whose December is already locked
    vat_periods: dict[int, tuple[date, date]]  # books whose VAT period ends with the month: that period
    vat_idle: set[int]  # among them, books with nothing to liquidate and no liquidation posted


def _batch_read(run: CloseRun, books: Sequence[Book]) -> BatchReads:
    ids = [book.pk for book in books]
    organizations = {book.pk: book.organization_id for book in books}
    blockers = close_checks_run(ids, organizations, run.year, run.month, kind=run.kind)
    december_locked: set[int] = set()
    if run.kind == CloseRun.Kind.YEAR:
        december_locked = set(
            PeriodLock.objects.filter(book_id__in=ids, year=run.year, month=12).values_list("book_id", flat=True)
        )
    may_close = {book_id: organizations[book_id] for book_id in ids if not blockers.get(book_id)}
    periods = vat_periods_ending(may_close, run.year, run.month)
    return BatchReads(blockers, december_locked, periods, vat_liquidations_idle(periods))


def _liquidate(book: Book, run: CloseRun, acting_user: Any, today: date, reads: BatchReads | None) -> str:
    """``_liquidate_if_period_ends``, from the batch's reads when there are: a book whose period does not end or
    with nothing to liquidate is left alone (``vat_liquidate`` would lock its row, read and post nothing)."""
    if reads is None:
        return _liquidate_if_period_ends(book, run.year, run.month, acting_user, today)
    period = reads.vat_periods.get(book.pk)
    if period is None:
        return ""
    start, end = period
    if book.pk in reads.vat_idle and end <= today:  # a period ending after today: vat_liquidate refuses it
        return ""
    ref = vat_liquidate(organization=book.organization, start=start, end=end, acting_user=acting_user, today=today)
    return ref.number if ref is not None else ""


def _item_close(item: CloseItem, acting_user: Any, today: date, reads: BatchReads | None, shared_ms: float) -> str:
    """Close one book of the batch in its own transaction under a lock on its item row alone (two workers never
    wait on each other), or record why not; an item no longer pending is left as it is. ``reads`` None: the book
    reads its checks itself (the batch's failed)."""
    started = time.monotonic()
    try:
        with transaction.atomic():
            status = CloseItem.objects.select_for_update().filter(pk=item.pk).values_list("status", flat=True).first()
            if status != CloseItem.Status.PENDING:
                return status or ""
            run, book = item.run, item.book
            is_year = run.kind == CloseRun.Kind.YEAR
            if reads is not None:
                blockers = list(reads.blockers.get(book.pk, []))
                december_locked = book.pk in reads.december_locked
            else:
                blockers = close_checks_run([book.pk], {book.pk: book.organization_id}, run.year, run.month,
                                            kind=run.kind)[book.pk]  # fmt: skip
                december_locked = PeriodLock.objects.filter(book=book, year=run.year, month=12).exists()
            if is_year and december_locked:
                blockers.append(Blocker(ErrorCode.CLOSE_DECEMBER_LOCKED, {"year": run.year}))
            changes: dict[str, Any] = {"status": CloseItem.Status.CLOSED, "blockers": []}
            if blockers:
                changes.update(status=CloseItem.Status.BLOCKED, blockers=[b.as_json() for b in blockers])
            else:
                changes["liquidation"] = _liquidate(book, run, acting_user, today, reads)
                if is_year:
                    closing = year_close_post(book=book, year=run.year, acting_user=acting_user, today=today)
                    changes["closing"] = " ".join(closing.numbers)
                period_lock(book=book, year=run.year, month=run.month, acting_user=acting_user)
            duration_ms = int((time.monotonic() - started) * 1000 + shared_ms)
            CloseItem.objects.filter(pk=item.pk).update(
                **changes, error="", finished_at=timezone.now(), duration_ms=duration_ms
            )
            return str(changes["status"])
    except Exception as error:  # recorded on the item (shown on the page); the book is as it was
        logger.exception("close item %s failed", item.pk)
        message = error.message() if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        CloseItem.objects.filter(pk=item.pk, status=CloseItem.Status.PENDING).update(
            status=CloseItem.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        return CloseItem.Status.FAILED


def close_items_process(
    *, item_ids: Sequence[int], acting_user: Any = None, today: date | None = None
) -> dict[int, str]:
    """Close these books (items of a run) for the run's month, or record why each cannot: the checks, the December
    locks and the VAT are read once for the batch, then each book closes in its own transaction as
    ``close_item_process`` does — a book that fails is recorded FAILED and the others go on; a worker killed in
    the middle leaves the books done closed and the rest pending, and the same batch again finishes them. Returns
    each item's status ('' for an item that does not exist)."""
    today = today or timezone.localdate()
    statuses = dict(CloseItem.objects.filter(pk__in=item_ids).values_list("pk", "status"))
    pending = list(
        CloseItem.objects.filter(pk__in=item_ids, status=CloseItem.Status.PENDING)
        .select_related("run", "book__organization")
        .order_by("pk")
    )
    by_run: dict[int, list[CloseItem]] = defaultdict(list)
    for item in pending:
        by_run[item.run_id].append(item)
    for items in by_run.values():
        started = time.monotonic()
        reads: BatchReads | None
        try:
            reads = _batch_read(items[0].run, [item.book for item in items])
        except Exception:  # a check that fails: each book reads its own, and only the books it fails on fail
            logger.exception("close: the batch's reads failed; each book reads its own")
            reads = None
        shared_ms = (time.monotonic() - started) * 1000 / len(items)
        for item in items:
            statuses[item.pk] = _item_close(item, acting_user, today, reads, shared_ms)
        close_run_finish_if_done(run_id=items[0].run_id)
    return {item_id: str(statuses.get(item_id, "")) for item_id in item_ids}


def close_item_process(*, item_id: int, acting_user: Any = None, today: date | None = None) -> str:
    """Close one book for the run's month, or record why it cannot; returns the item's status. Safe to repeat:
    an item no longer pending is left as it is."""
    return close_items_process(item_ids=[item_id], acting_user=acting_user, today=today)[item_id]


def close_run_finish_if_done(*, run_id: int) -> bool:
    """Mark the run finished once no item is pending, and queue the closed members' statements (once)."""
    if CloseItem.objects.filter(run_id=run_id, status=CloseItem.Status.PENDING).exists():
        return False
    if not CloseRun.objects.filter(pk=run_id, finished_at__isnull=True).update(finished_at=timezone.now()):
        return True  # another worker finished it
    run = CloseRun.objects.get(pk=run_id)
    closed = list(run.items.filter(status=CloseItem.Status.CLOSED).values_list("organization_id", flat=True))
    if closed and run.statement_batch_id is None:  # the month's statements (December's for the year)
        transaction.on_commit(lambda: _statements_queue(run.pk, closed))
    return True


def _statements_queue(run_id: int, organization_ids: list[int]) -> None:
    from gie_erp.statements.tasks import statement_batch_dispatch, tasks_run_in_process

    run = CloseRun.objects.get(pk=run_id)
    try:
        batch = statement_batch_create(
            year=run.year, month=run.month, acting_user=run.created_by, organization_ids=organization_ids
        )
    except StatementError:  # only the GIE closed: no cooperative statement to print
        return
    CloseRun.objects.filter(pk=run_id).update(statement_batch=batch)
    if not tasks_run_in_process():
        statement_batch_dispatch.delay(batch.pk, timezone.localdate(batch.created_at).isoformat())


def close_run_batches(*, run_id: int, size: int = BATCH_SIZE) -> list[list[int]]:
    """The run's pending items in batches of ``size`` (in the run's order): what one task closes."""
    item_ids = list(
        CloseItem.objects.filter(run_id=run_id, status=CloseItem.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [item_ids[index : index + size] for index in range(0, len(item_ids), size)]


def close_items_claim(*, run_id: int, limit: int = BATCH_SIZE) -> list[int]:
    """Up to ``limit`` pending items nobody works on (or whose in-process closer died), claimed by one conditional
    update: a concurrent claimer's update finds them taken. A claim only spreads the work; the item's row lock
    and status make processing safe anyway."""
    now = timezone.now()
    stale = now - timedelta(seconds=ITEM_LEASE_SECONDS)
    free = CloseItem.objects.filter(run_id=run_id, status=CloseItem.Status.PENDING).filter(
        Q(started_at__isnull=True) | Q(started_at__lt=stale)
    )
    candidates = list(free.order_by("pk").values_list("pk", flat=True)[:limit])
    if not candidates or not free.filter(pk__in=candidates).update(started_at=now):
        return []
    return list(CloseItem.objects.filter(pk__in=candidates, started_at=now).order_by("pk").values_list("pk", flat=True))


def close_item_claim(*, run_id: int) -> int | None:
    """The next pending item nobody works on (or whose in-process closer died)."""
    claimed = close_items_claim(run_id=run_id, limit=1)
    return claimed[0] if claimed else None


def close_run_advance(
    *,
    run_id: int,
    budget_seconds: float = 1.0,
    acting_user: Any = None,
    today: date | None = None,
    batch_size: int = IN_PROCESS_BATCH_SIZE,
) -> int:
    """Process pending items in this process, a batch at a time, until the budget is spent (at least one batch):
    eager mode's worker (the progress page's polls and the command drive it). Returns how many were processed."""
    started, done = time.monotonic(), 0
    while done == 0 or time.monotonic() - started < budget_seconds:
        item_ids = close_items_claim(run_id=run_id, limit=batch_size)
        if not item_ids:
            break
        close_items_process(item_ids=item_ids, acting_user=acting_user, today=today)
        done += len(item_ids)
    return done


@transaction.atomic
def close_month_reopen(
    *, run: CloseRun, book_slugs: Sequence[str], acting_user: Any, reason: str, today: date | None = None
) -> int:
    """Reopen the month in these books (every closed one when empty): the admin's, with a reason; refused for a
    book whose later month is closed (``ledger.services.period_unlock`` checks both). Returns the books reopened.
    The month's VAT liquidation stays posted: closing again liquidates only what was added since. Reopening a year
    also reverses its closing and opening entries (the next January must be open)."""
    items = run.items.filter(status=CloseItem.Status.CLOSED).select_related("book")
    if book_slugs:
        items = items.filter(organization__slug__in=book_slugs)
    count = 0
    for item in items:
        if PeriodLock.objects.filter(book=item.book, year=run.year, month=run.month).exists():
            period_unlock(book=item.book, year=run.year, month=run.month, acting_user=acting_user, reason=reason)
        if run.kind == CloseRun.Kind.YEAR:
            year_close_reverse(book=item.book, year=run.year, acting_user=acting_user, reason=reason, today=today)
            item.closing = ""
        item.status = CloseItem.Status.REOPENED
        item.save(update_fields=["status", "closing"])
        count += 1
    if count:
        CloseRun.objects.filter(pk=run.pk).update(finished_at=None)
        audit_record(
            actor=acting_user, event="close.reopened", target=run, data={"period": run.period, "books": count,
                                                                         "reason": reason}
        )  # fmt: skip
    return count
