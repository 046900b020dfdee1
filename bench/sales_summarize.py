"""``python -m bench.sales_summarize --db postgres``: summarizing a fair into the books next to the bare work it does.

Runs in one process on its own database (``gie_bench_sales_summarize``, dropped and created again each run, then
migrated), DEBUG off. The world is ``bench.sales_world``'s with every book created: a 10-day fair of 160 stands and
200,000 ticket lines (66,667 tickets of 3 lines), loaded beforehand by the same raw inserts as ``bench.sales_sync``'s
floor (untimed: the rows ``tickets_ingest`` writes, shares split by ``sales.maths``).

(floor) what summarizing cannot do without: one SQL ``GROUP BY`` of the tickets' shares per (day, member, method)
    and of their lines' VAT per (day, member), the entries built from the sums — one GIE entry per (day, member,
    method): Dr the method's account / Cr 4463·member; one member entry per (day, member): Dr 3488·GIE / Cr 7121 /
    Cr 4455 — and posted by ``ledger.services.journal_entries_post``, one call (one transaction) per day. Run
    before and after (a) under other keys (the same entries posted twice more): the mean of both is compared.
(a) ``sales.summaries.summarize(event)``: the same entries, plus what makes it safe to run again and to resume —
    tickets claimed by the run, ``Summary`` rows, complements, progress — one transaction per day. Ratio (a) /
    (floor) ≤ 2 is the target; the sums it posted must equal the floor's.

``--profile`` runs (a) under cProfile. Figures in ``var/bench/sales-summarize-<db>.json``.
"""

import argparse
import cProfile
import io
import pstats
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from bench import dbs
from bench.sales_sync import Lookups, floor_rows, vacuum
from bench.sales_world import LINES, STANDS, TODAY, ticket_payloads, world_make

NAME = "sales_summarize"

GROUP_SQL = """
SELECT t.sold_on, s.organization_id, s.method, SUM(CAST(ROUND(s.amount * 100) AS BIGINT))
FROM sales_ticketshare s JOIN sales_ticket t ON t.id = s.ticket_id
WHERE t.event_id = %s
GROUP BY t.sold_on, s.organization_id, s.method
"""
VAT_SQL = """
SELECT t.sold_on, l.organization_id, SUM(CAST(ROUND(l.vat * 100) AS BIGINT))
FROM sales_ticketline l JOIN sales_ticket t ON t.id = l.ticket_id
WHERE t.event_id = %s
GROUP BY t.sold_on, l.organization_id
"""


def load_tickets(world: Any, lines: int) -> int:
    """The fair's tickets, inserted raw (untimed); returns how many."""
    from django.db import connection, transaction

    from invoices.models import VatRate
    from members.models import Organization

    lookups = Lookups(
        products=world.products_by_id,
        exempt=set(Organization.objects.filter(vat_status=Organization.VatStatus.EXEMPT).values_list("pk", flat=True)),
        rates={r.code: r.rate for r in VatRate.objects.filter(valid_to__isnull=True)},
    )
    count = 0
    for device, batch in ticket_payloads(world, lines=lines):
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, rows in floor_rows(world, lookups, device, batch):
                cursor.executemany(sql, rows)
        count += len(batch)
    return count


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def warm_up(world: Any) -> None:
    """One small entry in every book first, so that neither measure pays for loading the books' contexts."""
    from ledger import accounts
    from ledger.models import Journal
    from ledger.posting import EntryDraft, JournalLine
    from ledger.services import journal_entries_post

    one = Decimal("1.00")
    drafts = [
        EntryDraft(book.pk, world.event.starts_on, Journal.MISC, "Mise en route", "warm-up", f"warm-up:{org}",
                   (JournalLine(accounts.BANK, debit=one), JournalLine(accounts.CASH, credit=one)))
        for org, book in world.books.items()
    ]  # fmt: skip
    journal_entries_post(drafts=drafts, today=TODAY)


