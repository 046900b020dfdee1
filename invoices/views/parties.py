"""Invoicing pages: the register of customers and suppliers (list, file, form, import). The register is the GIE's:
its staff and auditor read it, its administrator and accountant change it, everyone else gets 403."""

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db.models import Field, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.exports import table_response
from gie_erp.core.import_pages import import_page
from gie_erp.core.imports import ImportReport
from gie_erp.core.money import ZERO
from gie_erp.core.roles import ALL_BOOKS_ROLES, WRITE_ROLES
from invoices.models import Party
from invoices.parties import (
    MAX_PAYMENT_TERMS_DAYS,
    MEMBER_FIELDS,
    PARTY_FIELDS,
    PARTY_LIMITS,
    ice_taken_error,
    parties_import,
    party_column_guide,
    party_get,
    party_ice_owner,
    party_save,
    party_search,
)
from invoices.selectors import party_documents
from members.legal_ids import normalize_ice

PAGE_SIZE = 50
EXPORTS = {"csv", "xlsx"}
READ = tuple(ALL_BOOKS_ROLES)
WRITE = tuple(WRITE_ROLES)
ROLE_FILTERS = {"customer", "supplier"}
ACTIVE_FILTERS = {"1": True, "0": False}
#: the columns of the list's export, in order (the headers are the fields' own names, in the reader's language)
EXPORT_FIELDS = (
    "code",
    "legal_name_fr",
    "legal_name_ar",
    "kind",
    "ice",
    "if_number",
    "rc_number",
    "address",
    "city",
    "phone",
    "email",
    "language",
    "payment_terms_days",
    "is_customer",
    "is_supplier",
    "is_active",
)


class PartyForm(forms.ModelForm[Party]):
    """A party's identity and terms. The code is the key an import updates by: fixed once created. A member's party
    shows its member's identity without letting it be changed here."""

    # room for the spaces and dots people type between the groups of digits; clean_ice removes them
    ice = forms.CharField(
        label=gettext_lazy("ICE"),
        required=False,
        max_length=24,
        help_text=gettext_lazy("ICE : 15 chiffres avec sa clé"),
    )

    class Meta:
        model = Party
        fields = PARTY_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        terms = self.fields["payment_terms_days"]
        terms.validators.append(MaxValueValidator(MAX_PAYMENT_TERMS_DAYS))
        terms.widget.attrs.update({"max": MAX_PAYMENT_TERMS_DAYS, "min": 0})
        self.fields["code"].help_text = gettext_lazy("Lettres sans accent, chiffres et tirets : la clé de l'import.")
        for name in ("ice", "if_number", "rc_number", "phone", "email", "code"):
            self.fields[name].widget.attrs["dir"] = "ltr"
        if self.instance.pk is not None:
            self.fields["code"].disabled = True
        if self.instance.organization_id is not None:
            for name in MEMBER_FIELDS:  # the page says why, once, above the form
                self.fields[name].disabled = True
        first = next(name for name, field in self.fields.items() if not field.disabled)
        self.fields[first].widget.attrs["autofocus"] = True

    def clean_ice(self) -> str:
        """Spaces and dots typed in an ICE are dropped; an ICE already in the register names its holder."""
        ice: str = self.cleaned_data.get("ice", "")
        if not ice or self.fields["ice"].disabled:
            return ice
        ice = normalize_ice(ice)
        owner = party_ice_owner(ice=ice, exclude_id=self.instance.pk)
        if owner is not None:
            raise ice_taken_error(owner)
        return ice

    def focus_first_error(self) -> None:
        """Put the cursor in the first field to correct (keyboard users land where the problem is)."""
        wrong = [name for name in self.fields if name in self.errors]
        if wrong:
            for field in self.fields.values():
                field.widget.attrs.pop("autofocus", None)
            self.fields[wrong[0]].widget.attrs["autofocus"] = True


def _filters(query: Any) -> dict[str, Any]:
    kind = query.get("kind", "")
    role = query.get("role", "")
    return {
        "query": query.get("q", "").strip(),
        "kind": kind if kind in Party.Kind.values else "",
        "role": role if role in ROLE_FILTERS else "",
        "active": ACTIVE_FILTERS.get(query.get("active", "")),
    }


def _label(name: str) -> str:
    field = Party._meta.get_field(name)
    assert isinstance(field, Field)  # the names below are Party's own columns, never a relation's reverse side
    return str(capfirst(field.verbose_name))


