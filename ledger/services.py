"""Ledger actions. `journal_entry_post` and `journal_entries_post` are the only ways anything is written to a book."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.roles import Role
from ledger.engine import PostedRef, post_drafts
from ledger.models import Book, Entry, Journal, PeriodLock
from ledger.posting import EntryDraft, JournalLine, reversed_lines
from ledger.selectors import entry_lines


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


@transaction.atomic
def period_lock(*, book: Book, year: int, month: int, acting_user: Any) -> PeriodLock:
    """Lock a month of a book: nothing dated in it can be posted any more. Locking twice is a no-op."""
    lock, created = PeriodLock.objects.get_or_create(
        book=book, year=year, month=month, defaults={"locked_by": acting_user if _actor_id(acting_user) else None}
    )
    if created:
        audit_record(
            actor=acting_user,
            event="ledger.period_locked",
            target=lock,
            tenant_id=book.organization_id,
            data={"period": f"{year}-{month:02d}"},
        )
    return lock


@transaction.atomic
def period_unlock(*, book: Book, year: int, month: int, acting_user: Any, reason: str) -> None:
    """Reopen a locked month: GIE administrators only, with a reason kept in the audit log."""
    if not (getattr(acting_user, "is_superuser", False) or getattr(acting_user, "role", "") == Role.GIE_ADMIN):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    if not reason.strip():
        raise DomainError(ErrorCode.UNLOCK_REASON_REQUIRED)
    lock = PeriodLock.objects.select_for_update().filter(book=book, year=year, month=month).first()
    if lock is None:
        raise DomainError(ErrorCode.NOT_LOCKED, period=f"{year}-{month:02d}")
    audit_record(
        actor=acting_user,
        event="ledger.period_unlocked",
        target=lock,
        tenant_id=book.organization_id,
        data={"period": f"{year}-{month:02d}", "reason": reason},
    )
    lock.delete()
