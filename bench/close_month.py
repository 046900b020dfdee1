"""``python -m bench.close_month --db postgres [--members 1631]``: the month close of every book.

Issue 15's target, on PostgreSQL with the bench's 1,631 members: the month close of 1,631 books (checks, VAT
liquidation, locks; statements apart) ≤ 60 s with 2 workers.

Not timed: the world of ``bench.fees_run`` (the GIE and ``--members`` cooperatives, one in five VAT-registered, each
with its book and party; the GIE's June and July costs) and a posted fee run for June and one for July: every book
then holds the month's fee invoice (both sides, VAT on the registered ones), which the checks read and the VAT
liquidation clears. Timed (wall):

(a) June closed in this process, book after book (``close_run_advance``: what the page and the command do without a
    broker), with the per-book time;
(b) July closed by a real Celery worker with 2 processes (``--concurrency=2``) on its own Redis database and queue:
    a task per batch of books (``close_run_batches``: what ``close_run_dispatch`` queues; ``--per-item``: one task
    per book, as before batches), from the dispatch to the last item processed.

Checked after each: every book closed, one lock per book and month, no pending item. Figures (with the queries of
(a) per book and the load average at each step, the machine being shared) go to ``var/bench/close-<db>.json``.

``--keep-world`` (PostgreSQL): the set-up database is kept as a template (``gie_bench_close_w<members>``) the first
time, and later runs start from a copy of it instead of setting up again (minutes saved per run).
"""

import argparse
import cProfile
import os
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from typing import Any

from bench import dbs
from bench.data import REPO_ROOT
from bench.fees_run import MEMBERS, TODAY, _world
from bench.sales_world import django_ready

BROKER = "redis://127.0.0.1:6379/12"
WORKER = """
import sys
from config.celery import app
app.worker_main(["worker", "--pool=prefork", "--concurrency=2", "-Q", sys.argv[1], "-n", sys.argv[2],
                 "--without-mingle", "--without-gossip", "--loglevel=WARNING"])
"""


def _fee_run(pool: Any, month: int) -> Any:
    from django.db import transaction

    from gie_erp.fees.selectors import run_preview
    from gie_erp.fees.services import run_post

    start, end = date(2026, month, 1), date(2026, month, 30 if month == 6 else 31)
    today = date(2026, month + 1, 5)
    preview = run_preview(pool, start, end)
    with transaction.atomic(durable=True):
        return run_post(pool=pool, starts_on=start, ends_on=end, expected_total=preview.split.total, today=today)


def _july(members: list[Any]) -> None:
    """The GIE's July rent and the members' cooperators for July (the key of the pool)."""
    from ledger.models import Book, Journal
    from ledger.posting import JournalLine
    from ledger.services import journal_entry_post
    from members.models import AllocationKey, AllocationKeyValue, Organization

    AllocationKeyValue.objects.bulk_create(
        AllocationKeyValue(organization=m, key=AllocationKey.COOPERATORS, year=2026, month=7, value=5 + n % 56)
        for n, m in enumerate(members)
    )
    journal_entry_post(
        book=Book.objects.get(organization__kind=Organization.Kind.GIE), posted_on=date(2026, 7, 28),
        journal=Journal.BANK, lines=[JournalLine("61312", debit=Decimal("250000.00")),
                                     JournalLine("5141", credit=Decimal("250000.00"))],
        description="Loyer de juillet (banc d'essai)", source_ref="BENCH-07", idempotency_key="bench:close:july",
        today=date(2026, 8, 5),
    )  # fmt: skip


