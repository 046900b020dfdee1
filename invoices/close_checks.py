"""The invoices' check of the month close (``gie_erp.core.closing``): no draft document dated in the month, in the
issuer's book nor in the book of a member it is addressed to (validating it would post in both)."""

import calendar
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gie_erp.core.closing import Blocker, close_check_register
from gie_erp.core.errors import ErrorCode
from invoices.models import Document

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


def register() -> None:
    close_check_register("invoices.no_draft", _("Aucun document en brouillon daté du mois"), check_no_draft, order=30)
