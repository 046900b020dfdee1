"""Consigned stock: what each member deposits for an event, per product; what it takes back at the end; and the
reconciliation deposited − sold − returned, where *sold* is the sum of the event's ticket lines for the product
(refunds carry negative quantities, so they are netted).

A positive difference is goods missing. The accountant decides each one: borne by the member (nothing posted), or
paid by the GIE as a sale to the GIE at the ticket price: member Dr 3488·GIE / Cr 7121 (+ Cr 4455 at the
product's rate for a VAT-registered member); GIE Dr the loss account / Cr 4463·member, accounts from the posting
rule ``consignment_loss``. Both entries are posted together, once per deposit (idempotency key
``consignment:<deposit id>``), and a deposit paid by the GIE no longer changes.

What a person types is checked before anything is written: a deposit or return dated within the event (a day
before or after for setting up and taking down, as the till allows; a permanent shop has no last day), whole
numbers for goods counted by the piece, box or pot (only kg and litres take decimals), and never more back than
deposited − sold.

Reads for the pages and the cooperative's portal: ``stock_of(event, organization)``, ``reconciliation(event)``, and
``stock_questions(event)`` (what a settlement should wait for: returns not entered, shortages not decided, and
products sold beyond what was deposited — a tally typed wrong, or a deposit never entered).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_day
from gie_erp.core.idempotency import retry_once_on_conflict
from invoices.services import vat_rate_on
from ledger import accounts
from ledger.models import Book, Journal, PostingRule
from ledger.posting import EntryDraft, JournalLine
from ledger.selectors import posting_rule
from ledger.services import journal_entries_post
from members.models import Organization
from sales.events import TILL_MARGIN
from sales.maths import line_amount, vat_inside
from sales.models import Deposit, Event, Participation, Product, TicketLine
from sales.quantities import QUANTUM, format_quantity

DEPOSITS_RECORDED = "sales.deposits_recorded"
RETURNS_RECORDED = "sales.returns_recorded"
DIFFERENCE_DECIDED = "sales.difference_decided"
NO_QUANTITY = Decimal("0.000")
#: units sold by weight or volume, the only ones a quantity may split (a pot, a box, a piece is whole)
DIVISIBLE_UNITS = frozenset({Product.Unit.KG, Product.Unit.LITRE})


@dataclass(frozen=True, slots=True)
class StockRow:
    """One product of one member at an event: deposited, sold (net of refunds), returned (None until entered)."""

    product: Product
    deposit: Deposit | None
    deposited: Decimal
    sold: Decimal
    returned: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        """Deposited − sold − returned: positive is goods missing; None while the returns are not entered, unless
        more was sold than deposited, which no return can explain (negative, returns counted as nothing). A product
        sold without a deposit has none: it is listed as such."""
        if self.returned is None:
            return self.deposited - self.sold if self.deposit is not None and self.oversold else None
        return self.deposited - self.sold - self.returned

    @property
    def oversold(self) -> bool:
        """More sold than deposited: a paper tally typed wrong, or goods sold without a deposit entered."""
        return self.sold > self.deposited

    @property
    def decision(self) -> str:
        return self.deposit.decision if self.deposit is not None else ""

    @property
    def needs_decision(self) -> bool:
        difference = self.difference
        return difference is not None and difference > 0 and self.decision == Deposit.Decision.PENDING

    @property
    def decision_outdated(self) -> bool:
        """Tickets synced after the decision changed the difference: the accountant should look again."""
        deposit = self.deposit
        if deposit is None or not deposit.decision:
            return False
        return deposit.decided_quantity != self.difference


def sold_quantities(event: Event, organization_id: int | None = None) -> dict[int, Decimal]:
    """Quantity sold per product at the event, refunds netted (one GROUP BY over the event's ticket lines)."""
    lines = TicketLine.objects.filter(ticket__event=event, product__isnull=False)
    if organization_id is not None:
        lines = lines.filter(organization_id=organization_id)
    return {
        row["product_id"]: Decimal(row["sold"]).quantize(QUANTUM)
        for row in lines.values("product_id").annotate(sold=Sum("quantity"))
    }


def _stock_rows(event: Event, organization_id: int | None) -> list[StockRow]:
    deposits = Deposit.objects.filter(event=event).select_related("product__organization")
    if organization_id is not None:
        deposits = deposits.filter(organization_id=organization_id)
    sold = sold_quantities(event, organization_id)
    rows = [StockRow(d.product, d, d.deposited, sold.get(d.product_id, NO_QUANTITY), d.returned) for d in deposits]
    undeposited = set(sold) - {row.product.pk for row in rows}
    for product in Product.objects.filter(pk__in=undeposited).select_related("organization"):
        rows.append(StockRow(product, None, NO_QUANTITY, sold[product.pk], None))
    rows.sort(key=lambda row: (row.product.organization.legal_name_fr, row.product.code))
    return rows


def stock_of(event: Event, organization: Organization) -> list[StockRow]:
    """One member's stock at an event (its deposits, and what it sold without a deposit), for its portal."""
    return _stock_rows(event, organization.pk)


def reconciliation(event: Event) -> list[StockRow]:
    """Every member's stock at an event, by member then product code."""
    return _stock_rows(event, None)


class StockQuestions(NamedTuple):
    """What consignment still leaves open before settling."""

    returns_missing: int
    decisions_pending: int
    oversold: int


def oversold_rows(rows: list[StockRow]) -> list[StockRow]:
    """The products sold beyond what was deposited, for the members that deposit at the event: a deposited product
    sold above its deposit, or a product sold without one. A member with no deposit at all does not use
    consignment there (the shop's shelves, goods brought without a note): its sales are no question."""
    depositors = {row.product.organization_id for row in rows if row.deposit is not None}
    return [row for row in rows if row.oversold and row.product.organization_id in depositors]


def stock_questions(event: Event, organization_id: int | None = None) -> StockQuestions:
    """What consignment still leaves open before settling (every member, or one): the deposits whose return is not
    entered yet, the shortages waiting for the accountant's decision, and the products sold beyond what was
    deposited (``oversold_rows``). Reads only. A permanent shop's goods stay on its shelves, so its returns are
    never "missing"."""
    return questions_in(event, _stock_rows(event, organization_id))


def questions_in(event: Event, rows: list[StockRow]) -> StockQuestions:
    """``stock_questions`` over rows already read (``reconciliation`` or ``stock_of``)."""
    returns_missing = 0
    if event.ends_on is not None:
        returns_missing = sum(1 for row in rows if row.deposit is not None and row.deposited and row.returned is None)
    return StockQuestions(
        returns_missing=returns_missing,
        decisions_pending=sum(1 for row in rows if row.needs_decision),
        oversold=len(oversold_rows(rows)),
    )


# Checks of what a person types ---------------------------------------------------------------------------------------


def day_check(event: Event, day: date) -> None:
    """A deposit or a return is dated within the event, a day before or after at most (setting up the stand the
    day before, taking it down the day after: the till's own margin); a permanent shop has no last day."""
    first = event.starts_on - TILL_MARGIN
    last = event.ends_on + TILL_MARGIN if event.ends_on is not None else None
    if first <= day and (last is None or day <= last):
        return
    if event.ends_on is None:
        raise DomainError(
            ErrorCode.DEPOSIT_BEFORE_OPENING,
            day=format_day(day),
            event=event.name_fr,
            first=format_day(event.starts_on),
        )
    raise DomainError(
        ErrorCode.DEPOSIT_OUTSIDE_DATES,
        day=format_day(day),
        event=event.name_fr,
        first=format_day(event.starts_on),
        last=format_day(event.ends_on),
    )


def quantity_check(product: Product, quantity: Decimal) -> None:
    """A product counted by the piece, box or pot takes whole numbers; only kg and litres take decimals."""
    if product.unit not in DIVISIBLE_UNITS and quantity != quantity.to_integral_value():
        raise DomainError(
            ErrorCode.QUANTITY_NOT_WHOLE,
            product=product.name_fr,
            unit=str(product.get_unit_display()),
            value=format_quantity(quantity),
        )


# Deposits and returns ------------------------------------------------------------------------------------------------


def _participates(event: Event, organization: Organization) -> None:
    if not Participation.objects.filter(event=event, organization=organization).exists():
        raise DomainError(ErrorCode.DEPOSIT_NOT_PARTICIPANT, member=organization.legal_name_fr, event=event.name_fr)


def _products_of(organization: Organization, ids: set[int]) -> dict[int, Product]:
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids, organization=organization)}
    strangers = sorted(ids - set(products))
    if strangers:
        raise DomainError(ErrorCode.PRODUCT_NOT_OF_MEMBER, product=strangers[0], member=organization.legal_name_fr)
    return products


