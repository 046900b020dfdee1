"""The portal's training pages: a cooperative's trainings, enrolment of its cooperators (phone, Arabic), waitlist,
attendance and certificates.

For a cooperative's representative, on a phone, often in Arabic, for people who read little: the course's
pictogram, big buttons, names to tap, few words. It sees the open sessions (seats left, never who took them) and its
own cooperators' enrolments only; another cooperative's session it has no cooperator in is a 404 like a missing one.
Every write is ``training.services`` (``enrol``, ``cancel``) with the representative as the acting user; a refusal
(``DomainError``) is shown in the reader's language and changes nothing. A cooperator id that is not one of its own
active cooperators refuses the whole form."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core import pictograms
from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.roles import Role
from members import selectors as member_selectors
from members.models import Cooperator, Organization
from training import selectors, services
from training.models import Attendance, Certificate, Enrolment, HalfDay, Session

#: the newest enrolments shown on the portal's training page
SHOWN = 100
DEFAULT_PICTOGRAM = "cap"
#: the inline drawings the pages use besides the course's own
PICT = {
    name.replace("-", "_"): mark_safe(pictograms.SOURCES[name])  # noqa: S308 - our own SVG sources, no user input
    for name in ("person", "cap", "coins", "building")
}


def course_pictogram(session: Session) -> SafeString:
    """The course's drawing (a name from ``gie_erp.core.pictograms``), or the mortarboard."""
    name = session.course.pictogram if session.course.pictogram in pictograms.SOURCES else DEFAULT_PICTOGRAM
    return mark_safe(pictograms.SOURCES[name])  # noqa: S308 - our own SVG sources, chosen by name


def _arabic() -> bool:
    return (translation.get_language() or "")[:2] == "ar"


def person_name(cooperator: Cooperator) -> str:
    """The name in the reader's language (Arabic where we have it)."""
    if _arabic() and cooperator.full_name_ar:
        return cooperator.full_name_ar
    return str(cooperator)


def other_name(cooperator: Cooperator) -> str:
    """The name in the other script, shown small under the first (empty when there is only one)."""
    if not cooperator.full_name_ar:
        return ""
    return str(cooperator) if _arabic() else cooperator.full_name_ar


def course_titles(session: Session) -> tuple[str, str]:
    """The course's title in the reader's language, then in the other one (empty when it has only one)."""
    course = session.course
    if not course.title_ar:
        return course.title_fr, ""
    return (course.title_ar, course.title_fr) if _arabic() else (course.title_fr, course.title_ar)


def commune_name(session: Session) -> str:
    commune = session.commune
    if commune is None:
        return ""
    return commune.name_ar if _arabic() and commune.name_ar else commune.name_fr


def _today() -> date:
    return timezone.localdate()


def _organization(request: HttpRequest) -> Organization:
    user: Any = request.user
    if not user.organization_id:
        raise Http404
    return member_selectors.organization_get(user=user, slug=user.organization.slug)


@dataclass(frozen=True, slots=True)
class Trainee:
    """One of the cooperative's enrolments as the portal shows it."""

    enrolment: Enrolment
    name: str
    other_name: str
    present: int
    half_days: int
    certificate_id: int | None
    late: bool  # cancelling now would be billed

    @property
    def state(self) -> str:
        return str(self.enrolment.state)


@dataclass(slots=True)
class SessionCard:
    session: Session
    seats_left: int = 0
    trainees: list[Trainee] = field(default_factory=list)

    @property
    def pictogram(self) -> SafeString:
        return course_pictogram(self.session)

    @property
    def title(self) -> str:
        return course_titles(self.session)[0]

    @property
    def other_title(self) -> str:
        return course_titles(self.session)[1]

    @property
    def commune(self) -> str:
        return commune_name(self.session)


