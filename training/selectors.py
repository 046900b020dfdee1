"""Reads of training, always scoped to what the acting user may see; a miss is a 404, never a 403. The predicates
the services check before writing live here too (who may enrol for a cooperative, who runs a session).

GIE staff and the auditor see every session; a trainer sees the sessions it teaches; a cooperative's
representative sees the open sessions and those its cooperators are enrolled in (and, there, only its own
enrolments)."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from gie_erp.core.roles import Role, may_write, sees_all_books
from members.models import Organization
from training.models import Enrolment, Session


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_staff(user: Any) -> bool:
    """GIE staff and the auditor: they read every session."""
    return _authenticated(user) and (user.is_superuser or sees_all_books(user.role))


def is_manager(user: Any) -> bool:
    """GIE staff who may change training data (admin, accountant). ``None`` is the system (commands, demo)."""
    return user is None or (_authenticated(user) and (user.is_superuser or may_write(user.role)))


def representative_of(user: Any) -> int | None:
    """The organization a representative acts for, or None."""
    if not _authenticated(user) or user.role != Role.COOP_REPRESENTATIVE:
        return None
    organization_id: int | None = user.organization_id
    return organization_id


def teaches(user: Any, session: Session) -> bool:
    """True when the user is the session's trainer."""
    return (
        _authenticated(user)
        and user.role == Role.TRAINER
        and session.trainer_id is not None
        and Session.objects.filter(pk=session.pk, trainer__user=user).exists()
    )


def may_run(user: Any, session: Session) -> bool:
    """Take attendance and issue certificates: GIE staff who write, or the session's trainer."""
    return is_manager(user) or teaches(user, session)


def may_enrol_for(user: Any, session: Session, organization_id: int) -> bool:
    """Enrol (or cancel) a cooperator of ``organization_id``: GIE staff who write, the session's trainer, or that
    cooperative's representative."""
    return may_run(user, session) or representative_of(user) == organization_id


def sessions_for(user: Any) -> QuerySet[Session]:
    """The sessions a user may see."""
    sessions = Session.objects.select_related("course", "commune", "trainer")
    if is_staff(user):
        return sessions
    if _authenticated(user) and user.role == Role.TRAINER:
        return sessions.filter(trainer__user=user)
    member = representative_of(user)
    if member is not None:
        its_own = Enrolment.objects.filter(session=OuterRef("pk"), organization_id=member)
        return sessions.filter(Q(state=Session.State.OPEN) | Q(Exists(its_own)))
    return sessions.none()


def session_for(user: Any, slug: str) -> Session:
    """One session the user may see, else 404."""
    session = sessions_for(user).filter(slug=slug).first()
    if session is None:
        raise Http404
    return session


def enrolments_of(user: Any, organization: Organization) -> QuerySet[Enrolment]:
    """A cooperative's enrolments in every session (cancelled ones included), for staff or its representative;
    anyone else reads none."""
    if not (is_staff(user) or representative_of(user) == organization.pk):
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(organization=organization)
        .select_related("session", "session__course", "cooperator")
        .order_by("-session__starts_on", "cooperator__last_name_fr", "pk")
    )


def session_enrolments(user: Any, session: Session) -> QuerySet[Enrolment]:
    """The enrolments of a session the user may see: all of them for staff and its trainer, a representative's
    own cooperators only."""
    enrolments = Enrolment.objects.filter(session=session).select_related("cooperator", "organization")
    if is_staff(user) or teaches(user, session):
        return enrolments
    member = representative_of(user)
    if member is not None:
        return enrolments.filter(organization_id=member)
    return enrolments.none()


def waitlist(session: Session) -> QuerySet[Enrolment]:
    """Who waits for a seat, first in line first (the printable list the GIE phones)."""
    return (
        Enrolment.objects.filter(session=session, state=Enrolment.State.WAITLISTED)
        .select_related("cooperator", "organization")
        .order_by("waitlist_position")
    )


def seated_count(session: Session) -> int:
    """How many seats are taken."""
    return Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).count()
