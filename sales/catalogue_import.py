"""Importing members' products from a CSV/XLSX sheet: every row valid, or nothing written (``ImportRefused`` with a
row-by-row report in French and Arabic). A row names its member (slug or ICE) and the product's code within that
member: a code already in the catalogue updates that product (a cell left empty keeps its value), a new code
creates one with the next scan code."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.audit import audit_record
from gie_erp.core.errors import ErrorCode
from gie_erp.core.idempotency import retry_once_on_conflict
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, ImportReport, TableRow, read_table, validation_reason
from invoices.services import EXEMPT_CODE, STANDARD_CODE
from members.imports import FALSE_WORDS, TRUE_WORDS, ColumnGuide
from members.legal_ids import normalize_ice
from members.models import Organization
from sales.catalogue import (
    PICTOGRAMS,
    PRODUCT_CREATED,
    PRODUCT_UPDATED,
    default_vat_code,
    is_exempt,
    scan_codes_next,
    vat_rates_valid,
)
from sales.models import Product

#: A region's catalogue: ~2,000 members with a handful of products each.
PRODUCT_LIMITS = ImportLimits(max_bytes=5 * MB, max_rows=20_000)

#: Import column → Product field (French column names: the sheet is filled in by the GIE's staff).
PRODUCT_COLUMNS = {
    "code": "code",
    "nom_fr": "name_fr",
    "nom_ar": "name_ar",
    "unite": "unit",
    "prix_ttc": "price",
    "tva": "vat_code",
    "pictogramme": "pictogram",
    "en_vente": "is_active",
}
_COLUMN_OF = {field_name: column for column, field_name in PRODUCT_COLUMNS.items()}
UNIT_WORDS = {
    "piece": Product.Unit.PIECE,
    "pièce": Product.Unit.PIECE,
    "pc": Product.Unit.PIECE,
    "kg": Product.Unit.KG,
    "l": Product.Unit.LITRE,
    "litre": Product.Unit.LITRE,
    "box": Product.Unit.BOX,
    "boite": Product.Unit.BOX,
    "boîte": Product.Unit.BOX,
    "pot": Product.Unit.POT,
}
#: Shorthands for the VAT column; a full code (``normal-20``…) is accepted as it is.
VAT_WORDS = {"20": STANDARD_CODE, "20%": STANDARD_CODE, "10": "reduit-10", "10%": "reduit-10", "0": EXEMPT_CODE}


@dataclass(frozen=True, slots=True)
class ProductChange:
    product: Product
    fields: tuple[str, ...]
    created: bool


def _member_index() -> dict[str, Organization]:
    """Cooperatives by slug and by ICE (the GIE has no products)."""
    index: dict[str, Organization] = {}
    for organization in Organization.objects.filter(kind=Organization.Kind.COOPERATIVE):
        index[organization.slug] = organization
        index[organization.ice] = organization
    return index


def find_member(index: dict[str, Organization], text: str) -> Organization | None:
    """A member by slug, or by ICE typed with or without spaces."""
    found = index.get(text)
    if found is None and any(ch.isdigit() for ch in text):
        try:
            found = index.get(normalize_ice(text))
        except ValidationError:
            return None
    return found


def _vat_code(text: str, organization: Organization, valid: set[str]) -> str | None:
    if not text:
        return default_vat_code(organization)
    word = text.replace(" ", "").casefold()
    code = VAT_WORDS.get(word, word)
    return code if code in valid else None


def _cells(report: ImportReport, row: TableRow, organization: Organization, valid: set[str]) -> dict[str, Any]:
    """The fields a row sets, one per cell that is not empty; a cell that cannot be read is a row error."""
    values: dict[str, Any] = {}
    for column, name in PRODUCT_COLUMNS.items():
        text = row.get(column, "")
        if not text and name != "vat_code":
            continue
        if name == "price":
            try:
                values[name] = parse_amount(text)
            except AmountError as error:
                report.add(row.number, column, error.code, **error.params)
        elif name == "unit":
            unit = UNIT_WORDS.get(text.casefold())
            if unit is None:
                report.add(row.number, column, ErrorCode.IMPORT_BAD_VALUE, value=text[:80])
            else:
                values[name] = unit
        elif name == "vat_code":
            code = _vat_code(text, organization, valid)
            if text and code is not None and is_exempt(organization) and code != EXEMPT_CODE:
                report.add(
                    row.number,
                    column,
                    ErrorCode.PRODUCT_EXEMPT_MEMBER_VAT,
                    member=organization.legal_name_fr,
                    vat=code,
                )
            elif code is None:
                report.add(row.number, column, ErrorCode.IMPORT_BAD_VALUE, value=text[:80])
            elif text:
                values[name] = code
        elif name == "pictogram":
            if text not in PICTOGRAMS:
                report.add(row.number, column, ErrorCode.IMPORT_BAD_VALUE, value=text[:80])
            else:
                values[name] = text
        elif name == "is_active":
            word = text.casefold()
            if word not in TRUE_WORDS | FALSE_WORDS:
                report.add(row.number, column, ErrorCode.IMPORT_BAD_VALUE, value=text[:80])
            else:
                values[name] = word in TRUE_WORDS
        else:
            values[name] = text
    return values


def _validate(rows: list[TableRow], today: date) -> tuple[ImportReport, list[ProductChange]]:
    """Check every row against the catalogue as it is now (reads only); ImportRefused when any row is wrong."""
    report = ImportReport(rows_read=len(rows), max_errors=PRODUCT_LIMITS.max_errors)
    members = _member_index()
    valid = {rate.code for rate in vat_rates_valid(today)}
    existing = {(p.organization_id, p.code): p for p in Product.objects.all()}
    seen: set[tuple[int, str]] = set()
    changes: list[ProductChange] = []
    for row in rows:
        member_text, code = row.get("membre", ""), row.get("code", "")
        if not member_text:
            report.add(row.number, "membre", ErrorCode.IMPORT_MISSING_FIELD)
        if not code:
            report.add(row.number, "code", ErrorCode.IMPORT_MISSING_FIELD)
        organization = find_member(members, member_text) if member_text else None
        if member_text and organization is None:
            report.add(row.number, "membre", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=member_text[:80])
        if organization is None or not code:
            continue
        key = (organization.pk, code)
        if key in seen:
            report.add(row.number, "code", ErrorCode.IMPORT_DUPLICATE, value=code[:80])
            continue
        seen.add(key)
        values = _cells(report, row, organization, valid)
        product = existing.get(key)
        created = product is None
        if product is None:
            product = Product(organization=organization, code=code, vat_code=default_vat_code(organization))
            for column in ("nom_fr", "prix_ttc"):
                if not row.get(column):
                    report.add(row.number, column, ErrorCode.IMPORT_MISSING_FIELD)
        changed = [name for name, value in values.items() if created or getattr(product, name) != value]
        for name in changed:
            setattr(product, name, values[name])
        try:
            product.full_clean(
                exclude=["scan_code", "organization", "name_fr", "price"] if created else ["scan_code", "organization"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, problems in error.error_dict.items():
                column = _COLUMN_OF.get(name, name)
                for problem in problems:
                    reason = validation_reason(problem)
                    report.add(
                        row.number,
                        column,
                        ErrorCode.IMPORT_INVALID_FIELD,
                        value=row.get(column, "")[:80],
                        reason=reason,
                    )
        if created or changed:
            changes.append(ProductChange(product=product, fields=tuple(changed), created=created))
    if not report.ok:
        raise ImportRefused(report)
    return report, changes


def _write(*, report: ImportReport, changes: list[ProductChange], acting_user: Any, filename: str) -> ImportReport:
    codes = iter(scan_codes_next(sum(1 for change in changes if change.created)))
    for change in changes:
        product = change.product
        if change.created:
            product.scan_code = next(codes)
            product.save()
            data: dict[str, Any] = {"via": "import", "file": filename, "scan_code": product.scan_code}
        else:
            product.save(update_fields=change.fields)
            data = {"via": "import", "file": filename, "fields": list(change.fields)}
        audit_record(
            actor=acting_user,
            event=PRODUCT_CREATED if change.created else PRODUCT_UPDATED,
            target=product,
            tenant_id=product.organization_id,
            data=data,
        )
    report.rows_written = len(changes)
    return report


def products_import(*, filename: str, content: bytes, acting_user: Any, today: date | None = None) -> ImportReport:
    """Create or update products from a sheet, keyed by (member, code): every row valid, or none written.
    ``rows_written`` counts the products created or changed; a row identical to the catalogue writes nothing."""
    day = today or timezone.localdate()
    rows = read_table(filename, content, PRODUCT_LIMITS)
    first = _validate(rows, day)

    def run(attempt: int) -> ImportReport:
        report, changes = first if attempt == 1 else _validate(rows, day)
        return _write(report=report, changes=changes, acting_user=acting_user, filename=filename)

    return retry_once_on_conflict(run)


def product_column_guide() -> list[ColumnGuide]:
    """The columns of the products' sheet, with the values each accepts and an example (the import page's guide)."""
    return [
        ColumnGuide(
            "membre", required=True, meaning=_("nom court (slug) ou ICE de la coopérative"), example="coop-miel"
        ),
        ColumnGuide(
            "code",
            required=True,
            meaning=_(
                "code du produit chez ce membre : lettres sans accent, chiffres et tirets ; un code déjà "
                "enregistré met sa fiche à jour"
            ),
            example="miel-250",
        ),
        ColumnGuide("nom_fr", required=True, meaning=_("nom (français)"), example="Miel de thym 250 g"),
        ColumnGuide("nom_ar", required=False, meaning=_("nom (arabe)"), example="عسل الزعتر 250 غ"),
        ColumnGuide(
            "unite",
            required=False,
            meaning=_("unité de vente (pièce si vide)"),
            values=tuple((word, unit.label) for word, unit in UNIT_WORDS.items() if word == unit.value),
            example="pot",
        ),
        ColumnGuide("prix_ttc", required=True, meaning=_("prix de vente TTC en dirhams"), example="120,00"),
        ColumnGuide(
            "tva",
            required=False,
            meaning=_(
                "TVA du produit : 20, 10 ou un code d'exonération ; toujours exonere-91 pour un membre "
                "exonéré (art. 91) ; vide : 20 % pour un membre assujetti, exonere-91 sinon"
            ),
            values=(("20", "normal-20"), ("10", "reduit-10"), (EXEMPT_CODE, _("exonéré (art. 91)"))),
            example="20",
        ),
        ColumnGuide(
            "pictogramme",
            required=False,
            meaning=_("pictogramme montré à la caisse"),
            values=tuple(PICTOGRAMS.items()),
            example="honey",
        ),
        ColumnGuide("en_vente", required=False, meaning=_("en vente : oui ou non (oui si vide)"), example="oui"),
    ]
