"""Import of a pool's custom weights from CSV/XLSX (columns ``membre``: slug or ICE, ``poids``): every row valid, or
nothing written; a header without one of the two columns is refused whole, naming it. The sheet is the whole key: a
member it leaves out weighs nothing."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.errors import DomainError, ErrorCode
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, ImportReport, TableRow, read_table
from gie_erp.fees.config import custom_weights_replace
from gie_erp.fees.models import Pool
from members.imports import ColumnGuide
from members.legal_ids import normalize_ice
from members.models import Organization

#: a region has ~2,000 cooperatives: one row each
WEIGHT_LIMITS = ImportLimits(max_bytes=2 * MB, max_rows=10_000)
MEMBER_COLUMN = "membre"
WEIGHT_COLUMN = "poids"


def weight_column_guide() -> list[ColumnGuide]:
    """The two columns of the weights' sheet (the import page's guide and the empty template)."""
    return [
        ColumnGuide(
            MEMBER_COLUMN,
            required=True,
            meaning=_("la coopérative membre : son code (slug) ou son ICE"),
            example="coop-zitoun-chefchaouen",
        ),
        ColumnGuide(
            WEIGHT_COLUMN,
            required=True,
            meaning=_("son poids dans la clé : un nombre positif ou nul, 2 décimales au plus"),
            example="12,5",
        ),
    ]


def _member_index() -> dict[str, Organization]:
    """Member cooperatives by slug and by ICE."""
    index: dict[str, Organization] = {}
    for organization in Organization.objects.filter(kind=Organization.Kind.COOPERATIVE):
        index[organization.slug.casefold()] = organization
        if organization.ice:
            index[organization.ice] = organization
    return index


def _ice_or_none(text: str) -> str | None:
    """The ICE ``text`` spells (spaces, or leading zeros a spreadsheet number dropped), else None."""
    try:
        return normalize_ice(text)
    except ValidationError:
        return None


def _weight(report: ImportReport, row: TableRow) -> Decimal | None:
    text = row.get(WEIGHT_COLUMN, "")
    if not text:
        report.add(row.number, WEIGHT_COLUMN, ErrorCode.IMPORT_MISSING_FIELD)
        return None
    try:
        return parse_amount(text)
    except AmountError as error:  # the grammar's own reason (exponent, too large, decimals…), not a generic one
        code = ErrorCode.FEES_WEIGHT_NEGATIVE if error.code == ErrorCode.AMOUNT_NEGATIVE else error.code
        report.add(row.number, WEIGHT_COLUMN, code, **error.params)
        return None


def check_columns(rows: list[TableRow]) -> None:
    """Both columns named in the header, else one refusal for the file (not one per row) naming what is missing."""
    header = sorted({name for row in rows for name in row})
    for column in (MEMBER_COLUMN, WEIGHT_COLUMN):
        if column not in header:
            raise DomainError(ErrorCode.FEES_WEIGHTS_COLUMN, column=column, header=", ".join(header)[:120] or "—")


def weights_validate(rows: list[TableRow]) -> tuple[ImportReport, dict[int, Decimal]]:
    """Each row names a known member once, with a weight ≥ 0; ImportRefused listing every wrong row otherwise."""
    report = ImportReport(rows_read=len(rows), max_errors=WEIGHT_LIMITS.max_errors)
    index = _member_index()
    weights: dict[int, Decimal] = {}
    for row in rows:
        name = row.get(MEMBER_COLUMN, "")
        weight = _weight(report, row)
        if not name:
            report.add(row.number, MEMBER_COLUMN, ErrorCode.IMPORT_MISSING_FIELD)
            continue
        member = index.get(name.casefold()) or index.get(_ice_or_none(name) or "")
        if member is None:
            report.add(row.number, MEMBER_COLUMN, ErrorCode.IMPORT_UNKNOWN_MEMBER, value=name[:80])
            continue
        if member.pk in weights:
            report.add(row.number, MEMBER_COLUMN, ErrorCode.IMPORT_DUPLICATE, value=name[:80])
            continue
        if weight is not None:
            weights[member.pk] = weight
    if not report.ok:
        report.sort()
        raise ImportRefused(report)
    return report, weights


def custom_weights_import(*, pool: Pool, filename: str, content: bytes, acting_user: Any) -> ImportReport:
    """Replace the pool's custom weights by the sheet's, all rows or none (ImportRefused names row and column)."""
    rows = read_table(filename, content, WEIGHT_LIMITS)
    check_columns(rows)
    report, weights = weights_validate(rows)
    report.rows_written = custom_weights_replace(pool=pool, weights=weights, acting_user=acting_user, filename=filename)
    return report
