"""The bench's own databases: a SQLite file under var/bench/ and a PostgreSQL database ``gie_bench_<size>``.

Never the project's database: both are dropped and created again at the start of every run.
"""

import cProfile
import io
import json
import pstats
from pathlib import Path
from typing import Any

from bench.data import REPO_ROOT

BENCH_VAR = REPO_ROOT / "var" / "bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DBS = ("sqlite", "postgres")


def sqlite_file(size: str) -> Path:
    return BENCH_VAR / f"{size}.sqlite3"


def pg_name(size: str) -> str:
    return f"gie_bench_{size}"


def database_url(db: str, size: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{sqlite_file(size)}"
    if db == "postgres":
        return f"{PG_SERVER}/{pg_name(size)}"
    raise ValueError(db)


def recreate(db: str, size: str) -> None:
    """Drop and create the bench database of this size (before Django is set up)."""
    if db == "sqlite":
        base = sqlite_file(size)
        base.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{base}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = pg_name(size)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_bytes(db: str, size: str) -> int:
    """On-disk size of the bench database after the load."""
    if db == "sqlite":
        base = sqlite_file(size)
        return sum(Path(f"{base}{s}").stat().st_size for s in ("", "-wal") if Path(f"{base}{s}").exists())
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        row = conn.execute("SELECT pg_database_size(%s)", [pg_name(size)]).fetchone()
        return int(row[0]) if row else 0


def save_figures(name: str, figures: dict[str, Any], report: str) -> Path:
    """The figures as JSON in ``var/bench/<name>.json``, then the report and where the figures went, printed."""
    out = BENCH_VAR / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1, sort_keys=True, default=str))
    print(f"\n{report}\nfigures in {out}")
    return out


def profile_text(profiler: cProfile.Profile, lines: int = 40) -> str:
    """What a profiler saw, the ``lines`` heaviest calls by cumulative time."""
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(lines)
    return text.getvalue()


def bench_organization(entity: int, code: str) -> tuple[Any, Any]:
    """The generator's entity as an organization with its book (entity 0 is the GIE), as every bench loads it."""
    from ledger.books import book_ensure
    from members.legal_ids import ice_with_check_digits
    from members.models import Organization

    organization = Organization.objects.create(
        kind=Organization.Kind.GIE if entity == 0 else Organization.Kind.COOPERATIVE,
        slug=f"bench-{code.lower()}",
        legal_name_fr=f"{'GIE' if entity == 0 else 'Coopérative'} {code}",
        legal_name_ar=f"تعاونية {code}",
        ice=ice_with_check_digits(f"{900000000000 + entity:013d}"),
    )
    return organization, book_ensure(organization=organization)
