"""Attendance pages (issue 13, point 4): the grid of a session (trainees × half-days) where the paper sign-in sheet
is entered afterwards, the trainer's phone page for one half-day, and the printable sign-in sheet.

The GIE's staff and auditor read every session, a trainer the sessions it teaches (another one is a 404, like a
missing one); a cooperative's representative and a fair seller get 403 (the whole page is closed to them). Marks are
written by ``training.services.attendance_record`` only, for the session's trainer or the GIE's staff who write, and
never once the session is billed: the pages then read only.

The phone page keeps the marks in ``localStorage`` as they are tapped (``static/training/attendance.js``) and posts
the whole list: recording the same list again writes nothing, so a retry after a lost answer is harmless. Without
JavaScript it is a plain form of checkboxes.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.i18n import format_day
from gie_erp.core.roles import ALL_BOOKS_ROLES, Role
from training import services
from training.maths import is_complete
from training.models import Attendance, Enrolment, HalfDay, Session
from training.pdf_signin import signin_file_name, signin_sheet_pdf
from training.selectors import may_run, session_enrolments, session_for

#: who opens the attendance pages at all (the selectors then narrow a trainer to its own sessions)
READ = (*ALL_BOOKS_ROLES, Role.TRAINER)
EXPORTS = frozenset({"csv", "xlsx"})
#: a half-day's afternoon starts at this local hour: before it, today's default half-day is the morning
AFTERNOON_HOUR = 13


# What the pages share ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trainee:
    """A seated trainee as the pages print it: the name in the page's language first, the other one below."""

    enrolment_id: int
    first: str
    second: str
    name_fr: str
    name_ar: str
    organization: str


def _arabic() -> bool:
    return (translation.get_language() or "fr").startswith("ar")


def trainees(user: Any, session: Session) -> list[Trainee]:
    """The seated trainees of the session, in the order of the sign-in sheet (name, then enrolment)."""
    enrolments = (
        session_enrolments(user, session)
        .filter(state=Enrolment.State.ENROLLED)
        .order_by("cooperator__last_name_fr", "cooperator__first_name_fr", "pk")
    )
    arabic, rows = _arabic(), []
    for e in enrolments:
        name_fr, name_ar = str(e.cooperator).strip(), e.cooperator.full_name_ar.strip()
        first, second = (name_ar or name_fr, name_fr if name_ar else "") if arabic else (name_fr, name_ar)
        org = e.organization
        organization = (org.legal_name_ar or org.legal_name_fr) if arabic else org.legal_name_fr
        rows.append(Trainee(e.pk, first, second, name_fr, name_ar, organization))
    return rows


def marks_of(half_days: Sequence[HalfDay], enrolment_ids: Sequence[int]) -> dict[tuple[int, int], bool]:
    """The recorded marks: (half-day id, enrolment id) → present. A cell not in it has not been taken."""
    rows = Attendance.objects.filter(half_day__in=half_days, enrolment_id__in=enrolment_ids).values_list(
        "half_day_id", "enrolment_id", "present"
    )
    return {(half_day_id, enrolment_id): present for half_day_id, enrolment_id, present in rows}


def default_half_day(half_days: Sequence[HalfDay], now: datetime) -> HalfDay | None:
    """The half-day a trainer most likely takes now: today's (the morning before 13:00, else the afternoon, else
    whichever today has), else the next one to come, else the last one. Pure: ``now`` is local time."""
    if not half_days:
        return None
    today = [h for h in half_days if h.day == now.date()]
    if today:
        wanted = HalfDay.Part.MORNING if now.hour < AFTERNOON_HOUR else HalfDay.Part.AFTERNOON
        return next((h for h in today if h.part == wanted), today[0])
    coming = [h for h in half_days if h.day > now.date()]
    return coming[0] if coming else half_days[-1]


def half_day_label(half_day: HalfDay) -> str:
    return f"{format_day(half_day.day)} · {half_day.get_part_display()}"


def _writable(user: Any, session: Session) -> bool:
    return session.billed_on is None and may_run(user, session)


def _ids(values: Sequence[str]) -> set[int]:
    """Enrolment ids from the form; anything that is not a positive number is dropped (the service then refuses an
    id that is not a seated trainee's)."""
    return {int(v) for v in values if v.strip().isdigit() and int(v) > 0}


def _half_days(session: Session) -> list[HalfDay]:
    """The session's half-days in time order ("am" sorts before "pm")."""
    return list(HalfDay.objects.filter(session=session).order_by("day", "part"))


