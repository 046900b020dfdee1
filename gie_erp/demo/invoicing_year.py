"""The demo year's invoicing (January–October 2026), made through ``invoices.services`` only: the services number,
freeze and post every document and payment; nothing here writes a ledger line.

- **The GIE's fees to its members** are not here: the fee runs of the cost pools make them (``fees``).
- **Members invoice the customers** (mandate: the GIE invoices in their name and collects on its account): each
  cooperative one invoice a month to the hotel, the fine-food shop or the riad, paid by transfer ``pays_after_days``
  after the invoice (unpaid if that is after the demo's today). The VAT-registered cooperative charges 10 % on honey
  and 20 % on its gift boxes; the others are exempt (CGI art. 91).
- **Notable documents**: a three-member order of the hotel as one bundle paid by one transfer (split pro rata);
  a credit note for tajines broken on delivery, the rest then paid; an invoice paid in two parts and one half paid;
  a carpet invoiced to a consumer and paid by card; a cheque cashed a few days after it was received; the weaving
  cooperative's June invoice to the riad, unpaid and overdue by more than 60 days on the demo's today.

Every document and payment has an idempotency key starting ``demo:``: seeding twice validates and records nothing new.
Events run in date order, so each issuer's numbers follow the dates of its documents.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gie_erp.core.money import ZERO, to_mad
from gie_erp.demo import data
from gie_erp.demo.ledger_year import DEMO_TODAY, DEMO_YEAR, LAST_MONTH
from invoices.models import Document, Party, Payment
from invoices.payments import payment_cheque_cash, payment_record
from invoices.services import (
    LineInput,
    bundle_create,
    bundle_validate,
    credit_note_create,
    document_save_draft,
    document_validate,
)
from members.models import Organization

REFERENCE_LENGTH = Payment._meta.get_field("reference").max_length or 80


@dataclass(frozen=True, slots=True)
class Sale:
    """A document to draft and validate; ``key`` is its idempotency key."""

    key: str
    issuer: Organization
    customer: Party
    issued_on: date
    lines: tuple[LineInput, ...]
    origin: str = Document.Origin.MANUAL
    origin_ref: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    """A customer order spanning several members: one bundle, one document per member (keyed ``<key>:<slug>``)."""

    key: str
    reference: str
    customer: Party
    issued_on: date
    parts: tuple[tuple[Organization, tuple[LineInput, ...]], ...]


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit note on the document keyed ``invoice``."""

    key: str
    invoice: str
    issued_on: date
    lines: tuple[LineInput, ...]
    note: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """Money received for the documents keyed ``documents``: ``share`` of the first one's TTC, or (None) all they
    still owe, which the service splits pro rata of what each owes."""

    key: str
    payer: Party
    collected_by: Organization
    received_on: date
    method: str
    documents: tuple[str, ...]
    share: Decimal | None = None
    reference: str = ""
    cashed_on: date | None = None  # a cheque cashed that day


Event = Sale | Order | Credit | Receipt
_RANK = {Sale: 0, Order: 0, Credit: 1, Receipt: 2}


@dataclass
class InvoicingReport:
    documents: dict[str, Document] = field(default_factory=dict)  # by demo key
    payments: dict[str, Payment] = field(default_factory=dict)


def _line(description: str, description_ar: str, quantity: int | str, price: str | Decimal, **kwargs: Any) -> LineInput:
    return LineInput(
        description=description,
        description_ar=description_ar,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        **kwargs,
    )


def _product(slug: str, index: int, quantity: int) -> LineInput:
    description, description_ar, unit, price, vat_code = data.CATALOG[slug][index]
    return _line(description, description_ar, quantity, price, unit=unit, vat_code=vat_code)


def _monthly_lines(slug: str, rng: random.Random) -> tuple[LineInput, ...]:
    """One to three products of the cooperative's catalog, for 1,500 to 9,000 dirhams or so."""
    catalog = data.CATALOG[slug]
    target = Decimal(rng.randrange(1500, 9000))
    chosen = sorted(rng.sample(range(len(catalog)), rng.randrange(1, len(catalog) + 1)))
    return tuple(
        _product(slug, index, max(1, int(target / len(chosen) / Decimal(catalog[index][3])))) for index in chosen
    )


