"""JSON API for members, scoped like the pages (a miss is a 404)."""

from typing import Any

from django.http import HttpRequest, JsonResponse

from members import selectors
from members.models import Cooperator, Organization


def _organization_json(org: Organization) -> dict[str, Any]:
    return {
        "slug": org.slug,
        "kind": org.kind,
        "legal_name_fr": org.legal_name_fr,
        "legal_name_ar": org.legal_name_ar,
        "ice": org.ice,
        "commune": org.commune.name_fr if org.commune else None,
        "sector": org.sector,
        "is_women_cooperative": org.is_women_cooperative,
        "vat_status": org.vat_status,
        "capital_share": str(org.capital_share),
    }


def _cooperator_json(c: Cooperator) -> dict[str, Any]:
    return {
        "id": c.pk,
        "organization": c.organization.slug,
        "first_name_fr": c.first_name_fr,
        "last_name_fr": c.last_name_fr,
        "full_name_ar": c.full_name_ar,
        "gender": c.gender,
        "function": c.function,
        "is_active": c.is_active,
    }


def member_list(request: HttpRequest) -> JsonResponse:
    orgs = selectors.organization_list(user=request.user, search=request.GET.get("q", ""))
    return JsonResponse({"results": [_organization_json(o) for o in orgs]})


def member_detail(request: HttpRequest, org_slug: str) -> JsonResponse:
    return JsonResponse(_organization_json(selectors.organization_get(user=request.user, slug=org_slug)))


def cooperator_list(request: HttpRequest, org_slug: str) -> JsonResponse:
    org = selectors.organization_get(user=request.user, slug=org_slug)
    rows = selectors.cooperator_list(user=request.user, organization=org).select_related("organization")
    return JsonResponse({"results": [_cooperator_json(c) for c in rows]})


def cooperator_detail(request: HttpRequest, cooperator_id: int) -> JsonResponse:
    return JsonResponse(_cooperator_json(selectors.cooperator_get(user=request.user, cooperator_id=cooperator_id)))