def floor_run(world: Any, label: str) -> dict[str, Any]:
    """The GROUP BY, the drafts, the bulk posting per day; seconds and what was posted."""
    from django.db import connection

    from gie_erp.core.money import from_centimes
    from ledger import accounts
    from ledger.models import Journal
    from ledger.posting import EntryDraft, JournalLine
    from ledger.services import journal_entries_post

    event, gie = world.event, world.gie
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(GROUP_SQL, [event.pk])
        shares = cursor.fetchall()
        cursor.execute(VAT_SQL, [event.pk])
        vats = {(_day(d), org): from_centimes(int(c)) for d, org, c in cursor.fetchall()}
    by_day: dict[date, dict[int, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for day, org, method, cents in shares:
        by_day[_day(day)][org][method] = from_centimes(int(cents))
    group_s = time.perf_counter() - started
    entries = 0
    total = Decimal(0)
    gie_book = world.books[gie.pk].pk
    for day, members in sorted(by_day.items()):
        drafts = []
        for org, methods in sorted(members.items()):
            for method, amount in sorted(methods.items()):
                drafts.append(
                    EntryDraft(gie_book, day, Journal.CASH if method == "cash" else Journal.MISC,
                               f"Ventes du {day:%d/%m/%Y}", f"{event.slug} {day}", f"{label}:{day}:{org}:{method}",
                               (JournalLine(event.channel.account_for(method), debit=amount),
                                JournalLine(accounts.PARTNER_CURRENT_CREDIT, credit=amount, partner_id=org)))
                )  # fmt: skip
            takings = sum(methods.values(), Decimal(0))
            vat = vats.get((day, org), Decimal(0))
            lines = [JournalLine(accounts.SUNDRY_DEBTORS, debit=takings, partner_id=gie.pk),
                     JournalLine(accounts.SALES_PRODUCED, credit=takings - vat)]  # fmt: skip
            if vat:
                lines.append(JournalLine(accounts.VAT_COLLECTED, credit=vat))
            drafts.append(
                EntryDraft(world.books[org].pk, day, Journal.SALES, f"Ventes du {day:%d/%m/%Y}",
                           f"{event.slug} {day}", f"{label}:{day}:{org}", tuple(lines))
            )  # fmt: skip
            total += takings
        refs = journal_entries_post(drafts=drafts, today=TODAY)
        entries += sum(1 for ref in refs if ref.created)
    return {"s": time.perf_counter() - started, "group_s": group_s, "entries": entries, "total": total}


def summarize_run(world: Any, *, profile: bool) -> dict[str, Any]:
    from django.db.models import Sum

    from sales.models import Summary
    from sales.summaries import summarize

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    run = summarize(world.event, today=TODAY)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    text = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(20)
        text = out.getvalue()
    total = Summary.objects.filter(run=run).aggregate(t=Sum("amount"))["t"]
    return {
        "s": seconds,
        "state": run.state,
        "tickets": run.ticket_count,
        "entries": run.entry_count,
        "summaries": Summary.objects.filter(run=run).count(),
        "total": total,
        "profile": text,
    }


def report(f: dict[str, Any]) -> str:
    ratio = f["summarize_s"] / f["floor_s"]
    lines = [
        f"database: {f['server']}, Python {f['python']}, {f['cpus']} CPUs, DEBUG=0",
        f"{f['lines']:,} ticket lines = {f['tickets']:,} tickets over 10 days, {f['stands']} stands "
        f"(loaded raw in {f['load_s']:.0f} s, untimed)",
        f"(floor) GROUP BY + drafts + journal_entries_post per day: {f['floor_s']:.2f} s (mean of "
        f"{f['floor_before_s']:.2f} s before and {f['floor_after_s']:.2f} s after (a); the GROUP BY "
        f"{f['floor_group_s']:.2f} s), {f['floor_entries']:,} entries",
        f"(a) summarize: {f['summarize_s']:.2f} s, {f['summarize_entries']:,} entries, {f['summaries']:,} summaries, "
        f"{f['summarize_tickets']:,} tickets claimed, run {f['summarize_state']}",
        f"    (a) / (floor): {ratio:.2f}× (target ≤ 2×){'' if ratio <= 2 else '  ✗'}",
        f"    same sums posted: {'yes' if f['same_total'] else 'NO ✗'} ({f['summarize_total']}); same number of "
        f"entries: {'yes' if f['same_entries'] else 'NO ✗'}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sales_summarize", description=__doc__)
    parser.add_argument("--db", choices=dbs.DBS, default="postgres")
    parser.add_argument("--lines", type=int, default=LINES, help=f"ticket lines (default {LINES:,})")
    parser.add_argument("--stands", type=int, default=STANDS, help=f"stands (default {STANDS})")
    parser.add_argument("--profile", action="store_true", help="cProfile (a) and print where the time goes")
    args = parser.parse_args()

    from bench.sales_world import django_ready, figures_write

    figures = django_ready(args.db, NAME)

    started = time.perf_counter()
    world = world_make(stands=args.stands, books=True)
    print(f"{figures['server']}: {len(world.books)} books in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    tickets = load_tickets(world, args.lines)
    figures.update(lines=args.lines, tickets=tickets, stands=len(world.members), load_s=time.perf_counter() - started)
    vacuum(["sales_ticket", "sales_ticketline", "sales_ticketpayment", "sales_ticketshare"])
    print(f"{tickets:,} tickets loaded in {figures['load_s']:.0f} s", flush=True)

    warm_up(world)
    before = floor_run(world, "floor-before")
    print(f"(floor) {before['s']:.2f} s, {before['entries']:,} entries", flush=True)
    summary = summarize_run(world, profile=args.profile)
    print(f"(a) {summary['s']:.2f} s, {summary['entries']:,} entries", flush=True)
    after = floor_run(world, "floor-after")
    print(f"(floor, again) {after['s']:.2f} s", flush=True)
    figures.update(
        floor_s=(before["s"] + after["s"]) / 2,
        floor_before_s=before["s"],
        floor_after_s=after["s"],
        floor_group_s=before["group_s"],
        floor_entries=before["entries"],
        summarize_s=summary["s"],
        summarize_entries=summary["entries"],
        summarize_tickets=summary["tickets"],
        summarize_state=summary["state"],
        summaries=summary["summaries"],
        summarize_total=str(summary["total"]),
        same_total=summary["total"] == before["total"],
        same_entries=summary["entries"] == before["entries"],
    )
    figures_write("summarize", args.db, figures, report(figures), profile=summary["profile"] or "")


if __name__ == "__main__":
    main()
