"""Till shifts from the phones' sync, and their Z reports.

A phone opens a shift offline (it chooses the UUID) and sends it with every sync until the server acknowledges it.
The server creates it once, records its close once, and numbers the Z at the close, one gapless sequence per event
(the event row is locked while the number is taken). The same shift sent again changes nothing; sent again with
other opening figures, or closed a second time with other figures, it is *held*: kept as a ``SyncConflict`` for the
accountant (its payload marked ``"kind": "shift"``), the first version kept.

The Z report (``z_report``) is computed when asked, never stored: the server's totals per payment method come from
the payments of the tickets the server holds for the shift, so a Z that was provisional (closed offline, tickets
still on the phone) completes by itself when the missing tickets sync.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.money import ZERO, to_mad
from sales.models import Device, Event, PaymentMethod, Shift, SyncConflict, Ticket, TicketPayment
from sales.tickets import CLOCK_SKEW, Status

MAX_SHIFTS = 50
#: the most tickets a shift can count (far above a day at one till, far below the column's limit)
MAX_TICKET_COUNT = 1_000_000
METHODS: tuple[str, ...] = tuple(PaymentMethod.values)


class ShiftHeld(Exception):
    """A shift the server keeps for the accountant instead of applying; its message says why."""


@dataclass(frozen=True, slots=True)
class ShiftAck:
    id: str
    status: str
    message: str = ""
    z: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": self.id, "status": self.status, "message": self.message}
        if self.z is not None:
            answer["z"] = self.z
        return answer


@dataclass(frozen=True, slots=True)
class _Close:
    closed_at: datetime
    counted_cash: Decimal | None
    device_totals: dict[str, str]
    device_ticket_count: int | None
    closed_offline: bool

    def same_as(self, shift: Shift) -> bool:
        return (
            shift.closed_at == self.closed_at
            and shift.counted_cash == self.counted_cash
            and _totals(shift.device_totals) == _totals(self.device_totals)
            and shift.device_ticket_count == self.device_ticket_count
            and shift.closed_offline == self.closed_offline
        )


@dataclass(frozen=True, slots=True)
class _Opening:
    id: uuid.UUID
    event_slug: str
    opened_at: datetime
    opening_float: Decimal
    close: _Close | None


def _moment(value: Any, what: str) -> datetime:
    try:
        moment = parse_datetime(value) if isinstance(value, str) and len(value) <= 40 else None
        if moment is not None and timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment is not None:
            moment.astimezone(timezone.get_current_timezone())  # out-of-range moments fail here, not in the database
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ShiftHeld(_("Heure illisible (%(what)s) : %(value)s") % {"what": what, "value": str(value)[:40]})
    return moment


def _money(value: Any, what: str, *, allow_negative: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int) or len(str(value)) > 20:
        raise ShiftHeld(_("Montant invalide (%(what)s) : %(value)s") % {"what": what, "value": str(value)[:40]})
    try:
        return parse_amount(str(value), allow_negative=allow_negative)
    except AmountError as exc:
        raise ShiftHeld(f"{what} : {exc.message()}") from None


def _totals(raw: Any) -> dict[str, str]:
    """Device totals as the server keeps them: every method, 2-place strings (missing methods are 0.00)."""
    raw = raw if isinstance(raw, Mapping) else {}
    return {method: str(to_mad(str(raw.get(method, ZERO)))) for method in METHODS}


def _parse_close(payload: Mapping[str, Any], opened_at: datetime, now: datetime) -> _Close | None:
    if payload.get("closed_at") in (None, ""):
        return None
    closed_at = _moment(payload.get("closed_at"), _("fermeture"))
    if closed_at < opened_at:
        raise ShiftHeld(_("La session est fermée avant d'avoir été ouverte."))
    if closed_at > now + CLOCK_SKEW:
        raise ShiftHeld(_("Fermeture datée dans le futur : %(value)s") % {"value": closed_at.isoformat()})
    counted = payload.get("counted_cash")
    counted_cash = None if counted in (None, "") else _money(counted, _("espèces comptées"))
    raw_totals = payload.get("device_totals")
    if raw_totals is None:
        raw_totals = {}
    if not isinstance(raw_totals, Mapping) or set(raw_totals) - set(METHODS):
        raise ShiftHeld(_("Totaux du téléphone illisibles : %(value)s") % {"value": str(raw_totals)[:80]})
    totals = {
        method: str(
            _money(raw_totals.get(method, "0"), _("total %(method)s") % {"method": method}, allow_negative=True)
        )
        for method in METHODS
    }
    count = payload.get("device_ticket_count")
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_TICKET_COUNT
    ):
        raise ShiftHeld(_("Nombre de tickets du téléphone invalide : %(value)s") % {"value": str(count)[:40]})
    offline = payload.get("closed_offline", False)
    if not isinstance(offline, bool):
        raise ShiftHeld(_("Indication « fermée hors ligne » invalide : %(value)s") % {"value": str(offline)[:40]})
    return _Close(closed_at, counted_cash, totals, count, offline)


def _parse(payload: Mapping[str, Any], shift_id: uuid.UUID, now: datetime) -> _Opening:
    opened_at = _moment(payload.get("opened_at"), _("ouverture"))
    if opened_at > now + CLOCK_SKEW:
        raise ShiftHeld(_("Ouverture datée dans le futur : %(value)s") % {"value": opened_at.isoformat()})
    opening_float = _money(payload.get("opening_float", "0.00"), _("fonds de caisse"))
    close = _parse_close(payload, opened_at, now)
    event = payload.get("event")
    return _Opening(shift_id, event if isinstance(event, str) else "", opened_at, opening_float, close)


def _hold(shift_id: uuid.UUID, payload: Mapping[str, Any], device: Device, reason: str) -> None:
    kept = {**payload, "kind": "shift"}
    if not SyncConflict.objects.filter(ticket_id=shift_id, reason=reason[:200], payload=kept).exists():
        SyncConflict.objects.create(ticket_id=shift_id, device=device, payload=kept, reason=reason[:200])


def _next_z_number(event_id: int) -> int:
    """The event's next Z number; the caller holds the event row locked, so numbers never repeat or skip."""
    Event.objects.select_for_update().filter(pk=event_id).first()
    last = Shift.objects.filter(event_id=event_id).aggregate(last=Max("z_number"))["last"]
    return int(last or 0) + 1


