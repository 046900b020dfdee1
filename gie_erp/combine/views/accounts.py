"""The combined accounts page (``/combined/``): filters, the combined trial balance, Bilan and CPC in the Moroccan
layout, the eliminated pairs, the differences and the flows outside the set; exports to XLSX (wide: a column per
book), CSV (one row per account) and PDF."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gie_erp.combine import exports
from gie_erp.combine.forms import CombineForm
from gie_erp.combine.selectors import SCREEN_COLUMNS, CombinedAccounts, book_set, combined_accounts
from gie_erp.combine.views import READ
from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.money import from_centimes
from ledger.views.common import print_header
from ledger.views.reports import _statement_rows  # the ledger's Bilan and CPC rows, shared with its own pages

#: a DomainError of the combination → the filter it belongs to
ERROR_FIELDS = {
    ErrorCode.COMBINE_BAD_RANGE: "end",
    ErrorCode.COMBINE_BAD_BOOKS: "books",
    ErrorCode.COMBINE_NO_BOOKS: "books",
}
LISTED = 500  # pairs listed on the page per list (the exports have them all)


def _statement(sections: Any, *, with_contra: bool) -> list[dict[str, Any]]:
    """The ledger's statement rows, without the drill-down to one book's general ledger (a combined line has no
    single book: the combined trial balance above gives each account)."""
    rows = _statement_rows(sections, with_contra=with_contra)
    for row in rows:
        row["accounts"] = []
    return rows


def _context(accounts: CombinedAccounts, language: str) -> dict[str, Any]:
    tb = accounts.trial_balance
    wide = len(tb.columns) <= SCREEN_COLUMNS
    rows = [
        {
            "code": row.code,
            "name": row.name(language),
            "by_book": [from_centimes(v) for v in row.by_book] if wide else [],
            "total": from_centimes(row.total),
            "eliminations": from_centimes(row.eliminations),
            "combined": from_centimes(row.combined),
        }
        for row in tb.rows
    ]
    bilan, cpc = accounts.bilan, accounts.cpc
    return {
        "tb": tb,
        "rows": rows,
        "per_book": wide,
        "columns": tb.columns,
        "column_totals": [from_centimes(sum(r.by_book[i] for r in tb.rows)) for i in range(len(tb.columns))]
        if wide
        else [],
        "totals": {
            key: from_centimes(sum(getattr(r, key) for r in tb.rows)) for key in ("total", "eliminations", "combined")
        },
        "actif": _statement(bilan.actif, with_contra=True),
        "passif": _statement(bilan.passif, with_contra=False),
        "total_actif": from_centimes(bilan.total_actif),
        "total_passif": from_centimes(bilan.total_passif),
        "unclassified": bilan.unclassified,
        "cpc_sections": {key: _statement([section], with_contra=False) for key, section in cpc.sections.items()},
        "cpc_results": [(key, label, from_centimes(value)) for key, label, value in exports.cpc_results(cpc)],
        "eliminated": tb.eliminated_lines(LISTED),
        "differences": tb.differences[:LISTED],
        "outside": tb.outside[:LISTED],
        "counts": {"eliminated": tb.eliminated_count, "differences": len(tb.differences), "outside": len(tb.outside)},
        "difference_total": from_centimes(sum(d.difference for d in tb.differences)),
        "bilan_differences": accounts.bilan_differences[:LISTED],
        "listed": LISTED,
        "language": language,
    }


@role_required(*READ)
@require_GET
def combined_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # an empty form shows the period it uses (the year up to today), not blank date fields
    form = CombineForm(request.GET or None, initial={"start": date(today.year, 1, 1), "end": today})
    start, end = form.period(today)
    language = (get_language() or "fr")[:2]
    accounts = None
    if not form.is_bound or form.is_valid():
        try:
            books = book_set(form.spec(), exclude_gie=form.without_gie())
            per_book = len(books) <= SCREEN_COLUMNS or request.GET.get("export") == "xlsx"  # the wide workbook
            accounts = combined_accounts(books=books, start=start, end=end, per_book=per_book)
        except DomainError as error:
            field = ERROR_FIELDS.get(error.code)
            if field == "books" and form.is_bound and form.cleaned_data.get("books") == "list":
                field = "codes"
            if not form.is_bound:
                form = CombineForm({"start": start.isoformat(), "end": end.isoformat()})
                form.is_valid()
            form.add_error(field, error.message())
    fmt = request.GET.get("export", "")
    if accounts is not None and fmt in exports.FORMATS:
        return exports.response(accounts, fmt=fmt, language=language, today=today)
    context: dict[str, Any] = {"form": form, "start": start, "end": end, "accounts": accounts}
    if accounts is not None:
        context.update(_context(accounts, language))
        context["print"] = print_header(
            _("GIE et membres"), _("Comptes combinés"), f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
        )
    context["query"] = _query_without_export(request)
    return render(request, "combine/index.html", context)


def _query_without_export(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    return query.urlencode()