def _frozen(deposit: Deposit, product: Product) -> None:
    if deposit.decision == Deposit.Decision.GIE:
        raise DomainError(ErrorCode.DEPOSIT_PAID_BY_GIE, product=product.name_fr)


def deposits_record(
    *, event: Event, organization: Organization, quantities: Mapping[int, Decimal], on: date, acting_user: Any
) -> int:
    """Set what a member deposited per product (product id → quantity; 0 keeps a deposit at nothing, a new 0 is
    not created), on a day of the event (``day_check``), whole numbers for counted goods (``quantity_check``). All or
    nothing; returns how many products changed. A deposit the GIE paid for stays as it is."""

    def run(_attempt: int) -> int:
        _participates(event, organization)
        day_check(event, on)
        products = _products_of(organization, set(quantities))
        for pk, quantity in sorted(quantities.items()):
            quantity_check(products[pk], quantity)
        existing = {
            d.product_id: d
            for d in Deposit.objects.select_for_update().filter(event=event, product_id__in=products).order_by("pk")
        }
        changed = 0
        for pk, quantity in sorted(quantities.items()):
            deposit = existing.get(pk)
            if deposit is None:
                if quantity:
                    Deposit.objects.create(
                        event=event, organization=organization, product_id=pk, deposited=quantity, deposited_on=on
                    )
                    changed += 1
                continue
            if deposit.deposited == quantity:
                continue
            _frozen(deposit, products[pk])
            if deposit.returned is not None and deposit.returned > quantity:
                raise DomainError(
                    ErrorCode.DEPOSIT_RETURNED_TOO_MUCH,
                    product=products[pk].name_fr,
                    returned=format_quantity(deposit.returned),
                    deposited=format_quantity(quantity),
                )
            deposit.deposited, deposit.deposited_on = quantity, on
            deposit.save(update_fields=["deposited", "deposited_on", "updated_at"])
            changed += 1
        if changed:
            audit_record(
                actor=acting_user,
                event=DEPOSITS_RECORDED,
                target=event,
                tenant_id=organization.pk,
                data={"count": changed, "member": organization.slug},
            )
        return changed

    return retry_once_on_conflict(run)


