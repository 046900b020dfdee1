"""The generated data set: made once per (size, seed) by the shared generator, then streamed entry by entry.

No Django here: the parent process uses it before any database is chosen.
"""

import csv
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
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

# Intercompany entries (entries.csv kind ic_*, ic_ref "IC<n>"), the accounts each side uses in gen_ledger.py; one
# ic_ref links the two entities of a flow, and a quarter's fee and its payment share the fee's ic_ref:
#   ic_fee      member 6136 D, 3455 D, 4411 C        GIE 3421 D, 7124 C, 4455 C
#   ic_fee_pay  member 4411 D, 5141 C                GIE 5141 D, 3421 C       (quarters 1-3; the 4th is unpaid)
#   ic_cotis    member 6146 D, 5141 C                GIE 5141 D, 7127 C
#   ic_trade    seller 3421 D, 7121 C, 4455 C        buyer 6121 D, 3455 D, 4411 C
# Lines with a partner, hence the pairs to eliminate: GIE 3421 <-> member 4411, GIE 7124 <-> member 6136,
# GIE 7127 <-> member 6146, seller 3421 <-> buyer 4411, seller 7121 <-> buyer 6121. Treasury (5141 is the only
# one in IC entries) and VAT (3455, 4455; no 34552 here) keep no partner. pos_day entries carry "F<fair id>" in the
# ic_ref column: a fair, not a flow between two books, so no partner.
NO_PARTNER_PREFIXES = ("5", "3455", "4455")  # treasury; recoverable VAT (3455, 34552...); charged VAT (4455...)
IC_REF_PREFIX = "IC"


@dataclass(frozen=True, slots=True)
class GenEntry:
    """One generated entry: signed lines in centimes (debit positive), exactly as postings.csv has them."""

    entry_id: int
    entity: int
    posted_on: date
    kind: str
    description: str
    lines: tuple[tuple[str, int], ...]
    ic_ref: int | None = None  # the n of "IC<n>": both sides of an intercompany flow share it


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


def parse_ic_ref(text: str) -> int | None:
    """'IC123' -> 123; '' and a fair's 'F3' -> None (only IC refs link two books)."""
    if not text.startswith(IC_REF_PREFIX):
        return None
    return int(text.removeprefix(IC_REF_PREFIX))


def ic_partners(path: Path) -> dict[int, tuple[int, int]]:
    """Each ic_ref to its two entities (lower first), in one streaming pass over entries.csv.

    Memory is one small tuple per ref (about 41k refs at size large). A ref with one side only, or with three
    entities, means the files are not the generator's: refused.
    """
    one_side: dict[int, int] = {}
    pairs: dict[int, tuple[int, int]] = {}
    with (path / "entries.csv").open(newline="") as entries:
        rows = csv.reader(entries)
        next(rows)
        for _entry_id, entity_text, _day, _kind, ref_text, _description in rows:
            ref = parse_ic_ref(ref_text)
            if ref is None:
                continue
            entity = int(entity_text)
            pair = pairs.get(ref)
            if pair is not None:
                if entity not in pair:
                    raise ValueError(f"IC{ref} links more than two entities: {pair} and {entity}")
                continue
            seen = one_side.setdefault(ref, entity)
            if seen != entity:
                pairs[ref] = (min(seen, entity), max(seen, entity))
                del one_side[ref]
    if one_side:
        ref = min(one_side)
        raise ValueError(f"{len(one_side)} ic_refs have one side only, e.g. IC{ref} (entity {one_side[ref]})")
    return pairs


def partner_entity(
    *, entity: int, ic_ref: int | None, account_code: str, partners: Mapping[int, tuple[int, int]]
) -> int | None:
    """The other entity of an intercompany flow for a line the combined accounts eliminate; None for any other line
    (no ic_ref, or a treasury or VAT account: those are not reciprocal balances)."""
    if ic_ref is None or account_code.startswith(NO_PARTNER_PREFIXES):
        return None
    first, second = partners[ic_ref]
    if entity == first:
        return second
    if entity == second:
        return first
    raise ValueError(f"entity {entity} is not a side of IC{ic_ref} {partners[ic_ref]}")


def iter_entries(path: Path) -> Iterator[GenEntry]:
    """Stream entries: postings.csv and entries.csv are both in entry_id order, read side by side, never whole."""
    with (path / "postings.csv").open(newline="") as postings, (path / "entries.csv").open(newline="") as entries:
        post_rows = csv.reader(postings)
        entry_rows = csv.reader(entries)
        next(post_rows)
        next(entry_rows)
        pending: list[str] | None = next(post_rows, None)
        for entry_id_text, entity_text, day_text, kind, ic_ref_text, description in entry_rows:
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
                ic_ref=parse_ic_ref(ic_ref_text),
            )
        if pending is not None:
            raise ValueError(f"postings left after the last entry: {pending}")


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)
