"""Pages for members and cooperators. Parse, call one selector or service, render."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gie_erp.core.exports import table_response
from members import selectors

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
