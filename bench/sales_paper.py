"""``python -m bench.sales_paper --db postgres``: importing a whole fair's paper tally, then the same file again.

Runs in one process on its own database (``gie_bench_sales_paper``, dropped and created again each run, then
migrated), DEBUG off. The world is ``bench.sales_world``'s: a 10-day fair of 160 stands (5 products each). The tally
is a CSV of 200,000 lines (``sales.paper.PAPER_LIMITS``: the most one file may hold) in the columns the import page
documents (``ticket_id, sold_at, member, product, quantity, unit_price, payment_method``), drawn like the till's
tickets (3 lines a ticket, one to three stands, the shared generator's prices and quantities) with what people write
on paper: the member by slug (by its ICE one line in ten), the time as ``JJ/MM/AAAA HH:MM`` (ISO one ticket in
five), the unit price left empty one line in four (the catalogue's), the method in French or English words; one
method per ticket (a paper ticket is paid in full by one). Made before any clock starts.

(floor) what the import cannot do without: the same tickets, built beforehand (untimed) by the import's own reader
    into the payloads it sends, through ``sales.tickets.tickets_ingest`` (the one write path) in batches of 500,
    in one transaction as the import does; then the ticket tables are emptied again (TRUNCATE + VACUUM ANALYZE).
(a) ``sales.paper.paper_import`` of the file (what the page and ``sales_import_tickets`` call): read row by row,
    every row checked, then every ticket through ``tickets_ingest`` in one transaction. Target: under a minute; its
    time against the floor's (measured in the same run: this machine's speed drifts with other work).
(b) the same file again: every ticket answered ``duplicate``, nothing written (the ticket tables and the audit keep
    their counts); its time against (a)'s.

The read-and-check phase is timed apart (``iter_table`` + the row checks, no write), and so is the time (a) and (b)
spend in ``tickets_ingest``. ``--profile`` runs (a) under cProfile and prints where the time goes. Figures in
``var/bench/sales-paper-<db>.json``.
"""

import argparse
import cProfile
import io
import pstats
import random
import time
from datetime import timedelta
from typing import Any

from bench import dbs
from bench.sales_world import FAIR_DAYS, FAIR_START, LINES, LINES_PER_TICKET, NOW, PRODUCTS_PER_STAND, STANDS, TZ

NAME = "sales_paper"
HEADER = "ticket_id,sold_at,member,product,quantity,unit_price,payment_method"
METHODS = (("especes", 0.55), ("cash", 0.15), ("carte", 0.15), ("mobile", 0.10), ("chèque", 0.05))


