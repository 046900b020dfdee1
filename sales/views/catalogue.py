"""Catalogue pages: members' products (list with search and filters, create and edit with a photo or a pictogram),
the import of a sheet of products, and price labels as PDF. The GIE's staff and auditor read; its administrator and
accountant write; a cooperative's representative sees its products in the portal and gets 403 here."""

from collections.abc import Iterator, Sequence
from decimal import Decimal
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
from gie_erp.core.import_pages import import_page
from gie_erp.core.imports import ImportReport
from invoices.services import EXEMPT_CODE, STANDARD_CODE
from members.models import Organization
from sales.catalogue import (
    MIN_PRICE,
    PICTOGRAMS,
    PRODUCT_FIELDS,
    default_vat_code,
    member_movable,
    pictogram_static,
    price_too_low,
    product_save,
    product_search,
    vat_codes_for,
    vat_label,
    vat_labels,
    vat_rates_valid,
)
from sales.catalogue_import import PRODUCT_LIMITS, product_column_guide, products_import
from sales.forms import MemberChoiceField, cooperatives, member_label, sort_key
from sales.labels import MAX_LABELS, PER_PAGE, labels_pdf
from sales.models import Product
from sales.photos import PhotoField
from sales.selectors import products_for
from sales.views.access import PAGE_SIZE, READ, WRITE, export_format, query_without, writes

ACTIVE_FILTERS = {"1": True, "0": False}


class ProductForm(forms.ModelForm[Product]):
    """A product as a person edits it. The member may change while nothing refers to the product yet (no ticket
    line, no deposit); the VAT follows the member: ``exonere-91`` alone for an art. 91 member, and the default
    (exempt or 20 %) as long as the person did not choose another. The service checks everything again."""

    organization = MemberChoiceField(label=gettext_lazy("Membre"), queryset=cooperatives())
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
        # the member is the form's own field, not the model's: the (member, code) rule is the service's to check, in
        # its words on the code (Django's would be « Un objet Produit avec ces champs … existe déjà »)
        fields = ("code", "name_fr", "name_ar", "unit", "price", "vat_code", "pictogram", "photo", "is_active")

    field_order = ("organization", *Meta.fields)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        product = self.instance if self.instance.pk else None
        self.movable = product is None or member_movable(product)
        member_field = self.fields["organization"]
        if product is not None:
            self.initial["organization"] = product.organization_id
            if self.movable:
                member_field.help_text = gettext_lazy("Modifiable tant que le produit n'a ni vente ni dépôt.")
            else:
                member_field.disabled, member_field.required = True, False
                member_field.help_text = gettext_lazy(
                    "Ce produit a déjà des ventes ou un dépôt : son membre ne change plus."
                )
        self.initial_member = product.organization if product is not None else self._member(self.initial)
        # a product that may still change member offers every valid code (the service refuses one the member may
        # not use, and says why); one that may not, its member's codes only
        if product is not None and not self.movable:
            rates = vat_codes_for(product.organization, today)
        else:
            rates = vat_rates_valid(today)
        labels = vat_labels()
        choices = [(rate.code, labels.get(rate.code, rate.label_fr)) for rate in rates]
        if product is not None and product.vat_code not in {code for code, _label in choices}:
            choices.append((product.vat_code, vat_label(product.vat_code, labels)))  # no longer valid: still shown
        vat_field, pictogram_field = self.fields["vat_code"], self.fields["pictogram"]
        assert isinstance(vat_field, forms.ChoiceField)  # declared above
        assert isinstance(pictogram_field, forms.ChoiceField)
        vat_field.choices = choices
        if product is None:
            self.initial["vat_code"] = self._default_vat(self.initial_member)
        vat_field.widget.attrs.update({"data-exempt-code": EXEMPT_CODE, "data-standard-code": STANDARD_CODE})
        exempt = cooperatives().filter(vat_status=Organization.VatStatus.EXEMPT).values_list("pk", flat=True)
        member_field.widget.attrs["data-exempt"] = ",".join(str(pk) for pk in exempt)
        pictogram_field.choices = [("", "—"), *((name, label) for name, label in PICTOGRAMS.items())]
        self.fields["code"].help_text = gettext_lazy("Lettres sans accent, chiffres et tirets ; unique chez ce membre.")
        self.fields["code"].widget.attrs["dir"] = "ltr"
        self.fields["name_ar"].widget.attrs["dir"] = "rtl"
        first = next(field for field in self.fields.values() if not field.disabled)
        first.widget.attrs["autofocus"] = True

    @staticmethod
    def _member(values: Any) -> Organization | None:
        pk = str(values.get("organization") or "")
        return cooperatives().filter(pk=int(pk)).first() if pk.isdigit() else None

    @staticmethod
    def _default_vat(member: Organization | None) -> str:
        return default_vat_code(member) if member is not None else STANDARD_CODE

    def clean_price(self) -> Decimal | None:
        price = self.cleaned_data.get("price")
        if price is not None and price < MIN_PRICE:
            raise price_too_low()
        return price

    def clean(self) -> dict[str, Any]:
        """A VAT left at its default follows the member chosen (exempt for an art. 91 member, else 20 %)."""
        data = super().clean() or {}
        member = data.get("organization") if self.movable else self.initial_member
        chosen = self.instance.pk is None or member != self.initial_member  # a new product, or one moved
        if member is not None and chosen and "vat_code" not in self.changed_data:
            data["vat_code"] = self._default_vat(member)
        return data

    def member_for_service(self) -> Organization | None:
        """The member to create the product under, or to move it to (None: it keeps its own)."""
        return self.cleaned_data.get("organization") if self.movable else None

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
    labels = vat_labels()
    for product in products.iterator(chunk_size=2000):
        yield (
            product.organization.slug,
            product.code,
            product.name_fr,
            product.name_ar,
            product.get_unit_display(),
            product.price,
            vat_label(product.vat_code, labels),
            product.scan_code,
            product.pictogram,
            yes if product.is_active else no,
            product.vat_code,  # last: what the import's « tva » column takes
        )


@role_required(*READ)
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    products = _products(request)
    fmt = export_format(request)
    if fmt:
        headers = [_("Membre"), _("Code"), _("Nom (français)"), _("Nom (arabe)"), _("Unité"), _("Prix TTC"),
                   _("TVA"), _("Code à scanner"), _("Pictogramme"), _("En vente"), _("Code TVA")]  # fmt: skip
        return table_response(
            filename="produits", fmt=fmt, headers=headers, rows=_export_rows(products), sheet_name=_("Produits")
        )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(Organization.objects.filter(products__isnull=False).distinct())
    for organization in members:
        organization.picker_label = member_label(organization)  # type: ignore[attr-defined]
    members.sort(key=lambda organization: sort_key(organization.picker_label))  # type: ignore[attr-defined]
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
            "vat_labels": vat_labels(),
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
            "vat_label": vat_label(product.vat_code),
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
        try:
            saved = product_save(
                product=product,
                organization=form.member_for_service(),
                data=form.data_for_service(),
                acting_user=request.user,
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

    def written(report: ImportReport) -> str:
        text = ngettext(
            "%(count)d ligne lue : %(written)d produit créé ou modifié.",
            "%(count)d lignes lues : %(written)d produits créés ou modifiés.",
            report.rows_read,
        )
        return text % {"count": report.rows_read, "written": report.rows_written}

    return import_page(
        request,
        template="sales/catalogue/import.html",
        context={"guide": product_column_guide()},
        limits=PRODUCT_LIMITS,
        run=lambda name, content: products_import(filename=name, content=content, acting_user=request.user),
        success=written,
        success_url="sales:product_list",
    )


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
