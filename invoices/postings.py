"""Which lines each invoicing event posts (DESIGN §6), as ledger drafts. Reads the documents it is given and the
posting rules; writes nothing (invoices/services.py posts the drafts through ledger.services)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.money import ZERO
from invoices.models import Document, DocumentLine, IssuerSettings, Payment
from ledger import accounts
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import posting_rule

#: the document origin → the posting-rule event giving revenue (GIE side) and expense (member side) accounts
ORIGIN_EVENTS = {
    Document.Origin.FEE_RUN: "service_fee",
    Document.Origin.TRAINING: "training_fee",
    Document.Origin.FAIR_COMMISSION: "fair_commission",
}
#: the account a payment method brings money into (cheques wait in 5111 until cashed)
MONEY_ACCOUNTS = {
    Payment.Method.CASH: accounts.CASH,
    Payment.Method.CHEQUE: accounts.CHEQUES_TO_CASH,
    Payment.Method.TRANSFER: accounts.BANK,
    Payment.Method.CARD: accounts.BANK,
    Payment.Method.MOBILE: accounts.BANK,
}


@dataclass(frozen=True, slots=True)
class Books:
    """Book ids by organization id (every organization an event touches has a book)."""

    by_organization: Mapping[int, int]

    def of(self, organization_id: int) -> int:
        return self.by_organization[organization_id]


def books_of(organizations: Iterable[int | None]) -> Books:
    """The books of the organizations an event touches (None: a customer that is not a member)."""
    organization_ids = {pk for pk in organizations if pk is not None}
    found = dict(Book.objects.filter(organization_id__in=organization_ids).values_list("organization_id", "pk"))
    missing = organization_ids - set(found)
    if missing:
        raise DomainError(ErrorCode.NO_BOOK, organization=sorted(missing)[0])
    return Books(found)


def is_cash_basis(document: Document) -> bool:
    return document.vat_regime != IssuerSettings.VatRegime.ACCRUAL


def buyer_organization_id(document: Document) -> int | None:
    """The member a document is addressed to, if any (a document to a member posts in both books)."""
    return document.customer.organization_id


def buyer_deducts(document: Document) -> bool:
    organization = document.customer.organization
    return organization is not None and organization.vat_status == "registered"


def revenue_account(document: Document, line: DocumentLine) -> str:
    if line.account_code:
        return line.account_code
    event = ORIGIN_EVENTS.get(Document.Origin(document.origin))
    if event is not None:
        return posting_rule(event, "gie").credit_account
    return accounts.SALES_PRODUCED if line.kind == DocumentLine.Kind.PRODUCT else accounts.SERVICES_SOLD


def expense_account(document: Document) -> str:
    if document.expense_account:
        return document.expense_account
    event = ORIGIN_EVENTS.get(Document.Origin(document.origin))
    if event is not None:
        return posting_rule(event, "member").debit_account
    return accounts.INTERMEDIARY_FEES


def _merged(lines: Iterable[JournalLine]) -> tuple[JournalLine, ...]:
    """One line per (account, partner, side, tag), zero amounts dropped, first-seen order."""
    sums: dict[tuple[str, int | None, str, str], Decimal] = defaultdict(lambda: ZERO)
    descriptions: dict[tuple[str, int | None, str, str], str] = {}
    for line in lines:
        side = "D" if line.debit else "C"
        key = (line.account_code, line.partner_id, side, line.tag)
        sums[key] += line.debit or line.credit
        descriptions.setdefault(key, line.description)
    merged = []
    for (code, partner, side, tag), amount in sums.items():
        if amount:
            debit, credit = (amount, ZERO) if side == "D" else (ZERO, amount)
            text = descriptions[(code, partner, side, tag)][:120]
            merged.append(JournalLine(code, debit, credit, partner, text, tag))
    return tuple(merged)


def _draft(book_id: int, posted_on: date, journal: Journal, text: str, ref: str, key: str, lines: Any) -> EntryDraft:
    return EntryDraft(
        book_id=book_id,
        posted_on=posted_on,
        journal=journal,
        description=text[:120],
        source_ref=ref[:60],
        idempotency_key=key,
        lines=_merged(lines),
    )


Row = tuple[str, Decimal, Decimal, int | None]


def _rows(rows: Iterable[Row], *, flip: bool) -> list[JournalLine]:
    """Lines from (account, debit, credit, partner) rows, zero rows left out; ``flip`` swaps the sides (the
    mirror image a credit note posts)."""
    if flip:
        rows = [(code, credit, debit, partner) for code, debit, credit, partner in rows]
    return _lines(*rows)


def document_drafts(
    document: Document,
    lines: Iterable[DocumentLine],
    books: Books,
    *,
    vat_from_transit: Mapping[int, Decimal] | None = None,
) -> list[EntryDraft]:
    """An invoice, or a credit note (the mirror image), in the issuer's book and, for a document to a member, in
    the member's. ``vat_from_transit`` (credit notes): per VAT rate id, the part taken off 44551 / 34554 rather
    than 4455 / 34552."""
    is_credit = document.kind == Document.Kind.CREDIT_NOTE
    cash = is_cash_basis(document)
    member = buyer_organization_id(document)
    issuer_rows: list[Row] = []
    vat_by_rate: dict[int, Decimal] = defaultdict(lambda: ZERO)
    revenue_codes: set[str] = set()
    for line in lines:
        revenue_codes.add(revenue_account(document, line))
        issuer_rows.append((revenue_account(document, line), ZERO, line.net, member))
        vat_by_rate[line.vat_rate_id] += line.vat

    def transit_part(rate_id: int, vat: Decimal) -> Decimal:
        if not cash:
            return ZERO
        if not is_credit:
            return vat
        return (vat_from_transit or {}).get(rate_id, ZERO)

    for rate_id, vat in vat_by_rate.items():
        transit = transit_part(rate_id, vat)
        issuer_rows.append((accounts.VAT_COLLECTED_TRANSIT, ZERO, transit, None))
        issuer_rows.append((accounts.VAT_COLLECTED, ZERO, vat - transit, None))
    gross = document.total_gross
    receivable = accounts.PARTNER_CURRENT_DEBIT if member else accounts.CUSTOMERS
    issuer_rows.append((receivable, gross, ZERO, member))
    prefix = "credit_note" if is_credit else "invoice"
    drafts = [
        _draft(
            books.of(document.issuer_id),
            document.issued_on,
            Journal.SALES,
            f"{document.get_kind_display()} {document.number} {document.customer.legal_name_fr}",
            document.number,
            f"{prefix}:{document.pk}:issuer",
            _tagged(_rows(issuer_rows, flip=is_credit), revenue_codes, document.analytic_tag),
        )
    ]
    if member:
        deducts = buyer_deducts(document)
        expense = expense_account(document)
        member_rows: list[Row] = [
            (expense, document.total_net, ZERO, document.issuer_id),
            (accounts.SUNDRY_CREDITORS, ZERO, gross, document.issuer_id),
        ]
        for rate_id, vat in vat_by_rate.items():
            if not deducts:  # an exempt member's VAT is a cost: its own line, no partner (eliminations match HT)
                member_rows.append((expense, vat, ZERO, None))
                continue
            transit = transit_part(rate_id, vat)
            member_rows.append((accounts.VAT_RECOVERABLE_TRANSIT, transit, ZERO, None))
            member_rows.append((accounts.VAT_RECOVERABLE_ON_CHARGES, vat - transit, ZERO, None))
        drafts.append(
            _draft(
                books.of(member),
                document.issued_on,
                Journal.PURCHASES,
                f"{document.get_kind_display()} {document.number} {document.issuer.legal_name_fr}",
                document.number,
                f"{prefix}:{document.pk}:buyer",
                _rows(member_rows, flip=is_credit),
            )
        )
    return drafts


def _tagged(lines: list[JournalLine], codes: set[str], tag: str) -> list[JournalLine]:
    """The revenue lines carry the document's analytic tag (none: the lines as they are)."""
    if not tag:
        return lines
    return [replace(line, tag=tag) if line.account_code in codes else line for line in lines]