def _mandate_sales(
    gie: Organization, members: Sequence[Organization], customers: Mapping[str, Party], seed: int
) -> list[Event]:
    """Each cooperative's monthly invoice to a business customer, and its payment (with the notable exceptions)."""
    hotel, shop, riad = (customers[spec["code"]] for spec in data.CUSTOMERS[:3])
    pays_after = {spec["code"]: int(spec["pays_after_days"]) for spec in data.CUSTOMERS}
    events: list[Event] = []
    for index, member in enumerate(members):
        rng = random.Random(f"{seed}:invoices:{member.slug}")
        for month in range(1, LAST_MONTH + 1):
            issued_on = date(DEMO_YEAR, month, rng.randrange(5, 13))
            customer = (hotel, shop, riad)[(index + month) % 3]
            lines = _monthly_lines(member.slug, rng)
            key = f"demo:sale:{member.slug}:{DEMO_YEAR}-{month:02d}"
            paid_on = issued_on + timedelta(days=pays_after[customer.code])
            receipts = [Receipt(f"{key}:payment", customer, gie, paid_on, Payment.Method.TRANSFER, (key,))]
            notable = (member.slug, month)
            if notable == ("coop-tissage-akhmas", 6):  # the riad never paid it: overdue on the demo's today
                customer, receipts = riad, []
            elif notable == ("coop-fekhar-oued-laou", 4):  # two tajines broken on delivery: a credit note first
                customer = hotel
                lines = (_product(member.slug, 0, 24), _product(member.slug, 1, 10), _product(member.slug, 2, 4))
                paid_on = issued_on + timedelta(days=pays_after[hotel.code])
                receipts = [Receipt(f"{key}:payment", hotel, gie, paid_on, Payment.Method.TRANSFER, (key,))]
                events.append(
                    Credit(f"{key}:credit", key, issued_on + timedelta(days=6), (_product(member.slug, 0, 2),),
                           "Deux tajines cassés à la livraison")
                )  # fmt: skip
            elif notable == ("coop-fekhar-oued-laou", 9):  # the riad pays by a cheque cashed three days later
                customer = riad
                paid_on = issued_on + timedelta(days=pays_after[riad.code])
                receipts = [Receipt(f"{key}:payment", riad, gie, paid_on, Payment.Method.CHEQUE, (key,),
                                    reference="CHQ 5530917", cashed_on=paid_on + timedelta(days=3))]  # fmt: skip
            elif member.slug == "coop-jben-beni-arous" and month in (8, 10):  # paid in part: 60 % (rest later), 50 %
                customer = shop
                first = Decimal("0.60") if month == 8 else Decimal("0.50")
                paid_on = issued_on + timedelta(days=pays_after[shop.code])
                receipts = [Receipt(f"{key}:payment", shop, gie, paid_on, Payment.Method.TRANSFER, (key,), first)]
                if month == 8:
                    receipts.append(Receipt(f"{key}:payment-2", shop, gie, paid_on + timedelta(days=30),
                                            Payment.Method.TRANSFER, (key,)))  # fmt: skip
            events.append(Sale(key, member, customer, issued_on, lines))
            events += [receipt for receipt in receipts if receipt.received_on <= DEMO_TODAY]
    return events


def _notable_sales(
    gie: Organization, by_slug: Mapping[str, Organization], customers: Mapping[str, Party]
) -> list[Event]:
    """The hotel's three-member order, and a carpet sold to a consumer."""
    hotel, consumer = customers[data.CUSTOMERS[0]["code"]], customers[data.CUSTOMERS[3]["code"]]
    order_key = "demo:order:hotel-2026-09"
    order = Order(order_key, "BC-PDD-2026-0915", hotel, date(DEMO_YEAR, 9, 15), (
        (by_slug["coop-zitoun-chefchaouen"], (_product("coop-zitoun-chefchaouen", 0, 12),
                                              _product("coop-zitoun-chefchaouen", 1, 24))),
        (by_slug["coop-nahl-rif"], (_product("coop-nahl-rif", 0, 40), _product("coop-nahl-rif", 2, 10))),
        (by_slug["coop-nissae-ghafsai-couscous"], (_product("coop-nissae-ghafsai-couscous", 0, 60),
                                                   _product("coop-nissae-ghafsai-couscous", 1, 30))),
    ))  # fmt: skip
    parts = tuple(f"{order_key}:{issuer.slug}" for issuer, _lines in order.parts)
    carpet = "demo:sale:coop-tissage-akhmas:consumer-2026-07"
    weaving = by_slug["coop-tissage-akhmas"]
    return [
        order,
        Receipt(f"{order_key}:payment", hotel, gie, date(DEMO_YEAR, 10, 2), Payment.Method.TRANSFER, parts,
                reference="VIR BC-PDD-2026-0915"),
        Sale(carpet, weaving, consumer, date(DEMO_YEAR, 7, 18),
             (_product(weaving.slug, 0, 1), _product(weaving.slug, 1, 2))),
        Receipt(f"{carpet}:payment", consumer, gie, date(DEMO_YEAR, 7, 18), Payment.Method.CARD, (carpet,),
                reference="TPE 0718-0042"),
    ]  # fmt: skip


