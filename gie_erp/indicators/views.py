"""The director's dashboard (gie_admin, accountant, auditor): key figures against the previous year, charts with
their tables, the region's map; each table downloads as XLSX or CSV (``?export=xlsx&table=KEY``)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from gie_erp.core.access import role_required
from gie_erp.core.exports import table_response
from gie_erp.core.roles import ALL_BOOKS_ROLES
from gie_erp.indicators import dashboard
from gie_erp.indicators.forms import DashboardForm

EXPORTS = ("xlsx", "csv")


@role_required(*ALL_BOOKS_ROLES)
@require_GET
def indicators_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    data = request.GET.copy() if request.GET else None
    if data is not None and not any(data.get(name) for name in ("year", "start", "end")):
        data["year"] = str(today.year)  # the form shows the year the page reads (a map or sector alone chosen)
    form = DashboardForm(data, initial={"year": today.year, "measure": "members"})
    filters = form.filters(today)
    board = dashboard.build(filters, request.user, form.map_measure())
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        key = request.GET.get("table", "")
        table = board.table(key) if key else board.key_figures()  # no table named: the key figures
        if table is None:
            raise Http404
        name = f"{table.key}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}"
        return table_response(filename=name, fmt=fmt, headers=[str(h) for h in table.headers], rows=table.rows,
                              sheet_name=str(table.title))  # fmt: skip
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("table", None)
    context: dict[str, Any] = {"form": form, "board": board, "filters": filters, "query": query.urlencode()}
    return render(request, "indicators/dashboard.html", context)


app_name = "indicators"
urlpatterns: list[URLPattern] = [path("", indicators_dashboard, name="dashboard")]
