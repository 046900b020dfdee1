"""The VAT liquidation of a book for a finished period: one entry that brings 4455 (collected) and 34552
(deductible) to zero and puts the difference to 4456 (VAT due) or 3456 (VAT credit). The month close calls
``vat_liquidate`` when a VAT period of a book ends."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.idempotency import retry_once_on_conflict
from gie_erp.core.money import from_centimes
from invoices.vat import book_of, vat_liquidation_get, vat_liquidation_key
from invoices.vat_periods import vat_period_code
from ledger import accounts
from ledger.engine import PostedRef
from ledger.models import Book, Entry, Journal
from ledger.posting import JournalLine
from ledger.selectors import movement_centimes
from ledger.services import journal_entry_post
from members.models import Organization


def vat_liquidation_lines(*, collected: Decimal, deductible: Decimal) -> list[JournalLine]:
    """The lines that bring 4455 (``collected``: its credit balance) and 34552 (``deductible``: its debit balance)
    to zero, the difference to 4456 (VAT due) or 3456 (VAT credit). Nothing when both are zero."""
    if not collected and not deductible:
        return []
    lines = [
        _line(accounts.VAT_COLLECTED, collected),
        _line(accounts.VAT_RECOVERABLE_ON_CHARGES, -deductible),
        _line(accounts.VAT_DUE, -(collected - deductible)) if collected > deductible else None,
        _line(accounts.VAT_CREDIT, deductible - collected) if deductible > collected else None,
    ]
    return [line for line in lines if line is not None]


def _line(code: str, signed: Decimal) -> JournalLine | None:
    """A debit for a positive amount, a credit for a negative one, nothing for zero."""
    if signed > 0:
        return JournalLine(code, debit=signed)
    if signed < 0:
        return JournalLine(code, credit=-signed)
    return None


# --- liquidation --------------------------------------------------------------------------------------------------


def vat_balances(*, book: Book, end: date) -> tuple[Decimal, Decimal]:
    """(credit balance of 4455, debit balance of 34552) at ``end``, these exact accounts (not their transit
    sub-accounts 44551 / 34554)."""
    totals = movement_centimes(book_ids=[book.pk], start=None, end=end)
    collected = totals.get((book.pk, accounts.VAT_COLLECTED), [0, 0])
    deductible = totals.get((book.pk, accounts.VAT_RECOVERABLE_ON_CHARGES), [0, 0])
    return from_centimes(collected[1] - collected[0]), from_centimes(deductible[0] - deductible[1])


def vat_liquidation_preview(*, organization: Organization, end: date) -> list[JournalLine]:
    """The lines a liquidation at ``end`` would post now."""
    collected, deductible = vat_balances(book=book_of(organization), end=end)
    return vat_liquidation_lines(collected=collected, deductible=deductible)


def vat_liquidate(
    *, organization: Organization, start: date, end: date, acting_user: Any, today: date | None = None
) -> PostedRef | None:
    """Close a VAT period of a book: one OD entry dated ``end`` that debits 4455 by its credit balance at ``end``,
    credits 34552 by its debit balance, and puts the difference to 4456 (VAT due) or 3456 (VAT credit).

    The month close calls this when a VAT period of a book ends (``vat_period_bounds`` gives the period); the VAT
    page and ``manage.py vat_liquidate`` call it too. Balances are read at ``end`` over the whole history, so a
    period never liquidated before is swept in too; a VAT credit already in 3456 is left for the accountant to
    impute. Refuses a period that ends after ``today`` (FUTURE_DATE) and, through the ledger, a locked month.
    Returns None when both accounts are zero (nothing posted). Once per (book, period): the key is
    ``vat:{book}:{start}:{end}`` and a second call returns the first entry (``created`` False) without reading the
    balances again. Audited (``invoices.vat_liquidated``). Joins the caller's transaction if any.
    """
    today = today or timezone.localdate()
    if end > today:
        raise DomainError(ErrorCode.FUTURE_DATE, date=end.isoformat())
    if start > end:
        raise DomainError(ErrorCode.BAD_PERIOD, period=vat_period_code(start, end), first=start.year, last=end.year)
    book = book_of(organization)

    def run(_attempt: int = 1) -> PostedRef | None:
        Book.objects.select_for_update().filter(pk=book.pk).first()  # one liquidation of a book at a time
        existing = vat_liquidation_get(book=book, start=start, end=end)
        if existing is not None:
            return PostedRef(je_id=existing.pk, number=existing.number, created=False)
        collected, deductible = vat_balances(book=book, end=end)
        lines = vat_liquidation_lines(collected=collected, deductible=deductible)
        if not lines:
            return None
        code = vat_period_code(start, end)
        ref = journal_entry_post(
            book=book,
            posted_on=end,
            journal=Journal.MISC,
            lines=lines,
            description=f"Liquidation de la TVA {code}",
            source_ref=f"TVA {code}",
            idempotency_key=vat_liquidation_key(book=book, start=start, end=end),
            acting_user=acting_user,
            today=today,
        )
        if ref.created:
            audit_record(
                actor=acting_user,
                event="invoices.vat_liquidated",
                target=Entry(pk=ref.je_id),
                tenant_id=organization.pk,
                data={
                    "period": code,
                    "number": ref.number,
                    "collected": str(collected),
                    "deductible": str(deductible),
                },
            )
        return ref

    if connection.in_atomic_block:
        with transaction.atomic():
            return run()
    return retry_once_on_conflict(run)
