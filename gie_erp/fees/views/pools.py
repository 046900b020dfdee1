"""Pool pages: the list (search), the form (create, change), a pool's page with the accounts that feed it and its
custom weights, and the import of those weights (CSV/XLSX, all or nothing)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.import_pages import import_page
from gie_erp.core.imports import ImportReport
from gie_erp.core.money import ZERO
from gie_erp.fees.config import POOL_FIELDS, pool_save, pool_source_remove
from gie_erp.fees.forms import PoolForm, SourceForm
from gie_erp.fees.imports import WEIGHT_LIMITS, custom_weights_import, weight_column_guide
from gie_erp.fees.models import CustomWeight, Pool, PoolSource
from gie_erp.fees.services import pool_source_add
from gie_erp.fees.views import READ, WRITE, can_write, export_format


def _pools(query: str) -> QuerySet[Pool]:
    pools = Pool.objects.annotate(last_run=Max("runs__ends_on", filter=Q(runs__state="posted")))
    pools = pools.annotate(weight_count=Count("custom_weights", distinct=True)).prefetch_related("sources")
    if query:
        pools = pools.filter(
            Q(name_fr__icontains=query)
            | Q(name_ar__icontains=query)
            | Q(slug__icontains=query)
            | Q(sources__account_code__startswith=query)
        ).distinct()
    return pools.order_by("-is_active", "name_fr")


@role_required(*READ)
@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    pools = _pools(query)
    fmt = export_format(request)
    if fmt:
        headers = [_("Code"), _("Nom"), _("Nature"), _("Clé"), _("TVA"), _("Comptes"), _("Fixe par mois"),
                   _("Dernière période facturée"), _("Actif")]  # fmt: skip
        rows = (
            (p.slug, p.name_fr, p.get_kind_display(), p.get_key_display(), p.vat_label,
             " ".join(str(s) for s in p.sources.all()), p.fixed_monthly, p.last_run or "", p.is_active)  # type: ignore[attr-defined]
            for p in pools
        )  # fmt: skip
        return table_response(filename="pools-quotes-parts", fmt=fmt, headers=headers, rows=rows, sheet_name=_("Pools"))
    return render(request, "fees/pools/list.html", {"pools": pools, "query": query, "can_write": can_write(request)})


def _form_data(form: PoolForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in POOL_FIELDS if name in form.cleaned_data}


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, pool_slug: str | None = None) -> HttpResponse:
    """Create a pool, or change one; ``config.pool_save`` validates again and audits."""
    pool = get_object_or_404(Pool, slug=pool_slug) if pool_slug is not None else None
    form = PoolForm(request.POST or None, instance=pool)
    if request.method == "POST" and form.is_valid():
        try:
            saved = pool_save(
                pool=pool, data=_form_data(form), exempted=form.cleaned_data["exempted"], acting_user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Pool %(name)s enregistré.") % {"name": saved.name_fr})
            return redirect("fees:pool_detail", pool_slug=saved.slug)
    return render(request, "fees/pools/form.html", {"form": form, "pool": pool})


@role_required(*READ)
@require_GET
def pool_detail(request: HttpRequest, pool_slug: str) -> HttpResponse:
    pool = get_object_or_404(Pool, slug=pool_slug)
    weights = (
        CustomWeight.objects.filter(pool=pool).select_related("organization").order_by("organization__legal_name_fr")
    )
    return render(
        request,
        "fees/pools/detail.html",
        {
            "pool": pool,
            "sources": pool.sources.all(),
            "weights": weights,
            "weight_total": sum((w.weight for w in weights), ZERO),
            "exempted": pool.exempted.order_by("legal_name_fr"),
            "runs": pool.runs.order_by("-starts_on")[:12],
            "source_form": SourceForm(),
            "can_write": can_write(request),
        },
    )


@role_required(*WRITE)
@require_POST
def pool_source_new(request: HttpRequest, pool_slug: str) -> HttpResponse:
    pool = get_object_or_404(Pool, slug=pool_slug)
    form = SourceForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[name].label} : {error}")
        return redirect("fees:pool_detail", pool_slug=pool.slug)
    try:
        source = pool_source_add(pool=pool, acting_user=request.user, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Le compte %(source)s alimente le pool.") % {"source": source})
    return redirect("fees:pool_detail", pool_slug=pool.slug)


@role_required(*WRITE)
@require_POST
def pool_source_delete(request: HttpRequest, pool_slug: str, source_id: int) -> HttpResponse:
    source = get_object_or_404(PoolSource.objects.select_related("pool"), pk=source_id, pool__slug=pool_slug)
    pool_source_remove(source=source, acting_user=request.user)
    messages.success(request, _("Le compte %(source)s n'alimente plus le pool.") % {"source": source})
    return redirect("fees:pool_detail", pool_slug=pool_slug)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def pool_weights_import(request: HttpRequest, pool_slug: str) -> HttpResponse:
    """Upload the pool's weights; the sheet replaces them all, or nothing is written (the report names each row)."""
    pool = get_object_or_404(Pool, slug=pool_slug)

    def written(report: ImportReport) -> str:
        text = ngettext("%(count)d poids importé.", "%(count)d poids importés.", report.rows_written)
        return text % {"count": report.rows_written}

    return import_page(
        request,
        template="fees/pools/import.html",
        context={"pool": pool, "guide": weight_column_guide()},
        limits=WEIGHT_LIMITS,
        run=lambda name, content: custom_weights_import(
            pool=pool, filename=name, content=content, acting_user=request.user
        ),
        success=written,
        success_url=reverse("fees:pool_detail", kwargs={"pool_slug": pool.slug}),
    )


@role_required(*WRITE)
@require_GET
def pool_weights_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """An empty sheet with the two columns (an example row would be imported as a real weight)."""
    return table_response(
        filename="modele-poids",
        fmt=fmt,
        headers=[column.name for column in weight_column_guide()],
        rows=[],
        sheet_name=_("Poids"),
    )


urlpatterns: list[URLPattern] = [
    path("pools/", pool_list, name="pool_list"),
    path("pools/new/", pool_edit, name="pool_new"),
    # one name, two files: {% url "fees:pool_weights_template" fmt="csv" %} (no parameter in the route)
    path("pools/weights-template.csv", pool_weights_template, {"fmt": "csv"}, name="pool_weights_template"),
    path("pools/weights-template.xlsx", pool_weights_template, {"fmt": "xlsx"}, name="pool_weights_template"),
    path("pools/<slug:pool_slug>/", pool_detail, name="pool_detail"),
    path("pools/<slug:pool_slug>/edit/", pool_edit, name="pool_edit"),
    path("pools/<slug:pool_slug>/sources/", pool_source_new, name="pool_source_add"),
    path("pools/<slug:pool_slug>/sources/<int:source_id>/delete/", pool_source_delete, name="pool_source_remove"),
    path("pools/<slug:pool_slug>/weights/", pool_weights_import, name="pool_weights_import"),
]
