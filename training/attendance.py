"""Attendance per half-day and certificates (issue 13, points 4 and 5).

Attendance is recorded for a whole half-day at once: every seated trainee is present if listed, absent if not.
Recording the same list again changes nothing; a new list replaces the old marks. A certificate goes to each seated
trainee present at ``Session.completion_rate`` of the half-days at least (80 % by default, compared exactly:
``training.maths.is_complete``); issuing again issues only what is new. Its token is the public verification code.
"""

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode
from training.enrolment import check_not_billed, session_lock
from training.maths import is_complete
from training.models import Attendance, Certificate, Enrolment, HalfDay, Session
from training.selectors import may_run

TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters


def _actor(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "pk", None) else None


@transaction.atomic
def attendance_record(
    *, session: Session, half_day: HalfDay, present_ids: Iterable[int], acting_user: Any = None
) -> list[Attendance]:
    """Mark one half-day for every seated trainee: present if its enrolment id is listed, else absent. Idempotent:
    the same list again writes nothing."""
    session = session_lock(session)
    if half_day.session_id != session.pk:
        raise DomainError(ErrorCode.TRAINING_HALF_DAY_ELSEWHERE)
    if not may_run(acting_user, session):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    check_not_billed(session)
    seated = {e.pk: e for e in Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED)}
    present = set(present_ids)
    unknown = present - set(seated)
    if unknown:
        names = {e.pk: str(e.cooperator) for e in Enrolment.objects.filter(pk__in=unknown).select_related("cooperator")}
        raise DomainError(
            ErrorCode.TRAINING_NOT_ENROLLED, names=", ".join(names.get(pk, f"#{pk}") for pk in sorted(unknown))
        )
    existing = {a.enrolment_id: a for a in Attendance.objects.select_for_update().filter(half_day=half_day)}
    now, actor = timezone.now(), _actor(acting_user)
    created, changed = [], []
    for enrolment_id in sorted(seated):
        mark = enrolment_id in present
        row = existing.get(enrolment_id)
        if row is None:
            created.append(
                Attendance(
                    enrolment_id=enrolment_id, half_day=half_day, present=mark, recorded_by=actor, recorded_at=now
                )
            )
        elif row.present != mark:
            row.present, row.recorded_by, row.recorded_at = mark, actor, now
            changed.append(row)
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["present", "recorded_by", "recorded_at"])
    if created or changed:
        audit_record(
            actor=acting_user,
            event="training.attendance",
            target=half_day,
            data={"session": session.slug, "present": len(present), "seated": len(seated), "changed": len(changed)},
        )
    return list(Attendance.objects.filter(half_day=half_day, enrolment_id__in=seated).order_by("enrolment_id"))


@transaction.atomic
def certificates_issue(*, session: Session, on: date, acting_user: Any = None) -> list[Certificate]:
    """A certificate for every seated trainee who meets the completion rule, once each; returns the session's
    certificates of those trainees, the earlier ones included."""
    session = session_lock(session)
    if not may_run(acting_user, session):
        raise DomainError(ErrorCode.PERMISSION_DENIED)
    half_days = HalfDay.objects.filter(session=session).count()
    if not half_days:
        raise DomainError(ErrorCode.TRAINING_NO_HALF_DAYS)
    seated = Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED).annotate(
        present=Count("attendances", filter=Q(attendances__present=True, attendances__half_day__session=session))
    )
    complete = [e.pk for e in seated if is_complete(e.present, half_days, session.completion_rate)]
    held = set(Certificate.objects.filter(enrolment_id__in=complete).values_list("enrolment_id", flat=True))
    new = [
        Certificate(enrolment_id=pk, token=secrets.token_urlsafe(TOKEN_BYTES), issued_on=on)
        for pk in complete
        if pk not in held
    ]
    Certificate.objects.bulk_create(new)
    if new:
        audit_record(
            actor=acting_user,
            event="training.certificates_issued",
            target=session,
            data={"count": len(new), "on": on.isoformat()},
        )
    return list(Certificate.objects.filter(enrolment_id__in=complete).select_related("enrolment").order_by("pk"))
