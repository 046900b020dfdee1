"""Invoice PDFs against monthly statements, in one worker process: PDFs per CPU-second of each, and memory over a
long run of invoices.

    .venv/bin/python -m bench.invoices_pdf --count 200
    .venv/bin/python -m bench.invoices_pdf --count 500 --memory 5000 --var /tmp/bench-var   # reuse a seeded database

Without ``--var`` it seeds the demo GIE into a temporary SQLite database (as gie_erp/statements/bench.py does), then
validates a pool of 3-line invoices through the services (every issuer of the demo: the GIE at 20 % and 10 %, the
exempt cooperatives and the VAT-registered one as mandates, an outside customer); none of that is timed. Then, after
one warm-up render of each kind (fonts and stylesheets are loaded once per process):

1. ``--count`` invoices: ``document_pdf`` of a document read again from the database each time, cycling the pool;
2. ``--count`` statements: ``statement_pdf``, the statement bench's own path, cycling members and months;
3. ``--memory`` more invoices (default 2,000), with the resident set size sampled every tenth: memory must stay
   flat (the shared renderer holds the fonts and stylesheets; nothing else may accumulate).

CPU time is ``time.process_time()`` of this process (the render is single-threaded); wall time is shown as well.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

POOL_SIZE = 60
ISSUED_ON = date(2026, 11, 3)
TODAY = date(2026, 11, 22)
CUSTOMER_CODE = "bench-hotel"


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _setup(var: str) -> Path:
    var_dir = Path(var) if var else Path(tempfile.mkdtemp(prefix="gie-invoices-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GIE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "0")  # a worker does not keep a log of its queries
    import django

    django.setup()
    from django.core.management import call_command

    seeded = (var_dir / "db.sqlite3").exists()
    call_command("migrate", verbosity=0)
    if not seeded:
        print(f"seeding the demo GIE into {var_dir} (not timed)…", flush=True)
        with open(os.devnull, "w") as devnull:
            call_command("seed_demo", verbosity=0, stdout=devnull)
    return var_dir


def _invoice_pool(size: int) -> list[int]:
    """Ids of ``size`` validated 3-line invoices across the demo's issuers (made once: idempotency keys)."""
    from invoices.models import Party
    from invoices.services import LineInput, document_save_draft, document_validate
    from members.legal_ids import ice_with_check_digits
    from members.models import Organization

    outside = Party.objects.filter(organization__isnull=True, kind=Party.Kind.BUSINESS).exclude(ice="")
    customer = outside.order_by("code").first()  # the demo's own hotel when it has one
    if customer is None:
        customer, _ = Party.objects.get_or_create(
            code=CUSTOMER_CODE,
            defaults={
                "legal_name_fr": "Hôtel Continental Tanger",
                "legal_name_ar": "فندق كونتيننتال طنجة",
                "ice": ice_with_check_digits("0035551230000"),
                "address": "36 rue Dar Baroud",
                "city": "Tanger",
            },
        )
    issuers = list(Organization.objects.filter(book__isnull=False).order_by("kind", "slug"))
    ids = []
    for n in range(size):
        issuer = issuers[n % len(issuers)]
        exempt = issuer.vat_status == Organization.VatStatus.EXEMPT
        rates: list[str | None] = [None, None, None] if exempt else ["normal-20", "reduit-10", "normal-20"]
        lines = [
            LineInput(description="Huile d'olive vierge extra, bidon de 5 l", description_ar="زيت زيتون بكر ممتاز",
                      quantity=Decimal(2 + n % 5), unit="bidon", unit_price=Decimal("275.00"), vat_code=rates[0]),
            LineInput(description="Miel de thym de montagne", quantity=Decimal("1.5"), unit="kg",
                      unit_price=Decimal("180.125"), vat_code=rates[1], discount_rate=Decimal("0.0500")),
            LineInput(description="Amlou traditionnel aux amandes", quantity=Decimal(n % 3 + 1), unit="pot",
                      unit_price=Decimal("65.00"), vat_code=rates[2]),
        ]  # fmt: skip
        draft = document_save_draft(
            issuer=issuer,
            customer=customer,
            issued_on=ISSUED_ON,
            lines=lines,
            payment_terms="Paiement à 30 jours",
            idempotency_key=f"bench-invoices-pdf:{n}",
        )
        ids.append(document_validate(document_id=draft.pk, today=TODAY).pk)
    return ids