def _lines(*pairs: tuple[str, Decimal, Decimal, int | None]) -> list[JournalLine]:
    """Lines from (account, debit, credit, partner), zero lines left out."""
    out = []
    for code, debit, credit, partner in pairs:
        if debit or credit:
            out.append(JournalLine(code, debit, credit, partner))
    return out


def counterpart(document: Document, collector_id: int) -> tuple[str, int | None]:
    """Where the collector credits money received for a document: its own receivable, or 4463·member when the
    GIE collects a mandate invoice for the member."""
    if document.issuer_id == collector_id:
        member = buyer_organization_id(document)
        return (accounts.PARTNER_CURRENT_DEBIT, member) if member else (accounts.CUSTOMERS, None)
    return accounts.PARTNER_CURRENT_CREDIT, document.issuer_id


def credit_account(payment: Payment) -> tuple[str, int | None]:
    """Where an unallocated amount waits as the payer's credit in the collector's book."""
    member = payment.payer.organization_id
    return (accounts.PARTNER_CURRENT_DEBIT, member) if member else (accounts.CUSTOMERS, None)


def settlement_drafts(
    payment: Payment,
    allocations: Iterable[tuple[Document, Decimal]],
    books: Books,
    *,
    key: str,
    posted_on: date,
    source: tuple[str, int | None] | None = None,
    unallocated: Decimal = ZERO,
) -> list[EntryDraft]:
    """Money applied to documents: in the collector's book (from the money account, or from the payer's credit
    when ``source`` is given), in each mandate issuer's book (3488·GIE / 3421), and in a paying member's book
    (4488·GIE / its bank) for a receipt. A compensation (``Payment.Method.OFFSET``) moves no money: the GIE takes
    it from what it owes the member (4463·member) and the member from what the GIE owes it (3488·GIE)."""
    allocations = list(allocations)
    collector = payment.collected_by_id
    total = sum((amount for _doc, amount in allocations), ZERO) + unallocated
    is_offset = payment.method == Payment.Method.OFFSET
    if source is None and is_offset:
        debit = [JournalLine(accounts.PARTNER_CURRENT_CREDIT, debit=total, partner_id=payment.payer.organization_id)]
    elif source is None:
        debit = [JournalLine(MONEY_ACCOUNTS[Payment.Method(payment.method)], debit=total)]
    else:
        debit = [JournalLine(source[0], debit=total, partner_id=source[1])]
    credits = []
    by_issuer: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for document, amount in allocations:
        code, partner = counterpart(document, collector)
        credits.append(JournalLine(code, credit=amount, partner_id=partner))
        if document.issuer_id != collector:
            by_issuer[document.issuer_id] += amount
    if unallocated:
        code, partner = credit_account(payment)
        credits.append(JournalLine(code, credit=unallocated, partner_id=partner))
    label = f"{payment.get_method_display()} {payment.payer.legal_name_fr} {payment.reference}".strip()
    collector_lines = _merged(debit + credits)
    drafts = []
    if len(collector_lines) >= 2:  # applying a credit to a document of the same account moves nothing
        drafts.append(
            _draft(
                books.of(collector),
                posted_on,
                _journal(payment, source),
                label,
                payment.reference or f"PAY-{payment.pk}",
                f"{key}:collector",
                collector_lines,
            )
        )
    for issuer_id, amount in by_issuer.items():
        drafts.append(
            _draft(
                books.of(issuer_id),
                posted_on,
                Journal.MISC,
                f"Encaissé par le GIE : {label}",
                payment.reference or f"PAY-{payment.pk}",
                f"{key}:mandate:{issuer_id}",
                _lines(
                    (accounts.SUNDRY_DEBTORS, amount, ZERO, collector),
                    (accounts.CUSTOMERS, ZERO, amount, None),
                ),
            )
        )
    payer_member = payment.payer.organization_id
    if payer_member and source is None:
        member_money = accounts.CASH if payment.method == Payment.Method.CASH else accounts.BANK
        money_partner = None
        if is_offset:  # netted against what the GIE owes the member for its sales
            member_money, money_partner = accounts.SUNDRY_DEBTORS, collector
        drafts.append(
            _draft(
                books.of(payer_member),
                posted_on,
                _journal(payment, None),
                f"{label} → {payment.collected_by.legal_name_fr}",
                payment.reference or f"PAY-{payment.pk}",
                f"{key}:payer",
                _lines(
                    (accounts.SUNDRY_CREDITORS, total, ZERO, collector),
                    (member_money, ZERO, total, money_partner),
                ),
            )
        )
    return drafts


