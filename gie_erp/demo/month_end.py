"""What the demo's books call for once the documents and payments are in, drafted from what was recorded:

- **Settlements.** The GIE collects its members' invoices on its own account (mandate). At each month end it pays
  each member by transfer what came in for it that month: transfers and card payments on the day received, a cheque
  the day it was cashed (a cheque not yet cashed waits).
- **VAT returns.** A VAT-registered book (the GIE, one cooperative) declares each complete quarter the 20th of the
  next month: the balance of 4455 (VAT due: cash basis, what was collected) less that of 34552 (VAT deductible) at
  the quarter's end, paid from the bank; a credit is carried forward. Posted one quarter after the other, so each
  return sees the previous one and the same books give the same returns when the demo is seeded again.

Keys ``demo:settlement:<slug>:<yyyy-mm>:<side>`` and ``demo:vat-return:<slug>:<yyyy>-T<q>``.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from gie_erp.core.money import ZERO, from_centimes
from gie_erp.demo.ledger_year import DEMO_TODAY, DEMO_YEAR, QUARTER_ENDS, quarter_of
from invoices.models import Allocation, Payment
from ledger import accounts as acc
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import last_day, movement_centimes
from ledger.services import journal_entries_post
from members.models import Organization

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")  # fmt: skip


def _cash_in_on(payment: Payment) -> date | None:
    """The day the money was in: the receipt, or for a cheque the day it was cashed (None: not yet)."""
    if payment.method == Payment.Method.CHEQUE:
        return payment.cashed_on
    return payment.received_on


def settlement_drafts(*, gie: Organization, books: Mapping[int, Book]) -> list[EntryDraft]:
    """The GIE pays each member, at month end, what it collected that month on the member's documents."""
    collected: dict[tuple[int, int, int], Decimal] = defaultdict(lambda: ZERO)
    allocations = Allocation.objects.filter(payment__collected_by=gie).exclude(document__issuer=gie)
    for allocation in allocations.select_related("payment", "document"):
        cash_in = _cash_in_on(allocation.payment)
        if cash_in is not None and cash_in.year == DEMO_YEAR:
            collected[(allocation.document.issuer_id, cash_in.year, cash_in.month)] += allocation.amount
    gie_book = books[gie.pk]
    drafts = []
    for (member_id, year, month), amount in sorted(collected.items()):
        book = books[member_id]
        slug, paid_on = book.organization.slug, min(last_day(year, month), DEMO_TODAY)
        key, ref, period = f"demo:settlement:{slug}:{year}-{month:02d}", f"REV-{year}-{month:02d}", MONTHS_FR[month - 1]
        drafts += [
            EntryDraft(gie_book.pk, paid_on, Journal.BANK, f"Reversement à {slug} des encaissements de {period}", ref,
                       f"{key}:gie", (JournalLine(acc.PARTNER_CURRENT_CREDIT, debit=amount, partner_id=member_id),
                                      JournalLine(acc.BANK, credit=amount))),
            EntryDraft(book.pk, paid_on, Journal.BANK, f"Reversement du GIE : factures encaissées en {period}", ref,
                       f"{key}:member", (JournalLine(acc.BANK, debit=amount),
                                         JournalLine(acc.SUNDRY_DEBTORS, credit=amount, partner_id=gie.pk))),
        ]  # fmt: skip
    return drafts


def vat_returns_post(*, books: Sequence[Book]) -> int:
    """File each complete quarter's VAT return of each book, one quarter after the other; the entries posted."""
    posted = 0
    for quarter_end in QUARTER_ENDS:
        drafts = [draft for book in books if (draft := _vat_return(book, quarter_end)) is not None]
        posted += sum(ref.created for ref in journal_entries_post(drafts=drafts, today=DEMO_TODAY))
    return posted


def _vat_return(book: Book, quarter_end: int) -> EntryDraft | None:
    totals = movement_centimes(book_ids=[book.pk], start=None, end=last_day(DEMO_YEAR, quarter_end))
    due_debit, due_credit = totals.get((book.pk, acc.VAT_COLLECTED), (0, 0))
    deductible_debit, deductible_credit = totals.get((book.pk, acc.VAT_RECOVERABLE_ON_CHARGES), (0, 0))
    collected = from_centimes(due_credit - due_debit)
    recovered = max(from_centimes(deductible_debit - deductible_credit), ZERO)
    if collected <= recovered:
        return None  # nothing to pay: a credit of VAT is carried forward
    quarter = quarter_of(quarter_end)
    lines = [JournalLine(acc.VAT_COLLECTED, debit=collected)]
    if recovered > 0:
        lines.append(JournalLine(acc.VAT_RECOVERABLE_ON_CHARGES, credit=recovered))
    lines.append(JournalLine(acc.BANK, credit=collected - recovered))
    return EntryDraft(
        book_id=book.pk,
        posted_on=date(DEMO_YEAR, quarter_end + 1, 20),
        journal=Journal.BANK,
        description=f"Déclaration de TVA T{quarter}",
        source_ref=f"TVA-{DEMO_YEAR}-T{quarter}",
        idempotency_key=f"demo:vat-return:{book.organization.slug}:{DEMO_YEAR}-T{quarter}",
        lines=tuple(lines),
    )
