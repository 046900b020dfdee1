"""Write services of channels and events: create or change a channel, an event with its members, stands and sellers,
open or close it, and record a member's sales terms. Each owns its transaction and writes one audit row.

What a change may not break is checked here, not in the form: a member that already sold (or deposited stock, or was
settled) at an event stays in it; an event's dates keep every ticket inside them (the till accepts a day either side);
an event that has tickets keeps its channel (its summaries posted to that channel's accounts)."""

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_day
from members.models import Organization
from sales.models import Channel, Deposit, Event, Participation, SalesTerms, Settlement, Ticket, TicketLine

CHANNEL_FIELDS = (
    "kind", "slug", "name_fr", "name_ar", "commission_rate", "commission_base", "cash_account", "card_account",
    "mobile_account", "cheque_account", "is_active",
)  # fmt: skip
EVENT_FIELDS = ("channel", "slug", "name_fr", "name_ar", "starts_on", "ends_on", "commune", "place", "commission_rate")
#: how far outside its dates the till accepts a ticket (sales/tickets.py): the dates must keep that margin
TILL_MARGIN = timedelta(days=1)


class SalesPagesError(DomainError):
    """A change of a channel or an event refused by a rule; the message says what to do."""


def _apply(instance: Any, data: Mapping[str, Any], fields: Sequence[str]) -> list[str]:
    """Set the given fields; return the names of those that changed."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        field = instance._meta.get_field(name)
        value = data[name]
        stored = value.pk if field.is_relation and value is not None else value
        if getattr(instance, field.attname) != stored:  # attname: an unsaved event has no channel to read yet
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic(durable=True)
def channel_save(*, channel: Channel | None, data: Mapping[str, Any], acting_user: Any) -> Channel:
    """Create a channel or change one; its short name never changes once created."""
    created = channel is None
    channel = channel or Channel()
    fields = CHANNEL_FIELDS if created else tuple(f for f in CHANNEL_FIELDS if f != "slug")
    changed = _apply(channel, data, fields)
    channel.full_clean()
    channel.save()
    audit_record(
        actor=acting_user,
        event="sales.channel_created" if created else "sales.channel_updated",
        target=channel,
        data={"fields": changed},
    )
    return channel


def _check_dates(event: Event) -> None:
    if not event.pk:
        return
    tickets = Ticket.objects.filter(event=event)
    outside = Q(sold_on__lt=event.starts_on - TILL_MARGIN)
    if event.ends_on is not None:
        outside |= Q(sold_on__gt=event.ends_on + TILL_MARGIN)
    count = tickets.filter(outside).count()
    if count:
        last = format_day(event.ends_on) if event.ends_on else "…"
        raise SalesPagesError(
            ErrorCode.SALES_TICKETS_OUTSIDE_DATES, count=count, first=format_day(event.starts_on), last=last
        )


def _members_with_sales(event: Event, members: set[int]) -> list[Organization]:
    """Of these members, those whose tickets, deposits or settlements at the event make them stay."""
    if not event.pk or not members:
        return []
    busy = set(
        TicketLine.objects.filter(ticket__event=event, organization_id__in=members).values_list(
            "organization_id", flat=True
        )
    )
    busy |= set(
        Deposit.objects.filter(event=event, organization_id__in=members).values_list("organization_id", flat=True)
    )
    busy |= set(
        Settlement.objects.filter(event=event, organization_id__in=members).values_list("organization_id", flat=True)
    )
    return list(Organization.objects.filter(pk__in=busy).order_by("legal_name_fr"))


@transaction.atomic(durable=True)
def event_save(
    *,
    event: Event | None,
    data: Mapping[str, Any],
    stands: Sequence[tuple[Organization, str]],
    sellers: Sequence[Any],
    acting_user: Any,
) -> Event:
    """Create an event or change one, with exactly these members (and stands) and sellers. A member that already
    sold there is never dropped; the dates keep every ticket; an event with tickets keeps its channel."""
    created = event is None
    if event is not None:
        event = Event.objects.select_for_update().get(pk=event.pk)  # one writer at a time, then read its state
    event = event or Event()
    old_channel = event.channel_id if not created else None
    fields = EVENT_FIELDS if created else tuple(f for f in EVENT_FIELDS if f != "slug")
    changed = _apply(event, data, fields)
    if not created and event.channel_id != old_channel and Ticket.objects.filter(event=event).exists():
        raise SalesPagesError(ErrorCode.SALES_CHANNEL_LOCKED)
    _check_dates(event)
    event.full_clean(exclude=["members", "sellers"])
    event.save()

    wanted = {organization.pk: stand for organization, stand in stands}
    current = {p.organization_id: p for p in Participation.objects.filter(event=event)}
    dropped = _members_with_sales(event, set(current) - set(wanted))
    if dropped:
        raise SalesPagesError(ErrorCode.SALES_MEMBER_HAS_SALES, member=", ".join(o.legal_name_fr for o in dropped))
    Participation.objects.filter(event=event).exclude(organization_id__in=wanted).delete()
    added = [
        Participation(event=event, organization_id=pk, stand=stand) for pk, stand in wanted.items() if pk not in current
    ]
    Participation.objects.bulk_create(added)
    moved = [p for pk, p in current.items() if pk in wanted and p.stand != wanted[pk]]
    for participation in moved:
        participation.stand = wanted[participation.organization_id]
    Participation.objects.bulk_update(moved, ["stand"])

    old_sellers = set(event.sellers.values_list("pk", flat=True))
    event.sellers.set(sellers)
    members_changed = bool(added or moved or set(current) - set(wanted))
    audit_record(
        actor=acting_user,
        event="sales.event_created" if created else "sales.event_updated",
        target=event,
        data={
            "fields": changed,
            "members": len(wanted),
            "members_changed": members_changed,
            "sellers": sorted(u.username for u in sellers),
            "sellers_changed": old_sellers != {u.pk for u in sellers},
        },
    )
    return event


@transaction.atomic(durable=True)
def event_state_set(*, event: Event, state: str, acting_user: Any) -> Event:
    """Open an event to the till, close it, or set it back to planned; the same state again changes nothing."""
    if state not in Event.State.values:
        raise ValueError(f"unknown state {state!r}")
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.state != state:
        before, event.state = event.state, state
        event.save(update_fields=["state"])
        audit_record(
            actor=acting_user,
            event="sales.event_state_changed",
            target=event,
            data={"previous_state": before, "state": state},
        )
    return event


@transaction.atomic(durable=True)
def sales_terms_set(*, organization: Organization, offset_other_invoices: bool, acting_user: Any) -> SalesTerms:
    """Record whether the member agreed that its other open invoices are netted against its takings."""
    terms, _created = SalesTerms.objects.select_for_update().get_or_create(organization=organization)
    if terms.offset_other_invoices != offset_other_invoices:
        terms.offset_other_invoices = offset_other_invoices
        terms.save(update_fields=["offset_other_invoices"])
        audit_record(
            actor=acting_user,
            event="sales.terms_changed",
            target=terms,
            tenant_id=organization.pk,
            data={"offset_other_invoices": offset_other_invoices},
        )
    return terms
