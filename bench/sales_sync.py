"""``python -m bench.sales_sync --db postgres``: what the till's sync costs next to the bare inserts it makes.

Runs in one process on its own database (``gie_bench_sales_sync``, dropped and created again each run, then
migrated), DEBUG off. The world is ``bench.sales_world``'s: a 10-day fair of 160 stands, 8 phones, 200,000 ticket
lines as 3-line tickets (66,667 tickets; the last has two lines), sent in batches of 500 tickets, each batch from one
phone. Payloads are made before any clock starts.

(floor) a raw ``executemany`` of the very rows the service writes, batch by batch, each batch its own transaction:
    the tickets, their lines, payments and shares, computed beforehand (amounts, VAT, the per-member-and-method split
    of ``sales.maths``); then the four tables are emptied again (TRUNCATE) and vacuumed. Run before (a) and again
    after (b) on emptied tables: the figure is the mean of both (this machine's speed drifts during a run).
(a) the service: ``sales.tickets.tickets_ingest(batch, device=…)`` for each batch (what ``POST /sales/api/sync/``
    calls after reading the JSON): parse and check every ticket, digest it, insert; ratio (floor time) / (service
    time) ≥ 30 % is the target.
(b) the same 200,000 lines sent again: every ticket must be answered ``duplicate`` and nothing written (the four
    tables and the conflicts keep their counts); its time against (a)'s (target ≤).

``--profile`` runs (a) under cProfile and prints where the time goes. Figures in ``var/bench/sales-sync-<db>.json``.
"""

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench import dbs
from bench.sales_world import LINES, NOW, ticket_payloads, world_make

NAME = "sales_sync"


class QueryCounter:
    """Counts the statements Django sends (an executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001
        self.count += 1
        return execute(sql, params, many, context)


def _prepared(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as the driver takes them (each value through its field's ``get_db_prep_save``, as the ORM would)."""
    from django.db import connection

    fields = [next(f for f in model._meta.concrete_fields if f.column == column) for column in columns]
    return [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows]


TICKET_COLUMNS = (
    "id", "event_id", "device_id", "sequence", "shift_id", "source", "paper_id", "sold_at", "sold_on",
    "refund_of_id", "total", "digest", "received_at",
)  # fmt: skip
LINE_COLUMNS = ("ticket_id", "organization_id", "product_id", "quantity", "unit_price", "amount", "vat_rate", "vat")
PAYMENT_COLUMNS = ("ticket_id", "method", "amount", "tendered")
SHARE_COLUMNS = ("ticket_id", "organization_id", "method", "amount")


@dataclass(frozen=True)
class Lookups:
    products: dict[int, Any]
    exempt: set[int]  # members exempt under art. 91
    rates: dict[str, Decimal]  # VAT code -> rate


def floor_rows(
    world: Any, lookups: Lookups, device: Any, batch: list[dict[str, Any]]
) -> list[tuple[str, list[list[Any]]]]:
    """The rows ``tickets_ingest`` would write for this batch, worked out here with the same maths (untimed)."""
    import uuid
    from datetime import datetime

    from django.utils import timezone

    from gie_erp.core.money import ZERO
    from sales.maths import line_amount, split, vat_inside
    from sales.models import Ticket, TicketLine, TicketPayment, TicketShare

    products = lookups.products
    tickets, lines, payments, shares = [], [], [], []
    for payload in batch:
        ticket_id = uuid.UUID(payload["id"])
        sold_at = datetime.fromisoformat(payload["sold_at"])
        by_member: dict[int, Decimal] = defaultdict(lambda: ZERO)
        total = ZERO
        for raw in payload["lines"]:
            product = products[raw["product"]]
            quantity, price = Decimal(raw["quantity"]), Decimal(raw["unit_price"])
            amount = line_amount(quantity, price)
            rate = Decimal(0) if product.organization_id in lookups.exempt else lookups.rates[product.vat_code]
            lines.append(
                (
                    ticket_id,
                    product.organization_id,
                    product.pk,
                    quantity,
                    price,
                    amount,
                    rate,
                    vat_inside(amount, rate),
                )
            )
            by_member[product.organization_id] += amount
            total += amount
        by_method: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for raw in payload["payments"]:
            amount = Decimal(raw["amount"])
            tendered = Decimal(raw["tendered"]) if raw.get("tendered") else None
            payments.append((ticket_id, raw["method"], amount, tendered))
            by_method[raw["method"]] += amount
        for (member, method), amount in split(by_member, by_method).items():
            shares.append((ticket_id, member, method, amount))
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        tickets.append(
            (ticket_id, world.event.pk, device.pk, payload["sequence"], None, "till", "", sold_at,
             timezone.localdate(sold_at), None, total, digest, NOW)
        )  # fmt: skip
    return [
        (_insert_sql(Ticket, TICKET_COLUMNS), _prepared(Ticket, TICKET_COLUMNS, tickets)),
        (_insert_sql(TicketLine, LINE_COLUMNS), _prepared(TicketLine, LINE_COLUMNS, lines)),
        (_insert_sql(TicketPayment, PAYMENT_COLUMNS), _prepared(TicketPayment, PAYMENT_COLUMNS, payments)),
        (_insert_sql(TicketShare, SHARE_COLUMNS), _prepared(TicketShare, SHARE_COLUMNS, shares)),
    ]


