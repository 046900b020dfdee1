"""The till's server pages in a browser session: registering a phone as a till (its token shown once) and a
shift's printable Z report (58 mm thermal paper or A4, French or Arabic).

Joined in ``sales/urls.py`` before ``till.urlpatterns``: ``till/device/`` must not be read as an event's slug.
"""

import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from gie_erp.core.access import role_required
from gie_erp.core.errors import ErrorCode, error_message
from gie_erp.core.money import ZERO
from gie_erp.core.ratelimit import WINDOW_SECONDS
from gie_erp.core.roles import Role
from sales.devices import NAME_MAX_LENGTH, device_register, may_register, registration_over_rate
from sales.models import PaymentMethod, Shift
from sales.selectors import is_staff
from sales.shifts import z_report

Z_TEMPLATE = "sales/till_server/z.html"


def _refusal(status: int, code: ErrorCode, **params: Any) -> JsonResponse:
    response = JsonResponse({"error": error_message(code, params)}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _device_name(request: HttpRequest) -> str | None:
    """The name sent as JSON ``{"name": …}`` (the till's script) or as a form field; None when unusable."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        name = data.get("name", "") if isinstance(data, dict) else None
    else:
        name = request.POST.get("name", "")
    if not isinstance(name, str) or "\x00" in name:
        return None
    name = " ".join(name.split())
    return name if len(name) <= NAME_MAX_LENGTH else None


@require_POST
@never_cache
def till_device_register(request: HttpRequest) -> HttpResponse:
    """Register the phone this session runs on as a till; the token is in this answer only."""
    if not may_register(request.user):
        return _refusal(403, ErrorCode.TILL_REGISTER_FORBIDDEN)
    if registration_over_rate(request.user):
        response = _refusal(429, ErrorCode.TILL_RATE_LIMITED)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    name = _device_name(request)
    if name is None:
        return _refusal(400, ErrorCode.TILL_DEVICE_NAME, limit=NAME_MAX_LENGTH)
    device, token = device_register(user=request.user, name=name)
    response = JsonResponse({"device": str(device.pk), "token": token})
    response["Cache-Control"] = "no-store"
    return response


def _sum(amounts: dict[str, str] | None) -> Decimal | None:
    return None if amounts is None else sum((Decimal(a) for a in amounts.values()), ZERO)


@require_safe
@role_required(Role.FAIR_SELLER, Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR)
def till_z(request: HttpRequest, shift_id: UUID) -> HttpResponse:
    """A shift's Z report, for a seller of its event or the GIE's staff; anyone else gets the missing page."""
    user: Any = request.user
    shift = Shift.objects.select_related("event", "device", "device__user").filter(pk=shift_id).first()
    if shift is None or not (is_staff(user) or shift.event.sellers.filter(pk=user.pk).exists()):
        raise Http404
    report = z_report(shift)
    rows = [
        {
            "label": method.label,
            "device": report["device"][method.value] if report["device"] else None,
            "server": report["server"][method.value],
            "difference": report["difference"][method.value] if report["difference"] else None,
        }
        for method in PaymentMethod
    ]
    totals = {
        "device": _sum(report["device"]),
        "server": _sum(report["server"]),
        "difference": _sum(report["difference"]),
    }
    missing = None
    if report["tickets"]["device"] is not None:
        missing = max(report["tickets"]["device"] - report["tickets"]["server"], 0)
    context = {"shift": shift, "event": shift.event, "z": report, "rows": rows, "totals": totals, "missing": missing}
    return render(request, Z_TEMPLATE, context)


urlpatterns: list[URLPattern] = [
    path("till/device/", till_device_register, name="till_device_register"),
    path("till/shifts/<uuid:shift_id>/z/", till_z, name="till_z"),
]
