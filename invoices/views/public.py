"""Invoicing pages: public. The page a printed document's QR code opens, for anyone, without logging in.

It confirms that a document exists and is valid by showing only what the holder of the paper already reads on it:
the issuer's name, the kind, number and date, and the total. Never the customer, the lines or any identifier.

Guessing is made useless rather than merely slow: a token is 192 random bits (``secrets.token_urlsafe(24)``, set at
validation), a request costs one indexed lookup by exact value, and every miss (a draft's absent token, a token one
character off, truncated, empty or garbage) gets the same 404 page byte for byte, so a miss says nothing about how
close it was. Each client address may look up ``GIE_VERIFY_RATE_PER_MINUTE`` tokens a minute (default 30); then 429.
"""

import secrets
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, register_converter
from django.urls.converters import StringConverter
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gie_erp.core.i18n import CURRENCY_LABEL, format_day
from gie_erp.core.pdf import amount_html
from gie_erp.core.ratelimit import WINDOW_SECONDS, over_rate
from invoices.models import Document

#: Lookups allowed per client address and minute; settings.GIE_VERIFY_RATE_PER_MINUTE overrides it.
DEFAULT_RATE_PER_MINUTE = 30
TEMPLATE = "invoices/verify.html"


def rate_per_minute() -> int:
    """Read at each request, so a deployment (or a test) may change it without a restart of this module."""
    return int(getattr(settings, "GIE_VERIFY_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def _over_rate(request: HttpRequest) -> bool:
    """Count this lookup for the client's address; True past the limit (a minute's window, opened at the address's
    first lookup). A broken cache is an error here, as it always was: the page does not fail open."""
    address = get_client_ip_address(request) or "unknown"  # the address login throttling counts, behind a proxy too
    return over_rate(f"invoices:verify:{address}", rate_per_minute(), window=WINDOW_SECONDS, fail_open=False)


def _page(request: HttpRequest, state: str, status: int, **context: Any) -> HttpResponse:
    response = render(request, TEMPLATE, {"state": state, **context}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never hand it to another site
    return response


@login_not_required
@require_safe
@never_cache
def verify_invoice(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a validated document by its verification token; any miss is the same 404 page."""
    if _over_rate(request):
        response = _page(request, "throttled", 429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    document = (
        Document.objects.filter(verify_token=token, status=Document.Status.VALIDATED)
        .only("kind", "number", "issued_on", "total_gross", "issuer_snapshot", "verify_token")
        .first()
    )
    if document is None or not secrets.compare_digest(str(document.verify_token), token):
        return _page(request, "not_found", 404)
    snapshot = document.issuer_snapshot
    return _page(
        request,
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


class TokenConverter(StringConverter):
    """A path segment like ``<str:…>``, the empty one included: ``/verify/invoice//`` is a miss like any other, with
    the same page, rather than Django's own 404 (whose language form repeats the path)."""

    regex = "[^/]*"


register_converter(TokenConverter, "verify_token")

urlpatterns: list[URLPattern] = [
    path("invoice/<verify_token:token>/", verify_invoice, name="verify_invoice"),
]
