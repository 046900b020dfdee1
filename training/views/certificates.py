"""Certificates: issuing them for a session, one PDF or a batch for a session.

A session's certificates page lists its seated trainees: present half-days out of the session's half-days against
the completion rate, and the certificate each holds; the GIE's staff who write and the session's trainer issue the
certificates of every trainee who completes (``training.services.certificates_issue``: issuing again issues only
what is new). The GIE's staff (the auditor too) and the session's trainer read the page and print the session's
certificates in one PDF; a single certificate's PDF is also open to the representative of the trainee's
cooperative. Anyone else gets what a missing object gets (404 where the role may read the page, 403 where it may
not); a representative reads its trainings in the portal.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role
from training import selectors
from training.maths import is_complete
from training.models import Certificate, Enrolment, HalfDay, Session
from training.pdf_certificate import (
    batch_file_name,
    certificate_pdf,
    certificates_for_print,
    certificates_pdf,
    file_name,
)
from training.services import certificates_issue

READ = (*ALL_BOOKS_ROLES, Role.TRAINER)
RUN = (*WRITE_ROLES, Role.TRAINER)
PDF_READ = (*READ, Role.COOP_REPRESENTATIVE)
EXPORTS = frozenset({"csv", "xlsx"})
NAV_TEMPLATE = "training/_nav.html"


def _nav() -> str:
    """The training sub-navigation, when its template exists (another page group owns it)."""
    try:
        get_template(NAV_TEMPLATE)
    except TemplateDoesNotExist:
        return ""
    return NAV_TEMPLATE


def _export_format(request: HttpRequest) -> str:
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORTS else ""


def _seated(session: Session) -> list[Enrolment]:
    """The seated trainees with their present half-days and their certificate (if any), by name."""
    enrolments = (
        Enrolment.objects.filter(session=session, state=Enrolment.State.ENROLLED)
        .select_related("cooperator", "organization", "certificate")
        .annotate(
            present=Count("attendances", filter=Q(attendances__present=True, attendances__half_day__session=session))
        )
        .order_by("cooperator__last_name_fr", "cooperator__first_name_fr", "pk")
    )
    return list(enrolments)


def _certificate_of(enrolment: Enrolment) -> Certificate | None:
    try:
        return enrolment.certificate
    except Certificate.DoesNotExist:
        return None


def _rows(session: Session) -> tuple[list[dict[str, Any]], int]:
    half_days = HalfDay.objects.filter(session=session).count()
    rows = []
    for enrolment in _seated(session):
        present: int = enrolment.present  # type: ignore[attr-defined]
        rows.append(
            {
                "enrolment": enrolment,
                "cooperator": enrolment.cooperator,
                "organization": enrolment.organization,
                "present": present,
                "complete": is_complete(present, half_days, session.completion_rate),
                "certificate": _certificate_of(enrolment),
            }
        )
    return rows, half_days


def certificate_headers() -> list[str]:
    return [
        _("Nom"), _("Prénom"), _("Nom (arabe)"), _("Coopérative"), _("Demi-journées présentes"), _("Demi-journées"),
        _("Assiduité suffisante"), _("Attestation délivrée le"),
    ]  # fmt: skip


def _export_rows(rows: Sequence[dict[str, Any]], half_days: int) -> Iterator[Sequence[Any]]:
    for row in rows:
        person, certificate = row["cooperator"], row["certificate"]
        yield (
            person.last_name_fr, person.first_name_fr, person.full_name_ar, row["organization"].legal_name_fr,
            row["present"], half_days, _("Oui") if row["complete"] else _("Non"),
            certificate.issued_on if certificate else None,
        )  # fmt: skip


@role_required(*READ)
@require_GET
def certificates(request: HttpRequest, session_slug: str) -> HttpResponse:
    """Who completes the session and who holds a certificate; the button to issue the missing ones."""
    session = selectors.session_for(request.user, session_slug)
    rows, half_days = _rows(session)
    fmt = _export_format(request)
    if fmt:
        return table_response(
            filename=f"attestations-{session.slug}", fmt=fmt, headers=certificate_headers(),
            rows=_export_rows(rows, half_days), sheet_name=_("Attestations"),
        )  # fmt: skip
    complete = sum(1 for row in rows if row["complete"])
    held = sum(1 for row in rows if row["certificate"] is not None)
    to_issue = sum(1 for row in rows if row["complete"] and row["certificate"] is None)
    return render(
        request,
        "training/certificates/session.html",
        {
            "nav": _nav(),
            "session": session,
            "rows": rows,
            "half_days": half_days,
            "rate_percent": f"{(session.completion_rate * 100).normalize():f}".replace(".", ","),
            "complete": complete,
            "held": held,
            "to_issue": to_issue,
            "may_issue": selectors.may_run(request.user, session),
        },
    )


@role_required(*RUN)
def certificates_issue_view(request: HttpRequest, session_slug: str) -> HttpResponse:
    """Issue a certificate to every trainee who completes and holds none yet (POST only; the session is looked up
    first, so another trainer's session answers 404 to any method, like a missing one)."""
    session = selectors.session_for(request.user, session_slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    before = Certificate.objects.filter(enrolment__session=session).count()
    try:
        issued = certificates_issue(session=session, on=timezone.localdate(), acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        new = max(0, Certificate.objects.filter(enrolment__session=session).count() - before)
        if new:
            text = ngettext("%(count)d attestation délivrée.", "%(count)d attestations délivrées.", new)
            messages.success(request, text % {"count": new})
        elif issued:
            messages.info(request, _("Aucune nouvelle attestation : chaque stagiaire qui a terminé a déjà la sienne."))
        else:
            messages.info(request, _("Aucun stagiaire n'atteint encore l'assiduité minimale."))
    return redirect("training:certificates", session_slug=session.slug)


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(name, inline=True)
    return response


@role_required(*PDF_READ)
@require_GET
def certificate_pdf_view(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """One certificate: the GIE's staff, the session's trainer, the representative of the trainee's cooperative."""
    certificate = (
        Certificate.objects.filter(pk=certificate_id, enrolment__session__in=selectors.sessions_for(request.user))
        .select_related("enrolment__session")
        .first()
    )
    if certificate is None:
        raise Http404
    session = certificate.enrolment.session
    if not selectors.session_enrolments(request.user, session).filter(pk=certificate.enrolment_id).exists():
        raise Http404  # a representative reads its own cooperators' certificates only
    return _pdf_response(certificate_pdf(certificate), file_name(certificate))


@role_required(*READ)
@require_GET
def certificates_pdf_view(request: HttpRequest, session_slug: str) -> HttpResponse:
    """Every certificate of the session in one PDF, one page each, by the trainees' names."""
    session = selectors.session_for(request.user, session_slug)
    ids = list(
        Certificate.objects.filter(enrolment__session=session)
        .order_by("enrolment__cooperator__last_name_fr", "enrolment__cooperator__first_name_fr", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        messages.info(request, _("Cette session n'a encore aucune attestation à imprimer."))
        return redirect("training:certificates", session_slug=session.slug)
    return _pdf_response(certificates_pdf(certificates_for_print(ids)), batch_file_name(session.slug))


urlpatterns: list[URLPattern] = [
    path("sessions/<slug:session_slug>/certificates/", certificates, name="certificates"),
    path("sessions/<slug:session_slug>/certificates/issue/", certificates_issue_view, name="certificates_issue"),
    path("sessions/<slug:session_slug>/certificates/pdf/", certificates_pdf_view, name="certificates_pdf"),
    path("certificates/<int:certificate_id>/pdf/", certificate_pdf_view, name="certificate_pdf"),
]
