"""Session pages: the list (filters, search, exports), creating and editing a session with its half-days and
funders, opening enrolments and cancelling. GIE staff and the auditor read every session, a trainer its own (on a
phone, with a link to its attendance page); the administrator and the accountant write, through
``training/catalogue.py``. A billed or cancelled session shows read-only."""

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role
from members.models import Commune
from training import catalogue as services
from training.forms import (
    BaseFunderShareFormSet,
    FunderShareFormSet,
    SessionForm,
    every_half_day,
    funder_initial,
    half_day_grid,
    parse_half_days,
)
from training.models import Attendance, Enrolment, Funder, Grant, HalfDay, Session, Theme, Trainer
from training.selectors import is_manager, session_for, sessions_for

PAGE_SIZE = 50
EXPORTS = frozenset({"csv", "xlsx"})
READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
LIST_READ = (*READ, Role.TRAINER)


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without these parameters (``page``, ``export``): what pager links extend."""
    query = request.GET.copy()
    for name in ("page", "export", *names):
        query.pop(name, None)
    return query.urlencode()


def export_format(request: HttpRequest) -> str:
    """``csv`` or ``xlsx`` when the list is asked as a file, else an empty string (an odd value shows the page)."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORTS else ""


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- the list -----------------------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    return {
        "q": get.get("q", "").strip()[:100],
        "from": _day(get.get("from", "")),
        "to": _day(get.get("to", "")),
        "theme": get.get("theme", ""),
        "commune": get.get("commune", ""),
        "state": get.get("state", ""),
        "trainer": get.get("trainer", ""),
    }


def _sessions(request: HttpRequest, filters: dict[str, Any]) -> QuerySet[Session]:
    sessions = sessions_for(request.user).select_related("course__theme", "trainer__user")
    if filters["q"]:
        query = filters["q"]
        sessions = sessions.filter(
            Q(course__title_fr__icontains=query)
            | Q(course__title_ar__icontains=query)
            | Q(slug__icontains=query)
            | Q(place__icontains=query)
        )
    if filters["from"]:
        sessions = sessions.filter(ends_on__gte=filters["from"])
    if filters["to"]:
        sessions = sessions.filter(starts_on__lte=filters["to"])
    if filters["theme"]:
        sessions = sessions.filter(course__theme__slug=filters["theme"])
    if filters["commune"]:
        sessions = (
            sessions.filter(commune_id=int(filters["commune"])) if filters["commune"].isdigit() else sessions.none()
        )
    if filters["state"] in Session.State.values:
        sessions = sessions.filter(state=filters["state"])
    if filters["trainer"]:
        sessions = (
            sessions.filter(trainer_id=int(filters["trainer"])) if filters["trainer"].isdigit() else sessions.none()
        )
    return sessions.annotate(
        seated=Count("enrolments", filter=Q(enrolments__state=Enrolment.State.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__state=Enrolment.State.WAITLISTED)),
    ).order_by("-starts_on", "slug")


def _rows(sessions: QuerySet[Session]) -> Iterator[Sequence[Any]]:
    for session in sessions:
        yield (
            session.slug,
            session.course.title_fr,
            session.course.theme.name_fr,
            session.starts_on,
            session.ends_on,
            session.commune.name_fr if session.commune else "",
            session.place,
            str(session.trainer) if session.trainer else "",
            session.seated,  # type: ignore[attr-defined]
            session.capacity,
            session.waiting,  # type: ignore[attr-defined]
            session.get_state_display(),
            session.fee_per_trainee,
        )


@role_required(*LIST_READ)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """Every session for the staff, a trainer's own for a trainer; filters, search, pager, CSV/XLSX."""
    filters = _filters(request)
    sessions = _sessions(request, filters)
    fmt = export_format(request)
    if fmt:
        headers = [_("Nom court"), _("Formation"), _("Thème"), _("Du"), _("Au"), _("Commune"), _("Lieu"),
                   _("Formateur"), _("Places prises"), _("Places"), _("En attente"), _("État"),
                   _("Frais par stagiaire (HT)")]  # fmt: skip
        return table_response(
            filename="sessions-formation", fmt=fmt, headers=headers, rows=_rows(sessions), sheet_name=_("Sessions")
        )
    is_trainer = getattr(request.user, "role", "") == Role.TRAINER and not request.user.is_superuser
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/sessions/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query_without(request),
            "is_trainer": is_trainer,
            "can_write": is_manager(request.user),
            "themes": Theme.objects.order_by("name_fr"),
            "communes": Commune.objects.filter(pk__in=sessions_for(request.user).values("commune_id")),
            "trainers": Trainer.objects.filter(sessions__isnull=False).distinct().select_related("user"),
            "states": Session.State.choices,
        },
    )


# --- create and edit ----------------------------------------------------------------------------------------------


