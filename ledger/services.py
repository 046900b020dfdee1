"""Ledger actions. `journal_entry_post` and `journal_entries_post` are the only ways anything is written to a book."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.dates import LATEST_YEAR, earliest_date
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.idempotency import is_reserved_key, retry_once_on_conflict
from gie_erp.core.money import to_centimes
from gie_erp.core.roles import Role
from ledger import pair_table
from ledger.close_checks import earlier_open_months
from ledger.engine import PostedRef, post_drafts
from ledger.models import (
    PERIOD_FIRST_YEAR,
    PERIOD_LAST_YEAR,
    Book,
    Entry,
    EntryAttachment,
    Journal,
    PairClaim,
    PeriodLock,
)
from ledger.posting import EntryDraft, JournalLine, reversed_lines
from ledger.selectors import entry_lines, movement_centimes
from ledger.year_end import LOSS_ACCOUNT, PROFIT_ACCOUNT, year_end_lines


def _actor_id(acting_user: Any) -> int | None:
    return getattr(acting_user, "pk", None)


def journal_entry_post(
    *,
    book: Book,
    posted_on: date,
    journal: Journal,
    lines: Sequence[JournalLine],
    description: str,
    source_ref: str,
    idempotency_key: str,
    acting_user: Any = None,
    today: date | None = None,
) -> PostedRef:
    """Post one balanced entry exactly once per (book, idempotency_key); joins the caller's transaction if any."""
    draft = EntryDraft(
        book_id=book.pk,
        posted_on=posted_on,
        journal=journal,
        description=description,
        source_ref=source_ref,
        idempotency_key=idempotency_key,
        lines=tuple(lines),
    )
    (ref,) = post_drafts([draft], today=today or timezone.localdate(), actor_id=_actor_id(acting_user))
    return ref


def journal_entries_post(
    *, drafts: Sequence[EntryDraft], acting_user: Any = None, today: date | None = None
) -> list[PostedRef]:
    """Post many entries (any books) all-or-nothing, with every rule of the single path; written in bulk."""

    def audit(refs: list[PostedRef]) -> None:
        created = sum(1 for ref in refs if ref.created)
        if created:
            audit_record(actor=acting_user, event="ledger.bulk_posted", data={"entries": created})

    return post_drafts(drafts, today=today or timezone.localdate(), actor_id=_actor_id(acting_user), after=audit)


@transaction.atomic
def journal_entry_reverse(
    *,
    entry: Entry,
    reversed_on: date,
    acting_user: Any = None,
    reason: str = "",
    today: date | None = None,
) -> PostedRef:
    """Cancel a posted entry with its mirror image, dated ``reversed_on``. An entry is reversed at most once."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.reversal_of_id is not None:
        raise DomainError(ErrorCode.REVERSAL_OF_REVERSAL)
    key = f"reversal:{entry.pk}"
    already = Entry.objects.filter(reversal_of=entry).first()
    if already is not None and already.idempotency_key != key:
        raise DomainError(ErrorCode.ALREADY_REVERSED, number=entry.number)
    draft = EntryDraft(
        book_id=entry.book_id,
        posted_on=reversed_on,
        journal=Journal(entry.journal),
        description=f"Contre-passation {entry.number}"[:120],
        source_ref=entry.number,
        idempotency_key=key,
        lines=reversed_lines(entry_lines(entry)),
    )
    (ref,) = post_drafts(
        [draft],
        today=today or timezone.localdate(),
        actor_id=_actor_id(acting_user),
        reversal_of={key: entry.pk},
    )
    if ref.created:
        audit_record(
            actor=acting_user,
            event="ledger.entry_reversed",
            target=entry,
            tenant_id=Book.objects.values_list("organization_id", flat=True).get(pk=entry.book_id),
            data={"reason": reason, "reversal": str(ref.je_id)},
        )
    return ref


def _period(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def _earlier_open_month(*, book: Book, year: int, month: int) -> tuple[int, int] | None:
    """The first month from the book's first entry up to the one before (year, month) that is not locked."""
    return earlier_open_months(book_ids=[book.pk], year=year, month=month).get(book.pk)


