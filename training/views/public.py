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
``GIE_VERIFY_RATE_PER_MINUTE`` codes a minute (default 30), counted apart from the invoices' checks; then 429
(``gie_erp.core.verify``).
"""

import secrets

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gie_erp.core.i18n import format_day
from gie_erp.core.verify import DEFAULT_RATE_PER_MINUTE, lookup_refused, verify_page
from members.models import Organization
from training.models import Certificate

__all__ = ["DEFAULT_RATE_PER_MINUTE", "urlpatterns", "verify_certificate"]
TEMPLATE = "training/verify.html"


@login_not_required
@require_safe
@never_cache
def verify_certificate(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm a certificate by its verification code; any miss is the same 404 page."""
    if lookup_refused(request, "training"):
        return verify_page(request, TEMPLATE, "throttled", 429)
    code = token.replace(" ", "")
    found = Certificate.objects.filter(token=code).select_related("enrolment__cooperator", "enrolment__session__course")
    certificate = found.first() if code else None
    if certificate is None or not secrets.compare_digest(certificate.token, code):
        return verify_page(request, TEMPLATE, "not_found", 404)
    person, session = certificate.enrolment.cooperator, certificate.enrolment.session
    course = session.course
    erased = person.erased_on is not None
    gie = Organization.objects.filter(kind=Organization.Kind.GIE).only("legal_name_fr", "legal_name_ar").first()
    return verify_page(
        request,
        TEMPLATE,
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


urlpatterns: list[URLPattern] = [
    path("certificate/<verify_token:token>/", verify_certificate, name="verify_certificate"),
]
