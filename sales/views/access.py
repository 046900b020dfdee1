"""Who reads and writes the sales pages, and what every list view shares (page size, exports, the query string
its pager and export links keep).

The GIE's staff and auditor read every page, its administrator and accountant write; a fair seller reads the events
it sells at (list and page, nothing else); a cooperative's representative reads its own figures in the portal
(``gie_erp/web/portal_sales.py``) and its settlement notes, and gets 403 here."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role, may_write

PAGE_SIZE = 50
EXPORTS = frozenset({"csv", "xlsx"})
READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
EVENT_READ = (*READ, Role.FAIR_SELLER)
NOTE_READ = (*READ, Role.COOP_REPRESENTATIVE)


def local_today() -> date:
    return timezone.localdate()


def writes(user: Any) -> bool:
    return bool(user.is_superuser or may_write(user.role))


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without these parameters (``page``, ``export``): what pager links extend."""
    query = request.GET.copy()
    for name in ("page", "export", *names):
        query.pop(name, None)
    return query.urlencode()


def export_format(request: HttpRequest) -> str:
    """``csv`` or ``xlsx`` when the list is asked as a file, else an empty string (an odd value shows the page)."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORTS else ""
