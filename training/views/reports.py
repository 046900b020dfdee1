"""Training reports: participation, hours per person, a funder's report per grant (XLSX, PDF).

For the GIE's staff and auditor (admin, accountant, auditor); everyone else gets 403. The counting is
``training.reports`` (pure); a view parses the filters, reads, renders or exports. Every table leaves as CSV or XLSX
through ``gie_erp.core.exports`` (``?export=csv|xlsx``; an unknown value just shows the page)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gie_erp.core.access import role_required
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.roles import ALL_BOOKS_ROLES
from invoices.forms import date_widget
from ledger.forms import BoundedDateField
from members.models import Commune, Cooperator, Organization
from training import reports
from training.models import Grant, Theme
from training.pdf_grant import grant_report_file_name, grant_report_pdf

READ = tuple(ALL_BOOKS_ROLES)
PAGE_SIZE = 50
EXPORTS = frozenset({"csv", "xlsx"})
GROUP_LABELS = {
    "gender": gettext_lazy("Sexe"),
    "age": gettext_lazy("Tranche d'âge"),
    "cooperative": gettext_lazy("Coopérative"),
    "commune": gettext_lazy("Commune"),
    "theme": gettext_lazy("Thème"),
    "month": gettext_lazy("Mois"),
}
GROUP_TITLES = {
    "gender": gettext_lazy("Par sexe"),
    "age": gettext_lazy("Par tranche d'âge"),
    "cooperative": gettext_lazy("Par coopérative"),
    "commune": gettext_lazy("Par commune (lieu de la session)"),
    "theme": gettext_lazy("Par thème"),
    "month": gettext_lazy("Par mois de début"),
}


def export_format(request: HttpRequest) -> str:
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORTS else ""


def query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in ("page", "export", *names):
        query.pop(name, None)
    return query.urlencode()


class ReportFilterForm(forms.Form):
    """The reports' filters: sessions starting between two dates, of a theme, held in a commune; enrolments of a
    cooperative."""

    start = BoundedDateField(label=gettext_lazy("Du"), required=False, widget=date_widget())
    end = BoundedDateField(label=gettext_lazy("Au"), required=False, widget=date_widget())
    theme = forms.ModelChoiceField(
        label=gettext_lazy("Thème"),
        queryset=Theme.objects.order_by("name_fr"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Commune"),
        queryset=Commune.objects.order_by("name_fr"),
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )
    cooperative = forms.ModelChoiceField(
        label=gettext_lazy("Coopérative"),
        queryset=Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("legal_name_fr"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        arabic = (get_language() or "")[:2] == "ar"
        theme = self.fields["theme"]
        commune = self.fields["commune"]
        cooperative = self.fields["cooperative"]
        if arabic:  # the names the reader reads
            theme.label_from_instance = lambda t: t.name_ar or t.name_fr  # type: ignore[attr-defined]
            commune.label_from_instance = lambda c: c.name_ar or c.name_fr  # type: ignore[attr-defined]
            cooperative.label_from_instance = lambda o: o.legal_name_ar or o.legal_name_fr  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError(_("La date de fin précède la date de début : inversez-les."))
        return data

    def report_filter(self) -> reports.ReportFilter:
        """The filters as typed; a field typed wrong filters nothing (its error is shown)."""
        if not self.is_bound:
            return reports.ReportFilter()
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        if self.non_field_errors():
            data["start"] = data["end"] = None
        theme, commune, cooperative = data.get("theme"), data.get("commune"), data.get("cooperative")
        return reports.ReportFilter(
            start=data.get("start"),
            end=data.get("end"),
            theme_id=theme.pk if theme else None,
            commune_id=commune.pk if commune else None,
            organization_id=cooperative.pk if cooperative else None,
        )


def _arabic() -> bool:
    return (get_language() or "")[:2] == "ar"


def _label(row: Any) -> str:
    return str(row.label_ar if _arabic() and row.label_ar else row.label) or "—"


def participation_headers(by: str) -> list[str]:
    return [
        str(GROUP_LABELS[by]),
        _("Personnes"),
        _("dont femmes"),
        _("dont hommes"),
        _("Inscriptions"),
        _("Demi-journées présentes"),
        _("Heures de formation"),
    ]


def participation_data(rows: list[reports.GroupRow]) -> list[list[Any]]:
    return [
        [_label(row), row.people, row.women, row.men, row.enrolments, row.present, row.rounded_hours] for row in rows
    ]


@role_required(*READ)
@require_GET
def participation(request: HttpRequest) -> HttpResponse:
    """Participation by gender, age band, cooperative, commune, theme and month: distinct people and enrolments."""
    form = ReportFilterForm(request.GET or None)
    records = reports.participations(request.user, form.report_filter())
    tables = [(by, GROUP_LABELS[by], GROUP_TITLES[by], reports.group_rows(records, by)) for by in reports.GROUPINGS]
    fmt = export_format(request)
    if fmt:
        by = request.GET.get("table", "")
        by = by if by in reports.GROUPINGS else "gender"
        return table_response(
            filename=f"formation-participation-{by}",
            fmt=fmt,
            headers=participation_headers(by),
            rows=participation_data(reports.group_rows(records, by)),
            sheet_name=str(GROUP_LABELS[by]),
        )
    return render(
        request,
        "training/reports/participation.html",
        {
            "form": form,
            "tables": tables,
            "total": reports.total_row(records),
            "query": query_without(request, "table"),
            "grants": reports.grants_for(request.user).order_by("-starts_on", "reference"),
        },
    )


def hours_headers() -> list[str]:
    return [
        _("Personne"),
        _("Coopérative"),
        _("Sexe"),
        _("Sessions"),
        _("Demi-journées présentes"),
        _("Demi-journées possibles"),
        _("Heures de formation"),
    ]


def _gender(code: str) -> str:
    return str(dict(Cooperator.Gender.choices).get(code, code))


@role_required(*READ)
@require_GET
def hours(request: HttpRequest) -> HttpResponse:
    """Training hours per person: a half-day is worth the course's hours / the session's half-days; a person's hours
    are the half-days it was present."""
    form = ReportFilterForm(request.GET or None)
    records = reports.participations(request.user, form.report_filter())
    people = reports.hours_rows(records)
    fmt = export_format(request)
    if fmt:
        arabic = _arabic()
        rows = [
            [
                (p.name_ar if arabic and p.name_ar else p.name),
                (p.organization_ar if arabic and p.organization_ar else p.organization),
                _gender(p.gender),
                p.sessions,
                p.present,
                p.possible,
                p.rounded_hours,
            ]
            for p in people
        ]
        return table_response(
            filename="formation-heures-par-personne",
            fmt=fmt,
            headers=hours_headers(),
            rows=rows,
            sheet_name=_("Heures"),
        )
    total = reports.total_row(records)
    return render(
        request,
        "training/reports/hours.html",
        {
            "form": form,
            "page": Paginator(people, PAGE_SIZE).get_page(request.GET.get("page")),
            "total": total,
            "query": query_without(request),
        },
    )


def _grant(request: HttpRequest, grant_id: int) -> Grant:
    grant = reports.grants_for(request.user).filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    return grant


def grant_headers() -> list[str]:
    return [
        _("Session"),
        _("Formation"),
        _("Du"),
        _("Au"),
        _("Commune"),
        _("Participants"),
        _("Femmes"),
        _("Hommes"),
        _("Demi-journées présentes"),
        _("Demi-journées possibles"),
        _("Assiduité (pour cent)"),
        _("Attestations"),
        _("Facturé aux membres (HT)"),
        _("Subvention acquise"),
    ]


def grant_rows(report: reports.GrantReport) -> list[list[Any]]:
    arabic = _arabic()
    rows: list[list[Any]] = []
    for row in report.sessions:
        session = row.session
        commune = session.commune
        rows.append(
            [
                session.slug,
                session.course.title_ar if arabic and session.course.title_ar else session.course.title_fr,
                session.starts_on,
                session.ends_on,
                (commune.name_ar if arabic else commune.name_fr) if commune else "",
                row.participants,
                row.women,
                row.men,
                row.present,
                row.possible,
                row.rate if row.rate is not None else "",
                row.certificates,
                row.members_billed,
                row.subsidy,
            ]
        )
    total = report.total
    rows.append(
        [
            _("Total"),
            "",
            "",
            "",
            "",
            total.people,
            total.women,
            total.men,
            total.present,
            total.possible,
            report.rate if report.rate is not None else "",
            report.certificates,
            report.members_billed,
            report.subsidies,
        ]
    )
    return rows


@role_required(*READ)
@require_GET
def grant_report(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A funder's report for one grant: the sessions it funds, participants by gender and age band, attendance,
    certificates, money (fees billed, subsidies earned, payments, still owed)."""
    grant = _grant(request, grant_id)
    report = reports.grant_report(request.user, grant)
    fmt = export_format(request)
    if fmt:
        return table_response(
            filename=f"rapport-{grant.funder.slug}-{grant.reference}",
            fmt=fmt,
            headers=grant_headers(),
            rows=grant_rows(report),
            sheet_name=grant.reference,
        )
    return render(request, "training/reports/grant.html", {"grant": grant, "report": report})


@role_required(*READ)
@require_GET
def grant_report_pdf_view(request: HttpRequest, grant_id: int) -> HttpResponse:
    """The funder's report as a PDF, French and Arabic side by side."""
    grant = _grant(request, grant_id)
    report = reports.grant_report(request.user, grant)
    pdf = grant_report_pdf(report, printed_on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(grant_report_file_name(grant), inline=True)
    return response


urlpatterns: list[URLPattern] = [
    path("reports/", participation, name="reports"),
    path("reports/hours/", hours, name="report_hours"),
    path("reports/grants/<int:grant_id>/", grant_report, name="grant_report"),
    path("reports/grants/<int:grant_id>/pdf/", grant_report_pdf_view, name="grant_report_pdf"),
]