def _apply(opening: _Opening, device: Device) -> tuple[Shift, str]:
    """Create or close one shift; returns it and the status (stored when something changed, else duplicate)."""
    event = Event.objects.filter(slug=opening.event_slug).first() if opening.event_slug else None
    if event is None:
        raise ShiftHeld(_("Événement inconnu : %(value)s") % {"value": opening.event_slug[:60]})
    if not event.sellers.filter(pk=device.user_id).exists():
        raise ShiftHeld(_("Ce vendeur n'est pas affecté à l'événement %(value)s.") % {"value": event.slug})
    shift, created = Shift.objects.get_or_create(
        pk=opening.id,
        defaults={
            "device": device,
            "event": event,
            "opened_at": opening.opened_at,
            "opening_float": opening.opening_float,
        },
    )
    if created:  # tickets synced before their shift named it (``shift_key``): they join it now
        Ticket.objects.filter(device=device, shift_key=shift.pk, shift__isnull=True).update(shift=shift)
    else:
        if shift.device_id != device.pk:
            raise ShiftHeld(_("Cette session appartient à un autre téléphone."))
        if (shift.event_id, shift.opened_at, shift.opening_float) != (
            event.pk,
            opening.opened_at,
            opening.opening_float,
        ):
            raise ShiftHeld(_("Cette session existe déjà avec une autre ouverture : la première est gardée."))
    close = opening.close
    if close is None:
        return shift, Status.STORED if created else Status.DUPLICATE
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.closed_at is not None:
        if close.same_as(shift):
            return shift, Status.DUPLICATE
        raise ShiftHeld(_("Cette session est déjà fermée avec d'autres chiffres : la première fermeture est gardée."))
    shift.z_number = _next_z_number(event.pk)
    shift.closed_at = close.closed_at
    shift.counted_cash = close.counted_cash
    shift.device_totals = close.device_totals
    shift.device_ticket_count = close.device_ticket_count
    shift.closed_offline = close.closed_offline
    shift.save(
        update_fields=[
            "z_number",
            "closed_at",
            "counted_cash",
            "device_totals",
            "device_ticket_count",
            "closed_offline",
        ]
    )
    return shift, Status.STORED