def _trainees(enrolments: list[Enrolment], today: date) -> list[Trainee]:
    ids = [e.pk for e in enrolments]
    present = dict(
        Attendance.objects.filter(enrolment_id__in=ids, present=True)
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment_id", "n")
    )
    half_days = dict(
        HalfDay.objects.filter(session_id__in={e.session_id for e in enrolments})
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    certificates = dict(Certificate.objects.filter(enrolment_id__in=ids).values_list("enrolment_id", "pk"))
    return [
        Trainee(
            enrolment=e,
            name=person_name(e.cooperator),
            other_name=other_name(e.cooperator),
            present=present.get(e.pk, 0),
            half_days=half_days.get(e.session_id, 0),
            certificate_id=certificates.get(e.pk),
            late=is_late(e, today),
        )
        for e in enrolments
    ]


def is_late(enrolment: Enrolment, today: date) -> bool:
    """Cancelling this enrolment today would be billed: a seat, after the deadline, in a session not cancelled."""
    session = enrolment.session
    return (
        enrolment.state == Enrolment.State.ENROLLED
        and today > session.enrolment_deadline
        and session.state != Session.State.CANCELLED
    )


def _seats_left(session: Session) -> int:
    return max(session.capacity - selectors.seated_count(session), 0)


@role_required(Role.COOP_REPRESENTATIVE)
@require_GET
def portal_training(request: HttpRequest) -> HttpResponse:
    """The open sessions the cooperative may enrol in, and its cooperators' trainings (state, waitlist position,
    attendance, certificate)."""
    user: Any = request.user
    org = _organization(request)
    today = _today()
    seated = Count("enrolments", filter=Q(enrolments__state=Enrolment.State.ENROLLED))
    open_sessions = (
        selectors.sessions_for(user)
        .select_related("course")
        .filter(state=Session.State.OPEN, enrolment_deadline__gte=today, billed_on__isnull=True)
        .annotate(seated=seated)
        .order_by("starts_on", "slug")
    )
    offers = [SessionCard(session=s, seats_left=max(s.capacity - s.seated, 0)) for s in open_sessions]
    enrolments = list(selectors.enrolments_of(user, org).select_related("session__commune")[:SHOWN])
    cards: dict[int, SessionCard] = {}
    by_session: dict[int, list[Trainee]] = defaultdict(list)
    for trainee in _trainees(enrolments, today):
        session = trainee.enrolment.session
        by_session[session.pk].append(trainee)
        if session.pk not in cards:
            cards[session.pk] = SessionCard(session=session)
    for pk, card in cards.items():
        card.trainees = by_session[pk]
    return render(
        request,
        "web/portal_training.html",
        {"org": org, "offers": offers, "cards": list(cards.values()), "pict": PICT, "today": today},
    )


def _candidates(user: Any, org: Organization, session: Session) -> list[Cooperator]:
    """The cooperative's active cooperators not already seated or waiting in the session."""
    live = Enrolment.objects.filter(
        session=session, state__in=[Enrolment.State.ENROLLED, Enrolment.State.WAITLISTED]
    ).values("cooperator_id")
    return list(
        member_selectors.cooperator_list(user=user, organization=org)
        .filter(is_active=True)
        .exclude(pk__in=live)
        .order_by("last_name_fr", "first_name_fr", "pk")
    )


def _may_enrol(session: Session, today: date) -> bool:
    return session.state == Session.State.OPEN and session.billed_on is None and today <= session.enrolment_deadline


def _page(
    request: HttpRequest, org: Organization, session: Session, *, error: str = "", status: int = 200
) -> HttpResponse:
    user: Any = request.user
    today = _today()
    own = list(
        selectors.session_enrolments(user, session)
        .filter(organization=org)
        .select_related("session")
        .order_by("state", "waitlist_position", "cooperator__last_name_fr", "pk")
    )
    may_enrol = _may_enrol(session, today)
    candidates = _candidates(user, org, session) if may_enrol else []
    return render(
        request,
        "web/portal_training_session.html",
        {
            "org": org,
            "session": session,
            "card": SessionCard(session=session, seats_left=_seats_left(session)),
            "trainees": _trainees(own, today),
            "candidates": [(c, person_name(c), other_name(c)) for c in candidates],
            "may_enrol": may_enrol,
            "may_cancel": session.billed_on is None and session.state != Session.State.CLOSED,
            "after_deadline": today > session.enrolment_deadline,
            "pict": PICT,
            "error": error,
        },
        status=status,
    )


def _ids(values: list[str]) -> list[int] | None:
    try:
        return sorted({int(value) for value in values})
    except ValueError:
        return None


def _enrol(request: HttpRequest, org: Organization, session: Session) -> HttpResponse:
    user: Any = request.user
    ids = _ids(request.POST.getlist("cooperator"))
    if not ids:
        return _page(request, org, session, error=_("Touchez au moins un nom."), status=400)
    own = {c.pk: c for c in _candidates(user, org, session) if c.pk in ids}
    if len(own) != len(ids):  # another cooperative's, inactive, already enrolled or unknown: nothing is written
        return _page(
            request, org, session, error=_("Inscription refusée : choisissez parmi les noms affichés."), status=400
        )
    today = _today()
    for cooperator_id in ids:
        cooperator = own[cooperator_id]
        try:
            enrolment = services.enrol(session=session, cooperator=cooperator, on=today, acting_user=user)
        except DomainError as error:
            messages.error(request, f"{person_name(cooperator)} : {error.message()}")
            continue
        if enrolment.state == Enrolment.State.WAITLISTED:
            text = _("%(name)s : en liste d'attente, rang %(position)s.") % {
                "name": person_name(cooperator),
                "position": enrolment.waitlist_position,
            }
            messages.warning(request, text)
        else:
            messages.success(request, _("%(name)s : inscrit(e).") % {"name": person_name(cooperator)})
    return HttpResponseRedirect(reverse("web:portal_training_session", args=[session.slug]))


def _cancel(request: HttpRequest, org: Organization, session: Session) -> HttpResponse:
    user: Any = request.user
    ids = _ids([request.POST.get("enrolment", "")])
    enrolment = selectors.session_enrolments(user, session).filter(organization=org, pk=ids[0]).first() if ids else None
    if enrolment is None:
        raise Http404
    name = person_name(enrolment.cooperator)
    today = _today()
    if is_late(enrolment, today) and request.POST.get("understood") != "1":
        return _page(
            request,
            org,
            session,
            error=_("%(name)s : cochez « La place sera facturée » pour annuler après la date limite.") % {"name": name},
            status=400,
        )
    try:
        result = services.cancel(enrolment=enrolment, on=today, acting_user=user)
    except DomainError as error:
        messages.error(request, f"{name} : {error.message()}")
    else:
        if result.enrolment.cancelled_late:
            messages.warning(request, _("%(name)s : annulé(e). La place sera facturée.") % {"name": name})
        else:
            messages.success(request, _("%(name)s : annulé(e), sans frais.") % {"name": name})
    return HttpResponseRedirect(reverse("web:portal_training_session", args=[session.slug]))


@role_required(Role.COOP_REPRESENTATIVE)
@require_http_methods(["GET", "POST"])
def portal_training_session(request: HttpRequest, session_slug: str) -> HttpResponse:
    """One session: its place, dates and seats left; enrol the cooperative's cooperators (tap names), see and cancel
    its own enrolments (the waitlist position shown; a warning when a cancellation would be billed)."""
    org = _organization(request)
    session = selectors.session_for(request.user, session_slug)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enrol":
            return _enrol(request, org, session)
        if action == "cancel":
            return _cancel(request, org, session)
        return HttpResponseRedirect(reverse("web:portal_training_session", args=[session.slug]))
    return _page(request, org, session)


urlpatterns: list[URLPattern] = [
    path("portal/training/", portal_training, name="portal_training"),
    path("portal/training/<slug:session_slug>/", portal_training_session, name="portal_training_session"),
]
