"""Posting rules that need no database: lines, balance, digest, reversal. Pure functions."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from gie_erp.core.dates import earliest_date
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_amount
from gie_erp.core.idempotency import content_digest
from gie_erp.core.money import MAX_AMOUNT, ZERO, is_mad
from ledger.models import Journal

#: An analytic tag: lower-case words joined by ``:``, ``-``, ``_`` or ``.`` (``training:compta-2026-03``), ≤ 80.
TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,79}$")


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One positive debit or one positive credit on an account code, with the partner book for GIE↔member lines and
    an optional analytic tag (``training:<session>``: what a cost or a revenue was for)."""

    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    partner_id: int | None = None  # members.Organization id of the other book of the group
    description: str = ""
    tag: str = ""

    def __post_init__(self) -> None:
        if self.tag and not TAG_PATTERN.match(self.tag):
            raise DomainError(ErrorCode.BAD_TAG, value=self.tag[:90])
        for amount in (self.debit, self.credit):
            if not isinstance(amount, Decimal) or not is_mad(amount):
                raise DomainError(ErrorCode.BAD_LINE, detail=f"{self.account_code}: {amount!r} (Decimal, 2 places)")
            if amount > MAX_AMOUNT:
                raise DomainError(
                    ErrorCode.AMOUNT_TOO_LARGE, value=format_amount(amount), limit=format_amount(MAX_AMOUNT)
                )
        if min(self.debit, self.credit) != 0 or max(self.debit, self.credit) <= 0:
            raise DomainError(ErrorCode.BAD_LINE, detail=f"{self.account_code}: one positive debit or credit")

    @property
    def signed(self) -> Decimal:
        """Debit positive, credit negative."""
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """Everything needed to post one entry in one book."""

    book_id: int
    posted_on: date
    journal: Journal
    description: str
    source_ref: str
    idempotency_key: str
    lines: tuple[JournalLine, ...] = field(default_factory=tuple)


def check_balanced(lines: Sequence[JournalLine]) -> None:
    """Exact equality: no tolerance, no auto-correction (unlike django-ledger's 0.02 tolerance)."""
    debit = sum((ln.debit for ln in lines), ZERO)
    credit = sum((ln.credit for ln in lines), ZERO)
    if len(lines) < 2 or debit != credit:
        raise DomainError(ErrorCode.UNBALANCED_ENTRY, debit=str(debit), credit=str(credit))


def check_draft(draft: EntryDraft, *, today: date, earliest: date | None = None) -> None:
    """Every rule that needs no database. ``earliest`` defaults to the GIE's earliest date (settings)."""
    check_balanced(draft.lines)
    if not draft.source_ref.strip():
        raise DomainError(ErrorCode.MISSING_SOURCE)
    if draft.posted_on > today:
        raise DomainError(ErrorCode.FUTURE_DATE, date=draft.posted_on.isoformat())
    journal = str(draft.journal)
    if (journal == Journal.CLOSING and draft.posted_on.timetuple()[1:3] != (12, 31)) or (
        journal == Journal.OPENING and draft.posted_on.timetuple()[1:3] != (1, 1)
    ):
        raise DomainError(ErrorCode.CLOSING_ENTRY_DATE, date=draft.posted_on.isoformat())
    first = earliest or earliest_date()
    if draft.posted_on < first:
        raise DomainError(ErrorCode.DATE_TOO_EARLY, date=draft.posted_on.isoformat(), earliest=first.isoformat())


def draft_digest(draft: EntryDraft) -> str:
    """What the idempotency key promises: same book, date, journal, source and lines (order kept)."""
    return content_digest(
        {
            "book": draft.book_id,
            "date": draft.posted_on.isoformat(),
            "journal": str(draft.journal),
            "source": draft.source_ref,
            # a tag joins its line only when set: digests of untagged entries stay what they always were
            "lines": [
                [ln.account_code, str(ln.debit), str(ln.credit), ln.partner_id or 0, *([ln.tag] if ln.tag else [])]
                for ln in draft.lines
            ],
        }
    )


def reversed_lines(lines: Sequence[JournalLine]) -> tuple[JournalLine, ...]:
    """The same lines with debit and credit swapped: posting them cancels the entry."""
    return tuple(
        JournalLine(
            account_code=ln.account_code,
            debit=ln.credit,
            credit=ln.debit,
            partner_id=ln.partner_id,
            description=ln.description,
            tag=ln.tag,
        )
        for ln in lines
    )