def timed_renders(count: int, render: Callable[[int], bytes]) -> dict[str, float]:
    """Render ``count`` documents; their wall and CPU seconds and average size (also the certificates' bench)."""
    total_bytes = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for n in range(count):
        total_bytes += len(render(n))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"count": count, "wall": wall, "cpu": cpu, "kb": total_bytes / max(count, 1) / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="invoices and statements timed (each)")
    parser.add_argument("--memory", type=int, default=2000, help="invoices of the memory run (0: skip it)")
    parser.add_argument("--var", default="", help="GIE_VAR_DIR holding a seeded db.sqlite3 (default: a fresh temp dir)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.memory < 0:
        parser.error("--count must be at least 1 and --memory at least 0")

    var_dir = _setup(args.var)
    from gie_erp.statements.selectors import statement_members
    from gie_erp.statements.services import statement_pdf
    from invoices.models import Document
    from invoices.pdf import document_pdf

    print(f"validating {POOL_SIZE} three-line invoices (not timed)…", flush=True)
    pool = _invoice_pool(POOL_SIZE)
    organizations = list(statement_members(year=2026, month=10))
    if not organizations:
        print("no cooperative to print", file=sys.stderr)
        return 2
    jobs = [(org, month) for month in range(1, 11) for org in organizations]
    printed_on = date(2026, 11, 22)

    def invoice(n: int) -> bytes:
        document = Document.objects.select_related("customer", "corrects").get(pk=pool[n % len(pool)])
        return document_pdf(document)

    def statement(n: int) -> bytes:
        organization, month = jobs[n % len(jobs)]
        return statement_pdf(organization=organization, year=2026, month=month, printed_on=printed_on)

    invoice(0), statement(0)  # warm-up: fonts, stylesheets, templates
    invoices = timed_renders(args.count, invoice)
    statements = timed_renders(args.count, statement)
    per_cpu = {name: run["count"] / run["cpu"] for name, run in (("invoices", invoices), ("statements", statements))}
    print(f"database:              {var_dir / 'db.sqlite3'} (SQLite), DEBUG=0, Python {sys.version.split()[0]}")
    print(f"pool:                  {len(pool)} invoices, {len(organizations)} cooperatives x 10 months of statements")
    for name, run in (("invoices", invoices), ("statements", statements)):
        print(
            f"{name + ':':<22} {run['count']} in {run['cpu']:.1f} CPU-s ({run['wall']:.1f} s wall) -> "
            f"{per_cpu[name]:.2f} PDFs per CPU-second, {1000 * run['cpu'] / run['count']:.0f} ms each, "
            f"{run['kb']:.1f} KB average"
        )
    print(f"ratio:                 {per_cpu['invoices'] / per_cpu['statements']:.2f} invoices per statement")
    if args.memory:
        samples: list[tuple[int, float]] = []
        rss_before, peak_before = _rss_mb(), _peak_rss_mb()
        step = max(args.memory // 10, 1)
        memory = timed_renders(args.memory, lambda n: _sampled(n, step, samples, invoice))
        rss_after, peak_after = _rss_mb(), _peak_rss_mb()
        growth = samples[-1][1] - samples[0][1] if samples else 0.0
        print(f"memory run:            {args.memory} invoices in {memory['cpu']:.1f} CPU-s "
              f"({args.memory / memory['cpu']:.2f} per CPU-second)")  # fmt: skip
        print(f"RSS before / after:    {rss_before:.0f} MB / {rss_after:.0f} MB")
        print(f"peak RSS before/after: {peak_before:.0f} MB / {peak_after:.0f} MB (getrusage)")
        print("RSS during run:        " + ", ".join(f"{n}:{mb:.0f}" for n, mb in samples) + " MB")
        print(f"RSS growth 10%->100%:  {growth:+.1f} MB")
    return 0


def _sampled(n: int, step: int, samples: list[tuple[int, float]], render: Callable[[int], bytes]) -> Any:
    pdf = render(n)
    if (n + 1) % step == 0:
        samples.append((n + 1, _rss_mb()))
    return pdf


if __name__ == "__main__":
    raise SystemExit(main())
