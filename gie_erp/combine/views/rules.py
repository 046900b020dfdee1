"""The pair list's pages: the list (every rule, active or not, exportable) and the form to add a rule or change one
(deactivating it is unticking *active*: a rule is never deleted)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.combine.forms import PairRuleForm
from gie_erp.combine.models import PairRule
from gie_erp.combine.services import RULE_FIELDS, pair_rule_save
from gie_erp.combine.views import READ, WRITE, can_write
from gie_erp.core.access import role_required
from gie_erp.core.errors import DomainError
from gie_erp.core.exports import table_response

EXPORTS = frozenset({"csv", "xlsx"})


@role_required(*READ)
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = PairRule.objects.order_by("-active", "order", "pk")
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        headers = [_("Ordre"), _("Code"), _("Intitulé"), _("Intitulé (arabe)"), _("Comptes du premier côté"),
                   _("Livre du premier côté"), _("Comptes du second côté"), _("Livre du second côté"), _("Active"),
                   _("Note")]  # fmt: skip
        rows = (
            (r.order, r.key, r.label_fr, r.label_ar, r.left, r.get_left_book_display(), r.right,
             r.get_right_book_display(), r.active, r.note)
            for r in rules
        )  # fmt: skip
        return table_response(filename="paires-eliminations", fmt=fmt, headers=headers, rows=rows,
                              sheet_name=_("Paires"))  # fmt: skip
    return render(request, "combine/rules/list.html", {"rules": rules, "can_write": can_write(request)})


def _data(form: PairRuleForm) -> dict[str, Any]:
    data = {name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data}
    if data.get("order") is None:
        data.pop("order", None)  # placed last
    return data


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_key: str | None = None) -> HttpResponse:
    """Add a pair, or change one; ``services.pair_rule_save`` checks it against the chart and audits it."""
    rule = get_object_or_404(PairRule, key=rule_key) if rule_key is not None else None
    form = PairRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = pair_rule_save(rule=rule, data=_data(form), acting_user=request.user)
        except DomainError as error:
            form.add_error(None, error.message())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Paire %(key)s enregistrée.") % {"key": saved.key})
            return redirect("combine:rule_list")
    return render(request, "combine/rules/form.html", {"form": form, "rule": rule})
