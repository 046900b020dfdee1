"""The world of the sales benchmarks (``bench.sales_sync``, ``bench.sales_summarize``): a regional fair of 160 stands
over 10 days, its products, sellers' phones, and 200,000 ticket lines as the till sends them.

The figures follow the shared generator's fair sales (``../shared/bench/gen_ledger.py``, ``pos_lines.csv``): prices
drawn from its list (15 to 350 dirhams), one item of a product 70 % of the time and 2 to 5 otherwise, most tickets
paid in cash, sold between 9:00 and 20:00. The generator writes lines, not tickets, and spreads them over several
fairs; these benchmarks need one fair of 3-line tickets with the till's four payment methods, so the same law is
drawn here, from a ``random.Random`` seeded by name (same seed, same payloads).

One member in five is VAT-registered (its products at 20 % or 10 %); the others are exempt under art. 91. A ticket's
lines come from one to three stands (a second line is from the same stand half of the time); 5 % of the tickets are
paid half by card and half in cash (split payments), and payments are otherwise cash 70 %, card 15 %, mobile money
10 %, cheque 5 %. No Django import at module level: the caller sets the database first (``django_ready``).
"""

import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bench import dbs

TZ = ZoneInfo("Africa/Casablanca")
FAIR_START = date(2026, 6, 10)
FAIR_DAYS = 10
TODAY = date(2026, 12, 31)  # the day the benches run "as of": every fair day is in the past
NOW = datetime(2026, 7, 1, 12, tzinfo=TZ)  # the server's clock when the phones sync
STANDS = 160
PRODUCTS_PER_STAND = 5
DEVICES = 8
LINES = 200_000
LINES_PER_TICKET = 3
BATCH = 500
PRICES = (15, 25, 35, 50, 75, 99, 120, 150, 200, 350)  # gen_ledger.py's product prices, in dirhams
NAMESPACE = uuid.UUID("0b6d6f0e-5a7c-4d7e-9a59-2f1d1b1c5a00")


