"""Pages for members and cooperators. Parse, call one selector or service, render."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.core.imports import ImportRefused
from gie_erp.core.roles import Role
from members import imports, selectors

PAGE_SIZE = 50


def member_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    search = request.GET.get("q", "").strip()
    orgs = selectors.organization_list(user=user, search=search).order_by("kind", "legal_name_fr")
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return table_response(
            filename="membres",
            fmt=fmt,
            headers=["slug", "legal_name_fr", "legal_name_ar", "ice", "commune", "sector", "cooperators"],
            rows=(
                (o.slug, o.legal_name_fr, o.legal_name_ar, o.ice, str(o.commune or ""), o.sector, o.cooperators_count)  # type: ignore[attr-defined]
                for o in orgs
            ),
        )
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/member_list.html", {"page": page, "q": search})


def member_detail(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = selectors.organization_get(user=request.user, slug=org_slug)
    return render(request, "members/member_detail.html", {"org": org})


def cooperator_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = selectors.organization_get(user=request.user, slug=org_slug)
    search = request.GET.get("q", "").strip()
    cooperators = selectors.cooperator_list(user=request.user, organization=org, search=search)
    fmt = request.GET.get("export")
    if fmt in {"csv", "xlsx"}:
        return table_response(
            filename=f"cooperateurs-{org.slug}",
            fmt=fmt,
            headers=["last_name_fr", "first_name_fr", "full_name_ar", "gender", "function", "cin", "phone"],
            rows=(
                (c.last_name_fr, c.first_name_fr, c.full_name_ar, c.gender, c.function, c.cin, c.phone)
                for c in cooperators
            ),
        )
    page = Paginator(cooperators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/cooperator_list.html", {"org": org, "page": page, "q": search})


def cooperator_detail(request: HttpRequest, cooperator_id: int) -> HttpResponse:
    cooperator = selectors.cooperator_get(user=request.user, cooperator_id=cooperator_id)
    return render(request, "members/cooperator_detail.html", {"cooperator": cooperator})


@role_required(Role.GIE_ADMIN, Role.GIE_ACCOUNTANT)
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of cooperatives or cooperators; show the row-by-row report in French and Arabic."""
    context: dict[str, Any] = {"kind": request.POST.get("kind", "members")}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choisissez un fichier CSV ou XLSX."))
            return render(request, "members/import.html", context)
        service = imports.cooperators_import if context["kind"] == "cooperators" else imports.members_import
        try:
            result = service(filename=upload.name or "", content=upload.read(), acting_user=request.user)
        except ImportRefused as refused:
            context["errors"] = refused.report.as_rows()
            messages.error(request, _("Import refusé : aucune ligne n'a été enregistrée."))
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("%(count)d lignes importées.") % {"count": result.created})
            return redirect("members:list")
    return render(request, "members/import.html", context)
