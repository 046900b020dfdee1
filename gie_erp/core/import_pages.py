"""The one shape of every import page: an upload form, the import run all or nothing, on success a message and a
redirect, on refusal the same page with the row-by-row report in French and Arabic, and the column guide with
links to an empty sheet to fill in (templates ``core/imports/_upload.html`` and its three parts).

A view gives what differs — its template, its context (the column ``guide``), the import's limits, the service to
run on the file, the success message and where to go — and stays a few lines::

    return import_page(
        request,
        template="invoices/parties/import.html",
        context={"guide": party_column_guide()},
        limits=PARTY_LIMITS,
        run=lambda name, content: parties_import(filename=name, content=content, acting_user=request.user),
        success=lambda report: ngettext(...) % {...},
        success_url="invoices:party_list",
    )

An import that went through but has something to point out (a paper tally's lines at another price than the
catalogue's) gives ``notice``: its text, when not empty, follows the success message as a warning.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gie_erp.core.imports import ImportLimits, import_with_report, upload_content

Result = TypeVar("Result")


def import_page(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    limits: ImportLimits,
    run: Callable[[str, bytes], Result],
    success: Callable[[Result], str],
    success_url: str,
    notice: Callable[[Result], str] | None = None,
) -> HttpResponse:
    """GET shows the page; POST reads the file ``file`` (refused above ``limits`` before it is read) and calls
    ``run(file name, content)``. Its result gives the message ``success(result)`` (and ``notice(result)`` as a
    warning when it says something) and a redirect to ``success_url`` (a URL or a URL name); a refusal
    (``ImportRefused``: the rows in ``context["errors"]``, or another ``DomainError``: its message) shows the page
    again, nothing written."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choisissez un fichier CSV ou XLSX."))
        else:
            name = upload.name or ""
            result: Result | None = import_with_report(
                request, context, lambda: run(name, upload_content(upload, limits))
            )
            if result is not None:
                messages.success(request, success(result))
                warning = notice(result) if notice is not None else ""
                if warning:
                    messages.warning(request, warning)
                return redirect(success_url)
    return render(request, template, context)
