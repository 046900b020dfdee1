"""``python -m bench.combine --db postgres [--size large] [--reload] [--runs 5] [--profile]``: the combined accounts
of a whole year over every book of the shared generator's region (issue 15's targets, as ratios measured in the same
run on the same data):

(a) the **floor**: a raw ``GROUP BY account`` over the monthly balance table for the year 2025 (one SQL statement,
    nothing else: what the balance table's shape allows at best);
(b) the **combined trial balance with eliminations** for 2025 over all books, as the command computes it:
    ``book_set("all")`` then ``combined_trial_balance(listed=False)`` (the sums per account through
    ``ledger.selectors``; the pairs by partner summed in the database by ``partner_pair_uncancelled``, those that
    cancel counted and taken out per account there, the others classified by ``eliminate``). Target ≤ 1.5 × (a);
    shown apart: the same with every eliminated pair listed (``partner_pair_sums``, as the page and the XLSX read
    them), the reads alone and the classification of the listed pairs alone;
(c) the **wide XLSX** of those accounts (a column per book, and the sheets of the Bilan, CPC, eliminations and
    differences) from the computed accounts; target ≤ 2 s. Shown too: the whole export as the page answers it
    (combined accounts with the Bilan, then the workbook).

The data is the generator's (``bench.data``), loaded once through our own posting path into a database of this bench
(``gie_bench_combine_<size>`` on PostgreSQL, ``var/bench/combine_<size>.sqlite3`` on SQLite), with the other side's
organization as the partner of every intercompany line (``bench.data.partner_entity``) as ``python -m bench`` does.
Later runs reuse it (``--reload`` loads it again): the load of the large size takes about 15 minutes on PostgreSQL.
Each figure is the median of ``--runs`` runs after one warm-up; figures go to ``var/bench/combine-<size>-<db>.json``.
"""

import argparse
import cProfile
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench import dbs
from bench.data import (
    DEFAULT_DATA_DIR,
    DEFAULT_GENERATOR,
    SIZES,
    cents_to_decimal,
    ensure_data,
    ic_partners,
    iter_entries,
    journal_of,
    partner_entity,
)

YEAR = 2025
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
TODAY = date(2026, 1, 1)
BATCH = 5000


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def _name(size: str) -> str:
    return f"combine_{size}"


def _loaded_marker(db: str, size: str) -> Path:
    return dbs.BENCH_VAR / f"combine-{size}-{db}.loaded.json"


def _is_loaded(db: str, size: str, manifest: dict[str, Any]) -> bool:
    """The bench database exists and was loaded from this data set (its marker names the manifest's counts)."""
    marker = _loaded_marker(db, size)
    if not marker.exists():
        return False
    if db == "sqlite" and not dbs.sqlite_file(_name(size)).exists():
        return False
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{dbs.PG_SERVER}/postgres") as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbs.pg_name(_name(size))]).fetchone()
        if found is None:
            return False
    stored = json.loads(marker.read_text())
    return bool(stored.get("entries") == manifest["entries"] and stored.get("seed") == manifest.get("seed"))


def _setup_django(db: str, size: str) -> None:
    os.environ["DATABASE_URL"] = dbs.database_url(db, _name(size))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["DEBUG"] = "0"  # production-like: no per-query bookkeeping in Django's debug cursor
    import django

    django.setup()


