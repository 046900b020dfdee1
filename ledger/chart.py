"""The pooled CGNC chart: one versioned data file (ledger/chart/cgnc_chart.csv), identical codes in every book."""

import csv
import hashlib
import re
import unicodedata
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


def _fold(text: str) -> str:
    """Lower case without accents (``Dépôts`` and ``depots`` match); Arabic letters are kept as they are."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


@cache
def _search_index() -> tuple[tuple[ChartAccount, str], ...]:
    return tuple((a, _fold(f"{a.code} {a.name_fr} {a.name_ar}")) for a in chart_accounts())


def account_search(text: str, *, limit: int = 20) -> list[ChartAccount]:
    """Accounts whose code starts with the text or whose French or Arabic name contains every word of it."""
    words = _fold(text).split()
    if not words:
        return list(chart_accounts()[:limit])
    found: list[ChartAccount] = []
    for account, folded in _search_index():
        if account.code.startswith(words[0]) or all(word in folded for word in words):
            found.append(account)
            if len(found) >= limit:
                break
    return found


def account_resolve(text: str) -> tuple[ChartAccount | None, list[ChartAccount]]:
    """What a person typed in an account field: a code (``5141``), a picked option (``5141 Banques``) or a name
    (``banques``) that only one account matches. Returns the account, or None and the candidates (none or several)."""
    typed = " ".join(text.split())
    if not typed:
        return None, []
    first = typed.split(" ", 1)[0]
    if first in chart_by_code():
        return chart_by_code()[first], []
    words = _fold(typed).split()
    candidates = [account for account, folded in _search_index() if all(word in folded for word in words)]
    exact = [account for account in candidates if _fold(account.name_fr) == _fold(typed) or account.name_ar == typed]
    if len(exact) == 1:
        return exact[0], []
    if len(candidates) == 1:
        return candidates[0], []
    return None, candidates[:5]
