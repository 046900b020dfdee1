"""VAT of one book for a declaration period: what was collected and what may be deducted (DESIGN §6, cash basis)
and the relevé des déductions. The periods are in ``invoices/vat_periods.py``; the liquidation that clears 4455
and 34552 into 4456 (VAT due) or 3456 (VAT credit) in ``invoices/vat_liquidation.py``.

Cash basis: a sale's VAT reaches 4455 when the money is in (the allocation's date, or the day its cheque is
cashed); a member's VAT on a document from the GIE reaches 34552 the same way. Credit notes take back what they
took from 4455 / 34552 on their date. Under the débits regime (a document's regime is frozen at validation) the VAT
reaches 4455 / 34552 on the document's date. The summary rebuilds these figures from the documents and sets them
beside the ledger's own, so that a difference shows.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.money import ZERO, allocate, to_mad
from invoices.models import Allocation, Document, DocumentTax, IssuerSettings, Payment, VatRate, WriteOff
from invoices.vat_periods import vat_period_code, vat_period_kind, vat_regime
from ledger import accounts
from ledger.models import Book, Entry
from ledger.selectors import general_ledger
from members.models import Organization

#: the key prefixes of what invoices/services.py posts: entries made from documents and payments
DOCUMENT_KEY_PREFIXES = ("invoice:", "credit_note:", "payment:")
LIQUIDATION_KEY_PREFIX = "vat:"


def cash_in_on(*, is_cheque: bool, allocated_on: date, cashed_on: date | None) -> date | None:
    """The day an allocation's VAT becomes due on the cash basis: the allocation's date, or for a cheque the day
    it is cashed if later (None while it is not); that is the date of the 44551 → 4455 entry."""
    if not is_cheque:
        return allocated_on
    if cashed_on is None:
        return None
    return max(allocated_on, cashed_on)


# --- VAT moves rebuilt from the documents -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VatMove:
    """One event that moved VAT into 4455 (sales) or 34552 (a member's purchases from the GIE), signed: a credit
    note or a write-off takes back. ``by_rate``: VAT rate id → (base HT, VAT)."""

    on: date
    kind: str  # "payment", "credit_note", "invoice" (débits regime), "write_off" (débits regime)
    document: Document
    payment: Payment | None
    by_rate: Mapping[int, tuple[Decimal, Decimal]]

    @property
    def net(self) -> Decimal:
        return sum((base for base, _vat in self.by_rate.values()), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((vat for _base, vat in self.by_rate.values()), ZERO)


def _split_base(
    amount: Decimal, vat_by_rate: Mapping[int, Decimal], taxes: Sequence[DocumentTax]
) -> dict[int, tuple[Decimal, Decimal]]:
    """An amount paid (TTC) as (base HT, VAT) per rate: its VAT as recorded, the rest split pro rata of the
    document's base per rate (largest remainder, so the parts add up to the amount)."""
    net = amount - sum(vat_by_rate.values(), ZERO)
    weights = {tax.vat_rate_id: tax.net for tax in taxes if tax.net > 0}
    bases = allocate(net, weights) if weights and net else {}
    ids = set(vat_by_rate) | set(bases) or {tax.vat_rate_id for tax in taxes[:1]}
    return {rate_id: (bases.get(rate_id, ZERO), vat_by_rate.get(rate_id, ZERO)) for rate_id in ids}


def _vat_by_rate(data: Mapping[str, Any]) -> dict[int, Decimal]:
    return {int(rate_id): Decimal(str(amount)) for rate_id, amount in data.items()}


def _is_accrual(document: Document) -> bool:
    return document.vat_regime == IssuerSettings.VatRegime.ACCRUAL


def vat_moves(*, documents: QuerySet[Document], start: date, end: date, with_write_offs: bool) -> list[VatMove]:
    """What moved VAT to the collected (or deductible) account in [start, end] for these documents (a queryset of
    validated documents): allocations once the money is in (cash basis), credit notes on their date, documents of
    the débits regime on their date and, with ``with_write_offs``, their write-offs."""
    documents = documents.filter(status=Document.Status.VALIDATED)
    taxes: dict[int, list[DocumentTax]] = defaultdict(list)
    moves: list[VatMove] = []
    candidates = (
        Allocation.objects.filter(document__in=documents, allocated_on__lte=end)
        .filter(Q(allocated_on__gte=start) | Q(payment__cashed_on__gte=start))  # the money may be in later
        .exclude(document__vat_regime=IssuerSettings.VatRegime.ACCRUAL)
        .select_related("payment", "document", "document__issuer")
        .order_by("pk")
    )
    cash_in = {a.pk: _allocation_cash_in(a) for a in candidates}
    allocations = [a for a in candidates if (on := cash_in[a.pk]) is not None and start <= on <= end]
    in_period = documents.filter(issued_on__gte=start, issued_on__lte=end)
    credit_notes = list(
        in_period.filter(kind=Document.Kind.CREDIT_NOTE)
        .select_related("issuer", "corrects")
        .order_by("issued_on", "pk")
    )
    accrual = list(
        in_period.filter(kind=Document.Kind.INVOICE, vat_regime=IssuerSettings.VatRegime.ACCRUAL)
        .select_related("issuer")
        .order_by("issued_on", "pk")
    )
    write_offs = (
        list(
            WriteOff.objects.filter(
                document__in=documents,
                document__vat_regime=IssuerSettings.VatRegime.ACCRUAL,
                written_on__gte=start,
                written_on__lte=end,
            )
            .select_related("document", "document__issuer")
            .order_by("written_on", "pk")
        )
        if with_write_offs
        else []
    )
    wanted = {a.document_id for a in allocations} | {d.pk for d in credit_notes + accrual}
    wanted |= {w.document_id for w in write_offs}
    for tax in DocumentTax.objects.filter(document_id__in=wanted).order_by("document_id", "pk"):
        taxes[tax.document_id].append(tax)
    for allocation in allocations:
        by_rate = _split_base(allocation.amount, _vat_by_rate(allocation.vat_by_rate), taxes[allocation.document_id])
        moves.append(
            VatMove(cash_in[allocation.pk] or end, "payment", allocation.document, allocation.payment, by_rate)
        )
    for note in credit_notes:
        accrual_note = note.corrects is not None and _is_accrual(note.corrects)
        by_rate = {
            tax.vat_rate_id: (
                -(to_mad(tax.net * tax.vat_settled / tax.vat) if tax.vat else (tax.net if accrual_note else ZERO)),
                -tax.vat_settled,
            )
            for tax in taxes[note.pk]
        }
        moves.append(VatMove(note.issued_on, "credit_note", note, None, by_rate))
    for invoice in accrual:
        by_rate = {tax.vat_rate_id: (tax.net, tax.vat) for tax in taxes[invoice.pk]}
        moves.append(VatMove(invoice.issued_on, "invoice", invoice, None, by_rate))
    for write_off in write_offs:
        split = _split_base(write_off.amount, _vat_by_rate(write_off.vat_by_rate), taxes[write_off.document_id])
        by_rate = {rate_id: (-base, -vat) for rate_id, (base, vat) in split.items()}
        moves.append(VatMove(write_off.written_on, "write_off", write_off.document, None, by_rate))
    moves.sort(key=lambda move: (move.on, move.document.number, move.kind))
    return moves


def _allocation_cash_in(allocation: Allocation) -> date | None:
    payment = allocation.payment
    return cash_in_on(
        is_cheque=payment.method == Payment.Method.CHEQUE,
        allocated_on=allocation.allocated_on,
        cashed_on=payment.cashed_on,
    )


def _sales(organization: Organization) -> QuerySet[Document]:
    return Document.objects.filter(issuer=organization)


def _purchases(organization: Organization) -> QuerySet[Document]:
    return Document.objects.filter(customer__organization=organization)


def deducts_vat(organization: Organization) -> bool:
    """A member registered for VAT deducts the VAT it is billed; an exempt one (art. 91) books it as a cost."""
    return organization.vat_status == Organization.VatStatus.REGISTERED


# --- the ledger's side --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerVatLine:
    """A line of an entry on 4455 or 34552 that no document made (a purchase entered directly in the ledger, a
    fair sale, an opening balance), signed in the account's usual direction."""

    entry_id: UUID
    number: str
    posted_on: date
    description: str
    source_ref: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LedgerVatFigures:
    debit: Decimal  # movements of the account in the period, liquidation entries left out
    credit: Decimal
    other: tuple[LedgerVatLine, ...]


def ledger_vat_figures(*, book: Book, code: str, start: date, end: date, sign: int) -> LedgerVatFigures:
    """One account's movements in [start, end] without the liquidations (``vat:`` keys), and the lines of entries
    not made from documents; ``sign`` +1 reads a debit as positive (34552), −1 a credit (4455)."""
    _opening, lines = general_ledger(book=book, code=code, start=start, end=end)
    keys = dict(Entry.objects.filter(pk__in={line.entry_id for line in lines}).values_list("pk", "idempotency_key"))
    debit = credit = ZERO
    other = []
    for line in lines:
        key = keys.get(line.entry_id, "")
        if key.startswith(LIQUIDATION_KEY_PREFIX):
            continue
        debit += line.debit
        credit += line.credit
        if not key.startswith(DOCUMENT_KEY_PREFIXES):
            amount = (line.debit - line.credit) * sign
            other.append(
                LedgerVatLine(line.entry_id, line.number, line.posted_on, line.description, line.source_ref, amount)
            )
    return LedgerVatFigures(debit, credit, tuple(other))


# --- liquidations already posted (their entries are left out of the ledger's figures) ---------------------


def vat_liquidation_key(*, book: Book, start: date, end: date) -> str:
    return f"{LIQUIDATION_KEY_PREFIX}{book.pk}:{start}:{end}"


def vat_liquidation_get(*, book: Book, start: date, end: date) -> Entry | None:
    """The liquidation entry posted for this period, if any."""
    return Entry.objects.filter(book=book, idempotency_key=vat_liquidation_key(book=book, start=start, end=end)).first()


# --- summary ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VatRateTotal:
    rate: Decimal  # 0.2000
    base: Decimal
    vat: Decimal


@dataclass(frozen=True, slots=True)
class VatSide:
    """Collected (4455) or deductible (34552) VAT of a period: per rate from the documents, the other entries on
    the account, and the ledger's own movements to compare."""

    account_code: str
    by_rate: tuple[VatRateTotal, ...]
    other: tuple[LedgerVatLine, ...]
    ledger_debit: Decimal
    ledger_credit: Decimal
    ledger_net: Decimal  # in the account's usual direction: credits − debits of 4455, debits − credits of 34552

    @property
    def documents_vat(self) -> Decimal:
        return sum((row.vat for row in self.by_rate), ZERO)

    @property
    def other_vat(self) -> Decimal:
        return sum((line.amount for line in self.other), ZERO)

    @property
    def total(self) -> Decimal:
        return self.documents_vat + self.other_vat

    @property
    def difference(self) -> Decimal:
        """The ledger's figure less the documents' and other entries' (0.00 when the books agree)."""
        return self.ledger_net - self.total


@dataclass(frozen=True, slots=True)
class VatSummary:
    organization: Organization
    start: date
    end: date
    period_kind: str
    regime: str
    deducts: bool
    collected: VatSide
    deductible: VatSide
    liquidation: Entry | None = field(default=None)

    @property
    def balance(self) -> Decimal:
        """Collected less deductible: VAT due when positive, a VAT credit when negative."""
        return self.collected.total - self.deductible.total

    @property
    def due(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def credit(self) -> Decimal:
        return max(-self.balance, ZERO)

    @property
    def has_difference(self) -> bool:
        return bool(self.collected.difference or self.deductible.difference)

    @property
    def code(self) -> str:
        return vat_period_code(self.start, self.end)


def rate_totals(moves: Iterable[VatMove]) -> tuple[VatRateTotal, ...]:
    """Base and VAT per rate value (rates with the same value but different validity are one line), highest
    rate first."""
    moves = list(moves)
    rate_ids = {rate_id for move in moves for rate_id in move.by_rate}
    rates = dict(VatRate.objects.filter(pk__in=rate_ids).values_list("pk", "rate"))
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for move in moves:
        for rate_id, (base, vat) in move.by_rate.items():
            cell = sums[rates[rate_id]]
            cell[0] += base
            cell[1] += vat
    return tuple(VatRateTotal(rate, base, vat) for rate, (base, vat) in sorted(sums.items(), reverse=True))


def book_of(organization: Organization) -> Book:
    book = Book.objects.filter(organization=organization).first()
    if book is None:
        raise DomainError(ErrorCode.NO_BOOK, organization=organization.pk)
    return book


def vat_summary(*, organization: Organization, start: date, end: date) -> VatSummary:
    """The VAT of [start, end] for one book: collected (what moved to 4455: payments' VAT once the money is in,
    less credit notes' VAT taken from 4455, plus the VAT of documents of the débits regime dated in the period),
    deductible (what moved to 34552, by the same rules, on documents addressed to this organization as a member
    when it deducts), each beside the ledger's own movements of the account in the period."""
    book = book_of(organization)
    deducts = deducts_vat(organization)
    sales = vat_moves(documents=_sales(organization), start=start, end=end, with_write_offs=True)
    purchases = (
        vat_moves(documents=_purchases(organization), start=start, end=end, with_write_offs=False) if deducts else []
    )
    collected_ledger = ledger_vat_figures(book=book, code=accounts.VAT_COLLECTED, start=start, end=end, sign=-1)
    deductible_ledger = ledger_vat_figures(
        book=book, code=accounts.VAT_RECOVERABLE_ON_CHARGES, start=start, end=end, sign=1
    )
    collected = VatSide(
        accounts.VAT_COLLECTED,
        rate_totals(sales),
        collected_ledger.other,
        collected_ledger.debit,
        collected_ledger.credit,
        collected_ledger.credit - collected_ledger.debit,
    )
    deductible = VatSide(
        accounts.VAT_RECOVERABLE_ON_CHARGES,
        rate_totals(purchases),
        deductible_ledger.other,
        deductible_ledger.debit,
        deductible_ledger.credit,
        deductible_ledger.debit - deductible_ledger.credit,
    )
    return VatSummary(
        organization=organization,
        start=start,
        end=end,
        period_kind=vat_period_kind(organization),
        regime=vat_regime(organization),
        deducts=deducts,
        collected=collected,
        deductible=deductible,
        liquidation=vat_liquidation_get(book=book, start=start, end=end),
    )


# --- relevé des déductions ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeductionRow:
    supplier_name: str
    supplier_if: str
    supplier_ice: str
    number: str  # the invoice (or credit note) number; the entry number for a ledger line
    issued_on: date | None
    paid_on: date | None
    method: str
    net: Decimal | None  # HT paid (None for a ledger line: unknown)
    vat: Decimal
    description: str = ""

    @property
    def gross(self) -> Decimal | None:
        return None if self.net is None else self.net + self.vat


def deductions_list(*, organization: Organization, start: date, end: date) -> list[DeductionRow]:
    """The relevé des déductions of [start, end]: one row per payment of a document addressed to this member (its
    supplier's name, IF and ICE as printed on the document, the invoice's number and date, the day the payment
    counted, the HT paid and the VAT deducted), a credit note as a negative row, a document of the débits regime
    on its date. Purchases entered directly in the ledger carry no supplier detail: each is listed as one line per
    ledger entry on 34552, with the entry's number, date and description. Empty for a member that does not deduct
    (its VAT is a cost)."""
    rows: list[DeductionRow] = []
    if deducts_vat(organization):
        for move in vat_moves(documents=_purchases(organization), start=start, end=end, with_write_offs=False):
            document = move.document
            snapshot = document.issuer_snapshot or {}
            rows.append(
                DeductionRow(
                    supplier_name=snapshot.get("name_fr") or document.issuer.legal_name_fr,
                    supplier_if=snapshot.get("if_number") or document.issuer.if_number,
                    supplier_ice=snapshot.get("ice") or document.issuer.ice,
                    number=document.number,
                    issued_on=document.issued_on,
                    paid_on=move.on if move.payment is not None else None,
                    method=move.payment.get_method_display() if move.payment is not None else "",
                    net=move.net,
                    vat=move.vat,
                )
            )
    book = book_of(organization)
    figures = ledger_vat_figures(book=book, code=accounts.VAT_RECOVERABLE_ON_CHARGES, start=start, end=end, sign=1)
    for line in figures.other:
        rows.append(
            DeductionRow(
                supplier_name="",
                supplier_if="",
                supplier_ice="",
                number=line.number,
                issued_on=None,
                paid_on=line.posted_on,
                method="",
                net=None,
                vat=line.amount,
                description=line.description,
            )
        )
    rows.sort(key=lambda row: (row.paid_on or row.issued_on or date.min, row.number))
    return rows