def _insert_sql(model: Any, columns: tuple[str, ...]) -> str:
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})"


def counts() -> dict[str, int]:
    from sales.models import SyncConflict, Ticket, TicketLine, TicketPayment, TicketShare

    return {
        "tickets": Ticket.objects.count(),
        "lines": TicketLine.objects.count(),
        "payments": TicketPayment.objects.count(),
        "shares": TicketShare.objects.count(),
        "conflicts": SyncConflict.objects.count(),
    }


def empty_ticket_tables() -> None:
    from django.db import connection

    from sales.models import Ticket, TicketLine, TicketPayment, TicketShare

    tables = [m._meta.db_table for m in (TicketShare, TicketPayment, TicketLine, Ticket)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    vacuum(tables)


def vacuum(tables: list[str]) -> None:
    """Fresh planner statistics (autovacuum may be off on the bench machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def floor_run(prepared: list[list[tuple[str, list[list[Any]]]]]) -> dict[str, float]:
    from django.db import connection, transaction

    counter = QueryCounter()
    seconds = 0.0
    for statements in prepared:
        started = time.perf_counter()
        with connection.execute_wrapper(counter), transaction.atomic(), connection.cursor() as cursor:
            for sql, rows in statements:
                cursor.executemany(sql, rows)
        seconds += time.perf_counter() - started
    return {"floor_s": seconds, "floor_statements_per_batch": counter.count / len(prepared)}


def service_run(batches: list[tuple[Any, list[dict[str, Any]]]], *, expect: str, profile: bool) -> dict[str, Any]:
    from django.db import connection

    from sales.tickets import tickets_ingest

    counter = QueryCounter()
    profiler = cProfile.Profile() if profile else None
    seconds, statuses = 0.0, defaultdict[str, int](int)
    for device, batch in batches:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with connection.execute_wrapper(counter):
            acks = tickets_ingest(batch, device=device, now=NOW)
        if profiler is not None:
            profiler.disable()
        seconds += time.perf_counter() - started
        for ack in acks:
            statuses[ack.status] += 1
    text = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        text = out.getvalue()
    return {
        "s": seconds,
        "statements_per_batch": counter.count / len(batches),
        "statuses": dict(statuses),
        "all_as_expected": set(statuses) == {expect},
        "profile": text,
    }


def report(f: dict[str, Any]) -> str:
    ratio = f["floor_s"] / f["first_s"]
    again = f["again_s"] / f["first_s"]
    lines = [
        f"database: {f['server']}, Python {f['python']}, {f['cpus']} CPUs, DEBUG=0"
        + (f" — {f['variant']}" if f.get("variant") else ""),
        f"{f['lines']:,} ticket lines = {f['tickets']:,} tickets (3 lines each), {f['batches']} batches of ≤ 500, "
        f"{f['stands']} stands, {f['devices']} phones; rows per send: {f['rows']}",
        f"(floor) raw executemany of the same rows: {f['floor_s']:.2f} s = {f['lines'] / f['floor_s']:,.0f} lines/s "
        f"(mean of {f['floor_before_s']:.2f} s before (a) and {f['floor_after_s']:.2f} s after (b); "
        f"{f['floor_statements_per_batch']:.0f} statements a batch)",
        f"(a) tickets_ingest, first send: {f['first_s']:.2f} s = {f['lines'] / f['first_s']:,.0f} lines/s, "
        f"{f['tickets'] / f['first_s']:,.0f} tickets/s ({f['first_statements_per_batch']:.1f} statements a batch; "
        f"answers {f['first_statuses']})",
        f"    (a) / (floor) throughput: {ratio:.0%} (target ≥ 30 %){'' if ratio >= 0.30 else '  ✗'}",
        f"(b) the same lines sent again: {f['again_s']:.2f} s = {again:.0%} of the first send "
        f"(target ≤ 100 %){'' if again <= 1 else '  ✗'}; answers {f['again_statuses']}; "
        f"wrote nothing: {'yes' if f['again_wrote_nothing'] else 'NO ✗'} (counts {f['counts_after_first']})",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sales_sync", description=__doc__)
    parser.add_argument("--db", choices=dbs.DBS, default="postgres")
    parser.add_argument("--lines", type=int, default=LINES, help=f"ticket lines (default {LINES:,})")
    parser.add_argument("--profile", action="store_true", help="cProfile (a) and print where the time goes")
    args = parser.parse_args()

    from bench.sales_world import django_ready, figures_write

    figures = django_ready(args.db, NAME)

    from invoices.models import VatRate
    from members.models import Organization
    from sales.models import Ticket, TicketLine, TicketPayment, TicketShare

    world = world_make()
    lookups = Lookups(
        products=world.products_by_id,
        exempt={pk for pk, status in Organization.objects.values_list("pk", "vat_status") if status == "exempt"},
        rates={r.code: r.rate for r in VatRate.objects.filter(valid_to__isnull=True)},
    )
    batches = list(ticket_payloads(world, lines=args.lines))
    tickets = sum(len(batch) for _device, batch in batches)
    figures.update(
        lines=args.lines,
        tickets=tickets,
        batches=len(batches),
        stands=len(world.members),
        devices=len(world.devices),
    )
    print(f"{figures['server']}: {tickets:,} tickets in {len(batches)} batches made", flush=True)

    prepared = [floor_rows(world, lookups, device, batch) for device, batch in batches]
    figures["rows"] = {
        name: sum(len(statements[i][1]) for statements in prepared)
        for i, name in enumerate(("tickets", "lines", "payments", "shares"))
    }
    first_floor = floor_run(prepared)
    floor_counts = counts()
    print(f"(floor) {first_floor['floor_s']:.2f} s, {floor_counts}", flush=True)
    empty_ticket_tables()

    first = service_run(batches, expect="stored", profile=args.profile)
    figures.update(
        first_s=first["s"], first_statements_per_batch=first["statements_per_batch"], first_statuses=first["statuses"]
    )
    figures["counts_after_first"] = after_first = counts()
    print(f"(a) {first['s']:.2f} s, {after_first}", flush=True)
    if not first["all_as_expected"] or after_first != floor_counts:
        print(f"  ✗ the service did not store what the floor wrote: {floor_counts} vs {after_first}")
    vacuum([m._meta.db_table for m in (Ticket, TicketLine, TicketPayment, TicketShare)])

    again = service_run(batches, expect="duplicate", profile=False)
    figures.update(again_s=again["s"], again_statuses=again["statuses"])
    figures["again_wrote_nothing"] = again["all_as_expected"] and counts() == after_first
    print(f"(b) {again['s']:.2f} s", flush=True)

    empty_ticket_tables()  # the floor again, after: the machine's speed drifts, the mean of both is compared
    second_floor = floor_run(prepared)
    print(f"(floor, again) {second_floor['floor_s']:.2f} s", flush=True)
    figures.update(
        floor_s=(first_floor["floor_s"] + second_floor["floor_s"]) / 2,
        floor_before_s=first_floor["floor_s"],
        floor_after_s=second_floor["floor_s"],
        floor_statements_per_batch=first_floor["floor_statements_per_batch"],
    )

    figures_write("sync", args.db, figures, report(figures), profile=first["profile"] or "")


if __name__ == "__main__":
    main()