def _journal(payment: Payment, source: Any) -> Journal:
    if source is not None or payment.method == Payment.Method.OFFSET:
        return Journal.MISC
    return Journal.CASH if payment.method == Payment.Method.CASH else Journal.BANK


def vat_move_drafts(
    document: Document, vat: Decimal, books: Books, *, key: str, posted_on: date, ref: str
) -> list[EntryDraft]:
    """Cash basis: VAT a payment settles moves from 44551 to 4455 in the issuer's book, and for a member that
    deducts, from 34554 to 34552 in its book (its right to deduct arises on payment)."""
    if not vat or not is_cash_basis(document):
        return []
    drafts = [
        _draft(
            books.of(document.issuer_id),
            posted_on,
            Journal.MISC,
            f"TVA encaissée {document.number}",
            ref,
            f"{key}:vat:issuer",
            _lines((accounts.VAT_COLLECTED_TRANSIT, vat, ZERO, None), (accounts.VAT_COLLECTED, ZERO, vat, None)),
        )
    ]
    member = buyer_organization_id(document)
    if member and buyer_deducts(document):
        drafts.append(
            _draft(
                books.of(member),
                posted_on,
                Journal.MISC,
                f"TVA récupérable {document.number}",
                ref,
                f"{key}:vat:buyer",
                _lines(
                    (accounts.VAT_RECOVERABLE_ON_CHARGES, vat, ZERO, None),
                    (accounts.VAT_RECOVERABLE_TRANSIT, ZERO, vat, None),
                ),
            )
        )
    return drafts


