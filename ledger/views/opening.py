"""Opening balances of many books from one sheet, all or nothing."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.imports import import_with_report, upload_content
from ledger.opening import OPENING_LIMITS, opening_balances_import
from ledger.views.common import (
    WRITE,
    parse_date,
)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def opening_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        opened_on = parse_date(request.POST.get("opened_on", ""))
        if upload is None or opened_on is None:
            messages.error(request, _("Choisissez un fichier et une date d'ouverture."))
        else:
            name = upload.name or ""
            refs = import_with_report(
                request,
                context,
                lambda: opening_balances_import(
                    filename=name,
                    content=upload_content(upload, OPENING_LIMITS),
                    opened_on=opened_on,
                    acting_user=request.user,
                ),
            )
            if refs is not None:
                created = sum(1 for r in refs if r.created)
                if created:
                    text = ngettext(
                        "%(count)d écriture d'ouverture enregistrée.",
                        "%(count)d écritures d'ouverture enregistrées.",
                        created,
                    )
                    messages.success(request, text % {"count": created})
                else:
                    messages.info(request, _("Ces soldes d'ouverture étaient déjà importés : rien de nouveau."))
    return render(request, "ledger/opening_import.html", context)
