"""What the demo's books call for once the documents and payments are in, drafted from what was recorded:

- **Settlements.** The GIE collects its members' invoices on its own account (mandate). At each month end it pays
  each member by transfer what came in for it that month: transfers and card payments on the day received, a cheque
  the day it was cashed (a cheque not yet cashed waits).
- **VAT returns.** A VAT-registered book (the GIE, one cooperative) liquidates each complete quarter at its end
  (``invoices.vat.vat_liquidate``: 4455 − 34552 → 4456 or 3456) and pays what is due the 20th of the next month; a
  credit is carried forward. One quarter after the other, each before its last month's fee runs (``seed``), so
  the same books give the same returns when the demo is seeded again and the runs count them.

Keys ``demo:settlement:<slug>:<yyyy-mm>:<side>`` and ``demo:vat-return:<slug>:<yyyy>-T<q>``.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from gie_erp.core.money import ZERO, from_centimes
from gie_erp.demo.ledger_year import DEMO_TODAY, DEMO_YEAR, QUARTER_ENDS, quarter_of
from invoices.models import Allocation, Payment
from invoices.vat_liquidation import vat_liquidate
from ledger import accounts as acc
from ledger.models import Book, Journal
from ledger.periods import last_day
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import movement_centimes
from ledger.services import journal_entry_post
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


def vat_returns_post(*, books: Sequence[Book], quarter_ends: Sequence[int] = QUARTER_ENDS) -> int:
    """Each complete quarter of each VAT-registered book: the liquidation at the quarter's end (the invoices app's
    service: 4455 − 34552 → 4456 or 3456), then the VAT due paid from the bank on the 20th of the next month (a
    credit is carried forward). One quarter after the other, so that each liquidation sees the previous one."""
    posted = 0
    for quarter_end in quarter_ends:
        for book in books:
            start = date(DEMO_YEAR, quarter_end - 2, 1)
            end = last_day(DEMO_YEAR, quarter_end)
            ref = vat_liquidate(
                organization=book.organization, start=start, end=end, acting_user=None, today=DEMO_TODAY
            )
            if ref is None:
                continue
            posted += ref.created
            due = _due_from(book, end)
            if due > 0:
                posted += journal_entry_post(
                    book=book,
                    posted_on=date(DEMO_YEAR, quarter_end + 1, 20),
                    journal=Journal.BANK,
                    lines=[JournalLine(acc.VAT_DUE, debit=due), JournalLine(acc.BANK, credit=due)],
                    description=f"Paiement de la TVA T{quarter_of(quarter_end)}",
                    source_ref=f"TVA-{DEMO_YEAR}-T{quarter_of(quarter_end)}",
                    idempotency_key=f"demo:vat-return:{book.organization.slug}:{DEMO_YEAR}-T{quarter_of(quarter_end)}",
                    today=DEMO_TODAY,
                ).created
    return posted


def _due_from(book: Book, end: date) -> Decimal:
    """What 4456 (VAT due) holds at ``end``: the liquidation just posted, the earlier ones being paid."""
    totals = movement_centimes(book_ids=[book.pk], start=None, end=end)
    debit, credit = totals.get((book.pk, acc.VAT_DUE), (0, 0))
    return from_centimes(credit - debit)
