"""Writes of the catalogue (themes, courses, trainers, funders and their grants) and of sessions (their half-days,
their funders' shares, opening enrolments, cancelling). Each action owns its transaction, lets only the GIE staff
who write (``is_manager``) act, and audits. The pages' forms check the same rules first, in the user's words; these
functions check them again, so a command or a lost race can't get past them.

A session billed (``billed_on``) or cancelled no longer changes. A half-day with attendance stays; capacity never
drops below the seats taken (more seats fill from the waitlist at once); a funder appears once per session, with a
grant of its own."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.i18n import format_day
from gie_erp.core.roles import Role
from training.enrolment import check_not_billed, seats_fill, session_lock
from training.models import (
    Attendance,
    Course,
    Enrolment,
    Funder,
    Grant,
    HalfDay,
    Session,
    SessionFunder,
    Theme,
    Trainer,
)
from training.selectors import is_manager

THEME_FIELDS = ("slug", "name_fr", "name_ar")
Slugged = TypeVar("Slugged", Theme, Course, Funder)
COURSE_FIELDS = (
    "theme",
    "slug",
    "title_fr",
    "title_ar",
    "description_fr",
    "description_ar",
    "objectives_fr",
    "objectives_ar",
    "duration_hours",
    "pictogram",
    "vat_code",
    "is_active",
)
TRAINER_FIELDS = ("user", "name", "phone", "is_active")
FUNDER_FIELDS = ("slug", "name_fr", "name_ar")
GRANT_FIELDS = ("reference", "title_fr", "title_ar", "starts_on", "ends_on")
SESSION_FIELDS = (
    "course",
    "slug",
    "starts_on",
    "ends_on",
    "commune",
    "place",
    "trainer",
    "capacity",
    "enrolment_deadline",
    "fee_per_trainee",
    "language",
    "completion_rate",
)
#: words of the sessions' URLs (``/training/sessions/new/``) a session's slug can't be
RESERVED_SESSION_SLUGS = frozenset({"new"})


@dataclass(frozen=True, slots=True)
class FunderShare:
    """One funder's share of a session as the form gives it: ``rate`` a fraction (0.4000) for a percentage,
    ``amount`` per trainee otherwise."""

    funder: Funder
    kind: str = SessionFunder.Kind.PERCENT
    rate: Decimal | None = None
    amount: Decimal | None = None
    basis: str = SessionFunder.Basis.ATTENDED
    grant: Grant | None = None


def _check_manager(acting_user: Any) -> None:
    if not is_manager(acting_user):
        raise DomainError(ErrorCode.PERMISSION_DENIED)


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "pk", None) else None


def _apply(instance: Any, data: dict[str, Any], fields: Sequence[str]) -> list[str]:
    """Set the given fields; return the names that changed (what the audit row lists)."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        try:
            current = getattr(instance, name)
        except ObjectDoesNotExist:  # a new row's relation, not set yet
            current = None
        if current != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    return changed


def _check_slug_free(model: Any, slug: str, instance: Any) -> None:
    if model.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
        raise DomainError(ErrorCode.TRAINING_SLUG_TAKEN, slug=slug)


def _save(instance: Any, changed: list[str], *, created: bool, acting_user: Any, event: str) -> None:
    if created or changed:
        instance.save()
        audit_record(actor=_actor(acting_user), event=event, target=instance, data={"changed": sorted(changed)})


# --- the catalogue ------------------------------------------------------------------------------------------------


def _slug_save(model: type[Slugged], instance: Slugged | None, data: dict[str, Any], fields: tuple[str, ...],
               *, event: str, acting_user: Any) -> Slugged:  # fmt: skip
    """Create a catalogue row, or change one under its row lock; its slug is set once (pages and reports link by
    it)."""
    _check_manager(acting_user)
    created = instance is None
    row = model() if instance is None else model.objects.select_for_update().get(pk=instance.pk)
    changed = _apply(row, data, fields if created else tuple(name for name in fields if name != "slug"))
    _check_slug_free(model, row.slug, row)
    _save(row, changed, created=created, acting_user=acting_user, event=event)
    return row


@transaction.atomic
def theme_save(*, theme: Theme | None, data: dict[str, Any], acting_user: Any) -> Theme:
    """Create a theme, or change one; its slug is set once."""
    return _slug_save(Theme, theme, data, THEME_FIELDS, event="training.theme_saved", acting_user=acting_user)


@transaction.atomic
def course_save(*, course: Course | None, data: dict[str, Any], acting_user: Any) -> Course:
    """Create a course, or change one; its slug is set once. A course leaves the catalogue by ``is_active``."""
    return _slug_save(Course, course, data, COURSE_FIELDS, event="training.course_saved", acting_user=acting_user)