@transaction.atomic
def period_lock(*, book: Book, year: int, month: int, acting_user: Any) -> PeriodLock:
    """Lock a month of a book: nothing dated in it can be posted any more. Months lock in order from the book's
    first entry (an earlier open month is refused); locking twice is a no-op."""
    first_year = max(earliest_date().year, PERIOD_FIRST_YEAR)
    last_year = min(LATEST_YEAR, PERIOD_LAST_YEAR)
    if not (1 <= month <= 12 and first_year <= year <= last_year):
        raise DomainError(ErrorCode.BAD_PERIOD, period=f"{year}-{month}", first=first_year, last=last_year)
    Book.objects.select_for_update().filter(pk=book.pk).first()  # one lock or unlock per book at a time
    lock = PeriodLock.objects.filter(book=book, year=year, month=month).first()
    if lock is not None:
        return lock
    earlier = _earlier_open_month(book=book, year=year, month=month)
    if earlier is not None:
        raise DomainError(ErrorCode.EARLIER_MONTH_OPEN, period=_period(*earlier))
    lock = PeriodLock.objects.create(
        book=book, year=year, month=month, locked_by=acting_user if _actor_id(acting_user) else None
    )
    audit_record(
        actor=acting_user,
        event="ledger.period_locked",
        target=lock,
        tenant_id=book.organization_id,
        data={"period": _period(year, month)},
    )
    return lock


@transaction.atomic
def period_unlock(*, book: Book, year: int, month: int, acting_user: Any, reason: str) -> None:
    """Reopen a locked month: GIE administrators only, with a reason kept in the audit log, the latest locked month
    first. On PostgreSQL the lock row's trigger lets only this deletion through (``gie.period_unlock``)."""
    if not (getattr(acting_user, "is_superuser", False) or getattr(acting_user, "role", "") == Role.GIE_ADMIN):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    if not reason.strip():
        raise DomainError(ErrorCode.UNLOCK_REASON_REQUIRED)
    Book.objects.select_for_update().filter(pk=book.pk).first()  # one lock or unlock per book at a time
    lock = PeriodLock.objects.filter(book=book, year=year, month=month).first()
    if lock is None:
        raise DomainError(ErrorCode.NOT_LOCKED, period=_period(year, month))
    later = (
        PeriodLock.objects.filter(book=book)
        .filter(Q(year__gt=year) | Q(year=year, month__gt=month))
        .order_by("-year", "-month")
        .first()
    )
    if later is not None:
        raise DomainError(ErrorCode.LATER_MONTH_LOCKED, period=_period(later.year, later.month))
    audit_record(
        actor=acting_user,
        event="ledger.period_unlocked",
        target=lock,
        tenant_id=book.organization_id,
        data={"period": _period(year, month), "reason": reason},
    )
    if connection.vendor != "postgresql":
        lock.delete()
        return
    with connection.cursor() as cursor:  # migration 0012: the lock row's trigger lets this row go, this once
        cursor.execute("SELECT set_config('gie.period_unlock', %s, true)", [f"{book.pk}-{year}-{month}"])
        lock.delete()
        cursor.execute("SELECT set_config('gie.period_unlock', '', true)")


def journal_entry_post_with_scan(
    *,
    book: Book,
    posted_on: date,
    journal: Journal,
    lines: Sequence[JournalLine],
    description: str,
    source_ref: str,
    idempotency_key: str,
    scan: Any = None,
    acting_user: Any = None,
    today: date | None = None,
) -> PostedRef:
    """The entry form's command: post one entry and store its scan in one transaction, exactly once per key.

    Owns its transaction (a view opens none): when a double submit loses the race for the key, the unique index
    refuses its insert, the transaction rolls back and the second run answers as a replay (the first entry, no second
    scan). Form keys may not use a service's reserved prefix (``reversal:``, ``opening:``…).
    """
    if is_reserved_key(idempotency_key):
        raise DomainError(ErrorCode.RESERVED_KEY, key=idempotency_key[:60])

    def run(attempt: int) -> PostedRef:
        ref = journal_entry_post(
            book=book,
            posted_on=posted_on,
            journal=journal,
            lines=lines,
            description=description,
            source_ref=source_ref,
            idempotency_key=idempotency_key,
            acting_user=acting_user,
            today=today,
        )
        if ref.created:  # a person's entry is audited (bulk postings write one row per batch)
            audit_record(
                actor=acting_user,
                event="ledger.entry_posted",
                target=Entry(pk=ref.je_id),
                tenant_id=book.organization_id,
                data={"number": ref.number, "scan": scan is not None},
            )
            if scan is not None:
                EntryAttachment.objects.create(entry_id=ref.je_id, book=book, file=scan)
        return ref

    return retry_once_on_conflict(run)


# --- the year's closing and opening entries ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearClose:
    """What closing a year posted in one book: the entries' numbers (result, balance sheet, opening) and the year's
    net result in centimes (> 0 profit)."""

    numbers: tuple[str, ...]
    net_result: int