def _recorded(session: Session | None) -> set[tuple[date, str]]:
    if session is None:
        return set()
    return set(
        Attendance.objects.filter(half_day__session=session).values_list("half_day__day", "half_day__part").distinct()
    )


def _read_only(session: Session | None) -> bool:
    return session is not None and (session.billed_on is not None or session.state == Session.State.CANCELLED)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, session_slug: str | None = None) -> HttpResponse:
    """Create a session, or change one with its half-days (ticked per day, generated from the dates) and its
    funders. When the dates change without the page's script, the grid is rebuilt from the new dates and shown
    again to check before anything is saved."""
    session = session_for(request.user, session_slug) if session_slug is not None else None
    read_only = _read_only(session)
    posted = request.method == "POST" and not read_only
    initial = {"course": request.GET.get("course")} if session is None else None
    form = SessionForm(request.POST if posted else None, instance=session, initial=initial)
    funders = cast(
        "BaseFunderShareFormSet",
        FunderShareFormSet(request.POST if posted else None, initial=funder_initial(session), prefix="funders"),
    )
    recorded = _recorded(session)
    existing = set(HalfDay.objects.filter(session=session).values_list("day", "part")) if session is not None else set()
    chosen, grid_note = existing, ""
    if posted:
        chosen = parse_half_days(request.POST.getlist("half_day"))
        form_ok, funders_ok = form.is_valid(), funders.is_valid()
        starts_on, ends_on = form.cleaned_data.get("starts_on"), form.cleaned_data.get("ends_on")
        grid_for = f"{starts_on}|{ends_on}" if starts_on and ends_on else ""
        if form_ok and request.POST.get("half_days_for", "") != grid_for:
            # the dates changed since the grid was drawn: keep what was ticked inside them, tick every new day
            assert starts_on is not None
            assert ends_on is not None
            drawn = request.POST.get("half_days_for", "").split("|")
            old_days = {_day(text) for text in drawn}
            fresh = {(day, part) for day, part in every_half_day(starts_on, ends_on) if day not in old_days}
            chosen = {(day, part) for day, part in chosen if starts_on <= day <= ends_on} | fresh
            grid_note = _(
                "Les demi-journées ont été recalculées d'après les nouvelles dates : vérifiez-les, puis enregistrez."
            )
        elif form_ok and funders_ok and not chosen:
            grid_note = _("Cochez au moins une demi-journée.")
        elif form_ok and funders_ok:
            try:
                saved = services.session_save(
                    session=session,
                    data=form.data_for_service(),
                    half_days=sorted(chosen),
                    funders=funders.shares(),
                    acting_user=request.user,
                )
            except DomainError as error:
                form.add_error(None, error.message())
            else:
                messages.success(request, _("Session %(slug)s enregistrée.") % {"slug": saved.slug})
                return redirect("training:session_edit", session_slug=saved.slug)
    elif session is None:
        chosen = set()
    values = form.cleaned_data if posted and hasattr(form, "cleaned_data") else {}
    starts_on = values.get("starts_on") or (session.starts_on if session else None)
    ends_on = values.get("ends_on") or (session.ends_on if session else None)
    grid = half_day_grid(starts_on, ends_on, chosen, recorded)
    if read_only:
        for field in form.fields.values():
            field.disabled = True
        for subform in funders.forms:
            for field in subform.fields.values():
                field.disabled = True
    grants = Grant.objects.select_related("funder").order_by("funder__name_fr", "reference")
    return render(
        request,
        "training/sessions/form.html",
        {
            "form": form,
            "funders": funders,
            "session": session,
            "grid": grid,
            "grid_for": f"{starts_on}|{ends_on}" if starts_on and ends_on else "",
            "grid_note": grid_note,
            "read_only": read_only,
            "grant_funders": {grant.pk: grant.funder_id for grant in grants},
            "has_funders": Funder.objects.exists(),
        },
    )


def _state_action(request: HttpRequest, session_slug: str, action: Any, done: str) -> HttpResponse:
    session = session_for(request.user, session_slug)
    try:
        action(session=session, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, done)
    return redirect("training:session_edit", session_slug=session.slug)


@role_required(*WRITE)
@require_POST
def session_open(request: HttpRequest, session_slug: str) -> HttpResponse:
    return _state_action(request, session_slug, services.session_open, _("Les inscriptions sont ouvertes."))


@role_required(*WRITE)
@require_POST
def session_cancel(request: HttpRequest, session_slug: str) -> HttpResponse:
    return _state_action(request, session_slug, services.session_cancel, _("La session est annulée."))


urlpatterns: list[URLPattern] = [
    path("", session_list, name="session_list"),
    path("sessions/new/", session_edit, name="session_new"),
    path("sessions/<slug:session_slug>/edit/", session_edit, name="session_edit"),
    path("sessions/<slug:session_slug>/open/", session_open, name="session_open"),
    path("sessions/<slug:session_slug>/cancel/", session_cancel, name="session_cancel"),
]
