"""Invoicing pages: public. The page a printed document's QR code opens, for anyone, without logging in.

It confirms that a document exists and is valid by showing only what the holder of the paper already reads on it:
the issuer's name, the kind, number and date, and the total. Never the customer, the lines or any identifier.

Guessing is made useless rather than merely slow: a token is 192 random bits (``secrets.token_urlsafe(24)``, set at
validation), a request costs one indexed lookup by exact value, and every miss (a draft's absent token, a token one
character off, truncated, empty or garbage) gets the same 404 page byte for byte, so a miss says nothing about how
close it was. Each client address may look up ``GIE_VERIFY_RATE_PER_MINUTE`` tokens a minute (default 30); then 429
(``gie_erp.core.verify``, shared with the certificates' check).
"""

import secrets

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gie_erp.core.i18n import CURRENCY_LABEL, format_day
from gie_erp.core.pdf import amount_html
from gie_erp.core.verify import DEFAULT_RATE_PER_MINUTE, lookup_refused, verify_page
from invoices.models import Document

__all__ = ["DEFAULT_RATE_PER_MINUTE", "urlpatterns", "verify_invoice"]
TEMPLATE = "invoices/verify.html"


@login_not_required
@require_safe
@never_cache
def verify_invoice(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a validated document by its verification token; any miss is the same 404 page."""
    if lookup_refused(request, "invoices"):
        return verify_page(request, TEMPLATE, "throttled", 429)
    document = (
        Document.objects.filter(verify_token=token, status=Document.Status.VALIDATED)
        .only("kind", "number", "issued_on", "total_gross", "issuer_snapshot", "verify_token")
        .first()
    )
    if document is None or not secrets.compare_digest(str(document.verify_token), token):
        return verify_page(request, TEMPLATE, "not_found", 404)
    snapshot = document.issuer_snapshot
    return verify_page(
        request,
        TEMPLATE,
        "valid",
        200,
        kind=document.get_kind_display(),
        issuer_fr=snapshot.get("name_fr", ""),
        issuer_ar=snapshot.get("name_ar", ""),
        number=document.number,
        issued_on=format_day(document.issued_on),
        total=amount_html(document.total_gross),
        currency=CURRENCY_LABEL.get((get_language() or "fr")[:2], "DH"),
    )


urlpatterns: list[URLPattern] = [
    path("invoice/<verify_token:token>/", verify_invoice, name="verify_invoice"),
]
