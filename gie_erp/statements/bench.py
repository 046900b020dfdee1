"""Statement rendering benchmark for one worker process: statements/s and memory over a long run.

    python -m gie_erp.statements.bench --count 200
    python -m gie_erp.statements.bench --count 2000 --var /tmp/bench-var   # reuse a seeded database

Without ``--var`` it seeds the demo GIE into a temporary SQLite database first (not timed). Each statement is the
full path a Celery worker runs (balances and entries read from the database, figures, HTML, PDF), cycling through
the demo cooperatives and the months January–October 2026. Targets (issue 5): >= 5 statements/s per process, peak
RSS <= 300 MB with memory flat.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATE = 5.0
TARGET_RSS_MB = 300.0


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--var", default="", help="GIE_VAR_DIR holding a seeded db.sqlite3 (default: a fresh temp dir)")
    args = parser.parse_args(argv)

    var_dir = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="gie-statements-bench-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["GIE_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "0")  # a worker does not keep a log of its queries
    import django

    django.setup()
    from django.core.management import call_command

    from gie_erp.statements.selectors import statement_members
    from gie_erp.statements.services import statement_pdf

    seeded = (var_dir / "db.sqlite3").exists()
    call_command("migrate", verbosity=0)
    if not seeded:
        print(f"seeding the demo GIE into {var_dir} (not timed)…", flush=True)
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    from datetime import date

    organizations = list(statement_members(year=2026, month=10))
    if not organizations:
        print("no cooperative to print", file=sys.stderr)
        return 2
    jobs = [(org, month) for month in range(1, 11) for org in organizations]
    printed_on = date(2026, 11, 22)
    samples: list[tuple[int, float]] = []
    total_bytes = 0
    rss_start = _rss_mb()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    first_done = wall0
    for n in range(args.count):
        organization, month = jobs[n % len(jobs)]
        total_bytes += len(statement_pdf(organization=organization, year=2026, month=month, printed_on=printed_on))
        if n == 0:
            first_done = time.perf_counter()
        if (n + 1) % max(args.count // 10, 1) == 0:
            samples.append((n + 1, _rss_mb()))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    steady = (time.perf_counter() - first_done) / max(args.count - 1, 1)
    rate = args.count / wall
    peak = _peak_rss_mb()
    growth = samples[-1][1] - samples[0][1] if samples else 0.0
    print(f"statements:            {args.count} ({len(organizations)} cooperatives x 10 months, cycled)")
    print(f"wall time:             {wall:.1f} s  -> {rate:.2f} statements/s (first one {first_done - wall0:.2f} s)")
    print(f"steady state:          {1 / steady:.2f} statements/s ({steady * 1000:.0f} ms each)")
    print(f"CPU time:              {cpu:.1f} s  -> {args.count / cpu:.2f} statements per CPU-second")
    print(f"average PDF size:      {total_bytes / args.count / 1024:.1f} KB")
    print(f"RSS before first:      {rss_start:.0f} MB")
    print("RSS during run:        " + ", ".join(f"{n}:{mb:.0f}" for n, mb in samples) + " MB")
    print(f"RSS growth 10%->100%:  {growth:+.1f} MB")
    print(f"peak RSS (getrusage):  {peak:.0f} MB")
    ok = rate >= TARGET_RATE and peak <= TARGET_RSS_MB
    print(f"targets (>= {TARGET_RATE:g}/s, <= {TARGET_RSS_MB:g} MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
