"""The public certificate verification page (``/verify/certificate/<token>/``): rate-limited, reveals only name, course
and dates.

The QR code printed on a certificate opens it, for anyone, without logging in (the approach of the invoices' check,
``invoices.views.public``). It confirms what the holder of the paper already reads on it: the person's name, the
course, the session's dates, the day it was delivered and the GIE that delivered it. Never the cooperative, the CIN,
the phone, the attendance or any amount. A person whose data was erased on request keeps a valid certificate: the
page says so in place of the name.

A token is 192 random bits (``training.attendance.TOKEN_BYTES``); a request costs one indexed lookup by exact value;
every miss (one character off, truncated, empty or garbage) gets the same 404 page byte for byte. The spaces of the
code as printed (groups of four) are ignored, so a typed code works too. Each client address may look up
``GIE_VERIFY_RATE_PER_MINUTE`` codes a minute (default 30), counted apart from the invoices' checks; then 429.
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
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gie_erp.core.i18n import format_day
from gie_erp.core.ratelimit import WINDOW_SECONDS, over_rate
from members.models import Organization
from training.models import Certificate

#: Lookups allowed per client address and minute; settings.GIE_VERIFY_RATE_PER_MINUTE overrides it.
DEFAULT_RATE_PER_MINUTE = 30
TEMPLATE = "training/verify.html"


def rate_per_minute() -> int:
    """Read at each request, so a deployment (or a test) may change it without a restart."""
    return int(getattr(settings, "GIE_VERIFY_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def _over_rate(request: HttpRequest) -> bool:
    """Count this lookup for the client's address; True past the limit. A broken cache is an error: the page does
    not fail open."""
    address = get_client_ip_address(request) or "unknown"
    return over_rate(f"training:verify:{address}", rate_per_minute(), window=WINDOW_SECONDS, fail_open=False)


def _page(request: HttpRequest, state: str, status: int, **context: Any) -> HttpResponse:
    response = render(request, TEMPLATE, {"state": state, **context}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never hand it to another site
    return response


@login_not_required
@require_safe
@never_cache
def verify_certificate(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a certificate by its verification code; any miss is the same 404 page."""
    if _over_rate(request):
        response = _page(request, "throttled", 429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    code = token.replace(" ", "")
    found = Certificate.objects.filter(token=code).select_related("enrolment__cooperator", "enrolment__session__course")
    certificate = found.first() if code else None
    if certificate is None or not secrets.compare_digest(certificate.token, code):
        return _page(request, "not_found", 404)
    person, session = certificate.enrolment.cooperator, certificate.enrolment.session
    course = session.course
    erased = person.erased_on is not None
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).only("legal_name_fr", "legal_name_ar").first()
    return _page(
        request,
        "valid",
        200,
        erased=erased,
        name_fr="" if erased else f"{person.first_name_fr} {person.last_name_fr}".strip(),
        name_ar="" if erased else person.full_name_ar,
        course_fr=course.title_fr,
        course_ar=course.title_ar,
        starts_on=format_day(session.starts_on),
        ends_on=format_day(session.ends_on),
        one_day=session.starts_on == session.ends_on,
        issued_on=format_day(certificate.issued_on),
        issuer_fr=gie.legal_name_fr if gie else "",
        issuer_ar=gie.legal_name_ar if gie else "",
    )


class TokenConverter(StringConverter):
    """A path segment, the empty one included: ``/verify/certificate//`` is a miss like any other, with the same
    page, rather than Django's own 404."""

    regex = "[^/]*"


register_converter(TokenConverter, "certificate_token")

urlpatterns: list[URLPattern] = [
    path("certificate/<certificate_token:token>/", verify_certificate, name="verify_certificate"),
]