def _labels(names: Sequence[str]) -> dict[str, str]:
    """The fields' own names, in the reader's language: one wording for the form, the file and the export."""
    return {name: _label(name) for name in names}


def _export_rows(parties: Any) -> Iterator[Sequence[Any]]:
    yes, no = _("oui"), _("non")
    for party in parties.iterator(chunk_size=2000):
        yield (
            party.code,
            party.legal_name_fr,
            party.legal_name_ar,
            party.get_kind_display(),
            party.ice,
            party.if_number,
            party.rc_number,
            party.address,
            party.city,
            party.phone,
            party.email,
            party.get_language_display(),
            party.payment_terms_days,
            yes if party.is_customer else no,
            yes if party.is_supplier else no,
            yes if party.is_active else no,
        )


@role_required(*READ)
@require_GET
def party_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request.GET)
    parties = party_search(user=request.user, **filters)
    fmt = request.GET.get("export", "")
    if fmt in EXPORTS:
        return table_response(
            filename="clients-fournisseurs",
            fmt=fmt,
            headers=list(_labels(EXPORT_FIELDS).values()),
            rows=_export_rows(parties),
            sheet_name=_("Clients et fournisseurs"),
        )
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "invoices/parties/list.html",
        {
            "page": page,
            "filters": filters,
            "active": request.GET.get("active", ""),
            "kinds": Party.Kind.choices,
            "query": query.urlencode(),
        },
    )


@role_required(*READ)
@require_GET
def party_detail(request: HttpRequest, party_id: int) -> HttpResponse:
    party = party_get(user=request.user, party_id=party_id)
    documents = party_documents(party)
    return render(
        request,
        "invoices/parties/detail.html",
        {
            "party": party,
            "documents": documents[:50],
            "document_count": documents.count(),
            "balance_due": documents.aggregate(due=Sum("left"))["due"] or ZERO,
            "labels": _labels(PARTY_FIELDS),
            "history": audit_history(user=request.user, target_type=party._meta.label_lower, target_id=party.pk),
        },
    )


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def party_edit(request: HttpRequest, party_id: int | None = None) -> HttpResponse:
    """Create a party, or change one; the service validates again and audits."""
    party = party_get(user=request.user, party_id=party_id) if party_id is not None else None
    form = PartyForm(request.POST or None, instance=party)
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in PARTY_FIELDS if not form.fields[name].disabled}
            try:
                saved = party_save(party=party, data=data, acting_user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s enregistré.") % {"name": saved.legal_name_fr})
                return redirect("invoices:party_detail", party_id=saved.pk)
        form.focus_first_error()
    return render(request, "invoices/parties/form.html", {"form": form, "party": party})


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def party_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of customers and suppliers; the row-by-row report is in French and Arabic."""

    def written(report: ImportReport) -> str:
        text = ngettext(
            "%(count)d ligne lue : %(written)d fiche créée ou modifiée.",
            "%(count)d lignes lues : %(written)d fiches créées ou modifiées.",
            report.rows_read,
        )
        return text % {"count": report.rows_read, "written": report.rows_written}

    return import_page(
        request,
        template="invoices/parties/import.html",
        context={"guide": party_column_guide()},
        limits=PARTY_LIMITS,
        run=lambda name, content: parties_import(filename=name, content=content, acting_user=request.user),
        success=written,
        success_url="invoices:party_list",
    )


@role_required(*WRITE)
@require_GET
def party_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """A sheet to fill in: the header row only (an example row left in would be imported as a real party; the
    import page shows an example per column)."""
    return table_response(
        filename="modele-clients-fournisseurs",
        fmt=fmt,
        headers=[column.name for column in party_column_guide()],
        rows=[],
        sheet_name=_("Clients et fournisseurs"),
    )


urlpatterns: list[URLPattern] = [
    path("parties/", party_list, name="party_list"),
    path("parties/new/", party_edit, name="party_new"),
    path("parties/import/", party_import, name="party_import"),
    # one name, two files: {% url "invoices:party_import_template" fmt="csv" %} (no parameter in the route)
    path("parties/import/template.csv", party_import_template, {"fmt": "csv"}, name="party_import_template"),
    path("parties/import/template.xlsx", party_import_template, {"fmt": "xlsx"}, name="party_import_template"),
    path("parties/<int:party_id>/", party_detail, name="party_detail"),
    path("parties/<int:party_id>/edit/", party_edit, name="party_edit"),
]
