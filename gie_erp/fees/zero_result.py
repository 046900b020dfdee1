"""Year end: the GIE ends at a zero result (law 13-97). Its surplus is transferred to its members (GIE Dr 6186 /
Cr 4464·member; member Dr 3464·GIE / Cr 7185) or its deficit charged to them (GIE Dr 3464·member / Cr 7186;
member Dr 6185 / Cr 4464·GIE), split by a key (default: fees charged in the year, net of credit notes), dated
31 December so that it posts before December is locked. Preview, post (once), undo (reversals)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_day
from gie_erp.core.money import ZERO, from_centimes
from gie_erp.fees import keys
from gie_erp.fees.models import Key, ZeroResult, ZeroShare
from gie_erp.fees.shares import Split, split
from ledger import accounts
from ledger.models import Book, Entry, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import signed_balances
from ledger.services import journal_entries_post, journal_entry_reverse
from members.models import Organization


@dataclass(frozen=True, slots=True)
class ZeroPreview:
    year: int
    result: Decimal  # the GIE's result for the year before the transfer: > 0 surplus, < 0 deficit
    key: str
    split: Split[int]
    members: dict[int, Organization]


def gie_result(year: int) -> Decimal:
    """The GIE's result for the calendar year: its class 7 less its class 6, from the balance table."""
    book = keys.gie_book()
    if book is None:
        return ZERO
    balances = signed_balances(book_ids=[book.pk], start=date(year, 1, 1), end=date(year, 12, 31))
    return -from_centimes(sum(v for code, v in balances.items() if code[:1] in {"6", "7"}))


def check_year_ended(year: int, today: date | None = None) -> None:
    """A year's result is transferred from 1 January after it: on 31 December its entries may still come."""
    last = date(year, 12, 31)
    if last >= (today or timezone.localdate()):
        raise DomainError(ErrorCode.FEES_YEAR_NOT_ENDED, year=year, date=format_day(last + timedelta(days=1)))


def zero_result_current(year: int) -> ZeroResult | None:
    return ZeroResult.objects.filter(year=year, state=ZeroResult.State.POSTED).first()


def zero_result_preview(year: int, key: str = Key.FEES) -> ZeroPreview:
    """What the transfer would post for ``year`` (nothing written). Refused when the result is already 0.00."""
    result = gie_result(year)
    if result == 0:
        raise DomainError(ErrorCode.FEES_ZERO_NOTHING, year=year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    members = keys.members_in_period(start, end)
    weights = keys.weights(key, members, start, end)
    if not any(w > 0 for w in weights.values()):
        raise DomainError(ErrorCode.FEES_NO_WEIGHT)
    return ZeroPreview(
        year=year, result=result, key=key, split=split(abs(result), weights), members={m.pk: m for m in members}
    )


def _drafts(zero: ZeroResult, shares: list[ZeroShare], books: dict[int, int], gie: Organization) -> list[EntryDraft]:
    day = date(zero.year, 12, 31)
    drafts = []
    for share in shares:
        amount, member = share.amount, share.organization_id
        name = share.organization.legal_name_fr
        if zero.is_surplus:
            text = f"Transfert de l'excédent {zero.year} du GIE"
            gie_lines = (
                JournalLine(accounts.TRANSFER_OF_PROFITS, debit=amount, partner_id=member, description=name),
                JournalLine(accounts.JOINT_OPERATIONS_CREDIT, credit=amount, partner_id=member, description=name),
            )
            member_lines = (
                JournalLine(accounts.JOINT_OPERATIONS_DEBIT, debit=amount, partner_id=gie.pk, description=text),
                JournalLine(accounts.PROFIT_JOINT_OPERATIONS, credit=amount, partner_id=gie.pk, description=text),
            )
        else:
            text = f"Quote-part du déficit {zero.year} du GIE"
            gie_lines = (
                JournalLine(accounts.JOINT_OPERATIONS_DEBIT, debit=amount, partner_id=member, description=name),
                JournalLine(accounts.TRANSFER_OF_LOSSES, credit=amount, partner_id=member, description=name),
            )
            member_lines = (
                JournalLine(accounts.LOSS_JOINT_OPERATIONS, debit=amount, partner_id=gie.pk, description=text),
                JournalLine(accounts.JOINT_OPERATIONS_CREDIT, credit=amount, partner_id=gie.pk, description=text),
            )
        prefix = f"zero:{zero.year}:g{zero.generation}:{member}"
        for book_id, lines, side in ((books[gie.pk], gie_lines, "gie"), (books[member], member_lines, "member")):
            drafts.append(
                EntryDraft(
                    book_id=book_id,
                    posted_on=day,
                    journal=Journal.MISC,
                    description=(f"{text} : {name}" if side == "gie" else text)[:120],
                    source_ref=f"RN-{zero.year}",
                    idempotency_key=f"{prefix}:{side}",
                    lines=lines,
                )
            )
    return drafts


@transaction.atomic
def zero_result_post(
    *,
    year: int,
    key: str = Key.FEES,
    expected_result: Decimal | None = None,
    acting_user: Any = None,
    today: date | None = None,
) -> ZeroResult:
    """Post the transfer that leaves the GIE's result for ``year`` at 0.00. Once per year: a replay returns it."""
    gie = Organization.objects.select_for_update().get(kind=Organization.Kind.GIE)
    current = zero_result_current(year)
    if current is not None:
        return current
    check_year_ended(year, today)
    preview = zero_result_preview(year, key)
    if expected_result is not None and preview.result != expected_result:
        raise DomainError(ErrorCode.FEES_PREVIEW_CHANGED, expected=str(expected_result), actual=str(preview.result))
    zero = ZeroResult.objects.create(
        year=year,
        key=key,
        result=preview.result,
        generation=ZeroResult.objects.filter(year=year).count(),
        posted_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    sign = 1 if preview.result > 0 else -1
    shares = ZeroShare.objects.bulk_create(
        ZeroShare(zero=zero, organization=preview.members[line.key], weight=line.weight, amount=line.share)
        for line in preview.split.lines
    )
    books = dict(
        Book.objects.filter(organization_id__in=[gie.pk, *preview.members]).values_list("organization_id", "pk")
    )
    journal_entries_post(drafts=_drafts(zero, shares, books, gie), acting_user=acting_user, today=today)
    audit_record(
        actor=acting_user,
        event="fees.zero_result_posted",
        target=zero,
        data={"year": year, "result": str(preview.result), "members": len(shares), "sign": sign},
    )
    return zero


@transaction.atomic
def zero_result_undo(
    *, zero: ZeroResult, reason: str, acting_user: Any = None, today: date | None = None
) -> ZeroResult:
    """Reverse every entry of the transfer on 31 December (the year's result is what it was before)."""
    zero = ZeroResult.objects.select_for_update().get(pk=zero.pk)
    if zero.state == ZeroResult.State.UNDONE:
        return zero
    reason = reason.strip()
    if not reason:
        raise DomainError(ErrorCode.FEES_REASON_REQUIRED)
    day = date(zero.year, 12, 31)
    prefix = f"zero:{zero.year}:g{zero.generation}:"
    for entry in Entry.objects.filter(idempotency_key__startswith=prefix, reversal_of__isnull=True).order_by("pk"):
        journal_entry_reverse(entry=entry, reversed_on=day, acting_user=acting_user, reason=reason, today=today)
    zero.mark_undone(reason=reason, acting_user=acting_user, state=ZeroResult.State.UNDONE)
    audit_record(actor=acting_user, event="fees.zero_result_undone", target=zero, data={"reason": reason})
    return zero