def shifts_apply(
    payloads: Sequence[Any], *, device: Device, now: datetime | None = None
) -> tuple[list[ShiftAck], list[Shift]]:
    """Apply a batch of shift payloads from one device, one answer each, in order; also returns the shifts that
    are closed (their Z is answered once the batch's tickets are stored too). Each shift is its own transaction:
    one held shift never blocks another."""
    if len(payloads) > MAX_SHIFTS:
        raise ValueError(f"at most {MAX_SHIFTS} shifts per call")
    now = now or timezone.now()
    acks: list[ShiftAck] = []
    closed: list[Shift] = []
    for payload in payloads:
        raw_id = payload.get("id") if isinstance(payload, Mapping) else None
        try:
            shift_id = uuid.UUID(str(raw_id)) if isinstance(raw_id, str) else None
        except ValueError:
            shift_id = None
        if shift_id is None or not isinstance(payload, Mapping):
            acks.append(ShiftAck(str(raw_id)[:40], Status.REJECTED, _("Identifiant de session illisible.")))
            continue
        try:
            with transaction.atomic():
                shift, status = _apply(_parse(payload, shift_id, now), device)
        except ShiftHeld as exc:
            _hold(shift_id, payload, device, str(exc))
            acks.append(ShiftAck(str(shift_id), Status.HELD, str(exc)))
            continue
        acks.append(ShiftAck(str(shift_id), status))
        if shift.closed_at is not None:
            closed.append(shift)
    return acks, closed


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(to_mad(value))


def z_report(shift: Shift) -> dict[str, Any]:
    """The shift's Z: the phone's totals per method against the server's (the payments of the tickets the server
    holds for the shift), the difference (device − server: positive while the phone counted more than the server
    has, e.g. tickets not yet synced), the expected cash (opening float + server cash) and the counted cash's
    difference with it (counted − expected). Provisional while the shift is open, while the server has fewer
    tickets than the phone counted, or while a shift closed offline still differs from the server."""
    server = dict.fromkeys(METHODS, ZERO)
    for method, amount in (
        TicketPayment.objects.filter(ticket__shift=shift).values_list("method").annotate(total=Sum("amount"))
    ):
        server[method] = to_mad(amount or ZERO)
    server_tickets = shift.tickets.aggregate(n=Count("pk"))["n"]
    closed = shift.closed_at is not None
    device = {m: Decimal(v) for m, v in _totals(shift.device_totals).items()} if closed else None
    expected = shift.opening_float + server[PaymentMethod.CASH]
    provisional = (
        not closed
        or (shift.device_ticket_count is not None and server_tickets < shift.device_ticket_count)
        or (shift.closed_offline and device != server)
    )
    local = timezone.localtime
    return {
        "id": str(shift.pk),
        "number": shift.z_number,
        "provisional": provisional,
        "event": shift.event.slug,
        "opened_at": local(shift.opened_at).isoformat(),
        "closed_at": local(shift.closed_at).isoformat() if shift.closed_at else None,
        "closed_offline": shift.closed_offline,
        "opening_float": _amount(shift.opening_float),
        "counted_cash": _amount(shift.counted_cash),
        "device": {m: str(a) for m, a in device.items()} if device is not None else None,
        "server": {m: str(a) for m, a in server.items()},
        "difference": {m: str(device[m] - server[m]) for m in METHODS} if device is not None else None,
        "expected_cash": _amount(expected),
        "cash_difference": _amount(shift.counted_cash - expected) if shift.counted_cash is not None else None,
        "tickets": {"device": shift.device_ticket_count, "server": server_tickets},
    }