def django_ready(db: str, name: str) -> dict[str, Any]:
    """Drop and create the bench database ``name``, point Django at it (DEBUG off, as ``python -m bench``), set
    Django up and migrate. Returns the figures that describe the server."""
    dbs.recreate(db, name)
    os.environ["DATABASE_URL"] = dbs.database_url(db, name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"
    import platform
    import time

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    figures: dict[str, Any] = {
        "db": db,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            figures["server"] = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SHOW synchronous_commit")
            figures["server"] += f" (synchronous_commit={cursor.fetchone()[0]})"
    else:
        import sqlite3

        figures["server"] = f"SQLite {sqlite3.sqlite_version}"
    call_command("migrate", verbosity=0)
    return figures


@dataclass
class World:
    gie: Any
    members: list[Any]
    event: Any
    devices: list[Any]
    products: list[Any]  # in stand order, PRODUCTS_PER_STAND per member
    books: dict[int, Any] = field(default_factory=dict)  # by organization id, when asked for

    @property
    def products_by_id(self) -> dict[int, Any]:
        return {p.pk: p for p in self.products}


def figures_write(name: str, db: str, figures: dict[str, Any], report: str, *, profile: str = "") -> None:
    """The end of every sales bench: close the connection, stamp the figures, write them to
    ``var/bench/sales-<name>-<db>[-profiled].json`` and print the report (and the profile, when one was taken)."""
    import json
    import time

    from django.db import connection

    connection.close()
    figures["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = dbs.BENCH_VAR / f"sales-{name}-{db}{'-profiled' if profile else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1, sort_keys=True, default=str))
    print()
    print(report)
    print(f"figures in {out}")
    if profile:
        print("\n--- profile of (a)\n" + profile)


def world_make(*, stands: int = STANDS, books: bool = False) -> World:
    """The GIE, ``stands`` cooperatives (one in five VAT-registered) at an open 10-day fair, their products, a
    seller with DEVICES phones; with ``books``, every organization's book (about 0.1 s each)."""
    from django.db import transaction

    from gie_erp.core.roles import Role
    from ledger.books import book_ensure
    from members.legal_ids import ice_with_check_digits
    from members.models import Organization, User
    from sales.models import Channel, Device, Event, Participation, Product

    def organization(n: int, kind: str, *, registered: bool) -> Organization:
        return Organization(
            kind=kind,
            slug=f"bench-{n:04d}",
            legal_name_fr=f"Coopérative {n:04d}" if n else "GIE du banc d'essai",
            legal_name_ar=f"تعاونية {n}",
            ice=ice_with_check_digits(f"{900000000000 + n:013d}"),
            vat_status=Organization.VatStatus.REGISTERED if registered else Organization.VatStatus.EXEMPT,
        )

    with transaction.atomic():
        gie = organization(0, Organization.Kind.GIE, registered=True)
        gie.save()
        members = Organization.objects.bulk_create(
            [organization(n, Organization.Kind.COOPERATIVE, registered=n % 5 == 0) for n in range(1, stands + 1)]
        )
        channel = Channel.objects.create(slug="bench-foires", name_fr="Foires (banc d'essai)")
        event = Event.objects.create(
            channel=channel,
            slug="bench-foire",
            name_fr="Foire régionale (banc d'essai)",
            starts_on=FAIR_START,
            ends_on=FAIR_START + timedelta(days=FAIR_DAYS - 1),
            state=Event.State.OPEN,
        )
        Participation.objects.bulk_create(
            [Participation(event=event, organization=m, stand=f"S{n:03d}") for n, m in enumerate(members, 1)]
        )
        seller = User.objects.create(username="bench-seller", role=Role.FAIR_SELLER)
        event.sellers.add(seller)
        devices = [Device.objects.create(user=seller, name=f"phone {n}", token_hash="") for n in range(DEVICES)]
        rng = random.Random("bench:sales:catalogue")
        products: list[Product] = []
        for member in members:
            registered = member.vat_status == Organization.VatStatus.REGISTERED
            for k in range(PRODUCTS_PER_STAND):
                number = len(products) + 1
                products.append(
                    Product(
                        organization=member,
                        code=f"p{k}",
                        scan_code=f"29{number:011d}",
                        name_fr=f"Produit {k} de {member.slug}",
                        price=Decimal(rng.choice(PRICES)),
                        vat_code=rng.choice(("normal-20", "reduit-10")) if registered else "exonere-91",
                    )
                )
        products = Product.objects.bulk_create(products)
    made = World(gie=gie, members=members, event=event, devices=devices, products=products)
    if books:
        for org in [gie, *members]:
            with transaction.atomic():
                made.books[org.pk] = book_ensure(organization=org)
    return made


def ticket_payloads(
    world: World, *, lines: int = LINES, seed: str = "42"
) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """(device, batch of at most BATCH ticket payloads), in the order the phones send them: ``lines`` lines as
    3-line tickets (the last one shorter when ``lines`` is not a multiple of 3), each device numbering its own
    tickets from 1, spread over the fair's days in time order."""
    rng = random.Random(f"bench:sales:tickets:{seed}")
    count = -(-lines // LINES_PER_TICKET)
    per_stand = PRODUCTS_PER_STAND
    sequences = [0] * len(world.devices)
    batches: list[list[dict[str, Any]]] = [[] for _ in world.devices]
    for n in range(count):
        size = min(LINES_PER_TICKET, lines - n * LINES_PER_TICKET)
        day = FAIR_START + timedelta(days=n * FAIR_DAYS // count)
        second = 9 * 3600 + (n * FAIR_DAYS * 11 * 3600 // count) % (11 * 3600)
        sold_at = datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(seconds=second)
        stand = rng.randrange(len(world.members))
        chosen: list[tuple[Any, int]] = []
        for _ in range(size):
            if chosen and rng.random() < 0.5:
                stand = rng.randrange(len(world.members))
            product = world.products[stand * per_stand + rng.randrange(per_stand)]
            quantity = 1 if rng.random() < 0.7 else rng.randint(2, 5)
            chosen.append((product, quantity))
        total = sum((p.price * q for p, q in chosen), Decimal(0))
        draw = rng.random()
        if draw < 0.05:
            card = (total / 2).quantize(Decimal("0.01"))
            payments = [{"method": "card", "amount": str(card)}, {"method": "cash", "amount": str(total - card)}]
        else:
            method = "cash" if draw < 0.7 else "card" if draw < 0.85 else "mobile" if draw < 0.95 else "cheque"
            payments = [{"method": method, "amount": f"{total:.2f}"}]
            if method == "cash":
                payments[0]["tendered"] = f"{(total / 50).to_integral_value(rounding=ROUND_CEILING) * 50:.2f}"
        d = n % len(world.devices)
        sequences[d] += 1
        batches[d].append(
            {
                "id": str(uuid.uuid5(NAMESPACE, f"{seed}:{n}")),
                "event": world.event.slug,
                "sequence": sequences[d],
                "shift": None,
                "sold_at": sold_at.isoformat(),
                "refund_of": None,
                "lines": [{"product": p.pk, "quantity": str(q), "unit_price": f"{p.price:.2f}"} for p, q in chosen],
                "payments": payments,
            }
        )
        if len(batches[d]) == BATCH:
            yield world.devices[d], batches[d]
            batches[d] = []
    for d, rest in enumerate(batches):
        if rest:
            yield world.devices[d], rest