# The grid ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridRow:
    trainee: Trainee
    cells: list[tuple[HalfDay, bool | None]]  # None: not taken
    present: int
    complete: bool


def grid_rows(
    people: Sequence[Trainee], half_days: Sequence[HalfDay], marks: dict[tuple[int, int], bool], session: Session
) -> list[GridRow]:
    """Each trainee's marks, total of half-days present and whether it reaches the completion rate."""
    rows = []
    for t in people:
        cells = [(h, marks.get((h.pk, t.enrolment_id))) for h in half_days]
        present = sum(1 for _h, mark in cells if mark)
        rows.append(GridRow(t, cells, present, is_complete(present, len(half_days), session.completion_rate)))
    return rows


def _grid_export(session: Session, half_days: Sequence[HalfDay], rows: Sequence[GridRow], fmt: str) -> HttpResponse:
    headers = [
        _("N°"), _("Nom"), _("Nom (arabe)"), _("Coopérative"), *(half_day_label(h) for h in half_days),
        _("Demi-journées présent"), _("Attestation"),
    ]  # fmt: skip

    def lines() -> Iterator[list[Any]]:
        for number, row in enumerate(rows, start=1):
            marks = [{True: _("présent"), False: _("absent"), None: ""}[mark] for _h, mark in row.cells]
            t = row.trainee
            yield [
                number,
                t.name_fr,
                t.name_ar,
                t.organization,
                *marks,
                row.present,
                _("oui") if row.complete else _("non"),
            ]

    return table_response(
        filename=f"presences-{session.slug}", fmt=fmt, headers=headers, rows=lines(), sheet_name=_("Présences")
    )


def _present_set(marks: dict[tuple[int, int], bool], half_day: HalfDay, ids: Sequence[int]) -> set[int]:
    return {e for e in ids if marks.get((half_day.pk, e))}


def _grid_save(request: HttpRequest, session: Session, half_days: list[HalfDay], people: list[Trainee]) -> None:
    """Record every half-day whose ticks differ from what the page showed; a half-day someone else changed since
    the page was shown is left alone and named (saving again from a fresh page settles it)."""
    ids = [t.enrolment_id for t in people]
    marks = marks_of(half_days, ids)
    shown = {int(v) for v in request.POST.getlist("half_day") if v.isdigit()}
    saved, stale, refused = [], [], 0
    for half_day in half_days:
        if half_day.pk not in shown:
            continue
        ticked = _ids(request.POST.getlist(f"p-{half_day.pk}"))
        was = _ids(request.POST.get(f"was-{half_day.pk}", "").split(","))
        if ticked == was:
            continue
        if _present_set(marks, half_day, ids) != was:
            stale.append(half_day_label(half_day))
            continue
        try:
            services.attendance_record(
                session=session, half_day=half_day, present_ids=sorted(ticked), acting_user=request.user
            )
        except DomainError as error:
            messages.error(request, f"{half_day_label(half_day)} : {error.message()}")
            refused += 1
            continue
        saved.append(half_day)
    if stale:
        messages.warning(
            request,
            _("Modifié par quelqu'un d'autre entre-temps, non enregistré : %(half_days)s. Vérifiez et recommencez.")
            % {"half_days": ", ".join(stale)},
        )
    if saved:
        text = ngettext("%(count)d demi-journée enregistrée.", "%(count)d demi-journées enregistrées.", len(saved))
        messages.success(request, text % {"count": len(saved)})
    elif not stale and not refused:
        messages.info(request, _("Rien n'a changé."))


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def attendance_grid(request: HttpRequest, session_slug: str) -> HttpResponse:
    """Trainees × half-days: read for everyone who sees the session, entered by those who run it."""
    session = session_for(request.user, session_slug)
    half_days = _half_days(session)
    people = trainees(request.user, session)
    writable = _writable(request.user, session)
    if request.method == "POST":
        if not may_run(request.user, session):
            raise PermissionDenied  # the auditor reads only
        if writable:
            _grid_save(request, session, half_days, people)
        else:
            messages.error(request, _("Cette session est facturée : les présences ne se modifient plus."))
        return redirect("training:attendance_grid", session_slug=session.slug)
    marks = marks_of(half_days, [t.enrolment_id for t in people])
    rows = grid_rows(people, half_days, marks, session)
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        return _grid_export(session, half_days, rows, fmt)
    columns = [
        {
            "half_day": h,
            "label": half_day_label(h),
            "taken": any((h.pk, t.enrolment_id) in marks for t in people),
            "present": sum(1 for t in people if marks.get((h.pk, t.enrolment_id))),
            "was": ",".join(str(e) for e in sorted(_present_set(marks, h, [t.enrolment_id for t in people]))),
        }
        for h in half_days
    ]
    return render(
        request,
        "training/attendance/grid.html",
        {
            "session": session,
            "columns": columns,
            "rows": rows,
            "writable": writable,
            "runs": may_run(request.user, session),
            "today": default_half_day(half_days, timezone.localtime()),
            "rate_percent": _percent(session),
            "complete_count": sum(1 for r in rows if r.complete),
        },
    )


