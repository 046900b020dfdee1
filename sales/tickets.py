"""Tickets in: the one write path for a ticket, from a phone's sync or a paper tally.

Each ticket is stored once per UUID (the primary key). The same UUID sent again with the same content is
acknowledged as a duplicate; with other content it is *held*: kept as a ``SyncConflict`` for the accountant, never
applied over the first. A ticket that breaks a rule (unknown product, a member not at the event, payments that do
not cover the lines…) is held the same way: the money was taken, so the server keeps it and the phone may forget
it. Every ticket of a batch gets its own answer; one bad ticket never blocks the others.

Written in bulk: one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` for the tickets, so that only the tickets
this call really inserted get their lines, payments and shares (a twin request racing with this one inserts
nothing twice).
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gie_erp.core.idempotency import content_digest
from gie_erp.core.money import MAX_AMOUNT, ZERO, is_mad
from invoices.services import vat_rate_on
from members.models import Organization
from sales.maths import line_amount, split, vat_inside
from sales.models import (
    Device,
    Event,
    PaymentMethod,
    Product,
    Shift,
    SyncConflict,
    Ticket,
    TicketLine,
    TicketPayment,
    TicketShare,
)

#: most lines and payments one ticket may carry, and most tickets one call takes
MAX_LINES = 200
MAX_PAYMENTS = 8
MAX_BATCH = 500
#: how far in the future a phone's clock may be before its ticket is held
CLOCK_SKEW = timedelta(minutes=15)
MAX_QUANTITY = Decimal("99999.999")
MAX_SEQUENCE = 2_147_483_647  # the column's limit on PostgreSQL
#: the namespace of the UUIDs given to paper tickets (uuid5 of "<event id>:<ticket_id>"), so that importing a
#: sheet again finds the same tickets
PAPER_NAMESPACE = uuid.UUID("6f2a4b1e-3c1d-4f52-9a53-2c8e5d0b7a11")


class Status:
    STORED = "stored"  # inserted now
    DUPLICATE = "duplicate"  # already here with the same content
    HELD = "held"  # kept for the accountant (conflict or a broken rule); the phone may delete it
    REJECTED = "rejected"  # unreadable (no usable id): nothing kept, the phone keeps it


@dataclass(frozen=True, slots=True)
class Ack:
    id: str
    status: str
    message: str = ""

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "message": self.message}


class Held(Exception):
    """A ticket that breaks a rule; its message is for the accountant (and shown on the phone)."""


@dataclass(slots=True)
class _Line:
    organization_id: int
    product_id: int | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal
    vat: Decimal


@dataclass(slots=True)
class _Ticket:
    id: uuid.UUID
    event: Event
    sequence: int | None
    shift_id: uuid.UUID | None
    sold_at: datetime
    refund_of: uuid.UUID | None
    total: Decimal
    lines: list[_Line]
    payments: list[tuple[str, Decimal, Decimal | None]]
    digest: str
    paper_id: str = ""


def paper_ticket_id(event: Event, ticket_id: str) -> uuid.UUID:
    return uuid.uuid5(PAPER_NAMESPACE, f"{event.pk}:{ticket_id}")


def _amount(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise Held(_("Montant illisible (%(what)s) : %(value)s") % {"what": what, "value": value}) from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT or not is_mad(amount):
        raise Held(_("Montant invalide (%(what)s) : %(value)s") % {"what": what, "value": value})
    return amount.quantize(Decimal("0.01"))


def _quantity(value: Any) -> Decimal:
    try:
        quantity = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise Held(_("Quantité illisible : %(value)s") % {"value": value}) from None
    if not quantity.is_finite() or quantity == 0 or abs(quantity) > MAX_QUANTITY:
        raise Held(_("Quantité invalide : %(value)s") % {"value": value})
    if quantity != quantity.quantize(Decimal("0.001")):
        raise Held(_("Quantité invalide : %(value)s") % {"value": value})
    return quantity


def _canonical(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What the digest covers: every field that makes the ticket, normalised (so "2" and "2.000" are the same)."""

    def norm(value: Any) -> str:
        try:
            return str(Decimal(str(value)).normalize())
        except (InvalidOperation, ValueError):
            return str(value)

    return {
        "id": str(payload.get("id")),
        "event": str(payload.get("event", "")),
        "sequence": payload.get("sequence"),
        "shift": payload.get("shift"),
        "sold_at": str(payload.get("sold_at")),
        "refund_of": payload.get("refund_of"),
        "lines": [
            [str(ln.get("product")), norm(ln.get("quantity")), norm(ln.get("unit_price"))]
            for ln in payload.get("lines") or []
            if isinstance(ln, Mapping)
        ],
        "payments": [
            [str(p.get("method")), norm(p.get("amount")), norm(p.get("tendered"))]
            for p in payload.get("payments") or []
            if isinstance(p, Mapping)
        ],
    }


