"""``python -m bench``: generate the data once, then measure each database in its own process and print the table.

python -m bench --size medium --db postgres
python -m bench --size small --db both --single 500
python -m bench --report            # the table of every stored result, nothing run
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import dbs
from bench.data import DEFAULT_DATA_DIR, DEFAULT_GENERATOR, SIZES, ensure_data
from bench.report import conditions, table

RESULTS_DIR = dbs.BENCH_VAR / "results"


def result_file(size: str, db: str, *, profiled: bool = False) -> Path:
    """Profiled runs are slower: they are kept apart and never shown by --report."""
    return RESULTS_DIR / f"{size}-{db}{'-profiled' if profiled else ''}.json"


def stored_results() -> list[dict[str, Any]]:
    order = {(s, d): i for i, (s, d) in enumerate((s, d) for s in SIZES for d in dbs.DBS)}
    found = [json.loads(p.read_text()) for p in sorted(RESULTS_DIR.glob("*.json")) if "-profiled" not in p.name]
    return sorted(found, key=lambda r: order.get((r["size"], r["db"]), 99))


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--db", choices=(*dbs.DBS, "both"), default="both")
    parser.add_argument("--seed", default="42")
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--single", type=int, default=2000, help="entries for the single-path test (default 2,000)")
    parser.add_argument("--batch", type=int, default=5000, help="entries per journal_entries_post call")
    parser.add_argument("--profile", action="store_true", help="cProfile some bulk batches, the single path and TB")
    parser.add_argument("--report", action="store_true", help="print the table of all stored results and stop")
    args = parser.parse_args()

    if args.report:
        results = stored_results()
        print(table(results))
        print()
        print(conditions(results))
        return

    path, manifest = ensure_data(generator=args.generator, data_dir=args.data_dir, size=args.size, seed=args.seed)
    counts = f"{manifest['entities']} books, {manifest['entries']:,} entries, {manifest['postings']:,} lines"
    print(f"data: {path} ({counts})")
    results = []
    for db in dbs.DBS if args.db == "both" else (args.db,):
        out = result_file(args.size, db, profiled=args.profile)
        env = {
            **os.environ,
            "DATABASE_URL": dbs.database_url(db, args.size),
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "0",  # production-like: no per-query bookkeeping in Django's debug cursor
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable, "-m", "bench.run", "--size", args.size, "--db", db, "--seed", str(args.seed),
            "--data-dir", str(args.data_dir), "--single", str(args.single), "--batch", str(args.batch),
            "--out", str(out),
        ]  # fmt: skip
        if args.profile:
            command.append("--profile")
        print(f"== {args.size} on {db} ({time.strftime('%H:%M:%S UTC', time.gmtime())})", flush=True)
        subprocess.run(command, check=True, env=env, cwd=dbs.REPO_ROOT)
        results.append(json.loads(out.read_text()))
    print()
    print(table(results))
    print()
    print(conditions(results))
    for result in results:
        for name, text in result.get("profiles", {}).items():
            print(f"\n--- profile {name}\n{text}")


if __name__ == "__main__":
    main()
