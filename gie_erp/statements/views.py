"""Statement pages: launch a batch and follow its progress (GIE staff), download one statement (portal).

Launching a batch only creates it and returns. The detail page then polls ``batch_progress`` with htmx every second
and shows done / total and failures until the bundle is ready. With Celery workers the tasks queued on commit do the
work and a poll only reads; without a broker (eager mode) each poll also renders the next slice of statements in the
request (``statement_batch_advance``), so the page looks and behaves the same either way, and a batch left half done
(server restarted, page closed) resumes the next time its page is open.
"""

from datetime import date
from typing import Any

from django import forms
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.exports import content_disposition
from gie_erp.core.roles import Role
from gie_erp.statements.models import StatementBatch
from gie_erp.statements.selectors import statement_organization_get
from gie_erp.statements.services import (
    StatementError,
    check_month,
    statement_batch_advance,
    statement_batch_create,
    statement_batch_printed_on,
    statement_batch_progress,
    statement_file_name,
    statement_pdf,
)
from gie_erp.statements.tasks import statement_batch_dispatch, tasks_run_in_process
from members.models import Organization

STAFF = (Role.GIE_ADMIN, Role.GIE_ACCOUNTANT)
READERS = (Role.GIE_ADMIN, Role.GIE_ACCOUNTANT, Role.AUDITOR)
SLICE_SECONDS = 1.0  # eager mode: statements rendered per poll, about one second of work


class BatchForm(forms.Form):
    period = forms.RegexField(
        label=gettext_lazy("Mois"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": gettext_lazy("Indiquez un mois au format AAAA-MM.")},
    )
    member = forms.ModelChoiceField(
        label=gettext_lazy("Coopérative (toutes si vide)"),
        queryset=Organization.objects.filter(kind=Organization.Kind.COOPERATIVE, book__isnull=False).order_by(
            "legal_name_fr"
        ),
        to_field_name="slug",
        required=False,
    )

    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["period"].split("-")
        return int(year), int(month)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    """The form that prints a month's statements (all members or one), and the latest batches."""
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year, month = form.year_month()
        member = form.cleaned_data["member"]
        try:
            batch = statement_batch_create(
                year=year, month=month, acting_user=request.user, member_slug=member.slug if member else ""
            )
        except StatementError as error:
            form.add_error(None, str(error))
        else:
            if not tasks_run_in_process():  # workers render it; in eager mode the progress page drives the work
                printed_on = statement_batch_printed_on(batch).isoformat()
                transaction.on_commit(lambda: statement_batch_dispatch.delay(batch.pk, printed_on))
            return redirect("statements:batch_detail", batch_id=batch.pk)
    batches = StatementBatch.objects.all()[:10]
    return render(request, "statements/batch_new.html", {"form": form, "batches": batches})


def _progress_context(batch: StatementBatch) -> dict[str, Any]:
    items = batch.items.select_related("organization").order_by("organization__slug")
    return {
        "batch": batch,
        "progress": statement_batch_progress(batch),
        "items": [(item, item.file_name.rsplit("/", 1)[-1]) for item in items],
        "bundle": batch.bundle_name.rsplit("/", 1)[-1] if batch.bundle_name else "",
    }


@role_required(*READERS)
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Progress of a batch (refreshed by htmx until it is finished) and its files."""
    batch = get_object_or_404(StatementBatch, pk=batch_id)
    return render(request, "statements/batch_detail.html", _progress_context(batch))


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The progress fragment of the detail page. A POST (the page's poll) first renders the next slice of statements
    when tasks run in process; once the batch is finished the answer is HTTP 286, which stops htmx polling."""
    batch = get_object_or_404(StatementBatch, pk=batch_id)
    if request.method == "POST" and tasks_run_in_process() and not statement_batch_progress(batch).is_finished:
        statement_batch_advance(batch_id=batch.pk, budget_seconds=SLICE_SECONDS)
        batch.refresh_from_db()
    context = _progress_context(batch)
    status = 286 if request.method == "POST" and context["progress"].is_finished else 200
    return render(request, "statements/_batch_progress.html", context, status=status)


@role_required(*READERS)
def batch_file(request: HttpRequest, batch_id: int, file_name: str) -> FileResponse:
    """One PDF of a batch (a member's statement or the bundle), only if the batch produced it."""
    batch = get_object_or_404(StatementBatch, pk=batch_id)
    names = [*batch.items.exclude(file_name="").values_list("file_name", flat=True), batch.bundle_name]
    name = next((n for n in names if n and n.rsplit("/", 1)[-1] == file_name), None)
    if name is None or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(file_name, inline=True)
    return response


def statement_download(request: HttpRequest, org_slug: str, year: int, month: int) -> HttpResponse:
    """A cooperative's statement rendered now, for anyone who may see that cooperative (others get 404)."""
    organization = statement_organization_get(user=request.user, slug=org_slug)
    try:
        check_month(year, month)
    except StatementError:
        raise Http404 from None
    if date(year, month, 1) > timezone.localdate():
        raise Http404(_("Ce mois n'a pas encore commencé."))
    pdf = statement_pdf(organization=organization, year=year, month=month, printed_on=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = statement_file_name(slug=organization.slug, year=year, month=month)
    response["Content-Disposition"] = content_disposition(name, inline=True)
    return response