def trainer_users(current: Trainer | None = None) -> Any:
    """The users who may be linked to a trainer's card: the trainer role, with no card yet (or this card's)."""
    users = get_user_model().objects.filter(role=Role.TRAINER, is_active=True)
    taken = Trainer.objects.filter(user__isnull=False)
    if current is not None and current.pk:
        taken = taken.exclude(pk=current.pk)
    return users.exclude(pk__in=taken.values("user_id")).order_by("username")


@transaction.atomic
def trainer_save(*, trainer: Trainer | None, data: dict[str, Any], acting_user: Any) -> Trainer:
    """Create a trainer's card, or change one: a user with the trainer role (one card each) or an outside person
    with a name. A trainer leaves the lists by ``is_active``."""
    _check_manager(acting_user)
    created = trainer is None
    trainer = Trainer() if trainer is None else Trainer.objects.select_for_update().get(pk=trainer.pk)
    changed = _apply(trainer, data, TRAINER_FIELDS)
    if "user" in changed and trainer.user is not None and not trainer_users(trainer).filter(pk=trainer.user.pk):
        raise DomainError(ErrorCode.TRAINING_TRAINER_USER_INVALID, name=trainer.user.get_username())
    if trainer.user is None and not trainer.name.strip():
        raise DomainError(ErrorCode.TRAINING_TRAINER_NAME_REQUIRED)
    _save(trainer, changed, created=created, acting_user=acting_user, event="training.trainer_saved")
    return trainer


@transaction.atomic
def funder_save(*, funder: Funder | None, data: dict[str, Any], acting_user: Any) -> Funder:
    """Create a funder, or change its names; its slug is set once."""
    return _slug_save(Funder, funder, data, FUNDER_FIELDS, event="training.funder_saved", acting_user=acting_user)


@transaction.atomic
def grant_save(*, grant: Grant | None, funder: Funder | None = None, data: dict[str, Any], acting_user: Any) -> Grant:
    """Create a funder's grant (``funder`` given), or change one; a reference is unique per funder and a grant
    ends on or after its start."""
    _check_manager(acting_user)
    created = grant is None
    if grant is None:
        if funder is None:
            raise DomainError(ErrorCode.PERMISSION_DENIED)
        grant = Grant(funder=funder)
    else:
        grant = Grant.objects.select_for_update().select_related("funder").get(pk=grant.pk)
    changed = _apply(grant, data, GRANT_FIELDS)
    if grant.ends_on < grant.starts_on:
        raise DomainError(
            ErrorCode.TRAINING_DATES_ORDER, start=format_day(grant.starts_on), end=format_day(grant.ends_on)
        )
    if Grant.objects.filter(funder=grant.funder, reference=grant.reference).exclude(pk=grant.pk).exists():
        raise DomainError(ErrorCode.TRAINING_GRANT_REFERENCE_TAKEN, funder=str(grant.funder), reference=grant.reference)
    _save(grant, changed, created=created, acting_user=acting_user, event="training.grant_saved")
    return grant


# --- sessions -----------------------------------------------------------------------------------------------------


def check_editable(session: Session) -> None:
    """A billed or cancelled session no longer changes."""
    check_not_billed(session)
    if session.state == Session.State.CANCELLED:
        raise DomainError(ErrorCode.TRAINING_SESSION_STATE, state=session.get_state_display())


def _check_dates(session: Session) -> None:
    if session.ends_on < session.starts_on:
        raise DomainError(
            ErrorCode.TRAINING_DATES_ORDER, start=format_day(session.starts_on), end=format_day(session.ends_on)
        )
    if session.enrolment_deadline > session.ends_on:
        raise DomainError(
            ErrorCode.TRAINING_DATES_ORDER,
            start=format_day(session.enrolment_deadline),
            end=format_day(session.ends_on),
        )


def _half_days_sync(session: Session, wanted: set[tuple[date, str]]) -> tuple[list[str], list[str]]:
    """Make the session's half-days exactly ``wanted``; a half-day with attendance is never removed."""
    for day, _part in sorted(wanted):
        if not session.starts_on <= day <= session.ends_on:
            raise DomainError(ErrorCode.TRAINING_HALF_DAY_OUTSIDE, date=format_day(day))
    existing = {(half.day, half.part): half for half in HalfDay.objects.filter(session=session)}
    gone = [half for key, half in existing.items() if key not in wanted]
    recorded = set(Attendance.objects.filter(half_day__in=gone).values_list("half_day_id", flat=True))
    for half in sorted(gone, key=lambda half: (half.day, half.part)):
        if half.pk in recorded:
            raise DomainError(
                ErrorCode.TRAINING_HALF_DAY_HAS_ATTENDANCE, date=f"{format_day(half.day)} ({half.get_part_display()})"
            )
    HalfDay.objects.filter(pk__in=[half.pk for half in gone]).delete()
    added = sorted(wanted - set(existing))
    HalfDay.objects.bulk_create([HalfDay(session=session, day=day, part=part) for day, part in added])
    return [f"{day.isoformat()}:{part}" for day, part in added], [f"{h.day.isoformat()}:{h.part}" for h in gone]