def returns_record(
    *, event: Event, organization: Organization, quantities: Mapping[int, Decimal], on: date, acting_user: Any
) -> int:
    """Set what a member took back per product at the end (0 when nothing), on a day of the event, whole numbers
    for counted goods. All or nothing; returns how many products changed. Only deposited products are returned,
    never more than deposited − sold (the tickets' net quantity)."""
    with transaction.atomic(durable=True):
        _participates(event, organization)
        day_check(event, on)
        products = _products_of(organization, set(quantities))
        for pk, quantity in sorted(quantities.items()):
            quantity_check(products[pk], quantity)
        deposits = {
            d.product_id: d
            for d in Deposit.objects.select_for_update().filter(event=event, product_id__in=products).order_by("pk")
        }
        sold = sold_quantities(event, organization.pk)
        changed = 0
        for pk, quantity in sorted(quantities.items()):
            product, deposit = products[pk], deposits.get(pk)
            if deposit is None:
                if quantity:
                    raise DomainError(ErrorCode.DEPOSIT_NOTHING_DEPOSITED, product=product.name_fr)
                continue
            if deposit.returned == quantity:
                continue
            _frozen(deposit, product)
            product_sold = sold.get(pk, NO_QUANTITY)
            most = max(deposit.deposited - product_sold, NO_QUANTITY)
            if quantity > most:
                raise DomainError(
                    ErrorCode.DEPOSIT_RETURN_ABOVE_LEFT,
                    product=product.name_fr,
                    returned=format_quantity(quantity),
                    deposited=format_quantity(deposit.deposited),
                    sold=format_quantity(product_sold),
                    most=format_quantity(most),
                )
            deposit.returned, deposit.returned_on = quantity, on
            deposit.save(update_fields=["returned", "returned_on", "updated_at"])
            changed += 1
        if changed:
            audit_record(
                actor=acting_user,
                event=RETURNS_RECORDED,
                target=event,
                tenant_id=organization.pk,
                data={"count": changed, "member": organization.slug},
            )
        return changed


# The accountant's decision -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LossAmounts:
    """What the GIE pays for missing goods: the amount TTC at the ticket price and the VAT inside it."""

    quantity: Decimal
    amount: Decimal
    vat: Decimal

    @property
    def net(self) -> Decimal:
        return self.amount - self.vat


def loss_amounts(product: Product, quantity: Decimal, day: date) -> LossAmounts:
    """The missing quantity at the product's price TTC; VAT at its rate, none for an art. 91 member."""
    amount = line_amount(quantity, product.price)
    exempt = product.organization.vat_status == Organization.VatStatus.EXEMPT
    rate = Decimal(0) if exempt else vat_rate_on(product.vat_code, day).rate
    return LossAmounts(quantity=quantity, amount=amount, vat=vat_inside(amount, rate))


