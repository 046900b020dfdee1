"""``python -m bench.invoices_post --db postgres``: what validating an invoice costs next to posting an entry.

Runs in one process on its own database (``gie_bench_invoices`` on PostgreSQL, ``var/bench/invoices.sqlite3`` on
SQLite; dropped and created again each run, then migrated), with ``DEBUG=0`` as ``python -m bench`` does:

(a) the single posting path: ``journal_entry_post`` of 3-line entries (5161 / 7121 / 4455), one at a time, each its
    own transaction (the loop of ``bench.run``'s figure (a), 3-line entries only);
(b) validating three-line invoices one at a time from one process: ``document_validate`` of drafts made beforehand
    (untimed), each its own transaction. A GIE invoice to an outside customer posts one 3-line entry (3421 / 7124 /
    44551), so invoices/s = entries/s, compared with (a): target ≥ 50 %;
(c) 200 validations of one issuer's drafts by 16 threads at once, each with its own connection: invoices/s over the
    wall time, and a check that the series is gapless (numbers 1…200 exactly once, one entry each). PostgreSQL only.

``--profile`` runs (b) under cProfile and prints where the time goes. Figures go to ``var/bench/invoices-<db>.json``.
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from bench import dbs

NAME = "invoices"  # the database: gie_bench_invoices / var/bench/invoices.sqlite3
TODAY = date(2026, 12, 31)
DAY = date(2026, 6, 15)
THREADS = 16
CONCURRENT = 200


class QueryCounter:
    """Counts the statements Django sends (as bench.run's)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001
        self.count += 1
        return execute(sql, params, many, context)


def _setup() -> dict[str, Any]:
    """The GIE (VAT-registered, with its RIB), a VAT-registered cooperative, a cooperative whose book takes (a), an
    outside customer; every identifier an invoice must print."""
    from invoices.models import IssuerSettings, Party
    from ledger.books import book_ensure
    from members.legal_ids import ice_with_check_digits
    from members.models import Organization

    def organization(slug: str, kind: str, n: int) -> Organization:
        return Organization.objects.create(
            slug=slug,
            kind=kind,
            legal_name_fr=f"Bench {slug}",
            legal_name_ar=f"تعاونية {n}",
            ice=ice_with_check_digits(f"{900000000000 + n:013d}"),
            if_number=f"4000000{n}",
            tp_number=f"5000000{n}",
            rc_number=f"{1000 + n} Tanger",
            odco_number=f"ODCO-BENCH-{n}",
            address="Zone d'activités, lot 1",
            vat_status=Organization.VatStatus.REGISTERED,
        )

    gie = organization("bench-gie", Organization.Kind.GIE, 1)
    coop = organization("bench-coop", Organization.Kind.COOPERATIVE, 2)
    single = organization("bench-single", Organization.Kind.COOPERATIVE, 3)
    books = {org.slug: book_ensure(organization=org) for org in (gie, coop, single)}
    IssuerSettings.objects.create(organization=gie, bank_account="225 640 0012345678901234 74")
    customer = Party.objects.create(
        code="bench-hotel",
        legal_name_fr="Hôtel du banc d'essai",
        ice=ice_with_check_digits("0031245780000"),
        address="Avenue Mohammed VI",
        city="Tanger",
    )
    return {"gie": gie, "coop": coop, "books": books, "customer": customer}


def _drafts(issuer: Any, customer: Any, count: int) -> list[int]:
    from invoices.services import LineInput, document_save_draft

    ids = []
    for n in range(count):
        lines = [
            LineInput(description="Tenue de la comptabilité", quantity=Decimal(3), unit_price=Decimal("100.00")),
            LineInput(description="Frais de stand", quantity=Decimal(1), unit_price=Decimal(f"{250 + n % 97}.00")),
            LineInput(description="Accompagnement commercial", quantity=Decimal(2), unit_price=Decimal("75.50")),
        ]
        ids.append(document_save_draft(issuer=issuer, customer=customer, issued_on=DAY, lines=lines).pk)
    return ids


def single_path(book: Any, count: int) -> dict[str, float]:
    """(a): ``count`` 3-line entries posted one by one, each committing alone."""
    from django.db import connection

    from ledger.models import Journal
    from ledger.posting import JournalLine
    from ledger.services import journal_entry_post

    counter, latencies = QueryCounter(), []
    start = time.perf_counter()
    for i in range(count):
        scale = Decimal(1 + i % 97)
        lines = (
            JournalLine(account_code="5161", debit=Decimal("1.20") * scale),
            JournalLine(account_code="7121", credit=Decimal("1.00") * scale),
            JournalLine(account_code="4455", credit=Decimal("0.20") * scale),
        )
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            journal_entry_post(
                book=book,
                posted_on=DAY,
                journal=Journal.CASH,
                lines=lines,
                description=f"Vente {i}",
                source_ref=f"TK-{i}",
                idempotency_key=f"bench-single:{i}",
                today=TODAY,
            )
        latencies.append(time.perf_counter() - started)
    seconds = time.perf_counter() - start
    return _rates("single", count, count, seconds, latencies, counter.count)


def validations(ids: list[int], *, profile: bool) -> tuple[dict[str, float], str]:
    """(b): each draft validated (numbered, frozen, posted) in its own transaction, one after the other."""
    from django.db import connection

    from invoices.services import document_validate
    from ledger.models import Entry

    entries_before = Entry.objects.count()
    counter, latencies = QueryCounter(), []
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    for pk in ids:
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            document_validate(document_id=pk, today=TODAY)
        latencies.append(time.perf_counter() - started)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    text = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        text = out.getvalue()
    entries = Entry.objects.count() - entries_before
    return _rates("invoices", len(ids), entries, seconds, latencies, counter.count), text


def batch_validations(ids: list[int], batch: int) -> dict[str, float]:
    """(b2): the same work validated in batches (``documents_validate``: a fee run, a bundle), one transaction per
    batch of ``batch`` drafts, one process."""
    from django.db import connection

    from invoices.services import documents_validate
    from ledger.models import Entry

    entries_before = Entry.objects.count()
    counter, latencies = QueryCounter(), []
    start = time.perf_counter()
    for first in range(0, len(ids), batch):
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            documents_validate(document_ids=ids[first : first + batch], today=TODAY)
        latencies.append(time.perf_counter() - started)
    seconds = time.perf_counter() - start
    entries = Entry.objects.count() - entries_before
    figures = _rates("batch", len(ids), entries, seconds, latencies, counter.count)
    figures["batch_size"] = batch
    return figures


def concurrent_validations(ids: list[int], issuer: Any) -> dict[str, Any]:
    """(c): the drafts shared among THREADS threads started together, each on its own connection."""
    from django.db import connection

    from invoices.models import Document
    from invoices.services import document_validate
    from ledger.models import Entry

    barrier = threading.Barrier(THREADS + 1)
    errors: list[BaseException] = []

    def worker(share: list[int]) -> None:
        try:
            barrier.wait()
            for pk in share:
                document_validate(document_id=pk, today=TODAY)
        except Exception as error:  # reported in the figures and fails the gapless check
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(ids[n::THREADS],)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    documents = Document.objects.filter(pk__in=ids)
    sequences = sorted(document.sequence or 0 for document in documents)
    keys = {f"invoice:{pk}:issuer" for pk in ids}
    posted = Entry.objects.filter(book__organization=issuer, idempotency_key__in=keys).count()
    gapless = not errors and sequences == list(range(1, len(ids) + 1)) and posted == len(ids)
    return {
        "concurrent_invoices": len(ids),
        "concurrent_threads": THREADS,
        "concurrent_s": seconds,
        "concurrent_invoices_per_s": len(ids) / seconds,
        "concurrent_gapless": "ok" if gapless else f"FAILED ({len(errors)} errors, {posted} posted)",
        "concurrent_errors": [repr(error) for error in errors[:5]],
    }


def _rates(
    prefix: str, count: int, entries: int, seconds: float, latencies: list[float], statements: int
) -> dict[str, float]:
    latencies = sorted(latencies)
    return {
        f"{prefix}_count": count,
        f"{prefix}_entries": entries,
        f"{prefix}_s": seconds,
        f"{prefix}_per_s": count / seconds,
        f"{prefix}_entries_per_s": entries / seconds,
        f"{prefix}_p50_ms": statistics.median(latencies) * 1000,
        f"{prefix}_p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        f"{prefix}_statements_each": statements / count,
    }


def report(figures: dict[str, Any]) -> str:
    ratio = figures["invoices_entries_per_s"] / figures["single_entries_per_s"]
    lines = [
        f"database: {figures['server']}, Python {figures['python']}, {figures['cpus']} CPUs, DEBUG=0",
        f"(a) single path, 3-line entries: {figures['single_entries_per_s']:,.0f} entries/s "
        f"(p50 {figures['single_p50_ms']:.2f} ms, p95 {figures['single_p95_ms']:.2f} ms, "
        f"{figures['single_statements_each']:.1f} statements each; {figures['single_count']:,} entries)",
        f"(b) invoices validated one by one: {figures['invoices_per_s']:,.0f} invoices/s, "
        f"{figures['invoices_entries_per_s']:,.0f} entries/s (p50 {figures['invoices_p50_ms']:.2f} ms, "
        f"p95 {figures['invoices_p95_ms']:.2f} ms, {figures['invoices_statements_each']:.1f} statements each; "
        f"{figures['invoices_count']:,} invoices, drafts made beforehand at {figures['drafts_per_s']:,.0f}/s)",
        f"    (b) / (a) entries/s: {ratio:.0%}",
    ]
    if "batch_per_s" in figures:
        batch_ratio = figures["batch_entries_per_s"] / figures["single_entries_per_s"]
        lines += [
            f"(b2) invoices validated in batches of {figures['batch_size']}: {figures['batch_per_s']:,.0f} invoices/s, "
            f"{figures['batch_entries_per_s']:,.0f} entries/s ({figures['batch_count']:,} invoices)",
            f"    (b2) / (a) entries/s: {batch_ratio:.0%} (target ≥ 50 %){'' if batch_ratio >= 0.5 else '  ✗'}",
        ]
    if "concurrent_s" in figures:
        lines.append(
            f"(c) {figures['concurrent_invoices']} validations over {figures['concurrent_threads']} connections: "
            f"{figures['concurrent_invoices_per_s']:,.0f} invoices/s ({figures['concurrent_s']:.2f} s), "
            f"series gapless: {figures['concurrent_gapless']}"
        )
    else:
        lines.append("(c) concurrent validations: PostgreSQL only, not run")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.invoices_post", description=__doc__)
    parser.add_argument("--db", choices=dbs.DBS, default="postgres")
    parser.add_argument("--single", type=int, default=2000, help="entries for (a) (default 2,000)")
    parser.add_argument("--invoices", type=int, default=1000, help="invoices for (b) (default 1,000)")
    parser.add_argument("--batch", type=int, default=200, help="drafts per documents_validate call in (b2)")
    parser.add_argument("--profile", action="store_true", help="cProfile (b) and print where the time goes")
    args = parser.parse_args()

    dbs.recreate(args.db, NAME)
    os.environ["DATABASE_URL"] = dbs.database_url(args.db, NAME)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"  # production-like: no per-query bookkeeping in Django's debug cursor
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    figures: dict[str, Any] = {
        "db": args.db,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            figures["server"] = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        figures["server"] = f"SQLite {sqlite3.sqlite_version}"
    call_command("migrate", verbosity=0)
    world = _setup()
    print(f"{figures['server']}: migrated, organizations and books created", flush=True)

    figures.update(single_path(world["books"]["bench-single"], args.single))
    print(f"(a) {figures['single_entries_per_s']:,.0f} entries/s", flush=True)
    start = time.perf_counter()
    ids = _drafts(world["gie"], world["customer"], args.invoices)
    figures["drafts_per_s"] = len(ids) / (time.perf_counter() - start)
    invoice_figures, profile_text = validations(ids, profile=args.profile)
    figures.update(invoice_figures)
    print(f"(b) {figures['invoices_per_s']:,.0f} invoices/s", flush=True)
    figures.update(batch_validations(_drafts(world["gie"], world["customer"], args.invoices), args.batch))
    print(f"(b2) {figures['batch_per_s']:,.0f} invoices/s in batches of {args.batch}", flush=True)
    if connection.vendor == "postgresql":
        figures.update(concurrent_validations(_drafts(world["coop"], world["customer"], CONCURRENT), world["coop"]))
    connection.close()
    figures["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out = dbs.BENCH_VAR / f"invoices-{args.db}{'-profiled' if args.profile else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1, sort_keys=True))
    print()
    print(report(figures))
    print(f"figures in {out}")
    if profile_text:
        print("\n--- profile of (b)\n" + profile_text)


if __name__ == "__main__":
    main()
