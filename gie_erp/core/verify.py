"""What every public verification page shares (an invoice's, a certificate's: the page a printed QR code opens, for
anyone, without logging in): the rate limit per client address, the response headers, the 429 page, and the path
converter that lets an empty token reach the page's own 404.

Guessing is made useless rather than merely slow: tokens are long random values, a lookup is by exact value, and
every miss gets the same page byte for byte. Each client address may look up ``GIE_VERIFY_RATE_PER_MINUTE`` tokens
a minute per kind of page (default 30); then 429 with ``Retry-After``. The pages are ``noindex`` and send no
referrer (the token is in the URL). Templates extend ``core/verify_base.html``.
"""

from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import register_converter
from django.urls.converters import StringConverter

from gie_erp.core.ratelimit import WINDOW_SECONDS, over_rate

#: Lookups allowed per client address, kind of page and minute; settings.GIE_VERIFY_RATE_PER_MINUTE overrides it.
DEFAULT_RATE_PER_MINUTE = 30


def rate_per_minute() -> int:
    """Read at each request, so a deployment (or a test) may change it without a restart."""
    return int(getattr(settings, "GIE_VERIFY_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def lookup_refused(request: HttpRequest, scope: str) -> bool:
    """Count this lookup for the client's address (the one login throttling counts, behind a proxy too) under
    ``scope``; True past the limit. A broken cache is an error: the page does not fail open."""
    address = get_client_ip_address(request) or "unknown"
    return over_rate(f"{scope}:verify:{address}", rate_per_minute(), window=WINDOW_SECONDS, fail_open=False)


def verify_page(request: HttpRequest, template: str, state: str, status: int, **context: Any) -> HttpResponse:
    """The page in one of its states (``valid``, ``not_found``, ``throttled``) with the headers every state gets."""
    response = render(request, template, {"state": state, **context}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never hand it to another site
    if state == "throttled":
        response["Retry-After"] = str(WINDOW_SECONDS)
    return response


class TokenConverter(StringConverter):
    """A path segment like ``<str:…>``, the empty one included: ``/verify/invoice//`` is a miss like any other, with
    the same page, rather than Django's own 404 (whose language form repeats the path)."""

    regex = "[^/]*"


register_converter(TokenConverter, "verify_token")
