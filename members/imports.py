"""Import of member cooperatives and cooperators from CSV/XLSX: all rows valid, or nothing written."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from gie_erp.core.amounts import AmountError, parse_amount
from gie_erp.core.audit import audit_record
from gie_erp.core.errors import ErrorCode
from gie_erp.core.idempotency import retry_once_on_conflict
from gie_erp.core.imports import (
    MEMBER_LIMITS,
    ImportRefused,
    ImportReport,
    TableRow,
    parse_date,
    read_table,
    validation_reason,
)
from members.legal_ids import normalize_ice
from members.models import Commune, Cooperator, Organization

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
#: personal data (law 09-08), optional: the birth year (age bands) and the consent, dated the day of the import
PERSONAL_COLUMNS = ("annee_naissance", "consentement")
COOPERATOR_COLUMNS = (*COOPERATOR_REQUIRED, "full_name_ar", "function", "cin", "phone", "joined_on", *PERSONAL_COLUMNS)
FIRST_BIRTH_YEAR = 1900
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


def _birth_year(report: ImportReport, row_no: int, value: str, today: date) -> int | None:
    """A four-digit year from 1900 to this year; empty gives None; anything else is a row error."""
    text = value.strip().removesuffix(".0")  # a spreadsheet may give the number 1980 as "1980.0"
    if not text:
        return None
    if text.isascii() and text.isdigit() and FIRST_BIRTH_YEAR <= int(text) <= today.year:
        return int(text)
    report.add(row_no, "annee_naissance", ErrorCode.IMPORT_BAD_VALUE, value=value[:40])
    return None


def _consent(report: ImportReport, row_no: int, value: str) -> bool:
    """``oui`` or ``non`` (or their usual synonyms); empty is no consent."""
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        report.add(row_no, "consentement", ErrorCode.IMPORT_BAD_VALUE, value=value[:40])
    return False


def _model_errors(report: ImportReport, row_no: int, row: dict[str, str], error: ValidationError) -> None:
    """Every field the model refuses becomes a row error that says why (length, characters, format…)."""
    for name, errors in error.error_dict.items():
        for problem in errors:
            value = row.get(name, "")[:80]
            report.add(row_no, name, ErrorCode.IMPORT_INVALID_FIELD, value=value, reason=validation_reason(problem))


def _validate_members(rows: list[TableRow]) -> tuple[ImportReport, list[Organization]]:
    report = ImportReport(rows_read=len(rows), max_errors=MEMBER_LIMITS.max_errors)
    communes = _commune_index()
    taken_ice = set(Organization.objects.values_list("ice", flat=True))
    taken_slug = set(Organization.objects.values_list("slug", flat=True))
    seen_ice: set[str] = set()
    seen_slug: set[str] = set()
    objects: list[Organization] = []
    for row in rows:
        row_no = row.number  # as the person sees it in the file (blank rows counted)
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
        if slug in taken_slug or slug in seen_slug:
            report.add(row_no, "slug", ErrorCode.IMPORT_DUPLICATE, value=slug)
        seen_slug.add(slug)
        commune = communes.get(row["commune"].casefold()) or communes.get(row["commune"])
        if commune is None:
            report.add(row_no, "commune", ErrorCode.IMPORT_UNKNOWN_COMMUNE, value=row["commune"])
        capital = Decimal("0.00")
        if row.get("capital_share"):
            try:
                capital = parse_amount(row["capital_share"])
            except AmountError as error:
                report.add(row_no, "capital_share", error.code, **error.params)
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
        try:  # every field the model validates (the slug's characters and length included); uniqueness was above
            org.full_clean(exclude=["ice", "commune"], validate_unique=False)
        except ValidationError as exc:
            _model_errors(report, row_no, row, exc)
        objects.append(org)
    return report, objects


def _validate_cooperators(rows: list[TableRow], today: date) -> tuple[ImportReport, list[Cooperator]]:
    report = ImportReport(rows_read=len(rows), max_errors=MEMBER_LIMITS.max_errors)
    members: dict[str, Organization] = {}
    for org in Organization.objects.filter(kind=Organization.Kind.COOPERATIVE):
        members[org.slug] = org
        members[org.ice] = org
    taken_cin = set(Cooperator.objects.exclude(cin="").values_list("organization_id", "cin"))
    objects: list[Cooperator] = []
    for row in rows:
        row_no = row.number  # as the person sees it in the file (blank rows counted)
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
        consent = _consent(report, row_no, row.get("consentement", ""))
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
            birth_year=_birth_year(report, row_no, row.get("annee_naissance", ""), today),
            data_consent=consent,
            data_consent_on=today if consent else None,
        )
        try:
            cooperator.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            _model_errors(report, row_no, row, exc)
        objects.append(cooperator)
    return report, objects


def members_rows(*, filename: str, content: bytes) -> list[TableRow]:
    """The rows of a sheet of cooperatives, within the members' import limits (no database)."""
    return read_table(filename, content, MEMBER_LIMITS)


