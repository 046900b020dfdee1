"""Import of member cooperatives and cooperators from CSV/XLSX: all rows valid, or nothing written."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gie_erp.core.audit import audit_record
from gie_erp.core.errors import ErrorCode
from gie_erp.core.imports import ImportRefused, ImportReport, parse_date, read_table
from gie_erp.core.money import is_mad
from members.legal_ids import normalize_ice
from members.models import RESERVED_SLUGS, Commune, Cooperator, Organization

MEMBER_REQUIRED = ("slug", "legal_name_fr", "legal_name_ar", "ice", "commune")
MEMBER_COLUMNS = (
    *MEMBER_REQUIRED,
    "if_number",
    "rc_number",
    "tp_number",
    "odco_number",
    "address",
    "vat_status",
    "vat_legal_reference",
    "sector",
    "is_women_cooperative",
    "joined_on",
    "capital_share",
    "phone",
)
COOPERATOR_REQUIRED = ("member", "first_name_fr", "last_name_fr", "gender")
COOPERATOR_COLUMNS = (*COOPERATOR_REQUIRED, "full_name_ar", "function", "cin", "phone", "joined_on")
TRUE_WORDS = {"1", "true", "oui", "yes", "vrai", "نعم", "x"}
FALSE_WORDS = {"", "0", "false", "non", "no", "faux", "لا"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    report: ImportReport
    created: int


def _commune_index() -> dict[str, Commune]:
    index: dict[str, Commune] = {}
    for commune in Commune.objects.all():
        index[commune.name_fr.casefold()] = commune
        index[commune.name_ar] = commune
    return index


def _required(report: ImportReport, row_no: int, row: dict[str, str], names: tuple[str, ...]) -> bool:
    missing = [name for name in names if not row.get(name)]
    for name in missing:
        report.add(row_no, name, ErrorCode.IMPORT_MISSING_FIELD)
    return not missing


def _choice(report: ImportReport, row_no: int, name: str, value: str, choices: Any, default: str) -> str:
    if not value:
        return default
    if value in choices.values:
        return value
    report.add(row_no, name, ErrorCode.IMPORT_BAD_VALUE, value=value)
    return default


def _boolean(report: ImportReport, row_no: int, name: str, value: str) -> bool:
    word = value.casefold()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        report.add(row_no, name, ErrorCode.IMPORT_BAD_VALUE, value=value)
    return False


def _validate_members(rows: list[dict[str, str]]) -> tuple[ImportReport, list[Organization]]:
    report = ImportReport(rows_read=len(rows))
    communes = _commune_index()
    taken_ice = set(Organization.objects.values_list("ice", flat=True))
    taken_slug = set(Organization.objects.values_list("slug", flat=True))
    seen_ice: set[str] = set()
    seen_slug: set[str] = set()
    objects: list[Organization] = []
    for index, row in enumerate(rows):
        row_no = index + 2
        if not _required(report, row_no, row, MEMBER_REQUIRED):
            continue
        try:
            ice = normalize_ice(row["ice"])
        except ValidationError:
            report.add(row_no, "ice", ErrorCode.IMPORT_BAD_ICE, value=row["ice"])
            ice = ""
        if ice and (ice in taken_ice or ice in seen_ice):
            report.add(row_no, "ice", ErrorCode.IMPORT_DUPLICATE, value=ice)
        seen_ice.add(ice)
        slug = row["slug"]
        if slug in RESERVED_SLUGS:
            report.add(row_no, "slug", ErrorCode.IMPORT_BAD_VALUE, value=slug)
        if slug in taken_slug or slug in seen_slug:
            report.add(row_no, "slug", ErrorCode.IMPORT_DUPLICATE, value=slug)
        seen_slug.add(slug)
        commune = communes.get(row["commune"].casefold()) or communes.get(row["commune"])
        if commune is None:
            report.add(row_no, "commune", ErrorCode.IMPORT_UNKNOWN_COMMUNE, value=row["commune"])
        capital = Decimal("0.00")
        if row.get("capital_share"):
            try:
                capital = Decimal(row["capital_share"].replace(" ", "").replace(",", "."))
                if capital < 0 or not is_mad(capital):
                    raise InvalidOperation
            except InvalidOperation:
                report.add(row_no, "capital_share", ErrorCode.IMPORT_BAD_VALUE, value=row["capital_share"])
        org = Organization(
            kind=Organization.Kind.COOPERATIVE,
            slug=slug,
            legal_name_fr=row["legal_name_fr"],
            legal_name_ar=row["legal_name_ar"],
            ice=ice,
            if_number=row.get("if_number", ""),
            rc_number=row.get("rc_number", ""),
            tp_number=row.get("tp_number", ""),
            odco_number=row.get("odco_number", ""),
            address=row.get("address", ""),
            commune=commune,
            vat_status=_choice(
                report, row_no, "vat_status", row.get("vat_status", ""), Organization.VatStatus, "exempt"
            ),
            vat_legal_reference=row.get("vat_legal_reference", ""),
            sector=_choice(report, row_no, "sector", row.get("sector", ""), Organization.Sector, "agriculture"),
            is_women_cooperative=_boolean(report, row_no, "is_women_cooperative", row.get("is_women_cooperative", "")),
            joined_on=parse_date(report, row_no, "joined_on", row.get("joined_on", "")),
            capital_share=capital,
            phone=row.get("phone", ""),
        )
        try:
            org.full_clean(exclude=["ice", "slug", "commune"], validate_unique=False)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                report.add(row_no, name, ErrorCode.IMPORT_BAD_VALUE, value=row.get(name, "; ".join(errors)))
        objects.append(org)
    return report, objects


def _validate_cooperators(rows: list[dict[str, str]]) -> tuple[ImportReport, list[Cooperator]]:
    report = ImportReport(rows_read=len(rows))
    members: dict[str, Organization] = {}
    for org in Organization.objects.filter(kind=Organization.Kind.COOPERATIVE):
        members[org.slug] = org
        members[org.ice] = org
    taken_cin = set(Cooperator.objects.exclude(cin="").values_list("organization_id", "cin"))
    objects: list[Cooperator] = []
    for index, row in enumerate(rows):
        row_no = index + 2
        if not _required(report, row_no, row, COOPERATOR_REQUIRED):
            continue
        member = members.get(row["member"])
        if member is None:
            report.add(row_no, "member", ErrorCode.IMPORT_UNKNOWN_MEMBER, value=row["member"])
            continue
        cin = row.get("cin", "").upper()
        if cin and (member.pk, cin) in taken_cin:
            report.add(row_no, "cin", ErrorCode.IMPORT_DUPLICATE, value=cin)
        taken_cin.add((member.pk, cin))
        cooperator = Cooperator(
            organization=member,
            first_name_fr=row["first_name_fr"],
            last_name_fr=row["last_name_fr"],
            full_name_ar=row.get("full_name_ar", ""),
            gender=_choice(report, row_no, "gender", row["gender"].lower(), Cooperator.Gender, "f"),
            function=_choice(report, row_no, "function", row.get("function", ""), Cooperator.Function, "member"),
            cin=cin,
            phone=row.get("phone", ""),
            joined_on=parse_date(report, row_no, "joined_on", row.get("joined_on", "")),
        )
        try:
            cooperator.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                report.add(row_no, name, ErrorCode.IMPORT_BAD_VALUE, value=row.get(name, "; ".join(errors)))
        objects.append(cooperator)
    return report, objects


@transaction.atomic
def members_import(*, filename: str, content: bytes, acting_user: Any) -> ImportResult:
    """Create member cooperatives from a sheet: every row valid, or none written (ImportRefused)."""
    rows = read_table(filename, content)
    report, objects = _validate_members(rows)
    if not report.ok:
        raise ImportRefused(report)
    for org in objects:
        org.save()
        audit_record(actor=acting_user, event="member.imported", target=org, tenant_id=org.pk)
    report.rows_written = len(objects)
    return ImportResult(report=report, created=len(objects))


@transaction.atomic(durable=True)
def cooperators_import(*, filename: str, content: bytes, acting_user: Any) -> ImportResult:
    """Create cooperators from a sheet: every row valid, or none written (ImportRefused)."""
    rows = read_table(filename, content)
    report, objects = _validate_cooperators(rows)
    if not report.ok:
        raise ImportRefused(report)
    Cooperator.objects.bulk_create(objects)
    audit_record(actor=acting_user, event="cooperators.imported", data={"count": len(objects), "file": filename})
    report.rows_written = len(objects)
    return ImportResult(report=report, created=len(objects))
