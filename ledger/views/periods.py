"""Locking and reopening a book's months (in order; reopening is the administrator's, with a reason)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.dates import is_plausible_year
from gie_erp.core.errors import DomainError
from ledger import selectors, services
from ledger.forms import UnlockForm
from ledger.views.common import (
    READ,
    WRITE,
    local_today,
    parse_int,
)


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Lock or unlock months; unlocking is for the GIE administrator, with a reason."""
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    asked = (request.GET.get("year") or request.POST.get("year") or "").strip()
    year = parse_int(asked) if asked else local_today().year
    if year is None or not is_plausible_year(year):
        messages.error(request, _("Année invalide : %(year)s.") % {"year": asked[:12]})
        year = local_today().year
        if request.method == "POST":
            return redirect(f"{reverse('ledger:periods', kwargs={'org_slug': org_slug})}?year={year}")
    if request.method == "POST":
        user: Any = request.user
        if user.role not in WRITE and not user.is_superuser:
            raise Http404
        month = parse_int(request.POST.get("month")) or 0  # the service refuses a month outside 1..12
        try:
            if request.POST.get("action") == "unlock":
                form = UnlockForm(request.POST)
                reason = form.data.get("reason", "")
                services.period_unlock(book=book, year=year, month=month, acting_user=user, reason=reason)
                messages.success(request, _("Période %(period)s déverrouillée.") % {"period": f"{year}-{month:02d}"})
            else:
                services.period_lock(book=book, year=year, month=month, acting_user=user)
                messages.success(request, _("Période %(period)s verrouillée.") % {"period": f"{year}-{month:02d}"})
        except DomainError as error:
            messages.error(request, error.message())
        return redirect(f"{reverse('ledger:periods', kwargs={'org_slug': org_slug})}?year={year}")
    locked = selectors.period_locks(book=book)
    months = [(m, (year, m) in locked) for m in range(1, 13)]
    return render(request, "ledger/periods.html", {"book": book, "year": year, "months": months})
