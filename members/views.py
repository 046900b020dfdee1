"""Pages for members and cooperators. Parse, call one selector or service, render."""

import re
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gie_erp.core.audit import audit_history, reads_audit
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


#: a legal reference that starts by restating the status ("Exonérée de TVA — CGI art. 91…"): shown once, not twice
_VAT_STATUS_PREFIX = re.compile(
    r"^\s*(exon[ée]r[ée]e?s?|assujetti[e]?s?)(\s+(de|à)\s+(la\s+)?tva)?\s*[—–:,;-]*\s*", re.IGNORECASE
)


def vat_reference(reference: str) -> str:
    """The VAT legal reference without a leading restatement of the status it comes after on the page."""
    return _VAT_STATUS_PREFIX.sub("", reference, count=1).strip()


def member_detail(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A member's file; GIE staff and auditors also get the links to its book and audit log, and its history."""
    user: Any = request.user
    org = selectors.organization_get(user=user, slug=org_slug)
    staff = reads_audit(user)  # the roles that see every book (a representative sees neither book page nor audit)
    return render(
        request,
        "members/member_detail.html",
        {
            "org": org,
            "vat_reference": vat_reference(org.vat_legal_reference),
            "has_book": staff and hasattr(org, "book"),  # a member added in the admin has no book until one is opened
            "shows_audit": staff,
            "history": audit_history(user=user, target_type=org._meta.label_lower, target_id=org.pk, limit=20),
        },
    )


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
