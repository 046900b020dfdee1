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
from collections.abc import Sequence
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
from invoices.vat_liquidation import vat_liquidate
from invoices.vat_periods import vat_period_bounds
from ledger.models import Book, PeriodLock
from ledger.services import period_lock, period_unlock, year_close_post, year_close_reverse

logger = logging.getLogger(__name__)

#: an item claimed longer ago than this by an in-process closer that died is taken over
ITEM_LEASE_SECONDS = 120


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


def close_item_process(*, item_id: int, acting_user: Any = None, today: date | None = None) -> str:
    """Close one book for the run's month, or record why it cannot; returns the item's status. Safe to repeat:
    an item no longer pending is left as it is."""
    today = today or timezone.localdate()
    started = time.monotonic()
    try:
        with transaction.atomic():
            item = (
                CloseItem.objects.select_for_update()
                .select_related("run", "book__organization")
                .filter(pk=item_id)
                .first()
            )
            if item is None or item.status != CloseItem.Status.PENDING:
                return item.status if item is not None else ""
            run, book = item.run, item.book
            blockers = close_checks_run([book.pk], {book.pk: book.organization_id}, run.year, run.month, kind=run.kind)[
                book.pk
            ]
            is_year = run.kind == CloseRun.Kind.YEAR
            if is_year and PeriodLock.objects.filter(book=book, year=run.year, month=12).exists():
                blockers.append(Blocker(ErrorCode.CLOSE_DECEMBER_LOCKED, {"year": run.year}))
            if blockers:
                item.status, item.blockers = CloseItem.Status.BLOCKED, [b.as_json() for b in blockers]
            else:
                item.liquidation = _liquidate_if_period_ends(book, run.year, run.month, acting_user, today)
                if is_year:
                    closing = year_close_post(book=book, year=run.year, acting_user=acting_user, today=today)
                    item.closing = " ".join(closing.numbers)
                period_lock(book=book, year=run.year, month=run.month, acting_user=acting_user)
                item.status, item.blockers = CloseItem.Status.CLOSED, []
            item.error, item.finished_at = "", timezone.now()
            item.duration_ms = int((time.monotonic() - started) * 1000)
            item.save()
            status = item.status
    except Exception as error:  # recorded on the item (shown on the page); the book is as it was
        logger.exception("close item %s failed", item_id)
        message = error.message() if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        CloseItem.objects.filter(pk=item_id, status=CloseItem.Status.PENDING).update(
            status=CloseItem.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        status = CloseItem.Status.FAILED
    close_run_finish_if_done(run_id=CloseItem.objects.values_list("run_id", flat=True).get(pk=item_id))
    return status


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


def close_item_claim(*, run_id: int) -> int | None:
    """The next pending item nobody works on (or whose in-process closer died), claimed by a conditional update."""
    now = timezone.now()
    stale = now - timedelta(seconds=ITEM_LEASE_SECONDS)
    pending = CloseItem.objects.filter(run_id=run_id, status=CloseItem.Status.PENDING).filter(
        Q(started_at__isnull=True) | Q(started_at__lt=stale)
    )
    for item_id, started_at in pending.order_by("pk").values_list("pk", "started_at")[:20]:
        if CloseItem.objects.filter(pk=item_id, started_at=started_at).update(started_at=now):
            return item_id
    return None


def close_run_advance(
    *, run_id: int, budget_seconds: float = 1.0, acting_user: Any = None, today: date | None = None
) -> int:
    """Process pending items in this process until the budget is spent (at least one): eager mode's worker (the
    progress page's polls and the command drive it). Returns how many were processed."""
    started, done = time.monotonic(), 0
    while done == 0 or time.monotonic() - started < budget_seconds:
        item_id = close_item_claim(run_id=run_id)
        if item_id is None:
            break
        close_item_process(item_id=item_id, acting_user=acting_user, today=today)
        done += 1
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