def members_validate(rows: list[TableRow]) -> tuple[ImportReport, list[Organization]]:
    """Check every row of cooperatives (reads only, no transaction); ImportRefused when any row is wrong."""
    report, objects = _validate_members(rows)
    if not report.ok:
        raise ImportRefused(report)
    return report, objects


def members_write(*, report: ImportReport, objects: list[Organization], acting_user: Any) -> ImportResult:
    """Write checked cooperatives inside the caller's transaction; a slug or ICE taken meanwhile breaks a unique
    constraint (IntegrityError) and the caller checks again."""
    for org in objects:
        org.save()
        audit_record(actor=acting_user, event="member.imported", target=org, tenant_id=org.pk)
    report.rows_written = len(objects)
    return ImportResult(report=report, created=len(objects))


def members_import(
    *,
    filename: str,
    content: bytes,
    acting_user: Any,
    on_written: Callable[[list[Organization]], None] | None = None,
) -> ImportResult:
    """Create member cooperatives from a sheet: every row valid, or none written (ImportRefused).

    The sheet is parsed and checked before the write transaction opens (on SQLite that transaction holds the only
    write lock). If a concurrent import or a double submit took a slug or an ICE first, the rows are checked again
    and the report names what is now taken. ``on_written`` runs in the same transaction (a higher layer opens books).
    """
    rows = members_rows(filename=filename, content=content)
    checked = members_validate(rows)

    def run(attempt: int) -> ImportResult:
        report, objects = checked if attempt == 1 else members_validate(rows)
        result = members_write(report=report, objects=objects, acting_user=acting_user)
        if on_written is not None:
            on_written(objects)
        return result

    return retry_once_on_conflict(run)


def cooperators_import(*, filename: str, content: bytes, acting_user: Any, today: date | None = None) -> ImportResult:
    """Create cooperators from a sheet: every row valid, or none written (ImportRefused). Parsed and checked before
    the write transaction opens; checked again only if a concurrent import took a CIN first. A consent given in the
    sheet is dated ``today`` (the day of the import)."""
    rows = read_table(filename, content, MEMBER_LIMITS)
    day = today or timezone.localdate()

    def checked() -> tuple[ImportReport, list[Cooperator]]:
        report, objects = _validate_cooperators(rows, day)
        if not report.ok:
            raise ImportRefused(report)
        return report, objects

    first = checked()

    def run(attempt: int) -> ImportResult:
        report, objects = first if attempt == 1 else checked()
        Cooperator.objects.bulk_create(objects)
        audit_record(actor=acting_user, event="cooperators.imported", data={"count": len(objects), "file": filename})
        report.rows_written = len(objects)
        return ImportResult(report=report, created=len(objects))

    return retry_once_on_conflict(run)


@dataclass(frozen=True, slots=True)
class ColumnGuide:
    """One column of an import sheet, as the import page explains it."""

    name: str
    required: bool
    meaning: Any  # a lazy translated text
    values: tuple[tuple[str, Any], ...] = ()  # (value to type, its meaning) when the column takes a fixed list
    example: str = ""


