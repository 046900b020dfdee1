"""Catalogue pages: members' products (list with search and filters, create and edit with a photo or a pictogram),
the import of a sheet of products, and price labels as PDF. The GIE's staff and auditor read; its administrator and
accountant write; a cooperative's representative sees its products in the portal and gets 403 here."""

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from gie_erp.core.access import role_required
from gie_erp.core.audit import audit_history
from gie_erp.core.exports import content_disposition, table_response
from gie_erp.core.forms import AmountField
from gie_erp.core.imports import ImportReport, import_with_report, upload_content
from members.models import Organization
from sales.catalogue import (
    PICTOGRAMS,
    PRODUCT_FIELDS,
    pictogram_static,
    product_save,
    product_search,
    vat_codes_for,
    vat_rates_valid,
)
from sales.catalogue_import import PRODUCT_LIMITS, product_column_guide, products_import
from sales.labels import MAX_LABELS, PER_PAGE, labels_pdf
from sales.models import Product
from sales.photos import PhotoField
from sales.selectors import products_for
from sales.views.access import PAGE_SIZE, READ, WRITE, export_format, query_without, writes

ACTIVE_FILTERS = {"1": True, "0": False}


class ProductForm(forms.ModelForm[Product]):
    """A product as a person edits it. The member is chosen once; the VAT choices are the member's (``exonere-91``
    alone for an art. 91 member); the service checks everything again."""

    organization = forms.ModelChoiceField(
        label=gettext_lazy("Membre"),
        queryset=Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).order_by("legal_name_fr"),
    )
    price = AmountField(label=gettext_lazy("Prix TTC (DH)"))
    vat_code = forms.ChoiceField(label=gettext_lazy("TVA"), choices=())
    pictogram = forms.ChoiceField(label=gettext_lazy("Pictogramme"), required=False, choices=())
    photo = PhotoField(
        label=gettext_lazy("Photo"),
        required=False,
        help_text=gettext_lazy("JPEG ou PNG ; réduite à 800 pixels pour la caisse."),
    )

    class Meta:
        model = Product
        fields = ("organization", "code", "name_fr", "name_ar", "unit", "price", "vat_code", "pictogram", "photo",
                  "is_active")  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # an existing product offers its member's codes; a new one every valid code, since the member may change
        # in the form: the service refuses a code the member may not use, and says why
        member = self.instance.organization if self.instance.pk else None
        rates = vat_codes_for(member, today) if member is not None else vat_rates_valid(today)
        vat_field, pictogram_field = self.fields["vat_code"], self.fields["pictogram"]
        assert isinstance(vat_field, forms.ChoiceField)  # declared above
        assert isinstance(pictogram_field, forms.ChoiceField)
        vat_field.choices = [(rate.code, f"{rate.label_fr} ({rate.code})") for rate in rates]
        pictogram_field.choices = [("", "—"), *((name, label) for name, label in PICTOGRAMS.items())]
        self.fields["code"].help_text = gettext_lazy("Lettres sans accent, chiffres et tirets ; unique chez ce membre.")
        self.fields["code"].widget.attrs["dir"] = "ltr"
        self.fields["name_ar"].widget.attrs["dir"] = "rtl"
        if self.instance.pk is not None:
            self.fields["organization"].disabled = True
            self.fields["organization"].required = False
            self.initial["organization"] = self.instance.organization_id

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned fields the service takes; the photo only when it changed (a new file, or cleared)."""
        data = {name: self.cleaned_data[name] for name in PRODUCT_FIELDS if name != "photo"}
        photo = self.cleaned_data.get("photo")
        if photo is False:
            data["photo"] = None
        elif photo is not None and "photo" in self.changed_data:
            data["photo"] = photo
        return data


def _filters(request: HttpRequest) -> dict[str, Any]:
    member = request.GET.get("member", "")
    organization = Organization.objects.filter(slug=member).first() if member else None
    return {
        "query": request.GET.get("q", "").strip()[:100],
        "organization_id": organization.pk if organization is not None else None,
        "active": ACTIVE_FILTERS.get(request.GET.get("active", "")),
    }


def _products(request: HttpRequest) -> Any:
    return product_search(products_for(request.user), **_filters(request))


def _export_rows(products: Any) -> Iterator[Sequence[Any]]:
    yes, no = _("oui"), _("non")
    for product in products.iterator(chunk_size=2000):
        yield (
            product.organization.slug,
            product.code,
            product.name_fr,
            product.name_ar,
            product.get_unit_display(),
            product.price,
            product.vat_code,
            product.scan_code,
            product.pictogram,
            yes if product.is_active else no,
        )


@role_required(*READ)
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    products = _products(request)
    fmt = export_format(request)
    if fmt:
        headers = [_("Membre"), _("Code"), _("Nom (français)"), _("Nom (arabe)"), _("Unité"), _("Prix TTC"),
                   _("TVA"), _("Code à scanner"), _("Pictogramme"), _("En vente")]  # fmt: skip
        return table_response(
            filename="produits", fmt=fmt, headers=headers, rows=_export_rows(products), sheet_name=_("Produits")
        )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    members = Organization.objects.filter(products__isnull=False).distinct().order_by("legal_name_fr")
    return render(
        request,
        "sales/catalogue/list.html",
        {
            "page": page,
            "query": query_without(request),
            "q": request.GET.get("q", ""),
            "member": request.GET.get("member", ""),
            "active": request.GET.get("active", ""),
            "members": members,
            "can_write": writes(request.user),
            "pictograms": {name: pictogram_static(name) for name in PICTOGRAMS},
            "per_page": PER_PAGE,
        },
    )


def _product(request: HttpRequest, product_id: int) -> Product:
    product = products_for(request.user).filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


@role_required(*READ)
@require_GET
def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(request, product_id)
    return render(
        request,
        "sales/catalogue/detail.html",
        {
            "product": product,
            "pictogram": pictogram_static(product.pictogram),
            "can_write": writes(request.user),
            "history": audit_history(user=request.user, target_type=product._meta.label_lower, target_id=product.pk),
        },
    )


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int | None = None) -> HttpResponse:
    """Create a product, or change one; the service validates again (VAT against the member) and audits."""
    product = _product(request, product_id) if product_id is not None else None
    initial = {"organization": request.GET.get("member_id")} if product is None else None
    form = ProductForm(request.POST or None, request.FILES or None, instance=product, initial=initial)
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data.get("organization") if product is None else None
        try:
            saved = product_save(
                product=product, organization=organization, data=form.data_for_service(), acting_user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(name)s enregistré.") % {"name": saved.name_fr})
            return redirect("sales:product_detail", product_id=saved.pk)
    return render(request, "sales/catalogue/form.html", {"form": form, "product": product})


def _add_errors(form: ProductForm, error: ValidationError) -> None:
    """The service's refusals on their fields (a rule about no field of the form above it)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.error_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@role_required(*WRITE)
