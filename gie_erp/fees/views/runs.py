"""Run pages: a new run (pool and months → preview, exportable → confirmation → one fee invoice per member), the
history with filters, a run's page (its shares, invoices and credit notes, exportable) and its undo."""

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.money import ZERO
from gie_erp.fees.forms import ReasonForm, RunForm, last_month
from gie_erp.fees.models import Pool, Run
from gie_erp.fees.pdf_notice import notice_language
from gie_erp.fees.periods import FIRST_YEAR, LAST_YEAR
from gie_erp.fees.rendering import notice_content, notice_download_name
from gie_erp.fees.selectors import Preview, overlapping_runs, run_preview, run_qs_visible, share_qs_visible
from gie_erp.fees.services import IssueDate, check_period_ended, run_issue_date, run_post, run_undo, undo_date
from gie_erp.fees.views import READ, WRITE, can_write, expected_amount, export_format

PAGE_SIZE = 50


def _preview_rows(preview: Preview) -> Iterator[Sequence[Any]]:
    for organization, line in preview.lines:
        yield (organization.slug, organization.legal_name_fr, line.weight, line.exact, line.share, line.vat, line.total)
    split = preview.split
    yield ("", _("Total"), sum((ln.weight for ln in split.lines), ZERO), "", split.total_share, split.total_vat,
           split.total)  # fmt: skip


def _preview_export(preview: Preview, fmt: str) -> HttpResponse:
    headers = [_("Code"), _("Membre"), _("Poids"), _("Part exacte"), _("Part HT"), _("TVA"), _("Total TTC")]
    name = f"apercu-{preview.pool.slug}-{preview.starts_on:%Y-%m}-{preview.ends_on:%Y-%m}"
    return table_response(filename=name, fmt=fmt, headers=headers, rows=_preview_rows(preview), sheet_name=_("Aperçu"))


def _run_form(data: QueryDict | None) -> RunForm:
    if data is not None and "pool" in data:
        return RunForm(data)
    first = Pool.objects.filter(is_active=True).order_by("name_fr").first()
    return RunForm(initial={"start": last_month(timezone.localdate()), "pool": first.slug if first else None})


def _preview_of(request: HttpRequest, form: RunForm) -> tuple[Preview | None, str]:
    """The preview of a valid form, or the refusal's text (nothing to share, no VAT rate, nobody weighs)."""
    if not form.is_valid():
        return None, ""
    data = form.cleaned_data
    try:
        return run_preview(data["pool"], data["starts_on"], data["ends_on"]), ""
    except DomainError as error:
        return None, error.message()


def _source_rows(preview: Preview | None) -> list[tuple[Any, Decimal | None, Decimal | None]]:
    """Each source with what it adds (a cost) or takes off (a recovery), for the preview's table."""
    if preview is None:
        return []
    return [
        (s, None if s.is_recovery else s.net, -s.net if s.is_recovery else None) for s in preview.pool_amount.sources
    ]


def _issue_date(preview: Preview) -> IssueDate:
    return run_issue_date(ends_on=preview.ends_on, organization_ids=[org.pk for org, _line in preview.lines])


def _period_query(form: RunForm) -> str:
    return urlencode({name: form.data.get(name, "") for name in ("pool", "start", "end")})


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest) -> HttpResponse:
    """GET: the preview of a pool over months (export as CSV/XLSX). POST: the confirmation, then (``confirmed``)
    the run, posted with the preview's total TTC so that a figure changed since is refused, not billed."""
    if request.method == "POST":
        if not can_write(request):
            raise PermissionDenied
        return _run_post(request)
    form = _run_form(request.GET)
    preview, refusal = _preview_of(request, form)
    fmt = export_format(request)
    if preview is not None and fmt:
        return _preview_export(preview, fmt)
    clash, not_ended, issue = None, "", None
    if preview is not None:
        clash = overlapping_runs(preview.pool, preview.starts_on, preview.ends_on).first()
        try:
            check_period_ended(preview.ends_on)
        except DomainError as error:  # previewed, not billed before the day after its last
            not_ended = error.message()
        else:
            issue = _issue_date(preview)
    return render(
        request,
        "fees/runs/new.html",
        {"form": form, "preview": preview, "sources": _source_rows(preview), "refusal": refusal, "clash": clash,
         "not_ended": not_ended, "issue": issue,
         "can_write": can_write(request),
         "query": _period_query(form) if form.is_bound else ""},
    )  # fmt: skip