def _percent(session: Session) -> str:
    """``80`` for 0.8000 (the completion rate as people say it)."""
    return f"{(session.completion_rate * 100).normalize():f}".replace(".", ",")


# The trainer's phone page ------------------------------------------------------------------------------------------


def _half_day_of(session: Session, half_day_id: int) -> HalfDay:
    half_day = HalfDay.objects.filter(session=session, pk=half_day_id).first()
    if half_day is None:
        raise Http404
    return half_day


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _take_post(request: HttpRequest, session: Session, half_day: HalfDay, people: list[Trainee]) -> HttpResponse:
    present = _ids(request.POST.getlist("present"))
    error = ""
    if session.billed_on is not None:
        error = _("Cette session est facturée : les présences ne se modifient plus.")
    else:
        try:
            services.attendance_record(
                session=session, half_day=half_day, present_ids=sorted(present), acting_user=request.user
            )
        except DomainError as refused:
            error = refused.message()
    seated = len(people)
    if _wants_json(request):
        if error:
            return JsonResponse({"saved": False, "error": error}, status=409)
        return JsonResponse({"saved": True, "present": len(present), "seated": seated})
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Enregistré. Présents : %(present)d / %(seated)d.") % {"present": len(present), "seated": seated},
        )
    return redirect("training:attendance_take", session_slug=session.slug, half_day_id=half_day.pk)


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def attendance_take(request: HttpRequest, session_slug: str, half_day_id: int) -> HttpResponse:
    """One half-day on the trainer's phone: one tap per person, one Save that sends the whole list."""
    session = session_for(request.user, session_slug)
    half_day = _half_day_of(session, half_day_id)
    people = trainees(request.user, session)
    if request.method == "POST":
        if not may_run(request.user, session):
            raise PermissionDenied  # the auditor reads only
        return _take_post(request, session, half_day, people)
    half_days = _half_days(session)
    marks = marks_of([half_day], [t.enrolment_id for t in people])
    index = next(i for i, h in enumerate(half_days) if h.pk == half_day.pk)
    return render(
        request,
        "training/attendance/take.html",
        {
            "session": session,
            "half_day": half_day,
            "label": half_day_label(half_day),
            "people": [(t, bool(marks.get((half_day.pk, t.enrolment_id)))) for t in people],
            "taken": bool(marks),
            "present": sum(1 for mark in marks.values() if mark),
            "seated": len(people),
            "writable": _writable(request.user, session),
            "previous": half_days[index - 1] if index > 0 else None,
            "next": half_days[index + 1] if index + 1 < len(half_days) else None,
            "storage_key": f"training.attendance.{request.user.pk}.{half_day.pk}",
        },
    )


# The sign-in sheet -------------------------------------------------------------------------------------------------


@role_required(*READ)
@require_GET
def signin_sheet(request: HttpRequest, session_slug: str) -> HttpResponse:
    """The printable sign-in sheet (A4 landscape, French and Arabic): a box per trainee and half-day to sign."""
    session = session_for(request.user, session_slug)
    enrolments = session_enrolments(request.user, session).filter(state=Enrolment.State.ENROLLED)
    pdf = signin_sheet_pdf(session, enrolments=enrolments, printed_on=_local_today())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(signin_file_name(session), inline=True)
    return response


def _local_today() -> date:
    return timezone.localdate()


urlpatterns: list[URLPattern] = [
    path("sessions/<slug:session_slug>/attendance/", attendance_grid, name="attendance_grid"),
    path("sessions/<slug:session_slug>/attendance/<int:half_day_id>/", attendance_take, name="attendance_take"),
    path("sessions/<slug:session_slug>/sign-in-sheet/", signin_sheet, name="signin_sheet"),
]
