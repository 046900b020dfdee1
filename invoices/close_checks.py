"""The invoices' check of the month close (``gie_erp.core.closing``): no draft document dated in the month, in the
issuer's book nor in the book of a member it is addressed to (validating it would post in both). And what the close
reads of the VAT for many books at once: whose VAT period ends with the month, and where its liquidation would
post nothing (``vat_liquidate`` reads the same, one book at a time)."""

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gie_erp.core.closing import Blocker, close_check_register
from gie_erp.core.errors import ErrorCode
from gie_erp.core.money import from_centimes
from invoices.models import Document, IssuerSettings
from invoices.vat import vat_liquidation_key
from invoices.vat_liquidation import vat_liquidation_lines
from invoices.vat_periods import MONTH, period_bounds
from ledger import accounts
from ledger.models import Book, Entry
from ledger.selectors import movement_centimes

SHOWN = 5  # draft numbers named in the message; the count says how many there are


def check_no_draft(
    book_ids: Sequence[int], organizations: dict[int, int], year: int, month: int
) -> dict[int, list[Blocker]]:
    book_of = {organization: book for book, organization in organizations.items() if book in set(book_ids)}
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    drafts = Document.objects.filter(status=Document.Status.DRAFT, issued_on__gte=first, issued_on__lte=last).filter(
        Q(issuer_id__in=book_of) | Q(customer__organization_id__in=book_of)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for pk, issuer_id, customer_org in drafts.order_by("pk").values_list(
        "pk", "issuer_id", "customer__organization_id"
    ):
        for organization in {issuer_id, customer_org} & set(book_of):
            found[book_of[organization]].append(f"#{pk}")
    return {
        book_id: [
            Blocker(
                ErrorCode.CLOSE_DRAFT_DOCUMENTS,
                {"count": len(names), "numbers": ", ".join(names[:SHOWN]) + ("…" if len(names) > SHOWN else "")},
            )
        ]
        for book_id, names in found.items()
    }


def vat_periods_ending(organizations: dict[int, int], year: int, month: int) -> dict[int, tuple[date, date]]:
    """Per book (``organizations``: book id → its organization id), the VAT period that ends with the month, for
    the books whose period does: ``vat_period_bounds`` of many books in one query (monthly without settings)."""
    kinds = dict(
        IssuerSettings.objects.filter(organization_id__in=set(organizations.values())).values_list(
            "organization_id", "vat_period"
        )
    )
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    found = {}
    for book_id, organization_id in organizations.items():
        start, end = period_bounds(kinds.get(organization_id) or MONTH, first)
        if end == last:
            found[book_id] = (start, end)
    return found


def vat_liquidations_idle(periods: dict[int, tuple[date, date]]) -> set[int]:
    """The books (of ``periods``: book id → VAT period) whose ``vat_liquidate`` would now post nothing and return
    nothing: no entry under the period's key, 4455 and 34552 at zero at its end. A few queries for any number."""
    if not periods:
        return set()
    keys = {book_id: vat_liquidation_key(book=Book(pk=book_id), start=start, end=end) for book_id, (start, end) in
            periods.items()}  # fmt: skip
    posted = set(
        Entry.objects.filter(book_id__in=keys, idempotency_key__in=set(keys.values())).values_list(
            "book_id", "idempotency_key"
        )
    )
    by_end: dict[date, list[int]] = defaultdict(list)
    for book_id, (_start, end) in periods.items():
        if (book_id, keys[book_id]) not in posted:
            by_end[end].append(book_id)
    idle = set()
    for end, book_ids in by_end.items():
        totals = movement_centimes(book_ids=book_ids, start=None, end=end)
        for book_id in book_ids:
            collected = totals.get((book_id, accounts.VAT_COLLECTED), [0, 0])
            deductible = totals.get((book_id, accounts.VAT_RECOVERABLE_ON_CHARGES), [0, 0])
            lines = vat_liquidation_lines(
                collected=from_centimes(collected[1] - collected[0]),
                deductible=from_centimes(deductible[0] - deductible[1]),
            )
            if not lines:
                idle.add(book_id)
    return idle


def register() -> None:
    close_check_register("invoices.no_draft", _("Aucun document en brouillon daté du mois"), check_no_draft, order=30)
