"""The till's JSON API (docs: /tmp/brief/api.md, "The till ↔ server contract"): open events, an event's catalogue,
the sync of shifts and tickets, a shift's Z report.

Authenticated per device (``Authorization: Device <uuid>:<token>``, ``sales.devices``), CSRF-exempt, JSON in and
out, rate-limited per device. Every refusal is ``{"error": "<message in the device user's language>"}`` with 400,
401, 404, 405, 413 or 429; never a 500. The sync writes tickets only through ``sales.tickets.tickets_ingest`` and
touches neither Celery nor Redis: with the broker down, a till still syncs.
"""

import json
import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gie_erp.core.errors import DomainError, ErrorCode, error_message
from gie_erp.core.ratelimit import WINDOW_SECONDS
from invoices.services import vat_rate_on
from members.models import Organization
from sales.catalogue import pictogram_static
from sales.devices import device_authenticate, device_over_rate
from sales.models import Device, Event, PaymentMethod, Shift
from sales.selectors import event_catalogue, is_staff
from sales.shifts import MAX_SHIFTS, shifts_apply, z_report
from sales.tickets import MAX_BATCH, Status, tickets_ingest

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024
#: deeper than any payload of the contract (body → tickets → ticket → lines → line → value is 5)
MAX_DEPTH = 8
#: the largest integer a phone's JavaScript can write exactly; anything above is not from a till
MAX_INTEGER = 2**53
NO_VAT = "0.0000"

DeviceView = Callable[..., HttpResponse]


