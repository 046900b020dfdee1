"""The pooled CGNC chart: one versioned data file (ledger/chart/cgnc_chart.csv), identical codes in every book."""

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CHART_FILE = Path(__file__).resolve().parent / "chart" / "cgnc_chart.csv"
CODE_PATTERN = re.compile(r"^[1-8][0-9]{3,5}$")  # class digit, rubrique, poste, compte, optional sub-account


@dataclass(frozen=True, slots=True)
class ChartAccount:
    code: str
    name_fr: str
    name_ar: str
    cgnc_class: int
    role: str  # a django-ledger role
    balance_type: str  # "debit" or "credit": the account's natural side
    is_reconcilable: bool


class ChartError(ValueError):
    """The chart data file is inconsistent (a bad code, a duplicate)."""


def validate_code(code: str) -> str:
    """CGNC codes only: 4 to 6 digits starting with the class (django-ledger's own prefix rule is off)."""
    if not CODE_PATTERN.match(code):
        raise ChartError(f"not a CGNC account code: {code!r}")
    return code


@cache
def chart_accounts() -> tuple[ChartAccount, ...]:
    """Every account of the pooled chart, sorted by code."""
    rows: list[ChartAccount] = []
    seen: set[str] = set()
    with CHART_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = validate_code(row["code"])
            if code in seen:
                raise ChartError(f"duplicate code {code}")
            seen.add(code)
            if row["balance_type"] not in {"debit", "credit"}:
                raise ChartError(f"{code}: balance_type {row['balance_type']!r}")
            rows.append(
                ChartAccount(
                    code=code,
                    name_fr=row["name_fr"],
                    name_ar=row["name_ar"],
                    cgnc_class=int(row["cgnc_class"]),
                    role=row["role"],
                    balance_type=row["balance_type"],
                    is_reconcilable=row["reconcilable"] == "1",
                )
            )
    return tuple(sorted(rows, key=lambda a: a.code))


@cache
def chart_by_code() -> dict[str, ChartAccount]:
    return {account.code: account for account in chart_accounts()}


@cache
def chart_version() -> str:
    """A short content hash: a book whose version differs needs `ledger_sync_chart`."""
    return hashlib.sha256(CHART_FILE.read_bytes()).hexdigest()[:12]


def account_name(code: str, language: str = "fr") -> str:
    account = chart_by_code().get(code)
    if account is None:
        return code
    return account.name_ar if language == "ar" else account.name_fr
