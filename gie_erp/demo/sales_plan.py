"""The tickets of the demo's past fair, planned without a database: the same seed gives the same tickets (UUIDs
included), so seeding again sends the same tickets and the server answers "duplicate".

Ten days, 24 to 44 tickets a day (more at the weekends), one to three lines from one or two stands, mostly one item
of a product; paid in cash (with the amount tendered), by card, by mobile money, by cheque for the larger ones, or
split between card and cash. Two refunds: a tajine cracked on the way home, a pot of honey returned.
"""

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from gie_erp.core.money import ZERO
from gie_erp.demo import sales_data
from sales.maths import line_amount

TZ = ZoneInfo("Africa/Casablanca")
NAMESPACE = uuid.UUID("5d1f7c2a-8e43-4b0e-b7a1-3c9f2e6d4a10")
FAIR = sales_data.PAST_FAIR
FAIR_DAYS = (FAIR["ends_on"] - FAIR["starts_on"]).days + 1
#: (day of the fair, member, product code) of the two refunds: the first ticket of an earlier day holding it
REFUNDS = ((3, "coop-fekhar-oued-laou", "tajine-30"), (7, "coop-nahl-rif", "miel-thym-500"))


@dataclass(frozen=True, slots=True)
class PlannedLine:
    member: str
    code: str
    quantity: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.price)


@dataclass(frozen=True, slots=True)
class PlannedTicket:
    id: uuid.UUID
    sequence: int  # the phone's own numbering, from 1
    sold_at: datetime
    lines: tuple[PlannedLine, ...]
    payments: tuple[tuple[str, Decimal, Decimal | None], ...]  # (method, amount, cash tendered)
    refund_of: uuid.UUID | None = None

    @property
    def day(self) -> date:
        return self.sold_at.date()

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _products() -> dict[str, list[tuple[str, Decimal, int]]]:
    """(code, price, weight) of each member's till products."""
    return {
        slug: [(item[0], Decimal(item[4]), item[7]) for item in items]
        for slug, items in sales_data.TILL_PRODUCTS.items()
    }


def _lines(rng: random.Random, products: dict[str, list[tuple[str, Decimal, int]]]) -> tuple[PlannedLine, ...]:
    members = list(products)
    member = rng.choice(members)
    quantities: dict[tuple[str, str, Decimal], Decimal] = defaultdict(Decimal)
    for _ in range(rng.choices((1, 2, 3), weights=(5, 3, 2))[0]):
        if quantities and rng.random() < 0.4:
            member = rng.choice(members)
        items = products[member]
        code, price, _weight = rng.choices(items, weights=[item[2] for item in items])[0]
        if price >= 300:
            quantity = 1
        elif price <= 50:
            quantity = rng.choices((1, 2, 3, 4), weights=(5, 3, 1, 1))[0]
        else:
            quantity = rng.choices((1, 2), weights=(4, 1))[0]
        quantities[(member, code, price)] += quantity
    return tuple(PlannedLine(m, c, Decimal(q), p) for (m, c, p), q in quantities.items())


def _tendered(amount: Decimal, rng: random.Random) -> Decimal | None:
    """What a customer hands over in cash: the exact amount, or the next round 50 or 100 dirhams."""
    step = rng.choice((None, Decimal(50), Decimal(100), Decimal(200)))
    if step is None:
        return None
    return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step


def _payments(total: Decimal, rng: random.Random) -> tuple[tuple[str, Decimal, Decimal | None], ...]:
    draw = rng.random()
    if total >= 400 and draw < 0.3:
        return (("cheque", total, None),)
    if total >= 150 and draw > 0.92:  # part by card, the rest in cash
        card = (total / 2).to_integral_value(rounding=ROUND_CEILING)
        return (("card", card, None), ("cash", total - card, _tendered(total - card, rng)))
    if draw < 0.6:
        return (("cash", total, _tendered(total, rng)),)
    return (("card" if draw < 0.77 else "mobile", total, None),)


def past_fair_plan(seed: int) -> list[PlannedTicket]:
    """Every ticket of the past fair, refunds included, in the order they were rung."""
    rng = random.Random(f"{seed}:sales:past-fair")
    products = _products()
    tickets: list[PlannedTicket] = []
    for offset in range(FAIR_DAYS):
        day = FAIR["starts_on"] + timedelta(days=offset)
        busy = day.weekday() >= 5
        count = rng.randrange(36, 45) if busy else rng.randrange(24, 33)
        moments = sorted(rng.randrange(9 * 3600 + 1800, 20 * 3600 + 1800) for _ in range(count))
        refund = next((r for r in REFUNDS if r[0] == offset + 1), None)
        for index, second in enumerate(moments):
            sold_at = datetime.combine(day, time(), tzinfo=TZ) + timedelta(seconds=second)
            number = len(tickets) + 1
            ticket_id = uuid.uuid5(NAMESPACE, f"{seed}:ticket:{number}")
            if refund is not None and index == count // 2:
                tickets.append(_refund(tickets, refund[1], refund[2], ticket_id, number, sold_at))
                continue
            lines = _lines(rng, products)
            total = sum((line.amount for line in lines), ZERO)
            tickets.append(PlannedTicket(ticket_id, number, sold_at, lines, _payments(total, rng)))
    return tickets


def _refund(
    tickets: list[PlannedTicket], member: str, code: str, ticket_id: uuid.UUID, number: int, sold_at: datetime
) -> PlannedTicket:
    """One item of the first earlier ticket that sold it, paid back the way it was paid (in cash when it was split
    or paid by cheque)."""
    original = next(t for t in tickets if any(ln.member == member and ln.code == code for ln in t.lines))
    line = next(ln for ln in original.lines if ln.member == member and ln.code == code)
    back = PlannedLine(member, code, Decimal(-1), line.price)
    method = original.payments[0][0] if len(original.payments) == 1 else "cash"
    method = "cash" if method == "cheque" else method
    return PlannedTicket(ticket_id, number, sold_at, (back,), ((method, back.amount, None),), refund_of=original.id)


def sold_by_product(tickets: list[PlannedTicket]) -> dict[tuple[str, str], Decimal]:
    """Quantities sold per (member, product code), refunds netted."""
    sold: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for ticket in tickets:
        for line in ticket.lines:
            sold[(line.member, line.code)] += line.quantity
    return dict(sold)