def _error(status: int, code: ErrorCode, **params: Any) -> JsonResponse:
    response = JsonResponse({"error": error_message(code, params)}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _answer(data: Mapping[str, Any]) -> JsonResponse:
    response = JsonResponse(dict(data), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def device_api(*methods: str) -> Callable[[DeviceView], Callable[..., HttpResponse]]:
    """Wrap a view taking ``(request, device, …)``: the method, the device's credentials and its rate are checked
    first, and the view runs in the device user's language."""

    def decorator(view: DeviceView) -> Callable[..., HttpResponse]:
        @login_not_required
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = _error(405, ErrorCode.TILL_METHOD, method=str(request.method)[:10])
                response["Allow"] = ", ".join(methods)
                return response
            device = device_authenticate(request)
            if device is None:
                response = _error(401, ErrorCode.TILL_UNAUTHORIZED)
                response["WWW-Authenticate"] = 'Device realm="till"'
                return response
            with translation.override(device.user.preferred_language or "fr"):
                if device_over_rate(device):
                    response = _error(429, ErrorCode.TILL_RATE_LIMITED)
                    response["Retry-After"] = str(WINDOW_SECONDS)
                    return response
                return view(request, device, *args, **kwargs)

        return wrapped

    return decorator


def _seller_events(device: Device) -> Any:
    """The open events the device's user sells at (the same rule whatever the user's role)."""
    return Event.objects.filter(sellers=device.user_id, state=Event.State.OPEN).select_related("channel")


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "name_fr": event.name_fr,
        "name_ar": event.name_ar,
        "kind": event.channel.kind,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat() if event.ends_on else None,
        "place": event.place,
    }


@device_api("GET")
def api_events(request: HttpRequest, device: Device) -> HttpResponse:
    events = _seller_events(device).order_by("starts_on", "slug")
    return _answer({"events": [_event_json(event) for event in events]})


class _Rates:
    """The VAT rate of each product today, as the server will apply it to the ticket (for the receipt)."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.by_code: dict[str, str] = {}

    def rate(self, vat_code: str, exempt: bool) -> str:  # noqa: FBT001 (a plain fact of the member)
        if exempt:
            return NO_VAT  # an art. 91 member charges no VAT, whatever the product
        if vat_code not in self.by_code:
            try:
                self.by_code[vat_code] = str(vat_rate_on(vat_code, self.today).rate)
            except DomainError:
                logger.warning("sales catalogue: no VAT rate %s on %s", vat_code, self.today)
                self.by_code[vat_code] = NO_VAT
        return self.by_code[vat_code]


@device_api("GET")
def api_catalogue(request: HttpRequest, device: Device, slug: str) -> HttpResponse:
    event = _seller_events(device).filter(slug=slug).first()
    if event is None:
        return _error(404, ErrorCode.TILL_EVENT_NOT_FOUND)
    participations = event.participations.select_related("organization").order_by("stand", "organization__slug")
    members = [
        {
            "id": p.organization.pk,
            "slug": p.organization.slug,
            "name_fr": p.organization.legal_name_fr,
            "name_ar": p.organization.legal_name_ar,
            "stand": p.stand,
        }
        for p in participations
    ]
    rates = _Rates()
    exempt = {p.organization.pk: p.organization.vat_status == Organization.VatStatus.EXEMPT for p in participations}
    products = [
        {
            "id": product.pk,
            "member": product.organization_id,
            "code": product.code,
            "scan_code": product.scan_code,
            "name_fr": product.name_fr,
            "name_ar": product.name_ar,
            "unit": product.unit,
            "price": str(product.price),
            "vat_rate": rates.rate(product.vat_code, exempt.get(product.organization_id, True)),
            "photo": product.photo.url if product.photo else None,
            "pictogram": _pictogram(product.pictogram),
        }
        for product in event_catalogue(event)
    ]
    methods = [{"code": method.value, "label": str(method.label)} for method in PaymentMethod]
    return _answer({"event": _event_json(event), "members": members, "products": products, "methods": methods})


def _pictogram(name: str) -> str | None:
    found = pictogram_static(name)
    return static(found) if found else None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _sane(value: Any, depth: int = 0) -> bool:
    """No deeper than the contract, no NUL or unencodable character in any string, no integer a phone cannot
    write: what the database would refuse with an error rather than an answer."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return "\x00" not in value
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_INTEGER
    if isinstance(value, dict):
        return all(_sane(key, depth + 1) and _sane(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return all(_sane(item, depth + 1) for item in value)
    return True


def _read_body(request: HttpRequest) -> tuple[dict[str, Any] | None, JsonResponse | None]:
    """The request's JSON object, or the error answer for a body too big, unreadable, or not an object."""
    limit_mb = MAX_BODY_BYTES // (1024 * 1024)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None, _error(413, ErrorCode.TILL_BODY_TOO_LARGE, limit=limit_mb)
    try:
        body = request.body
    except RequestDataTooBig:
        return None, _error(413, ErrorCode.TILL_BODY_TOO_LARGE, limit=limit_mb)
    if len(body) > MAX_BODY_BYTES:
        return None, _error(413, ErrorCode.TILL_BODY_TOO_LARGE, limit=limit_mb)
    try:
        data = json.loads(body.decode("utf-8"), parse_float=str, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, _error(400, ErrorCode.TILL_BAD_JSON)
    if not isinstance(data, dict) or not _sane(data):
        return None, _error(400, ErrorCode.TILL_BAD_JSON)
    return data, None


def _ticket_answers(payloads: list[Any], device: Device) -> list[dict[str, str]]:
    """``tickets_ingest`` per ticket. Should the batch fail as a whole on something the ingest did not foresee,
    each ticket is sent alone, so that one unreadable ticket is answered ``rejected`` (the phone keeps it) and
    the others are stored as usual."""
    try:
        return [ack.as_json() for ack in tickets_ingest(payloads, device=device)]
    except Exception:  # never a 500 for one bad ticket: logged, then isolated below
        logger.exception("sales sync: a batch of %s tickets failed, retrying one by one", len(payloads))
    answers = []
    for payload in payloads:
        device.refresh_from_db(fields=["last_sequence"])
        try:
            answers.append(tickets_ingest([payload], device=device)[0].as_json())
        except Exception:  # the same: logged, answered, and the batch goes on
            logger.exception("sales sync: an unreadable ticket was rejected")
            raw_id = payload.get("id") if isinstance(payload, dict) else None
            message = _("Ticket illisible : le téléphone le garde ; signalez-le au GIE.")
            answers.append({"id": str(raw_id)[:40], "status": Status.REJECTED, "message": message})
    return answers


@device_api("POST")
def api_sync(request: HttpRequest, device: Device) -> HttpResponse:
    data, refusal = _read_body(request)
    if refusal is not None or data is None:
        return refusal or _error(400, ErrorCode.TILL_BAD_JSON)
    shifts, tickets = data.get("shifts"), data.get("tickets")
    shifts, tickets = [] if shifts is None else shifts, [] if tickets is None else tickets
    for field, value in (("shifts", shifts), ("tickets", tickets)):
        if not isinstance(value, list):
            return _error(400, ErrorCode.TILL_NOT_A_LIST, field=field)
    if len(tickets) > MAX_BATCH:
        return _error(413, ErrorCode.TILL_TOO_MANY_TICKETS, limit=MAX_BATCH, count=len(tickets))
    if len(shifts) > MAX_SHIFTS:
        return _error(413, ErrorCode.TILL_TOO_MANY_SHIFTS, limit=MAX_SHIFTS, count=len(shifts))
    shift_acks, closed = shifts_apply(shifts, device=device)
    # a till never sends a paper tally's id: drop it rather than let a phone write into the paper ids' space
    tickets = [{k: v for k, v in t.items() if k != "paper_id"} if isinstance(t, dict) else t for t in tickets]
    ticket_answers = _ticket_answers(tickets, device)
    reports = {str(shift.pk): z_report(shift) for shift in closed}
    answers = []
    for ack in shift_acks:
        answer = ack.as_json()
        if ack.id in reports:
            answer["z"] = reports[ack.id]
        answers.append(answer)
    return _answer({"shifts": answers, "tickets": ticket_answers})


@device_api("GET")
def api_z(request: HttpRequest, device: Device, shift_id: UUID) -> HttpResponse:
    shift = Shift.objects.select_related("event").filter(pk=shift_id).first()
    if shift is None or not (is_staff(device.user) or shift.event.sellers.filter(pk=device.user_id).exists()):
        return _error(404, ErrorCode.TILL_SHIFT_NOT_FOUND)
    return _answer(z_report(shift))


urlpatterns: list[URLPattern] = [
    path("api/events/", api_events, name="api_events"),
    path("api/events/<slug:slug>/catalogue/", api_catalogue, name="api_catalogue"),
    path("api/sync/", api_sync, name="api_sync"),
    path("api/shifts/<uuid:shift_id>/z/", api_z, name="api_z"),
]