class _Context:
    """What a batch needs from the database, loaded once: events, their members, products, VAT rates."""

    def __init__(self) -> None:
        self.events: dict[str, Event | None] = {}
        self.members: dict[int, set[int]] = {}
        self.sellers: dict[int, set[int]] = {}
        self.products: dict[int, Product] = {}
        self.rates: dict[tuple[str, date], Decimal] = {}
        self.exempt: dict[int, bool] = {}

    def event(self, slug: str) -> Event:
        if slug not in self.events:
            self.events[slug] = Event.objects.select_related("channel").filter(slug=slug).first()
        event = self.events[slug]
        if event is None:
            raise Held(_("Événement inconnu : %(value)s") % {"value": slug})
        if event.pk not in self.members:
            self.members[event.pk] = set(event.participations.values_list("organization_id", flat=True))
            self.sellers[event.pk] = set(event.sellers.values_list("pk", flat=True))
        return event

    def load_products(self, ids: set[int]) -> None:
        missing = ids - set(self.products)
        if missing:
            for product in Product.objects.filter(pk__in=missing):
                self.products[product.pk] = product
            orgs = {p.organization_id for p in self.products.values()} - set(self.exempt)
            for pk, status in Organization.objects.filter(pk__in=orgs).values_list("pk", "vat_status"):
                self.exempt[pk] = status == Organization.VatStatus.EXEMPT

    def rate(self, product: Product, day: date) -> Decimal:
        if self.exempt[product.organization_id]:
            return Decimal(0)  # an art. 91 member charges no VAT, whatever the product
        key = (product.vat_code, day)
        if key not in self.rates:
            self.rates[key] = vat_rate_on(product.vat_code, day).rate
        return self.rates[key]


