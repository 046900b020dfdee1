"""Invoicing pages: customer follow-up (statement of account, ageing, reminder letter) for the GIE's staff, and
the VAT of a book (summary, relevé des déductions, liquidation), which a representative may read for its own
cooperative. Each list leaves as XLSX or CSV (``?export=``), the statement and the ageing as a PDF
(``?export=pdf``)."""

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.money import ZERO
from gie_erp.core.pdf import render_pdf
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role, may_write
from invoices.followup import (
    Ageing,
    Statement,
    ageing,
    overdue_documents,
    overdue_invoices,
    party_issuers,
    statement_of_account,
)
from invoices.models import Document, Party, Payment
from invoices.parties import party_get
from invoices.vat import DeductionRow, deductions_list, vat_liquidation_get, vat_summary
from invoices.vat_liquidation import vat_liquidate, vat_liquidation_preview
from invoices.vat_periods import (
    last_finished_vat_period,
    period_kind_of,
    recent_vat_periods,
    vat_period_code,
    vat_period_kind,
    vat_period_parse,
)
from ledger.forms import BoundedDateField, DateRangeForm
from ledger.selectors import book_get
from ledger.views.common import local_today, org_label, period_label, print_header
from members.models import Organization

READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
VAT_READ = (*READ, Role.COOP_REPRESENTATIVE)
EXPORTS = {"csv", "xlsx"}
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "invoices" / "followup"
LANGUAGES = {"fr", "ar"}