def _check(run: Any, books: int) -> None:
    from django.db.models import Count

    from gie_erp.close.models import CloseItem
    from ledger.models import PeriodLock

    statuses = dict(run.items.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    assert statuses == {CloseItem.Status.CLOSED: books}, statuses
    assert PeriodLock.objects.filter(year=run.year, month=run.month).count() == books


def _template(members: int) -> str:
    return f"gie_bench_close_w{members}"


def _template_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{dbs.PG_SERVER}/postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _copy_database(source: str, target: str) -> None:
    """``target`` made anew as a copy of ``source`` (nobody may be connected to ``source``)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{dbs.PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source)))


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.close_month", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--profile", action="store_true", help="cProfile (a) and print the top functions")
    parser.add_argument("--per-item", action="store_true", help="(b): one task per book instead of per batch")
    parser.add_argument("--keep-world", action="store_true", help="keep the set-up database as a template, reuse it")
    args = parser.parse_args()
    os.environ["CELERY_BROKER_URL"] = BROKER
    template = _template(args.members) if args.keep_world and args.db == "postgres" else ""
    reuse = bool(template) and _template_exists(template)
    if reuse:  # django_ready's recreate becomes a copy of the kept world (its migrate then finds nothing to do)
        dbs.recreate = lambda _db, size: _copy_database(template, dbs.pg_name(size))  # type: ignore[assignment]
    figures = django_ready(args.db, "close")
    figures["load_start"] = _load()

    from config.celery import app
    from gie_erp.close.models import CloseItem
    from gie_erp.close.services import close_month_start, close_run_advance
    from gie_erp.close.tasks import close_item
    from gie_erp.fees.models import Run
    from ledger.models import Book

    started = time.perf_counter()
    if reuse:
        june, july = Run.objects.get(starts_on=date(2026, 6, 1)), Run.objects.get(starts_on=date(2026, 7, 1))
    else:
        world = _world(args.members)
        _july(world["members"])
        june, july = _fee_run(world["pool"], 6), _fee_run(world["pool"], 7)
    if template and not reuse:
        from django.db import connection as setup_connection

        setup_connection.close()
        _copy_database(dbs.pg_name("close"), template)
    books = Book.objects.count()
    figures.update(members=args.members, books=books, setup_s=round(time.perf_counter() - started, 1),
                   june_invoices=june.shares.count(), july_invoices=july.shares.count(),
                   world_reused=reuse)  # fmt: skip

    # (a) June in this process
    from django.db import connection

    run = close_month_start(year=2026, month=6, acting_user=None, today=TODAY)
    profiler = cProfile.Profile() if args.profile else None
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:  # noqa: FBT001 (Django's)
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    figures["load_a"] = _load()
    wall = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    with connection.execute_wrapper(count):
        while close_run_advance(run_id=run.pk, budget_seconds=10, today=TODAY):
            pass
    figures["in_process_s"] = time.perf_counter() - wall
    figures["in_process_queries_per_book"] = round(queries / books, 1)
    if profiler is not None:
        profiler.disable()
        print("\n--- profile of (a)\n" + dbs.profile_text(profiler, 45))
    _check(run, books)
    figures["in_process_ms_per_book"] = 1000 * figures["in_process_s"] / books
    print(f"(a) {figures['in_process_s']:.1f} s, {figures['in_process_ms_per_book']:.1f} ms and "
          f"{figures['in_process_queries_per_book']} queries a book, load {figures['load_a']}", flush=True)  # fmt: skip

    # (b) July with a real worker, 2 processes
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "CELERY_BROKER_URL": BROKER,
           "DATABASE_URL": dbs.database_url(args.db, "close"), "DEBUG": "0"}  # fmt: skip
    queue = f"bench-close-{os.getpid()}"
    dbs.BENCH_VAR.mkdir(parents=True, exist_ok=True)  # the machine is shared: var/ may have been cleaned
    log = (dbs.BENCH_VAR / "close-worker.log").open("w+b")
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, queue, f"{queue}@%h"], cwd=str(REPO_ROOT), env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        app.conf.task_always_eager = False
        app.conf.broker_url = BROKER
        time.sleep(5)  # the worker connects
        run = close_month_start(year=2026, month=7, acting_user=None, today=date(2026, 8, 5))
        figures["load_b"] = _load()
        wall = time.perf_counter()
        if args.per_item:
            for item_id in run.items.order_by("pk").values_list("pk", flat=True):
                close_item.apply_async(args=[item_id], queue=queue)
        else:
            from gie_erp.close.services import close_run_batches
            from gie_erp.close.tasks import close_items

            for item_ids in close_run_batches(run_id=run.pk):
                close_items.apply_async(args=[item_ids], queue=queue)
        figures["two_workers_tasks"] = "per item" if args.per_item else "per batch"
        while run.items.filter(status=CloseItem.Status.PENDING).exists():
            if time.perf_counter() - wall > 600 or worker.poll() is not None:
                log.seek(0)
                raise SystemExit("the worker stopped or took too long:\n" + log.read().decode()[-3000:])
            time.sleep(0.2)
        figures["two_workers_s"] = time.perf_counter() - wall
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)
    _check(run, books)
    report = "\n".join(
        [
            f"month close of {books:,} books on {figures['server']} ({figures['cpus']} CPUs)",
            f"(a) June in one process: {figures['in_process_s']:.1f} s ({figures['in_process_ms_per_book']:.1f} ms"
            f" a book: checks, VAT liquidation, lock; {figures['in_process_queries_per_book']} queries a book)"
            f" — load {figures['load_a']}",
            f"(b) July with a worker of 2 processes, a task {figures['two_workers_tasks']}: "
            f"{figures['two_workers_s']:.1f} s (target ≤ 60 s) — load {figures['load_b']}",
            f"setup, not timed: {figures['setup_s']:.0f} s (books, parties, two fee runs"
            + (", copied from the kept world)" if reuse else ")"),
            f"load average (1, 5, 15 min) at the end: {_load()}",
        ]
    )
    connection.close()
    dbs.save_figures(f"close-{args.db}", figures, report)


if __name__ == "__main__":
    main()