def _parse(payload: Mapping[str, Any], ctx: _Context, *, device: Device | None, now: datetime) -> _Ticket:
    event = ctx.event(str(payload.get("event", "")))
    if device is not None and device.user_id not in ctx.sellers[event.pk]:
        raise Held(_("Ce vendeur n'est pas affecté à l'événement %(value)s.") % {"value": event.slug})
    try:
        sold_at = parse_datetime(str(payload.get("sold_at", "")))
        if sold_at is not None and timezone.is_naive(sold_at):
            sold_at = timezone.make_aware(sold_at)
        day = timezone.localdate(sold_at) if sold_at is not None else None
    except (ValueError, OverflowError):  # well formed but impossible: 2026-13-45, year 1 east of Greenwich
        sold_at = day = None
    if sold_at is None or day is None:
        raise Held(_("Heure de vente illisible : %(value)s") % {"value": payload.get("sold_at")})
    if sold_at > now + CLOCK_SKEW:
        raise Held(_("Vente datée dans le futur : %(value)s") % {"value": sold_at.isoformat()})
    if day < event.starts_on - timedelta(days=1) or (event.ends_on and day > event.ends_on + timedelta(days=1)):
        raise Held(_("Vente hors des dates de l'événement : %(value)s") % {"value": day.isoformat()})
    raw_lines = payload.get("lines")
    raw_payments = payload.get("payments")
    if not isinstance(raw_lines, list) or not 1 <= len(raw_lines) <= MAX_LINES:
        raise Held(_("Un ticket porte de 1 à %(max)s lignes.") % {"max": MAX_LINES})
    if not isinstance(raw_payments, list) or not 1 <= len(raw_payments) <= MAX_PAYMENTS:
        raise Held(_("Un ticket porte de 1 à %(max)s paiements.") % {"max": MAX_PAYMENTS})
    product_ids = set()
    for ln in raw_lines:
        try:
            product_ids.add(int(ln["product"]))
        except (TypeError, KeyError, ValueError):
            raise Held(_("Produit illisible : %(value)s") % {"value": ln}) from None
    ctx.load_products(product_ids)
    lines = []
    for ln in raw_lines:
        product = ctx.products.get(int(ln["product"]))
        if product is None:
            raise Held(_("Produit inconnu : %(value)s") % {"value": ln["product"]})
        if product.organization_id not in ctx.members[event.pk]:
            raise Held(_("Le membre du produit %(value)s ne participe pas à l'événement.") % {"value": product.code})
        quantity = _quantity(ln.get("quantity"))
        price = _amount(ln.get("unit_price"), _("prix"))
        if price < 0:
            raise Held(_("Prix négatif : %(value)s") % {"value": price})
        amount = line_amount(quantity, price)
        rate = ctx.rate(product, day)
        lines.append(
            _Line(product.organization_id, product.pk, quantity, price, amount, rate, vat_inside(amount, rate))
        )
    total = sum((ln.amount for ln in lines), ZERO)
    if total == 0 or any((ln.amount > 0) != (total > 0) for ln in lines if ln.amount):
        raise Held(_("Un ticket est une vente (quantités positives) ou un remboursement (négatives), pas les deux."))
    payments: list[tuple[str, Decimal, Decimal | None]] = []
    for raw in raw_payments:
        if not isinstance(raw, Mapping) or raw.get("method") not in PaymentMethod.values:
            raise Held(_("Moyen de paiement inconnu : %(value)s") % {"value": raw})
        amount = _amount(raw.get("amount"), _("paiement"))
        tendered = raw.get("tendered")
        tendered_amount = _amount(tendered, _("remis")) if tendered not in (None, "") else None
        if raw["method"] != PaymentMethod.CASH and tendered_amount is not None:
            raise Held(_("Seules les espèces ont un montant remis."))
        if tendered_amount is not None and total > 0 and tendered_amount < amount:
            raise Held(_("Le montant remis est inférieur au paiement."))
        payments.append((str(raw["method"]), amount, tendered_amount))
    paid = sum((p[1] for p in payments), ZERO)
    if paid != total or any(p[1] and (p[1] > 0) != (total > 0) for p in payments):
        raise Held(_("Les paiements (%(paid)s) ne font pas le total (%(total)s).") % {"paid": paid, "total": total})
    refund_of = payload.get("refund_of")
    if (refund_of is None) != (total > 0):
        raise Held(_("Un remboursement référence le ticket d'origine, une vente n'en référence pas."))
    sequence = payload.get("sequence")
    if device is not None and (
        not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence <= MAX_SEQUENCE
    ):
        raise Held(_("Numéro de ticket du téléphone manquant."))
    shift = payload.get("shift")
    try:
        return _Ticket(
            id=uuid.UUID(str(payload["id"])),
            event=event,
            sequence=sequence if device is not None else None,
            shift_id=uuid.UUID(str(shift)) if shift else None,
            sold_at=sold_at,
            refund_of=uuid.UUID(str(refund_of)) if refund_of else None,
            total=total,
            lines=lines,
            payments=payments,
            digest=content_digest(_canonical(payload)),
            paper_id=str(payload.get("paper_id", ""))[:60] if device is None else "",  # only paper tallies
        )
    except ValueError:
        raise Held(_("Identifiant illisible (ticket, session ou ticket d'origine).")) from None


