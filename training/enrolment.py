"""Enrolling cooperators in a session and cancelling: capacity, the waitlist and its automatic promotion, late
cancellations (issue 13, point 3).

Seats are counted under a row lock on the session (``select_for_update``): concurrent enrolments queue on it, so a
session never seats more than its capacity (``tests/training/test_enrolment_postgres.py``). Beyond capacity an
enrolment waits with the next position. Cancelling a seat before the deadline costs nothing; after it, the
enrolment stays *cancelled late* and is billed like an absent trainee. A freed seat goes to the first in line at
once, whatever the date (promoted after the deadline, a trainee is billed like anyone).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_day
from members.models import Cooperator
from training.models import Enrolment, Session
from training.selectors import may_enrol_for

LIVE = (Enrolment.State.ENROLLED, Enrolment.State.WAITLISTED)


def session_lock(session: Session) -> Session:
    """The session re-read under a row lock: the one order every training write takes first."""
    return Session.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)


def check_not_billed(session: Session) -> None:
    if session.billed_on is not None:
        raise DomainError(ErrorCode.TRAINING_SESSION_BILLED, date=format_day(session.billed_on))


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "pk", None) else None


@transaction.atomic
def enrol(*, session: Session, cooperator: Cooperator, on: date, acting_user: Any = None) -> Enrolment:
    """Enrol a cooperator for its cooperative: a seat while one is free, else the waitlist's next position. Seats
    are counted under the session's lock, so concurrent enrolments never overbook."""
    session = session_lock(session)
    cooperator = Cooperator.objects.select_related("organization").get(pk=cooperator.pk)
    if not may_enrol_for(acting_user, session, cooperator.organization_id):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    check_not_billed(session)
    if session.state != Session.State.OPEN:
        raise DomainError(ErrorCode.TRAINING_SESSION_NOT_OPEN, state=session.get_state_display())
    if on > session.enrolment_deadline:
        raise DomainError(ErrorCode.TRAINING_ENROLMENT_CLOSED, deadline=format_day(session.enrolment_deadline))
    if not cooperator.is_active:
        raise DomainError(ErrorCode.TRAINING_COOPERATOR_INACTIVE, name=str(cooperator))
    if Enrolment.objects.filter(session=session, cooperator=cooperator, state__in=LIVE).exists():
        raise DomainError(ErrorCode.TRAINING_ALREADY_ENROLLED, name=str(cooperator))
    seated = Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).count()
    enrolment = Enrolment(
        session=session,
        cooperator=cooperator,
        organization_id=cooperator.organization_id,
        enrolled_at=timezone.now(),
        created_by=_actor(acting_user),
    )
    if seated >= session.capacity:
        last = Enrolment.objects.filter(session=session, state=Enrolment.State.WAITLISTED).aggregate(
            last=Max("waitlist_position")
        )["last"]
        enrolment.state, enrolment.waitlist_position = Enrolment.State.WAITLISTED, (last or 0) + 1
    enrolment.save()
    audit_record(
        actor=acting_user,
        event="training.enrolled",
        target=enrolment,
        tenant_id=cooperator.organization_id,
        data={"session": session.slug, "state": enrolment.state, "position": enrolment.waitlist_position},
    )
    return enrolment


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A cancelled enrolment and the waitlisted enrolments that took the freed seats."""

    enrolment: Enrolment
    promoted: tuple[Enrolment, ...]


@transaction.atomic
def cancel(*, enrolment: Enrolment, on: date, acting_user: Any = None) -> Cancellation:
    """Cancel an enrolment on ``on``: free up to the deadline (and always for a waitlisted one or a cancelled
    session), else *cancelled late* and billed. A freed seat goes to the first in line at once."""
    session = session_lock(enrolment.session)
    enrolment = Enrolment.objects.select_for_update().select_related("cooperator").get(pk=enrolment.pk)
    if not may_enrol_for(acting_user, session, enrolment.organization_id):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    check_not_billed(session)
    if enrolment.state == Enrolment.State.CANCELLED:
        raise DomainError(ErrorCode.TRAINING_ALREADY_CANCELLED)
    was_seated = enrolment.state == Enrolment.State.ENROLLED
    enrolment.cancelled_late = (
        was_seated and on > session.enrolment_deadline and session.state != Session.State.CANCELLED
    )
    enrolment.state, enrolment.waitlist_position = Enrolment.State.CANCELLED, None
    enrolment.cancelled_at = timezone.now()
    enrolment.save(update_fields=["state", "waitlist_position", "cancelled_at", "cancelled_late"])
    audit_record(
        actor=acting_user,
        event="training.cancelled",
        target=enrolment,
        tenant_id=enrolment.organization_id,
        data={"session": session.slug, "on": on.isoformat(), "late": enrolment.cancelled_late},
    )
    promoted = seats_fill(session, acting_user=acting_user) if was_seated else ()
    return Cancellation(enrolment=enrolment, promoted=promoted)


def seats_fill(session: Session, *, acting_user: Any = None) -> tuple[Enrolment, ...]:
    """Give every free seat to the first in line (the caller holds the session's lock)."""
    if session.state == Session.State.CANCELLED:
        return ()
    seated = Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).count()
    free = session.capacity - seated
    if free <= 0:
        return ()
    first = list(
        Enrolment.objects.select_for_update()
        .filter(session=session, state=Enrolment.State.WAITLISTED)
        .order_by("waitlist_position")[:free]
    )
    now = timezone.now()
    for enrolment in first:
        position = enrolment.waitlist_position
        enrolment.state, enrolment.waitlist_position, enrolment.promoted_at = Enrolment.State.ENROLLED, None, now
        enrolment.save(update_fields=["state", "waitlist_position", "promoted_at"])
        audit_record(
            actor=acting_user,
            event="training.promoted",
            target=enrolment,
            tenant_id=enrolment.organization_id,
            data={"session": session.slug, "position": position},
        )
    return tuple(first)
