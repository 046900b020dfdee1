"""``python -m bench.fees_run --db postgres [--members 1631] [--profile]``: a fee run over the bench's members.

Issue 14's targets, on PostgreSQL with the bench's 1,631 members: a run's preview ≤ 1 s; preview + post +
validation of the 1,631 fee invoices ≤ 5 s (their notices' PDFs apart, rendered on Celery afterwards).

Runs in one process on its own database (``gie_bench_fees`` on PostgreSQL, ``var/bench/fees.sqlite3`` on SQLite;
dropped and created again each run, then migrated), with ``DEBUG=0`` as ``python -m bench`` does. Not timed: the
GIE (VAT-registered, its RIB) and ``--members`` cooperatives (one in five VAT-registered, the others exempt under
art. 91, as ``bench.sales_world``), each with its book and its party (the mirror a member's invoices are addressed
to, made by its first document in real life), a number of cooperators per member for June (the allocation data of
the ``cooperators`` key: 5 to 60), and the GIE's June costs: 61312 rent 250,000.00 and 6136 fees 93,456.78, less
71272 commissions 12,345.67. Timed, with wall and CPU time (``time.process_time``, this process only: the database
server's work shows in the wall time):

(a) ``run_preview`` of the pool for June, five times (the median);
(b) ``run_post`` for June: the preview again, a draft and a validated invoice per member (numbered, frozen, posted
    in both books), the shares; one transaction. Checked after: one invoice per member, the shares sum to the pool
    to the centime, two entries per invoice.

``--profile`` runs (b) under cProfile and prints where the time goes (pyinstrument is not installed here);
``--warm`` first loads every book's chart into the posting cache (``ledger.books.BOOK_CACHE``), as a process that
posted to every book before holds it. Figures go to ``var/bench/fees-<db>[-warm][-profiled].json``.
"""

import argparse
import cProfile
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from bench import dbs
from bench.sales_world import django_ready

MEMBERS = 1631  # the shared generator's members (../shared/bench/gen_ledger.py)
START, END = date(2026, 6, 1), date(2026, 6, 30)
TODAY = date(2026, 7, 5)
COSTS = (("61312", Decimal("250000.00")), ("6136", Decimal("93456.78")))
COMMISSIONS = Decimal("12345.67")