def _funders_sync(session: Session, shares: Sequence[FunderShare]) -> bool:
    """Make the session's funders exactly ``shares`` (one row per funder); True when anything changed."""
    seen: set[int] = set()
    for share in shares:
        if share.funder.pk in seen:
            raise DomainError(ErrorCode.TRAINING_FUNDER_TWICE, name=str(share.funder))
        seen.add(share.funder.pk)
        if share.grant is not None and share.grant.funder_id != share.funder.pk:
            raise DomainError(
                ErrorCode.TRAINING_GRANT_OTHER_FUNDER, grant=share.grant.reference, funder=str(share.funder)
            )
        percent = share.kind == SessionFunder.Kind.PERCENT
        value = share.rate if percent else share.amount
        if value is None or value < 0 or (percent and value > 1):
            raise DomainError(ErrorCode.TRAINING_BAD_CHOICE, value=str(value))
    current = {row.funder_id: row for row in SessionFunder.objects.filter(session=session)}
    changed = False
    for share in shares:
        percent = share.kind == SessionFunder.Kind.PERCENT
        values = {
            "kind": share.kind,
            "rate": share.rate if percent else None,
            "amount": None if percent else share.amount,
            "basis": share.basis,
            "grant_id": share.grant.pk if share.grant is not None else None,
        }
        row = current.get(share.funder.pk)
        if row is None:
            SessionFunder.objects.create(session=session, funder=share.funder, **values)
            changed = True
        elif any(getattr(row, name) != new for name, new in values.items()):
            for name, new in values.items():
                setattr(row, name, new)
            row.save()
            changed = True
    dropped = SessionFunder.objects.filter(session=session).exclude(funder_id__in=seen)
    return bool(dropped.delete()[0]) or changed


@transaction.atomic
def session_save(
    *,
    session: Session | None,
    data: dict[str, Any],
    half_days: Sequence[tuple[date, str]],
    funders: Sequence[FunderShare],
    acting_user: Any,
) -> Session:
    """Create a session (planned) or change one that is neither billed nor cancelled, with exactly these half-days
    and funders. Its slug is set once; the capacity never drops below the seats taken, and seats it adds go to the
    waitlist at once."""
    _check_manager(acting_user)
    created = session is None
    if session is None:
        session = Session(state=Session.State.PLANNED)
    else:
        session = session_lock(session)
        check_editable(session)
    fields = SESSION_FIELDS if created else tuple(name for name in SESSION_FIELDS if name != "slug")
    changed = _apply(session, data, fields)
    _check_slug_free(Session, session.slug, session)
    if session.slug in RESERVED_SESSION_SLUGS:
        raise DomainError(ErrorCode.TRAINING_SLUG_TAKEN, slug=session.slug)
    _check_dates(session)
    if not created:
        seated = Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).count()
        if session.capacity < seated:
            raise DomainError(ErrorCode.TRAINING_CAPACITY_BELOW_SEATED, seated=seated, capacity=session.capacity)
    if created or changed:
        session.save()
    added, removed = _half_days_sync(session, set(half_days))
    funders_changed = _funders_sync(session, funders)
    if funders_changed:
        changed.append("funders")
    if created or changed or added or removed:
        audit_record(
            actor=_actor(acting_user),
            event="training.session_created" if created else "training.session_changed",
            target=session,
            data={"changed": sorted(changed), "half_days_added": added, "half_days_removed": removed},
        )
    if not created and "capacity" in changed:
        seats_fill(session, acting_user=acting_user)
    return session


@transaction.atomic
def session_open(*, session: Session, acting_user: Any) -> Session:
    """Planned → open: enrolments are taken from now on. Opening an open session is a no-op."""
    _check_manager(acting_user)
    session = session_lock(session)
    check_not_billed(session)
    if session.state == Session.State.OPEN:
        return session
    if session.state != Session.State.PLANNED:
        raise DomainError(ErrorCode.TRAINING_SESSION_STATE, state=session.get_state_display())
    if not HalfDay.objects.filter(session=session).exists():
        raise DomainError(ErrorCode.TRAINING_NO_HALF_DAYS)
    session.state = Session.State.OPEN
    session.save(update_fields=["state"])
    audit_record(actor=_actor(acting_user), event="training.session_opened", target=session)
    return session


@transaction.atomic
def session_cancel(*, session: Session, acting_user: Any) -> Session:
    """Cancel a session that is not billed: nothing of it is billed, its enrolments stay as they are (the page
    shows them under a cancelled session). Cancelling twice is a no-op."""
    _check_manager(acting_user)
    session = session_lock(session)
    check_not_billed(session)
    if session.state == Session.State.CANCELLED:
        return session
    session.state = Session.State.CANCELLED
    session.save(update_fields=["state"])
    audit_record(actor=_actor(acting_user), event="training.session_cancelled", target=session)
    return session
