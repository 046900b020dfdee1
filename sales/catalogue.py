"""Members' products: the catalogue the till sells from, saved one by one (``product_save``) or imported from a sheet
(``products_import``, all or nothing, in ``sales.catalogue_import``).

Every product gets a scan code when it is created: an EAN-13 in the in-store range (prefix ``20``, which GS1
keeps for numbers a shop gives its own goods), numbered in order, its check digit computed by python-stdnum. The
code never changes, so printed labels stay valid whatever is edited later.

VAT is per product, and only for a VAT-registered member: 20 %, 10 % or an exempt code, any code valid today in
the invoices' VAT table. A member exempt under art. 91 charges no VAT: its products are all ``exonere-91``. People
read a code by its label in the invoices' VAT table (``vat_labels``), never the code itself.

A product saved under the wrong member moves to the right one as long as nothing refers to it yet (no ticket line,
no deposit); after that its member is part of the books and the stock, and it stays.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from stdnum import ean

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import DomainError, ErrorCode, error_message
from gie_erp.core.i18n import format_amount
from gie_erp.core.idempotency import retry_once_on_conflict
from invoices.models import VatRate
from invoices.services import EXEMPT_CODE, STANDARD_CODE, vat_rate_on
from members.models import Organization
from members.selectors import search_pattern
from sales.models import Deposit, Product, TicketLine

PRODUCT_CREATED = "sales.product_created"
PRODUCT_UPDATED = "sales.product_updated"

#: GS1 "restricted circulation" prefix for a shop's own numbering: never a manufacturer's code
SCAN_PREFIX = "20"
SCAN_DIGITS = 12 - len(SCAN_PREFIX)  # the running number before the check digit

#: What a person edits on a product (its member is ``product_save``'s ``organization``, see ``member_movable``).
PRODUCT_FIELDS = ("code", "name_fr", "name_ar", "unit", "price", "vat_code", "pictogram", "is_active", "photo")
#: the lowest price a product may carry (the model's own validator says it in Django's words)
MIN_PRICE = Decimal("0.01")

#: Pictograms a product may show instead of (or before) a photo: static/sales/pictograms/<name>.svg
PICTOGRAMS: dict[str, Any] = {
    "oil": _("huile"),
    "olives": _("olives"),
    "argan": _("argan"),
    "honey": _("miel"),
    "amlou": _("amlou"),
    "couscous": _("couscous et pâtes"),
    "dates": _("dattes"),
    "herbs": _("plantes aromatiques"),
    "soap": _("savon et cosmétiques"),
    "cheese": _("fromage et lait"),
    "carpet": _("tapis et tissage"),
    "pottery": _("poterie"),
    "basket": _("vannerie"),
}


def pictogram_static(name: str) -> str | None:
    """The static path of a pictogram (for ``{% static %}`` or the till's catalogue), None when there is none."""
    return f"sales/pictograms/{name}.svg" if name in PICTOGRAMS else None


# Scan codes --------------------------------------------------------------------------------------------------------


def with_check_digit(twelve: str) -> str:
    """Twelve digits completed into an EAN-13 (python-stdnum's check digit)."""
    return twelve + str(ean.calc_check_digit(twelve))


def is_scan_code(code: str) -> bool:
    """An EAN-13 of the in-store range with a correct check digit."""
    return len(code) == 13 and code.startswith(SCAN_PREFIX) and bool(ean.is_valid(code))


def scan_codes_next(count: int = 1) -> list[str]:
    """The next ``count`` free scan codes, after the highest one given. Two writers racing for the same number
    collide on the unique constraint; the loser runs again and reads the winner's code."""
    top = Product.objects.filter(scan_code__startswith=SCAN_PREFIX).aggregate(top=Max("scan_code"))["top"]
    start = int(top[len(SCAN_PREFIX) : 12]) + 1 if top else 1
    if start + count > 10**SCAN_DIGITS:
        raise ValueError("in-store scan codes exhausted")
    return [with_check_digit(f"{SCAN_PREFIX}{number:0{SCAN_DIGITS}d}") for number in range(start, start + count)]


# VAT ---------------------------------------------------------------------------------------------------------------


def is_exempt(organization: Organization) -> bool:
    return organization.vat_status == Organization.VatStatus.EXEMPT


def default_vat_code(organization: Organization) -> str:
    return EXEMPT_CODE if is_exempt(organization) else STANDARD_CODE


def vat_rates_valid(day: date) -> list[VatRate]:
    """The VAT codes valid on ``day``, highest rate first (one row per code)."""
    rates = VatRate.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    chosen: dict[str, VatRate] = {}
    for rate in rates.order_by("code", "-valid_from"):
        chosen.setdefault(rate.code, rate)
    return sorted(chosen.values(), key=lambda rate: (-rate.rate, rate.code))


def vat_labels(language: str | None = None) -> dict[str, str]:
    """Every VAT code as people read it (« TVA 20 % (taux normal) », « Exonéré (art. 91) »), in Arabic on an Arabic
    page; the latest wording of each code, so that a code no longer valid still has its label."""
    arabic = (language or get_language() or "fr")[:2] == "ar"
    labels: dict[str, str] = {}
    for rate in VatRate.objects.order_by("code", "-valid_from"):
        labels.setdefault(rate.code, rate.label_ar if arabic and rate.label_ar else rate.label_fr)
    return labels


def vat_label(code: str, labels: dict[str, str] | None = None) -> str:
    """One code's label, or the code itself when the VAT table does not know it."""
    return (labels if labels is not None else vat_labels()).get(code, code)


def vat_codes_for(organization: Organization, day: date) -> list[VatRate]:
    """What a member's product may carry on ``day``: ``exonere-91`` alone for an art. 91 member, else every valid
    code (20 %, 10 %, the exemptions)."""
    rates = vat_rates_valid(day)
    if is_exempt(organization):
        return [rate for rate in rates if rate.code == EXEMPT_CODE]
    return rates


def product_vat_check(organization: Organization, code: str, day: date) -> None:
    """Refuse a VAT code the member may not use, or one not valid on ``day`` (DomainError)."""
    if is_exempt(organization) and code != EXEMPT_CODE:
        raise DomainError(ErrorCode.PRODUCT_EXEMPT_MEMBER_VAT, member=organization.legal_name_fr, vat=vat_label(code))
    vat_rate_on(code, day)


# The member of a product -------------------------------------------------------------------------------------------


def member_movable(product: Product) -> bool:
    """A product may move to another member while nothing refers to it: no ticket line and no deposit."""
    if product.pk is None:
        return True
    return not (
        TicketLine.objects.filter(product_id=product.pk).exists() or Deposit.objects.filter(product=product).exists()
    )


# Reads -------------------------------------------------------------------------------------------------------------


def product_search(
    products: QuerySet[Product], *, query: str = "", organization_id: int | None = None, active: bool | None = None
) -> QuerySet[Product]:
    """Filter an already scoped catalogue (``sales.selectors.products_for``): ``query`` looks in both names
    (whatever the accents), in the code and at the start of the scan code."""
    if query:
        pattern = search_pattern(query)
        products = products.filter(
            Q(name_fr__iregex=pattern)
            | Q(name_ar__iregex=pattern)
            | Q(code__icontains=query)
            | Q(scan_code__startswith=query.strip())
        )
    if organization_id is not None:
        products = products.filter(organization_id=organization_id)
    if active is not None:
        products = products.filter(is_active=active)
    return products.order_by("organization__legal_name_fr", "code")


# Writes ------------------------------------------------------------------------------------------------------------


def _field_error(name: str, error: DomainError) -> ValidationError:
    return ValidationError({name: ValidationError(error.message(), code=error.code.value)})


def product_check(
    *, product: Product, organization: Organization, changed: Sequence[str], today: date
) -> ValidationError | None:
    """Every rule of a product as it would be saved, as one ValidationError keyed by field (None when it passes):
    the model's own checks, a cooperative (never the GIE), a VAT code the member may use, a code free for it."""
    errors: dict[str, list[ValidationError]] = {}
    if organization.is_gie:
        errors.setdefault("organization", []).append(
            ValidationError(error_message(ErrorCode.PRODUCT_GIE, {}), code=ErrorCode.PRODUCT_GIE.value)
        )
    if "vat_code" in changed or "organization" in changed or product.pk is None:
        try:
            product_vat_check(organization, product.vat_code, today)
        except DomainError as error:
            errors.setdefault("vat_code", []).append(ValidationError(error.message(), code=error.code.value))
    if "pictogram" in changed and product.pictogram and product.pictogram not in PICTOGRAMS:
        errors.setdefault("pictogram", []).append(ValidationError(_("Pictogramme inconnu."), code="pictogram"))
    taken = Product.objects.filter(organization=organization, code=product.code).exclude(pk=product.pk).exists()
    if taken:
        params = {"code": product.code, "member": organization.legal_name_fr}
        message = error_message(ErrorCode.PRODUCT_CODE_TAKEN, params)
        errors.setdefault("code", []).append(ValidationError(message, code=ErrorCode.PRODUCT_CODE_TAKEN.value))
    try:
        product.full_clean(exclude=["scan_code", "organization"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, problems in error.error_dict.items():
            if name == "price":
                problems = [_price_problem(problem) for problem in problems]
            errors.setdefault(name, []).extend(problems)
    return ValidationError(errors) if errors else None


def price_too_low() -> ValidationError:
    """The price refused in words people read (« au moins 0,01 DH »), not Django's « supérieure ou égale à 0.01 »."""
    code = ErrorCode.PRODUCT_PRICE_TOO_LOW
    return ValidationError(error_message(code, {"minimum": format_amount(MIN_PRICE)}), code=code.value)


def _price_problem(problem: ValidationError) -> ValidationError:
    return price_too_low() if problem.code == "min_value" else problem


def product_save(
    *,
    product: Product | None,
    organization: Organization | None = None,
    data: dict[str, Any],
    acting_user: Any,
    today: date | None = None,
) -> Product:
    """Create a member's product (``product`` None, ``organization`` given) with the next scan code, or change the
    fields of ``data`` — and its member when ``organization`` is another one, only while no ticket line or deposit
    refers to it; validated in full, audited when something changed. Refusals are a ValidationError keyed by field;
    nothing is written then."""
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"not fields a person edits: {sorted(unknown)}")
    if product is None and organization is None:
        raise ValueError("a new product needs its member")
    product_id = product.pk if product is not None else None
    organization_id = organization.pk if organization is not None else None
    day = today or timezone.localdate()

    def run(_attempt: int) -> Product:
        return _product_write(
            product_id=product_id, organization_id=organization_id, data=data, acting_user=acting_user, today=day
        )

    return retry_once_on_conflict(run)


def _product_write(
    *, product_id: int | None, organization_id: int | None, data: dict[str, Any], acting_user: Any, today: date
) -> Product:
    created = product_id is None
    if product_id is None:
        organization = Organization.objects.get(pk=int(organization_id or 0))
        product = Product(organization=organization, vat_code=default_vat_code(organization))
    else:
        product = Product.objects.select_for_update().select_related("organization").get(pk=product_id)
        organization = product.organization
    photo = data.get("photo", product.photo)
    changed = [name for name, value in data.items() if name != "photo" and (created or getattr(product, name) != value)]
    if "photo" in data and (created or data["photo"] is not product.photo):
        changed.append("photo")
    previous_member = None
    if not created and organization_id is not None and organization_id != organization.pk:
        previous_member = organization
        organization = _member_move(product, organization_id)
        changed.insert(0, "organization")
    if not changed and not created:
        return product
    for name in changed:
        if name not in ("photo", "organization"):
            setattr(product, name, data[name])
    problem = product_check(product=product, organization=organization, changed=changed, today=today)
    if problem is not None:
        raise problem
    if "photo" in changed:
        product.photo = photo or None
    if created:
        (product.scan_code,) = scan_codes_next()
    product.save()
    audit_record(
        actor=acting_user,
        event=PRODUCT_CREATED if created else PRODUCT_UPDATED,
        target=product,
        tenant_id=organization.pk,
        data=_audit_data(product, created=created, changed=changed, previous_member=previous_member),
    )
    return product


def _member_move(product: Product, organization_id: int) -> Organization:
    """Point a product (locked by the caller) at another member, or refuse once a ticket line or a deposit refers
    to it."""
    if not member_movable(product):
        message = error_message(
            ErrorCode.PRODUCT_MEMBER_LOCKED, {"product": product.name_fr, "member": product.organization.legal_name_fr}
        )
        raise ValidationError({"organization": ValidationError(message, code=ErrorCode.PRODUCT_MEMBER_LOCKED.value)})
    organization = Organization.objects.get(pk=organization_id)
    product.organization = organization
    return organization


def _audit_data(
    product: Product, *, created: bool, changed: list[str], previous_member: Organization | None
) -> dict[str, Any]:
    if created:
        return {"scan_code": product.scan_code}
    if previous_member is None:
        return {"fields": changed}
    return {"fields": changed, "previous_member": previous_member.slug, "member": product.organization.slug}
