"""The year-end page: the GIE's result for a year, the transfer to its members by a key (preview, confirmation,
post with the result the accountant saw), the transfer in place and its undo with a reason."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response
from gie_erp.fees.forms import ReasonForm, ZeroForm
from gie_erp.fees.models import Key, ZeroResult
from gie_erp.fees.views import READ, can_write, expected_amount, export_format
from gie_erp.fees.zero_result import (
    ZeroPreview,
    check_year_ended,
    gie_result,
    zero_result_current,
    zero_result_post,
    zero_result_preview,
    zero_result_undo,
)


def _form(request: HttpRequest) -> ZeroForm:
    data = request.POST if request.method == "POST" else request.GET
    if "year" in data:
        return ZeroForm(data)
    today = timezone.localdate()  # from December on, the year being closed is this one
    return ZeroForm(initial={"year": today.year if today.month == 12 else today.year - 1, "key": Key.FEES})


def _page(request: HttpRequest, form: ZeroForm, reason_form: ReasonForm | None = None) -> HttpResponse:
    year = form.cleaned_data["year"] if form.is_valid() else form.initial.get("year")
    key = form.cleaned_data["key"] if form.is_valid() else Key.FEES
    context: dict[str, Any] = {"form": form, "year": year, "key": key, "can_write": can_write(request)}
    if year is not None:
        context["result"] = gie_result(int(year))
        current = zero_result_current(int(year))
        context["current"] = current
        if current is not None:
            context["current_shares"] = current.shares.select_related("organization")
        context["history"] = ZeroResult.objects.filter(year=year).order_by("-generation")
        try:
            context["preview"] = zero_result_preview(int(year), key) if current is None else None
        except DomainError as error:
            context["refusal"] = error.message()
        try:
            check_year_ended(int(year))
        except DomainError as error:  # previewed, transferred from 1 January after it
            context["not_ended"] = error.message()
    context["reason_form"] = reason_form or ReasonForm()
    context["query"] = urlencode({"year": year or "", "key": key})
    return render(request, "fees/zero.html", context)


def _export(preview: ZeroPreview, fmt: str) -> HttpResponse:
    headers = [_("Code"), _("Membre"), _("Poids"), _("Part exacte"), _("Montant")]
    rows = [
        (preview.members[ln.key].slug, preview.members[ln.key].legal_name_fr, ln.weight, ln.exact, ln.share)
        for ln in preview.split.lines
    ]
    return table_response(
        filename=f"resultat-nul-{preview.year}", fmt=fmt, headers=headers, rows=rows, sheet_name=_("Résultat nul")
    )


@role_required(*READ)
@require_http_methods(["GET", "POST"])
def zero_result(request: HttpRequest) -> HttpResponse:
    """GET: the year's result and the preview (export CSV/XLSX). POST ``action=post``: the confirmation, then
    (``confirmed``) the transfer; ``action=undo``: the reversal, with a reason."""
    form = _form(request)
    if request.method == "GET":
        fmt = export_format(request)
        if fmt and form.is_valid():
            try:
                return _export(zero_result_preview(form.cleaned_data["year"], form.cleaned_data["key"]), fmt)
            except DomainError as error:
                messages.error(request, error.message())
        return _page(request, form)
    if not can_write(request):
        raise PermissionDenied
    if not form.is_valid():
        return _page(request, form)
    year, key = form.cleaned_data["year"], form.cleaned_data["key"]
    back = f"{reverse('fees:zero_result')}?{urlencode({'year': year, 'key': key})}"
    if request.POST.get("action") == "undo":
        return _undo(request, form, year, back)
    expected = expected_amount(request.POST.get("expected", ""))
    if expected is None:
        messages.error(request, _("Aperçu manquant : affichez l'aperçu avant de passer le transfert."))
        return redirect(back)
    if request.POST.get("confirmed") != "1":
        try:
            check_year_ended(year)  # said before the confirmation, not after it
            preview = zero_result_preview(year, key)
        except DomainError as error:
            messages.error(request, error.message())
            return redirect(back)
        return render(
            request,
            "fees/zero_confirm.html",
            {"form": form, "preview": preview, "expected": expected, "back": back, "key_label": Key(key).label,
             "changed": expected != preview.result},
        )  # fmt: skip
    try:
        zero_result_post(year=year, key=key, expected_result=expected, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Transfert passé : le résultat %(year)s du GIE est à 0,00.") % {"year": year})
    return redirect(back)


def _undo(request: HttpRequest, form: ZeroForm, year: int, back: str) -> HttpResponse:
    current = zero_result_current(year)
    reason_form = ReasonForm(request.POST)
    if current is None:
        messages.error(request, _("Aucun transfert en place pour %(year)s.") % {"year": year})
        return redirect(back)
    if not reason_form.is_valid():
        return _page(request, form, reason_form)
    try:
        zero_result_undo(zero=current, reason=reason_form.cleaned_data["reason"], acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Transfert contre-passé au 31/12/%(year)s.") % {"year": year})
    return redirect(back)


urlpatterns: list[URLPattern] = [
    path("zero-result/", zero_result, name="zero_result"),
]
