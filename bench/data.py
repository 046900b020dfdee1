"""The generated data set: made once per (size, seed) by the shared generator, then streamed entry by entry.

No Django here: the parent process uses it before any database is chosen.
"""

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GENERATOR = (REPO_ROOT / ".." / "shared" / "bench" / "gen_ledger.py").resolve()
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "bench-data"
SIZES = ("small", "medium", "large")

SALES_KINDS = frozenset({"sale_cash", "sale_credit", "pos_day"})
PURCHASE_KINDS = frozenset({"purchase"})
BOTH_SIDES_KINDS = frozenset({"ic_trade", "ic_fee"})  # seller side has a 71xx line, buyer side does not


@dataclass(frozen=True, slots=True)
class GenEntry:
    """One generated entry: signed lines in centimes (debit positive), exactly as postings.csv has them."""

    entry_id: int
    entity: int
    posted_on: date
    kind: str
    description: str
    lines: tuple[tuple[str, int], ...]


def data_path(data_dir: Path, size: str, seed: str) -> Path:
    return data_dir / f"seed{seed}" / size


def ensure_data(*, generator: Path, data_dir: Path, size: str, seed: str) -> tuple[Path, dict[str, object]]:
    """The data directory of (size, seed), generated if its manifest is missing or does not match."""
    path = data_path(data_dir, size, seed)
    manifest_file = path / "manifest.json"
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if manifest.get("size") == size and str(manifest.get("seed")) == str(seed):
            return path, manifest
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"generating {size} (seed {seed}) into {path} ...", flush=True)
    subprocess.run(
        [sys.executable, str(generator), "--size", size, "--seed", str(seed), "--out", str(path.parent), "--no-text"],
        check=True,
    )
    return path, json.loads(manifest_file.read_text())


def to_centimes(text: str) -> int:
    """'-1234.56' -> -123456, exact (the generator writes exactly two decimals)."""
    negative = text.startswith("-")
    units, _, cents = text.lstrip("-").partition(".")
    value = int(units) * 100 + int((cents + "00")[:2])
    return -value if negative else value


def journal_of(kind: str, codes: tuple[str, ...]) -> str:
    """The journal code (VT, AC, BQ, CA, OD) a bookkeeper would use for a generated entry."""
    if kind in SALES_KINDS:
        return "VT"
    if kind in PURCHASE_KINDS:
        return "AC"
    if kind in BOTH_SIDES_KINDS:
        return "VT" if any(code.startswith("71") for code in codes) else "AC"
    if "5141" in codes:
        return "BQ"
    if "5161" in codes:
        return "CA"
    return "OD"


def iter_entries(path: Path) -> Iterator[GenEntry]:
    """Stream entries: postings.csv and entries.csv are both in entry_id order, read side by side, never whole."""
    with (path / "postings.csv").open(newline="") as postings, (path / "entries.csv").open(newline="") as entries:
        post_rows = csv.reader(postings)
        entry_rows = csv.reader(entries)
        next(post_rows)
        next(entry_rows)
        pending: list[str] | None = next(post_rows, None)
        for entry_id_text, entity_text, day_text, kind, _ic_ref, description in entry_rows:
            entry_id = int(entry_id_text)
            lines: list[tuple[str, int]] = []
            while pending is not None and int(pending[2]) == entry_id:
                lines.append((pending[3], to_centimes(pending[4])))
                pending = next(post_rows, None)
            if not lines:
                raise ValueError(f"entry {entry_id} has no postings (files out of step?)")
            yield GenEntry(
                entry_id=entry_id,
                entity=int(entity_text),
                posted_on=date.fromisoformat(day_text),
                kind=kind,
                description=description,
                lines=tuple(lines),
            )
        if pending is not None:
            raise ValueError(f"postings left after the last entry: {pending}")


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