def invoicing_plan(
    *,
    gie: Organization,
    members: Sequence[Organization],
    customers: Mapping[str, Party],
    seed: int,
) -> list[Event]:
    """Every invoicing event of the demo year, in date order (documents, then credit notes, then payments)."""
    by_slug = {member.slug: member for member in members}
    events = [
        *_mandate_sales(gie, members, customers, seed),
        *_notable_sales(gie, by_slug, customers),
    ]
    return sorted(events, key=lambda event: (_event_day(event), _RANK[type(event)]))


def _event_day(event: Event) -> date:
    return event.received_on if isinstance(event, Receipt) else event.issued_on


def invoicing_run(*, events: Sequence[Event]) -> InvoicingReport:
    """Run the events through ``invoices.services``; a replay returns what the first run made."""
    report = InvoicingReport()
    documents = report.documents
    for event in events:
        if isinstance(event, Sale):
            draft = document_save_draft(
                issuer=event.issuer,
                customer=event.customer,
                issued_on=event.issued_on,
                lines=event.lines,
                origin=event.origin,
                origin_ref=event.origin_ref,
                idempotency_key=event.key,
            )
            documents[event.key] = document_validate(document_id=draft.pk, today=DEMO_TODAY)
        elif isinstance(event, Order):
            documents.update(_order_run(event))
        elif isinstance(event, Credit):
            invoice = Document.objects.get(pk=documents[event.invoice].pk)
            draft = credit_note_create(
                invoice=invoice,
                issued_on=event.issued_on,
                lines=event.lines,
                note=event.note,
                idempotency_key=event.key,
            )
            documents[event.key] = document_validate(document_id=draft.pk, today=DEMO_TODAY)
        else:
            report.payments[event.key] = receipt_record(event, documents)
    return report


def _order_run(order: Order) -> dict[str, Document]:
    """One bundle per order: a second seed finds it again by its idempotency key."""
    bundle = bundle_create(
        customer=order.customer,
        issued_on=order.issued_on,
        parts=order.parts,
        reference=order.reference,
        idempotency_key=order.key,
    )
    validated = bundle_validate(bundle=bundle, today=DEMO_TODAY)
    return {f"{order.key}:{document.issuer.slug}": document for document in validated}


def transfer_reference(numbers: list[str]) -> str:
    """A transfer's reference as a bank statement shows it: the invoices it pays, or the first and the last of
    them when they do not fit (a payment's reference holds 80 characters: PostgreSQL refuses more)."""
    text = "VIR " + " ".join(numbers)
    if len(text) <= REFERENCE_LENGTH:
        return text
    return f"VIR {numbers[0]} … {numbers[-1]} ({len(numbers)} factures)"[:REFERENCE_LENGTH]


def receipt_record(receipt: Receipt, documents: Mapping[str, Document]) -> Payment:
    """Record a receipt once (``documents``: by demo key); a replay returns the first payment, its cheque cashed."""
    done = Payment.objects.filter(collected_by=receipt.collected_by, idempotency_key=receipt.key).first()
    if done is not None:  # a second seed: the amount owed is now 0, the first payment stands
        if receipt.cashed_on is not None and done.cashed_on is None:
            done = payment_cheque_cash(payment=done, cashed_on=receipt.cashed_on, today=DEMO_TODAY)
        return done
    targets = list(Document.objects.filter(pk__in=[documents[key].pk for key in receipt.documents]).order_by("pk"))
    owed = sum((document.balance_due for document in targets), ZERO)
    amount = owed if receipt.share is None else to_mad(targets[0].total_gross * receipt.share)
    reference = receipt.reference or transfer_reference([document.number for document in targets])
    payment = payment_record(
        payer=receipt.payer,
        collected_by=receipt.collected_by,
        received_on=receipt.received_on,
        method=receipt.method,
        amount=amount,
        idempotency_key=receipt.key,
        documents=targets,
        reference=reference,
        today=DEMO_TODAY,
    )
    if receipt.cashed_on is not None and payment.cashed_on is None:
        payment = payment_cheque_cash(payment=payment, cashed_on=receipt.cashed_on, today=DEMO_TODAY)
    return payment
