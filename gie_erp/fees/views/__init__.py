"""The accountant's fees pages, by page group: pools (``pools``), runs (``runs``), the year-end transfer (``zero``).
The GIE's staff and auditor read; its administrator and accountant write; everyone else gets 403."""

import re
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, may_write

READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
EXPORTS = frozenset({"csv", "xlsx"})


def can_write(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or may_write(getattr(user, "role", "")))


def export_format(request: HttpRequest) -> str:
    """``csv`` or ``xlsx`` when the table is asked as a file, else an empty string."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORTS else ""


#: a total as the preview wrote it in its form (``unlocalize``): digits, a point, two decimals at most
EXPECTED = re.compile(r"^-?\d{1,13}(\.\d{1,2})?$")


def expected_amount(text: str) -> Decimal | None:
    """The total (or result) the accountant saw, or None for anything the page cannot have written (``1e400``,
    ``NaN``, letters): a missing preview, said as such, never a 500."""
    text = text.strip()
    return Decimal(text) if EXPECTED.fullmatch(text) else None
