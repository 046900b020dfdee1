"""Import of the members' allocation data (``AllocationKeyValue``: a member's headcount, capital, sales or usage
for a month or a year), the figures the fee pools' keys read (``gie_erp.fees.keys``). Columns ``member`` (slug or
ICE), ``key``, ``year``, ``month`` (empty or 0: the whole year), ``value``. All rows or none; a row for a member,
key and period already known replaces its value."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.audit import audit_record
from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import MB, ImportLimits, ImportRefused, ImportReport, TableRow, read_table
from members.imports import ColumnGuide
from members.models import AllocationKey, AllocationKeyValue, Organization

ALLOCATION_LIMITS = ImportLimits(max_bytes=4 * MB, max_rows=50_000)  # 2,000 members × 12 months × 2 keys
COLUMNS = ("member", "key", "year", "month", "value")
FIRST_YEAR = 2000


@dataclass(frozen=True, slots=True)
class AllocationImport:
    report: ImportReport
    created: int
    updated: int


def allocation_column_guide() -> list[ColumnGuide]:
    return [
        ColumnGuide(
            "member", required=True, meaning=_("nom court (slug) ou ICE de la coopérative"), example="coop-nahl-rif"
        ),
        ColumnGuide(
            "key", required=True, meaning=_("la clé"), values=tuple(AllocationKey.choices), example="cooperators"
        ),
        ColumnGuide("year", required=True, meaning=_("l'année"), example="2026"),
        ColumnGuide("month", required=False, meaning=_("le mois (1 à 12) ; vide ou 0 : toute l'année"), example="3"),
        ColumnGuide("value", required=True, meaning=_("la valeur : un nombre positif ou nul"), example="24"),
    ]


def _members() -> dict[str, int]:
    index: dict[str, int] = {}
    for pk, slug, ice in Organization.objects.filter(kind=Organization.Kind.COOPERATIVE).values_list(
        "pk", "slug", "ice"
    ):
        index[slug.casefold()] = pk
        if ice:
            index[ice] = pk
    return index


def _integer(report: ImportReport, row: TableRow, name: str, low: int, high: int, *, empty: int | None) -> int | None:
    text = row.get(name, "").strip()
    if not text and empty is not None:
        return empty
    if not text:
        report.add(row.number, name, ErrorCode.IMPORT_MISSING_FIELD, field=name)
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        report.add(row.number, name, ErrorCode.IMPORT_BAD_VALUE, field=name, value=text[:20])
        return None
    return int(text)


def _validate(rows: Iterable[TableRow], report: ImportReport, today: date) -> dict[tuple[int, str, int, int], Decimal]:
    members, keys = _members(), {value for value, _label in AllocationKey.choices}
    values: dict[tuple[int, str, int, int], Decimal] = {}
    for row in rows:
        name = row.get("member", "").strip()
        member = members.get(name.casefold()) or members.get(name.replace(" ", "")) if name else None
        if not name:
            report.add(row.number, "member", ErrorCode.IMPORT_MISSING_FIELD, field="member")
        elif member is None:
            report.add(row.number, "member", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=name[:80])
        key = row.get("key", "").strip().casefold()
        if key not in keys:
            report.add(row.number, "key", ErrorCode.IMPORT_BAD_VALUE, field="key", value=key[:20])
        year = _integer(report, row, "year", FIRST_YEAR, today.year + 1, empty=None)
        month = _integer(report, row, "month", 0, 12, empty=0)
        text = row.get("value", "").strip()
        value = None
        if not text:
            report.add(row.number, "value", ErrorCode.IMPORT_MISSING_FIELD, field="value")
        else:
            try:
                value = parse_amount(text)
            except AmountError:
                report.add(row.number, "value", ErrorCode.IMPORT_BAD_AMOUNT, value=text[:40])
        if member is None or key not in keys or year is None or month is None or value is None:
            continue
        slot = (member, key, year, month)
        if slot in values:
            report.add(
                row.number, "member", ErrorCode.IMPORT_DUPLICATE, field="member", value=f"{name} {key} {year}-{month}"
            )
            continue
        values[slot] = value
    return values


@transaction.atomic
def allocation_values_import(
    *, filename: str, content: bytes, acting_user: Any, today: date | None = None
) -> AllocationImport:
    """Write every row (create or replace), or nothing: ImportRefused names each wrong row and column."""
    rows = read_table(filename, content, ALLOCATION_LIMITS)
    report = ImportReport(rows_read=len(rows), max_errors=ALLOCATION_LIMITS.max_errors)
    values = _validate(rows, report, today or timezone.localdate())
    if not report.ok:
        report.sort()
        raise ImportRefused(report)
    existing = {
        (row.organization_id, row.key, row.year, row.month): row
        for row in AllocationKeyValue.objects.select_for_update().filter(
            organization_id__in={slot[0] for slot in values}, year__in={slot[2] for slot in values}
        )
    }
    changed, fresh = [], []
    for slot, value in values.items():
        if slot in existing:
            if existing[slot].value != value:
                existing[slot].value = value
                changed.append(existing[slot])
        else:
            organization_id, key, year, month = slot
            fresh.append(
                AllocationKeyValue(organization_id=organization_id, key=key, year=year, month=month, value=value)
            )
    AllocationKeyValue.objects.bulk_create(fresh, batch_size=1000)
    AllocationKeyValue.objects.bulk_update(changed, ["value"], batch_size=1000)
    report.rows_written = len(fresh) + len(changed)
    audit_record(
        actor=acting_user,
        event="members.allocation_imported",
        data={"file": filename[:120], "created": len(fresh), "updated": len(changed)},
    )
    return AllocationImport(report=report, created=len(fresh), updated=len(changed))
