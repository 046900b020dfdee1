"""Invoicing pages: a multi-member order (bundle): its documents and cover total, validate all, the bundle PDF.
The GIE's staff only (a bundle spans several cooperatives)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import content_disposition
from gie_erp.core.idempotency import retry_once_on_conflict
from gie_erp.core.money import ZERO
from invoices import selectors, services
from invoices.views.documents import LANGUAGES, READ, WRITE, local_today, writes

# Bundles ---------------------------------------------------------------------------------------------------------


@role_required(*READ)
@require_GET
def bundle_detail(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """The cover page of a customer order spanning several issuers: its documents and the total."""
    bundle = selectors.bundle_get(user=request.user, bundle_id=bundle_id)
    documents = list(bundle.documents.select_related("issuer").order_by("pk"))
    return render(
        request,
        "invoices/documents/bundle.html",
        {
            "bundle": bundle,
            "documents": documents,
            "total_net": sum((d.total_net for d in documents), ZERO),
            "total_vat": sum((d.total_vat for d in documents), ZERO),
            "total_gross": sum((d.total_gross for d in documents), ZERO),
            "drafts": sum(1 for d in documents if d.is_draft),
            "can_write": writes(request.user),
        },
    )


@role_required(*WRITE)
@require_POST
def bundle_validate(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """Validate every document of the bundle, all or none."""
    bundle = selectors.bundle_get(user=request.user, bundle_id=bundle_id)
    try:
        done = retry_once_on_conflict(
            lambda _attempt: services.bundle_validate(bundle=bundle, acting_user=request.user, today=local_today())
        )
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("%(count)s documents validés.") % {"count": len(done)})
    return redirect("invoices:bundle_detail", bundle_id=bundle.pk)


@role_required(*READ)
@require_GET
def bundle_pdf(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """The order as the customer receives it: the cover with the total, then every validated document."""
    bundle = selectors.bundle_get(user=request.user, bundle_id=bundle_id)
    wanted = request.GET.get("lang", "")
    language = wanted if wanted in LANGUAGES else (get_language() or "fr")[:2]
    from invoices.pdf import bundle_pdf as render_bundle  # weasyprint and fonts: loaded when a PDF is asked for

    try:
        content = render_bundle(bundle, language)
    except DomainError as error:
        messages.error(request, error.message())
        return redirect("invoices:bundle_detail", bundle_id=bundle.pk)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"commande-{bundle.reference or bundle.pk}.pdf"
    response["Content-Disposition"] = content_disposition(name, inline=True)
    return response


urlpatterns: list[URLPattern] = [
    path("bundles/<int:bundle_id>/", bundle_detail, name="bundle_detail"),
    path("bundles/<int:bundle_id>/validate/", bundle_validate, name="bundle_validate"),
    path("bundles/<int:bundle_id>/pdf/", bundle_pdf, name="bundle_pdf"),
]