def _load(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Organizations, books and every generated entry through ``journal_entries_post`` (partners on the intercompany
    lines), then ANALYZE on PostgreSQL (autovacuum may be off)."""
    from django.db import connection, transaction

    from ledger.models import Journal
    from ledger.posting import EntryDraft, JournalLine
    from ledger.services import journal_entries_post

    started = time.perf_counter()
    book_of: dict[int, int] = {}
    organization_of: dict[int, int] = {}
    with (path / "entities.csv").open() as entities:
        next(entities)
        for row in entities:
            entity_text, code, _name = row.rstrip("\n").split(",", 2)
            entity = int(entity_text)
            with transaction.atomic():
                organization, book = dbs.bench_organization(entity, code)
                book_of[entity] = book.pk
                organization_of[entity] = organization.pk
    books_s = time.perf_counter() - started
    log(f"{len(book_of):,} organizations and books in {books_s:.0f} s")

    started = time.perf_counter()
    partners = ic_partners(path)
    batch: list[EntryDraft] = []
    posted = partner_lines = 0
    for gen in iter_entries(path):
        lines = []
        for code, cents in gen.lines:
            if cents == 0:
                continue
            other = partner_entity(entity=gen.entity, ic_ref=gen.ic_ref, account_code=code, partners=partners)
            partner = None if other is None else organization_of[other]
            partner_lines += partner is not None
            amount = cents_to_decimal(abs(cents))
            lines.append(
                JournalLine(code, debit=amount, partner_id=partner)
                if cents > 0
                else JournalLine(code, credit=amount, partner_id=partner)
            )
        batch.append(
            EntryDraft(
                book_id=book_of[gen.entity],
                posted_on=gen.posted_on,
                journal=Journal(journal_of(gen.kind, tuple(code for code, _ in gen.lines))),
                description=gen.description,
                source_ref=f"GEN-{gen.entry_id}",
                idempotency_key=f"gen:{manifest.get('seed')}:{gen.entry_id}",
                lines=tuple(lines),
            )
        )
        if len(batch) >= BATCH:
            journal_entries_post(drafts=batch, today=TODAY)
            posted += len(batch)
            batch = []
            if posted % 100_000 == 0:
                log(f"{posted:,} entries posted ({posted / (time.perf_counter() - started):,.0f}/s)")
    if batch:
        journal_entries_post(drafts=batch, today=TODAY)
        posted += len(batch)
    load_s = time.perf_counter() - started
    log(f"{posted:,} entries ({partner_lines:,} lines with a partner) in {load_s:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"books_s": books_s, "load_s": load_s, "entries": posted, "partner_lines": partner_lines}


def _timed(func: Callable[[], Any], runs: int) -> tuple[float, list[float], Any]:
    """One warm-up call, then ``runs`` timed calls: (median seconds, every time, the last result)."""
    result = func()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


FLOOR_SQL = "SELECT account_code, SUM(debit), SUM(credit) FROM ledger_balance WHERE year = %s GROUP BY account_code"
PARTNER_SQL = (
    "SELECT book_id, account_code, partner_id, SUM(debit), SUM(credit) FROM ledger_balance "
    "WHERE year = %s AND partner_id <> 0 GROUP BY book_id, account_code, partner_id"
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.combine", description=__doc__)
    parser.add_argument("--db", choices=dbs.DBS, default="postgres")
    parser.add_argument("--size", choices=SIZES, default="large")
    parser.add_argument("--seed", default="42")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reload", action="store_true", help="load the data again even if it is there")
    parser.add_argument("--profile", action="store_true", help="cProfile one combined trial balance and one XLSX")
    args = parser.parse_args()

    path, manifest = ensure_data(generator=DEFAULT_GENERATOR, data_dir=DEFAULT_DATA_DIR, size=args.size, seed=args.seed)
    manifest = {**manifest, "seed": args.seed}
    reuse = not args.reload and _is_loaded(args.db, args.size, manifest)
    if not reuse:
        dbs.recreate(args.db, _name(args.size))
        _loaded_marker(args.db, args.size).unlink(missing_ok=True)
    _setup_django(args.db, args.size)

    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)  # a no-op on a loaded database unless the schema moved on
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    figures: dict[str, Any] = {
        "size": args.size, "db": args.db, "seed": args.seed, "runs": args.runs, "started": started,
        "cpus": os.cpu_count(),
    }  # fmt: skip
    if reuse:
        log(f"reusing the loaded database {dbs.database_url(args.db, _name(args.size))}")
    else:
        load = _load(path, manifest)
        figures.update(load)
        marker = _loaded_marker(args.db, args.size)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"entries": manifest["entries"], "seed": args.seed}))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            figures["server"] = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        figures["server"] = f"SQLite {sqlite3.sqlite_version}"

    from gie_erp.combine import eliminate
    from gie_erp.combine.exports import sheets, workbook
    from gie_erp.combine.selectors import active_rules, book_set, combined_accounts, combined_trial_balance
    from gie_erp.combine.workbook import workbook_bytes
    from gie_erp.core.money import from_centimes
    from ledger.models import Balance, Book, PairYear
    from ledger.pairs import partner_pair_sums
    from ledger.selectors import account_totals

    def floor() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [YEAR])
            return cursor.fetchall()

    def combined() -> Any:
        return combined_trial_balance(books=book_set("all"), start=START, end=END, per_book=False, listed=False)

    def combined_listed() -> Any:
        return combined_trial_balance(books=book_set("all"), start=START, end=END, per_book=False)

    figures["books"] = Book.objects.count()
    figures["balance_rows_year"] = Balance.objects.filter(year=YEAR).count()
    figures["floor_s"], figures["floor_runs"], floor_rows = _timed(floor, args.runs)
    figures["combined_s"], figures["combined_runs"], tb = _timed(combined, args.runs)
    figures["ratio"] = figures["combined_s"] / figures["floor_s"]
    figures["combined_listed_s"], _runs, listed = _timed(combined_listed, args.runs)
    assert listed.rows == tb.rows
    assert listed.eliminated_count == tb.eliminated_count
    assert len(listed.differences) == len(tb.differences)

    # the pair table: (b) without it (every balance row by partner paired again), its rebuild, its check
    from ledger import pair_table
    from ledger import pairs as ledger_pairs

    table_year = ledger_pairs._table_year
    ledger_pairs._table_year = lambda *_args: None
    try:
        figures["combined_unpaired_s"], _runs, unpaired = _timed(combined, args.runs)
    finally:
        ledger_pairs._table_year = table_year
    assert unpaired.rows == tb.rows
    assert unpaired.eliminated_count == tb.eliminated_count
    assert [(d.left.slug, d.right.slug, d.difference) for d in unpaired.differences] == [
        (d.left.slug, d.right.slug, d.difference) for d in tb.differences
    ]
    started_at = time.perf_counter()
    with transaction.atomic():
        pair_table.rebuild()
    figures["pair_rebuild_s"] = time.perf_counter() - started_at
    started_at = time.perf_counter()
    assert pair_table.differences() == []
    figures["pair_verify_s"] = time.perf_counter() - started_at
    figures["pair_table_rows"] = PairYear.objects.filter(year=YEAR).count()

    # the parts of (b): the sums per account and the pairs summed in the database (ledger.selectors), then the
    # classification of the pairs in Python (eliminate.eliminate_pairs)
    books = book_set("all")
    rules = active_rules()
    gie = next(book.organization_id for book in books if book.organization.is_gie)
    chosen = [book.organization_id for book in books]

    def read() -> tuple[Any, Any]:
        totals = account_totals(book_ids=None, start=START, end=END)
        claims = eliminate.database_claims(rules, totals)
        return totals, partner_pair_sums(book_ids=None, start=START, end=END, claims=claims, gie=gie)

    figures["read_s"], _runs, (_totals, pairs) = _timed(read, args.runs)
    figures["pair_rows"] = len(pairs)
    figures["pairs_s"], _runs, _result = _timed(
        lambda: eliminate.eliminate_pairs(
            pairs=pairs, chosen=chosen, gie=gie, rules=rules, books=chosen, unpartnered=lambda _books: {}
        ),
        args.runs,
    )

    # what a read of the amounts WITH a partner only would cost (not in ledger.selectors today): the sum of the
    # books per account as the floor reads it, plus the partner rows of the year
    def partner_only() -> tuple[Any, Any]:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [YEAR])
            totals = cursor.fetchall()
            cursor.execute(PARTNER_SQL, [YEAR])
            return totals, cursor.fetchall()

    figures["partner_only_read_s"], _runs, _rows = _timed(partner_only, args.runs)

    # correctness: the sum of the books is every account's total; the eliminations sum to nothing
    totals = {code: d - c for code, (d, c) in account_totals(book_ids=None, start=START, end=END).items()}
    assert {code: v for code, v in tb.combination.total.items() if v} == {c: v for c, v in totals.items() if v}
    assert sum(tb.combination.eliminations.values()) == 0
    assert sum(row.combined for row in tb.rows) == 0
    assert len(floor_rows) >= len(tb.rows) - 1
    figures.update(
        accounts=len(tb.rows),
        eliminated_pairs=tb.eliminated_count,
        differences=len(tb.differences),
        outside=len(tb.outside),
        eliminated_total=str(from_centimes(sum(v for v in tb.combination.eliminations.values() if v > 0))),
    )

    accounts = combined_accounts(books=books, start=START, end=END)
    figures["xlsx_s"], _runs, content = _timed(lambda: workbook(accounts, "fr"), args.runs)
    trial_balance_sheet = sheets(accounts, "fr")[:1]
    figures["xlsx_tb_s"], _runs, _content = _timed(lambda: workbook_bytes(trial_balance_sheet), args.runs)
    figures["xlsx_bytes"] = len(content)
    figures["export_s"], _runs, _content = _timed(
        lambda: workbook(combined_accounts(books=book_set("all"), start=START, end=END), "fr"), max(1, args.runs // 2)
    )
    profile = ""
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        combined()
        workbook(accounts, "fr")
        profiler.disable()
        profile = dbs.profile_text(profiler, 35)

    connection.close()
    report = "\n".join(
        [
            f"combined accounts of {YEAR}, {figures['books']:,} books, {figures['server']} "
            f"({figures['cpus']} CPUs), median of {args.runs}",
            f"(a) floor, raw GROUP BY account over the monthly balance table ({figures['balance_rows_year']:,} rows): "
            f"{figures['floor_s']:.3f} s",
            f"(b) combined trial balance with eliminations: {figures['combined_s']:.3f} s = "
            f"{figures['ratio']:.2f} × the floor (target ≤ 1.5 ×), the pairs that do not cancel read from the pair "
            f"table ({figures['pair_table_rows']:,} pairs in {YEAR})",
            f"    without the pair table (every balance row by partner paired again, the same result): "
            f"{figures['combined_unpaired_s']:.3f} s; the table rebuilt from the balances (after a change to the "
            f"pair list) in {figures['pair_rebuild_s']:.2f} s, checked against them in "
            f"{figures['pair_verify_s']:.2f} s",
            f"    the same with every eliminated pair listed one by one (the page's list, the XLSX): "
            f"{figures['combined_listed_s']:.3f} s",
            f"    of which the reads (sums per account, and the pairs summed in the database: "
            f"{figures['pair_rows']:,} rows) {figures['read_s']:.3f} s; the classification of the pairs alone "
            f"{figures['pairs_s']:.3f} s",
            f"    for comparison, a read of the totals and the partner rows only (raw SQL, not in ledger.selectors): "
            f"{figures['partner_only_read_s']:.3f} s",
            f"    {figures['accounts']} accounts, {figures['eliminated_pairs']:,} pairs eliminated "
            f"({figures['eliminated_total']} MAD), {figures['differences']:,} differences, "
            f"{figures['outside']:,} flows outside the set",
            f"(c) wide XLSX ({figures['books']:,} book columns, 6 sheets, {figures['xlsx_bytes'] / 1e6:.1f} MB): "
            f"{figures['xlsx_s']:.2f} s (target ≤ 2 s), of which the trial balance's sheet alone "
            f"{figures['xlsx_tb_s']:.2f} s; the whole export as the page answers it (accounts, Bilan, workbook): "
            f"{figures['export_s']:.2f} s",
        ]
    )
    dbs.save_figures(f"combine-{args.size}-{args.db}", figures, report)
    if profile:
        print("\n--- profile of (b) and (c)\n" + profile)


if __name__ == "__main__":
    main()