def _timed(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _world(count: int) -> dict[str, Any]:
    from django.db import transaction

    from gie_erp.fees.models import Key, Pool
    from gie_erp.fees.services import pool_source_add
    from invoices.models import IssuerSettings
    from invoices.parties import party_for_member
    from ledger.books import book_ensure
    from ledger.models import Journal
    from ledger.posting import JournalLine
    from ledger.services import journal_entry_post
    from members.legal_ids import ice_with_check_digits
    from members.models import AllocationKey, AllocationKeyValue, Organization

    def organization(n: int, kind: str, *, registered: bool) -> Organization:
        return Organization(
            kind=kind,
            slug=f"bench-{n:04d}",
            legal_name_fr=f"Coopérative {n:04d}" if n else "GIE du banc d'essai",
            legal_name_ar=f"تعاونية {n}",
            ice=ice_with_check_digits(f"{900000000000 + n:013d}"),
            if_number=f"{40000000 + n}",
            tp_number=f"{50000000 + n}",
            rc_number=f"{1000 + n} Tanger",
            address="Douar centre",
            vat_status=Organization.VatStatus.REGISTERED if registered else Organization.VatStatus.EXEMPT,
            vat_legal_reference="" if registered else "Exonérée de TVA — CGI art. 91-IV-1°",
        )

    with transaction.atomic():
        gie = organization(0, Organization.Kind.GIE, registered=True)
        gie.save()
        members = Organization.objects.bulk_create(
            [organization(n, Organization.Kind.COOPERATIVE, registered=n % 5 == 0) for n in range(1, count + 1)]
        )
        IssuerSettings.objects.create(organization=gie, bank_account="225 640 0012345678901234 74")
        AllocationKeyValue.objects.bulk_create(
            AllocationKeyValue(organization=m, key=AllocationKey.COOPERATORS, year=2026, month=6, value=5 + n % 56)
            for n, m in enumerate(members)
        )
    started = time.perf_counter()
    for org in [gie, *members]:
        with transaction.atomic():
            book = book_ensure(organization=org)
            if org.pk != gie.pk:
                party_for_member(organization=org)
            else:
                gie_book = book
    books_s = time.perf_counter() - started
    with transaction.atomic():
        costs = sum((amount for _code, amount in COSTS), Decimal(0))
        journal_entry_post(
            book=gie_book,
            posted_on=date(2026, 6, 28),
            journal=Journal.BANK,
            lines=[
                *(JournalLine(code, debit=amount) for code, amount in COSTS),
                JournalLine("71272", credit=COMMISSIONS),
                JournalLine("5141", credit=costs - COMMISSIONS),
            ],
            description="Coûts de juin (banc d'essai)",
            source_ref="BENCH-06",
            idempotency_key="bench:fees:costs",
            today=TODAY,
        )
        pool = Pool.objects.create(slug="bench", name_fr="Services (banc d'essai)", key=Key.COOPERATORS)
        for code in (*(code for code, _amount in COSTS), "71272"):
            pool_source_add(pool=pool, account_code=code)
    return {"pool": pool, "members": members, "books_s": books_s}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fees_run", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--profile", action="store_true", help="cProfile the post (b) and print the top functions")
    parser.add_argument(
        "--warm", action="store_true", help="load every book's chart into the posting cache first (a warm process)"
    )
    args = parser.parse_args()
    figures = django_ready(args.db, "fees")

    from django.db import transaction

    from gie_erp.fees.models import Run
    from gie_erp.fees.selectors import run_preview
    from gie_erp.fees.services import run_post
    from ledger.models import Entry

    world = _world(args.members)
    pool = world["pool"]
    figures.update(members=args.members, setup_books_s=round(world["books_s"], 1), warm=args.warm)
    if args.warm:  # what a process that posted to every book before holds (ledger.books.BOOK_CACHE, on commit)
        from ledger.books import book_contexts
        from ledger.models import Book

        with transaction.atomic():
            book_contexts(Book.objects.values_list("pk", flat=True))

    previews = [_timed(lambda: run_preview(pool, START, END)) for _ in range(5)]
    preview = previews[-1][2]
    figures["preview_wall_s"] = statistics.median(p[0] for p in previews)
    figures["preview_cpu_s"] = statistics.median(p[1] for p in previews)

    profiler = cProfile.Profile() if args.profile else None
    entries_before = Entry.objects.count()

    def post() -> Run:
        if profiler is not None:
            profiler.enable()
        try:
            with transaction.atomic(durable=True):
                return run_post(
                    pool=pool, starts_on=START, ends_on=END, expected_total=preview.split.total, today=TODAY
                )
        finally:
            if profiler is not None:
                profiler.disable()

    wall, cpu, run = _timed(post)
    figures.update(post_wall_s=wall, post_cpu_s=cpu)
    shares = list(run.shares.all())
    invoices = sum(share.document_id is not None for share in shares)
    assert invoices == len(preview.split.lines) == args.members, (invoices, args.members)
    assert sum((share.share for share in shares), Decimal(0)) == run.amount == preview.pool_amount.amount
    assert Entry.objects.count() - entries_before == 2 * invoices  # the GIE's and the member's
    figures.update(invoices=invoices, amount=str(run.amount), total_vat=str(run.total_vat))

    report = "\n".join(
        [
            f"fee run of {args.members:,} members on {figures['server']} ({figures['cpus']} CPUs)"
            f"{', charts cached' if args.warm else ', cold: every chart loaded by the post'}",
            f"pool {run.amount} to share (costs {run.costs}, recovered {run.recovered}), VAT {run.total_vat}",
            f"(a) preview: {figures['preview_wall_s']:.3f} s wall, {figures['preview_cpu_s']:.3f} s CPU"
            " (median of 5; target ≤ 1 s)",
            f"(b) preview + post + validation of {invoices:,} invoices: {wall:.2f} s wall, {cpu:.2f} s CPU"
            f" (target ≤ 5 s): {invoices / wall:.0f} invoices/s",
            f"setup, not timed: {args.members + 1:,} books and parties in {world['books_s']:.0f} s",
        ]
    )
    from django.db import connection

    connection.close()
    dbs.save_figures(f"fees-{args.db}{'-warm' if args.warm else ''}{'-profiled' if profiler else ''}", figures, report)
    if profiler is not None:
        print("\n--- profile of (b)\n" + dbs.profile_text(profiler, 40))


if __name__ == "__main__":
    main()
