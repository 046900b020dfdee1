"""The close pages (GIE staff; the auditor reads): the year's months × books grid with the launch form, a run's
progress with each book's status and reasons (exportable), and the admin's reopening.

Launching only makes (or resumes) the run and returns. With Celery workers the tasks queued on commit do the work and
the progress page's polls only read; without a broker each poll closes the next slice of books in the request
(``close_run_advance``), so the page behaves the same either way and a run left half done resumes when its page is
open again (or when the command is run again).
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.close.models import CloseItem, CloseRun
from gie_erp.close.selectors import blocker_summary, close_grid, item_blockers, month_summary, run_items, run_progress
from gie_erp.close.services import (
    close_month_reopen,
    close_month_start,
    close_run_advance,
    close_year_start,
    parse_month,
    parse_year,
)
from gie_erp.close.tasks import close_run_dispatch, tasks_run_in_process
from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES, Role
from ledger.models import Book

READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
SLICE_SECONDS = 1.0
BOOKS_PER_PAGE = 50
EXPORTS = frozenset({"csv", "xlsx"})


def _last_month(today: date) -> str:
    first = today.replace(day=1)
    return date.fromordinal(first.toordinal() - 1).strftime("%Y-%m")


class LaunchForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Mois à clôturer"), max_length=7, widget=forms.DateInput(attrs={"type": "month"})
    )

    def clean_month(self) -> tuple[int, int]:
        try:
            return parse_month(self.cleaned_data["month"])
        except DomainError as error:
            raise forms.ValidationError(error.message()) from None


class YearForm(forms.Form):
    year = forms.CharField(
        label=gettext_lazy("Exercice à clôturer"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def clean_year(self) -> int:
        try:
            return parse_year(self.cleaned_data["year"])
        except DomainError as error:
            raise forms.ValidationError(error.message()) from None


class ReopenForm(forms.Form):
    books = forms.CharField(
        label=gettext_lazy("Livres (codes séparés par des virgules ; vide : tous)"), required=False, max_length=2000
    )
    reason = forms.CharField(label=gettext_lazy("Motif de la réouverture"), max_length=200)


def _can_write(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or getattr(user, "role", "") in WRITE)


def _year(request: HttpRequest, default: int) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else default


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def close_index(request: HttpRequest) -> HttpResponse:
    """The year's months (books closed, blocked…), the launch form, and the months × books grid (50 books a page)."""
    today = timezone.localdate()
    is_year = request.method == "POST" and request.POST.get("kind") == "year"
    form = LaunchForm(request.POST if request.method == "POST" and not is_year else None,
                      initial={"month": _last_month(today)})  # fmt: skip
    year_form = YearForm(request.POST if is_year else None, initial={"year": today.year - 1})
    if request.method == "POST":
        if not _can_write(request):
            return HttpResponse(status=403)
        launch: Any = year_form if is_year else form
        if launch.is_valid():
            try:
                if is_year:
                    run = close_year_start(year=launch.cleaned_data["year"], acting_user=request.user)
                else:
                    year, month = launch.cleaned_data["month"]
                    run = close_month_start(year=year, month=month, acting_user=request.user)
            except DomainError as error:
                launch.add_error("year" if is_year else "month", error.message())
            else:
                if not tasks_run_in_process():
                    transaction.on_commit(lambda: close_run_dispatch.delay(run.pk))
                return redirect("close:run_detail", close_run_id=run.pk)
    year = _year(request, today.year if today.month > 1 else today.year - 1)
    query = request.GET.get("q", "").strip()[:80]
    books = Book.objects.select_related("organization").order_by("-organization__kind", "organization__legal_name_fr")
    if query:
        books = books.filter(organization__legal_name_fr__icontains=query) | books.filter(
            organization__slug__icontains=query
        )
    page = Paginator(books, BOOKS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "year_form": year_form,
        "year": year,
        "years": [year - 1, year, year + 1],
        "months": month_summary(year),
        "grid": close_grid(year=year, books=page.object_list),
        "page": page,
        "query": query,
        "can_write": _can_write(request),
    }
    return render(request, "close/index.html", context)


def _run(close_run_id: int) -> CloseRun:
    return get_object_or_404(CloseRun, pk=close_run_id)


def _item_rows(items: Any) -> Any:
    for item in items:
        blockers = item_blockers(item)
        yield (
            item.organization.slug,
            item.organization.legal_name_fr,
            item.get_status_display(),
            " · ".join(b.message("fr") for b in blockers) or item.error,
            " · ".join(b.message("ar") for b in blockers),
            item.liquidation,
            item.closing,
        )


@role_required(*READ)
@require_GET
def run_detail(request: HttpRequest, close_run_id: int) -> HttpResponse:
    run = _run(close_run_id)
    status = request.GET.get("status", "")
    status = status if status in CloseItem.Status.values else ""
    query = request.GET.get("q", "").strip()[:80]
    items = run_items(run, status=status, query=query)
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        headers = [_("Code"), _("Livre"), _("État"), _("Motifs"), _("Motifs (arabe)"), _("Liquidation de TVA"),
                   _("Écritures de clôture")]  # fmt: skip
        return table_response(
            filename=f"cloture-{run.period}", fmt=fmt, headers=headers, rows=_item_rows(items), sheet_name=run.period
        )
    context = _progress_context(run, items=items)
    context.update(status=status, query=query, statuses=CloseItem.Status.choices, reopen=ReopenForm(),
                   can_reopen=_can_reopen(request))  # fmt: skip
    return render(request, "close/run_detail.html", context)


def _progress_context(run: CloseRun, *, items: Any = None) -> dict[str, Any]:
    shown = list((items if items is not None else run_items(run))[:500])
    return {
        "run": run,
        "progress": run_progress(run),
        "summary": blocker_summary(run),
        "items": [(item, item_blockers(item)) for item in shown],
    }


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def run_progress_view(request: HttpRequest, close_run_id: int) -> HttpResponse:
    """The progress fragment; a POST (the page's poll) first closes the next slice of books in eager mode. Once the
    run is finished the answer is HTTP 286, which stops htmx polling."""
    run = _run(close_run_id)
    if (
        request.method == "POST"
        and tasks_run_in_process()
        and not run_progress(run).is_finished
        and _can_write(request)
    ):
        close_run_advance(run_id=run.pk, budget_seconds=SLICE_SECONDS, acting_user=request.user)
    context = _progress_context(run)
    finished = context["progress"].is_finished
    return render(
        request, "close/_progress.html", context, status=286 if request.method == "POST" and finished else 200
    )


def _can_reopen(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_superuser or getattr(user, "role", "") == Role.GIE_ADMIN)


@role_required(Role.GIE_ADMIN)
@require_POST
def run_reopen(request: HttpRequest, close_run_id: int) -> HttpResponse:
    run = _run(close_run_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Donnez le motif de la réouverture."))
        return redirect("close:run_detail", close_run_id=run.pk)
    slugs = [slug.strip() for slug in form.cleaned_data["books"].split(",") if slug.strip()]
    try:
        count = close_month_reopen(
            run=run, book_slugs=slugs, acting_user=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Livres rouverts : %(count)s.") % {"count": count})
    return redirect("close:run_detail", close_run_id=run.pk)


app_name = "close"
urlpatterns: list[URLPattern] = [
    path("", close_index, name="index"),
    path("runs/<int:close_run_id>/", run_detail, name="run_detail"),
    path("runs/<int:close_run_id>/progress/", run_progress_view, name="run_progress"),
    path("runs/<int:close_run_id>/reopen/", run_reopen, name="run_reopen"),
]
