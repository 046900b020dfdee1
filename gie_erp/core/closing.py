"""The month close's checklist: a registry each app fills with the checks of the rules it owns.

A check is a small function that answers, for some books and one month, what stops each book from closing: a list
of ``Blocker`` (an error code and its parameters, worded in French and Arabic when shown). The app that owns the rule
registers its checks in its ``AppConfig.ready`` (``ledger``: the balance table agrees, earlier months closed;
``invoices``: no draft dated in the month; ``sales``: tickets summarized, shifts closed; ``fees``: pools run). The
close (``gie_erp.close``) runs every registered check; the kernel imports no app, so the registry lives here.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gie_erp.core.errors import ErrorCode, error_message


@dataclass(frozen=True, slots=True)
class Blocker:
    """One reason a book cannot close a month."""

    code: ErrorCode
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str | None = None) -> str:
        return error_message(self.code, self.params, language)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code.value, "params": {key: str(value) for key, value in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Blocker":
        return cls(ErrorCode(data["code"]), dict(data.get("params") or {}))


#: (book ids, organization id of each book, year, month) → {book id: blockers}; a book absent has none
CheckFunction = Callable[[Sequence[int], dict[int, int], int, int], dict[int, list[Blocker]]]


@dataclass(frozen=True, slots=True)
class CloseCheck:
    key: str  # "<app>.<rule>", unique
    label: Any  # a lazy translated label, shown on the checklist
    function: CheckFunction
    order: int = 100  # cheaper and more basic checks first
    kinds: tuple[str, ...] = ("month", "year")  # the year close runs December's checks and its own


_CHECKS: dict[str, CloseCheck] = {}


def close_check_register(
    key: str, label: Any, function: CheckFunction, *, order: int = 100, kinds: tuple[str, ...] = ("month", "year")
) -> None:
    """Register (or replace: ``ready`` may run twice in tests) the check under ``key``; ``kinds``: the closes that
    run it (a month's, the year's — whose month is December)."""
    _CHECKS[key] = CloseCheck(key=key, label=label, function=function, order=order, kinds=kinds)


def close_checks(kind: str = "month") -> list[CloseCheck]:
    """Every check registered for this kind of close, in order."""
    return sorted((c for c in _CHECKS.values() if kind in c.kinds), key=lambda check: (check.order, check.key))


def close_checks_run(
    book_ids: Sequence[int], organizations: dict[int, int], year: int, month: int, *, kind: str = "month"
) -> dict[int, list[Blocker]]:
    """Every check over these books for the month: {book id: blockers} (every book present, [] when it may close)."""
    found: dict[int, list[Blocker]] = {book_id: [] for book_id in book_ids}
    for check in close_checks(kind):
        for book_id, blockers in check.function(book_ids, organizations, year, month).items():
            found.setdefault(book_id, []).extend(blockers)
    return found