def _year_end_keys(book: Book, year: int) -> tuple[str, str, str]:
    """The idempotency keys of the year's three entries. A reopened year's entries were reversed: each reopening
    counts one reversed opening entry, and the next close posts under new keys."""
    reopenings = Entry.objects.filter(
        book=book, journal=Journal.OPENING, posted_on=date(year + 1, 1, 1), reversal_of__isnull=False
    ).count()
    stem = f"close:year:{book.pk}:{year}:{reopenings}"
    return f"{stem}:result", f"{stem}:balance-sheet", f"{stem}:opening"


@transaction.atomic
def year_close_post(*, book: Book, year: int, acting_user: Any = None, today: date | None = None) -> YearClose:
    """Post the year's closing entries (journal CL, 31 December: the result accounts to 1191/1199, then every
    balance-sheet account to zero) and the next year's opening entries (journal AN, 1 January). December and the
    next January must be open. Idempotent: a year already closed returns its entries unchanged."""
    keys = _year_end_keys(book, year)
    done = list(Entry.objects.filter(book=book, idempotency_key__in=keys).order_by("posted_on", "journal", "number"))
    if done:
        return YearClose(tuple(entry.number for entry in done), _net_result(done))

    totals = movement_centimes(book_ids=[book.pk], start=None, end=date(year, 12, 31), by_partner=True)
    lines = year_end_lines(
        {(code, int(partner)): debit - credit for (_, code, partner), (debit, credit) in totals.items()}, year=year
    )
    end, opening_day = date(year, 12, 31), date(year + 1, 1, 1)
    planned = (
        (lines.result, end, Journal.CLOSING, f"Détermination du résultat {year}", keys[0]),
        (lines.balance_sheet, end, Journal.CLOSING, f"Clôture des comptes de bilan {year}", keys[1]),
        (lines.opening, opening_day, Journal.OPENING, f"À-nouveaux {year + 1}", keys[2]),
    )
    drafts = [
        EntryDraft(
            book_id=book.pk, posted_on=day, journal=journal, description=text, source_ref=f"Exercice {year}",
            idempotency_key=key, lines=entry_lines_,
        )
        for entry_lines_, day, journal, text, key in planned
        if entry_lines_
    ]  # fmt: skip
    refs = journal_entries_post(drafts=drafts, acting_user=acting_user, today=today) if drafts else []
    audit_record(
        actor=acting_user,
        event="ledger.year_closed",
        target=book,
        tenant_id=book.organization_id,
        data={"year": year, "entries": [ref.number for ref in refs], "result": lines.net_result},
    )
    return YearClose(tuple(ref.number for ref in refs), lines.net_result)


def _net_result(entries: list[Entry]) -> int:
    result_entry = next((entry for entry in entries if entry.idempotency_key.endswith(":result")), None)
    if result_entry is None:
        return 0
    cents = 0
    for line in entry_lines(result_entry):
        if line.account_code in (PROFIT_ACCOUNT, LOSS_ACCOUNT):
            cents += to_centimes(line.credit) - to_centimes(line.debit)
    return cents


@transaction.atomic
def year_close_reverse(*, book: Book, year: int, acting_user: Any, reason: str, today: date | None = None) -> int:
    """Reverse the year's closing and opening entries (each by its mirror, on its own date): the year is as before
    its close. December and the next January must be open. Returns the entries reversed."""
    keys = _year_end_keys(book, year)
    count = 0
    for entry in Entry.objects.filter(book=book, idempotency_key__in=keys).order_by("-posted_on", "-number"):
        journal_entry_reverse(
            entry=entry, reversed_on=entry.posted_on, acting_user=acting_user, reason=reason, today=today
        )
        count += 1
    return count


@transaction.atomic
def pair_claims_set(*, claims: Mapping[str, Sequence[int]]) -> bool:
    """Store the combined accounts' claims (``ledger.pair_table``) and rebuild the pair table under them; nothing
    happens when they are the stored ones. True when it rebuilt.

    PostgreSQL: the balance tables are locked against writers for the rebuild (``SHARE``: postings in flight finish
    first, the next wait), so no posting adds to the table under the old claims after it was read again."""
    wanted = pair_table.claims_of(claims)
    if pair_table.stored_claims() == wanted:  # the usual case (every migrate, a label changed): no lock taken
        return False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE ledger_balance, ledger_balanceyear IN SHARE MODE")
        if pair_table.stored_claims() == wanted:  # another writer stored them while this one waited
            return False
    PairClaim.objects.all().delete()
    PairClaim.objects.bulk_create(
        PairClaim(account_code=code, member_member=cases[0], member_gie=cases[1], gie_member=cases[2],
                  gie_gie=cases[3])
        for code, cases in sorted(wanted.items())
    )  # fmt: skip
    pair_table.rebuild()
    return True
