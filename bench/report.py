"""The figures table: one column per (size, database) run, one row per figure, with the targets alongside."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    label: str
    key: str
    fmt: Callable[[Any], str]
    target: str = ""
    meets: Callable[[Any], bool] | None = None


def _int(value: Any) -> str:
    return f"{value:,.0f}"


def _ms(value: Any) -> str:
    return f"{value:,.1f} ms"


def _s(value: Any) -> str:
    return f"{value:,.2f} s" if value < 100 else f"{value:,.0f} s"


def _mb(value: Any) -> str:
    return f"{value:,.0f} MB"


def _text(value: Any) -> str:
    return str(value)


FIGURES: tuple[Figure, ...] = (
    Figure("books", "books", _int),
    Figure("entries loaded", "bulk_entries", _int),
    Figure("lines loaded", "bulk_lines", _int),
    Figure("organizations + books created", "books_s", _s),
    Figure("  per book", "books_ms_each", _ms),
    Figure("(a) single path, entries/s", "single_entries_per_s", _int, "≥ 500", lambda v: v >= 500),
    Figure("    p50 / p95 per entry", "single_latency", _text),
    Figure("    statements per entry", "single_queries_per_entry", lambda v: f"{v:.1f}"),
    Figure("(b) bulk, entries/s", "bulk_entries_per_s", _int, "≥ 5,000", lambda v: v >= 5000),
    Figure("    bulk, lines/s", "bulk_lines_per_s", _int),
    Figure("    load wall time (with CSV parsing)", "load_wall_s", _s),
    Figure("    statements per batch", "bulk_queries_per_batch", _int),
    Figure("(c) TB one book, year", "tb_one_ms", _ms, "≤ 20 ms", lambda v: v <= 20),
    Figure("    TB one book, to 15 June", "tb_one_partial_ms", _ms),
    Figure("(d) TB all books, year", "tb_all_s", _s, "≤ 0.5 s", lambda v: v <= 0.5),
    Figure("    rows", "tb_all_rows", _int),
    Figure("(e) GL 5141 one book, year", "gl_ms", _ms),
    Figure("    lines", "gl_lines", _int),
    Figure("(f) peak RSS", "rss_peak_mb", _mb, "≤ 1,024 MB", lambda v: v <= 1024),
    Figure("TB equals generator totals", "tb_check", _text),
    Figure("database size", "db_mb", _mb),
)


def derived(result: dict[str, Any]) -> dict[str, Any]:
    out = dict(result)
    if "books_s" in out and out.get("books"):
        out["books_ms_each"] = out["books_s"] / out["books"] * 1000
    if "single_p50_ms" in out:
        out["single_latency"] = f"{out['single_p50_ms']:.2f} / {out['single_p95_ms']:.2f} ms"
    if "db_bytes" in out:
        out["db_mb"] = out["db_bytes"] / 2**20
    return out


def table(results: Sequence[dict[str, Any]]) -> str:
    """A Markdown table (it reads as plain text too); a ✗ marks a figure that misses its target."""
    rows = [derived(r) for r in results]
    header = ["figure", *(f"{r['size']} · {r['db']}" for r in rows), "target"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for fig in FIGURES:
        cells = [fig.label]
        for row in rows:
            value = row.get(fig.key)
            if value is None:
                cells.append("—")
                continue
            mark = " ✗" if fig.meets is not None and not fig.meets(value) else ""
            cells.append(fig.fmt(value) + mark)
        cells.append(fig.target)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def conditions(results: Sequence[dict[str, Any]]) -> str:
    seen = []
    for r in results:
        line = (
            f"- {r['size']} · {r['db']}: {r.get('server', '?')}, started {r.get('started')}, finished "
            f"{r.get('finished')}, Python {r.get('python')}, {r.get('cpus')} CPUs, DEBUG={r.get('debug')}, "
            f"batch {r.get('batch')} entries, seed {r.get('seed')}, code {r.get('commit', 'not recorded')}"
        )
        seen.append(line)
    return "\n".join(seen)
