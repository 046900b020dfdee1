"""A session's page: seats and enrolments by staff, cancellation, the waitlist and its printable list and the
session's result (its billing and costs are in ``training.views.session_money``).

The GIE's staff and auditor read every session, the session's trainer reads its own (without the money); the GIE's
administrator and accountant enrol, cancel, bill and record costs. A cooperative's representative enrols through the
portal and gets 403 here. Views parse, call one service of ``training.services`` and render; a refusal is shown as
the service's message and changes nothing."""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.i18n import format_amount, format_day
from gie_erp.core.money import ZERO
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role
from ledger.analytic import TagReport
from ledger.models import Book
from members.models import Organization
from training import selectors
from training.forms_desk import CostForm, EnrolForm, member_cooperatives, one_time_key
from training.funding import session_result
from training.models import Enrolment, Session, SessionFunder, Subsidy, TrainingInvoice
from training.pdf_waitlist import waitlist_file_name, waitlist_pdf
from training.services import cancel, enrol

EXPORTS = frozenset({"csv", "xlsx"})
READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
SESSION_READ = (*READ, Role.TRAINER)
#: the accounts of a session's revenue, by what they are (the rest of class 7 counts as revenue too)
FEES_PREFIX = "7124"
SUBSIDIES_PREFIX = "7161"


def local_today() -> date:
    """Today where the GIE is (tests replace it to stand on a given day)."""
    return timezone.localdate()


def export_format(request: HttpRequest) -> str:
    """``csv`` or ``xlsx`` when a table is asked as a file, else an empty string (an odd value shows the page)."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORTS else ""


def optional_template(name: str) -> str:
    """A partial another part of the app provides (the training menu), or an empty name while it is not there."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


def optional_static(name: str) -> str:
    """A stylesheet another part of the app provides, or an empty name while it is not there."""
    return name if finders.find(name) else ""


def percent_text(rate: Decimal) -> str:
    """0.4000 → ``40 %``, 0.0750 → ``7,5 %``."""
    return f"{(rate * 100).normalize():f}".replace(".", ",") + "\u00a0%"


def funder_rows(session: Session) -> list[dict[str, str]]:
    """Each funder of the session with its share as people read it (a rate, or an amount per trainee)."""
    arabic = (get_language() or "")[:2] == "ar"
    rows = []
    for row in SessionFunder.objects.filter(session=session).select_related("funder", "grant").order_by("pk"):
        funder = row.funder
        if row.kind == SessionFunder.Kind.PERCENT and row.rate is not None:
            share = percent_text(row.rate)
        else:
            share = _("%(amount)s DH par stagiaire") % {"amount": format_amount(row.amount or ZERO)}
        rows.append(
            {
                "name": funder.name_ar if arabic and funder.name_ar else funder.name_fr,
                "share": share,
                "basis": str(row.get_basis_display()),
                "grant": row.grant.reference if row.grant else "",
            }
        )
    return rows


def person_name(cooperator: Any) -> str:
    """A cooperator's name in the page's language: the Arabic one where we have it."""
    arabic = getattr(cooperator, "full_name_ar", "")
    return str(arabic) if arabic and (get_language() or "")[:2] == "ar" else str(cooperator)