def tally_csv(world: Any, *, lines: int = LINES, seed: str = "paper") -> bytes:
    """The fair's paper tally: ``lines`` lines as 3-line tickets over the 10 days, in sheet order."""
    rng = random.Random(f"bench:sales:paper:{seed}")
    count = -(-lines // LINES_PER_TICKET)
    words = [word for word, _weight in METHODS]
    weights = [weight for _word, weight in METHODS]
    out = [HEADER]
    for n in range(count):
        size = min(LINES_PER_TICKET, lines - n * LINES_PER_TICKET)
        day = FAIR_START + timedelta(days=n * FAIR_DAYS // count)
        second = 9 * 3600 + (n * FAIR_DAYS * 11 * 3600 // count) % (11 * 3600)
        moment = (
            f"{day:%Y-%m-%d} {second // 3600:02d}:{second % 3600 // 60:02d}"
            if rng.random() < 0.2
            else f"{day:%d/%m/%Y} {second // 3600:02d}:{second % 3600 // 60:02d}"
        )
        method = rng.choices(words, weights)[0]
        ticket = f"F{n // 500 + 1:03d}-{n % 500 + 1:04d}"  # sheet number, line on the sheet
        stand = rng.randrange(len(world.members))
        for k in range(size):
            if k and rng.random() < 0.5:
                stand = rng.randrange(len(world.members))
            member = world.members[stand]
            product = world.products[stand * PRODUCTS_PER_STAND + rng.randrange(PRODUCTS_PER_STAND)]
            quantity = 1 if rng.random() < 0.7 else rng.randint(2, 5)
            price = "" if rng.random() < 0.25 else f"{product.price:.2f}".replace(".", ",")
            name = member.ice if rng.random() < 0.1 else member.slug
            out.append(f'{ticket},{moment},{name},{product.code},{quantity},"{price}",{method}')
    return ("\n".join(out) + "\n").encode()


def counts() -> dict[str, int]:
    from gie_erp.core.models import AuditEvent
    from sales.models import SyncConflict, Ticket, TicketLine, TicketPayment, TicketShare

    return {
        "tickets": Ticket.objects.count(),
        "lines": TicketLine.objects.count(),
        "payments": TicketPayment.objects.count(),
        "shares": TicketShare.objects.count(),
        "conflicts": SyncConflict.objects.count(),
        "audit": AuditEvent.objects.filter(event="sales.paper_imported").count(),
    }


def check_only(world: Any, content: bytes) -> float:
    """The read-and-check phase alone: ``iter_table`` and the row checks, nothing written."""
    from gie_erp.core.imports import ImportReport, iter_table
    from sales.paper import PAPER_LIMITS, _Reader

    started = time.perf_counter()
    report = ImportReport(max_errors=PAPER_LIMITS.max_errors)
    _header, rows = iter_table("feuille.csv", content, PAPER_LIMITS)
    reader = _Reader(world.event, report)
    for row in rows:
        reader.read(row, row.number)
    assert report.ok, report.as_rows()[:3]
    return time.perf_counter() - started


def floor_run(world: Any, content: bytes) -> dict[str, Any]:
    """The tally's tickets through the write path alone, in one transaction (the payloads are made untimed)."""
    from django.db import connection, transaction

    from bench.sales_sync import QueryCounter
    from gie_erp.core.imports import ImportReport, iter_table
    from sales.models import Ticket
    from sales.paper import PAPER_LIMITS, _payloads, _Reader
    from sales.tickets import tickets_ingest

    reader = _Reader(world.event, ImportReport())
    _header, rows = iter_table("feuille.csv", content, PAPER_LIMITS)
    for row in rows:
        reader.read(row, row.number)
    batches = [[payload for _ticket, payload in batch] for batch in _payloads(world.event, reader.tickets)]
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter), transaction.atomic(durable=True):
        stored = sum(
            1
            for batch in batches
            for ack in tickets_ingest(batch, source=Ticket.Source.PAPER, now=NOW)
            if ack.status == "stored"
        )
    return {"s": time.perf_counter() - started, "stored": stored, "statements": counter.count}


def import_run(world: Any, content: bytes, user: Any, *, profile: bool) -> dict[str, Any]:
    from django.db import connection

    import sales.paper
    from bench.sales_sync import QueryCounter

    ingest = sales.paper.tickets_ingest
    in_ingest = [0.0]

    def timed_ingest(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return ingest(*args, **kwargs)
        finally:
            in_ingest[0] += time.perf_counter() - started

    counter = QueryCounter()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    sales.paper.tickets_ingest = timed_ingest  # the bench times the write path apart
    try:
        with connection.execute_wrapper(counter):
            result = sales.paper.paper_import(
                event=world.event, filename="feuille.csv", content=content, acting_user=user, now=NOW
            )
    finally:
        sales.paper.tickets_ingest = ingest
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    text = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        text = out.getvalue()
    return {
        "s": seconds,
        "statements": counter.count,
        "ingest_s": in_ingest[0],
        "rows": result.rows_read,
        "tickets": result.tickets,
        "stored": result.stored,
        "duplicates": result.duplicates,
        "profile": text,
    }


def report(f: dict[str, Any]) -> str:
    again = f["again_s"] / f["first_s"]
    ratio = f["first_s"] / f["floor_s"]
    lines = [
        f"database: {f['server']}, Python {f['python']}, {f['cpus']} CPUs, DEBUG=0",
        f"tally: {f['lines']:,} lines = {f['tickets']:,} tickets, {f['bytes'] / 2**20:.1f} MB CSV, "
        f"{f['stands']} stands",
        f"(floor) tickets_ingest of the same tickets, one transaction: {f['floor_s']:.2f} s = "
        f"{f['lines'] / f['floor_s']:,.0f} lines/s ({f['floor_statements']:,} SQL statements, "
        f"{f['floor_stored']:,} stored)",
        f"read and check only (iter_table + row checks): {f['check_s']:.2f} s = {f['lines'] / f['check_s']:,.0f} "
        "lines/s",
        f"(a) paper_import, first time: {f['first_s']:.2f} s = {f['lines'] / f['first_s']:,.0f} lines/s "
        f"({f['first_statements']:,} SQL statements; {f['first_stored']:,} tickets stored, {f['first_duplicates']} "
        f"duplicates; counts {f['counts_after_first']})"
        f"{'' if f['first_s'] <= 60 else '  ✗ (target < 60 s)'}",
        f"    (a) / (floor): {ratio:.2f}×",
        f"    of which tickets_ingest (the one write path, batches of 500): {f['first_ingest_s']:.2f} s; the rest "
        f"(reading, checking, building the payloads, the commit): {f['first_s'] - f['first_ingest_s']:.2f} s",
        f"(b) the same file again: {f['again_s']:.2f} s = {again:.0%} of (a); {f['again_duplicates']:,} duplicates, "
        f"{f['again_stored']} stored ({f['again_statements']:,} SQL statements, tickets_ingest "
        f"{f['again_ingest_s']:.2f} s); "
        f"wrote nothing: {'yes' if f['again_wrote_nothing'] else 'NO ✗'}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sales_paper", description=__doc__)
    parser.add_argument("--db", choices=dbs.DBS, default="postgres")
    parser.add_argument("--lines", type=int, default=LINES, help=f"tally lines (default {LINES:,}, the import's limit)")
    parser.add_argument("--stands", type=int, default=STANDS, help=f"stands (default {STANDS})")
    parser.add_argument("--profile", action="store_true", help="cProfile (a) and print where the time goes")
    args = parser.parse_args()

    from bench.sales_world import django_ready, figures_write, world_make

    figures = django_ready(args.db, NAME)

    from gie_erp.core.roles import Role
    from members.models import User

    world = world_make(stands=args.stands)
    user = User.objects.create(username="bench-accountant", role=Role.GIE_ACCOUNTANT)
    content = tally_csv(world, lines=args.lines)
    tickets = -(-args.lines // LINES_PER_TICKET)
    figures.update(lines=args.lines, tickets=tickets, stands=len(world.members), bytes=len(content), tz=str(TZ))
    print(f"{figures['server']}: a tally of {args.lines:,} lines ({len(content) / 2**20:.1f} MB) made", flush=True)

    figures["check_s"] = check_only(world, content)
    print(f"(check) {figures['check_s']:.2f} s", flush=True)

    from bench.sales_sync import empty_ticket_tables, vacuum

    floor = floor_run(world, content)
    figures.update(floor_s=floor["s"], floor_stored=floor["stored"], floor_statements=floor["statements"])
    print(f"(floor) {floor['s']:.2f} s, {counts()}", flush=True)
    empty_ticket_tables()

    first = import_run(world, content, user, profile=args.profile)
    figures.update(first_s=first["s"], first_stored=first["stored"], first_duplicates=first["duplicates"],
                   first_statements=first["statements"], first_ingest_s=first["ingest_s"])  # fmt: skip
    figures["counts_after_first"] = after_first = counts()
    print(f"(a) {first['s']:.2f} s, {after_first}", flush=True)
    if first["stored"] != tickets or after_first["tickets"] != tickets:
        print(f"  ✗ expected {tickets:,} tickets stored")
    vacuum(["sales_ticket", "sales_ticketline", "sales_ticketpayment", "sales_ticketshare"])

    again = import_run(world, content, user, profile=False)
    figures.update(again_s=again["s"], again_stored=again["stored"], again_duplicates=again["duplicates"],
                   again_statements=again["statements"], again_ingest_s=again["ingest_s"])  # fmt: skip
    figures["again_wrote_nothing"] = again["stored"] == 0 and again["duplicates"] == tickets and counts() == after_first
    print(f"(b) {again['s']:.2f} s", flush=True)

    figures_write("paper", args.db, figures, report(figures), profile=first["profile"] or "")


if __name__ == "__main__":
    main()
