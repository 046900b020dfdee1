"""One measurement on one database: ``python -m bench.run --size S --db D --out FILE`` (spawned by ``python -m bench``).

DATABASE_URL must already point at the bench database (the settings read it at import): the parent sets it.
Steps: recreate the database, migrate, create the organizations and books, stream the generated entries through
``journal_entries_post`` in batches (intercompany lines with the other side's organization as partner), check the
trial balance against the generator's totals, then time the reports and the single path. Writes its figures as JSON
to ``--out``.
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from bench import dbs
from bench.data import (
    DEFAULT_DATA_DIR,
    GenEntry,
    cents_to_decimal,
    data_path,
    ic_partners,
    iter_entries,
    journal_of,
    partner_entity,
)

TODAY = date(2026, 1, 1)
YEAR_START = date(2025, 1, 1)
YEAR_END = date(2025, 12, 31)
ONE_BOOK_ENTITY = 1  # E0001, a member cooperative of the usual size
GL_ACCOUNT = "5141"


def rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def git_commit() -> str:
    """The code measured: HEAD, with ``+dirty`` when ledger/ or members/ have uncommitted changes."""
    root = dbs.REPO_ROOT
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "ledger", "members", "gie_erp/core"],
            cwd=root,
            capture_output=True,
            text=True,
        )
    except OSError:
        return "?"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


class QueryCounter:
    """Counts the statements Django sends (an executemany counts once, as the driver sends it as one call)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001
        self.count += 1
        return execute(sql, params, many, context)


