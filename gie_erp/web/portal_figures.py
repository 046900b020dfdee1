"""The portal's figures: a cooperative's own sales through the GIE, fees and training over a year, next to its
sector's average (shown only when the sector has at least five members: one member's figures otherwise). Never
another member's figures. On a phone, often in Arabic: a drawing per figure, two bars, few words."""

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from gie_erp.core import pictograms
from gie_erp.core.access import role_required
from gie_erp.core.dates import earliest_date
from gie_erp.core.roles import Role
from gie_erp.indicators.charts import bar_chart
from gie_erp.indicators.member_figures import MIN_SECTOR_MEMBERS, member_figures
from members import selectors as member_selectors
from members.models import Organization, User


def _year(request: HttpRequest, today: date) -> int:
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and len(text) == 4 else today.year
    return year if earliest_date().year <= year <= today.year else today.year


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_figures(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.organization_id:
        raise Http404
    org: Organization = member_selectors.organization_get(user=user, slug=user.organization.slug)
    today = timezone.localdate()
    year = _year(request, today)
    # the sector's average needs every member's training: read as the auditor reads, only the average comes out
    figures = member_figures(org, year, User(role=Role.AUDITOR))
    own, average = figures.own, figures.sector_average
    rows = [
        ("sales", mark_safe(pictograms.SOURCES["cart"]), own.sales, average.sales if average else None, True),  # noqa: S308
        ("fees", mark_safe(pictograms.SOURCES["receipt"]), own.fees, average.fees if average else None, True),  # noqa: S308
        ("hours", mark_safe(pictograms.SOURCES["cap"]), own.hours, average.hours if average else None, False),  # noqa: S308
    ]
    lines = [
        {"key": key, "drawing": drawing, "own": mine, "average": theirs, "money": money,
         "chart": bar_chart([("own", mine)], [theirs] if theirs is not None else None)}
        for key, drawing, mine, theirs, money in rows
    ]  # fmt: skip
    context = {
        "org": org, "year": year, "figures": figures, "lines": lines, "minimum": MIN_SECTOR_MEMBERS,
        "years": list(range(today.year, max(earliest_date().year, today.year - 4) - 1, -1)),
        "sector_label": Organization.Sector(org.sector).label if org.sector in Organization.Sector.values else "",
    }  # fmt: skip
    return render(request, "web/portal_figures.html", context)


urlpatterns: list[URLPattern] = [path("portal/figures/", portal_figures, name="portal_figures")]