def cheque_cashed_draft(payment: Payment, books: Books, *, posted_on: date) -> EntryDraft:
    return _draft(
        books.of(payment.collected_by_id),
        posted_on,
        Journal.BANK,
        f"Remise de chèque {payment.reference} {payment.payer.legal_name_fr}",
        payment.reference or f"PAY-{payment.pk}",
        f"payment:{payment.pk}:cashed",
        _lines((accounts.BANK, payment.amount, ZERO, None), (accounts.CHEQUES_TO_CASH, ZERO, payment.amount, None)),
    )


def write_off_draft(
    document: Document, amount: Decimal, vat: Decimal, books: Books, *, key: str, posted_on: date, loss_account: str
) -> EntryDraft:
    """The small unpaid rest of an outside customer's invoice: a loss for its net part, the VAT never collected
    taken back off 44551 (4455 under the débits regime)."""
    vat_account = accounts.VAT_COLLECTED_TRANSIT if is_cash_basis(document) else accounts.VAT_COLLECTED
    return _draft(
        books.of(document.issuer_id),
        posted_on,
        Journal.MISC,
        f"Écart de règlement {document.number}",
        document.number,
        key,
        _lines(
            (loss_account, amount - vat, ZERO, None),
            (vat_account, vat, ZERO, None),
            (accounts.CUSTOMERS, ZERO, amount, None),
        ),
    )