def _check_refunds(tickets: list[_Ticket]) -> dict[uuid.UUID, str]:
    """Refunds must point to a sale of the same event (stored or in this batch) and not refund more than it."""
    wanted = {t.refund_of for t in tickets if t.refund_of}
    if not wanted:
        return {}
    originals = {
        row[0]: (row[1], row[2]) for row in Ticket.objects.filter(pk__in=wanted).values_list("pk", "event_id", "total")
    }
    originals.update({t.id: (t.event.pk, t.total) for t in tickets if t.refund_of is None and t.id in wanted})
    refunded: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    for pk, amount in Ticket.objects.filter(refund_of__in=wanted).values_list("refund_of", "total"):
        if pk is not None:
            refunded[pk] += -amount
    problems = {}
    for t in tickets:
        if t.refund_of is None:
            continue
        original = originals.get(t.refund_of)
        if original is None or original[0] != t.event.pk:
            problems[t.id] = _("Le ticket remboursé est inconnu pour cet événement.")
        elif refunded[t.refund_of] - t.total > original[1]:
            problems[t.id] = _("Le remboursement dépasse le ticket d'origine.")
        else:
            refunded[t.refund_of] += -t.total
    return problems


def _insert_tickets(rows: list[tuple[Any, ...]]) -> set[uuid.UUID]:
    """Insert tickets, skipping any whose id, (device, sequence) or (event, paper id) exists; returns the ids
    inserted by this statement."""
    if not rows:
        return set()
    columns = (
        "id", "event_id", "device_id", "sequence", "shift_id", "shift_key", "source", "paper_id", "sold_at",
        "sold_on", "refund_of_id", "total", "digest", "received_at",
    )  # fmt: skip
    table = Ticket._meta.db_table
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} ON CONFLICT DO NOTHING RETURNING id"  # noqa: S608 (names are ours)
    fields = [next(f for f in Ticket._meta.concrete_fields if f.column == column) for column in columns]
    params: list[Any] = []
    for row in rows:
        params.extend(field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {uuid.UUID(str(r[0])) for r in cursor.fetchall()}


def _known_shifts(shift_ids: set[uuid.UUID], device: Device | None) -> set[uuid.UUID]:
    """The shifts among ``shift_ids`` the server has, of the sending phone (a ticket never joins another phone's
    shift). A ticket always keeps the shift its phone named (``shift_key``); ``shifts_apply`` links it when the
    shift arrives after it."""
    if not shift_ids:
        return set()
    shifts = Shift.objects.filter(pk__in=shift_ids)
    if device is not None:
        shifts = shifts.filter(device=device)
    return set(shifts.values_list("pk", flat=True))


def _hold(ticket_id: uuid.UUID, payload: Mapping[str, Any], device: Device | None, reason: str) -> None:
    if not SyncConflict.objects.filter(ticket_id=ticket_id, reason=reason, payload=payload).exists():
        SyncConflict.objects.create(ticket_id=ticket_id, device=device, payload=dict(payload), reason=reason[:200])


def _product_ids(payloads: Sequence[Mapping[str, Any]]) -> set[int]:
    ids = set()
    for payload in payloads:
        lines = payload.get("lines") if isinstance(payload, Mapping) else None
        for ln in lines if isinstance(lines, list) else []:
            try:
                ids.add(int(ln["product"]))
            except (TypeError, KeyError, ValueError, OverflowError):
                continue
    return {pk for pk in ids if 0 < pk < 2**63}


def tickets_ingest(
    payloads: Sequence[Mapping[str, Any]],
    *,
    device: Device | None = None,
    source: str = Ticket.Source.TILL,
    now: datetime | None = None,
) -> list[Ack]:
    """Store a batch of tickets (at most ``MAX_BATCH``), one answer per ticket, in the order received."""
    if len(payloads) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} tickets per call")
    now = now or timezone.now()
    ctx = _Context()
    acks: dict[int, Ack] = {}
    parsed: list[tuple[int, _Ticket, Mapping[str, Any]]] = []
    held: list[tuple[int, uuid.UUID, Mapping[str, Any], str]] = []
    ctx.load_products(_product_ids(payloads))  # one query for the batch, not one per ticket
    for index, payload in enumerate(payloads):
        raw_id = payload.get("id") if isinstance(payload, Mapping) else None
        try:
            ticket_id = uuid.UUID(str(raw_id))
        except ValueError:
            acks[index] = Ack(str(raw_id)[:40], Status.REJECTED, _("Identifiant de ticket illisible."))
            continue
        try:
            parsed.append((index, _parse(payload, ctx, device=device, now=now), payload))
        except Held as exc:
            held.append((index, ticket_id, payload, str(exc)))
    refund_problems = _check_refunds([t for _i, t, _p in parsed])
    good = []
    for index, ticket, payload in parsed:
        if ticket.id in refund_problems:
            held.append((index, ticket.id, payload, refund_problems[ticket.id]))
        else:
            good.append((index, ticket, payload))
    shift_ids = {t.shift_id for _i, t, _p in good if t.shift_id}
    known_shifts = _known_shifts(shift_ids, device)
    with transaction.atomic():
        rows = [
            (
                t.id, t.event.pk, device.pk if device else None, t.sequence,
                t.shift_id if t.shift_id in known_shifts else None, t.shift_id, source, t.paper_id, t.sold_at,
                timezone.localdate(t.sold_at), t.refund_of, t.total, t.digest, now,
            )
            for _i, t, _p in good
        ]  # fmt: skip
        inserted = _insert_tickets(rows)
        if shift_ids - known_shifts:  # a shift that arrived meanwhile (another request): link to it now
            late = _known_shifts(shift_ids - known_shifts, device)
            if late:
                Ticket.objects.filter(pk__in=inserted, shift__isnull=True, shift_key__in=late).update(
                    shift_id=F("shift_key")
                )
        _insert_children([t for _i, t, _p in good if t.id in inserted])
        existing = dict(
            Ticket.objects.filter(pk__in=[t.id for _i, t, _p in good if t.id not in inserted]).values_list(
                "pk", "digest"
            )
        )
        for index, ticket, payload in good:
            if ticket.id in inserted:
                acks[index] = Ack(str(ticket.id), Status.STORED)
            elif existing.get(ticket.id) == ticket.digest:
                acks[index] = Ack(str(ticket.id), Status.DUPLICATE)
            elif ticket.id in existing:
                held.append((index, ticket.id, payload, _("Ce ticket existe déjà avec un autre contenu.")))
            else:
                held.append((index, ticket.id, payload, _("Ce numéro de ticket du téléphone est déjà utilisé.")))
        for index, ticket_id, payload, reason in held:
            _hold(ticket_id, payload, device, reason)
            acks[index] = Ack(str(ticket_id), Status.HELD, reason)
        if device is not None:
            sequences = [t.sequence for _i, t, _p in good if t.id in inserted and t.sequence]
            Device.objects.filter(pk=device.pk).update(  # Greatest: a slower twin request never lowers it
                last_seen_at=now, last_sequence=Greatest(F("last_sequence"), max([0, *sequences]))
            )
    return [acks[i] for i in range(len(payloads))]


def _insert_children(tickets: list[_Ticket]) -> None:
    lines, payments, shares = [], [], []
    for t in tickets:
        by_member: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for ln in t.lines:
            lines.append(
                TicketLine(
                    ticket_id=t.id,
                    organization_id=ln.organization_id,
                    product_id=ln.product_id,
                    quantity=ln.quantity,
                    unit_price=ln.unit_price,
                    amount=ln.amount,
                    vat_rate=ln.vat_rate,
                    vat=ln.vat,
                )
            )
            by_member[ln.organization_id] += ln.amount
        by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for method, amount, tendered in t.payments:
            payments.append(TicketPayment(ticket_id=t.id, method=method, amount=amount, tendered=tendered))
            by_method[method] += amount
        for (member, method), amount in split(by_member, by_method).items():
            shares.append(TicketShare(ticket_id=t.id, organization_id=member, method=method, amount=amount))
    TicketLine.objects.bulk_create(lines, batch_size=2000)
    TicketPayment.objects.bulk_create(payments, batch_size=2000)
    TicketShare.objects.bulk_create(shares, batch_size=2000)
