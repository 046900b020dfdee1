"""Reads of collective sales, always scoped to what the acting user may see. A miss is a 404, never a 403.

GIE staff and the auditor read every event; a fair seller reads the events it is assigned to (and sells there);
a cooperative's representative reads the events its cooperative takes part in, and only its own figures there."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gie_erp.core.roles import Role, sees_all_books
from sales.models import Event, Product


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (user.is_superuser or sees_all_books(user.role))


def representative_of(user: Any) -> int | None:
    """The organization a representative acts for, or None."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.COOP_REPRESENTATIVE:
        return None
    organization_id: int | None = user.organization_id
    return organization_id


def events_for(user: Any) -> QuerySet[Event]:
    """The events a user may see."""
    events = Event.objects.select_related("channel", "commune")
    if is_staff(user):
        return events
    if getattr(user, "is_authenticated", False) and user.role == Role.FAIR_SELLER:
        return events.filter(sellers=user)
    member = representative_of(user)
    if member is not None:
        return events.filter(participations__organization_id=member)
    return events.none()


def event_for(user: Any, slug: str) -> Event:
    """One event the user may see, else 404."""
    event = events_for(user).filter(slug=slug).first()
    if event is None:
        raise Http404
    return event


def products_for(user: Any) -> QuerySet[Product]:
    """Staff read every member's catalogue; a representative its own; others none (the till reads an event's
    catalogue through ``event_catalogue``)."""
    products = Product.objects.select_related("organization")
    if is_staff(user):
        return products
    member = representative_of(user)
    return products.filter(organization_id=member) if member is not None else products.none()


def event_catalogue(event: Event) -> QuerySet[Product]:
    """The products on sale at an event: the active products of its participating members."""
    return (
        Product.objects.filter(organization__in=event.participations.values("organization"), is_active=True)
        .select_related("organization")
        .order_by("organization__legal_name_fr", "code")
    )
