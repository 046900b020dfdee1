"""The cooperative portal's invoices, on a phone: the invoices the GIE issued in the cooperative's name (mandate:
its customers owe it) and those addressed to it (it owes the GIE), each with its date, number, the other party,
its total and what is left to pay, and its PDF. Validated documents only: a draft is not an invoice yet."""

from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gie_erp.core.access import role_required
from gie_erp.core.i18n import format_amount
from gie_erp.core.roles import Role
from gie_erp.web.portal import PICTOGRAMS
from invoices import selectors
from invoices.models import Document
from members import selectors as member_selectors

#: the newest documents of each list (a cooperative issues a few a month; older ones are on the printed statements)
SHOWN = 100


def _with_left(documents: Iterable[Document]) -> list[tuple[Document, str]]:
    """Each document with what is left to pay, written ``1 234,50`` (shown small, beside the big total)."""
    return [(document, format_amount(document.balance_due)) for document in documents]


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_invoices(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.organization_id:
        raise Http404
    org = member_selectors.organization_get(user=user, slug=user.organization.slug)
    documents = selectors.document_search(user=user, status=Document.Status.VALIDATED).select_related("bundle")
    return render(
        request,
        "web/portal_invoices.html",
        {
            "org": org,
            "issued": _with_left(documents.filter(issuer=org)[:SHOWN]),
            "received": _with_left(documents.filter(customer__organization=org)[:SHOWN]),
            "pict": PICTOGRAMS,
        },
    )