def writes(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and selectors.is_manager(user)


# The session's page ------------------------------------------------------------------------------------------------


def _enrolments(user: Any, session: Session) -> list[Enrolment]:
    """Seated first, then the waitlist in order, then cancellations; each with its present half-days."""
    rows: list[Enrolment] = list(
        selectors.session_enrolments(user, session)
        .select_related("organization", "cooperator")
        .annotate(present=Count("attendances", filter=Q(attendances__present=True)))
    )
    rank: dict[str, int] = {Enrolment.State.ENROLLED: 0, Enrolment.State.WAITLISTED: 1, Enrolment.State.CANCELLED: 2}
    rows.sort(key=lambda e: (rank.get(e.state, 3), e.waitlist_position or 0, e.cooperator.last_name_fr.lower(), e.pk))
    return rows


def enrolment_headers() -> list[str]:
    return [
        _("Nom"), _("Nom en arabe"), _("Coopérative"), _("État"), _("Rang en liste d'attente"),
        _("Passé de la liste d'attente"), _("Annulé après la date limite"), _("Demi-journées présent"),
        _("Demi-journées"), _("Téléphone"),
    ]  # fmt: skip


def _enrolment_rows(rows: Sequence[Enrolment], half_days: int) -> Iterator[Sequence[Any]]:
    for e in rows:
        yield (
            str(e.cooperator), e.cooperator.full_name_ar, e.organization.legal_name_fr, e.get_state_display(),
            e.waitlist_position or "", bool(e.promoted_at), e.cancelled_late, e.present,  # type: ignore[attr-defined]
            half_days, e.cooperator.phone,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Result:
    """A session's result as the page prints it: per account, then costs, fees, subsidies and the result."""

    report: TagReport
    fees: Decimal
    subsidies: Decimal
    other_revenue: Decimal

    @property
    def costs(self) -> Decimal:
        return self.report.costs

    @property
    def result(self) -> Decimal:
        return self.report.result

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Per account, the amount as read: a cost's debit, a revenue's credit (net of reversals)."""
        return [
            {
                "account_code": a.account_code,
                "account_name": a.account_name,
                "amount": -a.net if a.account_code.startswith("7") else a.net,
            }
            for a in self.report.accounts
        ]


def result_of(session: Session) -> Result | None:
    """The session's result in the GIE's book, or None while the GIE has no book."""
    try:
        report = session_result(session)
    except Book.DoesNotExist:
        return None
    fees = sum((-a.net for a in report.accounts if a.account_code.startswith(FEES_PREFIX)), ZERO)
    subsidies = sum((-a.net for a in report.accounts if a.account_code.startswith(SUBSIDIES_PREFIX)), ZERO)
    return Result(report=report, fees=fees, subsidies=subsidies, other_revenue=report.revenue - fees - subsidies)


def _cooperatives_choice(request: HttpRequest) -> Organization | None:
    slug = request.GET.get("org", "")
    return member_cooperatives().filter(slug=slug).first() if slug else None


def page_response(
    request: HttpRequest,
    session: Session,
    *,
    enrol_form: EnrolForm | None = None,
    cost_form: CostForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The session's page (or its enrolments as a file); a refused enrolment or cost shows it again with its form."""
    user: Any = request.user
    staff, can_write = selectors.is_staff(user), writes(user)
    rows = _enrolments(user, session)
    half_days = list(session.half_days.order_by("day", "part"))
    fmt = export_format(request)
    if fmt:
        return table_response(
            filename=f"inscriptions-{session.slug}", fmt=fmt, headers=enrolment_headers(),
            rows=_enrolment_rows(rows, len(half_days)), sheet_name=_("Inscriptions"),
        )  # fmt: skip
    counts = Counter(e.state for e in rows)
    context: dict[str, Any] = {
        "session": session,
        "course": session.course,
        "half_days": half_days,
        "enrolments": rows,
        "seated": counts[Enrolment.State.ENROLLED],
        "waiting": counts[Enrolment.State.WAITLISTED],
        "staff": staff,
        "can_write": can_write,
        "today": local_today(),
        "free_seats": max(session.capacity - counts[Enrolment.State.ENROLLED], 0),
        "funder_rows": funder_rows(session),
        "nav_template": optional_template("training/_nav.html"),
        "pages_css": optional_static("training/pages.css"),
    }
    if staff:
        context["result"] = result_of(session)
        context["invoices"] = TrainingInvoice.objects.filter(session=session).select_related("document", "organization")
        context["subsidies"] = Subsidy.objects.filter(session=session).select_related("funder")
    if can_write:
        chosen = _cooperatives_choice(request)
        if enrol_form is None:
            enrol_form = EnrolForm(organization=chosen)
        organization = chosen or member_cooperatives().filter(slug=enrol_form["organization"].value() or "").first()
        live = {e.cooperator_id for e in rows if e.state != Enrolment.State.CANCELLED}
        context["enrol_form"] = enrol_form
        context["enrol_organization"] = organization
        context["enrol_choices"] = [
            (c, c.pk in live)
            for c in enrol_form.fields["cooperators"].queryset  # type: ignore[attr-defined]
        ]
        context["cooperatives"] = member_cooperatives()
        context["cost_form"] = cost_form or CostForm(initial={"spent_on": local_today(), "key": one_time_key()})
    return render(request, "training/session/detail.html", context, status=status)


@role_required(*SESSION_READ)
@require_GET
def session_page(request: HttpRequest, session_slug: str) -> HttpResponse:
    session = selectors.session_for(request.user, session_slug)
    return page_response(request, session)


# Enrolment and cancellation ----------------------------------------------------------------------------------------


@role_required(*WRITE)
@require_POST
def session_enrol(request: HttpRequest, session_slug: str) -> HttpResponse:
    """Enrol each chosen cooperator, one service call each: seated, waitlisted (with its position) or refused."""
    session = selectors.session_for(request.user, session_slug)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        return page_response(request, session, enrol_form=form, status=400)
    on = local_today()
    for cooperator in form.cleaned_data["cooperators"]:
        values = {"name": person_name(cooperator)}
        try:
            enrolment = enrol(session=session, cooperator=cooperator, on=on, acting_user=request.user)
        except DomainError as error:
            messages.error(request, error.message())
            continue
        if enrolment.state == Enrolment.State.WAITLISTED:
            values["position"] = str(enrolment.waitlist_position)
            messages.warning(
                request, _("%(name)s : session complète, en liste d'attente (rang %(position)s).") % values
            )
        else:
            messages.success(request, _("%(name)s : inscrit(e), une place est réservée.") % values)
    organization = form.cleaned_data["organization"]
    return redirect(f"{reverse('training:session', args=[session.slug])}?org={organization.slug}#enrol")


def _enrolment_for(user: Any, enrolment_id: int) -> Enrolment:
    """An enrolment of a session the user sees, that the user sees there; else 404 like a missing one."""
    enrolment = (
        Enrolment.objects.select_related("session", "cooperator", "organization").filter(pk=enrolment_id).first()
    )
    if enrolment is None or not selectors.sessions_for(user).filter(pk=enrolment.session_id).exists():
        raise Http404
    if not selectors.session_enrolments(user, enrolment.session).filter(pk=enrolment.pk).exists():
        raise Http404
    return enrolment


def cancellation_is_late(enrolment: Enrolment, on: date) -> bool:
    """What ``cancel`` will decide (the service decides again under its lock): a seat given up after the deadline
    of a session that still runs is billed."""
    session = enrolment.session
    return (
        enrolment.state == Enrolment.State.ENROLLED
        and on > session.enrolment_deadline
        and session.state != Session.State.CANCELLED
    )


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def enrolment_cancel(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """GET: the confirmation (it says when the cancellation comes after the deadline and is billed); POST: cancel,
    then name who took the freed seat."""
    enrolment = _enrolment_for(request.user, enrolment_id)
    session, on = enrolment.session, local_today()
    back = reverse("training:session", args=[session.slug])
    if request.method == "POST":
        try:
            done = cancel(enrolment=enrolment, on=on, acting_user=request.user)
        except DomainError as error:
            messages.error(request, error.message())
            return redirect(back)
        values = {"name": person_name(enrolment.cooperator), "deadline": format_day(session.enrolment_deadline)}
        if done.enrolment.cancelled_late:
            messages.warning(
                request,
                _("%(name)s : inscription annulée après la date limite (%(deadline)s), elle sera facturée.") % values,
            )
        else:
            messages.success(request, _("%(name)s : inscription annulée sans frais.") % values)
        for promoted in done.promoted:
            messages.info(
                request,
                _("%(name)s passe de la liste d'attente à une place réservée.")
                % {"name": person_name(promoted.cooperator)},
            )
        return redirect(back)
    return render(
        request,
        "training/session/cancel.html",
        {
            "enrolment": enrolment,
            "session": session,
            "late": cancellation_is_late(enrolment, on),
            "today": on,
            "next_in_line": selectors.waitlist(session).first()
            if enrolment.state == Enrolment.State.ENROLLED
            else None,
            "nav_template": optional_template("training/_nav.html"),
        },
    )


# The waitlist on paper ---------------------------------------------------------------------------------------------


@role_required(*SESSION_READ)
@require_GET
def session_waitlist(request: HttpRequest, session_slug: str) -> HttpResponse:
    """The waitlist as a PDF the GIE phones people from (French and Arabic)."""
    session = selectors.session_for(request.user, session_slug)
    pdf = waitlist_pdf(session, printed_on=local_today())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(waitlist_file_name(session), inline=True)
    return response


urlpatterns: list[URLPattern] = [
    path("sessions/<slug:session_slug>/", session_page, name="session"),
    path("sessions/<slug:session_slug>/enrol/", session_enrol, name="session_enrol"),
    path("sessions/<slug:session_slug>/waitlist/", session_waitlist, name="session_waitlist"),
    path("enrolments/<int:enrolment_id>/cancel/", enrolment_cancel, name="enrolment_cancel"),
]
