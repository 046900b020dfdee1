"""A book's analytic tags (``training:<session>``, later ``fair:<event>``…): per tag its costs (class 6), revenue
(class 7) and result, each open to its accounts; CSV and XLSX exports. Same access as the other book pages."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gie_erp.core.access import role_required
from gie_erp.core.exports import table_response
from gie_erp.core.money import ZERO
from ledger import selectors
from ledger.analytic import TagReport, tag_reports
from ledger.chart import account_name
from ledger.forms import AnalyticFilterForm
from ledger.views.common import EXPORTS, READ, org_label, print_header


@dataclass(frozen=True, slots=True)
class Totals:
    costs: Decimal
    revenue: Decimal
    result: Decimal


def _totals(reports: list[TagReport]) -> Totals:
    costs = sum((report.costs for report in reports), ZERO)
    revenue = sum((report.revenue for report in reports), ZERO)
    return Totals(costs=costs, revenue=revenue, result=revenue - costs)


def _period(start: date | None, end: date | None) -> str:
    if not (start or end):
        return _("toutes dates")
    first = f"{start:%d/%m/%Y}" if start else "…"
    last = f"{end:%d/%m/%Y}" if end else "…"
    return f"{first} – {last}"


@role_required(*READ)
def analytic(request: HttpRequest, org_slug: str) -> HttpResponse:
    book = selectors.book_get(user=request.user, org_slug=org_slug)
    form = AnalyticFilterForm(request.GET or None)
    prefix, start, end = form.filters()
    reports = tag_reports(book=book, prefix=prefix, start=start, end=end)
    totals = _totals(reports)
    fmt = request.GET.get("export")
    if fmt in EXPORTS:
        headers = [_("Étiquette"), _("Compte"), _("Intitulé"), _("Débit"), _("Crédit"),
                   _("Charges"), _("Produits"), _("Résultat")]  # fmt: skip
        rows: list[tuple[Any, ...]] = []
        language = (get_language() or "fr")[:2]
        for report in reports:
            rows.extend(
                (
                    report.tag,
                    row.account_code,
                    account_name(row.account_code, language),
                    row.debit,
                    row.credit,
                    "",
                    "",
                    "",
                )
                for row in report.accounts
            )
            rows.append(
                (report.tag, "", _("Total de l'étiquette"), "", "", report.costs, report.revenue, report.result)
            )
        rows.append(("", "", _("Total"), "", "", totals.costs, totals.revenue, totals.result))
        return table_response(
            filename=f"analytique-{book.organization.slug}",
            fmt=fmt,
            headers=headers,
            rows=rows,
            sheet_name=_("Analytique"),
        )
    return render(
        request,
        "ledger/analytic.html",
        {
            "book": book,
            "form": form,
            "reports": reports,
            "totals": totals,
            "prefix": prefix,
            "print": print_header(org_label(book.organization), _("Analytique"), _period(start, end)),
        },
    )