def column_guide(kind: str) -> list[ColumnGuide]:
    """The columns of the cooperatives' or the cooperators' sheet, with the values each accepts and an example."""
    from django.utils.translation import gettext_lazy as _

    dates = _("date AAAA-MM-JJ ou JJ/MM/AAAA")
    if kind == "cooperators":
        return [
            ColumnGuide(
                "member", required=True, meaning=_("nom court (slug) ou ICE de la coopérative"), example="coop-miel"
            ),
            ColumnGuide("first_name_fr", required=True, meaning=_("prénom (français)"), example="Fatima"),
            ColumnGuide("last_name_fr", required=True, meaning=_("nom (français)"), example="El Amrani"),
            ColumnGuide(
                "gender", required=True, meaning=_("sexe"), values=tuple(Cooperator.Gender.choices), example="f"
            ),
            ColumnGuide("full_name_ar", required=False, meaning=_("nom complet (arabe)"), example="فاطمة العمراني"),
            ColumnGuide(
                "function",
                required=False,
                meaning=_("fonction (adhérent(e) si vide)"),
                values=tuple(Cooperator.Function.choices),
                example="member",
            ),
            ColumnGuide("cin", required=False, meaning=_("numéro de CIN"), example="K123456"),
            ColumnGuide("phone", required=False, meaning=_("téléphone"), example="0612345678"),
            ColumnGuide("joined_on", required=False, meaning=dates, example="2024-01-15"),
            ColumnGuide(
                "annee_naissance",
                required=False,
                meaning=_("année de naissance (4 chiffres, depuis 1900)"),
                example="1985",
            ),
            ColumnGuide(
                "consentement",
                required=False,
                meaning=_("consentement aux données personnelles (loi 09-08) : oui ou non, daté du jour de l'import"),
                example="oui",
            ),
        ]
    return [
        ColumnGuide(
            "slug",
            required=True,
            example="coop-miel",
            meaning=_("nom court : lettres sans accent, chiffres et tirets, 60 caractères au plus"),
        ),
        ColumnGuide(
            "legal_name_fr", required=True, meaning=_("raison sociale (français)"), example="Coopérative Miel du Rif"
        ),
        ColumnGuide("legal_name_ar", required=True, meaning=_("raison sociale (arabe)"), example="تعاونية عسل الريف"),
        ColumnGuide("ice", required=True, meaning=_("ICE : 15 chiffres avec sa clé"), example="001561191000066"),
        ColumnGuide(
            "commune", required=True, meaning=_("commune de la région (nom français ou arabe)"), example="Targuist"
        ),
        ColumnGuide("if_number", required=False, meaning=_("identifiant fiscal (IF)"), example="40123456"),
        ColumnGuide(
            "rc_number", required=False, meaning=_("registre (RC ou registre des coopératives)"), example="1234"
        ),
        ColumnGuide("tp_number", required=False, meaning=_("taxe professionnelle (TP)"), example="51234567"),
        ColumnGuide("odco_number", required=False, meaning=_("numéro ODCO"), example=""),
        ColumnGuide("address", required=False, meaning=_("adresse"), example=""),
        ColumnGuide(
            "vat_status",
            required=False,
            meaning=_("TVA (exonérée si vide)"),
            values=tuple(Organization.VatStatus.choices),
            example="exempt",
        ),
        ColumnGuide("vat_legal_reference", required=False, meaning=_("texte de l'exonération"), example="art. 91"),
        ColumnGuide(
            "sector",
            required=False,
            meaning=_("secteur (agriculture si vide)"),
            values=tuple(Organization.Sector.choices),
            example="beekeeping",
        ),
        ColumnGuide(
            "is_women_cooperative", required=False, meaning=_("coopérative de femmes : oui ou non"), example="oui"
        ),
        ColumnGuide("joined_on", required=False, meaning=dates, example="15/03/2023"),
        ColumnGuide("capital_share", required=False, meaning=_("part de capital au GIE (MAD)"), example="1 500,00"),
        ColumnGuide("phone", required=False, meaning=_("téléphone"), example="0539123456"),
    ]