def timed_runs(func: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """One warm-up call, then ``runs`` timed calls; seconds of each and the last result."""
    result = func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


@contextmanager
def maybe_profile(*, enabled: bool, name: str, profiles: dict[str, str]) -> Iterator[None]:
    """cProfile the block when enabled; the top of the cumulative listing goes into ``profiles[name]``."""
    if not enabled:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        dump = dbs.BENCH_VAR / f"profile-{name}.prof"
        profiler.dump_stats(dump)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
        profiles[name] = text.getvalue()
        log(f"profile written to {dump}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", required=True)
    parser.add_argument("--db", required=True, choices=dbs.DBS)
    parser.add_argument("--seed", default="42")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="cProfile batches 2-4, the single path and TB")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    expected_url = dbs.database_url(args.db, args.size)
    if os.environ.get("DATABASE_URL") != expected_url:
        sys.exit(f"DATABASE_URL must be {expected_url} (start this through `python -m bench`)")
    path = data_path(args.data_dir, args.size, args.seed)
    manifest = json.loads((path / "manifest.json").read_text())
    figures: dict[str, Any] = {
        "size": args.size,
        "db": args.db,
        "seed": args.seed,
        "entities": manifest["entities"],
        "entries": manifest["entries"],
        "lines": manifest["postings"],
        "batch": args.batch,
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "commit": git_commit(),
    }
    profiles: dict[str, str] = {}

    dbs.recreate(args.db, args.size)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from ledger.models import Book, Journal
    from ledger.posting import EntryDraft, JournalLine
    from ledger.selectors import general_ledger, trial_balance
    from ledger.services import journal_entries_post, journal_entry_post

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            figures["server"] = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SHOW synchronous_commit")
            figures["server"] += f" (synchronous_commit={cursor.fetchone()[0]})"
    else:
        import sqlite3

        figures["server"] = f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    figures["debug"] = os.environ.get("DEBUG", "1")

    # --- schema
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures["migrate_s"] = time.perf_counter() - start
    log(f"{args.db} {args.size}: migrated in {figures['migrate_s']:.1f} s")

    # --- organizations and books
    start = time.perf_counter()
    book_of_entity: dict[int, int] = {}
    organization_of_entity: dict[int, int] = {}  # a line's partner is the other side's organization, not its book
    with (path / "entities.csv").open() as entities:
        next(entities)
        for row in entities:
            entity_id_text, code, _name = row.rstrip("\n").split(",", 2)
            entity_id = int(entity_id_text)
            with transaction.atomic():
                org, book = dbs.bench_organization(entity_id, code)
                book_of_entity[entity_id] = book.pk
                organization_of_entity[entity_id] = org.pk
    figures["books"] = len(book_of_entity)
    figures["books_s"] = time.perf_counter() - start
    log(f"{len(book_of_entity)} organizations + books in {figures['books_s']:.1f} s")

    # --- bulk load, streamed
    start = time.perf_counter()
    partners = ic_partners(path)
    figures.update(ic_refs=len(partners), ic_partners_s=time.perf_counter() - start)
    log(f"{len(partners):,} intercompany refs read in {figures['ic_partners_s']:.1f} s")
    expected: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    partner_lines_by_account: dict[str, int] = defaultdict(int)
    skipped_zero_lines = 0

    def draft_of(gen: GenEntry) -> EntryDraft:
        nonlocal skipped_zero_lines
        lines = []
        for code, cents in gen.lines:
            if cents == 0:
                skipped_zero_lines += 1
                continue
            cell = expected[(gen.entity, code)]
            other = partner_entity(entity=gen.entity, ic_ref=gen.ic_ref, account_code=code, partners=partners)
            partner_id = None if other is None else organization_of_entity[other]
            if partner_id is not None:
                partner_lines_by_account[code] += 1
            if cents > 0:
                cell[0] += cents
                lines.append(JournalLine(account_code=code, debit=cents_to_decimal(cents), partner_id=partner_id))
            else:
                cell[1] -= cents
                lines.append(JournalLine(account_code=code, credit=cents_to_decimal(-cents), partner_id=partner_id))
        return EntryDraft(
            book_id=book_of_entity[gen.entity],
            posted_on=gen.posted_on,
            journal=Journal(journal_of(gen.kind, tuple(code for code, _ in gen.lines))),
            description=gen.description,
            source_ref=f"GEN-{gen.entry_id}",
            idempotency_key=f"gen:{args.seed}:{gen.entry_id}",
            lines=tuple(lines),
        )

    counter = QueryCounter()
    post_seconds = 0.0
    posted_entries = posted_lines = batches = 0
    load_start = last_report = time.perf_counter()
    batch: list[EntryDraft] = []

    def flush() -> None:
        nonlocal post_seconds, posted_entries, posted_lines, batches, batch
        batches += 1
        profiling = args.profile and 2 <= batches <= 4
        with maybe_profile(enabled=profiling, name=f"{args.size}-{args.db}-bulk-batch{batches}", profiles=profiles):
            started = time.perf_counter()
            with connection.execute_wrapper(counter):
                journal_entries_post(drafts=batch, today=TODAY)
            post_seconds += time.perf_counter() - started
        posted_entries += len(batch)
        posted_lines += sum(len(d.lines) for d in batch)
        batch = []

    for gen in iter_entries(path):
        batch.append(draft_of(gen))
        if len(batch) >= args.batch:
            flush()
            if time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                log(
                    f"{posted_entries:,} entries, {posted_entries / post_seconds:,.0f}/s in posting, "
                    f"{posted_entries / (last_report - load_start):,.0f}/s overall, RSS {rss_now_mb():.0f} MB"
                )
    if batch:
        flush()
    load_wall = time.perf_counter() - load_start
    figures.update(
        load_wall_s=load_wall,
        bulk_post_s=post_seconds,
        bulk_entries=posted_entries,
        bulk_lines=posted_lines,
        bulk_entries_per_s=posted_entries / post_seconds,
        bulk_lines_per_s=posted_lines / post_seconds,
        bulk_entries_per_s_wall=posted_entries / load_wall,
        bulk_batches=batches,
        bulk_queries_per_batch=counter.count / batches,
        skipped_zero_lines=skipped_zero_lines,
        partner_lines=sum(partner_lines_by_account.values()),
        partner_lines_by_account=dict(sorted(partner_lines_by_account.items())),
        rss_after_load_mb=rss_now_mb(),
    )
    log(
        f"loaded {posted_entries:,} entries / {posted_lines:,} lines in {load_wall:.1f} s "
        f"({figures['bulk_entries_per_s']:,.0f} entries/s inside journal_entries_post)"
    )

    by_account = ", ".join(f"{code} {count:,}" for code, count in figures["partner_lines_by_account"].items())
    log(f"{figures['partner_lines']:,} lines posted with a partner ({by_account})")

    # --- planner statistics: autovacuum would refresh them after such a load; do it explicitly (it may be off)
    if connection.vendor == "postgresql":
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            figures["server"] += f" (autovacuum={cursor.fetchone()[0]})"
            cursor.execute("ANALYZE")
        figures["analyze_s"] = time.perf_counter() - start

    # --- correctness: the all-books trial balance equals the generator's sums, to the centime
    rows = trial_balance(book_ids=None, start=YEAR_START, end=YEAR_END)
    entity_of_book = {book: entity for entity, book in book_of_entity.items()}
    got = {
        (entity_of_book[r.book_id], r.account_code): [int(r.debit * 100), int(r.credit * 100)]
        for r in rows
        if r.book_id in entity_of_book
    }
    want = {key: cell for key, cell in expected.items() if cell[0] or cell[1]}
    figures["tb_check"] = "ok" if got == want else f"MISMATCH on {len(set(got.items()) ^ set(want.items()))} cells"
    figures["tb_rows_all"] = len(rows)
    expected.clear()
    del got, want, rows
    log(f"trial balance check against the generator: {figures['tb_check']}")

    # --- reports
    book = Book.objects.get(pk=book_of_entity[ONE_BOOK_ENTITY])
    times, rows = timed_runs(lambda: trial_balance(book_ids=[book.pk], start=YEAR_START, end=YEAR_END), 7)
    figures.update(tb_one_ms=statistics.median(times) * 1000, tb_one_rows=len(rows))
    times, rows = timed_runs(lambda: trial_balance(book_ids=[book.pk], start=YEAR_START, end=date(2025, 6, 15)), 7)
    figures.update(tb_one_partial_ms=statistics.median(times) * 1000)
    with maybe_profile(enabled=args.profile, name=f"{args.size}-{args.db}-tb-all", profiles=profiles):
        times, rows = timed_runs(lambda: trial_balance(book_ids=None, start=YEAR_START, end=YEAR_END), 5)
    figures.update(tb_all_s=statistics.median(times), tb_all_rows=len(rows))
    del rows
    times, (_opening, gl_lines) = timed_runs(
        lambda: general_ledger(book=book, code=GL_ACCOUNT, start=YEAR_START, end=YEAR_END), 7
    )
    figures.update(gl_ms=statistics.median(times) * 1000, gl_lines=len(gl_lines))
    log(
        f"TB one book {figures['tb_one_ms']:.1f} ms, all books {figures['tb_all_s']:.3f} s, "
        f"GL {GL_ACCOUNT} {figures['gl_ms']:.1f} ms ({len(gl_lines)} lines)"
    )

    # --- single path: one call per entry, as a form or a task makes it; the service opens and commits its own
    # transaction (no caller's transaction around it, hence no savepoint)
    templates = (
        (Journal.SALES, (("5161", "D", 120), ("7121", "C", 100), ("4455", "C", 20))),
        (Journal.BANK, (("6147", "D", 100), ("5141", "C", 100))),
        (Journal.PURCHASES, (("6121", "D", 100), ("3455", "D", 20), ("4411", "C", 120))),
        (Journal.MISC, (("6193", "D", 100), ("2834", "C", 100))),
    )
    latencies = []
    single_counter = QueryCounter()
    single_start = time.perf_counter()
    with maybe_profile(enabled=args.profile, name=f"{args.size}-{args.db}-single", profiles=profiles):
        for i in range(args.single):
            journal, shape = templates[i % len(templates)]
            scale = 1 + i % 97
            lines = tuple(
                JournalLine(account_code=code, debit=cents_to_decimal(units * scale * 37))
                if side == "D"
                else JournalLine(account_code=code, credit=cents_to_decimal(units * scale * 37))
                for code, side, units in shape
            )
            started = time.perf_counter()
            with connection.execute_wrapper(single_counter):
                journal_entry_post(
                    book=book,
                    posted_on=date.fromordinal(YEAR_START.toordinal() + i % 365),
                    journal=journal,
                    lines=lines,
                    description=f"Saisie {i}",
                    source_ref=f"SINGLE-{i}",
                    idempotency_key=f"single:{i}",
                    today=TODAY,
                )
            latencies.append(time.perf_counter() - started)
    single_s = time.perf_counter() - single_start
    latencies.sort()
    figures.update(
        single_entries=args.single,
        single_s=single_s,
        single_entries_per_s=args.single / single_s,
        single_p50_ms=latencies[len(latencies) // 2] * 1000,
        single_p95_ms=latencies[int(len(latencies) * 0.95)] * 1000,
        single_queries_per_entry=single_counter.count / args.single,
    )
    log(f"single path: {figures['single_entries_per_s']:,.0f} entries/s (p50 {figures['single_p50_ms']:.2f} ms)")

    connection.close()
    figures["db_bytes"] = dbs.database_bytes(args.db, args.size)
    figures["rss_peak_mb"] = rss_peak_mb()
    figures["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    figures["profiles"] = profiles
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1, sort_keys=True))
    log(f"peak RSS {figures['rss_peak_mb']:.0f} MB; figures in {args.out}")


if __name__ == "__main__":
    main()