@require_http_methods(["GET", "POST"])
def product_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/XLSX of products; the row-by-row report is in French and Arabic."""
    context: dict[str, Any] = {"guide": product_column_guide()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choisissez un fichier CSV ou XLSX."))
            return render(request, "sales/catalogue/import.html", context)
        name = upload.name or ""
        report: ImportReport | None = import_with_report(
            request,
            context,
            lambda: products_import(
                filename=name, content=upload_content(upload, PRODUCT_LIMITS), acting_user=request.user
            ),
        )
        if report is not None:
            text = ngettext(
                "%(count)d ligne lue : %(written)d produit créé ou modifié.",
                "%(count)d lignes lues : %(written)d produits créés ou modifiés.",
                report.rows_read,
            )
            messages.success(request, text % {"count": report.rows_read, "written": report.rows_written})
            return redirect("sales:product_list")
    return render(request, "sales/catalogue/import.html", context)


@role_required(*WRITE)
@require_GET
def product_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """A sheet to fill in: the header row only (the import page shows an example per column)."""
    return table_response(
        filename="modele-produits",
        fmt=fmt,
        headers=[column.name for column in product_column_guide()],
        rows=[],
        sheet_name=_("Produits"),
    )


@role_required(*READ)
@require_GET
def product_labels(request: HttpRequest) -> HttpResponse:
    """Price labels of the listed products (the list's filters, or ``product=<id>`` for one), ``copies`` each,
    EAN-13 bars with ``bars=1``."""
    products = _products(request)
    one = request.GET.get("product", "")
    if one:
        products = products.filter(pk=int(one)) if one.isdigit() else products.none()
    copies_text = request.GET.get("copies", "1")
    copies = int(copies_text) if copies_text.isdigit() else 0
    selected = list(products.select_related("organization")[: MAX_LABELS + 1])
    if not selected or not 1 <= copies <= PER_PAGE or len(selected) * copies > MAX_LABELS:
        messages.error(
            request,
            _(
                "Étiquettes : choisissez au moins un produit, de 1 à %(copies)d exemplaires, "
                "%(most)d étiquettes au plus."
            )
            % {"copies": PER_PAGE, "most": MAX_LABELS},
        )
        return redirect(f"{reverse('sales:product_list')}?{query_without(request, 'copies', 'bars', 'product')}")
    pdf = labels_pdf(selected, copies=copies, bars=request.GET.get("bars") == "1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition("etiquettes-prix.pdf", inline=True)
    return response


urlpatterns: list[URLPattern] = [
    path("products/", product_list, name="product_list"),
    path("products/new/", product_edit, name="product_new"),
    path("products/import/", product_import, name="product_import"),
    path("products/import/template.csv", product_import_template, {"fmt": "csv"}, name="product_import_template"),
    path("products/import/template.xlsx", product_import_template, {"fmt": "xlsx"}, name="product_import_template"),
    path("products/labels.pdf", product_labels, name="product_labels"),
    path("products/<int:product_id>/", product_detail, name="product_detail"),
    path("products/<int:product_id>/edit/", product_edit, name="product_edit"),
]