def loss_drafts(
    *, deposit: Deposit, loss: LossAmounts, books: Mapping[int, int], gie_id: int, posted_on: date
) -> list[EntryDraft]:
    """The GIE's and the member's entries for missing goods the GIE pays (pure: accounts from the posting rules).

    GIE: Dr loss·member (HT) [+ Dr loss, the VAT, without partner: a cost of the group, as DESIGN §6 books VAT an
    exempt buyer bears] / Cr 4463·member (TTC). Member: Dr 3488·GIE (TTC) / Cr 7121·GIE (HT) / Cr 4455 (VAT)."""
    gie_rule: PostingRule = posting_rule(PostingRule.Event.CONSIGNMENT_LOSS, PostingRule.Side.GIE)
    member_rule: PostingRule = posting_rule(PostingRule.Event.CONSIGNMENT_LOSS, PostingRule.Side.MEMBER)
    member_id = deposit.organization_id
    product = deposit.product
    text = f"Manquant en consignation {deposit.event.slug} {product.code} × {format_quantity(loss.quantity)}"[:120]
    source = f"consignation {deposit.event.slug} {product.code}"[:60]
    gie_lines = [JournalLine(gie_rule.debit_account, debit=loss.net, partner_id=member_id)]
    member_lines = [
        JournalLine(member_rule.debit_account, debit=loss.amount, partner_id=gie_id),
        JournalLine(member_rule.credit_account, credit=loss.net, partner_id=gie_id),
    ]
    if loss.vat:
        gie_lines.append(JournalLine(gie_rule.debit_account, debit=loss.vat))
        member_lines.append(JournalLine(member_rule.vat_account or accounts.VAT_COLLECTED, credit=loss.vat))
    gie_lines.append(JournalLine(gie_rule.credit_account, credit=loss.amount, partner_id=member_id))
    key = f"consignment:{deposit.pk}"
    return [
        EntryDraft(books[book], posted_on, journal, text, source, key, tuple(lines))
        for book, journal, lines in ((gie_id, Journal.MISC, gie_lines), (member_id, Journal.SALES, member_lines))
    ]


def _books(*organization_ids: int) -> dict[int, int]:
    books = dict(Book.objects.filter(organization_id__in=organization_ids).values_list("organization_id", "pk"))
    if len(books) != len(set(organization_ids)):
        raise DomainError(ErrorCode.NO_BOOK)
    return books


def difference_decide(
    *, deposit_id: int, decision: str, decided_on: date, acting_user: Any, today: date | None = None
) -> Deposit:
    """Record the accountant's decision on a missing quantity: the member bears it (nothing posted; may still be
    changed), or the GIE pays it at the ticket price (both entries posted once, dated ``decided_on``; final).
    Deciding the same again is a no-op."""
    if decision not in (Deposit.Decision.MEMBER, Deposit.Decision.GIE):
        raise DomainError(ErrorCode.DEPOSIT_BAD_DECISION, value=str(decision)[:40])
    with transaction.atomic(durable=True):
        deposit = (
            Deposit.objects.select_for_update()
            .select_related("event", "product__organization", "organization")
            .get(pk=deposit_id)
        )
        product = deposit.product
        if deposit.decision == Deposit.Decision.GIE:
            if decision == Deposit.Decision.GIE:
                return deposit  # a replay (a double submit): already posted
            raise DomainError(ErrorCode.DEPOSIT_PAID_BY_GIE, product=product.name_fr)
        if deposit.returned is None:
            raise DomainError(ErrorCode.DEPOSIT_RETURNS_UNKNOWN, product=product.name_fr)
        sold = sold_quantities(deposit.event, deposit.organization_id).get(product.pk, Decimal(0))
        missing = deposit.deposited - sold - deposit.returned
        if missing <= 0:
            raise DomainError(
                ErrorCode.DEPOSIT_NO_SHORTAGE, product=product.name_fr, difference=format_quantity(missing)
            )
        if deposit.decision == decision and deposit.decided_quantity == missing:
            return deposit
        amount = None
        if decision == Deposit.Decision.GIE:
            loss = loss_amounts(product, missing, decided_on)
            gie_id = Organization.objects.values_list("pk", flat=True).get(kind=Organization.Kind.GIE)
            books = _books(gie_id, deposit.organization_id)
            drafts = loss_drafts(deposit=deposit, loss=loss, books=books, gie_id=gie_id, posted_on=decided_on)
            journal_entries_post(drafts=drafts, acting_user=acting_user, today=today)
            amount = loss.amount
        deposit.decision, deposit.decided_quantity, deposit.decided_amount = decision, missing, amount
        deposit.decided_on, deposit.decided_at, deposit.decided_by = (
            decided_on,
            timezone.now(),
            acting_user if getattr(acting_user, "pk", None) else None,
        )
        deposit.save(
            update_fields=[
                "decision",
                "decided_quantity",
                "decided_amount",
                "decided_on",
                "decided_at",
                "decided_by",
                "updated_at",
            ]
        )
        audit_record(
            actor=acting_user,
            event=DIFFERENCE_DECIDED,
            target=deposit,
            tenant_id=deposit.organization_id,
            data={
                "decision": decision,
                "count": format_quantity(missing),
                **({"amount": str(amount)} if amount else {}),
            },
        )
        return deposit
