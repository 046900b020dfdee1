"""The portal's fees: a cooperative's fee shares (its own only), by year, on a phone and often in Arabic: the pool's
drawing and name, the period, the amount due, whether the invoice is paid (as ``invoices`` says) — or, paid then
credited, what it paid and that this amount is now in its favour — and links to the fee notice (PDF) and to the
invoice (PDF). Another cooperative's share answers 404 like a missing one."""

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from gie_erp.core import pictograms
from gie_erp.core.access import role_required
from gie_erp.core.exports import content_disposition
from gie_erp.core.money import ZERO
from gie_erp.core.roles import Role
from gie_erp.fees.models import Share
from gie_erp.fees.rendering import notice_content, notice_download_name
from gie_erp.fees.selectors import share_qs_visible
from members import selectors as member_selectors
from members.models import Organization

#: the newest shares shown (a cooperative gets a few a month; older ones stay on its invoices)
SHOWN = 200
DEFAULT_PICTOGRAM = "building"


def _arabic() -> bool:
    return (translation.get_language() or "")[:2] == "ar"


def pool_drawing(name: str) -> SafeString:
    """The pool's drawing inline (a name of ``gie_erp.core.pictograms``), else the building."""
    chosen = name if name in pictograms.SOURCES else DEFAULT_PICTOGRAM
    return mark_safe(pictograms.SOURCES[chosen])  # noqa: S308 - our own SVG sources, chosen by name


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One share as the portal lists it."""

    share: Share
    pool_name: str
    pictogram: SafeString
    state: str  # paid, partly_paid, unpaid, credited (its run undone), in_favour (undone after it was paid)

    @property
    def due(self) -> Any:
        """What the invoice asks for; once its run is undone, what is left of it after the credit note (0.00)."""
        document = self.share.document
        if self.state in ("credited", "in_favour") and document is not None:
            return max(document.total_gross - document.amount_credited - document.amount_paid, ZERO)
        return self.share.total

    @property
    def left(self) -> Any:
        """What is still to pay on the invoice (unpaid or partly paid shares)."""
        document = self.share.document
        if self.state not in ("unpaid", "partly_paid") or document is None:
            return ZERO
        return max(document.balance_due, ZERO)

    @property
    def paid(self) -> Any:
        """What the cooperative paid on the invoice."""
        document = self.share.document
        return document.amount_paid if document is not None else ZERO

    @property
    def in_favour(self) -> Any:
        """What the GIE now owes the cooperative on this invoice: paid, then credited (refunded or set against its
        next invoices)."""
        document = self.share.document
        return max(-document.balance_due, ZERO) if document is not None else ZERO


def fee_line(share: Share) -> FeeLine:
    pool, document = share.run.pool, share.document
    if share.credit_note_id is not None:
        state = "in_favour" if document is not None and document.balance_due < 0 else "credited"
    else:
        state = document.payment_state if document is not None else "unpaid"
    name = pool.name_ar if _arabic() and pool.name_ar else pool.name_fr
    return FeeLine(share=share, pool_name=name, pictogram=pool_drawing(pool.pictogram), state=state or "unpaid")


def _organization(request: HttpRequest) -> Organization:
    user: Any = request.user
    if not user.organization_id:
        raise Http404
    return member_selectors.organization_get(user=user, slug=user.organization.slug)


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_fees(request: HttpRequest) -> HttpResponse:
    """The cooperative's fee shares, newest first, grouped by year."""
    org = _organization(request)
    shares = (
        share_qs_visible(user=request.user)
        .filter(organization=org)
        .order_by("-run__starts_on", "run__pool__name_fr", "-pk")[:SHOWN]
    )
    lines = [fee_line(share) for share in shares]
    years = [(year, list(group)) for year, group in groupby(lines, key=lambda line: line.share.run.starts_on.year)]
    owing = [line for line in lines if line.left > 0]
    context = {
        "org": org,
        "years": years,
        "to_pay": sum((line.left for line in owing), ZERO),
        "owing": len(owing),
        "coins": pool_drawing("coins"),
    }
    return render(request, "web/portal_fees.html", context)


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_fee_notice(request: HttpRequest, share_id: int) -> HttpResponse:
    """The share's fee notice: the file rendered after posting, else rendered now in the page's language."""
    org = _organization(request)
    share = share_qs_visible(user=request.user).filter(organization=org, pk=share_id).first()
    if share is None:
        raise Http404
    response = HttpResponse(notice_content(share, language="ar" if _arabic() else "fr"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(notice_download_name(share), inline=True)
    return response


urlpatterns: list[URLPattern] = [
    path("portal/fees/", portal_fees, name="portal_fees"),
    path("portal/fees/<int:share_id>/notice/", portal_fee_notice, name="portal_fee_notice"),
]