def _pdf_response(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    """A printable A4 page: the template rendered in the page's language, through the one PDF path."""
    html = render_to_string(template, context)
    response = HttpResponse(render_pdf(html, base_url=TEMPLATE_DIR), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=True)
    return response


def _pick_issuer(slug: str, choices: Sequence[Organization]) -> Organization | None:
    """The organization a filter names, if it is one of the choices (anything else filters nothing)."""
    return next((organization for organization in choices if organization.slug == slug), None)


# --- statement of account -----------------------------------------------------------------------------------------


def _statement_range(request: HttpRequest) -> tuple[DateRangeForm, date, date]:
    """The period asked for (the current year to date by default), shown back with any refusal."""
    asked = DateRangeForm(request.GET or None)
    start, end = asked.range(local_today())
    shown = DateRangeForm({"start": start.isoformat(), "end": end.isoformat()})
    shown.is_valid()
    for name, errors in (asked.errors if asked.is_bound else {}).items():
        for error in errors:
            shown.add_error(name if name in shown.fields else None, error)
    return shown, start, end


def _statement_rows(statement: Statement) -> list[Sequence[Any]]:
    issuer_name = {pk: organization.legal_name_fr for pk, organization in statement.issuers.items()}
    rows: list[Sequence[Any]] = [(statement.start, "", "", _("Solde d'ouverture"), None, None, statement.opening)]
    for line in statement.lines:
        rows.append(
            (
                line.on,
                issuer_name.get(line.issuer_id, ""),
                line.reference,
                line.label,
                line.debit or None,
                line.credit or None,
                line.balance,
            )
        )
    rows.append((statement.end, "", "", _("Solde de clôture"), None, None, statement.closing))
    return rows


@role_required(*READ)
@require_GET
def party_statement(request: HttpRequest, party_id: int) -> HttpResponse:
    """A party's statement of account over a period, every issuer or one."""
    party = party_get(user=request.user, party_id=party_id)
    form, start, end = _statement_range(request)
    issuers = party_issuers(party=party)
    issuer = _pick_issuer(request.GET.get("issuer", ""), issuers)
    statement = statement_of_account(party=party, start=start, end=end, issuer=issuer)
    fmt = request.GET.get("export", "")
    filename = f"releve-{party.code}-{start}-{end}"
    if fmt in EXPORTS:
        return table_response(
            filename=filename,
            fmt=fmt,
            headers=[_("Date"), _("Émetteur"), _("Pièce"), _("Libellé"), _("Débit"), _("Crédit"), _("Solde")],
            rows=_statement_rows(statement),
            sheet_name=_("Relevé de compte"),
        )
    context = {
        "party": party,
        "statement": statement,
        "form": form,
        "issuers": issuers,
        "issuer": issuer,
        "print": print_header(party.legal_name_fr, _("Relevé de compte"), period_label(statement.start, statement.end)),
    }
    if fmt == "pdf":
        return _pdf_response("invoices/followup/statement_pdf.html", context, f"{filename}.pdf")
    return render(request, "invoices/followup/statement.html", context)


# --- ageing -------------------------------------------------------------------------------------------------------


class AgeingForm(forms.Form):
    as_of = BoundedDateField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _issuer_choices() -> list[Organization]:
    """The organizations that issued a validated document or collected a payment (the GIE and the members it
    invoices for)."""
    issued = Document.objects.filter(status=Document.Status.VALIDATED).values("issuer_id")
    collected = Payment.objects.values("collected_by_id")
    return list(Organization.objects.filter(Q(pk__in=issued) | Q(pk__in=collected)).order_by("kind", "legal_name_fr"))


def _ageing_rows(report: Ageing) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for row in report.rows:
        assert row.party is not None
        rows.append((row.party.legal_name_fr, row.party.ice, *row.buckets, row.credit, row.total))
    rows.append((_("Total"), "", *report.totals.buckets, report.totals.credit, report.totals.total))
    return rows


def ageing_headers() -> list[str]:
    return [
        _("Client"),
        _("ICE"),
        _("Non échu"),
        _("0 à 30 jours"),
        _("31 à 60 jours"),
        _("61 à 90 jours"),
        _("Plus de 90 jours"),
        _("Avoirs non imputés"),
        _("Total"),
    ]


@role_required(*READ)
@require_GET
def ageing_page(request: HttpRequest) -> HttpResponse:
    """Open balances per customer by days past due on a day (today by default)."""
    form = AgeingForm(request.GET or None)
    as_of = (form.cleaned_data.get("as_of") if form.is_valid() else None) or local_today()
    issuers = _issuer_choices()
    issuer = _pick_issuer(request.GET.get("issuer", ""), issuers)
    report = ageing(as_of=as_of, issuer=issuer)
    fmt = request.GET.get("export", "")
    filename = f"balance-agee-{as_of}" + (f"-{issuer.slug}" if issuer else "")
    if fmt in EXPORTS:
        return table_response(
            filename=filename,
            fmt=fmt,
            headers=ageing_headers(),
            rows=_ageing_rows(report),
            sheet_name=_("Balance âgée"),
        )
    title = _("Balance âgée des clients")
    context = {
        "report": report,
        "form": form,
        "as_of": as_of,
        "issuers": issuers,
        "issuer": issuer,
        "headers": ageing_headers(),
        "print": print_header(
            issuer.legal_name_fr if issuer else _("Tous les émetteurs"),
            title,
            _("au %(day)s") % {"day": f"{as_of:%d/%m/%Y}"},
        ),
    }
    if fmt == "pdf":
        return _pdf_response("invoices/followup/ageing_pdf.html", context, f"{filename}.pdf")
    return render(request, "invoices/followup/ageing.html", context)


# --- reminder -----------------------------------------------------------------------------------------------------


def _letter_language(request: HttpRequest, party: Party) -> str:
    asked = request.GET.get("language", "")
    return asked if asked in LANGUAGES else party.language


@role_required(*READ)
@require_GET
def party_reminder(request: HttpRequest, party_id: int) -> HttpResponse:
    """The reminder letter of a party's overdue invoices, previewed in French or Arabic; ``?export=pdf`` prints it
    (invoices.pdf.reminder_pdf)."""
    party = party_get(user=request.user, party_id=party_id)
    today = local_today()
    language = _letter_language(request, party)
    if request.GET.get("export") == "pdf":
        from invoices.pdf import reminder_pdf  # written with the invoice PDFs; loaded only when a letter is printed

        documents = overdue_documents(party=party, as_of=today)
        if not documents:  # nothing to remind (paid since, or an old link): the preview says so, rather than a 500
            return redirect(f"{reverse('invoices:party_reminder', args=[party.pk])}?language={language}")
        response = HttpResponse(
            reminder_pdf(party, documents, language=language, today=today), content_type="application/pdf"
        )
        response["Content-Disposition"] = content_disposition(f"relance-{party.code}-{today}.pdf", inline=True)
        return response
    items = overdue_invoices(party=party, as_of=today)
    total = sum((item.balance for item in items), ZERO)
    with override(language):  # the letter in its own language, the page around it in the reader's
        letter = render_to_string(
            "invoices/followup/_reminder_letter.html",
            {"party": party, "items": items, "total": total, "today": today, "language": language},
        )
    return render(
        request,
        "invoices/followup/reminder.html",
        {"party": party, "items": items, "language": language, "letter": letter, "page_language": get_language()},
    )


# --- VAT ----------------------------------------------------------------------------------------------------------


def _vat_period(value: str, organization: Organization, today: date) -> tuple[date, date, bool]:
    """The period asked for (``2026-10``, ``2026-Q4``), else the book's last finished period; True if the value
    given could not be read."""
    if value:
        try:
            start, end = vat_period_parse(value)
        except ValueError:
            pass
        else:
            return start, end, False
    start, end = last_finished_vat_period(organization, today)
    return start, end, bool(value)


def _deduction_rows(rows: Sequence[DeductionRow]) -> list[Sequence[Any]]:
    return [
        (
            row.supplier_name,
            row.supplier_if,
            row.supplier_ice,
            row.number,
            row.issued_on,
            row.paid_on,
            row.method,
            row.net,
            row.vat,
            row.gross,
            row.description,
        )
        for row in rows
    ]


def deduction_headers() -> list[str]:
    return [
        _("Fournisseur"),
        _("IF"),
        _("ICE"),
        _("N° de facture"),
        _("Date de facture"),
        _("Date de paiement"),
        _("Mode de paiement"),
        _("Montant HT"),
        _("TVA"),
        _("Montant TTC"),
        _("Libellé"),
    ]


@role_required(*VAT_READ)
@require_GET
def vat_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A book's VAT for one period: collected and deductible, each beside the ledger's figure, the relevé des
    déductions and, for the GIE's accountants, the liquidation."""
    book = book_get(user=request.user, org_slug=org_slug)
    organization = book.organization
    today = local_today()
    start, end, unreadable = _vat_period(request.GET.get("period", ""), organization, today)
    summary = vat_summary(organization=organization, start=start, end=end)
    deductions = deductions_list(organization=organization, start=start, end=end)
    code = vat_period_code(start, end)
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        return table_response(
            filename=f"releve-deductions-{organization.slug}-{code}",
            fmt=fmt,
            headers=deduction_headers(),
            rows=_deduction_rows(deductions),
            sheet_name=_("Relevé des déductions"),
        )
    kind = vat_period_kind(organization)
    user: Any = request.user
    may_liquidate = (
        (user.is_superuser or may_write(user.role))
        and summary.liquidation is None
        and period_kind_of(start, end) == kind
        and end <= today
    )
    return render(
        request,
        "invoices/followup/vat.html",
        {
            "book": book,
            "summary": summary,
            "deductions": deductions,
            "code": code,
            "unreadable": unreadable,
            "periods": [vat_period_code(*bounds) for bounds in recent_vat_periods(organization, today)],
            "kind": kind,
            "may_liquidate": may_liquidate,
            "sides": [
                {"key": "collected", "title": _("TVA collectée"), "data": summary.collected},
                {"key": "deductible", "title": _("TVA déductible"), "data": summary.deductible},
            ],
            "print": print_header(org_label(organization), _("TVA"), period_label(start, end)),
        },
    )


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def vat_liquidate_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Confirm (GET: the entry it would post) and post (POST) the liquidation of one of the book's VAT periods."""
    book = book_get(user=request.user, org_slug=org_slug)
    organization = book.organization
    today = local_today()
    data = request.POST if request.method == "POST" else request.GET
    start, end, _unreadable = _vat_period(data.get("period", ""), organization, today)
    code = vat_period_code(start, end)
    summary_url = f"{reverse('invoices:vat_summary', args=[organization.slug])}?period={code}"
    kind = vat_period_kind(organization)
    refusal = ""
    if period_kind_of(start, end) != kind:
        refusal = _("%(name)s déclare sa TVA par %(kind)s : choisissez une de ses périodes.") % {
            "name": org_label(organization),
            "kind": _("trimestre") if kind == "quarter" else _("mois"),
        }
    elif end > today:
        refusal = _("La période %(period)s n'est pas terminée.") % {"period": code}
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return redirect(summary_url)
        try:
            ref = vat_liquidate(organization=organization, start=start, end=end, acting_user=request.user, today=today)
        except DomainError as error:
            messages.error(request, error.message())
            return redirect(summary_url)
        if ref is None:
            messages.info(request, _("Rien à liquider pour %(period)s : 4455 et 34552 sont à zéro.") % {"period": code})
        elif ref.created:
            messages.success(
                request, _("TVA de %(period)s liquidée : écriture %(number)s.") % {"period": code, "number": ref.number}
            )
        else:
            messages.info(
                request,
                _("La TVA de %(period)s était déjà liquidée (%(number)s).") % {"period": code, "number": ref.number},
            )
        return redirect(summary_url)
    existing = vat_liquidation_get(book=book, start=start, end=end)
    lines = [] if refusal or existing else vat_liquidation_preview(organization=organization, end=end)
    return render(
        request,
        "invoices/followup/vat_liquidate.html",
        {
            "book": book,
            "code": code,
            "start": start,
            "end": end,
            "lines": lines,
            "existing": existing,
            "refusal": refusal,
            "summary_url": summary_url,
        },
    )


urlpatterns: list[URLPattern] = [
    path("parties/<int:party_id>/statement/", party_statement, name="party_statement"),
    path("parties/<int:party_id>/reminder/", party_reminder, name="party_reminder"),
    path("ageing/", ageing_page, name="ageing"),
    path("vat/<slug:org_slug>/", vat_page, name="vat_summary"),
    path("vat/<slug:org_slug>/liquidate/", vat_liquidate_page, name="vat_liquidate"),
]