def _run_post(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST)
    preview, refusal = _preview_of(request, form)
    expected = expected_amount(request.POST.get("expected", ""))
    if preview is None or expected is None:
        if refusal:
            messages.error(request, refusal)
        elif expected is None and form.is_valid():
            messages.error(request, _("Aperçu manquant : affichez l'aperçu avant de facturer."))
        return render(request, "fees/runs/new.html", {"form": form, "preview": None, "can_write": True})
    data = form.cleaned_data
    posted = Run.objects.filter(
        pool=data["pool"], starts_on=data["starts_on"], ends_on=data["ends_on"], state=Run.State.POSTED
    ).first()
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "fees/runs/confirm.html",
            {"form": form, "preview": preview, "expected": expected, "query": _period_query(form),
             "changed": expected != preview.split.total, "issue": None if posted else _issue_date(preview),
             "posted": posted},
        )  # fmt: skip
    try:
        run = run_post(
            pool=data["pool"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            expected_total=expected,
            acting_user=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message())
        return redirect(f"{reverse('fees:run_new')}?{_period_query(form)}")
    count = run.shares.exclude(document=None).count()
    if posted is not None and posted.pk == run.pk:  # a second confirmation (another tab, the back button)
        text = ngettext(
            "Cette répartition était déjà facturée (%(count)d facture) : rien de nouveau.",
            "Cette répartition était déjà facturée (%(count)d factures) : rien de nouveau.",
            count,
        )
        messages.info(request, text % {"count": count})
    else:
        text = ngettext(
            "Répartition facturée : %(count)d facture validée.",
            "Répartition facturée : %(count)d factures validées.",
            count,
        )
        messages.success(request, text % {"count": count})
    return redirect("fees:run_detail", fee_run_id=run.pk)


def _run_filters(request: HttpRequest) -> dict[str, str]:
    get = request.GET
    year = get.get("year", "").strip()
    state = get.get("state", "")
    return {
        "pool": get.get("pool", "").strip()[:40],
        "year": year if year.isdigit() and len(year) == 4 and FIRST_YEAR <= int(year) <= LAST_YEAR else "",
        "state": state if state in Run.State.values else "",
    }


@role_required(*READ)
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    filters = _run_filters(request)
    runs = run_qs_visible(user=request.user).order_by("-starts_on", "pool__name_fr", "-generation")
    if filters["pool"]:
        runs = runs.filter(pool__slug=filters["pool"])
    if filters["year"]:
        year = int(filters["year"])
        runs = runs.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    if filters["state"]:
        runs = runs.filter(state=filters["state"])
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "fees/runs/list.html",
        {"page": page, "filters": filters, "pools": Pool.objects.order_by("name_fr"), "states": Run.State.choices,
         "query": query.urlencode(), "can_write": can_write(request)},
    )  # fmt: skip


def _run(request: HttpRequest, fee_run_id: int) -> Run:
    return get_object_or_404(run_qs_visible(user=request.user), pk=fee_run_id)


def _share_rows(shares: Any) -> Iterator[Sequence[Any]]:
    for share in shares:
        yield (
            share.organization.slug,
            share.organization.legal_name_fr,
            share.weight,
            share.exact,
            share.share,
            share.vat,
            share.total,
            share.document.number if share.document else "",
            share.credit_note.number if share.credit_note else "",
        )


@role_required(*READ)
@require_GET
def run_detail(request: HttpRequest, fee_run_id: int) -> HttpResponse:
    run = _run(request, fee_run_id)
    shares = share_qs_visible(user=request.user).filter(run=run).order_by("organization__legal_name_fr")
    fmt = export_format(request)
    if fmt:
        headers = [_("Code"), _("Membre"), _("Poids"), _("Part exacte"), _("Part HT"), _("TVA"), _("Total TTC"),
                   _("Facture"), _("Avoir")]  # fmt: skip
        name = f"repartition-{run.pool.slug}-{run.starts_on:%Y-%m}-{run.ends_on:%Y-%m}"
        return table_response(
            filename=name, fmt=fmt, headers=headers, rows=_share_rows(shares), sheet_name=_("Quotes-parts")
        )
    rows = list(shares)
    totals = {
        "weight": sum((s.weight for s in rows), ZERO),
        "share": sum((s.share for s in rows), ZERO),
        "vat": sum((s.vat for s in rows), ZERO),
        "total": sum((s.total for s in rows), ZERO),
    }
    return render(
        request,
        "fees/runs/detail.html",
        {"run": run, "shares": rows, "totals": totals, "can_write": can_write(request)},
    )


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def run_undo_view(request: HttpRequest, fee_run_id: int) -> HttpResponse:
    """GET: what the undo will do and the reason to give; POST: a credit note for every invoice of the run."""
    run = _run(request, fee_run_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and run.state == Run.State.POSTED and form.is_valid():
        try:
            run_undo(run=run, reason=form.cleaned_data["reason"], acting_user=request.user)
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("Répartition annulée : un avoir pour chaque facture."))
            return redirect("fees:run_detail", fee_run_id=run.pk)
    shares = run.shares.exclude(document=None)
    total = sum((s.total for s in shares), ZERO)
    return render(
        request,
        "fees/runs/undo.html",
        {"run": run, "form": form, "count": shares.count(), "total": total,
         "on": undo_date(run=run) if run.state == Run.State.POSTED else None},
    )  # fmt: skip


@role_required(*READ)
@require_GET
def share_notice(request: HttpRequest, fee_run_id: int, share_id: int) -> HttpResponse:
    """One member's fee notice, as the portal serves it to that member (the stored file, else rendered now in the
    member's language)."""
    run = _run(request, fee_run_id)
    share = get_object_or_404(
        share_qs_visible(user=request.user).filter(run=run).select_related("run__pool", "organization"), pk=share_id
    )
    language = notice_language(share.organization)
    response = HttpResponse(notice_content(share, language=language), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(notice_download_name(share), inline=True)
    return response


urlpatterns: list[URLPattern] = [
    path("runs/", run_list, name="run_list"),
    path("runs/new/", run_new, name="run_new"),
    path("runs/<int:fee_run_id>/", run_detail, name="run_detail"),
    path("runs/<int:fee_run_id>/undo/", run_undo_view, name="run_undo"),
    path("runs/<int:fee_run_id>/notices/<int:share_id>/", share_notice, name="share_notice"),
]
