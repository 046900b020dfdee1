"""What the ledger pages share: who may read and write, parsing of query values, what printed pages repeat."""

from datetime import date

from django.utils import timezone
from django.utils.translation import get_language

from gie_erp.core.dates import earliest_date
from gie_erp.core.i18n import organization_name
from gie_erp.core.roles import Role
from members.models import Organization

READ = (Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR)


WRITE = (Role.GIE_ADMIN, Role.GIE_ACCOUNTANT)


PAGE_SIZE = 50


EXPORTS = {"csv", "xlsx"}


def local_today() -> date:
    return timezone.localdate()


def parse_int(value: str | None) -> int | None:
    """An integer query or form value; anything else (``abc``, ``1e3``, 40 digits) is None."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 6 else None


def parse_date(value: str) -> date | None:
    """An ISO date from a form, within the GIE's dates; anything else is None."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if day >= earliest_date() else None


def print_header(who: str, title: str, period: str) -> dict[str, str]:
    """What every printed page of a report repeats (margin boxes): whose books, which report, which period."""
    return {"who": who, "title": title, "period": period}


def org_label(organization: Organization) -> str:
    """The organization's name in the page's language (printed headers)."""
    return organization_name(organization, get_language())


def period_label(start: date, end: date) -> str:
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
