"""The demo's collective sales (issue 12), seeded through the sales services only, as people would have used them:

- the channels (fairs at 10 % of the takings TTC, the shared shop at 12 %) and every member's till products
  (``sales.catalogue.product_save``: scan codes given in order; VAT per product for the VAT-registered member);
- **a past regional fair** (Tétouan, 18–27 September 2026) where every member had a stand: consigned stock
  deposited and taken back (``sales.consignment``; a tajine missing, borne by its cooperative), a phone registered
  by the ``vendeur`` login, one shift a day closed with a Z (``sales.shifts``), the day's tickets synced that evening
  (``sales.tickets.tickets_ingest``), then summarized into the books (``sales.summaries.summarize``), settled on
  6 October (``sales.settlements.settle_event``: commission invoices, netting, the net paid) and closed. What the
  settlement does not do is written here: the cash banked the morning after each day, card and mobile-money
  takings paid out by the provider two days later, cheques remitted the next day (keys ``demo:sales:…``);
- **a fair open today** (from two days ago to five days ahead: the ``vendeur`` login sells there) with stock
  deposited, and **the shop's permanent till**, open.

Nothing here is one transaction: each service commits its own work and each step finds what an earlier seed did
(products by code, events by slug, the phone by name, tickets by UUID, summaries and settlements by their keys),
so seeding again, or after a failure, changes nothing or completes what was missing. The past fair posts before the
third quarter's VAT returns (``seed``: the honey cooperative's fair VAT belongs to September).
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from gie_erp.core.money import ZERO
from gie_erp.demo import data, sales_data
from gie_erp.demo.ledger_year import DEMO_TODAY
from gie_erp.demo.sales_plan import FAIR, NAMESPACE, TZ, PlannedTicket, past_fair_plan, sold_by_product
from ledger import accounts
from ledger.models import Book, Journal
from ledger.posting import EntryDraft, JournalLine
from ledger.services import journal_entries_post
from members.models import Commune, Organization, User
from sales.catalogue import product_save
from sales.consignment import deposits_record, difference_decide, returns_record
from sales.devices import device_register
from sales.events import channel_save, event_save, event_state_set
from sales.models import Channel, Deposit, Device, Event, PaymentMethod, Product, Ticket, TicketPayment
from sales.settlements import settle_event
from sales.shifts import shifts_apply
from sales.summaries import summarize
from sales.tickets import tickets_ingest

SETTLED_ON = date(2026, 10, 6)
PHONE_NAME = "Téléphone de la foire de Tétouan"
OPENING_FLOAT = Decimal("300.00")
SHORT_DAY = 6  # the fair day whose counted cash is 20.00 short of the Z
#: days after a fair day when its takings reach the bank, per payment method
BANKED_AFTER = {PaymentMethod.CASH: 1, PaymentMethod.CARD: 2, PaymentMethod.MOBILE: 2, PaymentMethod.CHEQUE: 1}
BANKING_TEXT = {
    PaymentMethod.CASH: "Versement à la banque des espèces de la foire du",
    PaymentMethod.CARD: "Paiement par le prestataire des cartes de la foire du",
    PaymentMethod.MOBILE: "Paiement par l'opérateur du paiement mobile de la foire du",
    PaymentMethod.CHEQUE: "Remise en banque des chèques de la foire du",
}


def past_fair_sold(*, coops: Sequence[Organization], gie: Organization, seed: int) -> None:
    """Channels, products and the past fair: opened, stocked, sold and summarized into the books, its takings banked
    (everything in September: the GIE's September fee runs come after it, before the settlement of 6 October)."""
    by_slug = {org.slug: org for org in coops}
    seller = User.objects.get(username=_username("fair_seller"))
    accountant = User.objects.get(username=_username("gie_accountant"))
    channels = {spec["slug"]: _channel(spec) for spec in sales_data.SALES_CHANNELS}
    products = _products(by_slug)
    plan = past_fair_plan(seed)
    fair = _event(FAIR, channels, [(by_slug[s], stand) for s, stand in zip(by_slug, FAIR["stands"], strict=True)],
                  seller, FAIR["starts_on"], FAIR["ends_on"])  # fmt: skip
    if fair.state == Event.State.PLANNED:
        event_state_set(event=fair, state=Event.State.OPEN, acting_user=accountant)
    _fair_deposits(fair, by_slug, products, plan, accountant)
    _fair_sales(fair, products, plan, seller)
    if Ticket.objects.filter(event=fair, summary_run__isnull=True).exists():  # seeded again: no empty run
        summarize(fair, acting_user=accountant, today=DEMO_TODAY)
    _bank_the_takings(fair, gie)


def past_fair_settled(*, coops: Sequence[Organization]) -> None:
    """The past fair's differences decided and the fair settled on 6 October and closed; the fair open today and
    the shop."""
    by_slug = {org.slug: org for org in coops}
    seller = User.objects.get(username=_username("fair_seller"))
    accountant = User.objects.get(username=_username("gie_accountant"))
    channels = {channel.slug: channel for channel in Channel.objects.all()}
    products = {(p.organization.slug, p.code): p for p in Product.objects.select_related("organization")}
    fair = Event.objects.get(slug=FAIR["slug"])
    _fair_differences(fair, products, accountant)
    settle_event(fair, on=SETTLED_ON, acting_user=accountant, today=DEMO_TODAY)
    event_state_set(event=fair, state=Event.State.CLOSED, acting_user=accountant)
    _open_fair(channels, by_slug, products, seller, accountant)
    shop = sales_data.SHOP
    event = _event(shop, channels, [(org, "") for org in coops], seller, shop["starts_on"], None)
    event_state_set(event=event, state=Event.State.OPEN, acting_user=accountant)


def _username(role: str) -> str:
    return next(username for username, user_role, _first, _last in data.STAFF_USERS if user_role == role)


def _channel(spec: dict[str, Any]) -> Channel:
    existing = Channel.objects.filter(slug=spec["slug"]).first()
    return existing or channel_save(channel=None, data=spec, acting_user=None)


def _products(by_slug: dict[str, Organization]) -> dict[tuple[str, str], Product]:
    """Every member's till products, created once (``product_save`` numbers the scan codes)."""
    products = {(p.organization.slug, p.code): p for p in Product.objects.select_related("organization")}
    for slug, items in sales_data.TILL_PRODUCTS.items():
        organization = by_slug[slug]
        for code, name_fr, name_ar, unit, price, vat_code, pictogram, _weight in items:
            if (slug, code) in products:
                continue
            fields = {"code": code, "name_fr": name_fr, "name_ar": name_ar, "unit": unit, "price": Decimal(price),
                      "pictogram": pictogram, "is_active": True}  # fmt: skip
            if vat_code is not None:
                fields["vat_code"] = vat_code
            products[(slug, code)] = product_save(
                product=None, organization=organization, data=fields, acting_user=None, today=DEMO_TODAY
            )
    return products


def _event(
    spec: dict[str, Any],
    channels: dict[str, Channel],
    stands: list[tuple[Organization, str]],
    seller: User,
    starts_on: date,
    ends_on: date | None,
) -> Event:
    """The event of ``spec`` with these stands and the seller; an existing one keeps what it has, except that an
    event without tickets follows new dates (the open fair, seeded again another day)."""
    existing = Event.objects.filter(slug=spec["slug"]).first()
    fields = {
        "channel": channels[spec["channel"]],
        "slug": spec["slug"],
        "name_fr": spec["name_fr"],
        "name_ar": spec["name_ar"],
        "starts_on": starts_on,
        "ends_on": ends_on,
        "commune": Commune.objects.filter(name_fr=spec["commune"]).first(),
        "place": spec["place"],
    }
    if existing is not None:
        if (existing.starts_on, existing.ends_on) == (starts_on, ends_on) or existing.tickets.exists():
            return existing
        fields = {"starts_on": starts_on, "ends_on": ends_on}
    return event_save(event=existing, data=fields, stands=stands, sellers=[seller], acting_user=None)


def _fair_deposits(
    fair: Event,
    by_slug: dict[str, Organization],
    products: dict[tuple[str, str], Product],
    plan: list[PlannedTicket],
    accountant: User,
) -> None:
    """Stock deposited the day before the fair, taken back on its last evening; the missing tajine is the
    cooperative's loss (nothing posted), the missing cushion the GIE pays (posted, then paid by the settlement)."""
    sold = sold_by_product(plan)
    for slug, extras in sales_data.FAIR_DEPOSITS.items():
        organization = by_slug[slug]
        deposited, returned = {}, {}
        for code, (extra, missing) in extras.items():
            product = products[(slug, code)]
            deposited[product.pk] = sold.get((slug, code), Decimal(0)) + extra
            returned[product.pk] = Decimal(extra - missing)
        deposits_record(event=fair, organization=organization, quantities=deposited,
                        on=FAIR["starts_on"] - timedelta(days=1), acting_user=accountant)  # fmt: skip
        returns_record(event=fair, organization=organization, quantities=returned, on=FAIR["ends_on"],
                       acting_user=accountant)  # fmt: skip


def _fair_differences(fair: Event, products: dict[tuple[str, str], Product], accountant: User) -> None:
    """Once every ticket is in, the accountant decides each missing quantity (deposited − sold − returned)."""
    for slug, extras in sales_data.FAIR_DEPOSITS.items():
        for code, (_extra, missing) in extras.items():
            if missing:
                deposit = Deposit.objects.get(event=fair, product=products[(slug, code)])
                decision = (
                    Deposit.Decision.GIE if (slug, code) in sales_data.FAIR_PAID_BY_GIE else Deposit.Decision.MEMBER
                )
                difference_decide(deposit_id=deposit.pk, decision=decision, decided_on=SETTLED_ON,
                                  acting_user=accountant, today=DEMO_TODAY)  # fmt: skip


def _fair_sales(fair: Event, products: dict[tuple[str, str], Product], plan: list[PlannedTicket], seller: User) -> None:
    """Each day: the phone's shift, opened with a float and closed with the counted cash (one day 20.00 short), and
    the day's tickets, synced that evening."""
    device = Device.objects.filter(user=seller, name=PHONE_NAME).first()
    if device is None:
        device, _token = device_register(user=seller, name=PHONE_NAME)
    by_day: dict[date, list[PlannedTicket]] = defaultdict(list)
    for ticket in plan:
        by_day[ticket.day].append(ticket)
    for number, (day, tickets) in enumerate(sorted(by_day.items()), start=1):
        evening = datetime.combine(day, time(21, 0), tzinfo=TZ)
        shift_id = _uuid(f"shift:{day.isoformat()}")
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for ticket in tickets:
            for method, amount, _tendered in ticket.payments:
                totals[method] += amount
        counted = OPENING_FLOAT + totals[PaymentMethod.CASH] - (Decimal("20.00") if number == SHORT_DAY else ZERO)
        shift = {
            "id": str(shift_id),
            "event": fair.slug,
            "opened_at": datetime.combine(day, time(9, 0), tzinfo=TZ).isoformat(),
            "opening_float": str(OPENING_FLOAT),
            "closed_at": datetime.combine(day, time(20, 45), tzinfo=TZ).isoformat(),
            "counted_cash": str(counted),
            "device_totals": {method: str(totals[method]) for method in PaymentMethod.values},
            "device_ticket_count": len(tickets),
            "closed_offline": False,
        }
        shifts_apply([shift], device=device, now=evening)
        payloads = [_payload(fair, products, ticket, str(shift_id)) for ticket in tickets]
        acks = tickets_ingest(payloads, device=device, now=evening)
        refused = [ack for ack in acks if ack.status not in ("stored", "duplicate")]
        if refused:
            raise RuntimeError(f"the demo's tickets of {day} were not stored: {refused[:3]}")


def _uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def _payload(
    fair: Event, products: dict[tuple[str, str], Product], ticket: PlannedTicket, shift: str
) -> dict[str, Any]:
    """A ticket as the phone sends it."""
    payments = []
    for method, amount, tendered in ticket.payments:
        payment = {"method": method, "amount": str(amount)}
        if tendered is not None:
            payment["tendered"] = str(tendered)
        payments.append(payment)
    return {
        "id": str(ticket.id),
        "event": fair.slug,
        "sequence": ticket.sequence,
        "shift": shift,
        "sold_at": ticket.sold_at.isoformat(),
        "refund_of": str(ticket.refund_of) if ticket.refund_of else None,
        "lines": [
            {"product": products[(ln.member, ln.code)].pk, "quantity": str(ln.quantity), "unit_price": str(ln.price)}
            for ln in ticket.lines
        ],
        "payments": payments,
    }


def _bank_the_takings(fair: Event, gie: Organization) -> None:
    """What reaches the GIE's bank from each fair day, per payment method (from the tickets the server holds):
    Dr 5141 / Cr the method's account (cash 5161, card and mobile money 5115, cheques 5111)."""
    book = Book.objects.get(organization=gie)
    rows = (
        TicketPayment.objects.filter(ticket__event=fair)
        .values("ticket__sold_on", "method")
        .annotate(total=Sum("amount"))
        .order_by("ticket__sold_on", "method")
    )
    drafts = []
    for row in rows:
        day, method, amount = row["ticket__sold_on"], PaymentMethod(row["method"]), row["total"]
        if not amount:
            continue
        drafts.append(
            EntryDraft(
                book_id=book.pk,
                posted_on=day + timedelta(days=BANKED_AFTER[method]),
                journal=Journal.BANK,
                description=f"{BANKING_TEXT[method]} {day:%d/%m/%Y}",
                source_ref=f"{fair.slug} {day.isoformat()}"[:60],
                idempotency_key=f"demo:sales:{fair.slug}:bank:{day.isoformat()}:{method.value}",
                lines=(
                    JournalLine(accounts.BANK, debit=amount),
                    JournalLine(fair.channel.account_for(method), credit=amount),
                ),
            )
        )
    journal_entries_post(drafts=drafts, today=DEMO_TODAY)


def _open_fair(
    channels: dict[str, Channel],
    by_slug: dict[str, Organization],
    products: dict[tuple[str, str], Product],
    seller: User,
    accountant: User,
) -> None:
    """The fair open around today, where the ``vendeur`` login sells, with the stock its members brought."""
    spec = sales_data.OPEN_FAIR
    today = timezone.localdate()
    members = [by_slug[slug] for slug in spec["members"]]
    starts_on, ends_on = today + timedelta(days=spec["starts"]), today + timedelta(days=spec["ends"])
    event = _event(spec, channels, list(zip(members, spec["stands"], strict=True)), seller, starts_on, ends_on)
    event_state_set(event=event, state=Event.State.OPEN, acting_user=accountant)
    if Deposit.objects.filter(event=event).exists():
        return
    for organization in members:
        quantities = {
            product.pk: Decimal(24 if product.price < 100 else 10 if product.price < 400 else 4)
            for (slug, _code), product in products.items()
            if slug == organization.slug
        }
        deposits_record(event=event, organization=organization, quantities=quantities, on=event.starts_on,
                        acting_user=accountant)  # fmt: skip
